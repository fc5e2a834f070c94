//! The incident import pipeline, shared by `commonbeat import incidents` and the analysts' upload page.
//!
//! A reader thread parses the CSV (one core) while the writer upserts batches inside one transaction (the
//! other core). Invalid rows are skipped into the reject report (row number, column, reason), counted by reason;
//! valid rows commit together or not at all. A file-level problem (unknown profile, a missing column, a bad
//! mapping file) stops the import before anything is written.

use super::Progress;
use commonbeat_domain::incident::{self, RowParser, SensitivityRules};
use commonbeat_store::Db;
use commonbeat_store::repo::incidents::{self, ImportCounts, ImportSummary, NewIncident};
use commonbeat_store::repo::incidents_bulk_pg::PgIncidentWriter;
use commonbeat_store::repo::incidents_bulk_sqlite::SqliteIncidentWriter;
use std::collections::BTreeMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// How many rejects the import record keeps (the full list goes to the reject file).
pub const REJECT_SAMPLE: usize = 1000;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Profile name: chicago, lapd, nypd or generic.
    pub profile: String,
    /// Mapping file contents (TOML), required for `generic`.
    pub mapping: Option<String>,
    /// The name shown in the import history.
    pub file_name: String,
    /// Who started it (web uploads).
    pub started_by: Option<i64>,
    /// Where to write the full reject report (CSV), if anywhere.
    pub rejects_csv: Option<PathBuf>,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectOut {
    /// Row number in the file (the header is row 1).
    pub row: u64,
    /// Column.
    pub field: String,
    /// Why.
    pub reason: String,
}

/// The result of an import that committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The import record.
    pub import_id: i64,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows with a point.
    pub with_point: u64,
    /// What was written.
    pub counts: ImportCounts,
    /// Rows rejected.
    pub rejected: u64,
    /// Rejects by reason key.
    pub by_reason: BTreeMap<String, u64>,
    /// The first rejects.
    pub sample: Vec<RejectOut>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or its header cannot be used.
    #[error("{0}")]
    File(String),
    /// The database failed; the transaction was rolled back.
    #[error("database error: {0}")]
    Store(#[from] commonbeat_store::error::StoreError),
}

struct ParseSummary {
    rows_read: u64,
    with_point: u64,
    rejected: u64,
    by_reason: BTreeMap<String, u64>,
    sample: Vec<RejectOut>,
}

impl ParseSummary {
    fn to_store(&self) -> ImportSummary {
        ImportSummary {
            rows_read: self.rows_read as i64,
            rejected: self.rejected as i64,
            rejects_by_reason: serde_json::to_string(&self.by_reason).unwrap_or_default(),
            rejects_sample: serde_json::to_string(&self.sample).unwrap_or_default(),
        }
    }
}

enum Msg {
    Batch(Vec<NewIncident>),
    Fatal(String),
}

/// Imports `path` into the jurisdiction. Returns once the transaction has committed (or nothing was written).
pub async fn run(
    db: &Db,
    jurisdiction_id: i64,
    tz: jiff::tz::TimeZone,
    path: &Path,
    req: ImportRequest,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let import_id = incidents::start_import(db, jurisdiction_id, &req.profile, &req.file_name, req.started_by).await?;
    run_started(db, jurisdiction_id, import_id, tz, path, req, progress).await
}

/// Runs an import whose record [`incidents::start_import`] already created (the web page redirects to it first).
pub async fn run_started(
    db: &Db,
    jurisdiction_id: i64,
    import_id: i64,
    tz: jiff::tz::TimeZone,
    path: &Path,
    req: ImportRequest,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let result = run_recorded(db, jurisdiction_id, import_id, tz, path, &req, progress).await;
    if let Err(ImportError::File(msg)) = &result {
        incidents::fail_import(db, jurisdiction_id, import_id, msg, ImportSummary::default()).await?;
    }
    result
}

