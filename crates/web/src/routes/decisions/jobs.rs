//! Decision jobs run by the worker: opening a scheduled decision at its opening time (with its "decision opened"
//! notice), closing at the closing time, reminding members who have not voted, and reminding co-chairs on the
//! review date.

use super::members;
use crate::AppState;
use crate::timefmt::format_datetime;
use commonbeat_store::repo::decisions;

/// Job kind: open a scheduled decision at its opening time.
pub const OPEN_JOB: &str = "decision.open";

/// Opens a scheduled decision whose time has come and sends its "decision opened" notice (audited as the system).
/// Idempotent: a decision already opened, or closed before its opening time, is left alone.
pub async fn open_job(state: &AppState, j: &commonbeat_store::entities::job::Model) -> Result<(), String> {
    let id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let d = decisions::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    if d.status == decisions::SCHEDULED && d.opens_at > commonbeat_store::now() {
        return Err("not yet due".into());
    }
    if !decisions::open_scheduled(&state.db, jid, id).await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let d = decisions::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    let p = commonbeat_store::repo::partnerships::by_id(&state.db, jid, d.partnership_id)
        .await
        .map_err(|e| e.to_string())?;
    let named = decisions::named_voters(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    super::notices::opened(state, jid, &p, &d, &named).await.map_err(|e| e.to_string())?;
    system_audit(state, jid, "decision.open", id).await
}

async fn system_audit(state: &AppState, jid: i64, action: &str, id: i64) -> Result<(), String> {
    commonbeat_store::repo::audit::append(
        &state.db,
        jid,
        commonbeat_store::repo::audit::AuditEvent {
            actor: "system".into(),
            action: action.into(),
            object: format!("decision:{id}"),
            outcome: "success".into(),
            source: "job".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Job kind: close a decision at its closing time.
pub const CLOSE_JOB: &str = "decision.close";
/// Job kind: remind the co-chairs, on the review date, to review a decision's outcome.
pub const REVIEW_JOB: &str = "decision.review";

/// E-mails the current co-chairs that a decision is due for review.
pub async fn review_job(state: &AppState, j: &commonbeat_store::entities::job::Model) -> Result<(), String> {
    let id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let d = decisions::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    let p = commonbeat_store::repo::partnerships::by_id(&state.db, jid, d.partnership_id)
        .await
        .map_err(|e| e.to_string())?;
    for lead in commonbeat_store::repo::leadership::current(&state.db, jid, p.id).await.map_err(|e| e.to_string())? {
        let t = crate::i18n::Tr::new(commonbeat_domain::Locale::from_tag(&lead.user.locale).unwrap_or_default());
        let link = format!("{}/partnerships/{}/decisions/{}", state.config.public_url, p.slug, d.id);
        let body = format!(
            "{}\n\n{}\n{}\n\n{link}\n",
            t.t1("email-review-body", "partnership", &p.name),
            d.title,
            d.outcome.clone().unwrap_or_default()
        );
        crate::mail::send_text(state, jid, &lead.user.email, t.t1("email-review-subject", "title", &d.title), body)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Job kind: remind eligible members who have not voted, a day before closing.
pub const REMIND_JOB: &str = "decision.remind";

/// Closes a decision whose time has come (audited as the system).
pub async fn close_job(state: &AppState, j: &commonbeat_store::entities::job::Model) -> Result<(), String> {
    let id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let d = decisions::by_id(&state.db, j.jurisdiction_id, id).await.map_err(|e| e.to_string())?;
    if d.closes_at > commonbeat_store::now() {
        return Err("not yet due".into());
    }
    if decisions::close(&state.db, j.jurisdiction_id, id).await.map_err(|e| e.to_string())? {
        system_audit(state, j.jurisdiction_id, "decision.close", id).await?;
    }
    Ok(())
}

/// E-mails every eligible member who has not voted yet, in their language.
pub async fn remind_job(state: &AppState, j: &commonbeat_store::entities::job::Model) -> Result<(), String> {
    let id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let d = decisions::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    if d.status != decisions::OPEN {
        return Ok(());
    }
    let p = commonbeat_store::repo::partnerships::by_id(&state.db, jid, d.partnership_id)
        .await
        .map_err(|e| e.to_string())?;
    let voted: Vec<i64> =
        decisions::ballots(&state.db, jid, id).await.map_err(|e| e.to_string())?.iter().map(|b| b.user_id).collect();
    let named = decisions::named_voters(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    let list = members::list(&state.db, jid, p.id, Some(members::ACTIVE)).await.map_err(|e| e.to_string())?;
    let tz = commonbeat_store::repo::jurisdictions::by_id(&state.db, jid).await.map_err(|e| e.to_string())?.time_zone;
    for m in list.iter().filter(|m| {
        m.membership.role == "member" && !voted.contains(&m.user.id) && (named.is_empty() || named.contains(&m.user.id))
    }) {
        let locale = commonbeat_domain::Locale::from_tag(&m.user.locale).unwrap_or_default();
        let t = crate::i18n::Tr::new(locale);
        let link = format!("{}/partnerships/{}/decisions/{}", state.config.public_url, p.slug, d.id);
        let when = format_datetime(d.closes_at, &tz, locale);
        let body = format!(
            "{}\n\n{}\n\n{link}\n",
            t.t2("email-remind-body", ("partnership", &p.name), ("when", &when)),
            d.title
        );
        crate::mail::send_text(state, jid, &m.user.email, t.t1("email-remind-subject", "title", &d.title), body)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
