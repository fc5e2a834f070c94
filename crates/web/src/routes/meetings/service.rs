//! Meeting rules shared by the pages and the API: reading and checking the meeting form (times in the
//! jurisdiction's zone, format and venue, the agenda), scheduling, changing and cancelling with invitations, and
//! attendance by side.

use super::calendar;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use crate::routes::partnerships::access::Access;
use crate::timefmt::format_datetime;
use commonbeat_domain::Locale;
use commonbeat_domain::meeting::{
    Agenda, AgendaError, AgendaItem, AgendaSection, AttendanceCount, Format, MeetingTimes, MeetingTimesError,
    VenueError, validate_meeting,
};
use commonbeat_store::entities::{meeting, user};
use commonbeat_store::repo::meetings::{self, MeetingDetails};
use commonbeat_store::repo::{jobs, members};
use serde::Deserialize;
use serde_json::json;

/// Job kind: remind members 24 hours before a meeting.
pub const REMIND_JOB: &str = "meeting.remind";

/// The meeting form (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeetingForm {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// `in_person`, `online` or `hybrid`.
    #[serde(default)]
    pub format: String,
    /// Local start, `YYYY-MM-DDTHH:MM` in the jurisdiction's time zone.
    #[serde(default)]
    pub starts: String,
    /// Local end time on the same day, `HH:MM`.
    #[serde(default)]
    pub ends: String,
    /// Address or room.
    #[serde(default)]
    pub place: String,
    /// Accessibility notes.
    #[serde(default)]
    pub accessibility: String,
    /// Interpretation offered.
    #[serde(default)]
    pub interpretation: String,
    /// Link to join online.
    #[serde(default)]
    pub online_url: String,
    /// Agenda, one item per line: `Title | minutes | notes` (minutes and notes optional).
    #[serde(default)]
    pub agenda: String,
    /// The time poll this meeting was scheduled from.
    #[serde(default)]
    pub from_decision: Option<i64>,
}

/// A refusal: the field at fault and a message in the caller's language.
pub type Refusal = (String, String);

/// The CAPS beat-meeting agenda, titled in `tr`'s language.
pub fn default_agenda(tr: &Tr) -> Vec<AgendaItem> {
    Agenda::caps_default(|s| tr.t(&format!("agenda-{}", s.key()))).map(Agenda::into_items).unwrap_or_default()
}