async fn run_recorded(
    db: &Db,
    jurisdiction_id: i64,
    import_id: i64,
    tz: jiff::tz::TimeZone,
    path: &Path,
    req: &ImportRequest,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let profile =
        incident::profile(&req.profile, req.mapping.as_deref()).map_err(|e| ImportError::File(e.to_string()))?;
    let file =
        std::fs::File::open(path).map_err(|e| ImportError::File(format!("cannot read {}: {e}", path.display())))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.total_bytes.store(total, Ordering::Relaxed);
    let (tx, rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let rejects_csv = req.rejects_csv.clone();
    let reader_progress = progress.clone();
    // Written batches come back to the reader, which drops their strings and reuses the vector: each row's
    // strings are then freed on the thread that allocated them, which the system allocator does much faster.
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<NewIncident>>();
    let reader = std::thread::spawn(move || read_file(file, profile, tz, rejects_csv, reader_progress, tx, recycled));

    // SQLite takes the bulk path on a connection of its own (a blocking thread); PostgreSQL the pool.
    let (written, summary) = match db.url.sqlite_path() {
        Some(db_path) => {
            tokio::task::spawn_blocking(move || write_sqlite(&db_path, jurisdiction_id, import_id, rx, reader, recycle))
                .await
                .map_err(|e| ImportError::File(format!("writer failed: {e}")))?
        }
        None => write_postgres(db, jurisdiction_id, import_id, rx, reader, recycle).await,
    };
    let summary = summary?;
    let counts = match written {
        Ok(counts) => counts,
        Err(failure) => {
            let message = match &failure {
                ImportError::File(m) => m.clone(),
                ImportError::Store(e) => e.to_string(),
            };
            incidents::fail_import(db, jurisdiction_id, import_id, &message, summary.to_store()).await?;
            return Err(failure);
        }
    };
    Ok(ImportOutcome {
        import_id,
        rows_read: summary.rows_read,
        with_point: summary.with_point,
        counts,
        rejected: summary.rejected,
        by_reason: summary.by_reason,
        sample: summary.sample,
    })
}

/// What the writing side ended with: the counts (or why nothing was written), and the reader's summary.
type Written = (Result<ImportCounts, ImportError>, Result<ParseSummary, ImportError>);

fn join_reader(reader: std::thread::JoinHandle<ParseSummary>) -> Result<ParseSummary, ImportError> {
    reader.join().map_err(|_| ImportError::File("reader thread panicked".into()))
}

/// The SQLite bulk path (blocking): every batch into [`SqliteIncidentWriter`], then finish or roll back.
fn write_sqlite(
    db_path: &Path,
    jurisdiction_id: i64,
    import_id: i64,
    mut rx: tokio::sync::mpsc::Receiver<Msg>,
    reader: std::thread::JoinHandle<ParseSummary>,
    recycle: std::sync::mpsc::Sender<Vec<NewIncident>>,
) -> Written {
    let mut writer = match SqliteIncidentWriter::begin(db_path, jurisdiction_id, import_id) {
        Ok(w) => w,
        Err(e) => {
            drop(rx);
            return (Err(e.into()), join_reader(reader));
        }
    };
    let mut failure = None;
    while let Some(msg) = rx.blocking_recv() {
        match msg {
            Msg::Batch(batch) => {
                if let Err(e) = writer.write(&batch) {
                    failure = Some(e.into());
                    break;
                }
                let _ = recycle.send(batch);
            }
            Msg::Fatal(m) => {
                failure = Some(ImportError::File(m));
                break;
            }
        }
    }
    drop(rx);
    let summary = join_reader(reader);
    let result = match (failure, &summary) {
        (Some(f), _) => writer.abort().map_err(ImportError::from).and(Err(f)),
        (None, Err(_)) => writer.abort().map_err(ImportError::from).and(Err(ImportError::File("reader failed".into()))),
        (None, Ok(s)) => writer.finish(s.to_store()).map_err(ImportError::from),
    };
    (result, summary)
}

/// The PostgreSQL path: batches streamed with `COPY` through [`PgIncidentWriter`] in one transaction.
async fn write_postgres(
    db: &Db,
    jurisdiction_id: i64,
    import_id: i64,
    mut rx: tokio::sync::mpsc::Receiver<Msg>,
    reader: std::thread::JoinHandle<ParseSummary>,
    recycle: std::sync::mpsc::Sender<Vec<NewIncident>>,
) -> Written {
    let mut writer = match PgIncidentWriter::begin(db, jurisdiction_id, import_id).await {
        Ok(w) => w,
        Err(e) => {
            drop(rx);
            return (Err(e.into()), join_blocking(reader).await);
        }
    };
    // The batches go through one COPY while the file is still being read; a fatal reader message ends the
    // stream and rolls the import back.
    let (batches_tx, batches_rx) = tokio::sync::mpsc::channel::<Vec<NewIncident>>(4);
    let forward = async {
        let mut fatal = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Batch(batch) => {
                    if batches_tx.send(batch).await.is_err() {
                        break; // the writer stopped on an error
                    }
                }
                Msg::Fatal(m) => {
                    fatal = Some(m);
                    break;
                }
            }
        }
        drop(batches_tx);
        fatal
    };
    let (fatal, streamed) = tokio::join!(forward, writer.write_stream(batches_rx, Some(recycle)));
    let failure = match (streamed, fatal) {
        (Err(e), _) => Some(ImportError::from(e)),
        (Ok(()), Some(m)) => Some(ImportError::File(m)),
        (Ok(()), None) => None,
    };
    drop(rx);
    let summary = join_blocking(reader).await;
    let result = match (failure, &summary) {
        (Some(f), _) => writer.rollback().await.map_err(ImportError::from).and(Err(f)),
        (None, Err(_)) => {
            writer.rollback().await.map_err(ImportError::from).and(Err(ImportError::File("reader failed".into())))
        }
        (None, Ok(s)) => writer.finish(s.to_store()).await.map_err(ImportError::from),
    };
    (result, summary)
}

