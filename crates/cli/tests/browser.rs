//! Every page in real Chromium, in English and Spanish: axe-core (WCAG 2.1 A/AA tags) finds nothing, `<html lang>`
//! is right, the skip link is the first Tab stop and moves focus to the main content, and the page runs under
//! the app's own Content-Security-Policy. The server is the real `commonbeat demo` binary on the test database.
//!
//! Runs when `COMMONBEAT_BROWSER_TESTS=1` (CI sets it; it needs Debian `chromium` and `npm ci --prefix
//! tests/browser`); otherwise it says clearly that it was skipped.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_healthy(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("server on port {port} did not become healthy");
}

/// A second common-ground activity on the Riverside partnership (beside the demo's): four statements, one awaiting review,
/// votes from the members and six members of the public, so every part of the page shows. Returns its id.
fn common_ground_fixture(t: &Target) -> String {
    let riverside = "SELECT id FROM partnerships WHERE slug = 'riverside-beat-1411-partnership'";
    t.sql(&format!(
        "INSERT INTO decisions (jurisdiction_id, partnership_id, kind, title, body, options, settings, status, opens_at, \
         closes_at, is_private, affects, created_by, created_at) SELECT jurisdiction_id, id, 'common_ground', \
         'What would make Riverside feel safer after dark?', '', '[]', '{{\"min_group_size\": 5}}', 'open', 0, \
         4102444800, false, '', NULL, 0 FROM partnerships WHERE id = ({riverside})"
    ));
    let cg = t.pairs("SELECT CAST(MAX(id) AS TEXT) AS a, NULL AS b FROM decisions WHERE kind = 'common_ground'")[0]
        .0
        .clone();
    for (body, status) in [
        ("Fix the broken streetlights on Kostner Avenue", "approved"),
        ("More foot patrols along the river path at night", "approved"),
        ("Open the park field house later for teenagers", "approved"),
        ("Hold the beat meeting at the library instead", "pending"),
    ] {
        t.sql(&format!(
            "INSERT INTO cg_statements (jurisdiction_id, decision_id, author_id, body, status, created_at) \
             SELECT jurisdiction_id, id, NULL, '{body}', '{status}', 0 FROM decisions WHERE id = {cg}"
        ));
    }
    t.sql(&format!(
        "INSERT INTO cg_votes (jurisdiction_id, statement_id, voter_key, side, group_label, vote, cast_at) \
         SELECT m.jurisdiction_id, s.id, 'user:' || m.user_id, m.side, NULL, \
         CASE WHEN s.body LIKE 'More%' AND m.side = 'community' THEN 'disagree' WHEN s.body LIKE 'Open%' THEN 'pass' \
         ELSE 'agree' END, 0 FROM memberships m JOIN cg_statements s ON s.decision_id = {cg} AND s.status = 'approved' \
         WHERE m.partnership_id = ({riverside}) AND m.status = 'active' AND m.role = 'member'"
    ));
    t.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6) \
         INSERT INTO cg_votes (jurisdiction_id, statement_id, voter_key, side, group_label, vote, cast_at) \
         SELECT s.jurisdiction_id, s.id, 'anon:demo' || n.i, NULL, NULL, 'agree', 0 FROM n, cg_statements s \
         WHERE s.decision_id = {cg} AND s.body LIKE 'Fix%'"
    ));
    cg
}

