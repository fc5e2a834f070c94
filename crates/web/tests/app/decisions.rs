//! Decisions under the parity rule, end to end: a co-chair opens a proposal, officers and residents vote from
//! their own accounts, the result explains itself per side, the outcome is recorded and the log shows it.

use crate::support::*;
use commonbeat_domain::Role;

pub(crate) async fn setup(
    app: &TestApp,
    police: usize,
    community: usize,
) -> (reqwest::Client, String, Vec<(String, reqwest::Client, i64)>) {
    let (_, chair) = app.user("chair@example.org", Role::Police).await;
    let cop = app.client();
    app.login(&cop, "chair@example.org", chair.as_deref()).await;
    let r = app
        .post_form(
            &cop,
            "/partnerships/new",
            "/partnerships",
            &[
                ("name", "Decision Partnership"),
                ("founding_problem", "Speeding on the boulevard"),
                ("mission", "Slow the traffic and keep kids safe."),
                ("goal", "quality"),
                ("cadence", "monthly"),
            ],
        )
        .await;
    let slug = r.headers()["location"].to_str().unwrap().trim_start_matches("/partnerships/").to_string();
    let mut voters = Vec::new();
    for (i, role) in (0..police).map(|i| (i, Role::Police)).chain((0..community).map(|i| (i + 100, Role::Community))) {
        let email = format!("v{i}@example.org");
        let (id, secret) = app.user(&email, role).await;
        let c = app.client();
        app.login(&c, &email, secret.as_deref()).await;
        app.post_form(&c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[]).await;
        app.post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/members/{id}/approve"),
            &[],
        )
        .await;
        voters.push((email, c, id));
    }
    (cop, slug, voters)
}

