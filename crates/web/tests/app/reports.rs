//! Community reports end to end: the public form (CSRF in the action URL, photo cleaning, type checks), the
//! duplicate suggestion, block-level public views without reporter details, triage and moderation by role, the
//! API's authorisation, and the four-week follow-up that reopens a report.

use crate::support::{SmtpSink, TestApp, find_link};
use commonbeat_domain::Role;
use reqwest::multipart::{Form, Part};
use sea_orm::ConnectionTrait;
use serde_json::Value;

const LAT: f64 = 41.891234;
const LON: f64 = -87.720987;

/// A small JPEG-shaped file with an EXIF segment naming a GPS position.
pub fn jpeg_with_exif() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0");
    let exif = b"Exif\0\0GPSLatitude 41.891234";
    v.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
    v.extend_from_slice(exif);
    v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01, 0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34]);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Submits the public form; returns the response.
pub(crate) async fn submit(
    app: &TestApp,
    c: &reqwest::Client,
    fields: &[(&str, &str)],
    photo: Option<Vec<u8>>,
) -> reqwest::Response {
    let html = c.get(app.url("/reports/new")).send().await.unwrap().text().await.unwrap();
    let at = html.find("action=\"/reports?csrf_token=").expect("form action with token")
        + "action=\"/reports?csrf_token=".len();
    let csrf = html[at..].split('"').next().unwrap().to_string();
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some(p) = photo {
        form = form.part("photo", Part::bytes(p).file_name("p.jpg").mime_str("image/jpeg").unwrap());
    }
    c.post(app.url(&format!("/reports?csrf_token={csrf}"))).multipart(form).send().await.unwrap()
}

pub(crate) fn id_from(r: &reqwest::Response) -> i64 {
    let loc = r.headers()["location"].to_str().unwrap();
    loc.trim_start_matches("/reports/").split('?').next().unwrap().parse().unwrap()
}

