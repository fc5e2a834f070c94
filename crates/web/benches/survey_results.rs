//! Survey results benchmark (issue 8, part 8: "the results page over 100,000 responses in under 200 ms"): seeds a
//! jurisdiction of 20 areas with census margins and one Trust & Safety wave of 100,000 deterministic responses
//! with demographics skewed against the census (so raking matters) and a trust gap by race, then times what
//! `/surveys/{id}/results` computes — `compute_results` (raking per area, estimates by area or group, the gap,
//! trends) — and the page itself over HTTP: the first (cold) call, then median and worst of warm calls. SQLite,
//! and PostgreSQL when `COMMONBEAT_TEST_POSTGRES` is set.
//!
//! `cargo bench -p commonbeat-web --bench survey_results` runs the full size and prints a Markdown table for
//! docs/PERFORMANCE.md. Without `--bench` (as under `cargo test`) it runs a quick check with 3,000 responses.

use commonbeat_domain::Locale;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::answers::survey_categories;
use commonbeat_domain::survey::templates::template;
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};
use commonbeat_store::repo::jurisdictions;
use commonbeat_store::repo::surveys::{self, NewResponse, NewWave};
use commonbeat_store::{Db, DbUrl, migration};
use commonbeat_web::context::Ctx;
use commonbeat_web::routes::surveys::compute::{rake_wave, respondents_from};
use commonbeat_web::routes::surveys::results::{ResultsQuery, compute_results};
use commonbeat_web::{AppState, WebConfig};
use sea_orm::ConnectionTrait;
use std::time::Instant;

const AREAS: usize = 20;
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

/// A small deterministic generator (xorshift), so every run seeds the same responses.
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
    /// An index drawn with the given relative weights.
    fn weighted(&mut self, w: &[u64]) -> usize {
        let mut x = self.below(w.iter().sum());
        for (i, v) in w.iter().enumerate() {
            if x < *v {
                return i;
            }
            x -= v;
        }
        w.len() - 1
    }
}

fn day(t: i64) -> String {
    jiff::Timestamp::from_second(t).unwrap().strftime("%Y-%m-%d").to_string()
}

/// Seeds the areas, their census counts and the survey; returns the survey id.
async fn seed(db: &Db, jid: i64, now: i64, responses: usize) -> i64 {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let new_areas = (0..AREAS)
        .map(|i| {
            let (lon, lat) = (-87.80 + 0.02 * (i % 5) as f64, 41.80 + 0.015 * (i / 5) as f64);
            NewArea {
                name: format!("Beat {i:02}"),
                geometry: format!(
                    r#"{{"type":"MultiPolygon","coordinates":[[[[{lon},{lat}],[{x},{lat}],[{x},{y}],[{lon},{y}],[{lon},{lat}]]]]}}"#,
                    x = lon + 0.02,
                    y = lat + 0.015
                ),
                bbox: (lon, lat, lon + 0.02, lat + 0.015),
                area_m2: 2_500_000.0,
            }
        })
        .collect();
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
                    count: 200 + rng.below(2000) as i64,
                });
            }
        }
    }
    areas::replace_demographics(db, jid, census).await.unwrap();

    let inst = template("trust_safety").unwrap();
    let s = surveys::create(db, jid, "Trust and safety", "trust_safety", &inst.to_json(), None).await.unwrap();
    surveys::set_results_public(db, jid, s.id, true).await.unwrap();
    let v = surveys::current_version(db, jid, &s).await.unwrap();
    let start = now - 30 * DAY;
    let wave = surveys::create_wave(
        db,
        jid,
        NewWave {
            survey_id: s.id,
            version_id: v.id,
            name: "Citywide".into(),
            starts_on: day(start),
            ends_on: day(start + 28 * DAY),
            area_ids: area_ids.clone(),
            target_sample: responses as i64,
            open_link: true,
        },
    )
    .await
    .unwrap();
    // Respondents skew older, female and white compared with the census; trust is lower among Black and
    // Hispanic respondents, so the weighted estimate differs from the raw one and there is a gap to measure.
    let cats: Vec<Vec<&'static str>> = Dimension::ALL.iter().map(|d| survey_categories(*d)).collect();
    let skew = |d: Dimension, n: usize| -> Vec<u64> {
        (0..n)
            .map(|k| match d {
                Dimension::Age => 5 + 4 * k as u64,
                Dimension::Sex => [60, 38, 2].get(k).copied().unwrap_or(1),
                Dimension::Race => [50, 8, 14, 10, 6, 4, 4, 4].get(k).copied().unwrap_or(2),
                _ => 10,
            })
            .collect()
    };
    let weights: Vec<Vec<u64>> = Dimension::ALL.iter().zip(&cats).map(|(d, c)| skew(*d, c.len())).collect();
    let race_i = Dimension::ALL.iter().position(|d| *d == Dimension::Race).unwrap();
    let items = ["safe_day", "safe_night", "respect", "listen", "fair", "trust_police"];
    let mut rows = Vec::with_capacity(responses);
    for i in 0..responses {
        let mut demo: [String; 6] = Default::default();
        let skipped = rng.below(50) == 0;
        let mut race_k = 0;
        for (j, c) in cats.iter().enumerate() {
            // About one in fifty respondents skips the demographics block (not weighted).
            if skipped || rng.below(40) == 0 && j != race_i {
                continue;
            }
            let k = rng.weighted(&weights[j]);
            if j == race_i {
                race_k = k;
            }
            demo[j] = c[k].to_string();
        }
        let base = if race_k == 0 { 6 } else { 3 };
        let mut answers = serde_json::Map::new();
        for item in items {
            if rng.below(30) != 0 {
                answers.insert(item.into(), (base + rng.below(5).min(10 - base)).into());
            }
        }
        rows.push(NewResponse {
            survey_id: s.id,
            wave_id: wave.id,
            version_id: v.id,
            area_id: Some(area_ids[i % AREAS]),
            answers: serde_json::Value::Object(answers).to_string(),
            demographics: demo,
            locale: if i % 5 == 0 { "es" } else { "en" }.into(),
            channel: "link".into(),
            texts: Vec::new(),
            at: start + DAY + (i as i64 % 20) * DAY,
        });
    }
    surveys::bulk_insert(db, jid, rows, "approved", &[]).await.unwrap();
    s.id
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and worst of the times, formatted.
fn summary(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!("{:.1} / {:.1} ms", v[v.len() / 2], v[v.len() - 1])
}

