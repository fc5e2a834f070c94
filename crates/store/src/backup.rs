//! Backup and restore.
//!
//! - SQLite: `VACUUM INTO` writes a consistent, compact copy of the live database; restore puts such a copy in
//!   place of the database file.
//! - PostgreSQL: a logical dump in CommonBeat's own format — JSON lines, a header line then one line per row, table by
//!   table in dependency order ([`crate::migration::TABLES`]). Restore migrates the target, inserts every row in one
//!   transaction and resets the id sequences. The format is readable with any JSON tool and independent of
//!   `pg_dump` versions.
//!
//! Restore refuses a database that already holds data unless forced.

use crate::error::{StoreError, StoreResult};
use crate::migration::{self, TABLES};
use crate::{Backend, Db, DbUrl};
use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, TransactionTrait};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

const FORMAT: &str = "commonbeat-logical-backup";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Progress callback: (table, rows so far).
pub type Progress<'a> = &'a (dyn Fn(&str, u64) + Sync);

/// Writes a backup of `db` to `file` (which must not exist). Returns the number of rows (PostgreSQL) or 0.
pub async fn backup(db: &Db, file: &Path, progress: Progress<'_>) -> StoreResult<u64> {
    if file.exists() {
        return Err(StoreError::Invalid(format!("{} already exists; choose a new file name", file.display())));
    }
    match db.backend {
        Backend::Sqlite => {
            let path = file.to_string_lossy().to_string();
            db.conn.execute_raw(db.stmt("VACUUM INTO $1", vec![path.into()])).await?;
            progress("sqlite", 0);
            Ok(0)
        }
        Backend::Postgres => logical_dump(db, file, progress).await,
    }
}

async fn logical_dump(db: &Db, file: &Path, progress: Progress<'_>) -> StoreResult<u64> {
    let mut out = BufWriter::new(std::fs::File::create(file)?);
    let header = serde_json::json!({"format": FORMAT, "version": 1, "tables": TABLES});
    writeln!(out, "{header}")?;
    let txn = db.conn.begin().await?;
    txn.execute_unprepared("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").await.ok();
    let mut total = 0u64;
    for table in TABLES {
        let rows = JsonValue::find_by_statement(db.stmt(&format!("SELECT * FROM {table} ORDER BY id"), vec![]))
            .all(&txn)
            .await?;
        for row in rows {
            writeln!(out, "{}", serde_json::json!({"t": table, "r": row}))?;
            total += 1;
        }
        progress(table, total);
    }
    txn.commit().await?;
    out.flush()?;
    Ok(total)
}

/// Whether the database holds any application data.
pub async fn has_data(db: &Db) -> StoreResult<bool> {
    let row = db.conn.query_one_raw(db.stmt("SELECT COUNT(*) AS n FROM jurisdictions", vec![])).await?;
    let n: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
    Ok(n > 0)
}

/// Restores `file` into the database at `url`. The target must be empty unless `force`.
pub async fn restore(url: &DbUrl, file: &Path, force: bool, progress: Progress<'_>) -> StoreResult<u64> {
    let mut magic = [0u8; 16];
    let n = std::fs::File::open(file)?.read(&mut magic)?;
    let is_sqlite = n == 16 && magic == SQLITE_MAGIC;
    match (url.backend(), is_sqlite) {
        (Backend::Sqlite, true) => restore_sqlite(url, file, force, progress).await,
        (Backend::Postgres, false) => restore_logical(url, file, force, progress).await,
        (Backend::Sqlite, false) => Err(StoreError::Invalid(
            "this file is not a SQLite backup; logical (PostgreSQL) backups restore into PostgreSQL".into(),
        )),
        (Backend::Postgres, true) => {
            Err(StoreError::Invalid("this file is a SQLite backup; restore it with a sqlite:// database URL".into()))
        }
    }
}

