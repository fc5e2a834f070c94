//! Problem solving end to end: a co-chair names a problem, members of both sides work the analysis triangle and
//! the response, the stage rules refuse skipped work with a message naming it, the beat plan's active limit
//! needs a decision, strategies carry tracked commitments, the assessment runs the displacement analysis on
//! imported incidents (with a suggested control), and the public sees only public problems without the
//! members-only analysis. Scanning finds the hot spot in the data.

use crate::crime::{CLUSTER, beats, import_file, row, when};
use crate::meetings::{Beat, beat, days_from_today};
use crate::support::*;
use commonbeat_domain::incident::CHICAGO_HEADER;
use commonbeat_store::repo::{commitments, problems};
use serde_json::{Value, json};

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn create(app: &TestApp, b: &Beat, fields: &[(&str, &str)]) -> reqwest::Response {
    let list = format!("/partnerships/{}/problems", b.slug);
    app.post_form(&b.chair.c, &list, &list, fields).await
}

fn id_of(r: &reqwest::Response) -> i64 {
    assert_eq!(r.status(), 303, "problem recorded");
    r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

/// Incidents for the assessment: thefts at the cluster point, 40 before and 3 after; steady thefts in beat B.
fn incidents() -> String {
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    for i in 0..40 {
        lines.push(row(&format!("{}", 100 + i), &when(120 + i, 14), "THEFT", "$500 AND UNDER", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..3 {
        lines.push(row(&format!("{}", 200 + i), &when(20 + i, 14), "THEFT", "$500 AND UNDER", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..24 {
        let (lon, lat) = (-87.679 + 0.0003 * i as f64, 41.905);
        let days = if i % 2 == 0 { 120 + i } else { 20 + i };
        lines.push(row(&format!("{}", 300 + i), &when(days, 20), "THEFT", "FROM BUILDING", lon, lat));
    }
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn a_problem_moves_through_sara_with_its_rules_and_the_public_sees_only_the_public_story() {
    let app = TestApp::spawn().await;
    let (_beat_a, beat_b) = beats(&app).await;
    import_file(&app, &incidents()).await;
    let b = beat(&app, "sara", "SARA Partnership", 1, 2).await;
    let slug = b.slug.clone();
    let list = format!("/partnerships/{slug}/problems");
    let (ana, ben) = (&b.community[0], &b.community[1]);

    // Only co-chairs name problems; a bad form is refused naming what is missing, and keeps the input.
    let r = app
        .post_form(&ana.c, &list, &list, &[("title", "Thefts"), ("category", "property"), ("goals", "prevent")])
        .await;
    assert_eq!(r.status(), 403);
    let r = create(&app, &b, &[("title", "Thefts at the corner store"), ("category", "property")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("at least one goal"), "{html}");
    assert!(html.contains("value=\"Thefts at the corner store\""), "input kept");
    let lat = CLUSTER.1.to_string();
    let lon = CLUSTER.0.to_string();
    let id = id_of(
        &create(
            &app,
            &b,
            &[
                ("title", "Thefts at the corner store"),
                ("category", "property"),
                ("goals", "prevent"),
                ("goals", "solve"),
                ("place", "Maple & 12th"),
                ("lat", lat.as_str()),
                ("lon", lon.as_str()),
                ("priority", "high"),
            ],
        )
        .await,
    );
    let path = format!("/partnerships/{slug}/problems/{id}");
    let stage = |to: &'static str, note: &'static str| {
        let (c, path) = (b.chair.c.clone(), path.clone());
        let app = &app;
        async move { app.post_form(&c, &path, &format!("{path}/stage"), &[("to", to), ("note", note)]).await }
    };

    // Stage rules: no skipping, a note every time, and each stage's work done first.
    let r = stage("response", "Straight to action").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("one stage at a time"));
    let r = stage("analysis", "  ").await;
    assert_eq!(r.status(), 422);
    let r = stage("analysis", "We agree on it").await;
    assert_eq!(r.status(), 422, "no description or evidence yet");
    assert!(r.text().await.unwrap().contains("Describe the problem"));
    // A resident member writes the description and the triangle.
    let r = app
        .post_form(
            &ana.c,
            &path,
            &format!("{path}/analysis"),
            &[
                ("description", "Shoplifting every afternoon"),
                ("offender", "Teenagers after school"),
                ("victim", "The corner store"),
                ("place_factor", "Blind aisle by the door"),
                ("manager", "The store owner"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(stage("analysis", "We agree on it").await.status(), 200);
    assert_eq!(stage("response", "Ready to act").await.status(), 200);
    let r = stage("assessment", "Measure it").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("at least one response strategy"));

    // Strategies: a member adds one; a co-chair adds one with a tracked commitment owned by a resident. A bad
    // owner refuses the whole strategy.
    let strategy = |c: reqwest::Client, fields: Vec<(&'static str, String)>| {
        let (path, app) = (path.clone(), &app);
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&c, &path, &format!("{path}/strategies"), &f).await
        }
    };
    let start = days_from_today(-100);
    let r = strategy(
        ben.c.clone(),
        vec![("title", "Move the aisle".into()), ("owner_side", "community".into()), ("starts_on", start.clone())],
    )
    .await;
    assert_eq!(r.status(), 422, "community contact required");
    assert!(r.text().await.unwrap().contains("community contact"));
    let r = strategy(
        ben.c.clone(),
        vec![
            ("title", "Move the aisle".into()),
            ("owner_side", "community".into()),
            ("contact", "Ben, block club".into()),
            ("starts_on", start.clone()),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = strategy(
        ben.c.clone(),
        vec![
            ("title", "After-school patrol".into()),
            ("owner_side", "police".into()),
            ("contact", "Ben".into()),
            ("starts_on", start.clone()),
            ("due_on", days_from_today(10)),
        ],
    )
    .await;
    assert_eq!(r.status(), 403, "only co-chairs attach commitments");
    let before = problems::strategies(&app.db, id).await.unwrap().len();
    let r = strategy(
        b.chair.c.clone(),
        vec![
            ("title", "After-school patrol".into()),
            ("owner_side", "police".into()),
            ("contact", "Ben".into()),
            ("starts_on", start.clone()),
            ("owner_user_id", "999999".into()),
            ("due_on", days_from_today(10)),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(problems::strategies(&app.db, id).await.unwrap().len(), before, "nothing half-saved");
    let r = strategy(
        b.chair.c.clone(),
        vec![
            ("title", "Walk with the store owner".into()),
            ("owner_side", "both".into()),
            ("contact", "Ana".into()),
            ("starts_on", start.clone()),
            ("owner_user_id", ana.id.to_string()),
            ("due_on", days_from_today(10)),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let linked = commitments::for_problem(&app.db, app.jid, id).await.unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].owner_user_id, Some(ana.id));
    assert!(linked[0].strategy_id.is_some());
    assert_eq!(stage("assessment", "Three months in").await.status(), 200);

    // The assessment: the target square around the point fell from 40 to 6 thefts; beat B stayed level.
    let assess = |fields: Vec<(&'static str, String)>| {
        let (c, path, app) = (b.chair.c.clone(), path.clone(), &app);
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&c, &path, &format!("{path}/assessment"), &f).await
        }
    };
    let periods = vec![
        ("before_from", days_from_today(-200)),
        ("before_to", days_from_today(-100)),
        ("after_from", days_from_today(-100)),
        ("after_to", days_from_today(0)),
    ];
    let mut bad = periods.clone();
    bad[1].1 = days_from_today(-300);
    let r = assess(bad).await;
    assert_eq!(r.status(), 422, "before ends before it starts");
    let mut with_control = periods.clone();
    with_control.push(("control_area", beat_b.to_string()));
    assert_eq!(assess(with_control).await.status(), 200);
    let p = problems::by_id(&app.db, app.jid, id).await.unwrap();
    let a: Value = serde_json::from_str(&p.assessment).unwrap();
    assert_eq!(a["result"]["counts"]["target"]["before"], 40);
    assert_eq!(a["result"]["counts"]["target"]["after"], 3);
    assert_eq!(a["result"]["counts"]["control"]["before"], 12);
    assert_eq!(a["result"]["counts"]["control"]["after"], 12);
    assert!(a["result"]["assessment"]["target_e_test_p"].as_f64().unwrap() < 0.001);
    assert_eq!(a["suggested"], "solved", "{a}");
    // Without a control the suggestion is the area with the most similar count before.
    assert_eq!(assess(periods.clone()).await.status(), 200);
    let p = problems::by_id(&app.db, app.jid, id).await.unwrap();
    let a: Value = serde_json::from_str(&p.assessment).unwrap();
    assert_eq!(a["inputs"]["control_suggested"], true);
    assert_eq!(a["inputs"]["control_area"], beat_b);

    // Closing an assessed problem needs a verdict and lessons.
    let r = stage("closed", "Done").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("lessons learned"));
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &format!("{path}/verdict"),
            &[("verdict", "solved"), ("narrative", "Thefts fell by 85 %."), ("lessons", "Owners matter.")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(stage("closed", "Done").await.status(), 200);
    let events = problems::events(&app.db, id).await.unwrap();
    let changes: Vec<(&str, &str)> = events.iter().map(|e| (e.from_stage.as_str(), e.to_stage.as_str())).collect();
    assert_eq!(
        changes,
        vec![
            ("", "scanning"),
            ("scanning", "analysis"),
            ("analysis", "response"),
            ("response", "assessment"),
            ("assessment", "closed")
        ]
    );

    // The public: the story, the verdict, no triangle, no contact names; the API agrees.
    let anon = app.client();
    let (s, html) = page(&anon, &app, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("Thefts fell by 85 %"));
    assert!(html.contains("No survey has covered the partnership"), "community perception says it has no data");
    assert!(!html.contains("Teenagers after school"), "triangle is members-only");
    assert!(!html.contains("Ben, block club"), "contact is members-only");
    let (s, html) = page(&ana.c, &app, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("Teenagers after school"));
    // The month-by-month panel: the 40 thefts of the "before" period, all in complete months (the 3 recent ones may
    // fall in the current month, which is left out).
    let (_, html) = page(&b.chair.c, &app, &path).await;
    let table = html.split("Month by month").nth(1).unwrap().split("</table>").next().unwrap();
    let counts: Vec<u64> = table
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| row.split("<td>").nth(1).unwrap().split("</td>").next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 12);
    let recent_in_complete_months = counts.iter().sum::<u64>() - 40;
    assert!(recent_in_complete_months <= 3, "{counts:?}");
    let r = anon.get(app.url(&format!("/api/v1/partnerships/{slug}/problems/{id}"))).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["verdict"], "solved");
    assert_eq!(v["triangle"], json!({}));
    assert_eq!(v["strategies"][0]["contact"], "");
    assert_eq!(v["events"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn the_beat_plan_limit_needs_a_decision_and_private_problems_stay_private() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "lim", "Limit Partnership", 0, 1).await;
    let slug = b.slug.clone();
    app.sql(&format!(
        "INSERT INTO settings (jurisdiction_id, key, value) VALUES ({}, 'problems.active_limit', '1')",
        app.jid
    ))
    .await;
    let first = id_of(
        &create(
            &app,
            &b,
            &[
                ("title", "Graffiti on the underpass"),
                ("category", "disorder"),
                ("goals", "quality"),
                ("private", "on"),
            ],
        )
        .await,
    );
    let r = create(&app, &b, &[("title", "Noise at night"), ("category", "other"), ("goals", "quality")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("already has 1 active problems (limit 1)"));
    // An open decision does not count; a closed one of this partnership does.
    let pid = commonbeat_store::repo::partnerships::by_slug(&app.db, app.jid, &slug).await.unwrap().id;
    for (status, outcome) in [("open", "NULL"), ("closed", "'Add the noise problem'")] {
        app.sql(&format!(
            "INSERT INTO decisions (jurisdiction_id, partnership_id, kind, title, body, options, settings, status, opens_at, closes_at, outcome, is_private, affects, created_at) \
             VALUES ({}, {pid}, 'proposal', 'Take on noise ({status})', '', '[]', '{{}}', '{status}', 0, 1, {outcome}, false, 'both', 0)",
            app.jid
        ))
        .await;
    }
    let ids: Vec<i64> = commonbeat_store::repo::decisions::for_partnership(&app.db, app.jid, pid, true)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    let (open_id, closed_id) = (ids.iter().min().unwrap().to_string(), ids.iter().max().unwrap().to_string());
    let r = create(
        &app,
        &b,
        &[("title", "Noise at night"), ("category", "other"), ("goals", "quality"), ("decision_id", open_id.as_str())],
    )
    .await;
    assert_eq!(r.status(), 422);
    let second = id_of(
        &create(
            &app,
            &b,
            &[
                ("title", "Noise at night"),
                ("category", "non_crime"),
                ("goals", "quality"),
                ("decision_id", closed_id.as_str()),
            ],
        )
        .await,
    );
    let p = problems::by_id(&app.db, app.jid, second).await.unwrap();
    assert_eq!(p.decision_id, Some(closed_id.parse().unwrap()));

    // The private problem: members see it; the public gets 404 and an API list without it.
    let anon = app.client();
    let (s, _) = page(&anon, &app, &format!("/partnerships/{slug}/problems/{first}")).await;
    assert_eq!(s, 404);
    let (s, _) = page(&b.community[0].c, &app, &format!("/partnerships/{slug}/problems/{first}")).await;
    assert_eq!(s, 200);
    let v: Value =
        anon.get(app.url(&format!("/api/v1/partnerships/{slug}/problems"))).send().await.unwrap().json().await.unwrap();
    let titles: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Noise at night"]);
    // Scanning is for members and police, not the public.
    let (s, _) = page(&anon, &app, &format!("/partnerships/{slug}/problems/scanning")).await;
    assert_ne!(s, 200);
    // The API refuses a stage change without a note, naming the field, and a stranger's change outright.
    let csrf = app.csrf(&b.chair.c, &format!("/partnerships/{slug}/problems")).await;
    let r = b
        .chair
        .c
        .post(app.url(&format!("/api/v1/partnerships/{slug}/problems/{second}/stage")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"to": "analysis", "note": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["field"], "note", "{v}");
}

/// A hot spot: 60 thefts spread over about 400 m around the cluster point, against 24 spread over beat B.
fn hot_spot() -> String {
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    for i in 0..60 {
        let (dx, dy) = ((i % 5) as f64 * 0.0012 - 0.0024, ((i / 5) % 4) as f64 * 0.0009 - 0.0013);
        lines.push(row(
            &format!("{}", 100 + i),
            &when(10 + i, 14),
            "THEFT",
            "$500 AND UNDER",
            CLUSTER.0 + dx,
            CLUSTER.1 + dy,
        ));
    }
    for i in 0..24 {
        let (lon, lat) = (-87.6795 + 0.0004 * (i % 6) as f64, 41.9015 + 0.0015 * (i / 6) as f64);
        lines.push(row(&format!("{}", 300 + i), &when(20 + i, 20), "THEFT", "FROM BUILDING", lon, lat));
    }
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn scanning_finds_the_hot_spot_and_makes_it_a_problem_with_its_evidence() {
    let app = TestApp::spawn().await;
    beats(&app).await;
    import_file(&app, &hot_spot()).await;
    let police = crate::meetings::person(&app, "scan-officer@example.org", commonbeat_domain::Role::Police).await;
    let b = beat(&app, "scan", "Scan Partnership", 0, 1).await;
    let path = format!("/partnerships/{}/problems/scanning", b.slug);
    let (s, html) = page(&police.c, &app, &path).await;
    assert_eq!(s, 200, "police may scan any partnership");
    assert!(!html.contains("Make “"), "only co-chairs make problems");
    let (s, html) = page(&b.chair.c, &app, &path).await;
    assert_eq!(s, 200);
    let main = html.split("<main").nth(1).unwrap_or_default();
    assert!(html.contains("Property crime hot spot"), "{main}");
    let evidence = html
        .split("name=\"evidence\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&#34;", "\"")
        .replace("&quot;", "\"");
    let v: Value = serde_json::from_str(&evidence).unwrap();
    assert_eq!(v["source"], "hotspot");
    assert_eq!(v["window_days"], 365);
    assert!(v["recent"].as_u64().unwrap() >= 3, "{v}");
    assert!(v["compare"].as_u64().unwrap() >= 1, "{v}");
    let list = format!("/partnerships/{}/problems", b.slug);
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &list,
            &[
                ("title", "Property hot spot"),
                ("category", "property"),
                ("goals", "prevent"),
                ("source", "hotspot"),
                ("evidence", evidence.as_str()),
            ],
        )
        .await;
    let id = id_of(&r);
    let p = problems::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(p.source, "hotspot");
    let stored: Value = serde_json::from_str(&p.evidence).unwrap();
    assert_eq!(stored, v);
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &list,
            &[("title", "Bad evidence"), ("category", "property"), ("goals", "prevent"), ("evidence", "not json")],
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn community_reports_surface_in_scanning_and_the_problem_made_from_them_takes_them_along() {
    use commonbeat_store::repo::reports::{self, NewReport};
    let app = TestApp::spawn().await;
    let b = beat(&app, "rep", "Report Partnership", 0, 1).await;
    let pid = commonbeat_store::repo::partnerships::by_slug(&app.db, app.jid, &b.slug).await.unwrap().id;
    let other = beat(&app, "oth", "Other Partnership", 0, 0).await;
    let other_id = commonbeat_store::repo::partnerships::by_slug(&app.db, app.jid, &other.slug).await.unwrap().id;
    let now = commonbeat_store::now();
    let mut ids = Vec::new();
    // Three open drug-activity reports for this partnership, one closed, one hidden, one old, one elsewhere.
    for (status, hidden, age_days, partnership) in [
        ("received", false, 3, pid),
        ("investigating", false, 10, pid),
        ("in_progress", false, 40, pid),
        ("fixed", false, 5, pid),
        ("received", true, 5, pid),
        ("received", false, 200, pid),
        ("received", false, 5, other_id),
    ] {
        let r = reports::create(
            &app.db,
            app.jid,
            NewReport {
                category: "drug_activity".into(),
                description: "Selling on the corner every evening".into(),
                attributes: "{}".into(),
                source: "web".into(),
                partnership_id: Some(partnership),
                status: status.into(),
                created_at: now - age_days * 86_400,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        if hidden {
            reports::moderate(&app.db, r.clone(), true, false, "Names a neighbour").await.unwrap();
        }
        ids.push(r.id);
    }
    let path = format!("/partnerships/{}/problems/scanning", b.slug);
    let (s, html) = page(&b.chair.c, &app, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("3 open community reports"), "{html}");
    let evidence = html
        .split("name=\"evidence\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&#34;", "\"");
    let v: Value = serde_json::from_str(&evidence).unwrap();
    assert_eq!(v["report_ids"], json!([ids[0], ids[1], ids[2]]));
    // A forged evidence list naming another partnership's report does not take it.
    let forged = json!({"source": "reports", "report_ids": [ids[0], ids[1], ids[2], ids[6]]}).to_string();
    let list = format!("/partnerships/{}/problems", b.slug);
    let r = app
        .post_form(
            &b.chair.c,
            &path,
            &list,
            &[
                ("title", "Drug sales on the corner"),
                ("category", "drugs"),
                ("goals", "arrest"),
                ("source", "reports"),
                ("evidence", forged.as_str()),
            ],
        )
        .await;
    let problem = id_of(&r);
    for (k, id) in ids.iter().enumerate() {
        let linked = reports::by_id(&app.db, app.jid, *id).await.unwrap().problem_id;
        assert_eq!(linked, (k < 3).then_some(problem), "report {k}");
    }
    let (_, html) = page(&app.client(), &app, &format!("/partnerships/{}/problems/{problem}", b.slug)).await;
    assert!(html.contains("Community reports linked to this problem"));
    assert!(html.contains(&format!("/reports/{}\"", ids[0])) && !html.contains(&format!("/reports/{}\"", ids[6])));
    // Linked reports no longer surface as a candidate.
    let (_, html) = page(&b.chair.c, &app, &path).await;
    assert!(!html.contains("open community reports"));
}