#[test]
fn every_page_passes_axe_and_keyboard_checks_in_english_and_spanish() {
    if std::env::var("COMMONBEAT_BROWSER_TESTS").map_or(true, |v| v.is_empty() || v == "0") {
        println!(
            "browser suite SKIPPED: set COMMONBEAT_BROWSER_TESTS=1 to run it (needs Debian chromium and `npm ci --prefix tests/browser`)"
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(root.join("tests/browser/node_modules/axe-core").exists(), "run `npm ci --prefix tests/browser` first");

    let t = Target::new();
    let seeded = t.run(&["demo", "--no-serve"]);
    assert!(seeded.status.success(), "{}", out(&seeded));
    // Fixtures for pages only reachable with a token or in a half-signed-in state.
    let invite = out(&t.run(&[
        "user",
        "add",
        "--email",
        "invitee@riverton.example",
        "--name",
        "Invited Person",
        "--role",
        "community",
    ]));
    let invite_path = invite
        .split("/invite/")
        .nth(1)
        .map(|s| format!("/invite/{}", s.split_whitespace().next().unwrap()))
        .expect("invitation link");
    let enrol = t.run_stdin(
        &[
            "user",
            "add",
            "--email",
            "rookie@riverton.example",
            "--name",
            "Officer Rookie",
            "--role",
            "police",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(enrol.status.success(), "{}", out(&enrol));
    let secrets: std::collections::HashMap<String, Option<String>> =
        t.pairs("SELECT email AS a, totp_secret AS b FROM users").into_iter().collect();
    let outbox_id = t.pairs("SELECT CAST(MAX(id) AS TEXT) AS a, NULL AS b FROM outbox")[0].0.clone();
    let survey_code = t.pairs("SELECT code AS a, NULL AS b FROM survey_waves WHERE status = 'open'")[0].0.clone();
    let cg = common_ground_fixture(&t);
    let cg_page = format!("/partnerships/riverside-beat-1411-partnership/common-ground/{cg}");
    // The demo's drug-market response (demo/incidents.rs): a 300 m square at Armitage & Kostner, ring buffer to
    // 600 m, response 335 days before today; control = another beat.
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("America/Chicago").unwrap()).date();
    let day = |n: i64| today.checked_sub(jiff::Span::new().days(n)).unwrap();
    let displacement = format!(
        "/crime/displacement?lat=41.9075&lon=-87.7290&inner_m=150&outer_m=300&control_area=5&category=drugs&before_from={}&before_to={}&after_from={}&after_to={today}",
        day(670),
        day(335),
        day(335)
    );

    // Recruiting: a panel the demo resident has still to score, and one they have scored.
    let resident_panel = |scored: &str| {
        t.pairs(&format!(
            "SELECT CAST(MIN(p.candidate_id) AS TEXT) AS a, NULL AS b FROM recruit_panelists p JOIN users u ON u.id = p.user_id \
             WHERE u.email = 'resident@riverton.example' AND {scored} EXISTS (SELECT 1 FROM recruit_scores s \
             WHERE s.candidate_id = p.candidate_id AND s.user_id = p.user_id)"
        ))[0]
            .0
            .clone()
    };
    let (to_score, scored) =
        (format!("/recruiting/panels/{}", resident_panel("NOT")), format!("/recruiting/panels/{}", resident_panel("")));
    let candidate = to_score.replace("/panels/", "/candidates/");
    // Self-assessment: the round the demo resident has still to answer, and a closed round of the same partnership.
    let (sa_slug, sa_open) = t
        .pairs(
            "SELECT p.slug AS a, CAST(r.id AS TEXT) AS b FROM self_assessment_rounds r JOIN partnerships p ON p.id = r.partnership_id \
             JOIN self_assessment_participants sp ON sp.round_id = r.id JOIN users u ON u.id = sp.user_id \
             WHERE u.email = 'resident@riverton.example' AND r.status = 'open'",
        )
        .first()
        .map(|(a, b)| (a.clone(), b.clone().unwrap_or_default()))
        .expect("the demo resident has a self-assessment round to answer");
    let sa_closed = t.pairs(&format!(
        "SELECT CAST(MIN(r.id) AS TEXT) AS a, NULL AS b FROM self_assessment_rounds r JOIN partnerships p ON p.id = r.partnership_id \
         WHERE p.slug = '{sa_slug}' AND r.status = 'closed'"
    ))[0]
        .0
        .clone();
    let sa_home = format!("/partnerships/{sa_slug}/self-assessment");
    let (sa_form, sa_result) = (format!("{sa_home}/{sa_open}"), format!("{sa_home}/{sa_closed}"));

    let port = free_port();
    let child = Command::new(BIN)
        .args(["demo", "--bind", &format!("127.0.0.1:{port}")])
        .env("COMMONBEAT_DATABASE_URL", &t.url)
        .env("COMMONBEAT_QUIET", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let _server = Server(child);
    wait_healthy(port);

    let pw = "riverton beat partners walk together";
    let login = |email: &str, stop: bool| {
        serde_json::json!({"email": email, "password": if email.starts_with("rookie") { PW } else { pw },
                           "totp_secret": secrets.get(email).cloned().flatten(), "stop_after_password": stop})
    };
    let shots = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let plan = serde_json::json!({
        "base": format!("http://127.0.0.1:{port}"),
        "screenshots": shots,
        "enforce_csp": true,
        "sessions": [
            {"name": "public", "login": null, "pages": [
                "/", "/login", "/password/forgot", invite_path,
                "/partnerships", "/partnerships?status=active&goal=prevent", "/partnerships/pulaski-corridor-partnership",
                "/partnerships/northgate-youth-safety-alliance", "/areas", "/areas/1",
                "/partnerships/riverside-beat-1411-partnership/decisions/4",
                "/partnerships/riverside-beat-1411-partnership/decisions/5",
                "/partnerships/northgate-youth-safety-alliance/decisions/8",
                "/partnerships/westlake-seniors-and-safety/decisions/16", cg_page,
                "/partnerships/riverside-beat-1411-partnership/common-ground/3",
                "/partnerships/riverside-beat-1411-partnership/meetings", "/partnerships/riverside-beat-1411-partnership/meetings/40",
                "/partnerships/riverside-beat-1411-partnership/meetings/35", "/partnerships/northgate-youth-safety-alliance/meetings",
                "/partnerships/riverside-beat-1411-partnership/commitments", "/partnerships/northgate-youth-safety-alliance/commitments/1",
                "/crime", "/crime?area=1&category=property", "/crime?partnership=riverside-beat-1411-partnership",
                "/partnerships/riverside-beat-1411-partnership/problems", "/partnerships/riverside-beat-1411-partnership/problems/1",
                "/partnerships/northgate-youth-safety-alliance/problems/4",
                "/partnerships/riverside-beat-1411-partnership/problems/2",
                "/surveys/1/results?by=race&weighted=true&group_trends=race&gap_a=black&gap_b=white",
                "/reports", "/reports?status=closed&category=graffiti", "/reports?page=2", "/reports/new", "/reports/1", "/reports/6",
                "/surveys/1/results", "/surveys/1/results?by=race&weighted=true", format!("/s/{survey_code}/thanks"),
                format!("/s/{survey_code}"), format!("/s/{survey_code}?lang=es"),
                "/recruiting", "/recruiting/events/1", "/recruiting/events/13",
                "/transparency", "/transparency/riverside-beat-1411-partnership",
                "/embed/transparency/riverside-beat-1411-partnership",
                "/partnerships/riverside-beat-1411-partnership/annual-report",
                {"path": "/unsubscribe/not-a-key/meetings", "status": 404},
                {"path": "/no/such/page", "status": 404},
                {"path": "/invite/not-a-real-token", "status": 410},
                {"path": "/password/reset/not-a-real-token", "status": 410}
            ]},
            {"name": "resident", "login": login("resident@riverton.example", false), "pages": [
                "/", "/account", "/partnerships/riverside-beat-1411-partnership", "/partnerships/westlake-seniors-and-safety",
                "/partnerships/riverside-beat-1411-partnership/decisions/1", "/partnerships/riverside-beat-1411-partnership/decisions/2",
                "/partnerships/riverside-beat-1411-partnership/decisions/5", "/partnerships/pulaski-corridor-partnership/decisions/12",
                "/partnerships/pulaski-corridor-partnership/decisions/13", "/partnerships/pulaski-corridor-partnership/decisions/15",
                "/partnerships/riverside-beat-1411-partnership/common-ground/3",
                cg_page, "/account/notifications", "/partnerships/riverside-beat-1411-partnership/meetings/42",
                "/partnerships/riverside-beat-1411-partnership/meetings/39", "/partnerships/riverside-beat-1411-partnership/commitments",
                "/partnerships/riverside-beat-1411-partnership/problems/2", "/partnerships/riverside-beat-1411-partnership/problems/scanning",
                "/reports/new", "/reports/1",
                "/recruiting", "/recruiting/refer", "/recruiting/panels", to_score, scored,
                {"path": "/recruiting/candidates", "status": 403},
                "/partnerships/riverside-beat-1411-partnership/health", {"path": "/sustaining", "status": 403},
                sa_home, sa_form, sa_result
            ]},
            {"name": "challenge", "login": login("officer@riverton.example", true), "pages": ["/login/mfa"]},
            {"name": "enrolment", "login": login("rookie@riverton.example", true), "pages": ["/mfa/setup"]},
            {"name": "police", "login": login("officer@riverton.example", false), "pages": [
                "/", "/account", {"path": "/admin/users", "status": 403}, "/partnerships/new",
                "/partnerships/riverside-beat-1411-partnership", "/partnerships/riverside-beat-1411-partnership/edit",
                "/partnerships/riverside-beat-1411-partnership/decisions/new", "/partnerships/riverside-beat-1411-partnership/decisions/4",
                "/partnerships/riverside-beat-1411-partnership/common-ground/new", cg_page,
                "/partnerships/riverside-beat-1411-partnership/meetings/new", "/partnerships/riverside-beat-1411-partnership/meetings/39",
                "/partnerships/riverside-beat-1411-partnership/meetings/41/edit", "/partnerships/riverside-beat-1411-partnership/commitments",
                "/partnerships/riverside-beat-1411-partnership/decisions/1",
                "/crime", "/crime?area=1", "/crime/imports", "/crime/imports/1", "/crime/displacement", displacement,
                "/partnerships/riverside-beat-1411-partnership/problems", "/partnerships/riverside-beat-1411-partnership/problems/1",
                "/partnerships/riverside-beat-1411-partnership/problems/2", "/partnerships/riverside-beat-1411-partnership/problems/scanning",
                "/reports/triage", "/reports/triage?status=all", "/reports/1", "/reports/10",
                "/surveys", "/surveys/1", "/surveys/1/waves/3", "/surveys/1/texts", "/surveys/1/results?by=area&weighted=false",
                "/surveys/1/results?by=age&weighted=true&trim=5&group_trends=race&gap_a=18-24&gap_b=65%2B",
                "/surveys/1/items/trust_police/edit",
                "/recruiting/candidates", "/recruiting/candidates?stage=community_interview", candidate, "/recruiting/events",
                "/recruiting/reports", "/recruiting/reports?by=sex",
                "/sustaining", "/sustaining?sort=meetings", "/partnerships/pulaski-corridor-partnership/health"
            ]},
            {"name": "admin", "login": login("admin@riverton.example", false), "pages": [
                "/account", "/admin/users", "/admin/audit", "/admin/audit?action=login&outcome=success", "/admin/outbox",
                format!("/admin/outbox/{outbox_id}"), "/recruiting/settings",
                "/sustaining/settings", "/partnerships/old-mill-block-watch/health", "/areas/1"
            ]}
        ]
    });
    let plan_file = t.dir.path().join("plan.json");
    std::fs::write(&plan_file, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
    let run =
        Command::new("node").arg(root.join("tests/browser/run-axe.mjs")).arg(&plan_file).output().expect("node runs");
    let text = out(&run);
    println!("{text}");
    assert!(run.status.success(), "browser checks failed:\n{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}
