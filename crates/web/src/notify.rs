//! Notifications to members, by category and each member's preference (immediate, daily digest or off). Every
//! message is built in the recipient's language, sent as text and HTML, and carries a one-click unsubscribe
//! link (RFC 8058) for its category; immediate meeting notices carry the invitation as a text/calendar part.

use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Tr;
use commonbeat_domain::Locale;
use commonbeat_domain::text::escape;
use commonbeat_store::entities::user;
use commonbeat_store::repo::{jobs, notify, outbox};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Categories of notification a member can tune.
pub const CATEGORIES: [&str; 6] = ["meetings", "decisions", "commitments", "mentions", "announcements", "health"];
/// Delivery modes.
pub const MODES: [&str; 3] = ["immediate", "digest", "off"];
/// Job kind: send a member their daily digest.
pub const DIGEST_JOB: &str = "notify.digest";
/// Local hour at which daily digests go out.
const DIGEST_HOUR: i8 = 7;

/// One message, already in the recipient's language.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    /// Subject line.
    pub subject: String,
    /// Plain-text body (paragraphs separated by blank lines; URLs on their own).
    pub text: String,
    /// An iCalendar invitation to attach (immediate delivery only).
    pub calendar: Option<String>,
}

/// A member's delivery mode for `category` (`immediate` when they never chose).
pub async fn mode_of(state: &AppState, jid: i64, user_id: i64, category: &str) -> AppResult<String> {
    Ok(notify::prefs(&state.db, jid, user_id)
        .await?
        .into_iter()
        .find(|(c, _)| c == category)
        .map(|(_, m)| m)
        .unwrap_or_else(|| "immediate".into()))
}

/// Notifies each recipient (skipping disabled accounts and duplicates) according to their preference for
/// `category`. `build` writes the letter in the recipient's language. Returns how many were sent or queued.
pub async fn notify<F>(
    state: &AppState,
    jid: i64,
    recipients: &[user::Model],
    category: &str,
    build: F,
) -> AppResult<usize>
where
    F: Fn(&Tr, &user::Model) -> Letter,
{
    let mut seen = std::collections::BTreeSet::new();
    let mut count = 0;
    for u in recipients.iter().filter(|u| !u.disabled) {
        if !seen.insert(u.id) {
            continue;
        }
        let mode = mode_of(state, jid, u.id, category).await?;
        let tr = Tr::new(Locale::from_tag(&u.locale).unwrap_or_default());
        let letter = build(&tr, u);
        match mode.as_str() {
            "off" => continue,
            "digest" => {
                if notify::queue_digest(&state.db, jid, u.id, category, &letter.subject, &letter.text).await? {
                    let tz = zone_of(state, jid).await;
                    jobs::enqueue(
                        &state.db,
                        jid,
                        DIGEST_JOB,
                        &u.id.to_string(),
                        next_digest_time(&tz, Timestamp::now()),
                    )
                    .await?;
                }
            }
            _ => send_letter(state, jid, u, &tr, category, letter).await?,
        }
        count += 1;
    }
    Ok(count)
}

/// Sends one letter now with the footer and unsubscribe header of its category.
async fn send_letter(state: &AppState, jid: i64, u: &user::Model, tr: &Tr, category: &str, l: Letter) -> AppResult<()> {
    let keys = notify::keys(&state.db, jid, u.id).await?;
    let base = &state.config.public_url;
    let unsubscribe = format!("{base}/unsubscribe/{}/{category}", keys.unsubscribe_key);
    let prefs = format!("{base}/account/notifications");
    let footer = format!(
        "{}\n{}: {unsubscribe}\n{}: {prefs}",
        tr.t1("email-footer-why", "category", &tr.t(&format!("notify-category-{category}"))),
        tr.t("email-footer-unsubscribe"),
        tr.t("email-footer-preferences"),
    );
    let text = format!("{}\n\n-- \n{footer}\n", l.text.trim_end());
    let html = html_letter(tr.lang(), &l.subject, &l.text, &footer);
    crate::mail::send(
        state,
        jid,
        outbox::NewMessage {
            to: u.email.clone(),
            subject: l.subject,
            body_text: text,
            body_html: Some(html),
            calendar: l.calendar,
            list_unsubscribe: Some(unsubscribe),
        },
    )
    .await?;
    Ok(())
}

