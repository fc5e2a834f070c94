//! Partnerships end to end through the real pages and API: forming, joining, approving, leadership, lifecycle,
//! representation against census data, and who may see and do what.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};

const SQUARE: &str = r#"{"type":"MultiPolygon","coordinates":[[[[-87.70,41.90],[-87.69,41.90],[-87.69,41.91],[-87.70,41.91],[-87.70,41.90]]]]}"#;

async fn area(app: &TestApp, name: &str) -> i64 {
    areas::import(
        &app.db,
        app.jid,
        "beat",
        vec![NewArea {
            name: name.into(),
            geometry: SQUARE.into(),
            bbox: (-87.70, 41.90, -87.69, 41.91),
            area_m2: 1e6,
        }],
    )
    .await
    .unwrap();
    let a = areas::list(&app.db, app.jid, None).await.unwrap().into_iter().find(|a| a.name == name).unwrap();
    // 60 % Hispanic, 30 % white, 10 % Black; 70 % renters.
    let rows = [
        ("race", "hispanic", 600),
        ("race", "white", 300),
        ("race", "black", 100),
        ("tenure", "renter", 700),
        ("tenure", "owner", 300),
    ]
    .into_iter()
    .map(|(d, c, n)| DemographicCount { area_id: a.id, dimension: d.into(), category: c.into(), count: n })
    .collect();
    areas::replace_demographics(&app.db, app.jid, rows).await.unwrap();
    a.id
}

/// A police officer forms a partnership through the form; returns its slug.
async fn form(app: &TestApp, c: &reqwest::Client, name: &str, area_id: i64) -> String {
    let r = app
        .post_form(
            c,
            "/partnerships/new",
            "/partnerships",
            &[
                ("name", name),
                ("founding_problem", "Open-air drug sales at the corner"),
                ("mission", "Close the drug market and keep the corner for families."),
                ("goal", "prevent"),
                ("goal", "solve"),
                ("cadence", "monthly"),
                ("area", &area_id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    r.headers()["location"].to_str().unwrap().trim_start_matches("/partnerships/").to_string()
}

async fn api_json(c: &reqwest::Client, url: String) -> (u16, serde_json::Value) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn police_form_residents_join_cochairs_approve_and_activate() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1411").await;
    let (_, officer) = app.user("officer@example.org", Role::Police).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    let cop = app.client();
    app.login(&cop, "officer@example.org", officer.as_deref()).await;
    let res = app.client();
    app.login(&res, "ana@example.org", None).await;

    // Residents cannot form partnerships.
    assert_eq!(res.get(app.url("/partnerships/new")).send().await.unwrap().status(), 403);
    let bad = app
        .post_form(
            &cop,
            "/partnerships/new",
            "/partnerships",
            &[("name", "X"), ("mission", "short"), ("cadence", "daily")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Mission") && body.contains("Goals"), "each bad field is named");

    let slug = form(&app, &cop, "Beat 1411 Partnership", beat).await;
    let (_, p) = api_json(&cop, app.url(&format!("/api/v1/partnerships/{slug}"))).await;
    assert_eq!(p["status"], "forming");
    assert_eq!(p["seats"][0]["seat"], "police_chair");
    assert_eq!(p["balance"]["police"], 1);

    // Ana asks to join; only co-chairs can approve.
    assert_eq!(
        app.post_form(&res, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[])
            .await
            .status(),
        303
    );
    let approve = format!("/partnerships/{slug}/members/{ana}/approve");
    assert_eq!(app.post_form(&res, &format!("/partnerships/{slug}"), &approve, &[]).await.status(), 403);
    // Activation needs a community co-chair and community members.
    let act = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/status"),
            &[("status", "active"), ("reason", "first meeting held")],
        )
        .await;
    assert_eq!(act.status(), 422);
    assert!(act.text().await.unwrap().contains("Name a community co-chair first."));
    assert_eq!(app.post_form(&cop, &format!("/partnerships/{slug}"), &approve, &[]).await.status(), 303);
    // A police seat cannot go to a resident; the community seat can.
    let wrong = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/seats"),
            &[("seat", "police_deputy"), ("user_id", &ana.to_string()), ("ends_on", "2099-12-31")],
        )
        .await;
    assert!(wrong.text().await.unwrap().contains("A police seat needs a police member"));
    let seat = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/seats"),
            &[
                ("seat", "community_chair"),
                ("user_id", &ana.to_string()),
                ("ends_on", "2099-12-31"),
                ("note", "elected at the first meeting"),
            ],
        )
        .await;
    assert_eq!(seat.status(), 303);
    let act = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/status"),
            &[("status", "active"), ("reason", "first meeting held")],
        )
        .await;
    assert_eq!(act.status(), 303);
    let (_, p) = api_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}"))).await;
    assert_eq!(p["status"], "active");
    assert_eq!(p["balance"]["community"], 1);
    // Every transition is recorded with who and why.
    let page = cop.get(app.url(&format!("/partnerships/{slug}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Status changed from Forming to Active") && page.contains("first meeting held"));
    // Ana, now co-chair, manages; closed partnerships cannot go back.
    let close = app
        .post_form(
            &res,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/status"),
            &[("status", "closed"), ("reason", "problem solved")],
        )
        .await;
    assert_eq!(close.status(), 303);
    let reopen = app
        .post_form(
            &res,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/status"),
            &[("status", "active"), ("reason", "again")],
        )
        .await;
    assert_eq!(reopen.status(), 422);
}