/// Creates a report through the public form and returns its id.
pub async fn report(app: &TestApp, category: &str, lat: f64, lon: f64, email: &str) -> i64 {
    let c = app.client();
    let (lat, lon) = (lat.to_string(), lon.to_string());
    let r = submit(
        app,
        &c,
        &[
            ("category", category),
            ("description", "Fresh tags on the wall by the bus stop"),
            ("lat", &lat),
            ("lon", &lon),
            ("email", email),
            ("confirm_new", "1"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    id_from(&r)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app.db.conn.query_one_raw(app.db.stmt(sql, vec![])).await.unwrap().unwrap();
    row.try_get("", "n").unwrap()
}

/// A partnership with one problem, made through the repositories; returns the problem id.
async fn a_problem(app: &TestApp, name: &str) -> i64 {
    let charter = commonbeat_domain::partnership::Charter::parse(
        name,
        "Keep the block clean and safe.",
        "quality",
        "Graffiti and dumping",
        "monthly",
    )
    .unwrap();
    let p = commonbeat_store::repo::partnerships::create(&app.db, app.jid, &charter, &[], None).await.unwrap();
    let np = commonbeat_store::repo::problems::NewProblem {
        partnership_id: p.id,
        title: "Graffiti on the underpass".into(),
        category: "disorder".into(),
        goals: "quality".into(),
        priority: "medium".into(),
        source: "reports".into(),
        is_public: true,
        ..Default::default()
    };
    commonbeat_store::repo::problems::create(&app.db, app.jid, np, "named").await.unwrap().id
}

#[tokio::test]
async fn the_public_form_records_a_report_with_a_clean_photo_and_shows_it_only_at_block_level() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let (lat, lon) = (LAT.to_string(), LON.to_string());
    let fields = [
        ("category", "graffiti"),
        ("description", "Large tag on the side of the laundromat"),
        ("lat", lat.as_str()),
        ("lon", lon.as_str()),
        ("address", "1234 W Elm St"),
        ("name", "Rosa Example"),
        ("email", "rosa@example.org"),
        ("time_of_day", "night"),
    ];
    // Without the token in the action URL the form is refused.
    let no_csrf = c.post(app.url("/reports")).multipart(Form::new().text("category", "graffiti")).send().await.unwrap();
    assert_eq!(no_csrf.status(), 403);
    // Something that is not an image is refused, whatever it is called.
    let bad = submit(&app, &c, &fields, Some(b"<html><script>alert(1)</script></html>".to_vec())).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("JPEG, PNG or WebP"));

    let r = submit(&app, &c, &fields, Some(jpeg_with_exif())).await;
    assert_eq!(r.status(), 303);
    let id = id_from(&r);

    let anon = reqwest::Client::new();
    let page = anon.get(app.url(&format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Large tag on the side of the laundromat"));
    assert!(page.contains("1200 block of W Elm St"));
    assert!(!page.contains("rosa@example.org") && !page.contains("Rosa Example") && !page.contains("1234 W Elm"));
    assert!(!page.contains("41.891234"));

    let photo = anon.get(app.url(&format!("/reports/{id}/photo"))).send().await.unwrap();
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(photo.headers()["x-content-type-options"], "nosniff");
    assert!(photo.headers()["content-disposition"].to_str().unwrap().contains(&format!("report-{id}.jpg")));
    let bytes = photo.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && !has(&bytes, b"Exif") && !has(&bytes, b"GPS"));

    let list: Value = anon.get(app.url("/api/v1/reports")).send().await.unwrap().json().await.unwrap();
    let text = list.to_string();
    assert!(!text.contains("rosa@example.org") && !text.contains("Rosa") && !text.contains("1234 W"));
    let got = &list["reports"][0];
    assert_eq!(got["id"], id);
    let (glat, glon) = (got["lat"].as_f64().unwrap(), got["lon"].as_f64().unwrap());
    assert!((glat, glon) != (LAT, LON), "the precise point is never public");
    assert!((glat - LAT).abs() < 0.001 && (glon - LON).abs() < 0.0015, "but it is in the same block");
    assert!(got.get("precise").is_none_or(Value::is_null));

    // The public list and map page work and show the cell, not the point.
    let list_page = anon.get(app.url("/reports")).send().await.unwrap().text().await.unwrap();
    assert!(list_page.contains(&format!("/reports/{id}")) && !list_page.contains("41.891234"));
    let geo: Value = anon.get(app.url("/reports/map.geojson")).send().await.unwrap().json().await.unwrap();
    assert!(!geo.to_string().contains("41.891234"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.create'").await, 1);
}

#[tokio::test]
async fn nearby_reports_of_the_same_kind_are_suggested_before_submitting() {
    let app = TestApp::spawn().await;
    let first = report(&app, "graffiti", LAT, LON, "").await;
    let c = app.client();
    let (lat, lon) = ((LAT + 0.0005).to_string(), LON.to_string());
    let fields = vec![
        ("category", "graffiti"),
        ("description", "Another tag near the bus stop"),
        ("lat", lat.as_str()),
        ("lon", lon.as_str()),
    ];
    let r = submit(&app, &c, &fields, None).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Has this already been reported?") && html.contains(&format!("/reports/{first}")));
    assert!(html.contains("name=\"confirm_new\""));
    // Another category nearby is not a duplicate.
    let other = submit(
        &app,
        &c,
        &[("category", "noise"), ("description", "Loud party every night"), ("lat", &lat), ("lon", &lon)],
        None,
    )
    .await;
    assert_eq!(other.status(), 303);
    let mut confirmed = fields.clone();
    confirmed.push(("confirm_new", "1"));
    assert_eq!(submit(&app, &c, &confirmed, None).await.status(), 303);
}

#[tokio::test]
async fn staff_triage_with_enforced_transitions_notes_and_moderation() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url)).await;
    let id = report(&app, "graffiti", LAT, LON, "rosa@example.org").await;
    smtp.wait_for(1).await; // the receipt
    let (_, police_secret) = app.user("officer@example.org", Role::Police).await;
    app.user("resident@example.org", Role::Community).await;

    let resident = app.client();
    app.login(&resident, "resident@example.org", None).await;
    assert_eq!(resident.get(app.url("/reports/triage")).send().await.unwrap().status(), 403);
    let r = app
        .post_form(&resident, "/account", &format!("/reports/{id}/update"), &[("status", "fixed"), ("note", "x")])
        .await;
    assert_eq!(r.status(), 403);
    let page = resident.get(app.url(&format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("rosa@example.org") && !page.contains("Status and notes"));

    let police = app.client();
    app.login(&police, "officer@example.org", police_secret.as_deref()).await;
    let queue = police.get(app.url("/reports/triage")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains(&format!("/reports/{id}")));
    let page = police.get(app.url(&format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("rosa@example.org"), "staff see the contact");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.contact.read'").await, 1);

    let path = format!("/reports/{id}");
    let upd = format!("/reports/{id}/update");
    // Closing needs a public note; a move outside the lifecycle is refused.
    let r = app.post_form(&police, &path, &upd, &[("status", "fixed"), ("note", ""), ("visibility", "public")]).await;
    assert_eq!(r.status(), 422);
    let r =
        app.post_form(&police, &path, &upd, &[("note", "Owner is a repeat target"), ("visibility", "internal")]).await;
    assert_eq!(r.status(), 200);
    let r = app
        .post_form(
            &police,
            &path,
            &upd,
            &[("status", "investigating"), ("note", "Officer will look"), ("visibility", "public")],
        )
        .await;
    assert_eq!(r.status(), 200);
    smtp.wait_for(2).await; // the follower hears of the public change
    let r = app
        .post_form(
            &police,
            &path,
            &upd,
            &[("status", "fixed"), ("note", "Painted over on Tuesday"), ("visibility", "public")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let r =
        app.post_form(&police, &path, &upd, &[("status", "referred"), ("note", "x"), ("visibility", "public")]).await;
    assert_eq!(r.status(), 422, "a closed report can only be reopened");

    let anon = reqwest::Client::new();
    let public = anon.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(public.contains("Painted over on Tuesday") && !public.contains("repeat target"));

    // Triage: the partnership must exist; the problem must be one of this jurisdiction's.
    let problem = a_problem(&app, "Underpass Partnership").await.to_string();
    let r = app
        .post_form(&police, &path, &format!("/reports/{id}/triage"), &[("partnership_id", "999"), ("problem_id", "")])
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_form(
            &police,
            &path,
            &format!("/reports/{id}/triage"),
            &[("problem_id", "424242"), ("agency", "Streets and Sanitation")],
        )
        .await;
    assert_eq!(r.status(), 422, "no such problem");
    let r = app
        .post_form(
            &police,
            &path,
            &format!("/reports/{id}/triage"),
            &[("problem_id", problem.as_str()), ("agency", "Streets and Sanitation")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        commonbeat_store::repo::reports::by_id(&app.db, app.jid, id).await.unwrap().problem_id,
        Some(problem.parse().unwrap())
    );

    // Moderation: the description first, then the whole report, with a reason; audited.
    let m = format!("/reports/{id}/moderate");
    assert_eq!(app.post_form(&police, &path, &m, &[("description_hidden", "1"), ("reason", "")]).await.status(), 422);
    assert_eq!(
        app.post_form(&police, &path, &m, &[("description_hidden", "1"), ("reason", "Names a neighbour")])
            .await
            .status(),
        200
    );
    let public = anon.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(!public.contains("Fresh tags on the wall") && public.contains("hidden by moderators"));
    let api: Value = anon.get(app.url(&format!("/api/v1/reports/{id}"))).send().await.unwrap().json().await.unwrap();
    assert!(api["description"].is_null());
    assert_eq!(app.post_form(&police, &path, &m, &[("hidden", "1"), ("reason", "Abusive")]).await.status(), 200);
    assert_eq!(anon.get(app.url(&path)).send().await.unwrap().status(), 404);
    assert_eq!(anon.get(app.url(&format!("/api/v1/reports/{id}"))).send().await.unwrap().status(), 404);
    assert_eq!(police.get(app.url(&path)).send().await.unwrap().status(), 200);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.moderate'").await, 2);
}

#[tokio::test]
async fn the_api_shows_the_public_block_level_view_and_triage_needs_staff() {
    let app = TestApp::spawn().await;
    let (resident, _) = app.user("resident@example.org", Role::Community).await;
    let (officer, _) = app.user("officer@example.org", Role::Police).await;
    let (rt, _) = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, resident, "t").await.unwrap();
    let (pt, _) = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, officer, "t").await.unwrap();
    let c = reqwest::Client::new();
    let body = serde_json::json!({"category": "abandoned_vehicle", "description": "Blue van without plates for weeks", "lat": LAT, "lon": LON, "attributes": {"vehicle_description": "blue van"}, "email": "res@example.org"});
    // Anonymous JSON writes are refused (no session, no token).
    assert!(matches!(
        c.post(app.url("/api/v1/reports")).json(&body).send().await.unwrap().status().as_u16(),
        401 | 403
    ));
    let r = c.post(app.url("/api/v1/reports")).bearer_auth(&rt).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert!(created["precise"].is_null(), "a resident sees the public view of their own report");
    let bad = c
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&rt)
        .json(&serde_json::json!({"category": "nope", "description": "x", "lat": LAT, "lon": LON}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);

    let public: Value = c.get(app.url(&format!("/api/v1/reports/{id}"))).send().await.unwrap().json().await.unwrap();
    assert!(public["precise"].is_null() && !public.to_string().contains("res@example.org"));
    let staff: Value =
        c.get(app.url(&format!("/api/v1/reports/{id}"))).bearer_auth(&pt).send().await.unwrap().json().await.unwrap();
    assert_eq!(staff["precise"]["contact_email"], "res@example.org");
    assert_eq!(staff["precise"]["lat"].as_f64(), Some(LAT));

    let problem = a_problem(&app, "Tow Partnership").await;
    let triage = serde_json::json!({"status": "in_progress", "note": "Tow requested", "problem_id": problem});
    let r =
        c.post(app.url(&format!("/api/v1/reports/{id}/triage"))).bearer_auth(&rt).json(&triage).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r =
        c.post(app.url(&format!("/api/v1/reports/{id}/triage"))).bearer_auth(&pt).json(&triage).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["status"], "in_progress");
    assert_eq!(out["precise"]["problem_id"], problem);
    assert_eq!(out["status_notes"][0], "Tow requested");
    let closing = serde_json::json!({"status": "fixed", "note": ""});
    let r =
        c.post(app.url(&format!("/api/v1/reports/{id}/triage"))).bearer_auth(&pt).json(&closing).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let list: Value = c.get(app.url("/api/v1/reports?status=closed")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 0);
    let list: Value = c
        .get(app.url("/api/v1/reports?status=open&category=abandoned_vehicle"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert!(count(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.contact.read'").await >= 1);
}

#[tokio::test]
async fn four_weeks_after_closing_the_reporter_is_asked_and_not_fixed_reopens() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url)).await;
    let id = report(&app, "street_lighting", LAT, LON, "rosa@example.org").await;
    let (_, secret) = app.user("officer@example.org", Role::Police).await;
    let police = app.client();
    app.login(&police, "officer@example.org", secret.as_deref()).await;
    let path = format!("/reports/{id}");
    let r = app
        .post_form(
            &police,
            &path,
            &format!("/reports/{id}/update"),
            &[("status", "fixed"), ("note", "Bulb replaced"), ("visibility", "public")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let before = smtp.wait_for(2).await.len();
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'report.follow_up'").await, 1);
    // Four weeks pass.
    app.sql("UPDATE jobs SET run_at = 0 WHERE kind = 'report.follow_up'").await;
    let mails = smtp.wait_for(before + 1).await;
    let mail = mails.iter().find(|m| m.contains("really fixed")).expect("follow-up mail");
    let link = find_link(mail, &format!("{}/reports/{id}/follow-up/", app.addr)).expect("link");
    let c = app.client();
    let page = c.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("No, it is not fixed"));
    let r = c.post(&link).form(&[("answer", "not_fixed")]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = commonbeat_store::repo::reports::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(r.status, "investigating");
    assert_eq!(r.follow_up_answer.as_deref(), Some("not_fixed"));
    assert!(r.closed_at.is_none());
    // A wrong token is a 404.
    assert_eq!(c.get(app.url(&format!("/reports/{id}/follow-up/nope"))).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn co_chairs_triage_only_their_partnerships_reports() {
    use commonbeat_domain::partnership::Seat;
    use commonbeat_store::repo::{leadership, partnerships, reports as repo};
    let app = TestApp::spawn().await;
    let (_, cop_secret) = app.user("cop@example.org", Role::Police).await;
    let cop = app.client();
    app.login(&cop, "cop@example.org", cop_secret.as_deref()).await;
    let mut slugs = Vec::new();
    for name in ["Elm Street Partnership", "Oak Street Partnership"] {
        let r = app
            .post_form(
                &cop,
                "/partnerships/new",
                "/partnerships",
                &[
                    ("name", name),
                    ("founding_problem", "Graffiti on every wall"),
                    ("mission", "Clean walls and safe streets."),
                    ("goal", "quality"),
                    ("cadence", "monthly"),
                ],
            )
            .await;
        slugs.push(r.headers()["location"].to_str().unwrap().trim_start_matches("/partnerships/").to_string());
    }
    let elm = partnerships::by_slug(&app.db, app.jid, &slugs[0]).await.unwrap().id;
    let oak = partnerships::by_slug(&app.db, app.jid, &slugs[1]).await.unwrap().id;
    let (chair, _) = app.user("chair@example.org", Role::Community).await;
    let now = commonbeat_store::now();
    let a = leadership::Assignment {
        seat: Seat::CommunityChair,
        user_id: chair,
        starts_at: now - 10,
        ends_at: now + 86_400 * 365,
        actor_id: None,
        handover_note: "",
    };
    leadership::assign(&app.db, app.jid, elm, a).await.unwrap();
    let mine = report(&app, "graffiti", LAT, LON, "").await;
    let theirs = report(&app, "graffiti", LAT + 0.01, LON, "").await;
    for (id, p) in [(mine, elm), (theirs, oak)] {
        let r = repo::by_id(&app.db, app.jid, id).await.unwrap();
        repo::triage(&app.db, r, repo::Triage { partnership_id: Some(p), ..Default::default() }).await.unwrap();
    }

    let c = app.client();
    app.login(&c, "chair@example.org", None).await;
    let queue = c.get(app.url("/reports/triage")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains(&format!("/reports/{mine}\"")) && !queue.contains(&format!("/reports/{theirs}\"")));
    let ok = app
        .post_form(
            &c,
            &format!("/reports/{mine}"),
            &format!("/reports/{mine}/update"),
            &[("status", "investigating"), ("note", "We will raise it at the meeting"), ("visibility", "public")],
        )
        .await;
    assert_eq!(ok.status(), 200);
    let no = app
        .post_form(
            &c,
            &format!("/reports/{theirs}"),
            &format!("/reports/{theirs}/update"),
            &[("status", "investigating"), ("note", "x"), ("visibility", "public")],
        )
        .await;
    assert_eq!(no.status(), 403);
    let oak_s = oak.to_string();
    let moved = app
        .post_form(&c, &format!("/reports/{mine}"), &format!("/reports/{mine}/triage"), &[("partnership_id", &oak_s)])
        .await;
    assert_eq!(moved.status(), 422, "a co-chair cannot hand a report to a partnership they do not lead");
    // A resident without a seat has no queue.
    app.user("plain@example.org", Role::Community).await;
    let p = app.client();
    app.login(&p, "plain@example.org", None).await;
    assert_eq!(p.get(app.url("/reports/triage")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn anonymous_form_submissions_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for _ in 0..commonbeat_web::routes::reports::service::ANON_REPORTS_PER_HOUR {
        assert_eq!(submit(&app, &c, &[("category", "")], None).await.status(), 422);
    }
    let r = submit(&app, &c, &[("category", "")], None).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}
