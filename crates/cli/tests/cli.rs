//! The `commonbeat` binary end to end: flags, users, tokens, audit verification, backup and restore — on SQLite,
//! and on PostgreSQL when `COMMONBEAT_TEST_POSTGRES` is set.

mod common;

use common::*;
use std::process::Command;

#[test]
fn bad_flags_exit_2_with_a_one_line_error() {
    let o = Command::new(BIN).args(["serve", "--no-such-flag"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.lines().next().unwrap().starts_with("error: unexpected argument '--no-such-flag'"), "{err}");
    let help = Command::new(BIN).args(["user", "add", "--help"]).output().unwrap();
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("--password-stdin"));
}

#[test]
fn unknown_database_schemes_are_refused() {
    let o = Command::new(BIN).args(["migrate", "--database-url", "mysql://root@localhost/cb"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("unsupported database URL scheme \"mysql\""), "{}", out(&o));
}

#[test]
fn users_are_added_listed_disabled_and_given_tokens() {
    let t = Target::new();
    assert!(t.run(&["migrate"]).status.success());
    let weak = t.run_stdin(
        &["user", "add", "--email", "a@example.org", "--name", "Ann", "--role", "admin", "--password-stdin"],
        Some("password123\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(out(&weak).contains("password"), "{}", out(&weak));
    let ok = t.run_stdin(
        &["user", "add", "--email", "A@Example.org", "--name", "Ann Admin", "--role", "admin", "--password-stdin"],
        Some(&format!("{PW}\n")),
    );
    assert!(ok.status.success(), "{}", out(&ok));
    let dup = t.run_stdin(
        &["user", "add", "--email", "a@example.org", "--name", "Ann", "--role", "admin", "--password-stdin"],
        Some(&format!("{PW}\n")),
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(out(&dup).contains("email is already in use"), "{}", out(&dup));
    let invited = t.run(&["user", "add", "--email", "ben@example.org", "--name", "Ben", "--role", "community"]);
    assert!(out(&invited).contains("/invite/"), "{}", out(&invited));
    let list = out(&t.run(&["user", "list"]));
    assert!(list.contains("a@example.org") && list.contains("ben@example.org") && list.contains("invited"), "{list}");
    let token = t.run(&["user", "token", "--email", "a@example.org", "--name", "ci"]);
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    assert!(token.starts_with("cbt_") && token.len() > 40, "{token}");
    assert!(t.run(&["user", "disable", "--email", "ben@example.org"]).status.success());
    assert!(out(&t.run(&["user", "list"])).contains("disabled"));
    assert_eq!(t.run(&["user", "disable", "--email", "nobody@example.org"]).status.code(), Some(1));
}

#[test]
fn audit_verify_passes_then_names_a_tampered_entry() {
    let t = Target::new();
    for i in 0..4 {
        let o = t.run(&["user", "add", "--email", &format!("u{i}@example.org"), "--name", "U", "--role", "community"]);
        assert!(o.status.success(), "{}", out(&o));
    }
    let ok = t.run(&["audit", "verify"]);
    assert!(ok.status.success(), "{}", out(&ok));
    assert!(out(&ok).contains("intact"));
    t.sql("UPDATE audit_log SET details = '{\"email\":\"forged@example.org\"}' WHERE id = 3");
    let bad = t.run(&["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(out(&bad).contains("broken at entry 3"), "{}", out(&bad));
    t.sql("DELETE FROM audit_log WHERE id = 3");
    let gap = t.run(&["audit", "verify"]);
    assert_eq!(gap.status.code(), Some(1));
    assert!(out(&gap).contains("broken at entry 4"), "{}", out(&gap));
}

#[test]
fn backup_and_restore_round_trip_and_restore_refuses_a_database_with_data() {
    let src = Target::new();
    assert!(
        src.run_stdin(
            &["user", "add", "--email", "keep@example.org", "--name", "Keeper", "--role", "police", "--password-stdin"],
            Some(&format!("{PW}\n"))
        )
        .status
        .success()
    );
    assert!(src.run(&["user", "token", "--email", "keep@example.org"]).status.success());
    let file = src.dir.path().join("backup.cb");
    let b = src.run(&["backup", file.to_str().unwrap()]);
    assert!(b.status.success(), "{}", out(&b));
    assert!(file.metadata().unwrap().len() > 0);
    assert_eq!(src.run(&["backup", file.to_str().unwrap()]).status.code(), Some(1), "never overwrites");

    let dst = Target::new();
    let r = dst.run(&["restore", file.to_str().unwrap()]);
    assert!(r.status.success(), "{}", out(&r));
    let list = out(&dst.run(&["user", "list"]));
    assert!(list.contains("keep@example.org") && list.contains("police"), "{list}");
    assert!(dst.run(&["audit", "verify"]).status.success(), "the audit chain survives the round trip");
    // New rows after restore get fresh ids (sequences reset on PostgreSQL).
    assert!(
        dst.run(&["user", "add", "--email", "new@example.org", "--name", "New", "--role", "community"])
            .status
            .success()
    );

    let again = dst.run(&["restore", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(out(&again).contains("--force"), "{}", out(&again));
    let forced = dst.run(&["restore", file.to_str().unwrap(), "--force"]);
    assert!(forced.status.success(), "{}", out(&forced));
    let list = out(&dst.run(&["user", "list"]));
    assert!(!list.contains("new@example.org"), "restore replaced the data: {list}");
}

#[test]
fn demo_creates_its_city_once_with_sign_in_ready_accounts() {
    let t = Target::new();
    let first = t.run(&["demo", "--no-serve", "--seed", "3"]);
    assert!(first.status.success(), "{}", out(&first));
    assert!(out(&first).contains("officer@riverton.example") && out(&first).contains("resident@riverton.example"));
    let users = out(&t.run(&["user", "list", "--jurisdiction", "riverton"]));
    assert!(users.lines().count() > 40, "{users}");
    let again = t.run(&["demo", "--no-serve", "--seed", "3"]);
    assert!(again.status.success());
    assert_eq!(out(&t.run(&["user", "list", "--jurisdiction", "riverton"])), users, "second run reuses the city");
}

const BEATS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"beat_num":"1411"},"geometry":{"type":"Polygon","coordinates":[[[-87.70,41.90],[-87.69,41.90],[-87.69,41.91],[-87.70,41.91],[-87.70,41.90]]]}},
 {"type":"Feature","properties":{"beat_num":1412},"geometry":{"type":"MultiPolygon","coordinates":[[[[-87.69,41.90],[-87.68,41.90],[-87.68,41.91],[-87.69,41.91],[-87.69,41.90]]]]}}
]}"#;

#[test]
fn areas_and_demographics_import_whole_files_or_nothing() {
    let t = Target::new();
    assert!(t.run(&["migrate"]).status.success());
    let bad = t.dir.path().join("bad.geojson");
    // Feature 1 is fine, feature 0 has an unclosed ring, feature 2 is in a projected CRS (State Plane feet).
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[-87.70,41.90],[-87.69,41.90],[-87.69,41.91],[-87.70,41.91]]]}},
      {"type":"Feature","properties":{"name":"B"},"geometry":{"type":"Polygon","coordinates":[[[-87.69,41.90],[-87.68,41.90],[-87.68,41.91],[-87.69,41.91],[-87.69,41.90]]]}},
      {"type":"Feature","properties":{"name":"C"},"geometry":{"type":"Polygon","coordinates":[[[1150000,1900000],[1151000,1900000],[1151000,1901000],[1150000,1900000]]]}}]}"#).unwrap();
    let o = t.run(&["import", "areas", bad.to_str().unwrap(), "--kind", "beat"]);
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(
        text.contains("feature 0") && text.contains("feature 2") && text.contains("nothing was imported"),
        "{text}"
    );
    assert_eq!(
        t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM areas")[0].0,
        "0",
        "the good feature was not imported either"
    );

    let good = t.dir.path().join("beats.geojson");
    std::fs::write(&good, BEATS).unwrap();
    let o = t.run(&["import", "areas", good.to_str().unwrap(), "--kind", "beat", "--name-property", "beat_num"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("2 new, 0 updated"));
    let again = t.run(&["import", "areas", good.to_str().unwrap(), "--kind", "beat", "--name-property", "beat_num"]);
    assert!(out(&again).contains("0 new, 2 updated"), "re-import updates by name");

    let csv = t.dir.path().join("census.csv");
    std::fs::write(&csv, "area,dimension,category,count\n1411,race,hispanic,600\n1411,race,white,-3\n1411,race,martian,4\nNowhere,race,white,5\n").unwrap();
    let o = t.run(&["import", "demographics", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(text.contains("line 3, field count") && text.contains("line 4, field category"), "{text}");
    std::fs::write(&csv, "area,dimension,category,count\n1411,race,hispanic,600\nNowhere,race,white,5\n").unwrap();
    let o = t.run(&["import", "demographics", csv.to_str().unwrap()]);
    assert!(out(&o).contains("line 3, field area: no area named \"Nowhere\""), "{}", out(&o));
    assert_eq!(t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM area_demographics")[0].0, "0");
    std::fs::write(
        &csv,
        "area,dimension,category,count\n1411,race,hispanic,600\n1411,race,white,300\n1412,tenure,renter,250\n",
    )
    .unwrap();
    let o = t.run(&["import", "demographics", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    assert_eq!(t.pairs("SELECT CAST(SUM(count) AS TEXT) AS a, NULL AS b FROM area_demographics")[0].0, "1150");

    // ZIP codes: every problem named by line and field, nothing written; then the good file in one go.
    let zips = t.dir.path().join("zips.csv");
    std::fs::write(&zips, "zip,area_code\n60601,1411\n6060x,1412\n60602,Nowhere\n60601,1412\n").unwrap();
    let o = t.run(&["import", "zips", zips.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(
        text.contains("line 3, field zip")
            && text.contains("line 5, field zip")
            && text.contains("nothing was imported"),
        "{text}"
    );
    std::fs::write(&zips, "zip,area\n60601,1411\n60602,Nowhere\n").unwrap();
    let o = t.run(&["import", "zips", zips.to_str().unwrap()]);
    assert!(out(&o).contains("line 3, field area: no area named \"Nowhere\""), "{}", out(&o));
    assert_eq!(t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM area_zip_codes")[0].0, "0");
    std::fs::write(&zips, "area,zip\n1411,60601\n1411,60602-1234\n1412,60603\n").unwrap();
    let o = t.run(&["import", "zips", zips.to_str().unwrap()]);
    assert!(o.status.success() && out(&o).contains("imported 3 ZIP code(s)"), "{}", out(&o));
    let rows =
        t.pairs("SELECT z.zip AS a, a.name AS b FROM area_zip_codes z JOIN areas a ON a.id = z.area_id ORDER BY z.zip");
    let want = [("60601", "1411"), ("60602", "1411"), ("60603", "1412")];
    assert_eq!(rows, want.map(|(a, b)| (a.to_string(), Some(b.to_string()))));
    // Re-importing moves a ZIP; --replace makes the file the whole mapping.
    std::fs::write(&zips, "zip,area\n60603,1411\n").unwrap();
    assert!(t.run(&["import", "zips", zips.to_str().unwrap(), "--replace"]).status.success());
    let rows = t.pairs("SELECT z.zip AS a, a.name AS b FROM area_zip_codes z JOIN areas a ON a.id = z.area_id");
    assert_eq!(rows, [("60603".to_string(), Some("1411".to_string()))]);
}

fn chicago_rows(n: usize, bad_every: usize) -> String {
    let mut s = String::with_capacity(n * 220);
    s.push_str(commonbeat_domain::incident::CHICAGO_HEADER);
    s.push('\n');
    for i in 0..n {
        let date =
            if bad_every > 0 && i % bad_every == bad_every - 1 { "not a date" } else { "03/14/2025 09:26:53 PM" };
        let lat = 41.80 + (i % 1000) as f64 * 0.0001;
        let lon = -87.70 + (i / 1000 % 1000) as f64 * 0.0001;
        s.push_str(&format!(
            "{},JK{i},{date},012XX W MAPLE ST,0820,THEFT,$500 AND UNDER,STREET,false,false,1234,012,27,24,06,,,2025,,{lat:.6},{lon:.6},\"({lat:.6}, {lon:.6})\"\n",
            10_000_000 + i
        ));
    }
    s
}

#[test]
fn incident_imports_report_rejects_update_on_reimport_and_leave_nothing_when_killed() {
    let t = Target::new();
    assert!(t.run(&["migrate"]).status.success());
    let file = t.dir.path().join("crimes.csv");
    std::fs::write(&file, chicago_rows(500, 50)).unwrap();
    let o = t.run(&["import", "incidents", file.to_str().unwrap(), "--profile", "chicago"]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("imported 490 incident(s)")
            && text.contains("490 new, 0 updated")
            && text.contains("10 row(s) rejected"),
        "{text}"
    );
    assert!(text.contains("rejected 10: bad_date") && text.contains("row 51, field Date"), "{text}");
    let report = std::fs::read_to_string(t.dir.path().join("crimes.csv.rejects.csv")).unwrap();
    assert_eq!(report.lines().count(), 11, "{report}");
    let again = t.run(&["import", "incidents", file.to_str().unwrap(), "--profile", "chicago", "--quiet"]);
    assert!(again.status.success());
    assert_eq!(t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM incidents")[0].0, "490", "no duplicates");
    let o = t.run(&["import", "incidents", file.to_str().unwrap(), "--profile", "generic"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("mapping"), "{}", out(&o));

    // A large import killed with SIGKILL in the middle leaves no incident of it behind.
    let big = t.dir.path().join("big.csv");
    std::fs::write(&big, chicago_rows(400_000, 0)).unwrap();
    let mut child = Command::new(BIN)
        .args(["import", "incidents", big.to_str().unwrap(), "--profile", "chicago", "--quiet"])
        .env("COMMONBEAT_DATABASE_URL", &t.url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let running =
            t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM incident_imports WHERE status = 'running'");
        if running[0].0 == "1" {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "the import never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed; use a bigger file");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        t.pairs("SELECT CAST(COUNT(*) AS TEXT) AS a, NULL AS b FROM incidents")[0].0,
        "490",
        "nothing of the killed import"
    );
    assert_eq!(
        t.pairs("SELECT status AS a, NULL AS b FROM incident_imports ORDER BY id DESC")[0].0,
        "running",
        "the killed import never finished; the next server start marks it failed"
    );
}
