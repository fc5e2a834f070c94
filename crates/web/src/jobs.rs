//! The background worker: claims jobs from the database queue (shared by every app instance) and runs periodic
//! maintenance (expired sessions, old rate-limit windows, audit retention).

use crate::app::AppState;
use crate::mail;
use commonbeat_store::entities::job;
use commonbeat_store::repo::{audit, jobs, jurisdictions, outbox, sessions, throttle};
use std::time::Duration;

/// Runs forever: poll for due jobs; every hour, maintenance.
pub async fn run_worker(state: AppState) {
    let poll = Duration::from_millis(state.config.job_poll_ms.max(50));
    let mut last_maintenance = 0i64;
    loop {
        let now = commonbeat_store::now();
        if now - last_maintenance >= 3600 {
            last_maintenance = now;
            if let Err(e) = maintenance(&state).await {
                tracing::warn!(error = %e, "maintenance failed");
            }
        }
        match jobs::claim(&state.db, 300).await {
            Ok(Some(j)) => run_job(&state, j).await,
            Ok(None) => tokio::time::sleep(poll).await,
            Err(e) => {
                tracing::warn!(error = %e, "job claim failed");
                tokio::time::sleep(poll * 5).await;
            }
        }
    }
}

async fn maintenance(state: &AppState) -> Result<(), commonbeat_store::StoreError> {
    sessions::purge_expired(&state.db).await?;
    throttle::purge_old(&state.db).await?;
    for j in jurisdictions::list(&state.db).await? {
        audit::purge_older_than(&state.db, j.id, state.config.audit_retention_days).await?;
    }
    crate::routes::recruiting::settings::purge_all(state).await?;
    if let Err(e) = crate::sustain::refresh_all(state).await {
        tracing::warn!(error = %e, "health refresh failed");
    }
    if state.config.smtp_url.is_some() {
        for (jid, id) in outbox::release_held(&state.db).await? {
            jobs::enqueue(&state.db, jid, mail::DELIVER_JOB, &id.to_string(), commonbeat_store::now()).await?;
        }
    }
    Ok(())
}

async fn run_job(state: &AppState, j: job::Model) {
    let result = match j.kind.as_str() {
        mail::DELIVER_JOB => deliver_email(state, &j).await,
        crate::routes::decisions::OPEN_JOB => crate::routes::decisions::open_job(state, &j).await,
        crate::routes::decisions::CLOSE_JOB => crate::routes::decisions::close_job(state, &j).await,
        crate::routes::decisions::REMIND_JOB => crate::routes::decisions::remind_job(state, &j).await,
        crate::routes::decisions::REVIEW_JOB => crate::routes::decisions::review_job(state, &j).await,
        crate::routes::meetings::REMIND_JOB => crate::routes::meetings::jobs::remind_job(state, &j).await,
        crate::routes::commitments::jobs::DUE_SOON_JOB | crate::routes::commitments::jobs::OVERDUE_JOB => {
            crate::routes::commitments::jobs::remind_job(state, &j).await
        }
        crate::notify::DIGEST_JOB => crate::notify::digest_job(state, &j).await,
        crate::routes::reports::service::FOLLOW_UP_JOB => crate::routes::reports::jobs::follow_up_job(state, &j).await,
        other => Err(format!("unknown job kind {other:?}")),
    };
    let db = &state.db;
    match result {
        Ok(()) => {
            if let Err(e) = jobs::complete(db, j.id).await {
                tracing::warn!(error = %e, "job completion not recorded");
            }
        }
        Err(err) => {
            // Exponential back-off: 30 s, 60 s, 120 s, …
            let retry = 30i64 << (j.attempts.clamp(1, 10) - 1);
            let gave_up = jobs::fail(db, &j, &err, retry).await.unwrap_or(false);
            if j.kind == mail::DELIVER_JOB
                && let Ok(id) = j.payload.parse::<i64>()
            {
                let _ = outbox::mark_attempt_failed(db, id, &err, gave_up).await;
            }
            tracing::warn!(job = j.id, kind = %j.kind, error = %err, gave_up, "job failed");
        }
    }
}

async fn deliver_email(state: &AppState, j: &job::Model) -> Result<(), String> {
    let id: i64 = j.payload.parse().map_err(|_| "bad payload".to_string())?;
    let m = outbox::by_id(&state.db, j.jurisdiction_id, id).await.map_err(|e| e.to_string())?;
    if m.status == outbox::SENT {
        return Ok(());
    }
    let Some(url) = state.config.smtp_url.as_deref() else { return Err("no SMTP server configured".into()) };
    mail::deliver(state, url, &m).await?;
    outbox::mark_sent(&state.db, id).await.map_err(|e| e.to_string())
}
