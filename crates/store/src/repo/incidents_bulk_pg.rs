//! The PostgreSQL bulk path of the incident import: rows streamed with `COPY … FROM STDIN` (text format) inside
//! one transaction.
//!
//! - **Into an empty table** (the first import) both indexes are dropped, the rows are copied straight into
//!   `incidents`, earlier rows of a source id repeated in the file are deleted (the last row wins, as everywhere),
//!   and the indexes are built once at the end with a sort each.
//! - **Otherwise** the rows are copied into a temporary table and merged with one
//!   `INSERT … SELECT DISTINCT ON (source_id) … ON CONFLICT … DO UPDATE`.
//!
//! Either way nothing is visible before the commit and a killed process leaves only the import row written at
//! the start (marked interrupted on the next start).

use super::incidents::{ImportCounts, ImportSummary, NewIncident, STATUS_DONE};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sqlx::{self, Postgres, Transaction};
use std::collections::HashSet;
use std::fmt::Write as _;

const TIME_INDEX: &str = "ix_incidents_jurisdiction_id_occurred_at";
const SOURCE_INDEX: &str = "ix_incidents_jurisdiction_id_source_id";
const COLUMNS: &str = "jurisdiction_id, source_id, occurred_at, offence_code, offence, category, sensitive, lon, lat, \
     block, location_type, arrest, import_id, updated_at";

/// Bytes handed to the connection at a time by [`PgIncidentWriter::write_stream`].
const STREAM_CHUNK_BYTES: usize = 256 << 10;

fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("postgres: {e}")))
}

/// Writes one import's rows with `COPY` in one transaction.
pub struct PgIncidentWriter {
    tx: Transaction<'static, Postgres>,
    jurisdiction_id: i64,
    import_id: i64,
    before: i64,
    /// Straight into `incidents` (empty table, indexes dropped) rather than through the staging table.
    direct: bool,
    /// Source ids seen (direct mode), to find repeats.
    seen: HashSet<String>,
    repeated: Vec<String>,
    seq: i64,
    /// Direct mode: ids are given in the COPY as `id_base + seq` (no `nextval` per row); the sequence is moved past
    /// them before the commit.
    id_base: i64,
    /// Direct mode: rows deleted as earlier copies of a repeated source id.
    deleted: i64,
    updated_at: i64,
}

