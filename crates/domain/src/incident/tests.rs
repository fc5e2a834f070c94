use super::category::{OffenceText, Table, classify, contains_any_word};
use super::*;
use csv::ByteRecord;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use proptest::prelude::*;

const EXAMPLE_MAPPING: &str = include_str!("../../../../docs/examples/incident-mapping.toml");
const GUIDE: &str = include_str!("../../../../docs/IMPORT-INCIDENTS.md");

pub(super) fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The import's "now" in every test.
fn now() -> Timestamp {
    ts("2024-06-01T12:00:00Z")
}

fn records(csv: &str) -> (ByteRecord, Vec<ByteRecord>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let headers = reader.byte_headers().unwrap().clone();
    let rows = reader.byte_records().map(Result::unwrap).collect();
    (headers, rows)
}

pub(super) fn run_with(
    profile: &Profile,
    csv: &str,
    tz: &str,
    rules: SensitivityRules,
) -> Vec<Result<Incident, Reject>> {
    let (headers, rows) = records(csv);
    let parser = RowParser::new(profile, &headers, TimeZone::get(tz).unwrap(), rules, now()).unwrap();
    rows.iter().enumerate().map(|(i, r)| parser.parse(i as u64 + 2, r)).collect()
}

pub(super) fn run(name: &str, mapping: Option<&str>, csv: &str, tz: &str) -> Vec<Result<Incident, Reject>> {
    run_with(&profile(name, mapping).unwrap(), csv, tz, SensitivityRules::default())
}

/// pyproj's longitude/latitude for an x/y listed in `fixtures/projections.json`.
pub(super) fn fixture_lon_lat(epsg: u32, x: f64, y: f64) -> (f64, f64) {
    fixture_points(epsg)
        .into_iter()
        .find(|p| p.0 == x && p.1 == y)
        .map(|p| (p.2, p.3))
        .unwrap_or_else(|| panic!("no fixture point EPSG:{epsg} {x} {y}; add it to projection_reference.py"))
}

/// `(x, y, lon, lat)` of every fixture point of one EPSG code.
fn fixture_points(epsg: u32) -> Vec<(f64, f64, f64, f64)> {
    let doc: serde_json::Value = serde_json::from_str(include_str!("fixtures/projections.json")).unwrap();
    let f = |p: &serde_json::Value, k: &str| p[k].as_f64().unwrap();
    doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["epsg"].as_u64() == Some(u64::from(epsg)))
        .map(|p| (f(p, "x"), f(p, "y"), f(p, "lon"), f(p, "lat")))
        .collect()
}