pub(crate) async fn open_decision(
    app: &TestApp,
    cop: &reqwest::Client,
    slug: &str,
    kind: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut fields = vec![
        ("kind", kind),
        ("title", "Ask the city for speed humps"),
        ("closes_on", "2099-01-01"),
        ("quorum_police", "1"),
        ("quorum_community", "1"),
        ("visibility", "always"),
        ("changeable", "on"),
    ];
    fields.extend_from_slice(extra);
    let r = app
        .post_form(
            cop,
            &format!("/partnerships/{slug}/decisions/new"),
            &format!("/partnerships/{slug}/decisions"),
            &fields,
        )
        .await;
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Votes from an already signed-in client (each TOTP code works once, so voters sign in once).
pub(crate) async fn vote_as(app: &TestApp, c: &reqwest::Client, path: &str, choice: &str) -> u16 {
    app.post_form(c, path, &format!("{path}/vote"), &[("choice", choice), ("reason", "my reason")])
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn many_residents_cannot_outvote_the_police_side_nor_the_reverse() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 2, 5).await;
    let path = open_decision(&app, &cop, &slug, "proposal", &[]).await;
    let id = path.rsplit('/').next().unwrap().to_string();
    // Police: 2 disagree. Community: 5 agree. Combined agree is 50 %, yet it fails: police have no majority.
    for (email, c, _) in &voters {
        let choice = if email.starts_with("v10") { "agree" } else { "disagree" };
        assert_eq!(vote_as(&app, c, &path, choice).await, 303);
    }
    let r: serde_json::Value = reqwest::get(app.url(&format!("/api/v1/partnerships/{slug}/decisions/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = &r["results"];
    assert_eq!(res["outcome"], "failed");
    assert_eq!((res["turnout_police"].as_u64(), res["turnout_community"].as_u64()), (Some(2), Some(5)));
    let agree = res["options"].as_array().unwrap().iter().find(|o| o["option"] == "agree").unwrap();
    assert_eq!(agree["combined_pct"], 50.0, "each side weighs half");
    assert!(
        res["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("Police: no majority (0 for, 2 against)"))
    );
    // The page says why, in Spanish too.
    let es = reqwest::get(app.url(&format!("{path}?lang=es"))).await.unwrap().text().await.unwrap();
    assert!(es.contains("No aprobada") && es.contains("regla de paridad"));
}

#[tokio::test]
async fn both_sides_agreeing_passes_and_the_outcome_enters_the_public_log() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 2).await;
    let path = open_decision(&app, &cop, &slug, "proposal", &[]).await;
    for (_, c, _) in &voters {
        vote_as(&app, c, &path, "agree").await;
    }
    // Outsiders cannot vote; nobody votes twice (a second ballot replaces the first).
    app.user("outsider@example.org", Role::Community).await;
    let outsider = app.client();
    app.login(&outsider, "outsider@example.org", None).await;
    assert_eq!(vote_as(&app, &outsider, &path, "agree").await, 403);
    let (_, c, _) = &voters[1];
    assert_eq!(vote_as(&app, c, &path, "abstain").await, 303);
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Passed"), "1 police agree + 1 community agree, 1 abstains");
    // Close, then record the outcome.
    assert_eq!(app.post_form(&cop, &path, &format!("{path}/close"), &[]).await.status(), 303);
    assert_eq!(vote_as(&app, c, &path, "agree").await, 422, "closed: voting refused");
    let r = app
        .post_form(
            &cop,
            &path,
            &format!("{path}/outcome"),
            &[
                ("outcome", "We ask the city for two speed humps; co-chairs write by Friday."),
                ("review_on", "2099-06-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let public = reqwest::get(app.url(&format!("/partnerships/{slug}"))).await.unwrap().text().await.unwrap();
    assert!(public.contains("Ask the city for speed humps") && public.contains("two speed humps"));
    // Every vote change is in the audit log.
    let (changes, _) = commonbeat_store::repo::audit::list(
        &app.db,
        app.jid,
        &commonbeat_store::repo::audit::AuditFilter { action: Some("vote.change".into()), ..Default::default() },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(changes.len(), 1);
}

#[tokio::test]
async fn consent_fails_on_one_objection_and_private_decisions_stay_private() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 2).await;
    let path = open_decision(&app, &cop, &slug, "consent", &[("is_private", "on")]).await;
    for (i, (_, c, _)) in voters.iter().enumerate() {
        vote_as(&app, c, &path, if i == 2 { "objection" } else { "consent" }).await;
    }
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Did not pass") && page.contains("1 objection(s)"));
    assert_eq!(reqwest::get(app.url(&path)).await.unwrap().status(), 404, "private: not for the public");
    let public = reqwest::get(app.url(&format!("/partnerships/{slug}"))).await.unwrap().text().await.unwrap();
    assert!(!public.contains("Ask the city for speed humps"));
    // Only co-chairs open decisions.
    let (_, c, _) = &voters[1];
    assert_eq!(c.get(app.url(&format!("/partnerships/{slug}/decisions/new"))).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn polls_ranked_choice_scores_dots_and_time_polls_tally_per_side() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 2, 2).await;
    let api = |path: &str| {
        let id = path.rsplit('/').next().unwrap().to_string();
        app.url(&format!("/api/v1/partnerships/{slug}/decisions/{id}"))
    };
    let opts = "Tuesday 6pm\nThursday 7pm\nSaturday 10am";
    // Ranked choice: police rank T,Th,S; community rank S,Th,T → nobody has a majority of first choices, and the
    // 50/50 weighting makes Thursday (everyone's second choice) lose first, then the tie-break decides.
    let ranked = open_decision(&app, &cop, &slug, "ranked", &[("options", opts)]).await;
    for (i, (_, c, _)) in voters.iter().enumerate() {
        let ranks: &[(&str, &str)] = if i < 2 {
            &[("rank_0", "1"), ("rank_1", "2"), ("rank_2", "3")]
        } else {
            &[("rank_2", "1"), ("rank_1", "2"), ("rank_0", "3")]
        };
        assert_eq!(app.post_form(c, &ranked, &format!("{ranked}/vote"), ranks).await.status(), 303);
    }
    let dup =
        app.post_form(&voters[0].1, &ranked, &format!("{ranked}/vote"), &[("rank_0", "1"), ("rank_1", "1")]).await;
    assert_eq!(dup.status(), 422, "two options with the same rank");
    let r: serde_json::Value = reqwest::get(api(&ranked)).await.unwrap().json().await.unwrap();
    let expl = r["results"]["explanation"].to_string();
    assert!(expl.contains("Thursday 7pm was eliminated"), "{expl}");
    assert!(expl.contains("wins with more than half"), "{expl}");

    // Time poll: both police say yes to Thursday only; community say yes to Thursday and Saturday → Thursday.
    let tp = open_decision(&app, &cop, &slug, "time_poll", &[("options", opts)]).await;
    for (i, (_, c, _)) in voters.iter().enumerate() {
        let sat = if i < 2 { "no" } else { "yes" };
        let r = app
            .post_form(c, &tp, &format!("{tp}/vote"), &[("avail_0", "no"), ("avail_1", "yes"), ("avail_2", sat)])
            .await;
        assert_eq!(r.status(), 303);
    }
    let r: serde_json::Value = reqwest::get(api(&tp)).await.unwrap().json().await.unwrap();
    assert!(r["results"]["explanation"].to_string().contains("Best time for both sides: Thursday 7pm"));
    let thu = &r["results"]["options"][1];
    assert_eq!(
        (thu["police"].as_u64(), thu["community"].as_u64(), thu["combined_pct"].as_f64()),
        (Some(2), Some(2), Some(100.0))
    );

    // Dot vote: 5 dots each; one police voter puts 3 on option 0 and 2 on option 2.
    let dot = open_decision(&app, &cop, &slug, "dot", &[("options", opts), ("dots", "5")]).await;
    let too_many = app.post_form(&voters[0].1, &dot, &format!("{dot}/vote"), &[("dots_0", "4"), ("dots_1", "4")]).await;
    assert_eq!(too_many.status(), 422);
    assert_eq!(
        app.post_form(&voters[0].1, &dot, &format!("{dot}/vote"), &[("dots_0", "3"), ("dots_2", "2")]).await.status(),
        303
    );
    app.post_form(&voters[2].1, &dot, &format!("{dot}/vote"), &[("dots_1", "5")]).await;
    let r: serde_json::Value = reqwest::get(api(&dot)).await.unwrap().json().await.unwrap();
    // Police: 60 % / 0 / 40 %; community: 0 / 100 % / 0 → combined 30 / 50 / 20.
    let combined: Vec<f64> =
        r["results"]["options"].as_array().unwrap().iter().map(|o| o["combined_pct"].as_f64().unwrap()).collect();
    assert_eq!(combined, vec![30.0, 50.0, 20.0]);

    // Score 0–10 and a several-choice poll: bad input is refused with its reason.
    let score =
        open_decision(&app, &cop, &slug, "score", &[("options", opts), ("score_min", "0"), ("score_max", "10")]).await;
    assert_eq!(
        app.post_form(
            &voters[0].1,
            &score,
            &format!("{score}/vote"),
            &[("score_0", "11"), ("score_1", "5"), ("score_2", "5")]
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.post_form(
            &voters[0].1,
            &score,
            &format!("{score}/vote"),
            &[("score_0", "10"), ("score_1", "5"), ("score_2", "0")]
        )
        .await
        .status(),
        303
    );
    let multi = open_decision(&app, &cop, &slug, "poll_multi", &[("options", opts), ("max_choices", "2")]).await;
    assert_eq!(
        app.post_form(
            &voters[0].1,
            &multi,
            &format!("{multi}/vote"),
            &[("option", "0"), ("option", "1"), ("option", "2")]
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.post_form(&voters[0].1, &multi, &format!("{multi}/vote"), &[("option", "0"), ("option", "2")])
            .await
            .status(),
        303
    );
    // Options are required for option kinds.
    let none = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}/decisions/new"),
            &format!("/partnerships/{slug}/decisions"),
            &[("kind", "ranked"), ("title", "No options"), ("closes_on", "2099-01-01")],
        )
        .await;
    assert_eq!(none.status(), 422);
}

#[tokio::test]
async fn non_voters_are_reminded_and_voting_closes_by_itself() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 2).await;
    let path = open_decision(&app, &cop, &slug, "proposal", &[]).await;
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    vote_as(&app, &voters[0].1, &path, "agree").await;
    // Bring the reminder forward; the worker sends it to the members who have not voted (not to voters[0]).
    app.sql(&format!("UPDATE jobs SET run_at = 0 WHERE kind = 'decision.remind' AND payload = '{id}'")).await;
    let mut reminded = Vec::new();
    for _ in 0..100 {
        reminded = commonbeat_store::repo::outbox::list(&app.db, app.jid, 50)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains("Your vote is needed"))
            .map(|m| m.to_addr)
            .collect();
        if reminded.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    reminded.sort();
    // The chair (police, a member) and the two who have not voted; never the one who did.
    assert!(!reminded.contains(&voters[0].0), "{reminded:?}");
    assert!(reminded.contains(&voters[1].0) && reminded.contains(&voters[2].0), "{reminded:?}");
    // Time passes: the close job closes it.
    app.sql(&format!("UPDATE decisions SET closes_at = 1 WHERE id = {id}")).await;
    app.sql(&format!("UPDATE jobs SET run_at = 0 WHERE kind = 'decision.close' AND payload = '{id}'")).await;
    let mut status = String::new();
    for _ in 0..100 {
        status = commonbeat_store::repo::decisions::by_id(&app.db, app.jid, id).await.unwrap().status;
        if status == "closed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "closed");
}

#[tokio::test]
async fn members_vote_by_api_with_tokens_and_bad_ballots_get_field_errors() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 1).await;
    let path = open_decision(&app, &cop, &slug, "proposal", &[]).await;
    let id = path.rsplit('/').next().unwrap().to_string();
    let tokens: Vec<String> = {
        let mut v = Vec::new();
        for (_, _, uid) in &voters {
            v.push(commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, *uid, "t").await.unwrap().0);
        }
        v
    };
    let c = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/partnerships/{slug}/decisions/{id}/vote"));
    let bad = c.post(&url).bearer_auth(&tokens[0]).json(&serde_json::json!({"choice": "maybe"})).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<serde_json::Value>().await.unwrap()["field"], "ballot");
    for t in &tokens {
        let r = c
            .post(&url)
            .bearer_auth(t)
            .json(&serde_json::json!({"choice": "agree", "reason": "lights first"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let out: serde_json::Value = c
        .get(app.url(&format!("/api/v1/partnerships/{slug}/decisions/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(out["results"]["outcome"], "passed");
    let list: serde_json::Value =
        c.get(app.url(&format!("/api/v1/partnerships/{slug}/decisions"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Someone else's token cannot vote here.
    app.user("stranger@example.org", Role::Community).await;
    let stranger = commonbeat_store::repo::users::by_email(
        &app.db,
        app.jid,
        &commonbeat_domain::Email::parse("stranger@example.org").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let st = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, stranger.id, "t").await.unwrap().0;
    assert_eq!(
        c.post(&url).bearer_auth(&st).json(&serde_json::json!({"choice": "agree"})).send().await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn co_chair_only_decisions_and_review_reminders() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 1).await;
    let path = open_decision(&app, &cop, &slug, "proposal", &[("voters", "cochairs")]).await;
    // A member who holds no seat may not vote on a co-chairs-only decision; the chair may.
    assert_eq!(vote_as(&app, &voters[0].1, &path, "agree").await, 403);
    assert_eq!(vote_as(&app, &cop, &path, "agree").await, 303);
    app.post_form(&cop, &path, &format!("{path}/close"), &[]).await;
    let r = app
        .post_form(
            &cop,
            &path,
            &format!("{path}/outcome"),
            &[("outcome", "Agreed by the co-chairs."), ("review_on", "2099-06-01")],
        )
        .await;
    assert_eq!(r.status(), 303);
    app.sql("UPDATE jobs SET run_at = 0 WHERE kind = 'decision.review'").await;
    let mut got = false;
    for _ in 0..100 {
        got = commonbeat_store::repo::outbox::list(&app.db, app.jid, 50)
            .await
            .unwrap()
            .iter()
            .any(|m| m.to_addr == "chair@example.org" && m.subject.starts_with("Time to review"));
        if got {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(got, "the co-chair is reminded to review");
}

#[tokio::test]
async fn threaded_discussion_renders_safe_markdown_and_mentions_notify() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 1, 1).await;
    let path = open_decision(
        &app,
        &cop,
        &slug,
        "proposal",
        &[("body", "We need **lights**.\n\n- Kostner alley\n- Cortland viaduct")],
    )
    .await;
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<strong>lights</strong>") && page.contains("<li>Kostner alley</li>"));
    // Voter 1 is "Test community"; the chair mentions by full name (all test users are named "Test <role>").
    let r = app
        .post_form(
            &cop,
            &path,
            &format!("{path}/comments"),
            &[("body", "<img src=x onerror=alert(1)> Thoughts, @Test community?")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = voters[1].1.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"),
        "typed HTML is shown, never run"
    );
    assert!(page.contains(r#"<strong class="cb-mention">@Test community</strong>"#));
    let mail = commonbeat_store::repo::outbox::list(&app.db, app.jid, 50).await.unwrap();
    assert!(mail.iter().any(|m| m.to_addr == voters[1].0 && m.subject.contains("mentioned you")));
    // A reply nests under its parent; a reply to another decision's comment is refused.
    let parent = page.split("name=\"parent_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = app
        .post_form(
            &voters[1].1,
            &path,
            &format!("{path}/comments"),
            &[("body", "Yes, lights first."), ("parent_id", &parent)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("cb-depth-1"));
    let other = open_decision(&app, &cop, &slug, "sense_check", &[]).await;
    let r = app
        .post_form(&cop, &other, &format!("{other}/comments"), &[("body", "cross-thread"), ("parent_id", &parent)])
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn co_chairs_open_decisions_by_api() {
    let app = TestApp::spawn().await;
    let (_, slug, voters) = setup(&app, 1, 1).await;
    let chair = commonbeat_store::repo::users::by_email(
        &app.db,
        app.jid,
        &commonbeat_domain::Email::parse("chair@example.org").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let t_chair = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, chair.id, "t").await.unwrap().0;
    let t_member =
        commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, voters[1].2, "t").await.unwrap().0;
    let c = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/partnerships/{slug}/decisions"));
    let body = serde_json::json!({"kind": "time_poll", "title": "When shall we meet?", "closes_on": "2099-01-01", "options": "Tue 6pm\nThu 7pm", "changeable": true, "visibility": "always"});
    assert_eq!(c.post(&url).bearer_auth(&t_member).json(&body).send().await.unwrap().status(), 403);
    let r = c.post(&url).bearer_auth(&t_chair).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let d: serde_json::Value = r.json().await.unwrap();
    assert_eq!(d["kind"], "time_poll");
    let bad = c
        .post(&url)
        .bearer_auth(&t_chair)
        .json(&serde_json::json!({"kind": "ranked", "title": "No options", "closes_on": "2099-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.json::<serde_json::Value>().await.unwrap()["detail"].as_str().unwrap().contains("2 to 20 options"));
}
