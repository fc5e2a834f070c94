//! Who may vote on a decision, and when: a decision scheduled to open later takes no votes (and sends no notice)
//! until the opening job opens it; opening times are checked on the form and the API; only named voters vote, and
//! both sides must be named.

use crate::decisions::{open_decision, setup, vote_as};
use crate::support::*;
use commonbeat_domain::Role;

/// The "decision opened" mails sent so far for this title, by recipient.
async fn opened_mail(app: &TestApp, title: &str) -> Vec<String> {
    let mut to: Vec<String> = commonbeat_store::repo::outbox::list(&app.db, app.jid, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == format!("Your vote: {title}"))
        .map(|m| m.to_addr)
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn scheduled_decisions_take_no_votes_until_they_open_and_notify_members_then() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 1).await;
    let title = "Ask the city for speed humps";
    let path = open_decision(
        &app,
        &cop,
        &slug,
        "poll_single",
        &[("opens_at", "2098-12-01T09:30"), ("options", "Two humps\nFour humps")],
    )
    .await;
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let d = commonbeat_store::repo::decisions::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!((d.status.as_str(), d.opened_at), ("scheduled", None));
    // 09:30 in Chicago (CST, UTC−6).
    assert_eq!(commonbeat_web::timefmt::iso_utc(d.opens_at), "2098-12-01T15:30:00Z");
    // Members see the question and its options, and when it opens; nobody votes yet.
    let page = voters[1].1.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Scheduled: voting opens 1 Dec 2098, 09:30 CST") && page.contains("<li>Four humps</li>"));
    assert!(!page.contains("name=\"option\""), "no ballot yet");
    let r = app.post_form(&voters[1].1, &path, &format!("{path}/vote"), &[("option", "0")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Voting has not opened yet."));
    let token = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, voters[0].2, "t").await.unwrap().0;
    let c = reqwest::Client::new();
    let api = app.url(&format!("/api/v1/partnerships/{slug}/decisions/{id}"));
    let r = c
        .post(format!("{api}/vote"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"options": [0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(e["detail"].as_str().unwrap().contains("not opened yet") && e["field"] == "ballot", "{e}");
    let out: serde_json::Value = c.get(&api).send().await.unwrap().json().await.unwrap();
    assert_eq!((out["status"].as_str(), out["opens_at"].as_str()), (Some("scheduled"), Some("2098-12-01T15:30:00Z")));
    assert!(out["results"].is_null());
    let log = reqwest::get(app.url(&format!("/partnerships/{slug}"))).await.unwrap().text().await.unwrap();
    assert!(log.contains(&format!("{title}</a> — Poll, one choice, Scheduled")), "the decision log says so");
    // Nobody has been told yet: the notice goes out when it opens.
    assert!(opened_mail(&app, title).await.is_empty());
    assert!(
        commonbeat_store::repo::decisions::cast(
            &app.db,
            app.jid,
            id,
            commonbeat_store::repo::decisions::NewBallot {
                user_id: voters[0].2,
                side: "police",
                choice: "[0]",
                reason: "",
                changeable: true,
            }
        )
        .await
        .is_err(),
        "the store refuses too"
    );

    // Time passes: the opening job opens it and members hear about it, once.
    app.sql(&format!("UPDATE decisions SET opens_at = 1 WHERE id = {id}")).await;
    app.sql(&format!("UPDATE jobs SET run_at = 0 WHERE kind = 'decision.open' AND payload = '{id}'")).await;
    let mut to = Vec::new();
    for _ in 0..100 {
        to = opened_mail(&app, title).await;
        if to.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(to, vec!["chair@example.org", "v0@example.org", "v100@example.org"]);
    let d = commonbeat_store::repo::decisions::by_id(&app.db, app.jid, id).await.unwrap();
    assert!(d.status == "open" && d.opened_at.is_some());
    assert_eq!(app.post_form(&voters[1].1, &path, &format!("{path}/vote"), &[("option", "1")]).await.status(), 303);
    let r = c
        .post(format!("{api}/vote"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"options": [1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "open");
    let f = commonbeat_store::repo::audit::AuditFilter { action: Some("decision.open".into()), ..Default::default() };
    assert_eq!(commonbeat_store::repo::audit::list(&app.db, app.jid, &f, 10, 0).await.unwrap().0.len(), 1);
}

#[tokio::test]
async fn opening_times_are_checked_on_the_form_and_the_api() {
    let app = TestApp::spawn().await;
    let (cop, slug, _) = setup(&app, 0, 0).await;
    let new = format!("/partnerships/{slug}/decisions/new");
    let post = format!("/partnerships/{slug}/decisions");
    let base = [("kind", "proposal"), ("title", "Ask the city for speed humps"), ("closes_on", "2099-01-01")];
    for (opens, message) in [
        ("2020-01-01T09:00", "That opening time has passed."),
        ("2099-01-02T09:00", "Voting must open before it closes"),
        ("next tuesday", "Give the opening time as a date and time"),
    ] {
        let mut f = base.to_vec();
        f.push(("opens_at", opens));
        let r = app.post_form(&cop, &new, &post, &f).await;
        assert_eq!(r.status(), 422, "{opens}");
        assert!(r.text().await.unwrap().contains(message), "{opens}");
    }
    // A time within the last minute opens it at once (and the notice goes out now).
    let now = commonbeat_web::timefmt::iso_utc(commonbeat_store::now() - 30);
    let mut f = base.to_vec();
    f.push(("opens_at", &now));
    let r = app.post_form(&cop, &new, &post, &f).await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(commonbeat_store::repo::decisions::by_id(&app.db, app.jid, id).await.unwrap().status, "open");
    assert_eq!(opened_mail(&app, "Ask the city for speed humps").await, vec!["chair@example.org"]);
    // The API names the field; an RFC 3339 time with its offset schedules it.
    let chair = commonbeat_store::repo::users::by_email(
        &app.db,
        app.jid,
        &commonbeat_domain::Email::parse("chair@example.org").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let t = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, chair.id, "t").await.unwrap().0;
    let c = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/partnerships/{slug}/decisions"));
    let body = |opens: &str| serde_json::json!({"kind": "consent", "title": "Adopt the lighting plan", "closes_on": "2099-01-01", "opens_at": opens});
    let r = c.post(&url).bearer_auth(&t).json(&body("2001-01-01T00:00:00Z")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["field"], "opens_at");
    let r = c.post(&url).bearer_auth(&t).json(&body("2098-06-01T18:00:00-05:00")).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let d: serde_json::Value = r.json().await.unwrap();
    assert_eq!((d["status"].as_str(), d["opens_at"].as_str()), (Some("scheduled"), Some("2098-06-01T23:00:00Z")));
    // A scheduled decision a co-chair closes early never opens.
    let sid = d["id"].as_i64().unwrap();
    let path = format!("/partnerships/{slug}/decisions/{sid}");
    assert_eq!(app.post_form(&cop, &path, &format!("{path}/close"), &[]).await.status(), 303);
    app.sql(&format!("UPDATE decisions SET opens_at = 1 WHERE id = {sid}")).await;
    app.sql(&format!("UPDATE jobs SET run_at = 0 WHERE kind = 'decision.open' AND payload = '{sid}'")).await;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let d = commonbeat_store::repo::decisions::by_id(&app.db, app.jid, sid).await.unwrap();
    assert!(d.status == "closed" && d.opened_at.is_none());
    assert!(opened_mail(&app, "Adopt the lighting plan").await.is_empty());
}

#[tokio::test]
async fn only_named_voters_vote_and_both_sides_must_be_named() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 2, 2).await;
    let ids: Vec<String> = voters.iter().map(|(_, _, id)| id.to_string()).collect();
    // The picker lists active members by side, in fieldsets with legends.
    let form =
        cop.get(app.url(&format!("/partnerships/{slug}/decisions/new"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("<legend class=\"usa-legend\">Named voters</legend>"));
    for id in &ids {
        assert!(form.contains(&format!("name=\"named_voter\" value=\"{id}\"")), "{id}");
    }
    let title = "Ask the city for speed humps";
    let named = [("voters", "named"), ("named_voter", ids[0].as_str()), ("named_voter", ids[2].as_str())];
    let path = open_decision(&app, &cop, &slug, "proposal", &named).await;
    // v0 (police) and v100 (community) are named: they vote; v1 and v101 are members but not named.
    assert_eq!(vote_as(&app, &voters[0].1, &path, "agree").await, 303);
    assert_eq!(vote_as(&app, &voters[2].1, &path, "agree").await, 303);
    assert_eq!(vote_as(&app, &voters[1].1, &path, "agree").await, 403);
    assert_eq!(vote_as(&app, &voters[3].1, &path, "disagree").await, 403);
    assert_eq!(vote_as(&app, &cop, &path, "disagree").await, 403, "nor the co-chair, who is not named");
    let page = voters[3].1.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Only these named people vote: Test community (Community), Test police (Police)."), "{page}");
    assert!(page.contains("Passed"));
    // Only the named voters were told it is open.
    assert_eq!(opened_mail(&app, title).await, vec!["v0@example.org", "v100@example.org"]);
    // One side only: refused, saying which side is missing.
    let police_only = [("voters", "named"), ("named_voter", ids[0].as_str()), ("named_voter", ids[1].as_str())];
    let mut f = vec![("kind", "proposal"), ("title", "Police only"), ("closes_on", "2099-01-01")];
    f.extend_from_slice(&police_only);
    let r = app
        .post_form(&cop, &format!("/partnerships/{slug}/decisions/new"), &format!("/partnerships/{slug}/decisions"), &f)
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Nobody from the Community side is named"));

    // The API takes a list of user ids, checks they are active members and that both sides are there.
    let chair = commonbeat_store::repo::users::by_email(
        &app.db,
        app.jid,
        &commonbeat_domain::Email::parse("chair@example.org").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let t = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, chair.id, "t").await.unwrap().0;
    let (outsider, _) = app.user("outsider@example.org", Role::Community).await;
    let c = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/partnerships/{slug}/decisions"));
    let body = |voters: serde_json::Value| serde_json::json!({"kind": "sense_check", "title": "Named by API", "closes_on": "2099-01-01", "voters": voters});
    let (p0, p1, c0) = (voters[0].2, voters[1].2, voters[2].2);
    for (list, detail) in [
        (serde_json::json!([p0, c0, outsider]), format!("(not: {outsider})")),
        (serde_json::json!([p0, p1]), "Nobody from the Community side".to_string()),
        (serde_json::json!([]), "Nobody from the Police side".to_string()),
        (serde_json::json!("named"), "Nobody from the Police side".to_string()),
    ] {
        let r = c.post(&url).bearer_auth(&t).json(&body(list.clone())).send().await.unwrap();
        assert_eq!(r.status(), 422, "{list}");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["field"], "voters", "{list}");
        assert!(e["detail"].as_str().unwrap().contains(&detail), "{e}");
    }
    let r = c.post(&url).bearer_auth(&t).json(&body(serde_json::json!([c0, p0, c0]))).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let d: serde_json::Value = r.json().await.unwrap();
    assert_eq!((d["voters"].as_str(), d["named_voters"].clone()), (Some("named"), serde_json::json!([p0, c0])));
    // The public sees that voting is restricted, but not who is named.
    let public: serde_json::Value =
        reqwest::get(app.url(&format!("/api/v1/partnerships/{slug}/decisions/{}", d["id"])))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!((public["voters"].as_str(), public["named_voters"].clone()), (Some("named"), serde_json::json!([])));
}
