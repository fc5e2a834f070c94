//! The append-only, hash-chained audit log (one chain per jurisdiction).

use crate::entities::audit_entry::{self, Column, Entity, Model};
use crate::error::StoreResult;
use crate::{Backend, Db, now};
use commonbeat_domain::audit::{AuditRecord, ChainBreak, GENESIS_HASH, verify_chain};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

/// Default retention of audit entries: 400 days (at least one year, as required).
pub const DEFAULT_RETENTION_DAYS: i64 = 400;

/// Something to record.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    /// The acting user's id, if any.
    pub actor_id: Option<i64>,
    /// Who acted: an e-mail address, `anonymous`, `system` or `cli`.
    pub actor: String,
    /// What was done: `login`, `user.create`, `audit.read`, …
    pub action: String,
    /// What it was done to: `user:42`, `session`, …
    pub object: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// The request's source address, or `cli`.
    pub source: String,
    /// JSON text with extra detail; never secrets or passwords.
    pub details: String,
}

fn record_of(m: &Model) -> AuditRecord {
    AuditRecord {
        id: m.id,
        jurisdiction_id: m.jurisdiction_id,
        at: m.at,
        actor_id: m.actor_id,
        actor: m.actor.clone(),
        action: m.action.clone(),
        object: m.object.clone(),
        outcome: m.outcome.clone(),
        source: m.source.clone(),
        details: m.details.clone(),
        prev_hash: m.prev_hash.clone(),
    }
}

/// Appends an entry to the jurisdiction's chain. Appends are serialised (in-process lock, plus a transaction
/// advisory lock on PostgreSQL so several app instances append in turn).
pub async fn append(db: &Db, jurisdiction_id: i64, ev: AuditEvent) -> StoreResult<Model> {
    let _guard = db.audit_lock.lock().await;
    let txn = db.begin_write().await?;
    if db.backend == Backend::Postgres {
        txn.execute_raw(db.stmt("SELECT pg_advisory_xact_lock(7700, $1::int)", vec![(jurisdiction_id as i32).into()]))
            .await?;
    }
    let prev = Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(Column::Id)
        .one(&txn)
        .await?
        .map_or_else(|| GENESIS_HASH.to_string(), |m| m.hash);
    let details = if ev.details.is_empty() { "{}".to_string() } else { ev.details };
    let inserted = audit_entry::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        at: Set(now()),
        actor_id: Set(ev.actor_id),
        actor: Set(ev.actor),
        action: Set(ev.action),
        object: Set(ev.object),
        outcome: Set(ev.outcome),
        source: Set(ev.source),
        details: Set(details),
        prev_hash: Set(prev),
        hash: Set(String::new()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let hash = record_of(&inserted).compute_hash();
    Entity::update_many()
        .col_expr(Column::Hash, Expr::value(hash.clone()))
        .filter(Column::Id.eq(inserted.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Model { hash, ..inserted })
}

/// Filters for browsing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Action starts with this (e.g. `login` or `user.`).
    pub action: Option<String>,
    /// Actor contains this (case-insensitive).
    pub actor: Option<String>,
    /// Exact outcome.
    pub outcome: Option<String>,
    /// From this time (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Before this time (exclusive).
    pub to: Option<i64>,
}

/// A page of entries, newest first, with the total matching.
pub async fn list(
    db: &Db,
    jurisdiction_id: i64,
    f: &AuditFilter,
    limit: u64,
    offset: u64,
) -> StoreResult<(Vec<Model>, u64)> {
    let mut q = Entity::find().filter(Column::JurisdictionId.eq(jurisdiction_id));
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(Column::Action.starts_with(a));
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(Func::lower(Expr::col(Column::Actor)).like(format!("%{}%", a.to_lowercase())));
    }
    if let Some(o) = f.outcome.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(Column::Outcome.eq(o));
    }
    if let Some(t) = f.from {
        q = q.filter(Column::At.gte(t));
    }
    if let Some(t) = f.to {
        q = q.filter(Column::At.lt(t));
    }
    let total = q.clone().count(&db.conn).await?;
    let rows = q.order_by_desc(Column::Id).limit(limit).offset(offset).all(&db.conn).await?;
    Ok((rows, total))
}

/// Verifies a jurisdiction's chain from its oldest retained entry. Returns the number of entries checked.
pub async fn verify(db: &Db, jurisdiction_id: i64) -> StoreResult<Result<usize, ChainBreak>> {
    const PAGE: u64 = 5_000;
    let mut after = 0i64;
    let mut anchor: Option<String> = None;
    let mut checked = 0usize;
    loop {
        let page = Entity::find()
            .filter(Column::JurisdictionId.eq(jurisdiction_id))
            .filter(Column::Id.gt(after))
            .order_by_asc(Column::Id)
            .limit(PAGE)
            .all(&db.conn)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let start = anchor.get_or_insert_with(|| {
            // A chain purged by retention starts from its oldest retained entry's link.
            page[0].prev_hash.clone()
        });
        let records: Vec<(AuditRecord, &str)> = page.iter().map(|m| (record_of(m), m.hash.as_str())).collect();
        match verify_chain(records.iter().map(|(r, h)| (r, *h)), start) {
            Ok(n) => checked += n,
            Err(b) => return Ok(Err(b)),
        }
        *start = last.hash.clone();
    }
    Ok(Ok(checked))
}

/// Deletes entries older than the retention period; the chain stays verifiable from its new oldest entry.
pub async fn purge_older_than(db: &Db, jurisdiction_id: i64, retention_days: i64) -> StoreResult<u64> {
    let cutoff = now() - std::cmp::max(retention_days, 365) * 86_400;
    let r = Entity::delete_many()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::At.lt(cutoff))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}