#[tokio::test]
async fn contact_details_and_members_are_shown_only_to_those_entitled() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1412").await;
    let (_, officer) = app.user("officer@example.org", Role::Police).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    app.user("ben@example.org", Role::Community).await;
    let cop = app.client();
    app.login(&cop, "officer@example.org", officer.as_deref()).await;
    let slug = form(&app, &cop, "Beat 1412 Partnership", beat).await;
    let ana_c = app.client();
    app.login(&ana_c, "ana@example.org", None).await;
    app.post_form(&ana_c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[]).await;
    app.post_form(&cop, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/members/{ana}/approve"), &[])
        .await;

    // Public: no member names, no e-mails; the members API needs sign-in.
    let public = reqwest::get(app.url(&format!("/partnerships/{slug}"))).await.unwrap().text().await.unwrap();
    assert!(!public.contains("ana@example.org") && !public.contains("officer@example.org"));
    assert_eq!(
        api_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/members"))).await.0,
        401
    );
    // A signed-in non-member: 403 on the member list.
    let ben = app.client();
    app.login(&ben, "ben@example.org", None).await;
    assert_eq!(api_json(&ben, app.url(&format!("/api/v1/partnerships/{slug}/members"))).await.0, 403);
    // A member sees names but not e-mails; the co-chair sees e-mails.
    let (s, m) = api_json(&ana_c, app.url(&format!("/api/v1/partnerships/{slug}/members"))).await;
    assert_eq!(s, 200);
    assert!(m.as_array().unwrap().iter().all(|x| x["email"].is_null()));
    let page = ana_c.get(app.url(&format!("/partnerships/{slug}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("officer@example.org"));
    let (_, m) = api_json(&cop, app.url(&format!("/api/v1/partnerships/{slug}/members"))).await;
    assert!(m.as_array().unwrap().iter().any(|x| x["email"] == "ana@example.org"));
}

#[tokio::test]
async fn a_cochair_of_one_partnership_cannot_manage_another() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1413").await;
    let (_, a_sec) = app.user("a@example.org", Role::Police).await;
    let (_, b_sec) = app.user("b@example.org", Role::Police).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    let a = app.client();
    app.login(&a, "a@example.org", a_sec.as_deref()).await;
    let b = app.client();
    app.login(&b, "b@example.org", b_sec.as_deref()).await;
    let pa = form(&app, &a, "Partnership A", beat).await;
    let pb = form(&app, &b, "Partnership B", beat).await;
    let ana_c = app.client();
    app.login(&ana_c, "ana@example.org", None).await;
    app.post_form(&ana_c, &format!("/partnerships/{pb}"), &format!("/partnerships/{pb}/join"), &[]).await;

    assert_eq!(a.get(app.url(&format!("/partnerships/{pb}/edit"))).send().await.unwrap().status(), 403);
    for (path, fields) in [
        (
            format!("/partnerships/{pb}/edit"),
            vec![
                ("name", "Taken over"),
                ("mission", "A hostile takeover attempt"),
                ("goal", "arrest"),
                ("founding_problem", "none at all"),
                ("cadence", "weekly"),
            ],
        ),
        (format!("/partnerships/{pb}/members/{ana}/approve"), vec![]),
        (format!("/partnerships/{pb}/status"), vec![("status", "closed"), ("reason", "because")]),
        (format!("/partnerships/{pb}/seats/police_chair/vacate"), vec![]),
        (format!("/partnerships/{pb}/invite"), vec![("email", "x@example.org")]),
    ] {
        assert_eq!(app.post_form(&a, &format!("/partnerships/{pa}"), &path, &fields).await.status(), 403, "{path}");
    }
    let token = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, 1, "t").await.unwrap().0;
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/partnerships/{pb}/status")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"status": "closed", "reason": "takeover"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, p) = api_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{pb}"))).await;
    assert_eq!(p["status"], "forming");
    assert_eq!(p["name"], "Partnership B");
}

