//! Foundation benchmarks: password hashing, sign-in, session-authenticated pages, health checks and audit appends,
//! against the real server on 127.0.0.1 and a real database (SQLite; PostgreSQL too when
//! `COMMONBEAT_TEST_POSTGRES` is set). Run with `cargo bench -p commonbeat-web --bench foundation`.
//! Prints a Markdown table for docs/PERFORMANCE.md.

use commonbeat_domain::{Email, Locale, PersonName, Role};
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_store::repo::jurisdictions;
use commonbeat_store::repo::users::{self, NewUser};
use commonbeat_store::{Db, DbUrl, migration};
use commonbeat_web::auth::password;
use commonbeat_web::{AppState, WebConfig};
use sea_orm::ConnectionTrait;
use std::time::{Duration, Instant};

const PW: &str = "lantern orchard velvet quarry";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

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

/// Requests per second for `secs` seconds with `concurrency` clients.
async fn throughput(client: &reqwest::Client, url: &str, concurrency: usize, secs: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let c = client.clone();
            let u = url.to_string();
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let r = c.get(&u).send().await.unwrap();
                    assert!(r.status().is_success(), "{u}: {}", r.status());
                    let _ = r.bytes().await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

async fn run_backend(label: &str, rows: &mut Vec<(String, String)>) {
    let (db, pg, _dir) = open(label).await;
    migration::migrate(&db).await.unwrap();
    let j = jurisdictions::ensure_default(&db, "Bench", "America/Chicago").await.unwrap();
    users::create(
        &db,
        j.id,
        NewUser {
            email: Email::parse("bench@example.org").unwrap(),
            name: PersonName::parse("Bench").unwrap(),
            role: Role::Community,
            password_hash: Some(password::hash(PW)),
            locale: Locale::En,
        },
    )
    .await
    .unwrap();

    // Audit appends (sequential; each is a transaction with the chain link).
    let n = 2_000;
    let t = Instant::now();
    for i in 0..n {
        audit::append(
            &db,
            j.id,
            AuditEvent {
                actor: format!("a{i}"),
                action: "bench".into(),
                outcome: "success".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    rows.push((
        format!("audit append, sequential ({label})"),
        format!("{:.0} entries/s", n as f64 / t.elapsed().as_secs_f64()),
    ));
    let t = Instant::now();
    let verified = audit::verify(&db, j.id).await.unwrap().unwrap();
    rows.push((
        format!("audit verify ({label})"),
        format!("{:.0} entries/s", verified as f64 / t.elapsed().as_secs_f64()),
    ));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(db.clone(), WebConfig::local(&addr));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(commonbeat_web::serve(listener, state, async move {
        let _ = rx.await;
    }));

    let plain = reqwest::Client::new();
    rows.push((
        format!("GET /healthz, 8 clients ({label})"),
        format!("{:.0} req/s", throughput(&plain, &format!("{addr}/healthz"), 8, 3).await),
    ));
    rows.push((
        format!("GET / anonymous page, 8 clients ({label})"),
        format!("{:.0} req/s", throughput(&plain, &format!("{addr}/"), 8, 3).await),
    ));

    // Sign-in round trips (argon2id verification dominates).
    let mut times = Vec::new();
    let mut client = None;
    for _ in 0..15 {
        let c =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let html = c.get(format!("{addr}/login")).send().await.unwrap().text().await.unwrap();
        let csrf = html.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let t = Instant::now();
        let r = c
            .post(format!("{addr}/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", "bench@example.org"), ("password", PW)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        client = Some(c);
    }
    rows.push((format!("sign-in round trip, median of 15 ({label})"), format!("{:.1} ms", median(times))));
    let c = client.unwrap();
    rows.push((
        format!("GET /account signed in, 8 clients ({label})"),
        format!("{:.0} req/s", throughput(&c, &format!("{addr}/account"), 8, 3).await),
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
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut rows = Vec::new();
    let times: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let _ = password::hash(PW);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    rows.push(("argon2id hash (m=19 MiB, t=2, p=1), median of 20".to_string(), format!("{:.1} ms", median(times))));
    run_backend("SQLite", &mut rows).await;
    if std::env::var("COMMONBEAT_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        run_backend("PostgreSQL", &mut rows).await;
    }
    println!("| measurement | result |\n|---|---|");
    for (k, v) in rows {
        println!("| {k} | {v} |");
    }
}