impl PgIncidentWriter {
    /// Starts the import's transaction on a pooled connection.
    pub async fn begin(db: &Db, jurisdiction_id: i64, import_id: i64) -> StoreResult<PgIncidentWriter> {
        let pool = db.conn.get_postgres_connection_pool();
        let mut tx = pool.begin().await.map_err(db_err)?;
        // Like SQLite's `synchronous = NORMAL` in WAL mode: the commit does not wait for its WAL to reach the disk.
        // The import stays all or nothing; a power cut in the next fraction of a second could lose it whole, and it
        // would then show as interrupted.
        sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await.map_err(db_err)?;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = $1")
            .bind(jurisdiction_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        // The table lock taken first keeps a concurrent import from seeing the table empty too.
        sqlx::query("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await.map_err(db_err)?;
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM incidents)")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut id_base = 0;
        if empty {
            id_base = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('incidents', 'id'))")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {TIME_INDEX}, {SOURCE_INDEX}")))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        } else {
            sqlx::query(
                "CREATE TEMPORARY TABLE incident_stage (seq BIGINT NOT NULL, source_id TEXT NOT NULL, \
                 occurred_at BIGINT NOT NULL, offence_code TEXT NOT NULL, offence TEXT NOT NULL, \
                 category TEXT NOT NULL, sensitive TEXT, lon DOUBLE PRECISION, lat DOUBLE PRECISION, block TEXT, \
                 location_type TEXT, arrest BOOLEAN NOT NULL) ON COMMIT DROP",
            )
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        Ok(PgIncidentWriter {
            tx,
            jurisdiction_id,
            import_id,
            before,
            direct: empty,
            seen: HashSet::new(),
            repeated: Vec::new(),
            seq: 0,
            id_base,
            deleted: 0,
            updated_at: now(),
        })
    }

    /// Streams every batch `batches` yields through **one** `COPY`, so the server stores rows while the file is
    /// still being read; returns when the sender is dropped. Encoded batches go back through `recycle`, if given.
    /// Call [`PgIncidentWriter::finish`] or [`PgIncidentWriter::rollback`] afterwards.
    pub async fn write_stream(
        &mut self,
        mut batches: tokio::sync::mpsc::Receiver<Vec<NewIncident>>,
        recycle: Option<std::sync::mpsc::Sender<Vec<NewIncident>>>,
    ) -> StoreResult<()> {
        let statement = self.copy_statement();
        let fixed = self.fixed();
        let mut copy = self.tx.copy_in_raw(&statement).await.map_err(db_err)?;
        let mut buf = Vec::with_capacity(STREAM_CHUNK_BYTES + (1 << 16));
        let mut sent = Ok(());
        while let Some(batch) = batches.recv().await {
            for r in &batch {
                encode_row(&mut buf, r, fixed, &mut self.seq);
                if self.direct && !self.seen.insert(r.source_id.clone()) {
                    self.repeated.push(r.source_id.clone());
                }
            }
            // Handed back to the reader, so the strings are freed on the thread that made them.
            if let Some(r) = &recycle {
                let _ = r.send(batch);
            }
            if buf.len() >= STREAM_CHUNK_BYTES {
                if let Err(e) = copy.send(buf.as_slice()).await {
                    sent = Err(db_err(e));
                    break;
                }
                buf.clear();
            }
        }
        if sent.is_ok() && !buf.is_empty() {
            sent = copy.send(buf.as_slice()).await.map(|_| ()).map_err(db_err);
        }
        match sent {
            Ok(()) => {
                copy.finish().await.map_err(db_err)?;
                Ok(())
            }
            Err(e) => {
                let _ = copy.abort("import stopped").await;
                Err(e)
            }
        }
    }

    fn fixed(&self) -> Fixed {
        Fixed {
            direct: self.direct,
            id_base: self.id_base,
            jurisdiction_id: self.jurisdiction_id,
            import_id: self.import_id,
            updated_at: self.updated_at,
        }
    }

    fn copy_statement(&self) -> String {
        if self.direct {
            format!("COPY incidents (id, {COLUMNS}) FROM STDIN")
        } else {
            "COPY incident_stage (seq, source_id, occurred_at, offence_code, offence, category, sensitive, lon, lat, \
             block, location_type, arrest) FROM STDIN"
                .to_string()
        }
    }

    /// Resolves repeats, builds the indexes or merges, records the summary and commits.
    pub async fn finish(mut self, summary: ImportSummary) -> StoreResult<ImportCounts> {
        let (j, import_id) = (self.jurisdiction_id, self.import_id);
        if self.direct {
            if !self.repeated.is_empty() {
                self.deleted = sqlx::query(
                    "DELETE FROM incidents a USING incidents b WHERE a.jurisdiction_id = $1 AND b.jurisdiction_id = $1 \
                     AND a.source_id = b.source_id AND a.id < b.id AND a.source_id = ANY($2)",
                )
                .bind(j)
                .bind(&self.repeated)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?
                .rows_affected() as i64;
            }
            // The sequence continues after the ids given.
            sqlx::query("SELECT setval(pg_get_serial_sequence('incidents', 'id'), $1)")
                .bind(self.id_base + self.seq.max(1))
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
            // Room to sort a million keys in memory (this transaction only).
            sqlx::query("SET LOCAL maintenance_work_mem = '512MB'").execute(&mut *self.tx).await.map_err(db_err)?;
            for sql in [
                format!("CREATE UNIQUE INDEX {SOURCE_INDEX} ON incidents (jurisdiction_id, source_id)"),
                format!("CREATE INDEX {TIME_INDEX} ON incidents (jurisdiction_id, occurred_at)"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *self.tx).await.map_err(db_err)?;
            }
        } else {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO incidents ({COLUMNS}) SELECT $1, source_id, occurred_at, offence_code, offence, category, \
                 sensitive, lon, lat, block, location_type, arrest, $2, $3 FROM (SELECT DISTINCT ON (source_id) * \
                 FROM incident_stage ORDER BY source_id, seq DESC) AS latest \
                 ON CONFLICT (jurisdiction_id, source_id) DO UPDATE SET occurred_at = excluded.occurred_at, \
                 offence_code = excluded.offence_code, offence = excluded.offence, category = excluded.category, \
                 sensitive = excluded.sensitive, lon = excluded.lon, lat = excluded.lat, block = excluded.block, \
                 location_type = excluded.location_type, arrest = excluded.arrest, import_id = excluded.import_id, \
                 updated_at = excluded.updated_at"
            )))
            .bind(j)
            .bind(import_id)
            .bind(self.updated_at)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        // Direct mode started from an empty table: what is there is what was copied, less the repeats deleted.
        let after: i64 = if self.direct {
            self.seq - self.deleted
        } else {
            sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = $1")
                .bind(j)
                .fetch_one(&mut *self.tx)
                .await
                .map_err(db_err)?
        };
        let accepted: i64 = if self.before == 0 {
            after
        } else {
            sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE jurisdiction_id = $1 AND import_id = $2")
                .bind(j)
                .bind(import_id)
                .fetch_one(&mut *self.tx)
                .await
                .map_err(db_err)?
        };
        let created = after - self.before;
        let counts = ImportCounts { accepted, created, updated: (accepted - created).max(0) };
        let changed = sqlx::query(
            "UPDATE incident_imports SET status = $1, rows_read = $2, accepted = $3, created = $4, updated = $5, \
             rejected = $6, rejects_by_reason = $7, rejects_sample = $8, finished_at = $9 \
             WHERE id = $10 AND jurisdiction_id = $11",
        )
        .bind(STATUS_DONE)
        .bind(summary.rows_read)
        .bind(counts.accepted)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(summary.rejected)
        .bind(summary.rejects_by_reason)
        .bind(summary.rejects_sample)
        .bind(now())
        .bind(import_id)
        .bind(j)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        self.tx.commit().await.map_err(db_err)?;
        Ok(counts)
    }

    /// Rolls everything back (the caller then marks the import failed).
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await.map_err(db_err)
    }
}

