//! A problem's location drawn on the map: the polygon is checked with errors naming the field, only co-chairs
//! and the partnership's police members may set it, members see it exactly, and the public sees only a box on
//! the 250 m grid, never the outline.

use crate::crime::beats;
use crate::meetings::beat;
use crate::support::*;
use commonbeat_store::repo::problems;
use serde_json::Value;

/// The `data-show-shape` GeoJSON of a page, if any.
fn shown_shape(html: &str) -> Option<Value> {
    let raw = html.split("data-show-shape=\"").nth(1)?.split('"').next()?;
    serde_json::from_str(&raw.replace("&quot;", "\"").replace("&#34;", "\"").replace("&amp;", "&")).ok()
}

#[tokio::test]
async fn a_drawn_location_is_checked_authorised_and_shown_to_the_public_only_as_a_snapped_box() {
    let app = TestApp::spawn().await;
    beats(&app).await; // areas span -87.70…-87.67 by 41.90…41.91
    let b = beat(&app, "draw", "Drawing Partnership", 1, 1).await;
    let list = format!("/partnerships/{}/problems", b.slug);
    let r = app
        .post_form(
            &b.chair.c,
            &list,
            &list,
            &[("title", "Open-air drug market"), ("category", "drugs"), ("goals", "prevent"), ("place", "Oak & 3rd")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let path = format!("/partnerships/{}/problems/{id}", b.slug);
    let loc = format!("{path}/location");

    // Refusals re-render the page (422) with a message naming the field, and keep what was typed.
    for (text, expect) in [
        ("41.901,-87.699\n41.902,-87.698", "give at least 3 different corners"),
        ("41.901,-87.699\nnorth,-87.698\n41.902,-87.697", "line 2 is not"),
        ("41.901,-87.699\n41.903,-87.697\n41.901,-87.697\n41.903,-87.699", "the outline crosses or touches itself"),
        ("41.901,-87.699\n41.902,-87.600\n41.903,-87.699", "a corner lies outside the city"),
    ] {
        let r = app.post_form(&b.chair.c, &path, &loc, &[("vertices", text)]).await;
        assert_eq!(r.status(), 422, "{text}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("Corners of the location: {expect}")),
            "{expect}: {}",
            html.split("usa-alert__text").nth(1).unwrap_or("")
        );
        assert!(html.contains(text.lines().next().unwrap()), "typed text kept");
    }
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());

    // A resident member may not draw it; an anonymous visitor is sent to sign in.
    let polygon = "41.9040,-87.6960\n41.9040,-87.6940\n41.9060,-87.6950";
    let r = app.post_form(&b.community[0].c, &path, &loc, &[("vertices", polygon)]).await;
    assert_eq!(r.status(), 403);
    let anon = app.client();
    let r = app.post_form(&anon, "/login", &loc, &[("vertices", polygon)]).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    // Without the CSRF token: refused.
    let r = b.police[0].c.post(app.url(&loc)).form(&[("vertices", polygon)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());

    // The partnership's police member draws it.
    let r = app.post_form(&b.police[0].c, &path, &loc, &[("vertices", polygon)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Location saved."));
    assert!(html.contains("41.904000,-87.696000"), "members see the corners");
    let stored = problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.unwrap();
    let g: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(g["type"], "Polygon");
    assert_eq!(g["coordinates"][0].as_array().unwrap().len(), 4, "closed ring of a triangle");

    // A member without the right sees the exact outline but no form.
    let html = b.community[0].c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("name=\"vertices\""));
    let shape = shown_shape(&html).expect("members' map");
    assert_eq!(shape["coordinates"][0].as_array().unwrap().len(), 4);

    // The public: only the box, snapped outwards to 250 m, never the corners.
    let html = anon.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Drawn location") && html.contains("250 m"));
    assert!(!html.contains("41.904000") && !html.contains("-87.696,") && !html.contains("name=\"vertices\""));
    let shape = shown_shape(&html).expect("public box");
    let ring = shape["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 5, "a box");
    let (lons, lats): (Vec<f64>, Vec<f64>) =
        ring.iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).unzip();
    let (min_lat, max_lat) = (lats.iter().cloned().fold(90.0, f64::min), lats.iter().cloned().fold(-90.0, f64::max));
    let (min_lon, max_lon) = (lons.iter().cloned().fold(180.0, f64::min), lons.iter().cloned().fold(-180.0, f64::max));
    assert!(min_lat < 41.904 && max_lat > 41.906 && min_lon < -87.696 && max_lon > -87.694, "contains the outline");
    let cell = 250.0 / 111_320.0;
    for v in [min_lat, max_lat] {
        assert!(((v / cell) - (v / cell).round()).abs() < 1e-6, "latitude {v} on the 250 m grid");
    }
    assert!(max_lat - min_lat >= cell - 1e-9);

    // The co-chair removes it.
    let r = app.post_form(&b.chair.c, &path, &loc, &[("vertices", ""), ("action", "clear")]).await;
    assert_eq!(r.status(), 200);
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());
    let html = anon.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(shown_shape(&html).is_none());
}

/// `PUT /api/v1/partnerships/{slug}/problems/{id}/location` with a session and its CSRF token.
async fn put_location(app: &TestApp, c: &reqwest::Client, slug: &str, id: i64, body: Value) -> reqwest::Response {
    let csrf = app.csrf(c, &format!("/partnerships/{slug}/problems")).await;
    c.put(app.url(&format!("/api/v1/partnerships/{slug}/problems/{id}/location")))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn ring(v: &Value) -> usize {
    v["coordinates"][0].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_api_sets_checks_returns_and_clears_the_drawn_location_for_authorised_callers_only() {
    let app = TestApp::spawn().await;
    beats(&app).await;
    let b = beat(&app, "apidraw", "API Drawing Partnership", 1, 1).await;
    let other = beat(&app, "apiother", "Other Partnership", 1, 1).await;
    let list = format!("/partnerships/{}/problems", b.slug);
    let r = app
        .post_form(&b.chair.c, &list, &list, &[("title", "Car break-ins"), ("category", "drugs"), ("goals", "prevent")])
        .await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let api = app.url(&format!("/api/v1/partnerships/{}/problems/{id}", b.slug));
    let triangle = serde_json::json!({"type": "Polygon",
        "coordinates": [[[-87.6960, 41.9040], [-87.6940, 41.9040], [-87.6950, 41.9060], [-87.6960, 41.9040]]]});

    // Nothing drawn yet: both fields null.
    let v: Value = b.chair.c.get(&api).send().await.unwrap().json().await.unwrap();
    assert!(v["polygon"].is_null() && v["polygon_public_box"].is_null(), "{v}");

    // Refusals are 422s naming the field, with the form's reasons (the test city is too small for 5 km²).
    let circle: Vec<Value> = (0..201)
        .map(|k| {
            let a = k as f64 * std::f64::consts::TAU / 201.0;
            serde_json::json!([-87.685 + 0.005 * a.cos(), 41.905 + 0.003 * a.sin()])
        })
        .collect();
    for (body, expect) in [
        (serde_json::json!({"type": "Point", "coordinates": [-87.69, 41.90]}), "GeoJSON Polygon"),
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[-87.699, 41.901], [-87.697, 41.903], [-87.697, 41.901], [-87.699, 41.903]]]}),
            "crosses or touches itself",
        ),
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[-87.699, 41.901], [-87.600, 41.902], [-87.699, 41.903]]]}),
            "outside the city",
        ),
        (serde_json::json!({"type": "Polygon", "coordinates": [circle]}), "at most 200 corners"),
    ] {
        let r = put_location(&app, &b.chair.c, &b.slug, id, serde_json::json!({"polygon": body})).await;
        assert_eq!(r.status(), 422, "{expect}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], "polygon", "{e}");
        assert!(e.to_string().contains(expect), "{expect}: {e}");
    }
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());

    // A resident member, another partnership's co-chair and an anonymous caller may not set it.
    let r = put_location(&app, &b.community[0].c, &b.slug, id, serde_json::json!({"polygon": triangle})).await;
    assert_eq!(r.status(), 403);
    let r = put_location(&app, &other.chair.c, &b.slug, id, serde_json::json!({"polygon": triangle})).await;
    assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    let anon = app.client();
    let r = anon
        .put(app.url(&format!("/api/v1/partnerships/{}/problems/{id}/location", b.slug)))
        .json(&serde_json::json!({"polygon": triangle}))
        .send()
        .await
        .unwrap();
    assert!(r.status() == 401 || r.status() == 403, "{}", r.status());
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());

    // The partnership's police member sets it (an open ring is closed) and gets the problem back.
    let open = serde_json::json!({"type": "Polygon",
        "coordinates": [[[-87.6960, 41.9040], [-87.6940, 41.9040], [-87.6950, 41.9060]]]});
    let r = put_location(&app, &b.police[0].c, &b.slug, id, serde_json::json!({"polygon": open})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["polygon"], triangle, "{v}");
    assert_eq!(ring(&v["polygon_public_box"]), 5);
    let stored = problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), triangle);

    // Members read the outline; the public only the snapped box, never a corner of the outline.
    let v: Value = b.community[0].c.get(&api).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["polygon"], triangle);
    let text = anon.get(&api).send().await.unwrap().text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["polygon"].is_null(), "{v}");
    assert_eq!(ring(&v["polygon_public_box"]), 5);
    assert!(!text.contains("-87.696,") && !text.contains("41.904]") && !text.contains("-87.694,"), "{text}");
    let lats: Vec<f64> =
        v["polygon_public_box"]["coordinates"][0].as_array().unwrap().iter().map(|p| p[1].as_f64().unwrap()).collect();
    let cell = 250.0 / 111_320.0;
    assert!(lats.iter().all(|v| ((v / cell) - (v / cell).round()).abs() < 1e-6), "on the 250 m grid");

    // The co-chair clears it with null.
    let r = put_location(&app, &b.chair.c, &b.slug, id, serde_json::json!({"polygon": null})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["polygon"].is_null() && v["polygon_public_box"].is_null());
    assert!(problems::by_id(&app.db, app.jid, id).await.unwrap().polygon.is_none());
}

