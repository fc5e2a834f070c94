//! The meeting reminder: 24 hours before a scheduled meeting, members are reminded (once per version of the
//! meeting: the job carries the SEQUENCE it was queued for).

use super::service::{Notice, announce};
use crate::AppState;
use crate::routes::partnerships::access::Access;
use commonbeat_store::entities::job;
use commonbeat_store::repo::{meetings, partnerships};

/// Reminds the members of a meeting starting in about 24 hours.
pub async fn remind_job(state: &AppState, j: &job::Model) -> Result<(), String> {
    let (id, seq) = j.payload.split_once(':').ok_or("bad payload")?;
    let id: i64 = id.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let m = meetings::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    if m.status != "scheduled" || m.sequence.to_string() != seq || m.starts_at < commonbeat_store::now() {
        return Ok(());
    }
    let p = partnerships::by_id(&state.db, jid, m.partnership_id).await.map_err(|e| e.to_string())?;
    let a = Access { partnership: p, membership: None, leads: false, admin: false };
    announce(state, jid, &a, &m, Notice::Reminder).await.map_err(|e| e.to_string())?;
    Ok(())
}
