//! Trust and safety surveys end to end: an analyst builds a survey from a template and fields a wave; residents
//! answer anonymously (no IP address kept, time rounded to the hour) in English or Spanish; e-mailed links and
//! card codes work once; the honeypot drops bots; the rate limit stops stuffing; editing a fielded instrument
//! makes a new version; results are raked, suppressed below k (with a complement) for every viewer, exported as
//! formula-safe CSV and served by the API only to those allowed; moderated "number one issue" themes come back
//! from `top_issues`.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};
use commonbeat_store::repo::surveys::{self, NewResponse};
use serde_json::Value;

fn square(lon0: f64) -> String {
    format!(
        r#"{{"type":"MultiPolygon","coordinates":[[[[{a},41.90],[{b},41.90],[{b},41.91],[{a},41.91],[{a},41.90]]]]}}"#,
        a = lon0,
        b = lon0 + 0.01
    )
}

/// Three neighbourhoods with census figures; returns their ids.
pub(crate) async fn neighbourhoods(app: &TestApp) -> Vec<i64> {
    let names = ["North", "Centre", "South"];
    let new = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let lon0 = -87.70 + 0.01 * i as f64;
            NewArea {
                name: n.to_string(),
                geometry: square(lon0),
                bbox: (lon0, 41.90, lon0 + 0.01, 41.91),
                area_m2: 1e6,
            }
        })
        .collect();
    areas::import(&app.db, app.jid, "neighbourhood", new).await.unwrap();
    let all = areas::list(&app.db, app.jid, None).await.unwrap();
    let ids: Vec<i64> = names.iter().map(|n| all.iter().find(|a| a.name == *n).unwrap().id).collect();
    let mut rows = Vec::new();
    for id in &ids {
        for (dim, cat, count) in [
            ("age", "under-18", 800),
            ("age", "18-24", 400),
            ("age", "25-34", 600),
            ("age", "35-44", 600),
            ("age", "45-54", 500),
            ("age", "55-64", 500),
            ("age", "65+", 400),
            ("sex", "female", 1900),
            ("sex", "male", 1900),
            ("race", "black", 1500),
            ("race", "white", 1300),
            ("race", "hispanic", 1000),
            ("race", "asian", 300),
        ] {
            rows.push(DemographicCount { area_id: *id, dimension: dim.into(), category: cat.into(), count });
        }
    }
    areas::replace_demographics(&app.db, app.jid, rows).await.unwrap();
    ids
}

pub(crate) async fn analyst(app: &TestApp) -> reqwest::Client {
    let (_, secret) = app.user("analyst@example.org", Role::Police).await;
    let c = app.client();
    app.login(&c, "analyst@example.org", secret.as_deref()).await;
    c
}

/// Creates a Trust & Safety survey with one wave over `areas`; returns (survey id, wave id, code).
pub(crate) async fn fielded(app: &TestApp, c: &reqwest::Client, areas: &[i64]) -> (i64, i64, String) {
    let r = app.post_form(c, "/surveys", "/surveys", &[("template", "trust_safety"), ("title", "")]).await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let path = format!("/surveys/{id}");
    let mut fields =
        vec![("name", "Spring"), ("starts_on", "2026-03-01"), ("ends_on", "2026-03-31"), ("target_sample", "400")];
    let ids: Vec<String> = areas.iter().map(i64::to_string).collect();
    for a in &ids {
        fields.push(("areas", a));
    }
    let r = app.post_form(c, &path, &format!("{path}/waves"), &fields).await;
    assert_eq!(r.status(), 303, "wave opened");
    let w = surveys::waves(&app.db, app.jid, id).await.unwrap().pop().unwrap();
    (id, w.id, w.code)
}

async fn answer(app: &TestApp, c: &reqwest::Client, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/s/{code}");
    app.post_form(c, &path, &path, fields).await
}

async fn count(app: &TestApp, wave: i64) -> u64 {
    surveys::response_count(&app.db, app.jid, wave).await.unwrap()
}

