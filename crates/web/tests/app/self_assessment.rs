//! The partnership self-assessment end to end: a co-chair opens a round and members are notified; members of both
//! sides answer once (a second answer is refused), anonymously (no user in the response table, no per-answer audit
//! entry); results appear only once the round is closed, per dimension and side, with the gap sorted by size and
//! equal to hand-computed values; a side with fewer than five respondents is suppressed along with its gap; only
//! members and administrators see results (non-members 403, the public 401 or a sign-in redirect).

use crate::meetings::{beat, person};
use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::entities::outbox_message;
use commonbeat_store::repo::audit;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;

async fn api(c: &reqwest::Client, app: &TestApp, slug: &str) -> (u16, Value) {
    let r = c.get(app.url(&format!("/api/v1/partnerships/{slug}/self-assessment"))).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let f = audit::AuditFilter { action: Some(action.into()), ..Default::default() };
    audit::list(&app.db, app.jid, &f, 1000, 0).await.unwrap().0.iter().filter(|e| e.action == action).count()
}

fn dim<'a>(round: &'a Value, id: &str) -> &'a Value {
    round["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == id).unwrap()
}

#[tokio::test]
async fn rounds_are_answered_once_anonymously_and_scored_by_side_with_suppression() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "sa", "Self Assessment Partnership", 5, 5).await;
    let slug = b.slug.clone();
    let home = format!("/partnerships/{slug}/self-assessment");
    let outsider = person(&app, "sa-outsider@example.org", Role::Community).await;
    let admin = person(&app, "sa-admin@example.org", Role::Admin).await;

    // Who may look: members and administrators; others are refused, the public is sent to sign in.
    assert_eq!(outsider.c.get(app.url(&home)).send().await.unwrap().status(), 403);
    assert_eq!(api(&outsider.c, &app, &slug).await.0, 403);
    let public = app.client();
    let r = public.get(app.url(&home)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    assert_eq!(api(&public, &app, &slug).await.0, 401);
    assert_eq!(api(&admin.c, &app, "no-such-partnership").await.0, 404);
    let (s, v) = api(&b.community[0].c, &app, &slug).await;
    assert_eq!(s, 200);
    assert!(v["rounds"].as_array().unwrap().is_empty());

    // Only co-chairs (and administrators) open a round; one round at a time.
    let r = app.post_form(&b.community[0].c, &home, &home, &[("days", "14")]).await;
    assert_eq!(r.status(), 403);
    let r = app.post_form(&b.chair.c, &home, &home, &[("days", "1")]).await;
    assert_eq!(r.status(), 422);
    let r = app.post_form(&b.chair.c, &home, &home, &[("days", "14")]).await;
    assert_eq!(r.status(), 303);
    let r = app.post_form(&b.chair.c, &home, &home, &[("days", "14")]).await;
    assert_eq!(r.status(), 409);
    let (_, v) = api(&b.chair.c, &app, &slug).await;
    let round = &v["rounds"][0];
    let rid = round["id"].as_i64().unwrap();
    assert_eq!(round["status"], "open");
    assert_eq!(round["invited"]["police"], 6, "the chair and five officers");
    assert_eq!(round["invited"]["community"], 5);
    assert_eq!(audited(&app, "self_assessment.open").await, 1);

    // Members were notified (in the outbox, in their language).
    let mail = outbox_message::Entity::find().all(&app.db.conn).await.unwrap();
    let notices = mail.iter().filter(|m| m.subject.contains("Self-assessment open")).count();
    assert_eq!(notices, 11, "every active member is notified");

    // Everyone answers. Officers: trust 5 and 4 → 87.5; decisions 4 → 75; four of them answer leadership.
    // Residents: trust 2 and 3 → 37.5; decisions 3 → 50; all five answer leadership 1 → 0.
    let path = format!("{home}/{rid}");
    let police: Vec<&crate::meetings::Person> = std::iter::once(&b.chair).chain(b.police.iter()).collect();
    for (i, p) in police.iter().enumerate() {
        let mut f = vec![("q_trust_honest", "5"), ("q_trust_respect", "4"), ("q_decisions_together", "4")];
        if i < 4 {
            f.push(("q_leadership_shared", "5"));
        }
        let r = app.post_form(&p.c, &path, &path, &f).await;
        assert_eq!(r.status(), 303, "{} answers", p.email);
    }
    for (i, p) in b.community.iter().enumerate() {
        let mut f = vec![
            ("q_trust_honest", "2"),
            ("q_trust_respect", "3"),
            ("q_decisions_together", "3"),
            ("q_leadership_shared", "1"),
        ];
        if i == 0 {
            f.push(("comment", "We need more evening meetings."));
        }
        let r = app.post_form(&p.c, &path, &path, &f).await;
        assert_eq!(r.status(), 303, "{} answers", p.email);
    }
    // Once only; bad values are refused with the form kept.
    let r = app.post_form(&b.community[0].c, &home, &path, &[("q_trust_honest", "5")]).await;
    assert_eq!(r.status(), 409, "a second answer is refused");
    let (s, _) = api(&b.chair.c, &app, &slug).await;
    assert_eq!(s, 200);
    let html = b.community[1].c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("You have answered this round"), "{html}");
    // An outsider cannot answer.
    let r = app.post_form(&outsider.c, "/partnerships", &path, &[("q_trust_honest", "5")]).await;
    assert_eq!(r.status(), 403);

    // While open: turnout only, no scores.
    let (_, v) = api(&b.community[0].c, &app, &slug).await;
    let round = &v["rounds"][0];
    assert_eq!(round["answered"]["police"], 6);
    assert_eq!(round["answered"]["community"], 5);
    assert!(round["overall"].is_null() && round["dimensions"].as_array().unwrap().is_empty());

    // Anonymity: the response table has no user column and no time; no audit entry per answer.
    let row = app
        .db
        .conn
        .query_one_raw(app.db.stmt("SELECT * FROM self_assessment_responses", vec![]))
        .await
        .unwrap()
        .unwrap();
    let cols = row.column_names();
    assert!(cols.iter().all(|c| !c.contains("user") && !c.ends_with("_at")), "{cols:?}");
    let n = app
        .db
        .conn
        .query_one_raw(app.db.stmt("SELECT COUNT(*) AS n FROM self_assessment_responses", vec![]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.try_get::<i64>("", "n").unwrap(), 11);
    let f = audit::AuditFilter::default();
    let entries = audit::list(&app.db, app.jid, &f, 1000, 0).await.unwrap().0;
    assert!(entries.iter().all(|e| !e.action.contains("answer")), "no per-answer audit");

    // Closing: co-chairs only.
    let close = format!("{path}/close");
    let r = app.post_form(&b.community[0].c, &home, &close, &[]).await;
    assert_eq!(r.status(), 403);
    let r = app.post_form(&b.chair.c, &home, &close, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(audited(&app, "self_assessment.close").await, 1);
    let r = app.post_form(&b.police[0].c, &home, &path, &[("q_trust_honest", "5")]).await;
    assert!(matches!(r.status().as_u16(), 409 | 422), "no answers after closing");

    // Results, hand-computed.
    let (_, v) = api(&b.community[2].c, &app, &slug).await;
    assert_eq!(v["k"], 5);
    let round = &v["rounds"][0];
    assert_eq!(round["status"], "closed");
    let trust = dim(round, "trust");
    assert_eq!(trust["police"], 87.5);
    assert_eq!(trust["community"], 37.5);
    assert_eq!(trust["gap"], 50.0);
    assert_eq!(trust["police_n"], 6);
    let dm = dim(round, "decision_making");
    assert_eq!(dm["police"], 75.0);
    assert_eq!(dm["community"], 50.0);
    assert_eq!(dm["gap"], 25.0);
    assert_eq!(round["dimensions"][0]["dimension"], "trust", "largest gap first");
    assert_eq!(round["dimensions"][1]["dimension"], "decision_making");
    // Four officers answered leadership: hidden, and the gap with it; the residents' score stays.
    let lead = dim(round, "leadership");
    assert!(lead["police"].is_null() && lead["police_n"].is_null());
    assert_eq!(lead["police_suppressed"], true);
    assert!(lead["gap"].is_null());
    assert_eq!(lead["gap_suppressed"], true);
    assert_eq!(lead["community"], 0.0);
    // Overall: four officers at mean(5,4,4,5) = 4.5 → 87.5, two at 13/3 → 83.33; residents 2.25 → 31.25.
    let p_overall = (4.0 * 87.5 + 2.0 * ((13.0 / 3.0 - 1.0) * 25.0)) / 6.0;
    assert!((round["overall"]["police"].as_f64().unwrap() - p_overall).abs() < 1e-9);
    assert_eq!(round["overall"]["community"], 31.25);

    // The pages, in both languages; the admin (not a member) may look too.
    let html = b.police[0].c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Building trust") && html.contains("+50") && html.contains("Large gap"), "{html}");
    assert!(html.contains("Fewer than 5 answered"));
    assert!(html.contains("We need more evening meetings."), "comments shown once closed with enough answers");
    let html = b.community[0].c.get(app.url(&format!("{home}?lang=es"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Construcción de confianza") && html.contains("<svg"), "{html}");
    assert_eq!(admin.c.get(app.url(&home)).send().await.unwrap().status(), 200);
    assert_eq!(api(&admin.c, &app, &slug).await.0, 200);
    assert_eq!(outsider.c.get(app.url(&path)).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn a_small_side_is_suppressed_with_its_gap() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "sas", "Small Side Partnership", 5, 2).await;
    let home = format!("/partnerships/{}/self-assessment", b.slug);
    let r = app.post_form(&b.chair.c, &home, &home, &[]).await;
    assert_eq!(r.status(), 303);
    let (_, v) = api(&b.chair.c, &app, &b.slug).await;
    let rid = v["rounds"][0]["id"].as_i64().unwrap();
    let path = format!("{home}/{rid}");
    for p in std::iter::once(&b.chair).chain(b.police.iter()).chain(b.community.iter()) {
        let r = app.post_form(&p.c, &path, &path, &[("q_trust_honest", "4"), ("comment", "secret detail")]).await;
        assert_eq!(r.status(), 303);
    }
    let r = app.post_form(&b.chair.c, &home, &format!("{path}/close"), &[]).await;
    assert_eq!(r.status(), 303);
    let (_, v) = api(&b.community[0].c, &app, &b.slug).await;
    let round = &v["rounds"][0];
    let trust = dim(round, "trust");
    assert_eq!(trust["police"], 75.0);
    assert!(trust["community"].is_null() && trust["gap"].is_null());
    assert_eq!(trust["community_suppressed"], true);
    assert!(round["overall"]["community"].is_null());
    let html = b.community[0].c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Fewer than 5 answered"));
}