/// What every row of one import shares.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    direct: bool,
    id_base: i64,
    jurisdiction_id: i64,
    import_id: i64,
    updated_at: i64,
}

/// One row in COPY's text format: the staging layout (`seq` first) or, `direct`, the table's own columns.
fn encode_row(b: &mut Vec<u8>, r: &NewIncident, f: Fixed, seq: &mut i64) {
    let Fixed { direct, id_base, jurisdiction_id, import_id, updated_at } = f;
    *seq += 1;
    if direct {
        push_num(b, id_base + *seq);
        b.push(b'\t');
        push_num(b, jurisdiction_id);
    } else {
        push_num(b, *seq);
    }
    b.push(b'\t');
    push_text(b, &r.source_id);
    b.push(b'\t');
    push_num(b, r.occurred_at);
    b.push(b'\t');
    push_text(b, &r.offence_code);
    b.push(b'\t');
    push_text(b, &r.offence);
    b.push(b'\t');
    push_text(b, &r.category);
    b.push(b'\t');
    push_opt_text(b, r.sensitive.as_deref());
    b.push(b'\t');
    push_opt_float(b, r.lon);
    b.push(b'\t');
    push_opt_float(b, r.lat);
    b.push(b'\t');
    push_opt_text(b, r.block.as_deref());
    b.push(b'\t');
    push_opt_text(b, r.location_type.as_deref());
    b.push(b'\t');
    b.push(if r.arrest { b't' } else { b'f' });
    if direct {
        b.push(b'\t');
        push_num(b, import_id);
        b.push(b'\t');
        push_num(b, updated_at);
    }
    b.push(b'\n');
}

fn push_num(b: &mut Vec<u8>, v: i64) {
    let mut s = String::with_capacity(20);
    let _ = write!(s, "{v}");
    b.extend_from_slice(s.as_bytes());
}

/// Text in COPY's text format: backslash, tab, newline and carriage return escaped.
fn push_text(b: &mut Vec<u8>, s: &str) {
    for &c in s.as_bytes() {
        match c {
            b'\\' => b.extend_from_slice(b"\\\\"),
            b'\t' => b.extend_from_slice(b"\\t"),
            b'\n' => b.extend_from_slice(b"\\n"),
            b'\r' => b.extend_from_slice(b"\\r"),
            _ => b.push(c),
        }
    }
}

fn push_opt_text(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_text(b, s),
        None => b.extend_from_slice(b"\\N"),
    }
}

fn push_opt_float(b: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) if v.is_finite() => {
            let mut s = String::with_capacity(24);
            let _ = write!(s, "{v}");
            b.extend_from_slice(s.as_bytes());
        }
        _ => b.extend_from_slice(b"\\N"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_format_needs() {
        let mut b = Vec::new();
        push_text(&mut b, "a\\b\tc\nd\re");
        assert_eq!(b, b"a\\\\b\\tc\\nd\\re");
        let mut b = Vec::new();
        push_opt_text(&mut b, None);
        push_opt_float(&mut b, Some(-87.625_1));
        push_opt_float(&mut b, Some(f64::NAN));
        assert_eq!(b, b"\\N-87.6251\\N");
    }
}
