//! Crime incidents: transactional bulk import keyed by the source's id, import records with their reject
//! reports, a streaming read for the analysis cache, and single-incident reads (audited by the caller).
//!
//! An import writes every accepted row and its own `incident_imports` row in **one transaction**, so a killed
//! process leaves nothing behind (the import row written at the start is then marked interrupted on the next
//! start, see [`mark_interrupted`]). Rows are upserted in multi-row `INSERT … ON CONFLICT … DO UPDATE`
//! statements, identical on SQLite and PostgreSQL.

use crate::entities::{incident, incident_import};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Value,
};
use std::collections::HashMap;

/// An import that has started and not finished.
pub const STATUS_RUNNING: &str = "running";
/// An import whose rows were committed.
pub const STATUS_DONE: &str = "done";
/// An import that failed; nothing of it was written.
pub const STATUS_FAILED: &str = "failed";

/// The time index of `incidents` (named as the migration names it).
const TIME_INDEX: &str = "ix_incidents_jurisdiction_id_occurred_at";

/// SQLite page cache for an import's connection, in KiB.
const IMPORT_CACHE_KIB: u32 = 262_144;
/// SQLite's default page cache, restored after an import (KiB).
const DEFAULT_CACHE_KIB: u32 = 2_000;

/// Rows per `INSERT` statement (14 parameters each, under both backends' parameter limits).
pub const BATCH_ROWS: usize = 1000;

/// One incident to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    /// The source system's id (unique per jurisdiction).
    pub source_id: String,
    /// When it happened (unix seconds).
    pub occurred_at: i64,
    /// Offence code as the source gives it.
    pub offence_code: String,
    /// Offence description.
    pub offence: String,
    /// Category key (violent, property, …).
    pub category: String,
    /// Sensitivity key (sex_offence, domestic, juvenile, human_trafficking) or none.
    pub sensitive: Option<String>,
    /// Longitude (WGS84), when known.
    pub lon: Option<f64>,
    /// Latitude (WGS84), when known.
    pub lat: Option<f64>,
    /// Block or address as published by the source (already block-level in the common exports).
    pub block: Option<String>,
    /// Location type (street, residence, …).
    pub location_type: Option<String>,
    /// Whether an arrest was made.
    pub arrest: bool,
}

impl From<commonbeat_domain::incident::Incident> for NewIncident {
    /// The parsed row as it is stored (the offence detail is not kept).
    fn from(i: commonbeat_domain::incident::Incident) -> Self {
        NewIncident {
            source_id: i.source_id,
            occurred_at: i.occurred_at.as_second(),
            offence_code: i.offence_code,
            offence: i.offence,
            category: i.category.as_str().to_string(),
            sensitive: i.sensitive.map(|s| s.as_str().to_string()),
            lon: i.lon,
            lat: i.lat,
            block: i.block,
            location_type: i.location_type,
            arrest: i.arrest,
        }
    }
}

/// Records that an import has started (in its own short transaction) and returns its id.
pub async fn start_import(
    db: &Db,
    jurisdiction_id: i64,
    profile: &str,
    file_name: &str,
    started_by: Option<i64>,
) -> StoreResult<i64> {
    let m = incident_import::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        profile: Set(profile.into()),
        file_name: Set(file_name.into()),
        status: Set(STATUS_RUNNING.into()),
        rows_read: Set(0),
        accepted: Set(0),
        created: Set(0),
        updated: Set(0),
        rejected: Set(0),
        rejects_by_reason: Set("{}".into()),
        rejects_sample: Set("[]".into()),
        error: Set(String::new()),
        started_by: Set(started_by),
        started_at: Set(now()),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok(m.id)
}

/// What an import found, written with its rows.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Data rows read.
    pub rows_read: i64,
    /// Rows rejected.
    pub rejected: i64,
    /// Rejects counted by reason key (JSON object).
    pub rejects_by_reason: String,
    /// The first rejects (JSON array of `{row, field, reason}`).
    pub rejects_sample: String,
}

/// Counts of what a finished import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    /// Rows accepted (distinct source ids).
    pub accepted: i64,
    /// Incidents that did not exist before.
    pub created: i64,
    /// Incidents that existed and were updated.
    pub updated: i64,
}

/// Writes an import's rows inside one transaction; nothing is visible until [`IncidentWriter::finish`].
pub struct IncidentWriter {
    txn: DatabaseTransaction,
    backend: sea_orm::DbBackend,
    jurisdiction_id: i64,
    import_id: i64,
    before: i64,
    accepted: i64,
    rebuild_index: bool,
    full_sql: String,
}

