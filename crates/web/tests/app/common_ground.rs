//! Common ground end to end: a co-chair opens an activity, officers and residents vote from their accounts, the
//! public votes by link, statements rank by group-informed consensus (checked by hand), long statements are refused,
//! pending statements take no votes, and only this partnership's co-chairs moderate.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::audit::{self, AuditFilter};
use commonbeat_store::repo::decisions;

/// A partnership founded by a police co-chair, with `police` officers and `community` residents as members, each
/// signed in once (a TOTP code works once).
async fn setup(app: &TestApp, police: usize, community: usize) -> (reqwest::Client, String, Vec<reqwest::Client>) {
    let (_, chair) = app.user("chair@example.org", Role::Police).await;
    let cop = app.client();
    app.login(&cop, "chair@example.org", chair.as_deref()).await;
    let slug = found(app, &cop, "Common Ground Partnership").await;
    let mut voters = Vec::new();
    for (i, role) in (0..police).map(|i| (i, Role::Police)).chain((0..community).map(|i| (i + 100, Role::Community))) {
        let email = format!("v{i}@example.org");
        let (id, secret) = app.user(&email, role).await;
        let c = app.client();
        app.login(&c, &email, secret.as_deref()).await;
        app.post_form(&c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[]).await;
        let r = app
            .post_form(
                &cop,
                &format!("/partnerships/{slug}"),
                &format!("/partnerships/{slug}/members/{id}/approve"),
                &[],
            )
            .await;
        assert_eq!(r.status(), 303);
        voters.push(c);
    }
    (cop, slug, voters)
}

