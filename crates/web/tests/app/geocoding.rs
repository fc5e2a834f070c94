//! The offline geocoder: a report with only an address (Open311 `address_string` or the web form's address)
//! is placed at the mean point of the matching block's incidents, or at a named area; an address that matches
//! nothing is kept without a point.

use crate::crime::{beats, import_file, row, when};
use crate::open311::post;
use crate::reports::{id_from, submit};
use crate::support::TestApp;
use commonbeat_domain::incident::CHICAGO_HEADER;
use commonbeat_store::repo::{open311_keys, reports};
use serde_json::Value;

/// Incidents on two blocks: W Madison in beat A (mean −87.695, 41.905) and N Broadway in beat B.
async fn blocks(app: &TestApp) {
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    let at = |id: usize, block: &str, lon: f64, lat: f64| {
        row(&id.to_string(), &when(10, 12), "THEFT", "$500 AND UNDER", lon, lat).replace("0012XX W MAPLE ST", block)
    };
    lines.push(at(1, "012XX W MADISON ST", -87.6952, 41.9049));
    lines.push(at(2, "012XX W MADISON ST", -87.6948, 41.9051));
    lines.push(at(3, "012XX W MADISON STREET", -87.6950, 41.9050));
    lines.push(at(4, "045XX N BROADWAY", -87.6750, 41.9050));
    import_file(app, &(lines.join("\n") + "\n")).await;
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn an_open311_request_with_only_an_address_is_placed_on_its_block() {
    let app = TestApp::spawn().await;
    beats(&app).await;
    blocks(&app).await;
    let (key, _) = open311_keys::create(&app.db, app.jid, "test client").await.unwrap();
    let fields = |address: &'static str| {
        vec![
            ("api_key", key.clone()),
            ("service_code", "graffiti".to_string()),
            ("address_string", address.to_string()),
            ("description", "Fresh tags on the rail bridge".to_string()),
            ("attribute[time_of_day]", "night".to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = post(app, "json", &f).await;
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            v[0]["service_request_id"].as_str().unwrap().parse::<i64>().unwrap()
        }
    };

    let id = send(fields("1234 West Madison Street, Chicago, IL 60607")).await;
    let r = reports::by_id(&app.db, app.jid, id).await.unwrap();
    assert!(close(r.lon, -87.695) && close(r.lat, 41.905), "the block's mean: {:?} {:?}", r.lon, r.lat);
    assert_eq!(r.address, "1234 West Madison Street, Chicago, IL 60607", "the address as given is kept");
    assert_eq!(r.block_address, "1200 block of W MADISON ST");
    let v: Value =
        reqwest::get(app.url(&format!("/open311/v2/requests/{id}.json"))).await.unwrap().json().await.unwrap();
    let (lat, lon) = (v[0]["lat"].as_f64().unwrap(), v[0]["long"].as_f64().unwrap());
    assert!((lat - 41.905).abs() < 0.002 && (lon - -87.695).abs() < 0.003, "public point in the block's cell: {v}");
    assert!(lon > -87.70 && lon < -87.69, "in beat A");
    assert_eq!(v[0]["address"], "1200 block of W MADISON ST");
    assert!(!v.to_string().contains("1234"), "never the house number: {v}");

    // Nonsense is accepted, as an address-only request always was, and kept without a point.
    let id = send(fields("somewhere over the rainbow")).await;
    let r = reports::by_id(&app.db, app.jid, id).await.unwrap();
    assert!(r.lat.is_none() && r.lon.is_none() && r.block_lat.is_none());
    assert_eq!(r.address, "somewhere over the rainbow");
    let v: Value =
        reqwest::get(app.url(&format!("/open311/v2/requests/{id}.json"))).await.unwrap().json().await.unwrap();
    assert!(v[0]["lat"].is_null(), "{v}");
}

#[tokio::test]
async fn the_report_form_places_an_address_on_its_block_or_named_area() {
    let app = TestApp::spawn().await;
    beats(&app).await;
    blocks(&app).await;
    let c = app.client();
    let form = |address: &'static str| {
        [
            ("category", "graffiti"),
            ("description", "Large tag on the side of the laundromat"),
            ("address", address),
            ("time_of_day", "night"),
        ]
    };

    let r = submit(&app, &c, &form("4530 n. broadway"), None).await;
    assert_eq!(r.status(), 303);
    let report = reports::by_id(&app.db, app.jid, id_from(&r)).await.unwrap();
    assert!(close(report.lon, -87.675) && close(report.lat, 41.905), "{:?} {:?}", report.lon, report.lat);
    assert_eq!(report.block_address, "4500 block of N BROADWAY");

    // No known block, but a named beat: its centre.
    let r = submit(&app, &c, &form("the vacant lot in beat B"), None).await;
    assert_eq!(r.status(), 303);
    let report = reports::by_id(&app.db, app.jid, id_from(&r)).await.unwrap();
    assert!(close(report.lon, -87.675) && close(report.lat, 41.905), "{:?} {:?}", report.lon, report.lat);

    // Nothing matches: the report is kept with its address only.
    let r = submit(&app, &c, &form("9999 Imaginary Blvd"), None).await;
    assert_eq!(r.status(), 303);
    let id = id_from(&r);
    let report = reports::by_id(&app.db, app.jid, id).await.unwrap();
    assert!(report.lat.is_none());
    let html = c.get(app.url(&format!("/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("9900 block of Imaginary Blvd"), "the public page shows the hundred block");
}
