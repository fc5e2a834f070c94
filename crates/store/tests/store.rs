//! Repository behaviour that must hold on both backends, including under concurrency.
//! SQLite by default; PostgreSQL when `COMMONBEAT_TEST_POSTGRES` is set (a database per test, dropped after).

use commonbeat_domain::{Email, Locale, PersonName, Role};
use commonbeat_store::repo::tokens::Purpose;
use commonbeat_store::repo::users::NewUser;
use commonbeat_store::repo::{audit, jobs, jurisdictions, throttle, tokens, users};
use commonbeat_store::{Backend, Db, DbUrl, migration};
use sea_orm::ConnectionTrait;

struct Fresh {
    db: Db,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match std::env::var("COMMONBEAT_TEST_POSTGRES").ok().filter(|v| !v.is_empty()) {
        Some(admin) => {
            let name = format!(
                "cb_store_{}",
                &commonbeat_store::secrets::hash_token(&commonbeat_store::secrets::new_token())[..16]
            );
            let a = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
            a.conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            a.conn.close().await.ok();
            (format!("{}/{name}", admin.rsplit_once('/').unwrap().0), Some((admin, name)))
        }
        None => (format!("sqlite://{}/s.db", dir.path().display()), None),
    };
    let db = commonbeat_store::connect(&DbUrl::parse(&url).unwrap()).await.unwrap();
    migration::migrate(&db).await.unwrap();
    Fresh { db, _dir: dir, pg }
}

impl Fresh {
    async fn done(self) {
        self.db.conn.close().await.ok();
        if let Some((admin, name)) = self.pg {
            let a = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
            a.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
        }
    }
}

async fn user(db: &Db, jid: i64, email: &str) -> i64 {
    users::create(
        db,
        jid,
        NewUser {
            email: Email::parse(email).unwrap(),
            name: PersonName::parse("T").unwrap(),
            role: Role::Community,
            password_hash: None,
            locale: Locale::En,
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn backup_table_list_names_every_table_the_migrations_create() {
    let f = fresh().await;
    let sql = match f.db.backend {
        Backend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
    };
    let rows = f.db.conn.query_all_raw(f.db.stmt(sql, vec![])).await.unwrap();
    let mut found: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "t").unwrap()).collect();
    found.sort();
    let mut listed: Vec<String> = migration::TABLES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
    f.done().await;
}

#[tokio::test]
async fn concurrent_job_claims_never_hand_out_the_same_job() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    for i in 0..20 {
        jobs::enqueue(&f.db, j.id, "test", &i.to_string(), 0).await.unwrap();
    }
    let claims = futures::future::join_all((0..8).map(|_| {
        let db = f.db.clone();
        async move {
            let mut mine = Vec::new();
            while let Some(job) = jobs::claim(&db, 60).await.unwrap() {
                mine.push(job.id);
                jobs::complete(&db, job.id).await.unwrap();
            }
            mine
        }
    }))
    .await;
    let mut all: Vec<i64> = claims.into_iter().flatten().collect();
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!((n, all.len()), (20, 20), "every job claimed exactly once");
    assert_eq!(jobs::pending_count(&f.db).await.unwrap(), 0);
    f.done().await;
}

#[tokio::test]
async fn failed_jobs_retry_then_give_up() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    jobs::enqueue(&f.db, j.id, "flaky", "", 0).await.unwrap();
    let mut gave_up = false;
    for _ in 0..5 {
        let job = jobs::claim(&f.db, 60).await.unwrap().expect("due");
        gave_up = jobs::fail(&f.db, &job, "boom", -1).await.unwrap();
    }
    assert!(gave_up, "gives up after max_attempts");
    assert!(jobs::claim(&f.db, 60).await.unwrap().is_none());
    f.done().await;
}