async fn join_blocking(reader: std::thread::JoinHandle<ParseSummary>) -> Result<ParseSummary, ImportError> {
    tokio::task::spawn_blocking(move || join_reader(reader))
        .await
        .map_err(|e| ImportError::File(format!("reader failed: {e}")))?
}

/// Counts bytes as the CSV reader pulls them.
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn read_file(
    file: std::fs::File,
    profile: incident::Profile,
    tz: jiff::tz::TimeZone,
    rejects_csv: Option<PathBuf>,
    progress: Arc<Progress>,
    tx: tokio::sync::mpsc::Sender<Msg>,
    recycled: std::sync::mpsc::Receiver<Vec<NewIncident>>,
) -> ParseSummary {
    let mut s = ParseSummary { rows_read: 0, with_point: 0, rejected: 0, by_reason: BTreeMap::new(), sample: vec![] };
    let input = Counting { inner: std::io::BufReader::with_capacity(1 << 20, file), progress: progress.clone() };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let _ = tx.blocking_send(Msg::Fatal(format!("cannot read the header row: {e}")));
            return s;
        }
    };
    let parser = match RowParser::new(&profile, &headers, tz, SensitivityRules::default(), jiff::Timestamp::now()) {
        Ok(p) => p,
        Err(e) => {
            let _ = tx.blocking_send(Msg::Fatal(e.to_string()));
            return s;
        }
    };
    let mut rejects = match rejects_csv.as_deref().map(std::fs::File::create).transpose() {
        Ok(f) => f.map(BufWriter::new),
        Err(e) => {
            let _ = tx.blocking_send(Msg::Fatal(format!("cannot write the reject report: {e}")));
            return s;
        }
    };
    if let Some(w) = rejects.as_mut() {
        let _ = writeln!(w, "row,field,reason");
    }
    let mut record = csv::ByteRecord::new();
    let mut batch = Vec::with_capacity(incidents::BATCH_ROWS);
    let mut row = 1u64;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let _ = tx.blocking_send(Msg::Fatal(format!("row {}: the file cannot be read as CSV: {e}", row + 1)));
                return s;
            }
        }
        row += 1;
        s.rows_read += 1;
        match parser.parse(row, &record) {
            Ok(inc) => {
                if inc.lon.is_some() {
                    s.with_point += 1;
                }
                batch.push(NewIncident::from(inc));
                if batch.len() == incidents::BATCH_ROWS {
                    progress.rows.store(s.rows_read, Ordering::Relaxed);
                    let next = match recycled.try_recv() {
                        Ok(mut used) => {
                            used.clear();
                            used
                        }
                        Err(_) => Vec::with_capacity(incidents::BATCH_ROWS),
                    };
                    let full = std::mem::replace(&mut batch, next);
                    if tx.blocking_send(Msg::Batch(full)).is_err() {
                        return s; // the writer stopped
                    }
                }
            }
            Err(r) => {
                s.rejected += 1;
                progress.rejected.fetch_add(1, Ordering::Relaxed);
                *s.by_reason.entry(r.reason_key().to_string()).or_default() += 1;
                if let Some(w) = rejects.as_mut() {
                    let _ = writeln!(
                        w,
                        "{},{},{}",
                        r.row,
                        csv_cell(&formula_safe(&r.field)),
                        csv_cell(&formula_safe(&r.reason))
                    );
                }
                if s.sample.len() < REJECT_SAMPLE {
                    s.sample.push(RejectOut { row: r.row, field: r.field, reason: r.reason });
                }
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Msg::Batch(batch));
    }
    if let Some(mut w) = rejects {
        let _ = w.flush();
    }
    progress.rows.store(s.rows_read, Ordering::Relaxed);
    s
}

/// Makes a cell safe to open in a spreadsheet: a value starting with `=`, `+`, `-`, `@`, tab or carriage return
/// gets a leading apostrophe so it is shown as text, never evaluated as a formula.
pub fn formula_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Quotes a CSV cell when needed.
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
