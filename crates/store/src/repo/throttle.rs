//! Login throttling and request rate limits, kept in the database so several app instances share them.

use crate::entities::login_failure::{self, Column, Entity};
use crate::error::StoreResult;
use crate::{Db, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// Failed sign-ins within [`LOCK_WINDOW_SECS`] that lock an account.
pub const MAX_FAILURES: u64 = 5;
/// The window in which failures are counted, and the lock's length: 15 minutes.
pub const LOCK_WINDOW_SECS: i64 = 15 * 60;

/// Records a failed sign-in for `email` and returns the number of failures in the last 15 minutes.
pub async fn record_failure(
    db: &Db,
    jurisdiction_id: i64,
    user_id: Option<i64>,
    email: &str,
    source: &str,
) -> StoreResult<u64> {
    let t = now();
    login_failure::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        email: Set(email.to_string()),
        at: Set(t),
        source: Set(source.to_string()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok(Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Email.eq(email))
        .filter(Column::At.gt(t - LOCK_WINDOW_SECS))
        .count(&db.conn)
        .await?)
}

/// Forgets the failures of an address after a successful sign-in.
pub async fn clear_failures(db: &Db, jurisdiction_id: i64, email: &str) -> StoreResult<()> {
    Entity::delete_many()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Email.eq(email))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// Counts one hit against `bucket` in the current fixed window of `window_secs` and returns the hits so far in
/// that window (this one included). One atomic upsert, correct across app instances.
pub async fn hit(db: &Db, bucket: &str, window_secs: i64) -> StoreResult<i64> {
    let t = now();
    let window_start = t - t.rem_euclid(window_secs);
    let stmt = db.stmt(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
        vec![bucket.into(), window_start.into()],
    );
    let row = db.conn.query_one_raw(stmt).await?;
    let hits: i32 = row.map(|r| r.try_get("", "hits")).transpose()?.unwrap_or(1);
    Ok(i64::from(hits))
}

/// Deletes rate-limit windows and login failures older than a day.
pub async fn purge_old(db: &Db) -> StoreResult<()> {
    let cutoff = now() - 86_400;
    db.conn.execute_raw(db.stmt("DELETE FROM rate_limits WHERE window_start < $1", vec![cutoff.into()])).await?;
    Entity::delete_many().filter(Column::At.lt(cutoff)).exec(&db.conn).await?;
    Ok(())
}
