//! Transparency dashboard and partnership-health benchmark: seeds a city of 300 active partnerships (one beat each, with census counts)
//! and a year of public records each — 10 problems, 30 commitments, 12 held meetings with 10 sign-ins, 12 closed
//! decisions — plus a public trust survey of three waves × 6,000 responses, then times
//! `commonbeat_web::transparency::city` on SQLite (and PostgreSQL when `COMMONBEAT_TEST_POSTGRES` is set): the
//! first call (raking every wave, filling the trust cache) and warm calls (median and worst of 30).
//!
//! Run with `cargo bench -p commonbeat-web --bench transparency`. Prints a Markdown table for
//! docs/PERFORMANCE.md.

use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::answers::survey_categories;
use commonbeat_domain::survey::templates::template;
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};
use commonbeat_store::repo::jurisdictions;
use commonbeat_store::repo::surveys::{self, NewResponse, NewWave};
use commonbeat_store::{Db, DbUrl, migration};
use commonbeat_web::{AppState, WebConfig};
use sea_orm::ConnectionTrait;
use std::time::Instant;

const PARTNERSHIPS: usize = 300;
const DAY: i64 = 86_400;

async fn open(label: &str) -> (Db, Option<(String, String)>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    if label == "PostgreSQL" {
        let admin = std::env::var("COMMONBEAT_TEST_POSTGRES").unwrap();
        let name = format!(
            "cb_bench_{}",
            &commonbeat_store::secrets::hash_token(&commonbeat_store::secrets::new_token())[..12]
        );
        let a = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
        a.conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let db = commonbeat_store::connect(&DbUrl::parse(&url).unwrap()).await.unwrap();
        (db, Some((admin, name)), dir)
    } else {
        let db = commonbeat_store::connect(&DbUrl::sqlite_in(dir.path())).await.unwrap();
        (db, None, dir)
    }
}

/// A small deterministic generator (xorshift), so every run seeds the same city.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Inserts `rows` (already formatted value tuples) into `table` 500 at a time.
async fn insert(db: &Db, table: &str, cols: &str, rows: &[String]) {
    for chunk in rows.chunks(500) {
        let sql = format!("INSERT INTO {table} ({cols}) VALUES {}", chunk.join(","));
        db.conn.execute_unprepared(&sql).await.unwrap();
    }
}

fn day(t: i64) -> String {
    jiff::Timestamp::from_second(t).unwrap().strftime("%Y-%m-%d").to_string()
}