/// Writes an agenda as editable lines.
pub fn agenda_to_text(items: &[AgendaItem]) -> String {
    items
        .iter()
        .map(|i| {
            if i.notes.is_empty() {
                format!("{} | {}", i.title, i.minutes)
            } else {
                format!("{} | {} | {}", i.title, i.minutes, i.notes)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads agenda lines, keeping the CAPS keys of items whose title matches the default one.
pub fn agenda_from_text(text: &str, tr: &Tr) -> Result<Vec<AgendaItem>, Refusal> {
    let defaults = default_agenda(tr);
    let mut items = Vec::new();
    for (n, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let mut parts = line.splitn(3, '|').map(str::trim);
        let title = parts.next().unwrap_or_default().to_string();
        let minutes = match parts.next() {
            None | Some("") => 10,
            Some(m) => m.trim_end_matches("min").trim().parse::<u16>().map_err(|_| {
                (
                    "agenda".to_string(),
                    tr.t2("meeting-error-agenda-minutes", ("item", &(n + 1).to_string()), ("value", m)),
                )
            })?,
        };
        let notes = parts.next().unwrap_or_default().to_string();
        let key = defaults
            .iter()
            .find(|d| d.title.eq_ignore_ascii_case(&title))
            .map(|d| d.key.clone())
            .unwrap_or_else(|| format!("item-{}", n + 1));
        items.push(AgendaItem { key, title, notes, minutes });
    }
    Agenda::new(items).map(Agenda::into_items).map_err(|e| ("agenda".to_string(), agenda_error(tr, &e)))
}

fn agenda_error(tr: &Tr, e: &AgendaError) -> String {
    let item = e.item().map(|i| i.to_string()).unwrap_or_default();
    tr.t2("meeting-error-agenda", ("item", &item), ("problem", &e.to_string()))
}

/// Checks the form and turns it into stored details (times as unix seconds in the jurisdiction's zone).
pub fn read_form(f: &MeetingForm, tr: &Tr, tz: &str) -> Result<MeetingDetails, Refusal> {
    let bad = |field: &str, key: &str| (field.to_string(), tr.t(key));
    let title = f.title.trim();
    if title.chars().count() < 3 || title.chars().count() > 200 {
        return Err(bad("title", "meeting-error-title"));
    }
    let format: Format = f.format.parse().map_err(|_| bad("format", "meeting-error-format"))?;
    let start: jiff::civil::DateTime = f.starts.trim().parse().map_err(|_| bad("starts", "meeting-error-starts"))?;
    let end_time: jiff::civil::Time = f.ends.trim().parse().map_err(|_| bad("ends", "meeting-error-ends"))?;
    let times = MeetingTimes::new(start, start.date().to_datetime(end_time)).map_err(|e| match e {
        MeetingTimesError::EndNotAfterStart => bad("ends", "meeting-error-ends"),
        MeetingTimesError::TooLong { .. } => bad("ends", "meeting-error-too-long"),
    })?;
    fn opt(s: &str) -> Option<&str> {
        Some(s.trim()).filter(|s| !s.is_empty())
    }
    if let Err(errors) = validate_meeting(format, opt(&f.place), opt(&f.online_url)) {
        let e = &errors[0];
        let field = if e.field() == "link" { "online_url" } else { "place" };
        let key = match e {
            VenueError::Missing { field: "place", .. } => "meeting-error-place",
            VenueError::Missing { .. } => "meeting-error-link",
            VenueError::BadLink { .. } => "meeting-error-link-bad",
            VenueError::TooLong { .. } => "meeting-error-too-long-text",
        };
        return Err(bad(field, key));
    }
    if f.accessibility.chars().count() > 1000 || f.interpretation.chars().count() > 200 {
        return Err(bad("accessibility", "meeting-error-too-long-text"));
    }
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let unix = |dt: jiff::civil::DateTime| dt.to_zoned_datetime(zone.clone()).map(|z| z.timestamp().as_second());
    let (Ok(starts_at), Ok(ends_at)) = (unix(times.start()), unix(times.end())) else {
        return Err(bad("starts", "meeting-error-starts"));
    };
    let agenda = if f.agenda.trim().is_empty() { default_agenda(tr) } else { agenda_from_text(&f.agenda, tr)? };
    Ok(MeetingDetails {
        title: title.to_string(),
        format: format.as_str().to_string(),
        starts_at,
        ends_at,
        place: f.place.trim().to_string(),
        accessibility: f.accessibility.trim().to_string(),
        interpretation: f.interpretation.trim().to_string(),
        online_url: f.online_url.trim().to_string(),
        agenda: serde_json::to_string(&agenda).unwrap_or_else(|_| "[]".into()),
    })
}

/// The stored agenda of a meeting.
pub fn agenda_of(m: &meeting::Model) -> Vec<AgendaItem> {
    serde_json::from_str::<Agenda>(&m.agenda).map(Agenda::into_items).unwrap_or_default()
}

/// Active members of the partnership (the people invited to its meetings).
pub async fn invitees(state: &AppState, jid: i64, partnership_id: i64) -> AppResult<Vec<user::Model>> {
    Ok(members::list(&state.db, jid, partnership_id, Some(members::ACTIVE))
        .await?
        .into_iter()
        .map(|m| m.user)
        .collect())
}

/// What a notice about a meeting says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A new meeting.
    Scheduled,
    /// Its time, place or agenda changed.
    Changed,
    /// It was cancelled.
    Cancelled,
    /// It is tomorrow.
    Reminder,
}

/// Tells the partnership's members about a meeting, with the calendar invitation attached.
pub async fn announce(state: &AppState, jid: i64, a: &Access, m: &meeting::Model, notice: Notice) -> AppResult<usize> {
    let people = invitees(state, jid, a.partnership.id).await?;
    let tz = crate::notify::zone_name(state, jid).await;
    let ics = calendar::invitation(state, &a.partnership, m, &tz, notice == Notice::Cancelled);
    let link = format!("{}/partnerships/{}/meetings/{}", state.config.public_url, a.partnership.slug, m.id);
    let pname = a.partnership.name.clone();
    notify::notify(state, jid, &people, "meetings", |tr: &Tr, _u| {
        let locale = Locale::from_tag(tr.lang()).unwrap_or_default();
        let when = format_datetime(m.starts_at, &tz, locale);
        let (subject_key, body_key) = match notice {
            Notice::Scheduled => ("email-meeting-new-subject", "email-meeting-new-body"),
            Notice::Changed => ("email-meeting-changed-subject", "email-meeting-changed-body"),
            Notice::Cancelled => ("email-meeting-cancelled-subject", "email-meeting-cancelled-body"),
            Notice::Reminder => ("email-meeting-reminder-subject", "email-meeting-reminder-body"),
        };
        let place = if m.place.is_empty() { m.online_url.clone() } else { m.place.clone() };
        let mut text = format!(
            "{}\n\n{}\n{when}\n{place}\n",
            tr.t2(body_key, ("partnership", &pname), ("title", &m.title)),
            m.title
        );
        if !m.accessibility.is_empty() {
            text.push_str(&format!("{}: {}\n", tr.t("meeting-accessibility"), m.accessibility));
        }
        if !m.interpretation.is_empty() {
            text.push_str(&format!("{}: {}\n", tr.t("meeting-interpretation"), m.interpretation));
        }
        if notice == Notice::Cancelled && !m.cancel_reason.is_empty() {
            text.push_str(&format!("{}: {}\n", tr.t("meeting-cancel-reason"), m.cancel_reason));
        }
        text.push_str(&format!("\n{link}\n"));
        Letter { subject: tr.t2(subject_key, ("title", &m.title), ("when", &when)), text, calendar: Some(ics.clone()) }
    })
    .await
}

/// Schedules a meeting: stores it, sends invitations and queues the 24-hour reminder.
pub async fn schedule(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    f: &MeetingForm,
) -> AppResult<Result<meeting::Model, Refusal>> {
    let tr = ctx.tr();
    let d = match read_form(f, &tr, &ctx.jurisdiction.time_zone) {
        Ok(d) => d,
        Err(r) => return Ok(Err(r)),
    };
    let from_decision = match f.from_decision {
        Some(id) => {
            let dec = commonbeat_store::repo::decisions::by_id(&state.db, ctx.jid(), id).await?;
            (dec.partnership_id == a.partnership.id).then_some(dec.id)
        }
        None => None,
    };
    let uid = ctx.user.as_ref().map(|u| u.id);
    let m = meetings::create(&state.db, ctx.jid(), a.partnership.id, d, uid, from_decision).await?;
    queue_reminder(state, ctx.jid(), &m).await?;
    let sent = announce(state, ctx.jid(), a, &m, Notice::Scheduled).await?;
    ctx.audit(state, "meeting.schedule", &format!("meeting:{}", m.id), "success", json!({"invited": sent})).await?;
    Ok(Ok(m))
}

/// Changes a meeting: a new SEQUENCE, an updated invitation, a new reminder.
pub async fn change(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    m: meeting::Model,
    f: &MeetingForm,
) -> AppResult<Result<meeting::Model, Refusal>> {
    let d = match read_form(f, &ctx.tr(), &ctx.jurisdiction.time_zone) {
        Ok(d) => d,
        Err(r) => return Ok(Err(r)),
    };
    let m = meetings::update_details(&state.db, m, d).await?;
    queue_reminder(state, ctx.jid(), &m).await?;
    announce(state, ctx.jid(), a, &m, Notice::Changed).await?;
    ctx.audit(state, "meeting.update", &format!("meeting:{}", m.id), "success", json!({"sequence": m.sequence}))
        .await?;
    Ok(Ok(m))
}

/// Queues the reminder for 24 hours before the start; the job checks the SEQUENCE so a changed meeting is
/// reminded once, at its new time.
async fn queue_reminder(state: &AppState, jid: i64, m: &meeting::Model) -> AppResult<()> {
    let at = m.starts_at - 24 * 3600;
    if at > commonbeat_store::now() {
        jobs::enqueue(&state.db, jid, REMIND_JOB, &format!("{}:{}", m.id, m.sequence), at).await?;
    }
    Ok(())
}

/// Attendance of a meeting by side: members signed in plus walk-ins.
pub async fn attendance_count(state: &AppState, m: &meeting::Model) -> AppResult<AttendanceCount> {
    let rows = meetings::attendance(&state.db, m.id).await?;
    Ok(count_of(m, rows.iter().map(|r| r.side.as_str())))
}

/// Counts sign-ins (by their sides) and the meeting's walk-ins.
pub fn count_of<'a>(m: &meeting::Model, sides: impl Iterator<Item = &'a str>) -> AttendanceCount {
    let mut c = AttendanceCount {
        police_members: 0,
        community_members: 0,
        police_walk_ins: m.walk_ins_police.max(0) as u32,
        community_walk_ins: m.walk_ins_community.max(0) as u32,
    };
    for s in sides {
        if s == "police" {
            c.police_members += 1;
        } else {
            c.community_members += 1;
        }
    }
    c
}

/// The CAPS agenda section of an item, if it is one of the standard ones.
pub fn section_of(item: &AgendaItem) -> Option<AgendaSection> {
    AgendaSection::from_key(&item.key)
}
