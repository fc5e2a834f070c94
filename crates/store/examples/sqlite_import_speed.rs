//! Times the SQLite bulk path alone: parses a Chicago-layout CSV on one thread and writes it through
//! [`SqliteIncidentWriter`] on another, into a migrated database file, as `commonbeat import incidents` does.
//! `cargo run --release -p commonbeat-store --example sqlite_import_speed -- FILE.csv DB_DIR`

use commonbeat_domain::incident::{self, RowParser, SensitivityRules};
use commonbeat_store::repo::incidents::{ImportSummary, NewIncident, start_import};
use commonbeat_store::repo::incidents_bulk_sqlite::SqliteIncidentWriter;
use commonbeat_store::repo::jurisdictions;
use commonbeat_store::{DbUrl, migration};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let csv_path = args.next().expect("FILE.csv");
    let dir = std::path::PathBuf::from(args.next().expect("DB_DIR"));
    let _ = std::fs::remove_dir_all(&dir);
    let url = DbUrl::sqlite_in(&dir);
    let db = commonbeat_store::connect(&url).await.expect("connect");
    migration::migrate(&db).await.expect("migrate");
    let j = jurisdictions::ensure_default(&db, "Bench", "America/Chicago").await.expect("jurisdiction");
    let import = start_import(&db, j.id, "chicago", "bench.csv", None).await.expect("import");
    let path = url.sqlite_path().expect("sqlite");
    let t = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<NewIncident>>(4);
    let reader = std::thread::spawn(move || {
        let profile = incident::profile("chicago", None).expect("profile");
        let tz = jiff::tz::TimeZone::get("America/Chicago").expect("tz");
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(&csv_path).expect("open");
        let headers = rdr.byte_headers().expect("header").clone();
        let parser = RowParser::new(&profile, &headers, tz, SensitivityRules::default(), jiff::Timestamp::now())
            .expect("parser");
        let mut rec = csv::ByteRecord::new();
        let mut batch = Vec::with_capacity(1000);
        let mut row = 1;
        while rdr.read_byte_record(&mut rec).expect("csv") {
            row += 1;
            if let Ok(i) = parser.parse(row, &rec) {
                batch.push(NewIncident::from(i));
                if batch.len() == 1000 {
                    tx.send(std::mem::take(&mut batch)).expect("send");
                }
            }
        }
        tx.send(batch).expect("send");
    });
    let mut w = SqliteIncidentWriter::begin(&path, j.id, import).expect("begin");
    let mut write = std::time::Duration::ZERO;
    for batch in rx {
        let s = Instant::now();
        w.write(&batch).expect("write");
        write += s.elapsed();
    }
    reader.join().expect("reader");
    let before_finish = t.elapsed();
    let counts = w.finish(ImportSummary::default()).expect("finish");
    println!(
        "{} rows in {:.2} s (writing {:.2} s, finishing {:.2} s)",
        counts.accepted,
        t.elapsed().as_secs_f64(),
        write.as_secs_f64(),
        (t.elapsed() - before_finish).as_secs_f64()
    );
}