async fn run_backend(label: &str, full: bool, rows: &mut Vec<(String, String)>) {
    let (n, warm) = if full { (100_000, 30) } else { (3_000, 3) };
    let (db, pg, _dir) = open(label).await;
    migration::migrate(&db).await.unwrap();
    let j = jurisdictions::ensure_default(&db, "Bench", "America/Chicago").await.unwrap();
    let now = jiff::Timestamp::now().as_second();
    let t = Instant::now();
    let sid = seed(&db, j.id, now, n).await;
    rows.push((
        format!("seed {AREAS} areas with census margins + one wave of {n} responses ({label})"),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(db.clone(), WebConfig::local(&addr));
    let ctx = Ctx {
        jurisdiction: j.clone(),
        locale: Locale::En,
        session: None,
        user: None,
        pending_user: None,
        via_token: false,
        source: "bench".into(),
        csrf: String::new(),
        path: String::new(),
    };
    let s = surveys::by_id(&db, j.id, sid).await.unwrap();
    let by_area = ResultsQuery::default();
    let by_race = ResultsQuery {
        by: Some("race".into()),
        group_trends: Some("race".into()),
        gap_a: Some("white".into()),
        gap_b: Some("black".into()),
        ..Default::default()
    };

    let t = Instant::now();
    let r = compute_results(&state, &ctx, &s, true, &by_area).await.unwrap();
    rows.push((
        format!("results data by area, first call: load, score and rake {n} responses ({label})"),
        format!("{:.1} ms", ms(t.elapsed())),
    ));
    let shown = r.overall.n.unwrap_or(0);
    assert_eq!(r.rows.len(), AREAS);
    if full {
        assert!(shown as usize > n * 8 / 10, "most respondents weighted: {shown} of {n}");
        assert!(r.raking.iter().all(|a| a.weighted), "every area raked: {:?}", r.raking.iter().find(|a| !a.weighted));
    } else {
        assert!(shown as usize > n / 2, "most respondents weighted: {shown} of {n}");
    }
    rows.push((
        format!("respondents in the weighted estimate ({label})"),
        format!("{shown} of {n}, trust {:.1}", r.overall.mean.unwrap_or(f64::NAN)),
    ));

    for (name, q) in [("by area", &by_area), ("by race with the gap and per-race trends", &by_race)] {
        let mut times = Vec::new();
        for _ in 0..warm {
            let t = Instant::now();
            let r = compute_results(&state, &ctx, &s, true, q).await.unwrap();
            times.push(ms(t.elapsed()));
            assert!(r.overall.mean.is_some() && !r.rows.is_empty());
        }
        rows.push((format!("results data {name}, warm: median / worst of {warm} ({label})"), summary(times)));
    }
    // Where the first call's time goes.
    let w = surveys::waves(&db, j.id, sid).await.unwrap().pop().unwrap();
    let t = Instant::now();
    let stored = surveys::response_columns(&db, j.id, w.id, 0).await.unwrap();
    rows.push((format!("of which: read {n} responses' columns ({label})"), format!("{:.1} ms", ms(t.elapsed()))));
    let v = surveys::version_by_id(&db, j.id, w.version_id).await.unwrap();
    let inst = commonbeat_domain::survey::Instrument::from_json(&v.instrument).unwrap();
    let t = Instant::now();
    let resp = respondents_from(
        &inst,
        stored
            .area
            .iter()
            .zip(&stored.answers)
            .zip(&stored.demographics)
            .map(|((a, x), d)| (*a, x.as_str(), d.each_ref().map(String::as_str))),
    );
    rows.push((
        format!("of which: parse answers, score {n} respondents ({label})"),
        format!("{:.1} ms", ms(t.elapsed())),
    ));
    let mut census = std::collections::BTreeMap::new();
    for a in surveys::wave_areas(&w) {
        census.insert(a, areas::demographics(&db, j.id, &[a]).await.unwrap());
    }
    let t = Instant::now();
    rake_wave(&resp, &census, None);
    rows.push((format!("of which: rake {AREAS} areas × 3 margins ({label})"), format!("{:.1} ms", ms(t.elapsed()))));
    let mut st = Vec::new();
    for _ in 0..warm {
        let t = Instant::now();
        surveys::results_stamp(&db, j.id, &[w.id]).await.unwrap();
        st.push(ms(t.elapsed()));
    }
    rows.push((format!("the cache's stamp query, median / worst of {warm} ({label})"), summary(st)));
    let raw = ResultsQuery { weighted: Some(false), by: Some("age".into()), ..Default::default() };
    let t = Instant::now();
    compute_results(&state, &ctx, &s, true, &raw).await.unwrap();
    rows.push((format!("results data unweighted by age, first call ({label})"), format!("{:.1} ms", ms(t.elapsed()))));

    // While a wave is being answered: one new response, then the results (only the new row is read, then re-raked).
    let mut times = Vec::new();
    for i in 0..warm.min(10) {
        let mut answers = serde_json::Map::new();
        answers.insert("trust_police".into(), (i % 11).into());
        let r = NewResponse {
            survey_id: sid,
            wave_id: w.id,
            version_id: w.version_id,
            area_id: r.rows.first().and_then(|c| c.key.parse().ok()),
            answers: serde_json::Value::Object(answers).to_string(),
            demographics: ["white", "35-44", "female", "", "", ""].map(String::from),
            locale: "en".into(),
            channel: "link".into(),
            texts: Vec::new(),
            at: now,
        };
        surveys::submit(&db, j.id, r, None).await.unwrap();
        let t = Instant::now();
        let out = compute_results(&state, &ctx, &s, true, &by_area).await.unwrap();
        times.push(ms(t.elapsed()));
        assert_eq!(out.overall.n, Some(shown + i as u64 + 1), "the new response counts at once");
    }
    rows.push((
        format!("results data by area right after a new response: median / worst of {} ({label})", times.len()),
        summary(times),
    ));

    // The page itself over HTTP (published results, anonymous visitor) on a fresh state: cold, then warm.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(commonbeat_web::serve(listener, AppState::new(db.clone(), WebConfig::local(&addr)), async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let url = format!("{addr}/surveys/{sid}/results");
    let get = |u: String| {
        let c = client.clone();
        async move {
            let t = Instant::now();
            let r = c.get(&u).send().await.unwrap();
            assert!(r.status().is_success(), "{u}: {}", r.status());
            let body = r.text().await.unwrap();
            assert!(body.contains("<svg"), "the page has its charts");
            (ms(t.elapsed()), body.len())
        }
    };
    let (cold, size) = get(url.clone()).await;
    rows.push((
        format!("GET /surveys/{{id}}/results, first call ({label})"),
        format!("{cold:.1} ms, {} kB", size / 1024),
    ));
    let mut times = Vec::new();
    for _ in 0..warm {
        times.push(get(url.clone()).await.0);
    }
    rows.push((format!("GET /surveys/{{id}}/results, warm: median / worst of {warm} ({label})"), summary(times)));
    let mut times = Vec::new();
    for _ in 0..warm {
        times.push(get(format!("{url}?by=race&group_trends=race&gap_a=white&gap_b=black")).await.0);
    }
    rows.push((
        format!(
            "GET …/results?by=race&group_trends=race&gap_a=white&gap_b=black, warm: median / worst of {warm} ({label})"
        ),
        summary(times),
    ));

    let _ = tx.send(());
    db.conn.close().await.ok();
    if let Some((admin, name)) = pg {
        let a = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
        let _ = a.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`) gets the quick check.
    let full = args.iter().any(|a| a == "--bench");
    let mut rows = Vec::new();
    run_backend("SQLite", full, &mut rows).await;
    if std::env::var("COMMONBEAT_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        run_backend("PostgreSQL", full, &mut rows).await;
    }
    println!("| measurement | result |\n|---|---|");
    for (k, v) in rows {
        println!("| {k} | {v} |");
    }
}
