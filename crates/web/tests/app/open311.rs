//! Open311 GeoReport v2: JSON and XML shapes, the spec's error lists with their HTTP statuses, api_key
//! enforcement, block-level locations, no reporter fields, filters and paging.

use crate::support::TestApp;
use commonbeat_store::repo::{open311_keys, reports};
use serde_json::Value;

const LAT: f64 = 41.891234;
const LON: f64 = -87.720987;

pub(crate) async fn post(app: &TestApp, fmt: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new().post(app.url(&format!("/open311/v2/requests.{fmt}"))).form(fields).send().await.unwrap()
}

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn xml(app: &TestApp, path: &str) -> (u16, String, String) {
    let r = reqwest::Client::new().get(app.url(path)).send().await.unwrap();
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (r.status().as_u16(), ct, r.text().await.unwrap())
}

async fn create(app: &TestApp, key: &str, code: &str, lat: f64, desc: &str) -> Value {
    let (lat, lon) = (lat.to_string(), LON.to_string());
    let r = post(
        app,
        "json",
        &[
            ("api_key", key),
            ("service_code", code),
            ("lat", &lat),
            ("long", &lon),
            ("description", desc),
            ("email", "reporter@example.org"),
            ("first_name", "Pat"),
            ("last_name", "Reporter"),
            ("phone", "555-0100"),
            ("attribute[time_of_day]", "night"),
            ("attribute[ongoing]", "yes"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn discovery_services_and_definitions_in_json_and_xml() {
    let app = TestApp::spawn().await;
    let (s, d) = json(&app, "/open311/v2/discovery.json").await;
    assert_eq!(s, 200);
    assert_eq!(d["endpoints"][0]["url"], app.url("/open311/v2"));
    let (_, _, x) = xml(&app, "/open311/v2/discovery.xml").await;
    assert!(
        x.contains("<discovery>") && x.contains("<endpoints><endpoint>") && x.contains("<format>text/xml</format>")
    );

    let (s, services) = json(&app, "/open311/v2/services.json").await;
    assert_eq!(s, 200);
    let list = services.as_array().unwrap();
    assert_eq!(list.len(), 10);
    let g = list.iter().find(|s| s["service_code"] == "graffiti").unwrap();
    assert_eq!(g["service_name"], "Graffiti");
    assert_eq!(g["metadata"], true);
    assert_eq!(g["type"], "realtime");
    let (_, es) = json(&app, "/open311/v2/services.json?locale=es").await;
    assert!(es.as_array().unwrap().iter().any(|s| s["service_name"] == "Grafiti"));
    let (s, ct, x) = xml(&app, "/open311/v2/services.xml").await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/xml"));
    assert!(x.starts_with("<?xml") && x.contains("<services><service><service_code>drug_activity</service_code>"));

    let (s, def) = json(&app, "/open311/v2/services/noise.json").await;
    assert_eq!(s, 200);
    assert_eq!(def["service_code"], "noise");
    let attr = &def["attributes"][0];
    assert_eq!(attr["code"], "time_of_day");
    assert_eq!(attr["datatype"], "singlevaluelist");
    assert_eq!(attr["variable"], true);
    assert_eq!(attr["values"][0]["key"], "morning");
    let (_, _, x) = xml(&app, "/open311/v2/services/noise.xml").await;
    assert!(x.contains("<service_definition><service_code>noise</service_code><attributes><attribute>"));
    assert!(x.contains("<values><value><key>morning</key><name>Morning</name></value>"));

    let (s, e) = json(&app, "/open311/v2/services/bogus.json").await;
    assert_eq!(s, 404);
    assert_eq!(e[0]["code"], 404);
    let (s, _, x) = xml(&app, "/open311/v2/services/bogus.xml").await;
    assert_eq!(s, 404);
    assert!(x.contains("<errors><error><code>404</code><description>"));
    let (s, e) = json(&app, "/open311/v2/services.json?jurisdiction_id=elsewhere").await;
    assert_eq!((s, e[0]["code"].as_i64()), (404, Some(404)));
    let (s, _) = json(&app, "/open311/v2/services.json?jurisdiction_id=default").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn posting_needs_a_valid_api_key_and_reads_are_block_level_without_the_reporter() {
    let app = TestApp::spawn().await;
    let (key, _) = open311_keys::create(&app.db, app.jid, "test client").await.unwrap();

    let r = post(
        &app,
        "json",
        &[("service_code", "graffiti"), ("lat", "41.89"), ("long", "-87.72"), ("description", "Tag on the wall here")],
    )
    .await;
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e[0]["code"], 401);
    let r = post(
        &app,
        "xml",
        &[("api_key", "cbo_wrong"), ("service_code", "graffiti"), ("lat", "41.89"), ("long", "-87.72")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("<errors><error><code>403</code>"));
    let r =
        post(&app, "json", &[("api_key", &key), ("service_code", "graffiti"), ("description", "Tag on the wall here")])
            .await;
    assert_eq!(r.status(), 400, "a place is required");
    let r =
        post(&app, "json", &[("api_key", &key), ("service_code", "nope"), ("lat", "41.89"), ("long", "-87.72")]).await;
    assert_eq!(r.status(), 404);
    let r = post(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "noise"),
            ("lat", "41.89"),
            ("long", "-87.72"),
            ("description", "Loud party"),
            ("attribute[ongoing]", "maybe"),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);

    let created = create(&app, &key, "noise", LAT, "Loud music every night until 3").await;
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(created[0]["account_id"].is_null());
    assert!(created[0]["service_notice"].as_str().unwrap().contains("911"));
    let token = created[0]["token"].as_str().unwrap().to_string();

    let (s, one) = json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(s, 200);
    let req = &one.as_array().unwrap()[0];
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(req["service_code"], "noise");
    assert_eq!(req["status"], "open");
    assert_eq!(req["description"], "Loud music every night until 3");
    assert!(
        req["requested_datetime"].as_str().unwrap().contains("T")
            && req["requested_datetime"].as_str().unwrap().contains("-0")
    );
    let (lat, lon) = (req["lat"].as_f64().unwrap(), req["long"].as_f64().unwrap());
    assert!((lat, lon) != (LAT, LON) && (lat - LAT).abs() < 0.001 && (lon - LON).abs() < 0.0015);
    let text = one.to_string();
    for secret in ["reporter@example.org", "Pat", "Reporter", "555-0100", "41.891234"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    let (s, _, x) = xml(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(s, 200);
    assert!(x.contains(&format!("<service_requests><request><service_request_id>{id}</service_request_id>")));
    assert!(!x.contains("reporter@example.org"));
    let (s, t) = json(&app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!((s, t[0]["service_request_id"].as_str()), (200, Some(id.as_str())));
    let (s, e) = json(&app, "/open311/v2/requests/999999.json").await;
    assert_eq!((s, e[0]["code"].as_i64()), (404, Some(404)));

    // The report also exists for staff with its contact, and it was audited.
    let r = reports::by_id(&app.db, app.jid, id.parse().unwrap()).await.unwrap();
    assert_eq!((r.contact_email.as_str(), r.source.as_str()), ("reporter@example.org", "open311"));
    assert_eq!(r.attributes, r#"{"ongoing":"yes","time_of_day":"night"}"#);

    // Moderated text never appears; hidden reports disappear.
    let r = reports::moderate(&app.db, r, false, true, "names a neighbour").await.unwrap();
    let (_, one) = json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert!(one[0]["description"].is_null());
    reports::moderate(&app.db, r, true, true, "abuse").await.unwrap();
    let (s, _) = json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(s, 404);
    let (_, all) = json(&app, "/open311/v2/requests.json").await;
    assert_eq!(all.as_array().unwrap().len(), 0);

    // A revoked key no longer works.
    let k = open311_keys::list(&app.db, app.jid).await.unwrap();
    open311_keys::revoke(&app.db, app.jid, k[0].id).await.unwrap();
    let r = post(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "noise"),
            ("lat", "41.89"),
            ("long", "-87.72"),
            ("description", "Loud party again"),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn request_lists_filter_by_status_code_id_and_date_and_page() {
    let app = TestApp::spawn().await;
    let (key, _) = open311_keys::create(&app.db, app.jid, "c").await.unwrap();
    let mut ids = Vec::new();
    for (i, code) in ["graffiti", "noise", "graffiti", "traffic"].iter().enumerate() {
        let v = create(&app, &key, code, LAT + i as f64 * 0.01, "Something worth reporting here").await;
        ids.push(v[0]["service_request_id"].as_str().unwrap().parse::<i64>().unwrap());
    }
    let r = reports::by_id(&app.db, app.jid, ids[0]).await.unwrap();
    reports::add_note(
        &app.db,
        r,
        reports::NoteIn { body: "Cleaned".into(), public: true, status_to: Some("fixed".into()), author_id: None },
    )
    .await
    .unwrap();

    let (_, all) = json(&app, "/open311/v2/requests.json").await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    let (_, closed) = json(&app, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(closed.as_array().unwrap().len(), 1);
    assert_eq!(closed[0]["status"], "closed");
    assert_eq!(closed[0]["status_notes"], "Cleaned");
    let (_, open) = json(&app, "/open311/v2/requests.json?status=open").await;
    assert_eq!(open.as_array().unwrap().len(), 3);
    let (_, g) = json(&app, "/open311/v2/requests.json?service_code=graffiti,traffic").await;
    assert_eq!(g.as_array().unwrap().len(), 3);
    let (_, some) = json(&app, &format!("/open311/v2/requests.json?service_request_id={},{}", ids[1], ids[3])).await;
    let mut got: Vec<i64> =
        some.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().parse().unwrap()).collect();
    got.sort();
    assert_eq!(got, vec![ids[1], ids[3]]);
    let (_, future) =
        json(&app, "/open311/v2/requests.json?start_date=2999-01-01T00:00:00Z&end_date=2999-02-01T00:00:00Z").await;
    assert_eq!(future.as_array().unwrap().len(), 0);
    let (_, p1) = json(&app, "/open311/v2/requests.json?page_size=3").await;
    let (_, p2) = json(&app, "/open311/v2/requests.json?page_size=3&page=2").await;
    assert_eq!((p1.as_array().unwrap().len(), p2.as_array().unwrap().len()), (3, 1));
    assert_ne!(p1[0]["service_request_id"], p2[0]["service_request_id"]);
    let (_, _, x) = xml(&app, "/open311/v2/requests.xml?status=closed").await;
    assert!(x.contains("<service_requests><request>") && x.contains("<status>closed</status>"));
    for bad in [
        "status=maybe",
        "page_size=5000",
        "page=0",
        "start_date=yesterday",
        "service_code=nope",
        "service_request_id=a,b",
    ] {
        let (s, e) = json(&app, &format!("/open311/v2/requests.json?{bad}")).await;
        assert_eq!((s, e[0]["code"].as_i64()), (400, Some(400)), "{bad}");
    }
}

#[tokio::test]
async fn a_posted_media_url_is_stored_and_returned_but_never_fetched() {
    let app = TestApp::spawn().await;
    let (key, _) = open311_keys::create(&app.db, app.jid, "test client").await.unwrap();
    // A URL nothing listens on: were it fetched, the request would fail or hang.
    let url = "http://127.0.0.1:9/photos/tag.jpg?size=large";
    let (lat, lon) = (LAT.to_string(), LON.to_string());
    let mut fields = vec![
        ("api_key", key.as_str()),
        ("service_code", "graffiti"),
        ("lat", &lat),
        ("long", &lon),
        ("description", "Tag on the wall, photo linked"),
        ("attribute[time_of_day]", "night"),
        ("media_url", url),
    ];
    let r = post(&app, "json", &fields).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let id: i64 = v[0]["service_request_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(reports::by_id(&app.db, app.jid, id).await.unwrap().media_url.as_deref(), Some(url));
    let (s, one) = json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(s, 200);
    assert_eq!(one[0]["media_url"], url);
    let (s, all) = json(&app, "/open311/v2/requests.json").await;
    assert_eq!(s, 200);
    assert!(all.as_array().unwrap().iter().any(|x| x["media_url"] == url), "{all}");
    let (_, _, body) = xml(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert!(body.contains("<media_url>http://127.0.0.1:9/photos/tag.jpg?size=large</media_url>"), "{body}");
    // Not an http(s) address: the spec's error list, naming the field.
    fields.retain(|(k, _)| *k != "media_url");
    fields.push(("media_url", "javascript:alert(1)"));
    let r = post(&app, "json", &fields).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("media_url"));
}
