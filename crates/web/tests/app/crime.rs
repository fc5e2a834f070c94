//! Crime data, end to end on a real server and database: an analyst imports a Chicago-format file with bad rows
//! (the same pipeline as `commonbeat import incidents`), re-imports it without duplicates, reads precise
//! analyses; the public sees only the privacy-safe view; the upload page imports with progress and a reject
//! report; incident details are police-only and audited.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_domain::incident::CHICAGO_HEADER;
use commonbeat_store::repo::areas::{self, NewArea};
use commonbeat_web::crime::Progress;
use commonbeat_web::crime::import::{self, ImportRequest};
use serde_json::{Value, json};
use std::sync::Arc;

pub(crate) const CLUSTER: (f64, f64) = (-87.695, 41.905);

fn square(lon0: f64) -> String {
    format!(
        r#"{{"type":"MultiPolygon","coordinates":[[[[{a},41.90],[{b},41.90],[{b},41.91],[{a},41.91],[{a},41.90]]]]}}"#,
        a = lon0,
        b = lon0 + 0.01
    )
}

pub(crate) async fn beats(app: &TestApp) -> (i64, i64) {
    for (name, lon0) in [("A", -87.70), ("B", -87.68)] {
        areas::import(
            &app.db,
            app.jid,
            "beat",
            vec![NewArea {
                name: name.into(),
                geometry: square(lon0),
                bbox: (lon0, 41.90, lon0 + 0.01, 41.91),
                area_m2: 1e6,
            }],
        )
        .await
        .unwrap();
    }
    let all = areas::list(&app.db, app.jid, None).await.unwrap();
    let id = |n: &str| all.iter().find(|a| a.name == n).unwrap().id;
    (id("A"), id("B"))
}

pub(crate) fn when(days_ago: i64, hour: i8) -> String {
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let d = jiff::Timestamp::now().to_zoned_datetime(tz).date().checked_sub(jiff::Span::new().days(days_ago)).unwrap();
    d.at(hour, 15, 0, 0).strftime("%m/%d/%Y %I:%M:%S %p").to_string()
}

pub(crate) fn row(id: &str, date: &str, kind: &str, desc: &str, lon: f64, lat: f64) -> String {
    format!(
        "{id},JA{id},{date},0012XX W MAPLE ST,0820,{kind},{desc},STREET,false,false,1234,012,27,24,06,,,2026,,{lat},{lon},\"({lat}, {lon})\""
    )
}