#[tokio::test]
async fn residents_answer_anonymously_once_per_token_and_bots_are_stopped() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let ids = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let (id, wid, code) = fielded(&app, &c, &ids).await;

    // Only analysts build and field surveys.
    let (_, _) = app.user("resident@example.org", Role::Community).await;
    let resident = app.client();
    app.login(&resident, "resident@example.org", None).await;
    assert_eq!(resident.get(app.url("/surveys")).send().await.unwrap().status(), 403);
    assert_eq!(resident.get(app.url(&format!("/surveys/{id}"))).send().await.unwrap().status(), 403);
    let anon = app.client();
    assert_ne!(anon.get(app.url("/surveys")).send().await.unwrap().status(), 200);

    // The public page in English and Spanish, without signing in.
    let page = anon.get(app.url(&format!("/s/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("How much do you trust the police?") && page.contains("name=\"website\""));
    let es = anon.get(app.url(&format!("/s/{code}?lang=es"))).send().await.unwrap().text().await.unwrap();
    assert!(es.contains("¿Cuánto confía usted en la policía?") && es.contains("Prefiero no decirlo"));

    // An anonymous answer: stored without the address, the hour only, with pending open answer.
    let north = ids[0].to_string();
    let r = answer(
        &app,
        &anon,
        &code,
        &[
            ("q_trust_police", "7"),
            ("q_safe_night", "3"),
            ("q_top_issue", "Speeding on Main"),
            ("area", &north),
            ("d_race", "black"),
            ("d_age", "25-34"),
            ("d_sex", "female"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/thanks"));
    assert_eq!(count(&app, wid).await, 1);
    let stored = surveys::responses(&app.db, app.jid, &[wid]).await.unwrap();
    assert_eq!(stored[0].created_at % 3600, 0);
    assert_eq!(stored[0].area_id, Some(ids[0]));
    assert_eq!(stored[0].channel, "link");
    assert!(!format!("{:?}", stored[0]).contains("127.0.0.1"));
    // Bad answers are refused and keep the input.
    let r = answer(&app, &anon, &code, &[("q_trust_police", "12"), ("q_safe_day", "4")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("q_trust_police"));
    // The honeypot: thanked, not stored.
    let r = answer(&app, &anon, &code, &[("q_trust_police", "10"), ("website", "http://spam.example")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, wid).await, 1);

    // E-mailed single-use links.
    let wave = format!("/surveys/{id}/waves/{wid}");
    let r = app.post_form(&c, &wave, &format!("{wave}/invite"), &[("emails", "ana@example.org\nbo@example.org")]).await;
    assert_eq!(r.status(), 200);
    let mails = sink.wait_for(2).await;
    let link = find_link(&mails[0], &app.url(&format!("/s/{code}?t="))).expect("survey link in the e-mail");
    let token = link.rsplit("t=").next().unwrap().to_string();
    let page = anon.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("name=\"t\" value=\"{token}\"")));
    let r = answer(&app, &anon, &code, &[("t", &token), ("q_fair", "6")]).await;
    assert_eq!(r.status(), 303);
    let r = answer(&app, &anon, &code, &[("t", &token), ("q_fair", "0")]).await;
    assert_eq!(r.status(), 422, "a token works once");
    assert_eq!(count(&app, wid).await, 2);

    // After-contact cards, typed in lower case.
    let r = app.post_form(&c, &wave, &format!("{wave}/cards"), &[("count", "2")]).await;
    let html = r.text().await.unwrap();
    let card = html.split("<code>").nth(1).unwrap().split("</code>").next().unwrap().to_lowercase();
    assert_eq!(card.len(), 9);
    let r = answer(&app, &anon, &code, &[("card", &card), ("q_respect", "8")]).await;
    assert_eq!(r.status(), 303);
    let r = answer(&app, &anon, &code, &[("card", &card), ("q_respect", "8")]).await;
    assert_eq!(r.status(), 422);
    let r = answer(&app, &anon, &code, &[("card", "nope"), ("q_respect", "8")]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(count(&app, wid).await, 3);
    let filter = commonbeat_store::repo::audit::AuditFilter { action: Some("survey.".into()), ..Default::default() };
    let (entries, _) = commonbeat_store::repo::audit::list(&app.db, app.jid, &filter, 500, 0).await.unwrap();
    let audit: Vec<String> = entries.iter().map(|e| e.action.clone()).collect();
    assert!(entries.iter().filter(|e| e.action == "survey.response").all(|e| e.source.is_empty()), "no address");
    assert!(audit.iter().any(|a| a == "survey.invite") && audit.iter().any(|a| a == "survey.response"));

    // A closed wave takes no answers.
    let r = app.post_form(&c, &wave, &format!("{wave}/status"), &[("status", "closed")]).await;
    assert_eq!(r.status(), 303);
    let page = anon.get(app.url(&format!("/s/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("q_respect"), "no form on a closed wave");
    let r = app.post_form(&anon, "/login", &format!("/s/{code}"), &[("q_respect", "8")]).await;
    assert_eq!(r.status(), 410);
    app.post_form(&c, &wave, &format!("{wave}/status"), &[("status", "open")]).await;

    // The rate limit on the public link: 20 submissions an hour from one address.
    let mut limited = false;
    for _ in 0..25 {
        let r = answer(&app, &anon, &code, &[("q_respect", "5")]).await;
        if r.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "stuffing is rate limited");

    // The flyer is an SVG with a QR code of the public link; CSRF is required on the public form.
    let svg = c.get(app.url(&format!("{wave}/flyer.svg"))).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml; charset=utf-8");
    assert!(svg.text().await.unwrap().contains(&format!("/s/{code}")));
    let r = anon.post(app.url(&format!("/s/{code}"))).form(&[("q_respect", "5")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn editing_a_fielded_instrument_makes_a_new_version() {
    let app = TestApp::spawn().await;
    let ids = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let r = app.post_form(&c, "/surveys", "/surveys", &[("template", "custom"), ("title", "Park safety")]).await;
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let path = format!("/surveys/{id}");
    // A draft is edited in place; an item without Spanish is refused.
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/items"),
            &[("id", "park"), ("kind", "scale10"), ("en", "Is the park safe?"), ("es", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/items"),
            &[
                ("id", "park"),
                ("kind", "scale10"),
                ("en", "Is the park safe?"),
                ("es", "¿Es seguro el parque?"),
                ("scale", "park"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let s = surveys::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(s.current_version, 1);
    let ids_s = ids[0].to_string();
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/waves"),
            &[
                ("name", "W1"),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-01-31"),
                ("target_sample", "100"),
                ("areas", &ids_s),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/items"),
            &[
                ("id", "lights"),
                ("kind", "single"),
                ("en", "Lights work?"),
                ("es", "¿Funcionan las luces?"),
                ("choices", "yes | Yes | Sí\nno | No | No"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let s = surveys::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(s.current_version, 2, "the fielded version is frozen");
    let w = surveys::waves(&app.db, app.jid, id).await.unwrap().pop().unwrap();
    let v1 = surveys::version_by_id(&app.db, app.jid, w.version_id).await.unwrap();
    assert_eq!(v1.version, 1);
    assert!(!v1.instrument.contains("lights"));
}

/// Responses straight into the store: `n` per (area, race) with trust answers `score`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn responses(
    s: i64,
    w: i64,
    v: i64,
    area: i64,
    race: &str,
    n: usize,
    score: u8,
    top: Option<&str>,
) -> Vec<NewResponse> {
    (0..n)
        .map(|i| NewResponse {
            survey_id: s,
            wave_id: w,
            version_id: v,
            area_id: Some(area),
            answers: format!(r#"{{"trust_police":{score},"fair":{},"safe_day":7}}"#, (score as usize + i % 3).min(10)),
            demographics: [
                race.into(),
                ["25-34", "45-54", "65+"][i % 3].into(),
                ["female", "male"][i % 2].into(),
                String::new(),
                String::new(),
                String::new(),
            ],
            locale: "en".into(),
            channel: "link".into(),
            texts: top.map(|t| vec![("top_issue".to_string(), true, t.to_string())]).unwrap_or_default(),
            at: commonbeat_store::now(),
        })
        .collect()
}

#[tokio::test]
async fn results_are_weighted_suppressed_for_everyone_and_served_only_to_those_allowed() {
    let app = TestApp::spawn().await;
    let ids = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let (id, wid, _) = fielded(&app, &c, &ids).await;
    let w = surveys::wave_by_id(&app.db, app.jid, wid).await.unwrap();
    let mut rows = Vec::new();
    rows.extend(responses(id, wid, w.version_id, ids[0], "white", 40, 8, None));
    rows.extend(responses(id, wid, w.version_id, ids[0], "black", 12, 4, Some("Speeding cars")));
    rows.extend(responses(id, wid, w.version_id, ids[1], "white", 25, 7, None));
    rows.extend(responses(id, wid, w.version_id, ids[1], "black", 10, 3, None));
    rows.extend(responses(id, wid, w.version_id, ids[1], "asian", 15, 6, None));
    rows.extend(responses(id, wid, w.version_id, ids[2], "hispanic", 4, 9, None));
    surveys::bulk_insert(&app.db, app.jid, rows, "pending", &[]).await.unwrap();

    // Analysts: by area, South (4) is hidden and so is its complement, Centre (50); North is shown.
    let url = format!("/api/v1/surveys/{id}/results");
    let r: Value = c.get(app.url(&format!("{url}?by=area&weighted=false"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["scale"], "trust");
    let rows = r["rows"].as_array().unwrap();
    let cell = |k: &str| rows.iter().find(|x| x["key"] == k).unwrap().clone();
    assert_eq!(cell(&ids[2].to_string())["suppressed"], true);
    assert!(cell(&ids[2].to_string())["n"].is_null() && cell(&ids[2].to_string())["mean"].is_null());
    assert_eq!(cell(&ids[1].to_string())["suppressed"], true);
    assert_eq!(cell(&ids[0].to_string())["n"], 52);
    assert!(
        cell(&ids[0].to_string())["ci_low"].as_f64().unwrap() < cell(&ids[0].to_string())["mean"].as_f64().unwrap()
    );
    // By race, with the trust gap and its CI; Hispanic (4) is hidden with its complement, Asian (15).
    let r: Value = c.get(app.url(&format!("{url}?by=race&weighted=true"))).send().await.unwrap().json().await.unwrap();
    let rows = r["rows"].as_array().unwrap();
    let race = |k: &str| rows.iter().find(|x| x["key"] == k).unwrap().clone();
    assert_eq!(race("hispanic")["suppressed"], true);
    assert_eq!(race("asian")["suppressed"], true);
    assert_eq!(race("white")["suppressed"], false);
    assert_eq!(race("black")["n"], 22);
    let gap = &r["gap"];
    assert_eq!(gap["a"], "white");
    assert!(gap["difference"].as_f64().unwrap() > 20.0 && gap["ci_low"].as_f64().unwrap() > 0.0);
    assert_eq!(r["weighted"], true);
    let raking = r["raking"].as_array().unwrap();
    assert!(raking.iter().any(|a| a["weighted"] == true));
    assert!(r["effective_n"].is_null() && r["overall"]["effective_n"].as_f64().unwrap() > 1.0);
    assert_eq!(r["trend"].as_array().unwrap().len(), 1);
    // A small k is not honoured; a bad breakdown is named.
    let r: Value = c.get(app.url(&format!("{url}?by=area&k=2"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["k"], 10);
    let r = c.get(app.url(&format!("{url}?by=shoe"))).send().await.unwrap();
    assert_eq!(r.status(), 422);

    // Not published: the public is told nothing, other members are refused.
    let anon = app.client();
    assert_eq!(anon.get(app.url(&url)).send().await.unwrap().status(), 404);
    assert_eq!(anon.get(app.url(&format!("/surveys/{id}/results"))).send().await.unwrap().status(), 404);
    app.user("member@example.org", Role::Community).await;
    let member = app.client();
    app.login(&member, "member@example.org", None).await;
    assert_eq!(member.get(app.url(&url)).send().await.unwrap().status(), 403);

    // Published: the public sees the same suppressed cells, never the raking report.
    let path = format!("/surveys/{id}");
    assert_eq!(app.post_form(&c, &path, &format!("{path}/publish"), &[("public", "yes")]).await.status(), 303);
    let r: Value = anon.get(app.url(&format!("{url}?by=area&k=1"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["k"], 10);
    assert!(r["raking"].as_array().unwrap().is_empty());
    for x in r["rows"].as_array().unwrap() {
        assert!(x["suppressed"] == true || x["n"].as_u64().unwrap() >= 10, "no small cell: {x}");
    }
    let html = anon.get(app.url(&format!("/surveys/{id}/results?by=race"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Hidden (too few responses)") && html.contains("<svg"));
    let csv =
        anon.get(app.url(&format!("/surveys/{id}/results.csv?by=area"))).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("section,wave,scale"));
    let south = csv.lines().find(|l| l.contains(",South,")).unwrap();
    assert!(south.ends_with(",true") && !south.contains(",4,"), "{south}");

    // Moderation: approved and themed "number one issue" answers feed top_issues.
    let texts = surveys::texts(&app.db, app.jid, id, Some("pending"), "speeding", 100).await.unwrap();
    assert_eq!(texts.len(), 12);
    let tpath = format!("/surveys/{id}/texts");
    assert_eq!(member.get(app.url(&tpath)).send().await.unwrap().status(), 403);
    for t in texts.iter().take(3) {
        let r = app
            .post_form(&c, &tpath, &format!("{tpath}/{}", t.id), &[("decision", "approved"), ("theme", "Speeding")])
            .await;
        assert_eq!(r.status(), 303);
    }
    let r = app
        .post_form(&c, &tpath, &format!("{tpath}/{}", texts[3].id), &[("decision", "rejected"), ("theme", "")])
        .await;
    assert_eq!(r.status(), 303);
    let top = surveys::top_issues(&app.db, app.jid, &[ids[0]], 0).await.unwrap();
    assert_eq!(top, vec![("speeding".to_string(), 3)]);
    assert!(surveys::top_issues(&app.db, app.jid, &[ids[1]], 0).await.unwrap().is_empty());
    let found =
        c.get(app.url(&format!("{tpath}?status=approved&q=speeding"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(found.matches("Speeding cars").count(), 3);
}

#[tokio::test]
async fn analysts_choose_the_gap_pair_and_see_trend_lines_per_group() {
    let app = TestApp::spawn().await;
    let ids = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let (id, w1, _) = fielded(&app, &c, &ids).await;
    let path = format!("/surveys/{id}");
    let area_ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut fields =
        vec![("name", "Autumn"), ("starts_on", "2026-09-01"), ("ends_on", "2026-09-30"), ("target_sample", "400")];
    fields.extend(area_ids.iter().map(|a| ("areas", a.as_str())));
    assert_eq!(app.post_form(&c, &path, &format!("{path}/waves"), &fields).await.status(), 303);
    let w2 = surveys::waves(&app.db, app.jid, id).await.unwrap().pop().unwrap().id;
    assert_ne!(w1, w2);
    let v = surveys::wave_by_id(&app.db, app.jid, w1).await.unwrap().version_id;
    let mut rows = Vec::new();
    // Spring: white 40 (8), black 30 (4), asian 12 (6). Autumn: white 40 (8), black 30 (6), asian 5 (hidden).
    rows.extend(responses(id, w1, v, ids[0], "white", 40, 8, None));
    rows.extend(responses(id, w1, v, ids[1], "black", 30, 4, None));
    rows.extend(responses(id, w1, v, ids[2], "asian", 12, 6, None));
    rows.extend(responses(id, w2, v, ids[0], "white", 40, 8, None));
    rows.extend(responses(id, w2, v, ids[1], "black", 30, 6, None));
    rows.extend(responses(id, w2, v, ids[2], "asian", 5, 6, None));
    surveys::bulk_insert(&app.db, app.jid, rows, "pending", &[]).await.unwrap();
    let api = format!("/api/v1/surveys/{id}/results");
    let get = |q: String| {
        let c = c.clone();
        let url = app.url(&format!("{api}?{q}"));
        async move { c.get(url).send().await.unwrap() }
    };

    // By default the gap is highest minus lowest; a chosen pair is that pair, in that order.
    let base = format!("wave={w1}&by=race&weighted=false");
    let r: Value = get(base.clone()).await.json().await.unwrap();
    assert_eq!((r["gap"]["a"].as_str(), r["gap"]["b"].as_str()), (Some("white"), Some("black")));
    assert_eq!(r["gap_chosen"], false);
    let r: Value = get(format!("{base}&gap_a=asian&gap_b=white")).await.json().await.unwrap();
    assert_eq!((r["gap"]["a"].as_str(), r["gap"]["b"].as_str()), (Some("asian"), Some("white")));
    assert!(r["gap"]["difference"].as_f64().unwrap() < 0.0 && r["gap"]["ci_high"].as_f64().unwrap() < 0.0);
    assert_eq!(r["gap_chosen"], true);
    // Half a pair, the same group twice or a group of another breakdown: 422 naming the field.
    for (q, field) in [
        ("&gap_a=asian", "gap_b"),
        ("&gap_b=asian", "gap_a"),
        ("&gap_a=asian&gap_b=asian", "gap_b"),
        (&format!("&gap_a={}&gap_b=white", ids[0]) as &str, "gap_a"),
    ] {
        let r = get(format!("{base}{q}")).await;
        assert_eq!(r.status(), 422, "{q}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{q}");
    }
    // A chosen group that is hidden in this wave: no gap, and the page says why.
    let r: Value = get(format!("wave={w2}&by=race&weighted=false&gap_a=asian&gap_b=white")).await.json().await.unwrap();
    assert!(r["gap"].is_null() && r["gap_chosen"] == true);
    let html = c
        .get(app.url(&format!("/surveys/{id}/results?wave={w2}&by=race&weighted=false&gap_a=asian&gap_b=white")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("The gap cannot be shown"));

    // Trend lines per group: every wave for every race group, with CIs; hidden cells have no numbers.
    let r: Value = get("by=area&weighted=false&group_trends=race".into()).await.json().await.unwrap();
    assert_eq!(r["group_trends_by"], "race");
    let groups = r["group_trends"].as_array().unwrap();
    let g = |k: &str| groups.iter().find(|x| x["key"] == k).unwrap().clone();
    let white = g("white");
    assert_eq!(white["points"].as_array().unwrap().len(), 2);
    for p in white["points"].as_array().unwrap() {
        let e = &p["estimate"];
        assert!(e["ci_low"].as_f64().unwrap() < e["mean"].as_f64().unwrap());
        assert!(e["mean"].as_f64().unwrap() < e["ci_high"].as_f64().unwrap());
    }
    let asian = g("asian");
    assert_eq!(asian["points"][0]["estimate"]["suppressed"], false);
    assert_eq!(asian["points"][1]["estimate"]["suppressed"], true);
    assert!(asian["points"][1]["estimate"]["mean"].is_null() && asian["points"][1]["estimate"]["n"].is_null());
    // Black rose from Spring to Autumn (unless hidden as Autumn's complement).
    let black = g("black");
    let autumn = &black["points"][1]["estimate"];
    assert!(autumn["suppressed"] == true || autumn["mean"].as_f64() > black["points"][0]["estimate"]["mean"].as_f64());
    assert!(r["group_trends_hidden"].as_u64().unwrap() >= 1);
    let r = get("group_trends=shoe".into()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "group_trends");

    // The page has a labelled control for each option and says which cells are left out.
    let html = c
        .get(app.url(&format!("/surveys/{id}/results?by=race&weighted=false&group_trends=race&trim=&area=")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (id, name) in [
        ("r-area", "area"),
        ("r-trim", "trim"),
        ("r-gap-a", "gap_a"),
        ("r-gap-b", "gap_b"),
        ("r-group-trends", "group_trends"),
    ] {
        assert!(
            html.contains(&format!("for=\"{id}\"")) && html.contains(&format!("id=\"{id}\" name=\"{name}\"")),
            "{id}"
        );
    }
    assert!(html.contains("Trend by group") && html.contains("are left out of the lines"));
    assert!(html.contains("svgt-t"), "group trend chart");
    // A pair left over from another breakdown is dropped with a message, not an error page.
    let r =
        c.get(app.url(&format!("/surveys/{id}/results?by=area&gap_a=white&gap_b=black&trim=5"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Choose two different groups of this breakdown"));
    assert!(html.contains("<option value=\"5\" selected>"), "trim kept");
    // The area map draws the wave's three areas and a legend.
    assert_eq!(
        html.split("class=\"cb-map\"").nth(1).unwrap().split("</svg>").next().unwrap().matches("<path").count(),
        3
    );
}