impl IncidentWriter {
    /// Opens the transaction for import `import_id`.
    pub async fn begin(db: &Db, jurisdiction_id: i64, import_id: i64) -> StoreResult<IncidentWriter> {
        let txn = db.begin_write().await?;
        if db.db_backend() == sea_orm::DbBackend::Sqlite {
            // A bigger page cache for the import's connection keeps the B-tree pages in memory instead of
            // spilling them to the WAL and reading them back; reset before the connection returns to the pool.
            txn.execute_unprepared(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).await?;
        }
        let before = count_in(&txn, db.db_backend(), jurisdiction_id).await?;
        // Into an empty table the time index is built once at the end (a sort) instead of row by row; the
        // drop and the re-creation are part of the import's transaction.
        let rebuild_index = total_in(&txn, db.db_backend()).await? == 0;
        if rebuild_index {
            txn.execute_unprepared(&format!("DROP INDEX {TIME_INDEX}")).await?;
        }
        Ok(IncidentWriter {
            txn,
            backend: db.db_backend(),
            jurisdiction_id,
            import_id,
            before,
            accepted: 0,
            rebuild_index,
            full_sql: upsert_sql(BATCH_ROWS, db.db_backend()),
        })
    }

    /// Writes a batch (any size; split into statements of [`BATCH_ROWS`]). A source id repeated within a batch
    /// keeps its last row, as a re-import would.
    pub async fn write(&mut self, batch: &[NewIncident]) -> StoreResult<()> {
        let t = now();
        for chunk in batch.chunks(BATCH_ROWS) {
            let rows = last_per_source_id(chunk);
            let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 14);
            for r in &rows {
                values.extend([
                    self.jurisdiction_id.into(),
                    r.source_id.clone().into(),
                    r.occurred_at.into(),
                    r.offence_code.clone().into(),
                    r.offence.clone().into(),
                    r.category.clone().into(),
                    r.sensitive.clone().into(),
                    r.lon.into(),
                    r.lat.into(),
                    r.block.clone().into(),
                    r.location_type.clone().into(),
                    r.arrest.into(),
                    Some(self.import_id).into(),
                    t.into(),
                ]);
            }
            let sql =
                if rows.len() == BATCH_ROWS { self.full_sql.clone() } else { upsert_sql(rows.len(), self.backend) };
            self.txn.execute_raw(sea_orm::Statement::from_sql_and_values(self.backend, sql, values)).await?;
            self.accepted += rows.len() as i64;
        }
        Ok(())
    }

    /// Records the summary on the import row and commits everything at once.
    pub async fn finish(self, summary: ImportSummary) -> StoreResult<ImportCounts> {
        if self.rebuild_index {
            self.txn
                .execute_unprepared(&format!("CREATE INDEX {TIME_INDEX} ON incidents (jurisdiction_id, occurred_at)"))
                .await?;
        }
        let after = count_in(&self.txn, self.backend, self.jurisdiction_id).await?;
        let created = after - self.before;
        let counts = ImportCounts { accepted: self.accepted, created, updated: (self.accepted - created).max(0) };
        let m = incident_import::Entity::find_by_id(self.import_id)
            .filter(incident_import::Column::JurisdictionId.eq(self.jurisdiction_id))
            .one(&self.txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut am: incident_import::ActiveModel = m.into();
        am.status = Set(STATUS_DONE.into());
        am.rows_read = Set(summary.rows_read);
        am.accepted = Set(counts.accepted);
        am.created = Set(counts.created);
        am.updated = Set(counts.updated);
        am.rejected = Set(summary.rejected);
        am.rejects_by_reason = Set(summary.rejects_by_reason);
        am.rejects_sample = Set(summary.rejects_sample);
        am.finished_at = Set(Some(now()));
        am.update(&self.txn).await?;
        self.reset_cache().await?;
        self.txn.commit().await?;
        Ok(counts)
    }

    /// Abandons the import: rolls the rows back and marks the import failed with `error`.
    pub async fn abort(self, db: &Db, error: &str, summary: ImportSummary) -> StoreResult<()> {
        let (jurisdiction_id, import_id) = (self.jurisdiction_id, self.import_id);
        self.rollback().await?;
        fail_import(db, jurisdiction_id, import_id, error, summary).await
    }

    /// Rolls the rows back; the caller marks the import failed.
    pub async fn rollback(self) -> StoreResult<()> {
        let _ = self.reset_cache().await;
        self.txn.rollback().await?;
        Ok(())
    }
}