/// A CSV line (quoted as needed) from fields.
fn csv_line(fields: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    w.write_record(fields).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

const CHICAGO_ROW: &str = "12938040,JG100020,05/31/2024 09:30:00 PM,017XX W 79TH ST,0486,BATTERY,DOMESTIC BATTERY SIMPLE,\
APARTMENT,false,true,0611,006,17,71,08B,1166456,1852510,2024,06/01/2024 03:45:56 PM,41.750858726,-87.668077373,";

/// The sample Chicago row with some columns changed.
fn chicago_row(changes: &[(&str, &str)]) -> String {
    let names: Vec<&str> = CHICAGO_HEADER.split(',').collect();
    let mut fields: Vec<&str> = CHICAGO_ROW.split(',').collect();
    for (name, value) in changes {
        let i = names.iter().position(|n| n == name).unwrap();
        fields[i] = value;
    }
    csv_line(&fields)
}

/// Column changes to the sample row, the reject they cause and the column it names.
type RejectCase = (&'static [(&'static str, &'static str)], RejectReason, &'static str);

#[test]
fn every_reject_reason() {
    let cases: &[RejectCase] = &[
        (&[("ID", "  ")], RejectReason::MissingId, "ID"),
        (&[("Date", "13/45/2023 09:00:00 PM")], RejectReason::BadDate, "Date"),
        (&[("Date", "")], RejectReason::BadDate, "Date"),
        (&[("Date", "2023-05-01 21:30")], RejectReason::BadDate, "Date"),
        (&[("Date", "01/01/1015 10:00:00 AM")], RejectReason::BadDate, "Date"),
        (&[("Date", "06/03/2024 12:00:00 AM")], RejectReason::FutureDate, "Date"),
        (&[("Latitude", "41.8x")], RejectReason::BadCoordinates, "Latitude"),
        (&[("Latitude", "NaN")], RejectReason::BadCoordinates, "Latitude"),
        (&[("Longitude", "")], RejectReason::BadCoordinates, "Longitude"),
        (&[("Latitude", "91.5")], RejectReason::OutOfRangeCoordinates, "Latitude"),
        (&[("Longitude", "-187.6")], RejectReason::OutOfRangeCoordinates, "Longitude"),
        (
            &[("Latitude", ""), ("Longitude", ""), ("X Coordinate", "east")],
            RejectReason::BadCoordinates,
            "X Coordinate",
        ),
        (&[("Latitude", ""), ("Longitude", ""), ("Y Coordinate", "")], RejectReason::BadCoordinates, "Y Coordinate"),
        (
            &[("Latitude", ""), ("Longitude", ""), ("X Coordinate", "1e308"), ("Y Coordinate", "1e308")],
            RejectReason::OutOfRangeCoordinates,
            "X Coordinate",
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (changes, kind, field) in cases {
        let csv = format!("{CHICAGO_HEADER}\n{}", chicago_row(changes));
        let reject = run("chicago", None, &csv, "America/Chicago").remove(0).unwrap_err();
        assert_eq!((reject.kind, reject.field.as_str(), reject.row), (*kind, *field, 2), "{changes:?}: {reject}");
        assert_eq!(reject.reason_key(), kind.key());
        seen.insert(*kind);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), RejectReason::ALL);
}

#[test]
fn reject_messages_quote_the_value() {
    let csv = format!("{CHICAGO_HEADER}\n{}", chicago_row(&[("Date", "13/45/2023 09:00:00 PM")]));
    let reject = run("chicago", None, &csv, "America/Chicago").remove(0).unwrap_err();
    let text = reject.to_string();
    assert!(text.starts_with("row 2, column Date: cannot read \"13/45/2023 09:00:00 PM\" as %m/%d/%Y"), "{text}");
    assert_eq!(reject.reason_key(), "bad_date");
}

#[test]
fn accepted_edge_values() {
    // Within a day after `now` is accepted (clock skew); 0/0 is no location, not a reject; `(null)` is empty.
    let csv = format!(
        "{CHICAGO_HEADER}\n{}{}{}",
        chicago_row(&[("Date", "06/02/2024 06:00:00 AM")]),
        chicago_row(&[("Latitude", "0"), ("Longitude", "0.0"), ("X Coordinate", "0"), ("Y Coordinate", "0")]),
        chicago_row(&[("Latitude", "(null)"), ("Longitude", "(null)"), ("X Coordinate", ""), ("Y Coordinate", "")]),
    );
    let rows: Vec<Incident> = run("chicago", None, &csv, "America/Chicago").into_iter().map(Result::unwrap).collect();
    assert_eq!(rows[0].occurred_at, ts("2024-06-02T06:00:00-05:00"));
    assert!(rows[1..].iter().all(|r| r.lon.is_none() && r.lat.is_none()));
}

#[test]
fn lapd_time_column_rejects() {
    let line = "1,01/08/2020 12:00:00 AM,01/08/2020 12:00:00 AM,TIME,03,Southwest,0377,2,624,BATTERY - SIMPLE ASSAULT,,36,\
F,B,501,SINGLE FAMILY DWELLING,,,AO,Adult Other,624,,,,100 MAIN ST,,34.0141,-118.2978";
    for (time, ok) in [("2575", false), ("", false), ("12345", false), ("930", true), ("0", true), ("2359", true)] {
        let csv = format!("{LAPD_HEADER}\n{}", line.replace("TIME", time));
        let result = run("lapd", None, &csv, "America/Los_Angeles").remove(0);
        match result {
            Ok(_) => assert!(ok, "{time:?} accepted"),
            Err(e) => {
                assert!(!ok, "{time:?}: {e}");
                assert_eq!((e.kind, e.field.as_str()), (RejectReason::BadDate, "TIME OCC"));
            }
        }
    }
}

#[test]
fn headers_match_by_name_ignoring_case_spaces_and_bom() {
    let expected = run("chicago", None, &format!("{CHICAGO_HEADER}\n{CHICAGO_ROW}\n"), "America/Chicago");
    // Reverse the column order, lower-case the names, pad them and add a byte-order mark.
    let names: Vec<String> = CHICAGO_HEADER.split(',').rev().map(|n| format!(" {} ", n.to_lowercase())).collect();
    let values: Vec<&str> = CHICAGO_ROW.split(',').rev().collect();
    let csv = format!("\u{feff}{}\n{}", names.join(","), csv_line(&values));
    assert_eq!(run("chicago", None, &csv, "America/Chicago"), expected);
    assert!(expected[0].is_ok());
}

#[test]
fn missing_columns_are_named() {
    let profile = profile("chicago", None).unwrap();
    let without = |drop: &[&str]| {
        let names: Vec<&str> = CHICAGO_HEADER.split(',').filter(|n| !drop.contains(n)).collect();
        let headers = ByteRecord::from(names);
        RowParser::new(&profile, &headers, TimeZone::UTC, SensitivityRules::default(), now())
    };
    let err = without(&["IUCR", "Primary Type"]).unwrap_err();
    assert_eq!(
        err,
        IncidentError::MissingColumns {
            profile: "chicago".into(),
            columns: vec!["IUCR".into(), "Primary Type".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "the file lacks the column(s) \"IUCR\", \"Primary Type\" that the chicago profile needs"
    );
    // One complete coordinate pair is enough.
    assert!(without(&["Latitude"]).is_ok());
    assert!(without(&["X Coordinate", "Y Coordinate"]).is_ok());
    let err = without(&["Latitude", "X Coordinate"]).unwrap_err();
    assert!(matches!(&err, IncidentError::MissingColumns { columns, .. } if columns == &["Latitude", "X Coordinate"]));
}

#[test]
fn profile_names() {
    assert_eq!(profile(" NYPD ", None).unwrap().name(), "nypd");
    assert_eq!(profile("boston", None).unwrap_err(), IncidentError::UnknownProfile("boston".into()));
    assert_eq!(profile("generic", None).unwrap_err(), IncidentError::MappingRequired);
    for name in PROFILES.iter().filter(|n| **n != "generic") {
        let p = profile(name, None).unwrap();
        let header: Vec<&str> = [CHICAGO_HEADER, LAPD_HEADER, NYPD_HEADER]
            [PROFILES.iter().position(|n| n == name).unwrap()]
        .split(',')
        .collect();
        assert!(p.columns().iter().all(|c| header.contains(c)), "{name}: {:?}", p.columns());
    }
    assert_eq!(profile("chicago", None).unwrap().xy_epsg(), Some(3435));
    assert_eq!(profile("lapd", None).unwrap().xy_epsg(), None);
}

#[test]
fn example_mapping_parses_and_imports() {
    let p = profile("generic", Some(EXAMPLE_MAPPING)).unwrap();
    assert_eq!(p.name(), "Metro PD records export");
    assert_eq!(p.xy_epsg(), Some(2229));
    let header =
        EXAMPLE_MAPPING.lines().find(|l| l.starts_with("#   Incident Number")).unwrap().trim_start_matches("#   ");
    let (x, y, lon, lat) = fixture_points(2229)[4];
    let (x, y) = (x.to_string(), y.to_string());
    let csv = [
        header.to_owned(),
        csv_line(&[
            "24-000101",
            "2024-03-09",
            "21:45",
            "13C",
            "INTIMIDATION BY PHONE",
            "",
            "100 MAIN ST",
            "RESIDENCE",
            &x,
            &y,
            "cleared by arrest",
            "Y",
            "34",
        ]),
        csv_line(&[
            "24-000102",
            "2024-03-10",
            "02:30",
            "23H",
            "CATALYTIC CONVERTER THEFT",
            "",
            "",
            "PARKING LOT",
            "",
            "",
            "Open",
            "N",
            "12",
        ]),
        csv_line(&["24-000103", "2024-03-11", "07:00", "90Z", "SUSPICIOUS PERSON", "", "", "", "", "", "", "", ""]),
    ]
    .join("\n");
    let rows: Vec<Incident> = run_with(&p, &csv, "America/Los_Angeles", SensitivityRules::default())
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(rows[0].occurred_at, ts("2024-03-09T21:45:00-08:00"));
    assert_eq!(
        (rows[0].category, rows[0].sensitive, rows[0].arrest),
        (Category::Violent, Some(Sensitivity::Domestic), true)
    );
    assert!((rows[0].lon.unwrap() - lon).abs() < 1e-7 && (rows[0].lat.unwrap() - lat).abs() < 1e-7);
    assert_eq!(rows[0].offence_code, "13C");
    // 02:30 on the spring-forward day in Los Angeles becomes 03:30 PDT.
    assert_eq!(rows[1].occurred_at, ts("2024-03-10T03:30:00-07:00"));
    assert_eq!((rows[1].category, rows[1].sensitive), (Category::Property, Some(Sensitivity::Juvenile)));
    assert_eq!((rows[1].lon, rows[1].block.as_deref()), (None, None));
    assert_eq!((rows[2].category, rows[2].sensitive, rows[2].arrest), (Category::Other, None, false));
    assert_eq!(rows[2].location_type, None);
}

#[test]
fn mapping_errors_name_the_key() {
    const BASE: &str = "id = \"N\"\n[date]\ncolumn = \"D\"\nformat = \"%Y-%m-%d\"\n";
    let cases: &[(&str, String, &str)] = &[
        ("generic", "id = 5".into(), "id"),
        ("generic", "colour = 1".into(), "colour"),
        ("generic", "date = \"D\"".into(), "date"),
        ("generic", "[date]\nfromat = \"%Y\"".into(), "date.fromat"),
        ("generic", BASE.to_owned(), "offence.description"),
        ("generic", "[offence]\ndescription = \"O\"".into(), "id"),
        ("generic", format!("{BASE}[offence]\ndescription = \"\""), "offence.description"),
        ("chicago", "[date]\nformat = \"%H:%M\"".into(), "date.format"),
        ("chicago", "[date]\nformat = \"%Q\"".into(), "date.format"),
        ("chicago", "[date]\nformat = \"\"".into(), "date.format"),
        ("chicago", "[date]\ntime_column = \"T\"".into(), "date.time_format"),
        ("chicago", "[date]\ntime_format = \"%H:%M\"".into(), "date.time_format"),
        ("lapd", "[date]\ntime_format = \"%Y\"".into(), "date.time_format"),
        ("chicago", "[coordinates]\nepsg = 9999".into(), "coordinates.epsg"),
        ("chicago", "[coordinates]\nepsg = \"EPSG:nine\"".into(), "coordinates.epsg"),
        ("chicago", "[coordinates]\nepsg = 3.5".into(), "coordinates.epsg"),
        ("chicago", "[coordinates]\nlongitude = \"\"".into(), "coordinates.longitude"),
        ("chicago", "[coordinates]\nnorthing = \"N\"".into(), "coordinates.northing"),
        ("lapd", "[coordinates]\nx = \"X\"\ny = \"Y\"".into(), "coordinates.epsg"),
        ("lapd", "[coordinates]\nx = \"X\"".into(), "coordinates.y"),
        ("chicago", "[arrest]\ntrue_values = []".into(), "arrest.true_values"),
        ("chicago", "[arrest]\ntrue_values = [1]".into(), "arrest.true_values"),
        ("nypd", "[arrest]\ntrue_values = [\"Y\"]".into(), "arrest.true_values"),
        ("nypd", "[sensitivity]\nvictim_age = [\"A\"]".into(), "sensitivity.victim_age"),
        ("chicago", "categories = [\"THEFT\"]".into(), "categories"),
        ("chicago", "[categories]\nTHEFT = \"stealing\"".into(), "categories.THEFT"),
        ("chicago", "[categories]\n\"CATALYTIC CONVERTER\" = 3".into(), "categories.\"CATALYTIC CONVERTER\""),
        ("chicago", "[categories]\n\" \" = \"other\"".into(), "categories.\" \""),
    ];
    for (name, text, key) in cases {
        match profile(name, Some(text)) {
            Err(IncidentError::Mapping { key: got, message }) => {
                assert_eq!(&got, key, "{text:?}: {message}");
                let shown = profile(name, Some(text)).unwrap_err().to_string();
                assert!(shown.contains(&format!("`{key}`")), "{shown}");
            }
            other => panic!("{text:?}: expected an error for {key}, got {other:?}"),
        }
    }
    assert!(matches!(profile("generic", Some("id = ")), Err(IncidentError::MappingSyntax(_))));
    assert!(profile("chicago", Some("[coordinates]\nepsg = \"EPSG:2263\"")).is_ok());
}

#[test]
fn mapping_changes_a_builtin_profile() {
    let mapping = "id = \"Case Number\"\n[location]\nblock = \"\"\n[categories]\n\"BATTERY\" = \"disorder\"\n\"0810\" = \"other\"";
    let p = profile("chicago", Some(mapping)).unwrap();
    assert!(!p.columns().contains(&"Block"));
    // The file may now lack the Block column.
    let names: Vec<&str> = CHICAGO_HEADER.split(',').collect();
    let keep: Vec<usize> = (0..names.len()).filter(|&i| names[i] != "Block").collect();
    let row: Vec<&str> = CHICAGO_ROW.split(',').collect();
    let pick = |v: &[&str]| keep.iter().map(|&i| v[i].to_owned()).collect::<Vec<String>>();
    let theft = CHICAGO_ROW.replace("0486,BATTERY,DOMESTIC BATTERY SIMPLE", "0810,THEFT,OVER $500");
    let theft: Vec<&str> = theft.split(',').collect();
    let line = |v: Vec<String>| csv_line(&v.iter().map(String::as_str).collect::<Vec<_>>());
    let csv = format!("{}\n{}{}", pick(&names).join(","), line(pick(&row)), line(pick(&theft)));
    let rows = run_with(&p, &csv, "America/Chicago", SensitivityRules::default());
    let first = rows[0].as_ref().unwrap();
    assert_eq!(
        (first.source_id.as_str(), first.block.as_deref(), first.category),
        ("JG100020", None, Category::Disorder)
    );
    // Overrides match the code as well as the description.
    assert_eq!(rows[1].as_ref().unwrap().category, Category::Other);
}

#[test]
fn date_formats_with_an_offset_ignore_the_time_zone() {
    let mapping =
        "id = \"n\"\n[date]\ncolumn = \"at\"\nformat = \"%Y-%m-%dT%H:%M:%S%:z\"\n[offence]\ndescription = \"what\"";
    let csv = "n,at,what\n1,2024-01-02T03:04:05+02:00,ROBBERY\n2,2024-01-02T03:04:05,ROBBERY\n";
    let rows = run("generic", Some(mapping), csv, "America/Chicago");
    assert_eq!(rows[0].as_ref().unwrap().occurred_at, ts("2024-01-02T01:04:05Z"));
    assert_eq!(rows[0].as_ref().unwrap().category, Category::Violent);
    assert_eq!(rows[1].as_ref().unwrap_err().kind, RejectReason::BadDate);
}

#[test]
fn docs_list_every_mapping_key() {
    let module_docs = include_str!("mod.rs");
    for (section, keys) in mapping::KEYS {
        for key in *keys {
            let dotted = if section.is_empty() { key.to_string() } else { format!("{section}.{key}") };
            // Sections themselves are documented through their keys.
            if section.is_empty() && mapping::KEYS.iter().any(|(s, _)| s == key) {
                continue;
            }
            for (doc, text) in [("docs/IMPORT-INCIDENTS.md", GUIDE), ("incident/mod.rs", module_docs)] {
                assert!(text.contains(&format!("`{dotted}`")), "{doc} does not document `{dotted}`");
            }
        }
    }
    // The guide's example is the example file.
    assert!(GUIDE.contains("docs/examples/incident-mapping.toml"));
}

#[test]
fn taxonomy_keys_round_trip() {
    for c in Category::ALL {
        assert_eq!(Category::parse(&format!(" {} ", c.as_str().to_uppercase())), Some(c));
        assert_eq!(c.to_string(), c.as_str());
    }
    for s in Sensitivity::ALL {
        assert_eq!(Sensitivity::parse(s.as_str()), Some(s));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(Category::parse("violence"), None);
    assert_eq!(Sensitivity::parse(""), None);
    assert_eq!(SensitivityRules::default().enabled.len(), 4);
    let keys: std::collections::BTreeSet<_> = RejectReason::ALL.iter().map(|r| r.key()).collect();
    assert_eq!(keys.len(), RejectReason::ALL.len());
}

#[test]
fn classification_tables() {
    let chicago =
        |primary: &str| classify(Table::Chicago, &OffenceText { description: primary, ..Default::default() }, &[]);
    let expected: &[(Category, &[&str])] = &[
        (
            Category::Violent,
            &["HOMICIDE", "ASSAULT", "BATTERY", "ROBBERY", "KIDNAPPING", "STALKING", "HUMAN TRAFFICKING"],
        ),
        (
            Category::Property,
            &["THEFT", "BURGLARY", "MOTOR VEHICLE THEFT", "CRIMINAL DAMAGE", "DECEPTIVE PRACTICE", "ARSON"],
        ),
        (Category::Drugs, &["NARCOTICS", "OTHER NARCOTIC VIOLATION"]),
        (
            Category::Disorder,
            &[
                "CRIMINAL TRESPASS",
                "PUBLIC PEACE VIOLATION",
                "LIQUOR LAW VIOLATION",
                "GAMBLING",
                "PROSTITUTION",
                "INTERFERENCE WITH PUBLIC OFFICER",
            ],
        ),
        (Category::Weapons, &["WEAPONS VIOLATION", "CONCEALED CARRY LICENSE VIOLATION"]),
        (Category::SexOffences, &["CRIM SEXUAL ASSAULT", "CRIMINAL SEXUAL ASSAULT", "SEX OFFENSE"]),
        (Category::Other, &["OFFENSE INVOLVING CHILDREN", "OTHER OFFENSE", "NON-CRIMINAL", "SOMETHING NEW"]),
    ];
    for (category, types) in expected {
        for t in *types {
            assert_eq!(chicago(t), *category, "{t}");
            assert_eq!(chicago(&t.to_lowercase()), *category, "{t}");
        }
    }
    let generic = |d: &str| classify(Table::Generic, &OffenceText { description: d, ..Default::default() }, &[]);
    assert_eq!(generic("AGGRAVATED ASSAULT WITH DEADLY WEAPON"), Category::Violent);
    assert_eq!(generic("Sexual Assault"), Category::SexOffences);
    assert_eq!(generic("POSSESSION OF MARIJUANA"), Category::Drugs);
    assert_eq!(generic("FIREARM POSSESSION"), Category::Weapons);
    assert_eq!(generic("SHOPLIFTING"), Category::Property);
    assert_eq!(generic("NOISE COMPLAINT"), Category::Disorder);
    assert_eq!(generic("LOST PROPERTY"), Category::Other);
    assert_eq!(generic(""), Category::Other);
    let nypd = |d: &str, class: &str| {
        classify(Table::Nypd, &OffenceText { description: d, law_class: class, ..Default::default() }, &[])
    };
    assert_eq!(nypd("SOMETHING NEW", "VIOLATION"), Category::Disorder);
    assert_eq!(nypd("SOMETHING NEW", "FELONY"), Category::Other);
    assert_eq!(nypd("FELONY ASSAULT", "FELONY"), Category::Violent);
    let lapd =
        |code: &str, d: &str| classify(Table::Lapd, &OffenceText { code, description: d, ..Default::default() }, &[]);
    assert_eq!(lapd("230", ""), Category::Violent);
    assert_eq!(lapd("845", "SEX OFFENDER REGISTRANT OUT OF COMPLIANCE"), Category::Other);
    assert_eq!(lapd("", "VANDALISM - MISDEAMEANOR ($399 OR UNDER)"), Category::Property);
}

#[test]
fn tables_have_no_duplicates() {
    let mut codes = std::collections::BTreeSet::new();
    for (_, list) in category::LAPD {
        for code in *list {
            assert!(codes.insert(*code), "LAPD code {code} listed twice");
        }
    }
    for table in [category::CHICAGO, category::NYPD] {
        let mut keys = std::collections::BTreeSet::new();
        for key in table.iter().flat_map(|(_, names)| *names) {
            assert!(keys.insert(key.to_uppercase()), "{key} listed twice");
        }
    }
}

#[test]
fn keywords_match_at_word_starts() {
    assert!(contains_any_word("OFFENSE INVOLVING CHILDREN", &["CHILD"]));
    assert!(contains_any_word("child abuse", &["CHILD"]));
    assert!(!contains_any_word("GRAPE THEFT", &["RAPE"]));
    assert!(contains_any_word("ATTEMPTED-RAPE", &["RAPE"]));
    assert!(!contains_any_word("", &["RAPE"]));
    assert!(!contains_any_word("R", &["RAPE"]));
    // Matching assumes upper-case keywords.
    let lists = category::KEYWORDS.iter().map(|(_, w)| *w).chain(category::SENSITIVE_KEYWORDS.iter().map(|(_, w)| *w));
    for word in lists.flatten() {
        assert_eq!(*word, word.to_uppercase());
    }
}

#[test]
fn parser_is_shareable_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<RowParser>();
}

/// A valid row of each layout, for the no-panic property.
fn valid_rows() -> Vec<(Profile, ByteRecord, ByteRecord)> {
    let generic = "id = \"n\"\n[date]\ncolumn = \"at\"\nformat = \"%Y-%m-%dT%H:%M:%S%:z\"\n[offence]\ndescription = \"what\"\n\
        [coordinates]\nx = \"x\"\ny = \"y\"\nepsg = 2263\n[sensitivity]\nvictim_age = \"age\"";
    let lapd = "1,x,01/08/2020 12:00:00 AM,930,03,S,0377,2,624,BATTERY,,36,F,B,501,HOUSE,,,AO,Adult Other,624,,,,1 MAIN ST,,34.0,-118.2";
    let nypd = "1,12/31/2022,23:45:00,,,75,,344,ASSAULT 3,101,ASSAULT 3,C,VIOLATION,B,I,R,N,0,,,,1019563,182738,,,,,,,,,,<18,,";
    let header = |h: &str| ByteRecord::from(h.split(',').collect::<Vec<_>>());
    vec![
        (profile("chicago", None).unwrap(), header(CHICAGO_HEADER), header(CHICAGO_ROW)),
        (profile("lapd", None).unwrap(), header(LAPD_HEADER), header(lapd)),
        (profile("nypd", None).unwrap(), header(NYPD_HEADER), header(nypd)),
        (
            profile("generic", Some(generic)).unwrap(),
            header("n,at,what,x,y,age"),
            header("1,2024-01-02T03:04:05+02:00,ROB,1019563,182738,7"),
        ),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics(
        layout in 0usize..4,
        changes in prop::collection::vec(prop::option::weighted(0.3, prop::collection::vec(any::<u8>(), 0..24)), 40),
        keep in 0usize..40,
    ) {
        let (profile, headers, valid) = valid_rows().swap_remove(layout);
        let parser = RowParser::new(&profile, &headers, TimeZone::get("America/New_York").unwrap(),
            SensitivityRules::default(), now()).unwrap();
        let mut record = ByteRecord::new();
        for (i, field) in valid.iter().enumerate().take(keep.max(1)) {
            record.push_field(changes[i].as_deref().unwrap_or(field));
        }
        let _ = parser.parse(2, &record);
        // Realistic bytes in the numeric fields too.
        let numeric: Vec<Vec<u8>> = valid.iter().zip(&changes).map(|(f, c)| match c {
            Some(bytes) => bytes.iter().map(|b| b"0123456789.-+eE: /APM"[usize::from(*b) % 21]).collect(),
            None => f.to_vec(),
        }).collect();
        let _ = parser.parse(2, &ByteRecord::from(numeric));
    }
}

/// Throughput on synthetic Chicago rows, read with the csv crate as the CLI does. Run with
/// `cargo test --release -p commonbeat-domain incident::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand in release mode"]
fn throughput() {
    const ROWS: usize = 1_000_000;
    let types = ["BATTERY", "THEFT", "NARCOTICS", "ASSAULT", "CRIMINAL DAMAGE", "OTHER OFFENSE", "WEAPONS VIOLATION"];
    let mut csv = String::with_capacity(ROWS * 260);
    csv.push_str(CHICAGO_HEADER);
    csv.push('\n');
    for i in 0..ROWS {
        let (lat, lon) = if i % 50 == 0 {
            (String::new(), String::new())
        } else {
            (format!("41.{:06}", 700_000 + i % 250_000), format!("-87.{:06}", 550_000 + i % 300_000))
        };
        csv.push_str(&format!(
            "{},JG{:06},{:02}/{:02}/2023 {:02}:{:02}:00 {},0{:02}XX W {}TH ST,0486,{},SIMPLE,STREET,{},{},0611,006,17,71,08B,\
             {},{},2023,01/12/2023 03:45:56 PM,{lat},{lon},\"({lat}, {lon})\"\n",
            10_000_000 + i, i, i % 12 + 1, i % 28 + 1, i % 12 + 1, i % 60, if i % 2 == 0 { "AM" } else { "PM" },
            i % 99, i % 120, types[i % types.len()], i % 5 == 0, i % 7 == 0,
            1_150_000 + i % 40_000, 1_850_000 + i % 90_000,
        ));
    }
    let t = std::time::Instant::now();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).unwrap() {}
    println!("reading the CSV alone: {:?}", t.elapsed());
    let started = std::time::Instant::now();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let headers = reader.byte_headers().unwrap().clone();
    let profile = profile("chicago", None).unwrap();
    let tz = TimeZone::get("America/Chicago").unwrap();
    let parser = RowParser::new(&profile, &headers, tz, SensitivityRules::default(), now()).unwrap();
    let mut record = ByteRecord::new();
    let (mut ok, mut rejected, mut row) = (0usize, 0usize, 1u64);
    while reader.read_byte_record(&mut record).unwrap() {
        row += 1;
        match parser.parse(row, &record) {
            Ok(_) => ok += 1,
            Err(_) => rejected += 1,
        }
    }
    let elapsed = started.elapsed();
    println!("{ROWS} rows ({} MB) in {elapsed:?}: {ok} ok, {rejected} rejected", csv.len() / 1_000_000);
    assert_eq!(ok + rejected, ROWS);
}