#[tokio::test]
async fn single_use_tokens_are_single_use_under_concurrency_and_expire() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    let u = user(&f.db, j.id, "a@example.org").await;
    let t = tokens::issue_one_time(&f.db, j.id, u, Purpose::PasswordReset).await.unwrap();
    let results =
        futures::future::join_all((0..6).map(|_| tokens::consume_one_time(&f.db, j.id, &t, Purpose::PasswordReset)))
            .await;
    assert_eq!(results.into_iter().filter(|r| matches!(r, Ok(Some(_)))).count(), 1);
    let t2 = tokens::issue_one_time(&f.db, j.id, u, Purpose::Invitation).await.unwrap();
    assert!(
        tokens::consume_one_time(&f.db, j.id, &t2, Purpose::PasswordReset).await.unwrap().is_none(),
        "purpose must match"
    );
    f.db.conn.execute_unprepared("UPDATE one_time_tokens SET expires_at = 0").await.unwrap();
    assert!(tokens::peek_one_time(&f.db, j.id, &t2, Purpose::Invitation).await.unwrap().is_none(), "expired");
    f.done().await;
}

#[tokio::test]
async fn concurrent_audit_appends_keep_one_unbroken_chain() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    futures::future::join_all((0..40).map(|i| {
        audit::append(
            &f.db,
            j.id,
            audit::AuditEvent {
                actor: format!("a{i}"),
                action: "x".into(),
                outcome: "success".into(),
                ..Default::default()
            },
        )
    }))
    .await
    .into_iter()
    .for_each(|r| {
        r.unwrap();
    });
    assert_eq!(audit::verify(&f.db, j.id).await.unwrap(), Ok(40));
    f.done().await;
}

#[tokio::test]
async fn rate_limit_windows_count_every_hit_once() {
    let f = fresh().await;
    let hits = futures::future::join_all((0..25).map(|_| throttle::hit(&f.db, "bucket", 3600))).await;
    let mut counts: Vec<i64> = hits.into_iter().map(|h| h.unwrap()).collect();
    counts.sort();
    // Within one window every hit gets a distinct count 1..=25 (a window boundary may split them in two runs).
    counts.dedup();
    assert!(counts.len() >= 13 && *counts.last().unwrap() <= 25, "{counts:?}");
    f.done().await;
}

#[tokio::test]
async fn totp_steps_can_be_claimed_once() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    let u = user(&f.db, j.id, "a@example.org").await;
    assert!(users::claim_totp_step(&f.db, j.id, u, 100).await.unwrap());
    assert!(!users::claim_totp_step(&f.db, j.id, u, 100).await.unwrap());
    assert!(!users::claim_totp_step(&f.db, j.id, u, 99).await.unwrap());
    assert!(users::claim_totp_step(&f.db, j.id, u, 101).await.unwrap());
    f.done().await;
}

async fn partnership_with_decision(f: &Fresh, changeable: bool) -> (i64, i64, Vec<i64>) {
    use commonbeat_domain::partnership::Charter;
    use commonbeat_store::repo::{decisions, partnerships};
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(user(&f.db, j.id, &format!("v{i}@example.org")).await);
    }
    let charter = Charter::parse("Beat partnership", "A mission long enough", "solve", "A problem", "monthly").unwrap();
    let p = partnerships::create(&f.db, j.id, &charter, &[], None).await.unwrap();
    let now = commonbeat_store::now();
    let d = decisions::create(
        &f.db,
        j.id,
        decisions::NewDecision {
            partnership_id: p.id,
            kind: "proposal".into(),
            title: "Ask the city for lighting on Pulaski".into(),
            body: String::new(),
            options: "[]".into(),
            settings: serde_json::json!({"changeable": changeable}).to_string(),
            opens_at: now - 10,
            closes_at: now + 3600,
            is_private: false,
            affects: String::new(),
            created_by: None,
        },
        &[],
    )
    .await
    .unwrap();
    (j.id, d.id, voters)
}