#[tokio::test]
async fn the_assessment_of_a_drawn_target_counts_the_true_ring_not_the_widened_box() {
    use crate::crime::{import_file, row, when};
    use crate::meetings::days_from_today;
    let app = TestApp::spawn().await;
    let (_, beat_b) = beats(&app).await;
    let b = beat(&app, "ring", "Ring Partnership", 1, 1).await;
    // The target: about 166 m × 222 m; the ring is 300 − 150 = 150 m wide.
    let (w, e, s, n) = (-87.696, -87.694, 41.904, 41.906);
    let (dlon, dlat) = (1.0 / 82_900.0, 1.0 / 111_080.0); // degrees per metre here
    let mut lines = vec![commonbeat_domain::incident::CHICAGO_HEADER.to_string()];
    let mut add = |id: usize, days: i64, lon: f64, lat: f64| {
        lines.push(row(&id.to_string(), &when(days, 14), "THEFT", "$500 AND UNDER", lon, lat));
    };
    for i in 0..5 {
        add(100 + i, 120, -87.695, 41.905); // in the target, before
    }
    add(110, 20, -87.695, 41.905); // in the target, after
    for i in 0..4 {
        add(200 + i, 120, -87.695, s - 60.0 * dlat); // 60 m south of the target: in the ring
    }
    for i in 0..3 {
        add(300 + i, 120, w - 120.0 * dlon, s - 120.0 * dlat); // 170 m from the corner: in the old box only
    }
    for i in 0..12 {
        add(400 + i, if i % 2 == 0 { 120 } else { 20 }, -87.675, 41.905); // the control, beat B
    }
    import_file(&app, &(lines.join("\n") + "\n")).await;

    let list = format!("/partnerships/{}/problems", b.slug);
    let fields = [("title", "Thefts by the station"), ("category", "property"), ("goals", "prevent")];
    let r = app.post_form(&b.chair.c, &list, &list, &fields).await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let polygon = serde_json::json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]});
    let r = put_location(&app, &b.chair.c, &b.slug, id, serde_json::json!({"polygon": polygon})).await;
    assert_eq!(r.status(), 200);

    let csrf = app.csrf(&b.chair.c, &list).await;
    let r = b
        .chair
        .c
        .post(app.url(&format!("/api/v1/partnerships/{}/problems/{id}/assessment", b.slug)))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({
            "control_area": beat_b.to_string(),
            "before_from": days_from_today(-200), "before_to": days_from_today(-100),
            "after_from": days_from_today(-100), "after_to": days_from_today(0),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let counts = &v["assessment"]["result"]["counts"];
    assert_eq!(counts["target"]["before"], 5, "{counts}");
    assert_eq!(counts["target"]["after"], 1, "{counts}");
    assert_eq!(counts["buffer"]["before"], 4, "the ring only, not the box's corners: {counts}");
    assert_eq!(counts["buffer"]["after"], 0, "{counts}");
}