impl IncidentWriter {
    async fn reset_cache(&self) -> StoreResult<()> {
        if self.backend == sea_orm::DbBackend::Sqlite {
            self.txn.execute_unprepared(&format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}")).await?;
        }
        Ok(())
    }
}

/// Marks an import failed (nothing of it was written).
pub async fn fail_import(
    db: &Db,
    jurisdiction_id: i64,
    import_id: i64,
    error: &str,
    summary: ImportSummary,
) -> StoreResult<()> {
    let m = import_by_id(db, jurisdiction_id, import_id).await?;
    let mut am: incident_import::ActiveModel = m.into();
    am.status = Set(STATUS_FAILED.into());
    am.error = Set(error.chars().take(2000).collect());
    am.rows_read = Set(summary.rows_read);
    am.rejected = Set(summary.rejected);
    if !summary.rejects_by_reason.is_empty() {
        am.rejects_by_reason = Set(summary.rejects_by_reason);
        am.rejects_sample = Set(summary.rejects_sample);
    }
    am.finished_at = Set(Some(now()));
    am.update(&db.conn).await?;
    Ok(())
}

/// Marks imports left `running` since before `started_before` (unix seconds) as failed: the process that ran
/// them died, so their rows were never committed.
pub async fn mark_interrupted(db: &Db, started_before: i64) -> StoreResult<u64> {
    let r = incident_import::Entity::update_many()
        .col_expr(incident_import::Column::Status, sea_orm::sea_query::Expr::value(STATUS_FAILED))
        .col_expr(
            incident_import::Column::Error,
            sea_orm::sea_query::Expr::value("interrupted before it finished; nothing was written"),
        )
        .col_expr(incident_import::Column::FinishedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(incident_import::Column::Status.eq(STATUS_RUNNING))
        .filter(incident_import::Column::StartedAt.lt(started_before))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}

fn last_per_source_id(chunk: &[NewIncident]) -> Vec<&NewIncident> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(chunk.len());
    let mut out: Vec<&NewIncident> = Vec::with_capacity(chunk.len());
    for r in chunk {
        match index.get(r.source_id.as_str()) {
            Some(&i) => out[i] = r,
            None => {
                index.insert(&r.source_id, out.len());
                out.push(r);
            }
        }
    }
    out
}

