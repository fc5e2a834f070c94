//! Server-side sessions. The browser holds a random token; the database holds its hash.

use crate::entities::session::{self, Column, Entity, Model};
use crate::error::StoreResult;
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// Idle timeout: 30 minutes.
pub const IDLE_SECS: i64 = 30 * 60;
/// Absolute lifetime: 12 hours.
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

/// Creates a session and returns the token for the cookie (shown once) with the stored row.
pub async fn create(
    db: &Db,
    jurisdiction_id: i64,
    user_id: Option<i64>,
    mfa_pending: bool,
    source: &str,
) -> StoreResult<(String, Model)> {
    let token = new_token();
    let t = now();
    let m = session::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        token_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        mfa_pending: Set(mfa_pending),
        csrf_token: Set(new_token()),
        created_at: Set(t),
        last_seen_at: Set(t),
        source: Set(source.to_string()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok((token, m))
}

/// The live session for a cookie token in this jurisdiction, touching its idle timer. Expired sessions
/// (idle for 30 minutes or older than 12 hours) are deleted and give `None`.
pub async fn find_live(db: &Db, jurisdiction_id: i64, token: &str) -> StoreResult<Option<Model>> {
    let hash = hash_token(token);
    let Some(s) = Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let t = now();
    if t - s.last_seen_at >= IDLE_SECS || t - s.created_at >= ABSOLUTE_SECS {
        Entity::delete_by_id(s.id).exec(&db.conn).await?;
        return Ok(None);
    }
    // Write at most once every 30 seconds per session to keep reads cheap.
    if t - s.last_seen_at >= 30 {
        Entity::update_many()
            .col_expr(Column::LastSeenAt, Expr::value(t))
            .filter(Column::Id.eq(s.id))
            .exec(&db.conn)
            .await?;
    }
    Ok(Some(s))
}

/// Ends one session.
pub async fn delete(db: &Db, session_id: i64) -> StoreResult<()> {
    Entity::delete_by_id(session_id).exec(&db.conn).await?;
    Ok(())
}

/// Ends every session of a user (after a password change, disabling, or a role change).
pub async fn delete_for_user(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<u64> {
    let r = Entity::delete_many()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::UserId.eq(user_id))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}

/// Deletes every expired session (run by a background job).
pub async fn purge_expired(db: &Db) -> StoreResult<u64> {
    let t = now();
    let r = Entity::delete_many()
        .filter(Column::LastSeenAt.lt(t - IDLE_SECS).or(Column::CreatedAt.lt(t - ABSOLUTE_SECS)))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}