#[tokio::test]
async fn concurrent_ballots_of_one_voter_count_once_and_none_after_close() {
    use commonbeat_store::repo::decisions::{self, Cast, NewBallot};
    let f = fresh().await;
    let (jid, did, voters) = partnership_with_decision(&f, true).await;
    let v = voters[0];
    let results = futures::future::join_all((0..8).map(|i| {
        let db = f.db.clone();
        async move {
            let choice = if i % 2 == 0 { "\"agree\"" } else { "\"disagree\"" };
            decisions::cast(
                &db,
                jid,
                did,
                NewBallot { user_id: v, side: "community", choice, reason: "", changeable: true },
            )
            .await
        }
    }))
    .await;
    let created = results.iter().filter(|r| matches!(r, Ok(Cast::Created))).count();
    assert_eq!(created, 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    let all = decisions::ballots(&f.db, jid, did).await.unwrap();
    assert_eq!(all.len(), 1, "one ballot per voter");
    assert_eq!(all[0].revision, 8, "every change counted as a revision");

    decisions::cast(
        &f.db,
        jid,
        did,
        NewBallot { user_id: voters[1], side: "police", choice: "\"agree\"", reason: "", changeable: true },
    )
    .await
    .unwrap();
    assert!(decisions::close(&f.db, jid, did).await.unwrap());
    assert!(!decisions::close(&f.db, jid, did).await.unwrap(), "closing is idempotent");
    let late = decisions::cast(
        &f.db,
        jid,
        did,
        NewBallot { user_id: voters[2], side: "police", choice: "\"agree\"", reason: "", changeable: true },
    )
    .await;
    assert!(late.is_err(), "no ballot after close");
    assert_eq!(decisions::ballots(&f.db, jid, did).await.unwrap().len(), 2);
    decisions::set_outcome(&f.db, jid, did, "Passed: the co-chairs write to the alderman.", voters[1], None)
        .await
        .unwrap();
    f.done().await;
}

#[tokio::test]
async fn unchangeable_ballots_stay_as_first_cast_even_concurrently() {
    use commonbeat_store::repo::decisions::{self, NewBallot};
    let f = fresh().await;
    let (jid, did, voters) = partnership_with_decision(&f, false).await;
    let results = futures::future::join_all((0..6).map(|i| {
        let db = f.db.clone();
        let v = voters[0];
        async move {
            let choice = format!("\"{}\"", if i == 0 { "agree" } else { "block" });
            decisions::cast(
                &db,
                jid,
                did,
                NewBallot { user_id: v, side: "community", choice: &choice, reason: "", changeable: false },
            )
            .await
        }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    let all = decisions::ballots(&f.db, jid, did).await.unwrap();
    assert_eq!((all.len(), all[0].revision), (1, 1));
    f.done().await;
}

#[tokio::test]
async fn common_ground_votes_need_an_approved_statement_and_replace_earlier_votes() {
    use commonbeat_store::repo::decisions;
    let f = fresh().await;
    let (jid, did, _) = partnership_with_decision(&f, true).await;
    assert!(decisions::add_statement(&f.db, jid, did, None, &"x".repeat(281), false).await.is_err());
    let s = decisions::add_statement(&f.db, jid, did, None, "Officers should walk the beat on Friday nights.", false)
        .await
        .unwrap();
    decisions::vote_statement(&f.db, jid, s.id, "anon:abc", Some("community"), None, "agree").await.unwrap();
    assert!(
        decisions::statement_votes(&f.db, jid, &[s.id]).await.unwrap().is_empty(),
        "pending statements take no votes"
    );
    decisions::moderate_statement(&f.db, jid, s.id, true).await.unwrap();
    decisions::vote_statement(&f.db, jid, s.id, "anon:abc", Some("community"), None, "agree").await.unwrap();
    decisions::vote_statement(&f.db, jid, s.id, "anon:abc", Some("community"), None, "disagree").await.unwrap();
    decisions::vote_statement(&f.db, jid, s.id, "user:7", Some("police"), None, "agree").await.unwrap();
    let votes = decisions::statement_votes(&f.db, jid, &[s.id]).await.unwrap();
    assert_eq!(votes.len(), 2);
    assert!(votes.iter().any(|v| v.voter_key == "anon:abc" && v.vote == "disagree"));
    assert!(decisions::vote_statement(&f.db, jid, s.id, "x", None, None, "maybe").await.is_err());
    f.done().await;
}

fn incident(source_id: &str, offence: &str) -> commonbeat_store::repo::incidents::NewIncident {
    commonbeat_store::repo::incidents::NewIncident {
        source_id: source_id.into(),
        occurred_at: 1_700_000_000,
        offence_code: "0486".into(),
        offence: offence.into(),
        category: "violent".into(),
        sensitive: None,
        lon: Some(-87.6),
        lat: Some(41.8),
        block: Some("012XX W A\tB\\C ST".into()),
        location_type: None,
        arrest: true,
    }
}

/// The backend's bulk import path: first into an empty table (indexes rebuilt), then a re-import (merged).
async fn bulk_import(f: &Fresh, jid: i64, rows: &[commonbeat_store::repo::incidents::NewIncident]) -> (i64, i64, i64) {
    use commonbeat_store::repo::incidents::{self, ImportSummary};
    let import = incidents::start_import(&f.db, jid, "chicago", "t.csv", None).await.unwrap();
    let counts = match f.db.url.sqlite_path() {
        Some(path) => {
            let rows = rows.to_vec();
            tokio::task::spawn_blocking(move || {
                let mut w =
                    commonbeat_store::repo::incidents_bulk_sqlite::SqliteIncidentWriter::begin(&path, jid, import)
                        .unwrap();
                for chunk in rows.chunks(2) {
                    w.write(chunk).unwrap();
                }
                w.finish(ImportSummary::default()).unwrap()
            })
            .await
            .unwrap()
        }
        None => {
            let mut w =
                commonbeat_store::repo::incidents_bulk_pg::PgIncidentWriter::begin(&f.db, jid, import).await.unwrap();
            let (tx, batches) = tokio::sync::mpsc::channel(4);
            let send = async move {
                for chunk in rows.chunks(2) {
                    tx.send(chunk.to_vec()).await.unwrap();
                }
            };
            let ((), streamed) = tokio::join!(send, w.write_stream(batches, None));
            streamed.unwrap();
            w.finish(ImportSummary::default()).await.unwrap()
        }
    };
    assert_eq!(incidents::import_by_id(&f.db, jid, import).await.unwrap().status, incidents::STATUS_DONE);
    (counts.accepted, counts.created, counts.updated)
}

#[tokio::test]
async fn bulk_incident_imports_keep_the_last_row_of_a_repeated_id_and_rebuild_their_indexes() {
    let f = fresh().await;
    let j = jurisdictions::ensure_default(&f.db, "T", "UTC").await.unwrap();
    let first = [incident("1", "first"), incident("2", "x"), incident("1", "last"), incident("3", "y")];
    assert_eq!(bulk_import(&f, j.id, &first).await, (3, 3, 0));
    let rows =
        f.db.conn
            .query_all_raw(f.db.stmt("SELECT source_id, offence, block FROM incidents ORDER BY source_id", vec![]))
            .await
            .unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (r.try_get("", "source_id").unwrap(), r.try_get("", "offence").unwrap(), r.try_get("", "block").unwrap())
        })
        .collect();
    assert_eq!(got[0].1, "last", "the last row of a repeated id wins: {got:?}");
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].2, "012XX W A\tB\\C ST", "tabs and backslashes survive COPY's text format");
    // The unique index is back: a plain duplicate insert is refused.
    let dup = f
        .db
        .conn
        .execute_raw(f.db.stmt(
            "INSERT INTO incidents (jurisdiction_id, source_id, occurred_at, offence_code, offence, category, arrest, \
             updated_at) VALUES ($1, '2', 0, '', '', 'other', false, 0)",
            vec![j.id.into()],
        ))
        .await;
    assert!(dup.is_err(), "the (jurisdiction, source id) index must be unique again");
    // A re-import merges: one updated, one new, repeats resolved to the last row.
    let again = [incident("2", "changed"), incident("4", "new"), incident("4", "newer")];
    assert_eq!(bulk_import(&f, j.id, &again).await, (2, 1, 1));
    let offences =
        f.db.conn
            .query_all_raw(f.db.stmt("SELECT offence FROM incidents ORDER BY source_id", vec![]))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "offence").unwrap())
            .collect::<Vec<_>>();
    assert_eq!(offences, ["last", "changed", "y", "newer"]);
    f.done().await;
}