/// The multi-row upsert. SQLite gets anonymous `?` placeholders: with numbered ones SQLite looks every bound
/// parameter's name up in a list as long as the statement, which makes a 14,000-parameter statement quadratic.
fn upsert_sql(rows: usize, backend: sea_orm::DbBackend) -> String {
    let numbered = backend == sea_orm::DbBackend::Postgres;
    let mut sql = String::with_capacity(200 + rows * 80);
    sql.push_str(
        "INSERT INTO incidents (jurisdiction_id, source_id, occurred_at, offence_code, offence, category, sensitive, \
         lon, lat, block, location_type, arrest, import_id, updated_at) VALUES ",
    );
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..14 {
            if c > 0 {
                sql.push(',');
            }
            if numbered {
                sql.push('$');
                sql.push_str(&n.to_string());
                n += 1;
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql.push_str(
        " ON CONFLICT (jurisdiction_id, source_id) DO UPDATE SET occurred_at = excluded.occurred_at, \
         offence_code = excluded.offence_code, offence = excluded.offence, category = excluded.category, \
         sensitive = excluded.sensitive, lon = excluded.lon, lat = excluded.lat, block = excluded.block, \
         location_type = excluded.location_type, arrest = excluded.arrest, import_id = excluded.import_id, \
         updated_at = excluded.updated_at",
    );
    sql
}

async fn count_in<C: ConnectionTrait>(c: &C, backend: sea_orm::DbBackend, jurisdiction_id: i64) -> StoreResult<i64> {
    let row = c
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS n FROM incidents WHERE jurisdiction_id = $1",
            [jurisdiction_id.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<i64>("", "n")?)
}

async fn total_in<C: ConnectionTrait>(c: &C, backend: sea_orm::DbBackend) -> StoreResult<i64> {
    let row = c
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM (SELECT id FROM incidents LIMIT 1) AS any_incident",
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Number of incidents of the jurisdiction.
pub async fn count(db: &Db, jurisdiction_id: i64) -> StoreResult<i64> {
    count_in(&db.conn, db.db_backend(), jurisdiction_id).await
}

/// One import of this jurisdiction.
pub async fn import_by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<incident_import::Model> {
    incident_import::Entity::find_by_id(id)
        .filter(incident_import::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The latest imports, newest first.
pub async fn recent_imports(db: &Db, jurisdiction_id: i64, limit: u64) -> StoreResult<Vec<incident_import::Model>> {
    Ok(incident_import::Entity::find()
        .filter(incident_import::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(incident_import::Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

/// One incident of this jurisdiction, with every detail. Callers audit the read.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<incident::Model> {
    incident::Entity::find_by_id(id)
        .filter(incident::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The columns the analysis cache keeps, for one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    /// Database id.
    pub id: i64,
    /// Unix seconds.
    pub occurred_at: i64,
    /// Category key.
    pub category: String,
    /// Sensitivity key, if any.
    pub sensitive: Option<String>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Block.
    pub block: Option<String>,
    /// Location type.
    pub location_type: Option<String>,
    /// Arrest made.
    pub arrest: bool,
}

/// Rows per page when loading incidents for the cache: small pages keep the driver's row copies from piling up
/// in the allocator (50,000-row pages left the server about 200 MB bigger after loading).
const LOAD_PAGE: u64 = 5_000;

/// Hands every incident of the jurisdiction to `f`, in id order, a page of [`LOAD_PAGE`] rows at a time (one
/// round trip per page instead of one per row). The unary `+` keeps SQLite from reading each page through the
/// (jurisdiction, source id) index and sorting the whole jurisdiction; both backends then walk the primary key.
pub async fn for_each(db: &Db, jurisdiction_id: i64, mut f: impl FnMut(IncidentRow)) -> StoreResult<u64> {
    let mut after = 0i64;
    let mut n = 0;
    loop {
        let rows = db
            .conn
            .query_all_raw(db.stmt(
                &format!(
                    "SELECT id, occurred_at, category, sensitive, lon, lat, block, location_type, arrest FROM incidents \
                     WHERE +jurisdiction_id = $1 AND id > $2 ORDER BY id LIMIT {LOAD_PAGE}"
                ),
                vec![jurisdiction_id.into(), after.into()],
            ))
            .await?;
        let len = rows.len();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            after = id;
            f(IncidentRow {
                id,
                occurred_at: row.try_get("", "occurred_at")?,
                category: row.try_get("", "category")?,
                sensitive: row.try_get("", "sensitive")?,
                lon: row.try_get("", "lon")?,
                lat: row.try_get("", "lat")?,
                block: row.try_get("", "block")?,
                location_type: row.try_get("", "location_type")?,
                arrest: row.try_get("", "arrest")?,
            });
            n += 1;
        }
        if (len as u64) < LOAD_PAGE {
            return Ok(n);
        }
    }
}

/// A block named by incidents, with the mean position of its located, non-sensitive incidents (the offline
/// geocoder's index).
#[derive(Debug, Clone, PartialEq)]
pub struct BlockPoint {
    /// The block as recorded ("012XX W MADISON ST").
    pub block: String,
    /// Mean longitude.
    pub lon: f64,
    /// Mean latitude.
    pub lat: f64,
    /// Incidents averaged.
    pub incidents: i64,
}

/// Every block of the jurisdiction with the mean position of its incidents that have a point and no
/// sensitivity flag (sensitive incidents' places are never used to locate anything).
pub async fn block_points(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<BlockPoint>> {
    let rows = db
        .conn
        .query_all_raw(db.stmt(
            "SELECT block, CAST(AVG(lon) AS DOUBLE PRECISION) AS lon, CAST(AVG(lat) AS DOUBLE PRECISION) AS lat, \
             COUNT(*) AS n FROM incidents WHERE jurisdiction_id = $1 AND block IS NOT NULL AND block <> '' \
             AND lon IS NOT NULL AND lat IS NOT NULL AND (sensitive IS NULL OR sensitive = '') GROUP BY block",
            vec![jurisdiction_id.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(BlockPoint {
                block: row.try_get("", "block")?,
                lon: row.try_get("", "lon")?,
                lat: row.try_get("", "lat")?,
                incidents: row.try_get("", "n")?,
            })
        })
        .collect()
}