#[tokio::test]
async fn representation_compares_members_with_census_and_hides_small_cells() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1421").await;
    let (_, officer) = app.user("officer@example.org", Role::Police).await;
    let cop = app.client();
    app.login(&cop, "officer@example.org", officer.as_deref()).await;
    let slug = form(&app, &cop, "Corridor Partnership", beat).await;
    // Ten residents: 6 white owners, 3 Hispanic renters, 1 Black renter (against a 60 % Hispanic, 70 % renter beat).
    for i in 0..10 {
        let email = format!("r{i}@example.org");
        let (id, _) = app.user(&email, Role::Community).await;
        let c = app.client();
        app.login(&c, &email, None).await;
        let (race, tenure) = match i {
            0..6 => ("white", "owner"),
            6..9 => ("hispanic", "renter"),
            _ => ("black", "renter"),
        };
        let r = app
            .post_form(
                &c,
                "/account",
                "/account/profile",
                &[("stakeholder", "resident"), ("dim_race", race), ("dim_tenure", tenure)],
            )
            .await;
        assert_eq!(r.status(), 200);
        app.post_form(&c, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/join"), &[]).await;
        app.post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/members/{id}/approve"),
            &[],
        )
        .await;
    }
    let bad = app.client();
    app.login(&bad, "r0@example.org", None).await;
    assert_eq!(app.post_form(&bad, "/account", "/account/profile", &[("dim_race", "martian")]).await.status(), 422);

    let (_, rep) =
        api_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}/representation"))).await;
    assert_eq!(rep["community_members"], 10);
    let race = rep["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == "race").unwrap();
    assert_eq!(race["declared"], 10);
    let row = |cat: &str| race["rows"].as_array().unwrap().iter().find(|r| r["category"] == cat).unwrap().clone();
    // White: 60 % of members vs 30 % of census → ratio 2.0, gap +30 points.
    assert_eq!(row("white")["members"], 6);
    assert_eq!(row("white")["ratio"], 2.0);
    assert_eq!(row("white")["gap_pp"], 30.0);
    // Black: 1 member is a small cell and hidden; Hispanic (3) is hidden too as its complement, so neither can be
    // worked out from the total.
    assert!(row("black")["members"].is_null() && row("black")["member_pct"].is_null());
    assert!(row("hispanic")["members"].is_null());
    // Asian: nobody, and nobody in the census either → no ratio, no flag.
    assert_eq!(row("asian")["members"], 0);
    assert!(row("asian")["ratio"].is_null() && row("asian")["under_represented"] == false);
    // Tenure: 6 owners (60 % vs 30 %), 4 renters (40 % vs 70 %: ratio 0.57, not below half).
    let tenure = rep["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == "tenure").unwrap();
    let renters = tenure["rows"].as_array().unwrap().iter().find(|r| r["category"] == "renter").unwrap();
    assert_eq!(renters["members"], 4);
    assert_eq!(renters["ratio"], 0.57);
    assert_eq!(renters["under_represented"], false);
    assert!(rep["missing_stakeholders"].as_array().unwrap().iter().any(|s| s == "Business"));
    // No individual answer is exposed anywhere.
    let body = rep.to_string();
    assert!(!body.contains("r8@example.org") && !body.contains("r0@"));
}

#[tokio::test]
async fn unknown_people_are_invited_by_email_and_leaving_frees_their_seat() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1422").await;
    let (_, officer) = app.user("officer@example.org", Role::Police).await;
    let cop = app.client();
    app.login(&cop, "officer@example.org", officer.as_deref()).await;
    let slug = form(&app, &cop, "Invite Partnership", beat).await;
    let r = app
        .post_form(
            &cop,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/invite"),
            &[("email", "Newcomer@Example.org"), ("name", "Nia Newcomer")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let mails = commonbeat_store::repo::outbox::list(&app.db, app.jid, 10).await.unwrap();
    assert!(
        mails.iter().any(|m| m.to_addr == "newcomer@example.org" && m.body_text.contains("/invite/")),
        "account invitation"
    );
    assert!(
        mails.iter().any(|m| m.to_addr == "newcomer@example.org" && m.subject.contains("Invite Partnership")),
        "partnership invitation"
    );
    // Officer leaves: the police co-chair seat becomes vacant and is flagged.
    assert_eq!(
        app.post_form(&cop, &format!("/partnerships/{slug}"), &format!("/partnerships/{slug}/leave"), &[])
            .await
            .status(),
        303
    );
    let (_, p) = api_json(&reqwest::Client::new(), app.url(&format!("/api/v1/partnerships/{slug}"))).await;
    assert!(p["seats"][0]["holder"].is_null());
    assert_eq!(p["balance"]["police"], 0);
}

#[tokio::test]
async fn api_forms_partnerships_with_field_level_errors() {
    let app = TestApp::spawn().await;
    let beat = area(&app, "Beat 1431").await;
    let (cop, _) = app.user("officer@example.org", Role::Police).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    let t_cop = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, cop, "t").await.unwrap().0;
    let t_ana = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, ana, "t").await.unwrap().0;
    let c = reqwest::Client::new();
    let body = serde_json::json!({"name": "API Partnership", "mission": "Formed through the API for testing.", "goals": ["quality"], "founding_problem": "Abandoned cars", "cadence": "quarterly", "areas": [beat]});
    assert_eq!(
        c.post(app.url("/api/v1/partnerships")).bearer_auth(&t_ana).json(&body).send().await.unwrap().status(),
        403
    );
    let r = c.post(app.url("/api/v1/partnerships")).bearer_auth(&t_cop).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["slug"], "api-partnership");
    assert_eq!(p["areas"][0]["id"], beat);
    let bad = serde_json::json!({"name": "API", "mission": "x", "goals": [], "founding_problem": "Abandoned cars", "cadence": "quarterly", "areas": [999_999]});
    let r = c.post(app.url("/api/v1/partnerships")).bearer_auth(&t_cop).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["field"], "mission");
    assert!(e["detail"].as_str().unwrap().contains("goals: choose at least one goal"));
    let r = c.post(app.url("/api/v1/partnerships")).bearer_auth(&t_cop).json(&serde_json::json!({"name": "Foreign area test", "mission": "Area of another city", "goals": ["quality"], "founding_problem": "Abandoned cars", "cadence": "weekly", "areas": [999_999]})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    // Ana joins by API.
    let j: serde_json::Value = c
        .post(app.url("/api/v1/partnerships/api-partnership/join"))
        .bearer_auth(&t_ana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(j["status"], "requested");
    let list: serde_json::Value =
        c.get(app.url("/api/v1/partnerships?status=forming&goal=quality")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(c.get(app.url("/api/v1/partnerships?status=bogus")).send().await.unwrap().status(), 422);
}

#[tokio::test]
async fn map_geojson_marks_the_focused_areas_and_pages_offer_it() {
    let app = TestApp::spawn().await;
    let a = area(&app, "Beat 1433").await;
    let b = area(&app, "Beat 1434").await;
    let fc: serde_json::Value =
        reqwest::get(app.url(&format!("/areas/map.geojson?focus={b}"))).await.unwrap().json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let f = fc["features"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert!(f.iter().any(|x| x["properties"]["id"] == b && x["properties"]["focus"] == true));
    assert!(f.iter().any(|x| x["properties"]["id"] == a && x["properties"]["focus"] == false));
    let page = reqwest::get(app.url(&format!("/areas/{b}"))).await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("data-map-geojson=\"/areas/map.geojson?focus={b}\""))
            && page.contains("<svg class=\"cb-map\"")
    );
}
