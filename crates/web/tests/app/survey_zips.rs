//! ZIP codes beyond ZIP-named areas (issue 8): administrators set an area's ZIP codes on the area page; a resident
//! who gives a ZIP instead of choosing an area is counted in the mapped area (ZIP+4 too); the results take a `zip`
//! filter. Also: the results cache sees a new response at once.

use crate::support::*;
use crate::surveys::{analyst, fielded, neighbourhoods, responses};
use commonbeat_domain::Role;
use commonbeat_store::repo::{surveys, zips};
use serde_json::Value;

#[tokio::test]
async fn administrators_map_zips_to_areas_and_survey_answers_and_results_use_them() {
    let app = TestApp::spawn().await;
    let ids = neighbourhoods(&app).await;
    let (_, secret) = app.user("admin@example.org", Role::Admin).await;
    let admin = app.client();
    app.login(&admin, "admin@example.org", secret.as_deref()).await;
    let north = format!("/areas/{}", ids[0]);
    let centre = format!("/areas/{}", ids[1]);

    // The admin form on the area page.
    let page = admin.get(app.url(&north)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("action=\"{north}/zips\"")));
    let r = app.post_form(&admin, &north, &format!("{north}/zips"), &[("zips", "60601, 60602-1234\n60601")]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("60601, 60602"));
    assert_eq!(zips::area_of(&app.db, app.jid, "60602").await.unwrap(), Some(ids[0]));
    // Bad entries and a ZIP of another area are refused with what was typed, and nothing changes.
    let r = app.post_form(&admin, &centre, &format!("{centre}/zips"), &[("zips", "60603, 6060x")]).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("not ZIP codes: 6060x") && body.contains("value=\"60603, 6060x\""), "{body}");
    let r = app.post_form(&admin, &centre, &format!("{centre}/zips"), &[("zips", "60603 60601")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("60601 already belongs to North"));
    assert_eq!(zips::area_of(&app.db, app.jid, "60603").await.unwrap(), None);
    let r = app.post_form(&admin, &centre, &format!("{centre}/zips"), &[("zips", "60603")]).await;
    assert_eq!(r.status(), 200);
    // Clearing a list removes the area's ZIPs only.
    let south = format!("/areas/{}", ids[2]);
    assert_eq!(app.post_form(&admin, &south, &format!("{south}/zips"), &[("zips", "60609")]).await.status(), 200);
    assert_eq!(app.post_form(&admin, &south, &format!("{south}/zips"), &[("zips", "")]).await.status(), 200);
    assert_eq!(zips::all(&app.db, app.jid).await.unwrap().len(), 3);
    // In Spanish.
    let r = app.post_form(&admin, &centre, &format!("{centre}/zips?lang=es"), &[("zips", "x")]).await;
    assert_eq!(r.status(), 422);

    // Only administrators set them; the public sees them.
    app.user("resident@example.org", Role::Community).await;
    let resident = app.client();
    app.login(&resident, "resident@example.org", None).await;
    let r = app.post_form(&resident, &north, &format!("{north}/zips"), &[("zips", "60699")]).await;
    assert_eq!(r.status(), 403);
    let c = analyst(&app).await;
    let r = app.post_form(&c, &north, &format!("{north}/zips"), &[("zips", "60699")]).await;
    assert_eq!(r.status(), 403, "police are not administrators");
    let anon = app.client();
    let page = anon.get(app.url(&north)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("60601, 60602") && !page.contains("/zips\""));

    // A resident answers with a ZIP (ZIP+4 too) instead of choosing an area.
    let (id, wid, code) = fielded(&app, &c, &ids).await;
    let path = format!("/s/{code}");
    for (zip, trust) in [("60603-0042", "2"), ("60601", "9"), ("99999", "5"), ("not a zip", "5")] {
        let r = app.post_form(&anon, &path, &path, &[("q_trust_police", trust), ("zip", zip)]).await;
        assert_eq!(r.status(), 303, "{zip}");
    }
    let stored = surveys::responses(&app.db, app.jid, &[wid]).await.unwrap();
    let areas: Vec<Option<i64>> = stored.iter().map(|r| r.area_id).collect();
    assert_eq!(areas, [Some(ids[1]), Some(ids[0]), None, None]);

    // The results filter by ZIP like by area; an unknown or malformed ZIP is named.
    let url = format!("/api/v1/surveys/{id}/results?weighted=false&by=sex&k=10");
    let r: Value = c.get(app.url(&format!("{url}&zip=60602"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["area"], ids[0]);
    let r = c.get(app.url(&format!("{url}&zip=60699"))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("zip"));
    assert_eq!(c.get(app.url(&format!("{url}&zip=abc"))).send().await.unwrap().status(), 422);
    let page = c.get(app.url(&format!("/surveys/{id}/results?zip=60603"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn the_results_cache_sees_new_responses_and_census_figures_at_once() {
    let app = TestApp::spawn().await;
    let ids = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let (id, wid, _) = fielded(&app, &c, &ids).await;
    let w = surveys::wave_by_id(&app.db, app.jid, wid).await.unwrap();
    surveys::bulk_insert(
        &app.db,
        app.jid,
        responses(id, wid, w.version_id, ids[0], "white", 30, 8, None),
        "approved",
        &[],
    )
    .await
    .unwrap();
    let url = app.url(&format!("/api/v1/surveys/{id}/results?by=race"));
    let get = || async { c.get(&url).send().await.unwrap().json::<Value>().await.unwrap() };
    let first = get().await;
    assert_eq!(first["overall"]["n"], 30);
    assert_eq!(get().await["overall"], first["overall"], "a cached answer is the same answer");
    surveys::bulk_insert(
        &app.db,
        app.jid,
        responses(id, wid, w.version_id, ids[0], "black", 12, 3, None),
        "approved",
        &[],
    )
    .await
    .unwrap();
    let second = get().await;
    assert_eq!(second["overall"]["n"], 42, "the new responses count at once");
    assert!(second["overall"]["mean"].as_f64() < first["overall"]["mean"].as_f64());
    // New census figures re-rake: with no census the respondents are not weighted.
    app.sql(&format!("DELETE FROM area_demographics WHERE area_id = {}", ids[0])).await;
    let third = get().await;
    assert!(third["overall"]["n"].is_null() || third["overall"]["n"] == 0, "{}", third["overall"]);
    assert_eq!(third["not_weighted"], 42);
}