async fn restore_sqlite(url: &DbUrl, file: &Path, force: bool, progress: Progress<'_>) -> StoreResult<u64> {
    let target = url.sqlite_path().ok_or_else(|| StoreError::Url("not a SQLite URL".into()))?;
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    // Work on a copy next to the target: the backup file itself is never opened for writing.
    let staging = std::path::PathBuf::from(format!("{}.restoring", target.display()));
    remove_sqlite_files(&staging)?;
    std::fs::copy(file, &staging)?;
    let probe = crate::connect(&DbUrl::parse(&format!("sqlite://{}", staging.display()))?).await?;
    let ok = probe.conn.execute_unprepared("SELECT 1 FROM jurisdictions LIMIT 1").await.is_ok();
    probe.conn.close().await.ok();
    if !ok {
        remove_sqlite_files(&staging)?;
        return Err(StoreError::Invalid("the file is a SQLite database but not a CommonBeat backup".into()));
    }
    if target.exists() {
        let existing = crate::connect(url).await?;
        let busy = existing.conn.execute_unprepared("SELECT 1 FROM jurisdictions LIMIT 1").await.is_ok()
            && has_data(&existing).await?;
        existing.conn.close().await.ok();
        if busy && !force {
            remove_sqlite_files(&staging)?;
            return Err(StoreError::Invalid(format!(
                "{} already holds data; pass --force to replace it",
                target.display()
            )));
        }
    }
    remove_sqlite_files(&target)?;
    std::fs::rename(&staging, &target)?;
    remove_sqlite_files(&staging)?;
    let db = crate::connect(url).await?;
    migration::migrate(&db).await?;
    db.conn.close().await.ok();
    progress("sqlite", 0);
    Ok(0)
}

fn remove_sqlite_files(path: &Path) -> StoreResult<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(p)?;
        }
    }
    Ok(())
}

async fn restore_logical(url: &DbUrl, file: &Path, force: bool, progress: Progress<'_>) -> StoreResult<u64> {
    let mut lines = BufReader::new(std::fs::File::open(file)?).lines();
    let header: serde_json::Value = serde_json::from_str(&lines.next().ok_or_else(|| bad(1, "empty file"))??)
        .map_err(|e| bad(1, &e.to_string()))?;
    if header["format"] != FORMAT {
        return Err(bad(1, "not a CommonBeat logical backup"));
    }
    let db = crate::connect(url).await?;
    migration::migrate(&db).await?;
    if has_data(&db).await? && !force {
        return Err(StoreError::Invalid("the target database already holds data; pass --force to replace it".into()));
    }
    let txn = db.conn.begin().await?;
    txn.execute_unprepared(&format!("TRUNCATE {} RESTART IDENTITY CASCADE", TABLES.join(", "))).await?;
    let mut count = 0u64;
    let mut current = String::new();
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| bad(line_no, &e.to_string()))?;
        let table = v["t"].as_str().ok_or_else(|| bad(line_no, "missing table name"))?;
        if !TABLES.contains(&table) {
            return Err(bad(line_no, &format!("unknown table {table:?}")));
        }
        let row = v["r"].as_object().ok_or_else(|| bad(line_no, "missing row"))?;
        let (sql, values) = insert_sql(table, row);
        txn.execute_raw(db.stmt(&sql, values)).await.map_err(|e| bad(line_no, &e.to_string()))?;
        count += 1;
        if table != current {
            if !current.is_empty() {
                progress(&current, count);
            }
            current = table.to_string();
        }
    }
    for table in TABLES {
        txn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    txn.commit().await?;
    progress(&current, count);
    Ok(count)
}

fn bad(line: usize, why: &str) -> StoreError {
    StoreError::Invalid(format!("backup line {line}: {why}"))
}

/// An INSERT for one row; NULLs are written as literals so their type is the column's own.
fn insert_sql(table: &str, row: &serde_json::Map<String, serde_json::Value>) -> (String, Vec<sea_orm::Value>) {
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    let mut values = Vec::new();
    for (k, v) in row {
        // Column names come from our own dump; still, accept only plain identifiers.
        if !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        cols.push(k.clone());
        let value: Option<sea_orm::Value> = match v {
            serde_json::Value::Null => None,
            serde_json::Value::Bool(b) => Some((*b).into()),
            serde_json::Value::Number(n) => {
                Some(n.as_i64().map(sea_orm::Value::from).unwrap_or_else(|| n.as_f64().unwrap_or(0.0).into()))
            }
            serde_json::Value::String(s) => Some(s.clone().into()),
            other => Some(other.to_string().into()),
        };
        match value {
            None => exprs.push("NULL".to_string()),
            Some(val) => {
                values.push(val);
                exprs.push(format!("${}", values.len()));
            }
        }
    }
    (format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), exprs.join(", ")), values)
}
