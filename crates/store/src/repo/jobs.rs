//! A small durable job queue in the database, shared by every app instance.
//!
//! A job is claimed by leasing it (`locked_until`); on PostgreSQL the claim uses `FOR UPDATE SKIP LOCKED` so
//! instances never take the same job; SQLite serialises writers, so its single `UPDATE … RETURNING` is atomic.

use crate::entities::job::{self, Column, Entity, Model};
use crate::error::StoreResult;
use crate::{Backend, Db, now};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// Queues a job to run at `run_at` (unix seconds).
pub async fn enqueue(db: &Db, jurisdiction_id: i64, kind: &str, payload: &str, run_at: i64) -> StoreResult<Model> {
    Ok(job::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        kind: Set(kind.to_string()),
        payload: Set(payload.to_string()),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(5),
        locked_until: Set(None),
        last_error: Set(None),
        done_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// Claims the next due job for `lease_secs`, counting the attempt. `None` when nothing is due.
pub async fn claim(db: &Db, lease_secs: i64) -> StoreResult<Option<Model>> {
    let t = now();
    // Look before taking a write lock: an idle worker then only ever reads.
    let due = Entity::find()
        .filter(Column::DoneAt.is_null())
        .filter(Column::RunAt.lte(t))
        .filter(Column::LockedUntil.is_null().or(Column::LockedUntil.lt(t)))
        .one(&db.conn)
        .await?;
    if due.is_none() {
        return Ok(None);
    }
    let lock = if db.backend == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id = (\
           SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2 \
           AND (locked_until IS NULL OR locked_until < $2) ORDER BY run_at, id LIMIT 1 {lock}) \
         RETURNING *"
    );
    let stmt = db.stmt(&sql, vec![(t + lease_secs).into(), t.into()]);
    Ok(Entity::find().from_raw_sql(stmt).one(&db.conn).await?)
}

/// Marks a job done.
pub async fn complete(db: &Db, id: i64) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::DoneAt, Expr::value(now()))
        .col_expr(Column::LockedUntil, Expr::value(Option::<i64>::None))
        .filter(Column::Id.eq(id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// Records a failure: retried after `retry_in_secs` (exponential back-off is the caller's), or given up for good
/// after its last attempt (then `done_at` is set and the error kept).
pub async fn fail(db: &Db, job: &Model, error: &str, retry_in_secs: i64) -> StoreResult<bool> {
    let give_up = job.attempts >= job.max_attempts;
    let mut q = Entity::update_many()
        .col_expr(Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
        .col_expr(Column::LockedUntil, Expr::value(Option::<i64>::None));
    q = if give_up {
        q.col_expr(Column::DoneAt, Expr::value(now()))
    } else {
        q.col_expr(Column::RunAt, Expr::value(now() + retry_in_secs))
    };
    q.filter(Column::Id.eq(job.id)).exec(&db.conn).await?;
    Ok(give_up)
}

/// Number of jobs not yet done.
pub async fn pending_count(db: &Db) -> StoreResult<u64> {
    Ok(Entity::find().filter(Column::DoneAt.is_null()).count(&db.conn).await?)
}
