//! Times the incident row parser alone over a CSV file: `cargo run --release -p commonbeat-domain --example
//! parse_speed -- FILE.csv [profile]`. Prints the CSV-only pass and the CSV + parse pass (the import's reader
//! thread does exactly the second).

use commonbeat_domain::incident::{self, RowParser, SensitivityRules};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_speed FILE.csv [profile]");
    let profile_name = args.next().unwrap_or_else(|| "chicago".into());
    let profile = incident::profile(&profile_name, None).expect("profile");
    let tz = jiff::tz::TimeZone::get("America/Chicago").expect("tz");

    let t = Instant::now();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(&path).expect("open");
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    while rdr.read_byte_record(&mut rec).expect("csv") {
        rows += 1;
    }
    println!("csv only: {rows} rows in {:.3} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(&path).expect("open");
    let headers = rdr.byte_headers().expect("header").clone();
    let parser =
        RowParser::new(&profile, &headers, tz, SensitivityRules::default(), jiff::Timestamp::now()).expect("parser");
    let (mut ok, mut bad, mut row) = (0u64, 0u64, 1u64);
    while rdr.read_byte_record(&mut rec).expect("csv") {
        row += 1;
        match parser.parse(row, &rec) {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    println!("csv + parse: {ok} accepted, {bad} rejected in {:.3} s", t.elapsed().as_secs_f64());
}