/// 20 thefts at one point 20–39 days ago, 8 thefts spread over beat B, 4 sexual assaults at the point 20 days
/// ago (sensitive), 3 thefts at the point 2 days ago (inside the publication lag), and 3 bad rows.
fn chicago_file() -> String {
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    for i in 0..20 {
        lines.push(row(&format!("{}", 1000 + i), &when(20 + i, 14), "THEFT", "$500 AND UNDER", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..8 {
        let lon = -87.679 + 0.0011 * i as f64;
        lines.push(row(
            &format!("{}", 2000 + i),
            &when(25, 20),
            "THEFT",
            "FROM BUILDING",
            lon,
            41.901 + 0.001 * i as f64,
        ));
    }
    for i in 0..4 {
        lines.push(row(
            &format!("{}", 3000 + i),
            &when(20, 23),
            "CRIMINAL SEXUAL ASSAULT",
            "NON-AGGRAVATED",
            CLUSTER.0,
            CLUSTER.1,
        ));
    }
    for i in 0..3 {
        lines.push(row(&format!("{}", 4000 + i), &when(2, 10), "THEFT", "RETAIL THEFT", CLUSTER.0, CLUSTER.1));
    }
    lines.push(row("", &when(5, 10), "THEFT", "RETAIL THEFT", CLUSTER.0, CLUSTER.1));
    lines.push(row("5001", "13/45/2025 99:00:00 PM", "THEFT", "RETAIL THEFT", CLUSTER.0, CLUSTER.1));
    lines.push(row("5002", &when(5, 10), "THEFT", "RETAIL THEFT", CLUSTER.0, 141.9));
    lines.join("\n") + "\n"
}

pub(crate) async fn import_file(app: &TestApp, text: &str) -> import::ImportOutcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crimes.csv");
    std::fs::write(&path, text).unwrap();
    let req = ImportRequest {
        profile: "chicago".into(),
        mapping: None,
        file_name: "crimes.csv".into(),
        started_by: None,
        rejects_csv: Some(dir.path().join("rejects.csv")),
    };
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let out = import::run(&app.db, app.jid, tz, &path, req, Arc::new(Progress::default())).await.unwrap();
    let report = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    assert_eq!(report.lines().count() as u64, out.rejected + 1, "reject report: {report}");
    app.state.crime.reload(&app.db, app.jid).await.unwrap();
    out
}

async fn get_json(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let r = c.get(app.url(path)).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn counts(fc: &Value) -> Vec<Option<u64>> {
    fc["features"].as_array().unwrap().iter().map(|f| f["properties"]["count"].as_u64()).collect()
}

#[tokio::test]
async fn an_analyst_imports_with_rejects_reimports_without_duplicates_and_the_public_sees_only_safe_aggregates() {
    let app = TestApp::spawn().await;
    let (beat_a, beat_b) = beats(&app).await;
    let file = chicago_file();

    let first = import_file(&app, &file).await;
    assert_eq!(first.rows_read, 38);
    assert_eq!(first.rejected, 3);
    assert_eq!((first.counts.accepted, first.counts.created, first.counts.updated), (35, 35, 0));
    assert_eq!(first.by_reason.get("missing_id"), Some(&1));
    assert_eq!(first.by_reason.get("bad_date"), Some(&1));
    assert_eq!(first.by_reason.get("out_of_range_coordinates").or(first.by_reason.get("bad_coordinates")), Some(&1));
    // Row numbers count the header as row 1: the 36th data row is row 37.
    let bad_id = first.sample.iter().find(|r| r.row == 37).expect("row 37 rejected");
    assert!(bad_id.field.eq_ignore_ascii_case("ID"), "{bad_id:?}");
    let bad_date = first.sample.iter().find(|r| r.row == 38).expect("row 38 rejected");
    assert!(bad_date.field.eq_ignore_ascii_case("Date"), "{bad_date:?}");

    // The first import into an empty table rebuilt the time index at the end; it exists afterwards.
    let sql = if app.db.backend == commonbeat_store::Backend::Postgres {
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pg_indexes WHERE indexname = 'ix_incidents_jurisdiction_id_occurred_at'"
    } else {
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'ix_incidents_jurisdiction_id_occurred_at'"
    };
    let row = {
        use sea_orm::ConnectionTrait;
        app.db.conn.query_one_raw(sea_orm::Statement::from_string(app.db.db_backend(), sql)).await.unwrap().unwrap()
    };
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1);

    let again = import_file(&app, &file).await;
    assert_eq!((again.counts.accepted, again.counts.created, again.counts.updated), (35, 0, 35));
    assert_eq!(commonbeat_store::repo::incidents::count(&app.db, app.jid).await.unwrap(), 35);

    let period = format!(
        "from={}&to={}",
        jiff::Timestamp::now().checked_sub(jiff::Span::new().hours(24 * 60)).unwrap(),
        jiff::Timestamp::now().checked_add(jiff::Span::new().hours(1)).unwrap()
    )
    .replace('+', "%2B");

    // Police: precise, sensitive included, no lag; counts are conserved.
    let (_, secret) = app.user("analyst@example.org", Role::Police).await;
    let police = app.client();
    app.login(&police, "analyst@example.org", secret.as_deref()).await;
    let (s, fc) = get_json(&police, &app, &format!("/api/v1/analysis/hotspots?cell_m=250&{period}")).await;
    assert_eq!(s, 200, "{fc}");
    let c = counts(&fc);
    assert_eq!(c.iter().map(|x| x.unwrap()).sum::<u64>(), 35, "count conservation");
    assert_eq!(c.iter().map(|x| x.unwrap()).max(), Some(27));
    assert_eq!(fc["grid"]["cell_m"], 250.0);
    assert!(
        fc["grid"]["rows"].as_u64().unwrap() >= 1
            && fc["grid"]["projection"].as_str().unwrap().contains("equirectangular")
    );
    let (_, tr) = get_json(&police, &app, &format!("/api/v1/analysis/trend?interval=day&{period}")).await;
    let total: u64 = tr["periods"].as_array().unwrap().iter().filter_map(|p| p["count"].as_u64()).sum();
    assert_eq!(total, 35, "{tr}");

    // The public: no sensitive incidents, nothing from the last 7 days, 250 m cells at least, small cells hidden.
    let public = app.client();
    let (s, fc) = get_json(&public, &app, &format!("/api/v1/analysis/hotspots?cell_m=50&{period}")).await;
    assert_eq!(s, 200);
    assert_eq!(fc["grid"]["cell_m"], 250.0, "the public never gets cells under 250 m");
    let c = counts(&fc);
    assert_eq!(c.iter().flatten().max(), Some(&20));
    assert!(c.iter().flatten().all(|&n| n >= 3), "no public cell under 3: {c:?}");
    assert!(c.iter().any(Option::is_none), "the spread thefts' cells are suppressed: {c:?}");
    assert!(!fc.to_string().contains("41.905,"), "no precise point");
    let (_, tr) = get_json(&public, &app, &format!("/api/v1/analysis/trend?interval=day&{period}")).await;
    let total: u64 = tr["periods"].as_array().unwrap().iter().filter_map(|p| p["count"].as_u64()).sum();
    assert_eq!(total, 28, "public trend drops sensitive and lagged incidents: {tr}");
    // Area totals include sensitive incidents (not the lagged ones).
    let page = public.get(app.url(&format!("/crime?area={beat_a}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<strong>24</strong>"), "beat A public total 20 thefts + 4 sensitive");
    assert!(page.contains("Public view"));
    assert!(!page.contains(&format!("{}", CLUSTER.1)), "no precise point on the public page");

    // Police-only analyses and details.
    let id: i64 = {
        use sea_orm::{EntityTrait, QueryOrder};
        commonbeat_store::entities::incident::Entity::find()
            .order_by_asc(commonbeat_store::entities::incident::Column::Id)
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    for path in [format!("/api/v1/incidents/{id}"), format!("/api/v1/analysis/near-repeat?{period}")] {
        let (s, _) = get_json(&public, &app, &path).await;
        assert!(s == 401 || s == 403, "{path}: {s}");
    }
    let (s, inc) = get_json(&police, &app, &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(inc["lat"], json!(CLUSTER.1));
    let (audited, _) = commonbeat_store::repo::audit::list(&app.db, app.jid, &Default::default(), 50, 0).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "incident.read" && e.object == format!("incident:{id}")));
    let (s, nr) = get_json(
        &police,
        &app,
        &format!("/api/v1/analysis/near-repeat?{period}&distance_bands_m=0,50,200&time_bands_days=0,7,30"),
    )
    .await;
    assert_eq!(s, 200, "{nr}");
    assert_eq!(nr["distance_bands_m"][0], "[0, 50) m");

    // Displacement over areas; a bad body names its field.
    let csrf = app.csrf(&police, "/crime").await;
    let body = json!({
        "target": beat_a, "buffer": beat_b,
        "control": {"type": "Polygon", "coordinates": [[[-87.60, 41.80], [-87.59, 41.80], [-87.59, 41.81], [-87.60, 41.80]]]},
        "before": {"from": "2000-01-01", "to": jiff::Timestamp::now().checked_sub(jiff::Span::new().hours(24 * 22)).unwrap().to_string()},
        "after": {"from": jiff::Timestamp::now().checked_sub(jiff::Span::new().hours(24 * 22)).unwrap().to_string(), "to": "2100-01-01"},
    });
    let r = police
        .post(app.url("/api/v1/analysis/displacement"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    let t = &d["counts"]["target"];
    assert_eq!(t["before"].as_u64().unwrap() + t["after"].as_u64().unwrap(), 27, "{d}");
    assert_eq!(d["counts"]["buffer"]["before"], 8);
    let mut bad = body.clone();
    bad.as_object_mut().unwrap().remove("before");
    let r = police
        .post(app.url("/api/v1/analysis/displacement"))
        .header("x-csrf-token", &csrf)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("before"));
    let r = public.post(app.url("/api/v1/analysis/displacement")).json(&body).send().await.unwrap();
    assert!(matches!(r.status().as_u16(), 401 | 403));

    // The same analysis on the page, with a square target around a point and a ring buffer.
    let split = jiff::Timestamp::now().checked_sub(jiff::Span::new().hours(24 * 22)).unwrap();
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let split_day = split.to_zoned_datetime(tz).date();
    let page = police
        .get(app.url(&format!(
            "/crime/displacement?lat={}&lon={}&inner_m=100&outer_m=400&control_area={beat_b}&before_from=2000-01-01&before_to={split_day}&after_from={split_day}&after_to=2100-01-01",
            CLUSTER.1, CLUSTER.0
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("WDQ") && html.contains("Net effect"), "{html}");
    let target_row = html.split("Target (where the response ran)</th><td>").nth(1).unwrap();
    let (b, a) = target_row.split_once(" → ").unwrap();
    let a: u64 = a.split('<').next().unwrap().parse().unwrap();
    assert_eq!(b.parse::<u64>().unwrap() + a, 27, "every incident at the point is in the target square");
    let bad = police
        .get(app.url("/crime/displacement?lat=x&lon=1&control_area=1&before_from=2020-01-01"))
        .send()
        .await
        .unwrap();
    assert!(bad.text().await.unwrap().contains("lat: not a number"), "a bad field is named");
    assert_eq!(public.get(app.url("/crime/displacement")).send().await.unwrap().status(), 303, "sign-in first");
}

#[tokio::test]
async fn the_upload_page_imports_with_progress_and_a_reject_report_for_police_only() {
    let app = TestApp::spawn().await;
    beats(&app).await;
    let (_, secret) = app.user("upload@example.org", Role::Police).await;
    let police = app.client();
    app.login(&police, "upload@example.org", secret.as_deref()).await;
    let resident = app.client();
    app.user("resident@example.org", Role::Community).await;
    app.login(&resident, "resident@example.org", None).await;
    assert_eq!(resident.get(app.url("/crime/imports")).send().await.unwrap().status(), 403);

    let csrf = app.csrf(&police, "/crime/imports").await;
    let form = || {
        reqwest::multipart::Form::new()
            .text("profile", "chicago")
            .part("file", reqwest::multipart::Part::bytes(chicago_file().into_bytes()).file_name("march.csv"))
    };
    // Without the token the upload is refused.
    let r = police.post(app.url("/crime/imports")).multipart(form()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = police.post(app.url(&format!("/crime/imports?csrf_token={csrf}"))).multipart(form()).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let mut page = String::new();
    for _ in 0..100 {
        page = police.get(app.url(&format!("{loc}?fragment=1"))).send().await.unwrap().text().await.unwrap();
        if !page.contains("hx-trigger") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("Done"), "{page}");
    assert!(page.contains("<td>35</td>") && page.contains("<td>3</td>"), "{page}");
    assert!(page.contains("missing_id"));
    let csv = police.get(app.url(&format!("{loc}?format=csv"))).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("row,field,reason\n37,"), "{csv}");
    assert_eq!(commonbeat_store::repo::incidents::count(&app.db, app.jid).await.unwrap(), 35);
    // The cache was rebuilt after the import: the dashboard counts the new incidents.
    let dash = police.get(app.url("/crime")).send().await.unwrap().text().await.unwrap();
    assert!(dash.contains("<strong>35</strong>"), "police total");
}

#[tokio::test]
async fn analysts_rake_survey_data_from_elsewhere_with_the_methods_reference_and_named_errors() {
    let app = TestApp::spawn().await;
    let (_, secret) = app.user("rake@example.org", Role::Police).await;
    let police = app.client();
    app.login(&police, "rake@example.org", secret.as_deref()).await;
    let csrf = app.csrf(&police, "/crime").await;
    let sex = ["M", "M", "M", "M", "M", "F", "F", "F", "F", "F", "F", "F"];
    let age = ["18-34", "18-34", "35-54", "55+", "55+", "18-34", "35-54", "35-54", "35-54", "55+", "55+", "55+"];
    let trusts = [0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1];
    let respondents: Vec<Value> = (0..12).map(|i| json!({"sex": sex[i], "age": age[i], "y": trusts[i]})).collect();
    let margins = json!({"sex": {"M": 4800, "F": 5200}, "age": {"18-34": 3000, "35-54": 4000, "55+": 3000}});
    let post =
        |body: Value| police.post(app.url("/api/v1/analysis/rake")).header("x-csrf-token", &csrf).json(&body).send();
    let r = post(json!({"respondents": respondents, "margins": margins})).await.unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    let w: Vec<f64> = out["weights"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(w.len(), 12);
    assert!((w.iter().sum::<f64>() - 10_000.0).abs() < 1e-6, "weights sum to the population");
    let mean = out["estimate"]["mean"].as_f64().unwrap();
    assert!((mean - 0.716138).abs() < 1e-6, "METHODS raked share: {mean}");
    let se = out["estimate"]["se"].as_f64().unwrap();
    assert!((se - 0.143859).abs() < 1e-6, "METHODS SE: {se}");
    let deff = out["estimate"]["design_effect"].as_f64().unwrap();
    assert!((deff - 1.0735).abs() < 1e-4, "Kish design effect: {deff}");

    // A category with no respondents, and a respondent in a category the margins lack, are 422s naming them.
    let r =
        post(json!({"respondents": respondents, "margins": {"sex": {"M": 4800, "F": 5200, "X": 10}}})).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("margins.sex.X"));
    let mut odd = respondents.clone();
    odd[3]["age"] = json!("75+");
    let r = post(json!({"respondents": odd, "margins": margins})).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("respondents[3].age"));
    // Residents and the public may not use it.
    let r = app
        .client()
        .post(app.url("/api/v1/analysis/rake"))
        .json(&json!({"respondents": respondents, "margins": margins}))
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 401 | 403));
}
