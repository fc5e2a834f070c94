//! The SQLite bulk path of the incident import: one prepared single-row upsert stepped through SQLite's C API
//! (rusqlite) on a connection of its own, inside one `BEGIN IMMEDIATE` transaction.
//!
//! Going through the pool (sqlx) costs a value conversion and a hand-over to the driver's worker thread per
//! parameter and statement, which was most of an import's time; here each row is fourteen binds and one step.
//! Semantics are those of [`super::incidents::IncidentWriter`]: last row wins for a repeated source id, the
//! import row is finished in the same transaction, nothing is visible before the commit, and a killed process
//! leaves only the import row written at the start (SQLite rolls the hot journal back).

use super::incidents::{ImportCounts, ImportSummary, NewIncident, STATUS_DONE};
use crate::error::{StoreError, StoreResult};
use crate::now;
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;
use std::time::Duration;

/// The time index of `incidents` (named as the migration names it).
const TIME_INDEX: &str = "ix_incidents_jurisdiction_id_occurred_at";

/// Page cache for the import's connection, in KiB (negative `cache_size`).
const IMPORT_CACHE_KIB: u32 = 262_144;

const UPSERT: &str = "INSERT INTO incidents (jurisdiction_id, source_id, occurred_at, offence_code, offence, category, \
     sensitive, lon, lat, block, location_type, arrest, import_id, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
     ON CONFLICT (jurisdiction_id, source_id) DO UPDATE SET occurred_at = excluded.occurred_at, \
     offence_code = excluded.offence_code, offence = excluded.offence, category = excluded.category, \
     sensitive = excluded.sensitive, lon = excluded.lon, lat = excluded.lat, block = excluded.block, \
     location_type = excluded.location_type, arrest = excluded.arrest, import_id = excluded.import_id, \
     updated_at = excluded.updated_at";

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("sqlite: {e}")))
}

/// Writes one import's rows on a dedicated SQLite connection. Blocking: run it on a thread of its own.
pub struct SqliteIncidentWriter {
    conn: Connection,
    jurisdiction_id: i64,
    import_id: i64,
    before: i64,
    accepted: i64,
    rebuild_index: bool,
    updated_at: i64,
}

impl SqliteIncidentWriter {
    /// Opens `path` and starts the import's transaction (waiting up to ten seconds for another writer).
    pub fn begin(path: &Path, jurisdiction_id: i64, import_id: i64) -> StoreResult<SqliteIncidentWriter> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(db_err)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db_err)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{IMPORT_CACHE_KIB}; \
             BEGIN IMMEDIATE"
        ))
        .map_err(db_err)?;
        let before: i64 = conn
            .query_row("SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = ?1", [jurisdiction_id], |r| r.get(0))
            .map_err(db_err)?;
        // Into an empty table the time index is built once at the end (a sort) instead of row by row.
        let empty: bool =
            conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM incidents)", [], |r| r.get(0)).map_err(db_err)?;
        if empty {
            conn.execute_batch(&format!("DROP INDEX {TIME_INDEX}")).map_err(db_err)?;
        }
        Ok(SqliteIncidentWriter {
            conn,
            jurisdiction_id,
            import_id,
            before,
            accepted: 0,
            rebuild_index: empty,
            updated_at: now(),
        })
    }

    /// Upserts a batch; a source id repeated in the import keeps its last row.
    pub fn write(&mut self, batch: &[NewIncident]) -> StoreResult<()> {
        let mut stmt = self.conn.prepare_cached(UPSERT).map_err(db_err)?;
        for r in batch {
            stmt.execute(params![
                self.jurisdiction_id,
                r.source_id,
                r.occurred_at,
                r.offence_code,
                r.offence,
                r.category,
                r.sensitive,
                r.lon,
                r.lat,
                r.block,
                r.location_type,
                r.arrest,
                self.import_id,
                self.updated_at,
            ])
            .map_err(db_err)?;
        }
        self.accepted += batch.len() as i64;
        Ok(())
    }

    /// Rebuilds the time index if it was dropped, records the summary on the import row and commits.
    pub fn finish(self, summary: ImportSummary) -> StoreResult<ImportCounts> {
        let c = &self.conn;
        if self.rebuild_index {
            c.execute_batch(&format!("CREATE INDEX {TIME_INDEX} ON incidents (jurisdiction_id, occurred_at)"))
                .map_err(db_err)?;
        }
        let after: i64 = c
            .query_row("SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = ?1", [self.jurisdiction_id], |r| {
                r.get(0)
            })
            .map_err(db_err)?;
        let created = after - self.before;
        // Rows written, less the repeats within the file, are the distinct source ids accepted.
        let distinct: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = ?1 AND import_id = ?2",
                [self.jurisdiction_id, self.import_id],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        let counts = ImportCounts { accepted: distinct, created, updated: (distinct - created).max(0) };
        let changed = c
            .execute(
                "UPDATE incident_imports SET status = ?1, rows_read = ?2, accepted = ?3, created = ?4, updated = ?5, \
                 rejected = ?6, rejects_by_reason = ?7, rejects_sample = ?8, finished_at = ?9 \
                 WHERE id = ?10 AND jurisdiction_id = ?11",
                params![
                    STATUS_DONE,
                    summary.rows_read,
                    counts.accepted,
                    counts.created,
                    counts.updated,
                    summary.rejected,
                    summary.rejects_by_reason,
                    summary.rejects_sample,
                    now(),
                    self.import_id,
                    self.jurisdiction_id,
                ],
            )
            .map_err(db_err)?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        c.execute_batch("COMMIT").map_err(db_err)?;
        Ok(counts)
    }

    /// Rolls everything back (the caller then marks the import failed).
    pub fn abort(self) -> StoreResult<()> {
        self.conn.execute_batch("ROLLBACK").map_err(db_err)
    }
}
