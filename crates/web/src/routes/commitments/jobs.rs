//! Commitment reminders run by the worker: three days before a commitment is due, and the day after it falls
//! overdue (to the owner, and for overdue ones also to the co-chairs). A job whose due date no longer matches the
//! commitment, or whose commitment is no longer open, does nothing.

use crate::AppState;
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use commonbeat_domain::commitment::{CommitmentStatus, REMINDER_DAYS, due_soon, is_overdue};
use commonbeat_store::entities::job;
use commonbeat_store::repo::{commitments, leadership, partnerships, users};

/// Job kind: a commitment is due in three days.
pub const DUE_SOON_JOB: &str = "commitment.due_soon";
/// Job kind: a commitment is overdue.
pub const OVERDUE_JOB: &str = "commitment.overdue";

/// Runs either reminder job.
pub async fn remind_job(state: &AppState, j: &job::Model) -> Result<(), String> {
    let (id, due) = j.payload.split_once(':').ok_or("bad payload")?;
    let id: i64 = id.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let c = commitments::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    let status: CommitmentStatus = c.status.parse().map_err(|_| "bad status".to_string())?;
    if c.due_on != due {
        return Ok(());
    }
    let zone = notify::zone_name(state, jid).await;
    let today = super::today(&zone);
    let due_date = c.due_on.parse().map_err(|_| "bad date".to_string())?;
    let overdue = j.kind == OVERDUE_JOB;
    let applies =
        if overdue { is_overdue(status, due_date, today) } else { due_soon(status, due_date, today, REMINDER_DAYS) };
    if !applies {
        return Ok(());
    }
    let p = partnerships::by_id(&state.db, jid, c.partnership_id).await.map_err(|e| e.to_string())?;
    let mut people = Vec::new();
    if let Some(owner) = c.owner_user_id {
        people.push(users::by_id(&state.db, jid, owner).await.map_err(|e| e.to_string())?);
    }
    if overdue || c.owner_user_id.is_none() {
        for term in leadership::current(&state.db, jid, p.id).await.map_err(|e| e.to_string())? {
            people.push(term.user);
        }
    }
    let link = format!("{}/partnerships/{}/commitments/{}", state.config.public_url, p.slug, c.id);
    let (subject_key, body_key) = if overdue {
        ("email-commitment-overdue-subject", "email-commitment-overdue-body")
    } else {
        ("email-commitment-due-subject", "email-commitment-due-body")
    };
    notify::notify(state, jid, &people, "commitments", |tr: &Tr, _| Letter {
        subject: tr.t1(subject_key, "title", &c.title),
        text: format!(
            "{}\n\n{}\n{}: {}\n\n{link}\n",
            tr.t2(body_key, ("partnership", &p.name), ("due", &c.due_on)),
            c.title,
            tr.t("commitment-due"),
            c.due_on
        ),
        calendar: None,
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}