/// The HTML part: the same words, escaped, with paragraphs and links.
pub fn html_letter(lang: &str, subject: &str, text: &str, footer: &str) -> String {
    let para = |p: &str| {
        let lines: Vec<String> = p.lines().map(linkify).collect();
        format!("<p>{}</p>", lines.join("<br>"))
    };
    let body: Vec<String> = text.split("\n\n").filter(|p| !p.trim().is_empty()).map(para).collect();
    let foot: Vec<String> = footer.lines().map(linkify).collect();
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5\">{}<hr><p style=\"font-size:small\">{}</p></body></html>",
        escape(subject),
        body.join(""),
        foot.join("<br>")
    )
}

/// Escapes a line and turns a trailing or whole-word http(s) URL into a link.
fn linkify(line: &str) -> String {
    line.split(' ')
        .map(|w| {
            if w.starts_with("https://") || w.starts_with("http://") {
                let e = escape(w);
                format!("<a href=\"{e}\">{e}</a>")
            } else {
                escape(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The next digest time: today at 07:00 local if still ahead, else tomorrow.
pub fn next_digest_time(tz: &TimeZone, now: Timestamp) -> i64 {
    let local = now.to_zoned_datetime(tz.clone());
    let today = local.date().at(DIGEST_HOUR, 0, 0, 0);
    let at = today.to_zoned_datetime(tz.clone()).map(|z| z.timestamp()).unwrap_or(now);
    let at = if at > now {
        at
    } else {
        (local.date() + 1.day())
            .at(DIGEST_HOUR, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(now)
    };
    at.as_second()
}

/// Sends a member the items waiting for their daily digest, as one letter.
pub async fn digest_job(state: &AppState, j: &commonbeat_store::entities::job::Model) -> Result<(), String> {
    let user_id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let u = commonbeat_store::repo::users::by_id(&state.db, jid, user_id).await.map_err(|e| e.to_string())?;
    let items = notify::take_digest(&state.db, user_id).await.map_err(|e| e.to_string())?;
    if items.is_empty() || u.disabled {
        return Ok(());
    }
    let tr = Tr::new(Locale::from_tag(&u.locale).unwrap_or_default());
    let mut text = format!("{}\n\n", tr.t1("email-digest-intro", "count", &items.len().to_string()));
    for i in &items {
        text.push_str(&format!("## {}\n\n{}\n\n", i.subject, i.body.trim_end()));
    }
    let letter =
        Letter { subject: tr.t1("email-digest-subject", "count", &items.len().to_string()), text, calendar: None };
    send_letter(state, jid, &u, &tr, "digest", letter).await.map_err(|e| e.to_string())
}

/// The IANA time zone name of a jurisdiction (`UTC` if it cannot be read).
pub async fn zone_name(state: &AppState, jid: i64) -> String {
    match commonbeat_store::repo::jurisdictions::by_id(&state.db, jid).await {
        Ok(j) => j.time_zone,
        Err(_) => "UTC".into(),
    }
}

/// The time zone of a jurisdiction (UTC if its name is unknown).
pub async fn zone_of(state: &AppState, jid: i64) -> TimeZone {
    TimeZone::get(&zone_name(state, jid).await).unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_goes_out_at_seven_local() {
        let tz = TimeZone::get("America/Chicago").unwrap();
        // 2026-11-26 06:00 CST = 12:00Z → same day 07:00 CST = 13:00Z.
        let early: Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        assert_eq!(next_digest_time(&tz, early), "2026-11-26T13:00:00Z".parse::<Timestamp>().unwrap().as_second());
        // 09:00 CST → next day 07:00 CST.
        let late: Timestamp = "2026-11-26T15:00:00Z".parse().unwrap();
        assert_eq!(next_digest_time(&tz, late), "2026-11-27T13:00:00Z".parse::<Timestamp>().unwrap().as_second());
    }

    #[test]
    fn html_is_escaped_and_linked() {
        let h = html_letter("es", "<b>", "Hola <script>\n\nhttps://x.example/a?b=1&c=2", "pie");
        assert!(h.contains("&lt;script&gt;"));
        assert!(h.contains("<a href=\"https://x.example/a?b=1&amp;c=2\">"));
        assert!(h.contains("lang=\"es\""));
        assert!(!h.contains("<script>"));
    }
}