async fn found(app: &TestApp, c: &reqwest::Client, name: &str) -> String {
    let r = app
        .post_form(
            c,
            "/partnerships/new",
            "/partnerships",
            &[
                ("name", name),
                ("founding_problem", "Speeding on the boulevard"),
                ("mission", "Slow the traffic and keep kids safe."),
                ("goal", "quality"),
                ("cadence", "monthly"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().trim_start_matches("/partnerships/").to_string()
}

/// Opens an activity as `cop`; returns its page path and id.
async fn open_activity(app: &TestApp, cop: &reqwest::Client, slug: &str, extra: &[(&str, &str)]) -> (String, i64) {
    let mut fields = vec![("title", "What would make the boulevard feel safer?"), ("closes_on", "2099-01-01")];
    fields.extend_from_slice(extra);
    let new = format!("/partnerships/{slug}/common-ground/new");
    let r = app.post_form(cop, &new, &format!("/partnerships/{slug}/common-ground"), &fields).await;
    assert_eq!(r.status(), 303);
    let path = r.headers()["location"].to_str().unwrap().to_string();
    let id = path.rsplit('/').next().unwrap().parse().unwrap();
    (path, id)
}

async fn submit(app: &TestApp, c: &reqwest::Client, path: &str, body: &str) -> reqwest::Response {
    app.post_form(c, path, &format!("{path}/statements"), &[("body", body)]).await
}

/// The id of the statement with this text (any status).
async fn statement_id(app: &TestApp, id: i64, body: &str) -> i64 {
    decisions::statements(&app.db, app.jid, id, None).await.unwrap().into_iter().find(|s| s.body == body).unwrap().id
}

async fn vote(app: &TestApp, c: &reqwest::Client, path: &str, sid: i64, stance: &str) -> u16 {
    app.post_form(c, path, &format!("{path}/statements/{sid}/vote"), &[("vote", stance)]).await.status().as_u16()
}

async fn api(app: &TestApp, slug: &str, id: i64) -> serde_json::Value {
    let r = reqwest::get(app.url(&format!("/api/v1/partnerships/{slug}/common-ground/{id}"))).await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

const LIGHTS: &str = "Fix the broken streetlights on the boulevard";
const PATROLS: &str = "More foot patrols at night";
const LIBRARY: &str = "Keep the library open later for teenagers";

#[tokio::test]
async fn statements_rank_by_group_informed_consensus_with_the_public_as_its_own_group() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 2, 2).await;
    let (officers, residents) = voters.split_at(2);
    // Only co-chairs open activities.
    let new = format!("/partnerships/{slug}/common-ground/new");
    assert_eq!(cop.get(app.url(&new)).send().await.unwrap().status(), 200);
    assert_eq!(residents[0].get(app.url(&new)).send().await.unwrap().status(), 403);
    let r = app
        .post_form(
            &residents[0],
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/common-ground"),
            &[("title", "Mine"), ("closes_on", "2099-01-01")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let (path, id) = open_activity(&app, &cop, &slug, &[]).await;
    assert_eq!(path, format!("/partnerships/{slug}/common-ground/{id}"));

    // A co-chair's statements are published at once; a resident's wait for review.
    for s in [LIGHTS, PATROLS] {
        let r = submit(&app, &cop, &path, s).await;
        assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{path}?sent=published"));
    }
    let r = submit(&app, &residents[0], &path, LIBRARY).await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{path}?sent=pending"));
    // 281 characters are refused with a clear message; 280 are fine.
    let long = "a".repeat(281);
    let r = submit(&app, &residents[0], &path, &long).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("A statement is 1 to 280 characters; yours has 281."));
    assert_eq!(submit(&app, &residents[0], &path, &"é".repeat(280)).await.status(), 303, "280 characters, not bytes");

    let (lights, patrols, library) = (
        statement_id(&app, id, LIGHTS).await,
        statement_id(&app, id, PATROLS).await,
        statement_id(&app, id, LIBRARY).await,
    );
    // A pending statement takes no votes and is not on the public page.
    assert_eq!(vote(&app, &officers[0], &path, library, "agree").await, 422);
    assert!(decisions::statement_votes(&app.db, app.jid, &[library]).await.unwrap().is_empty());
    let public_page = reqwest::get(app.url(&path)).await.unwrap().text().await.unwrap();
    assert!(
        public_page.contains(LIGHTS) && !public_page.contains(LIBRARY) && !public_page.contains("Waiting for review")
    );

    // Officers and residents vote from their accounts: everyone agrees on the lights; the sides split on patrols.
    for c in officers {
        assert_eq!(vote(&app, c, &path, lights, "agree").await, 303);
        assert_eq!(vote(&app, c, &path, patrols, "agree").await, 303);
    }
    for c in residents {
        assert_eq!(vote(&app, c, &path, lights, "agree").await, 303);
        assert_eq!(vote(&app, c, &path, patrols, "disagree").await, 303);
    }
    assert_eq!(vote(&app, &residents[0], &path, lights, "maybe").await, 422, "agree, disagree or pass only");

    // An anonymous browser votes by link: a random HttpOnly cookie, only its hash stored, no side.
    let anon = app.client();
    let csrf = app.csrf(&anon, &path).await;
    let r = anon
        .post(app.url(&format!("{path}/statements/{lights}/vote")))
        .form(&[("csrf_token", csrf.as_str()), ("vote", "agree")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cb_cg="));
    let set = set.expect("cb_cg cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let token = set.trim_start_matches("cb_cg=").split(';').next().unwrap().to_string();
    // Changing one's mind replaces the vote (same browser, same key).
    assert_eq!(vote(&app, &anon, &path, lights, "disagree").await, 303);
    let votes = decisions::statement_votes(&app.db, app.jid, &[lights]).await.unwrap();
    let public: Vec<_> = votes.iter().filter(|v| v.voter_key.starts_with("anon:")).collect();
    assert_eq!(public.len(), 1);
    // The key is the cookie hashed with the activity's id, so votes cannot be linked across activities.
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        public[0].voter_key,
        format!("anon:{}", commonbeat_store::secrets::hash_token(&format!("{token}:{id}")))
    );
    assert!(!public[0].voter_key.contains(&token) && public[0].side.is_none() && public[0].vote == "disagree");

    // Hand-checked GIC. Lights: police 2 agree of 2, community 2 of 2 → (3/4)·(3/4) = 0.5625; one member of the
    // public is below the group minimum (5), so the public does not count yet.
    // Patrols: police 2 of 2, community 0 of 2 → (3/4)·(1/4) = 0.1875, divisiveness |1 − 0| = 1.
    let j = api(&app, &slug, id).await;
    let st = j["statements"].as_array().unwrap();
    assert_eq!(st.len(), 2, "approved statements only");
    assert_eq!((st[0]["id"].as_i64(), st[0]["rank"].as_u64()), (Some(lights), Some(1)));
    assert_eq!(st[0]["gic"].as_f64(), Some(0.5625));
    assert_eq!(st[0]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(st[0]["groups"][0]["group"], "police");
    assert_eq!(
        (st[0]["groups"][1]["agree"].as_u64(), st[0]["groups"][1]["agree_pct"].as_f64()),
        (Some(2), Some(100.0))
    );
    assert_eq!(st[1]["id"].as_i64(), Some(patrols));
    assert_eq!((st[1]["gic"].as_f64(), st[1]["divisiveness"].as_f64()), (Some(0.1875), Some(1.0)));
    assert_eq!(j["voters"], serde_json::json!({"police": 2, "community": 2, "public": 1}));

    // The page sums it up: what both sides agree on, and what divides them.
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    let agree = &page[page.find("What both sides agree on").unwrap()..page.find("What divides us").unwrap()];
    assert!(agree.contains(LIGHTS) && !agree.contains(PATROLS));
    let divide = &page[page.find("What divides us").unwrap()..page.find("All statements by consensus").unwrap()];
    assert!(divide.contains(PATROLS) && !divide.contains(LIGHTS));
    assert!(page.contains("<caption>") && page.contains("scope=\"col\"") && page.contains("scope=\"row\""));
    assert!(!page.contains("style=") && !page.contains("<script>"));

    // Five more members of the public agree on the lights: 6 public votes (5 agree) reach the minimum and the public
    // becomes a third group there: 0.5625 · (5 + 1)/(6 + 2) = 0.421875.
    for _ in 0..5 {
        let c = app.client();
        assert_eq!(vote(&app, &c, &path, lights, "agree").await, 303);
    }
    let j = api(&app, &slug, id).await;
    let st = j["statements"].as_array().unwrap();
    assert_eq!(st[0]["id"].as_i64(), Some(lights));
    assert_eq!(st[0]["gic"].as_f64(), Some(0.421875));
    let pg = &st[0]["groups"][2];
    assert_eq!(
        (pg["group"].as_str(), pg["agree"].as_u64(), pg["disagree"].as_u64()),
        (Some("public"), Some(5), Some(1))
    );
    assert_eq!(st[1]["groups"].as_array().unwrap().len(), 2, "no public votes on patrols");
    assert_eq!(j["voters"]["public"], 6);
    let page = reqwest::get(app.url(&format!("{path}?lang=es"))).await.unwrap().text().await.unwrap();
    assert!(page.contains("En qué están de acuerdo ambas partes") && page.contains("Público"));

    // Audit: creation, submissions, members' votes; never an anonymous vote.
    let list = |action: &str| {
        let f = AuditFilter { action: Some(action.into()), ..Default::default() };
        let db = app.db.clone();
        let jid = app.jid;
        async move { audit::list(&db, jid, &f, 100, 0).await.unwrap().0 }
    };
    assert_eq!(list("common_ground.create").await.len(), 1);
    assert_eq!(list("common_ground.statement.submit").await.len(), 4);
    let votes = list("common_ground.vote").await;
    assert_eq!(votes.len(), 8, "2 officers and 2 residents, 2 votes each");
    assert!(votes.iter().all(|v| v.actor_id.is_some() && !v.details.contains("anon")));
}

#[tokio::test]
async fn only_this_partnerships_co_chairs_moderate_and_records_are_checked() {
    let app = TestApp::spawn().await;
    let (cop, slug, voters) = setup(&app, 0, 1).await;
    let resident = &voters[0];
    let (path, id) = open_activity(&app, &cop, &slug, &[]).await;
    // It closes by itself: the decisions' close job is queued for the closing time.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let jobs = commonbeat_store::entities::job::Entity::find()
        .filter(commonbeat_store::entities::job::Column::Kind.eq("decision.close"))
        .filter(commonbeat_store::entities::job::Column::Payload.eq(id.to_string()))
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    // The public may submit too (pending, no author).
    let anon = app.client();
    let r = submit(&app, &anon, &path, LIBRARY).await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{path}?sent=pending"));
    assert_eq!(submit(&app, resident, &path, PATROLS).await.status(), 303);
    let (library, patrols) = (statement_id(&app, id, LIBRARY).await, statement_id(&app, id, PATROLS).await);
    let stored = decisions::statements(&app.db, app.jid, id, Some("pending")).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().find(|s| s.id == library).unwrap().author_id.is_none());

    // The pending list is for managers only.
    let page = resident.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("Waiting for review") && !page.contains(LIBRARY));
    let page = cop.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Waiting for review") && page.contains(LIBRARY) && page.contains(PATROLS));

    // A member who is not a co-chair: 403. Nobody signed in: sent to sign in. Another partnership's co-chair: 403.
    let approve = format!("{path}/statements/{library}/approve");
    assert_eq!(app.post_form(resident, &path, &approve, &[]).await.status(), 403);
    let r = app.post_form(&anon, &path, &approve, &[]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    let (_, other) = app.user("other-chair@example.org", Role::Police).await;
    let other_chair = app.client();
    app.login(&other_chair, "other-chair@example.org", other.as_deref()).await;
    let other_slug = found(&app, &other_chair, "Other Partnership").await;
    assert_eq!(app.post_form(&other_chair, &path, &approve, &[]).await.status(), 403);
    assert_eq!(
        app.post_form(&other_chair, &path, &format!("{path}/statements/{library}/reject"), &[]).await.status(),
        403
    );
    assert_eq!(decisions::statements(&app.db, app.jid, id, Some("pending")).await.unwrap().len(), 2, "unchanged");

    // The co-chair approves one and rejects the other; the approved one now takes votes.
    assert_eq!(app.post_form(&cop, &path, &approve, &[]).await.status(), 303);
    assert_eq!(app.post_form(&cop, &path, &format!("{path}/statements/{patrols}/reject"), &[]).await.status(), 303);
    assert_eq!(vote(&app, resident, &path, library, "agree").await, 303);
    assert_eq!(vote(&app, resident, &path, patrols, "agree").await, 422, "rejected statements take no votes");
    let page = reqwest::get(app.url(&path)).await.unwrap().text().await.unwrap();
    assert!(page.contains(LIBRARY) && !page.contains(PATROLS));
    let f = AuditFilter { action: Some("common_ground.statement.approve".into()), ..Default::default() };
    assert_eq!(audit::list(&app.db, app.jid, &f, 10, 0).await.unwrap().0.len(), 1);

    // Record checks: another partnership's slug, another kind of decision, a statement of another activity.
    assert_eq!(
        reqwest::get(app.url(&format!("/partnerships/{other_slug}/common-ground/{id}"))).await.unwrap().status(),
        404
    );
    assert_eq!(
        reqwest::get(app.url(&format!("/api/v1/partnerships/{other_slug}/common-ground/{id}"))).await.unwrap().status(),
        404
    );
    let r = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}/decisions/new"),
            &format!("/partnerships/{slug}/decisions"),
            &[("kind", "proposal"), ("title", "A proposal"), ("closes_on", "2099-01-01"), ("visibility", "always")],
        )
        .await;
    let proposal = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    assert_eq!(
        reqwest::get(app.url(&format!("/partnerships/{slug}/common-ground/{proposal}"))).await.unwrap().status(),
        404
    );
    let (path2, _) = open_activity(&app, &cop, &slug, &[]).await;
    assert_eq!(vote(&app, resident, &path2, library, "agree").await, 404, "statement of another activity");
    assert_eq!(app.post_form(&cop, &path2, &format!("{path2}/statements/{library}/reject"), &[]).await.status(), 404);

    // A private activity is not for the public, nor for another partnership's co-chair.
    let (private, _) = open_activity(&app, &cop, &slug, &[("is_private", "on")]).await;
    assert_eq!(reqwest::get(app.url(&private)).await.unwrap().status(), 404);
    assert_eq!(other_chair.get(app.url(&private)).send().await.unwrap().status(), 404);
    assert_eq!(resident.get(app.url(&private)).send().await.unwrap().status(), 200);
    // Past closing, nothing more is taken.
    app.sql(&format!("UPDATE decisions SET closes_at = 1 WHERE id = {id}")).await;
    assert_eq!(vote(&app, resident, &path, library, "disagree").await, 422);
    assert_eq!(submit(&app, resident, &path, "Too late").await.status(), 422);
}

/// An active member on `side` with a private profile answering `race` (none: no profile). Returns the voter key.
async fn member_with_race(app: &TestApp, pid: i64, n: usize, side: &str, race: Option<&str>) -> String {
    use commonbeat_domain::Side;
    use commonbeat_domain::partnership::MemberRole;
    use commonbeat_store::repo::members;
    let role = if side == "police" { Role::Police } else { Role::Community };
    let (id, _) = app.user(&format!("m{n}@example.org"), role).await;
    let side = if side == "police" { Side::Police } else { Side::Community };
    let change = members::Change {
        user_id: id,
        side,
        role: MemberRole::Member,
        status: members::ACTIVE,
        actor_id: None,
        note: "",
    };
    members::set_status(&app.db, app.jid, pid, change).await.unwrap();
    if let Some(race) = race {
        let answers = serde_json::json!({ "race": race, "tenure": "renter" }).to_string();
        members::save_profile(&app.db, app.jid, id, "resident", &answers).await.unwrap();
    }
    format!("user:{id}")
}

#[tokio::test]
async fn demographic_groups_of_at_least_five_voters_count_and_smaller_ones_never_show() {
    let app = TestApp::spawn().await;
    let (cop, slug, _) = setup(&app, 0, 0).await;
    let pid = commonbeat_store::repo::partnerships::by_slug(&app.db, app.jid, &slug).await.unwrap().id;
    let new = cop.get(app.url(&format!("/partnerships/{slug}/common-ground/new"))).send().await.unwrap();
    let new = new.text().await.unwrap();
    assert!(new.contains("<option value=\"race\" selected>Race and ethnicity</option>"), "race by default");
    let r = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}/common-ground/new"),
            &format!("/partnerships/{slug}/common-ground"),
            &[("title", "What would help?"), ("closes_on", "2099-01-01"), ("dimension", "shoe size")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let (path, id) = open_activity(&app, &cop, &slug, &[("dimension", "race")]).await;
    for s in [LIGHTS, PATROLS] {
        submit(&app, &cop, &path, s).await;
    }
    let (lights, patrols) = (statement_id(&app, id, LIGHTS).await, statement_id(&app, id, PATROLS).await);
    // Sixteen members: 6 Black (community), 5 Hispanic (3 police, 2 community), 2 Asian (community, below k) and
    // 3 officers without a profile.
    let mut people = Vec::new();
    for n in 0..16 {
        let (side, race) = match n {
            0..6 => ("community", Some("black")),
            6..9 => ("police", Some("hispanic")),
            9..11 => ("community", Some("hispanic")),
            11..13 => ("community", Some("asian")),
            _ => ("police", None),
        };
        people.push((member_with_race(&app, pid, n, side, race).await, side, race));
    }
    let cast = |sid: i64, key: String, side: &'static str, stance: &'static str| {
        let db = app.db.clone();
        let jid = app.jid;
        async move { decisions::vote_statement(&db, jid, sid, &key, Some(side), None, stance).await.unwrap() }
    };
    for (n, (key, side, race)) in people.iter().enumerate() {
        // Lights: everyone votes; Hispanic officers agree and Hispanic residents disagree; one of the officers
        // without a profile agrees.
        let on_lights = match (*race, *side) {
            (Some("hispanic"), "community") => "disagree",
            (None, _) if n > 13 => "disagree",
            _ => "agree",
        };
        cast(lights, key.clone(), side, on_lights).await;
        // Patrols: everyone with a profile votes, the Asian residents disagree; the pool (2 Asian) is below k, so the
        // smallest shown group (Hispanic, 5) joins it and only the Black group is shown.
        if race.is_some() {
            cast(patrols, key.clone(), side, if *race == Some("asian") { "disagree" } else { "agree" }).await;
        }
    }
    let j = api(&app, &slug, id).await;
    assert_eq!((j["dimension"].as_str(), j["demographic_min"].as_u64()), (Some("race"), Some(5)));
    let st = j["statements"].as_array().unwrap();
    let by_id = |sid: i64| st.iter().find(|s| s["id"].as_i64() == Some(sid)).unwrap();
    // Patrols: police 3 of 3 → 4/5, community 8 of 10 → 9/12, Black 6 of 6 → 7/8: 0.525.
    let p = by_id(patrols);
    assert_eq!(p["rank"], 1);
    assert!((p["gic"].as_f64().unwrap() - 0.525).abs() < 1e-12, "{p}");
    let groups: Vec<_> = p["demographics"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["black"]);
    // Lights: pool = 2 Asian + 3 without a profile = 5 → both groups of 5+ count, in census order.
    // Police 4 of 6 → 5/8, community 8 of 10 → 3/4, Hispanic 3 of 5 → 4/7, Black 6 of 6 → 7/8: 15/64.
    let l = by_id(lights);
    assert!((l["gic"].as_f64().unwrap() - 15.0 / 64.0).abs() < 1e-12, "{l}");
    let d = l["demographics"].as_array().unwrap();
    assert_eq!(
        d.iter().map(|g| (g["group"].as_str().unwrap(), g["agree"].as_u64().unwrap())).collect::<Vec<_>>(),
        [("hispanic", 3), ("black", 6)]
    );
    // The two-sides view is unchanged.
    assert_eq!(l["groups"].as_array().unwrap().len(), 2);
    assert_eq!(j["voters"], serde_json::json!({"police": 6, "community": 10, "public": 0}));
    // The small group never shows, anywhere.
    assert!(!j.to_string().contains("asian"));
    let page = reqwest::get(app.url(&path)).await.unwrap().text().await.unwrap();
    assert!(page.contains("Agreement across groups: Race and ethnicity"));
    assert!(page.contains("<th scope=\"col\">Hispanic or Latino (any race)</th>"));
    assert!(page.contains("<th scope=\"col\">Black or African American</th>") && !page.contains("Asian"));
    assert!(page.contains("100 % (6 / 0 / 0)") && page.contains("60 % (3 / 2 / 0)"));
    let es = reqwest::get(app.url(&format!("{path}?lang=es"))).await.unwrap().text().await.unwrap();
    assert!(es.contains("Acuerdo entre grupos: Raza y origen étnico"));

    // Another question: nobody's tenure group has 5 voters on a statement yet… then it has.
    let (path2, id2) = open_activity(&app, &cop, &slug, &[("dimension", "tenure")]).await;
    submit(&app, &cop, &path2, LIGHTS).await;
    let s2 = statement_id(&app, id2, LIGHTS).await;
    for (key, side, _) in people.iter().take(4) {
        cast(s2, key.clone(), side, "agree").await;
    }
    let j = api(&app, &slug, id2).await;
    assert!(j["statements"][0]["demographics"].as_array().unwrap().is_empty(), "4 renters: below k");
    assert!(!reqwest::get(app.url(&path2)).await.unwrap().text().await.unwrap().contains("Agreement across groups"));
    cast(s2, people[4].0.clone(), "community", "agree").await;
    let j = api(&app, &slug, id2).await;
    assert_eq!(j["statements"][0]["demographics"][0]["group"], "renter");
    assert_eq!(j["statements"][0]["demographics"][0]["votes"], 5);
}