async fn seed(db: &Db, jid: i64, now: i64) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // 300 beats on a 20 × 15 grid of 500 m squares, each with census counts for the raking margins.
    let mut new_areas = Vec::new();
    for i in 0..PARTNERSHIPS {
        let (lon, lat) = (-87.80 + 0.006 * (i % 20) as f64, 41.80 + 0.0045 * (i / 20) as f64);
        new_areas.push(NewArea {
            name: format!("Beat {i:03}"),
            geometry: format!(
                r#"{{"type":"MultiPolygon","coordinates":[[[[{lon},{lat}],[{x},{lat}],[{x},{y}],[{lon},{y}],[{lon},{lat}]]]]}}"#,
                x = lon + 0.006,
                y = lat + 0.0045
            ),
            bbox: (lon, lat, lon + 0.006, lat + 0.0045),
            area_m2: 250_000.0,
        });
    }
    areas::import(db, jid, "beat", new_areas).await.unwrap();
    let area_ids: Vec<i64> = areas::list(db, jid, None).await.unwrap().iter().map(|a| a.id).collect();
    let mut census = Vec::new();
    for &a in &area_ids {
        for d in [Dimension::Age, Dimension::Sex, Dimension::Race] {
            for c in d.categories() {
                census.push(DemographicCount {
                    area_id: a,
                    dimension: d.as_str().into(),
                    category: (*c).into(),
                    count: 100 + rng.below(900) as i64,
                });
            }
        }
    }
    areas::replace_demographics(db, jid, census).await.unwrap();

    // Partnerships, their areas and ten members each (the attendance's users).
    let t0 = now - 400 * DAY;
    let rows: Vec<String> = (0..PARTNERSHIPS)
        .map(|i| {
            format!("({jid}, 'beat-{i:03}', 'Beat {i:03} Partnership', 'active', 'm', 'quality', 'f', 'monthly', {t0}, {t0})")
        })
        .collect();
    insert(
        db,
        "partnerships",
        "jurisdiction_id, slug, name, status, mission, goals, founding_problem, cadence, created_at, updated_at",
        &rows,
    )
    .await;
    let pids: Vec<i64> = commonbeat_store::repo::partnerships::list(db, jid, &Default::default())
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let rows: Vec<String> = pids.iter().zip(&area_ids).map(|(p, a)| format!("({jid}, {p}, {a})")).collect();
    insert(db, "partnership_areas", "jurisdiction_id, partnership_id, area_id", &rows).await;
    let rows: Vec<String> = (0..PARTNERSHIPS * 10)
        .map(|u| {
            let role = if u % 2 == 0 { "police" } else { "community" };
            format!("({jid}, 'member{u}@example.org', 'Member {u}', '{role}', FALSE, FALSE, 'en', {t0}, {t0})")
        })
        .collect();
    insert(
        db,
        "users",
        "jurisdiction_id, email, name, role, mfa_enabled, disabled, locale, created_at, updated_at",
        &rows,
    )
    .await;
    let first_user: i64 = db
        .conn
        .query_one_raw(db.stmt("SELECT MIN(id) AS m FROM users WHERE jurisdiction_id = $1", vec![jid.into()]))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "m")
        .unwrap();

    // A year of records per partnership.
    let stages = ["scanning", "analysis", "response", "assessment", "closed"];
    let verdicts = ["'solved'", "'reduced'", "'displaced'", "'no_effect'"];
    let statuses = ["open", "in_progress", "done", "done", "done", "dropped"];
    let (mut problems, mut commitments, mut meetings, mut decisions) = (vec![], vec![], vec![], vec![]);
    for &p in &pids {
        for k in 0..10 {
            let stage = stages[rng.below(5) as usize];
            let verdict = if stage == "closed" { verdicts[rng.below(4) as usize] } else { "NULL" };
            let t = now - rng.below(365) as i64 * DAY;
            problems.push(format!(
                "({jid}, {p}, 'Problem {k}', 'property', 'solve', '', '', '', 'normal', '{stage}', 'community', '', '', \
                 '', '', '', '', '', '', '', '', {verdict}, '', '', {}, {t}, {t}, {t})",
                k % 4 != 0
            ));
        }
        for _ in 0..30 {
            let side = ["'police'", "'community'", "NULL"][rng.below(3) as usize];
            let due = now - rng.below(365) as i64 * DAY;
            let status = statuses[rng.below(6) as usize];
            let done = if status == "done" {
                format!("'{}'", day(due + (rng.below(20) as i64 - 12) * DAY))
            } else {
                "NULL".into()
            };
            commitments.push(format!(
                "({jid}, {p}, 'Promise', {side}, '', '{}', '{status}', '', {done}, {}, '{}', {due}, {due})",
                day(due),
                rng.below(5) != 0,
                day(due - 30 * DAY)
            ));
        }
        for m in 0..12 {
            let t = now - (m * 30 + 3) * DAY;
            meetings.push(format!(
                "({jid}, {p}, 'Meeting {m}', 'in_person', 'held', {t}, {}, 'Library', '', '', '', '', '[]', '', 'draft', \
                 FALSE, 0, {}, {}, '', {t}, {t})",
                t + 5400,
                rng.below(3),
                rng.below(6)
            ));
            let t = now - (m * 30 + 5) * DAY;
            decisions.push(format!(
                "({jid}, {p}, 'proposal', 'Decision {m}', '', '[]', '{{}}', 'closed', {t}, {t}, {}, '', {t}, {t})",
                rng.below(6) == 0
            ));
        }
    }
    insert(db, "problems", "jurisdiction_id, partnership_id, title, category, goals, description, place, geometry, priority, stage, source, evidence, offender, victim, place_factor, handler, guardian, manager, questions, sources, assessment, verdict, narrative, lessons, is_public, created_at, updated_at, stage_changed_at", &problems).await;
    insert(db, "commitments", "jurisdiction_id, partnership_id, title, owner_side, owner_org, due_on, status, drop_reason, completed_on, is_public, created_on, created_at, updated_at", &commitments).await;
    insert(db, "meetings", "jurisdiction_id, partnership_id, title, format, status, starts_at, ends_at, place, accessibility, interpretation, online_url, recording_url, agenda, minutes, minutes_status, minutes_public, sequence, walk_ins_police, walk_ins_community, cancel_reason, created_at, updated_at", &meetings).await;
    insert(db, "decisions", "jurisdiction_id, partnership_id, kind, title, body, options, settings, status, opens_at, closes_at, is_private, affects, created_at, closed_at", &decisions).await;
    let ms = db
        .conn
        .query_all_raw(db.stmt("SELECT id, partnership_id FROM meetings WHERE jurisdiction_id = $1", vec![jid.into()]))
        .await
        .unwrap();
    let mut attendance = Vec::new();
    for m in ms {
        let (id, p): (i64, i64) = (m.try_get("", "id").unwrap(), m.try_get("", "partnership_id").unwrap());
        let k = pids.iter().position(|x| *x == p).unwrap() as i64;
        for u in 0..10 {
            let side = if u % 2 == 0 { "police" } else { "community" };
            attendance.push(format!("({jid}, {id}, {}, '{side}', {now})", first_user + k * 10 + u));
        }
    }
    insert(db, "meeting_attendance", "jurisdiction_id, meeting_id, user_id, side, signed_at", &attendance).await;

    // A public trust survey: three waves of 6,000 responses over every beat.
    let inst = template("trust_safety").unwrap();
    let s = surveys::create(db, jid, "Trust survey", "trust_safety", &inst.to_json(), None).await.unwrap();
    surveys::set_results_public(db, jid, s.id, true).await.unwrap();
    let v = surveys::current_version(db, jid, &s).await.unwrap();
    for (w, months) in [10i64, 5, 1].into_iter().enumerate() {
        let start = now - months * 30 * DAY;
        let wave = surveys::create_wave(
            db,
            jid,
            NewWave {
                survey_id: s.id,
                version_id: v.id,
                name: format!("Wave {}", w + 1),
                starts_on: day(start),
                ends_on: day(start + 28 * DAY),
                area_ids: area_ids.clone(),
                target_sample: 6000,
                open_link: true,
            },
        )
        .await
        .unwrap();
        let pick = |d: Dimension, rng: &mut Rng| {
            // Two categories per margin, so 20 respondents per area and wave fill the raking cells.
            let cats = survey_categories(d);
            cats[rng.below(2) as usize].to_string()
        };
        let rows: Vec<NewResponse> = (0..6000)
            .map(|i| {
                let mut answers = serde_json::Map::new();
                for item in ["respect", "listen", "fair", "trust_police"] {
                    answers.insert(item.into(), (1 + rng.below(5)).into());
                }
                NewResponse {
                    survey_id: s.id,
                    wave_id: wave.id,
                    version_id: v.id,
                    area_id: Some(area_ids[i % area_ids.len()]),
                    answers: serde_json::Value::Object(answers).to_string(),
                    demographics: [
                        pick(Dimension::Race, &mut rng),
                        pick(Dimension::Age, &mut rng),
                        pick(Dimension::Sex, &mut rng),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                    locale: "en".into(),
                    channel: "link".into(),
                    texts: Vec::new(),
                    at: start + DAY,
                }
            })
            .collect();
        surveys::bulk_insert(db, jid, rows, "approved", &[]).await.unwrap();
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run_backend(label: &str, rows: &mut Vec<(String, String)>) {
    let (db, pg, _dir) = open(label).await;
    migration::migrate(&db).await.unwrap();
    let j = jurisdictions::ensure_default(&db, "Bench", "America/Chicago").await.unwrap();
    let now = jiff::Timestamp::now().as_second();
    let t = Instant::now();
    seed(&db, j.id, now).await;
    rows.push((
        format!("seed 300 partnerships + a year of records + 18,000 responses ({label})"),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));
    let state = AppState::new(db.clone(), WebConfig::local("http://127.0.0.1"));
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let t = Instant::now();
    let d = commonbeat_web::transparency::city(&state, j.id, "Bench", &tz).await.unwrap();
    rows.push((
        format!("city dashboard, first call: raking 3 waves, filling the trust cache ({label})"),
        format!("{:.1} ms", ms(t.elapsed())),
    ));
    assert_eq!(d.partnerships.len(), PARTNERSHIPS);
    assert!(d.partnerships.iter().all(|p| p.meetings == 12 && p.promises[2].due > 0), "seeded year missing");
    let with_trust = d.partnerships.iter().filter(|p| p.trust.as_ref().is_some_and(|t| !t.estimate.suppressed)).count();
    rows.push((
        format!("partnerships with a published trust estimate ({label})"),
        format!("{with_trust} of {PARTNERSHIPS}"),
    ));
    let mut times: Vec<f64> = (0..30).map(|_| 0.0).collect();
    for x in times.iter_mut() {
        let t = Instant::now();
        let d = commonbeat_web::transparency::city(&state, j.id, "Bench", &tz).await.unwrap();
        *x = ms(t.elapsed());
        assert_eq!(d.partnerships.len(), PARTNERSHIPS);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rows.push((
        format!("city dashboard, warm: median / worst of 30 ({label})"),
        format!("{:.1} / {:.1} ms", times[times.len() / 2], times[times.len() - 1]),
    ));
    let w = commonbeat_web::transparency::trailing_window(&tz, jiff::Timestamp::now());
    let mut q: Vec<f64> = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        commonbeat_store::repo::transparency::aggregates(&db, j.id, None, &w).await.unwrap();
        q.push(ms(t.elapsed()));
    }
    q.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rows.push((format!("of which the six grouped queries, median of 10 ({label})"), format!("{:.1} ms", q[5])));
    // Partnership health (issue 9): the hourly job over 300 partnerships, then the department view's reads.
    let t = Instant::now();
    commonbeat_web::sustain::apply(&db, j.id, "America/Chicago", now).await.unwrap();
    rows.push((
        format!("health: compute and store 300 partnerships' signals and alerts, the hourly job ({label})"),
        format!("{:.0} ms", ms(t.elapsed())),
    ));
    let mut h: Vec<f64> = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let l = commonbeat_web::routes::sustaining::department::load(&state, j.id, "America/Chicago").await.unwrap();
        let parsed: usize = l
            .snapshots
            .values()
            .filter_map(|v| v.last())
            .map(|s| commonbeat_web::routes::sustaining::signals_of(s).len())
            .sum();
        h.push(ms(t.elapsed()));
        assert_eq!(l.partnerships.len(), PARTNERSHIPS);
        assert_eq!(parsed, PARTNERSHIPS * 11, "every partnership has its eleven signals");
    }
    h.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rows.push((
        format!("health department view data (300 partnerships, snapshots parsed): median / worst of 30 ({label})"),
        format!("{:.1} / {:.1} ms", h[h.len() / 2], h[h.len() - 1]),
    ));
    let json = serde_json::to_string(&d).unwrap();
    rows.push((format!("JSON answer size ({label})"), format!("{} kB", json.len() / 1024)));
    db.conn.close().await.ok();
    if let Some((admin, name)) = pg {
        let a = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
        let _ = a.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut rows = Vec::new();
    run_backend("SQLite", &mut rows).await;
    if std::env::var("COMMONBEAT_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        run_backend("PostgreSQL", &mut rows).await;
    }
    println!("| measurement | result |\n|---|---|");
    for (k, v) in rows {
        println!("| {k} | {v} |");
    }
}
