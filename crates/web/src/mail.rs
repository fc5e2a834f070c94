//! E-mail: every message goes through the outbox table; the job worker delivers it over SMTP when
//! `--smtp-url` is set, retrying with back-off. Without SMTP the message is held for administrators to read.

use crate::app::AppState;
use crate::error::AppResult;
use commonbeat_store::entities::outbox_message;
use commonbeat_store::repo::{jobs, outbox};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Job kind that delivers one outbox message.
pub const DELIVER_JOB: &str = "email.deliver";

/// Stores a message and, when SMTP is configured, queues its delivery.
pub async fn send(state: &AppState, jurisdiction_id: i64, msg: outbox::NewMessage) -> AppResult<i64> {
    let deliverable = state.config.smtp_url.is_some();
    let m = outbox::enqueue(&state.db, jurisdiction_id, msg, deliverable).await?;
    if deliverable {
        jobs::enqueue(&state.db, jurisdiction_id, DELIVER_JOB, &m.id.to_string(), commonbeat_store::now()).await?;
    }
    Ok(m.id)
}

/// Sends a plain-text message (the common case: notices, reminders, invitations).
pub async fn send_text(
    state: &AppState,
    jurisdiction_id: i64,
    to: &str,
    subject: String,
    body: String,
) -> AppResult<i64> {
    send(
        state,
        jurisdiction_id,
        outbox::NewMessage { to: to.to_string(), subject, body_text: body, ..Default::default() },
    )
    .await
}

/// Builds the MIME message for an outbox row.
pub fn build_message(from: &str, m: &outbox_message::Model) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox = m.to_addr.parse().map_err(|e| format!("recipient address: {e}"))?;
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(m.body_text.clone());
    let mut alt = MultiPart::alternative().singlepart(text);
    if let Some(html) = &m.body_html {
        alt = alt.singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone()));
    }
    let body = match &m.calendar {
        Some(ics) => MultiPart::mixed().multipart(alt).singlepart(
            SinglePart::builder()
                .header(ContentType::parse(&calendar_content_type(ics)).map_err(|e| e.to_string())?)
                .body(ics.clone()),
        ),
        None => alt,
    };
    let mut builder = Message::builder().from(from).to(to).subject(m.subject.clone());
    if let Some(url) = &m.list_unsubscribe {
        // RFC 8058 one-click unsubscribe: mail programs POST to the URL without a session or form.
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    builder.multipart(body).map_err(|e| e.to_string())
}

/// The content type of a calendar part: its `method` must match the body's METHOD (RFC 6047 §2.4).
fn calendar_content_type(ics: &str) -> String {
    let method = ics
        .lines()
        .find_map(|l| l.trim_end().strip_prefix("METHOD:"))
        .filter(|m| m.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap_or("PUBLISH");
    format!("text/calendar; charset=utf-8; method={method}")
}

/// Delivers one outbox message now over SMTP.
pub async fn deliver(state: &AppState, smtp_url: &str, m: &outbox_message::Model) -> Result<(), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url).map_err(|e| e.to_string())?.build();
    let msg = build_message(&state.config.mail_from, m)?;
    transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn calendar_part_method_follows_the_body() {
        let cancel = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n";
        assert_eq!(super::calendar_content_type(cancel), "text/calendar; charset=utf-8; method=CANCEL");
        let request = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n";
        assert_eq!(super::calendar_content_type(request), "text/calendar; charset=utf-8; method=REQUEST");
        assert_eq!(super::calendar_content_type("BEGIN:VCALENDAR"), "text/calendar; charset=utf-8; method=PUBLISH");
    }
}
