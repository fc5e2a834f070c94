//! Transparency, end to end for an anonymous visitor: the dashboard's numbers are the seeded public records (and
//! nothing private), the open-data exports carry the same figures (CSV formula-safe), only the embed view may be
//! framed, the annual report tells one year, and crime figures keep the public rules (lag, sensitive incidents
//! only in the total, small cells suppressed, no coordinates).

use crate::crime::{CLUSTER, beats, import_file, row, when};
use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_domain::incident::CHICAGO_HEADER;
use commonbeat_store::repo::partnerships;
use serde_json::Value;

const DAY: i64 = 86_400;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn day(days_from_today: i64) -> String {
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let today = jiff::Timestamp::now().to_zoned_datetime(tz).date();
    today.checked_add(jiff::Span::new().days(days_from_today)).unwrap().to_string()
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn partnership(app: &TestApp, slug: &str, name: &str, status: &str, area: i64) -> i64 {
    let t = now() - 400 * DAY;
    app.sql(&format!(
        "INSERT INTO partnerships (jurisdiction_id, slug, name, status, mission, goals, founding_problem, cadence, \
         created_at, updated_at) VALUES ({}, {}, {}, {}, 'm', 'quality', 'f', 'monthly', {t}, {t})",
        app.jid,
        q(slug),
        q(name),
        q(status)
    ))
    .await;
    let id = partnerships::by_slug(&app.db, app.jid, slug).await.unwrap().id;
    app.sql(&format!(
        "INSERT INTO partnership_areas (jurisdiction_id, partnership_id, area_id) VALUES ({}, {id}, {area})",
        app.jid
    ))
    .await;
    id
}

async fn problem(app: &TestApp, pid: i64, title: &str, stage: &str, verdict: Option<&str>, public: bool, at: i64) {
    let v = verdict.map(q).unwrap_or_else(|| "NULL".into());
    app.sql(&format!(
        "INSERT INTO problems (jurisdiction_id, partnership_id, title, category, goals, description, place, geometry, \
         priority, stage, source, evidence, offender, victim, place_factor, handler, guardian, manager, questions, \
         sources, assessment, verdict, narrative, lessons, is_public, created_at, updated_at, stage_changed_at) \
         VALUES ({}, {pid}, {}, 'property', 'solve', '', '', '', 'normal', '{stage}', 'community', '', '', '', '', '', \
         '', '', '', '', '', {v}, '', '', {public}, {at}, {at}, {at})",
        app.jid,
        q(title)
    ))
    .await;
}

/// A commitment: owner side (None = organisation), due in `due` days (negative = past), status, completion day.
async fn commitment(
    app: &TestApp,
    pid: i64,
    side: Option<&str>,
    due: i64,
    status: &str,
    done: Option<i64>,
    public: bool,
) {
    let side = side.map(q).unwrap_or_else(|| "NULL".into());
    let done = done.map(|d| q(&day(d))).unwrap_or_else(|| "NULL".into());
    let t = now();
    app.sql(&format!(
        "INSERT INTO commitments (jurisdiction_id, partnership_id, title, owner_side, owner_org, due_on, status, \
         drop_reason, completed_on, is_public, created_on, created_at, updated_at) VALUES ({}, {pid}, 'Promise', \
         {side}, '', {}, '{status}', '', {done}, {public}, {}, {t}, {t})",
        app.jid,
        q(&day(due)),
        q(&day(-40))
    ))
    .await;
}

async fn meeting(app: &TestApp, pid: i64, title: &str, status: &str, at: i64, walk_ins_community: i64) -> i64 {
    app.sql(&format!(
        "INSERT INTO meetings (jurisdiction_id, partnership_id, title, format, status, starts_at, ends_at, place, \
         accessibility, interpretation, online_url, recording_url, agenda, minutes, minutes_status, minutes_public, \
         sequence, walk_ins_police, walk_ins_community, cancel_reason, created_at, updated_at) VALUES ({}, {pid}, {}, \
         'in_person', '{status}', {at}, {}, 'Library', '', '', '', '', '[]', '', 'draft', FALSE, 0, 0, \
         {walk_ins_community}, '', {at}, {at})",
        app.jid,
        q(title),
        at + 3600
    ))
    .await;
    use commonbeat_store::entities::meeting;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    meeting::Entity::find().filter(meeting::Column::Title.eq(title)).one(&app.db.conn).await.unwrap().unwrap().id
}

async fn attend(app: &TestApp, meeting_id: i64, user_id: i64, side: &str) {
    app.sql(&format!(
        "INSERT INTO meeting_attendance (jurisdiction_id, meeting_id, user_id, side, signed_at) VALUES ({}, \
         {meeting_id}, {user_id}, '{side}', {})",
        app.jid,
        now()
    ))
    .await;
}

async fn decision(app: &TestApp, pid: i64, title: &str, status: &str, private: bool, closed_at: Option<i64>) {
    let c = closed_at.map(|x| x.to_string()).unwrap_or_else(|| "NULL".into());
    let t = now() - 60 * DAY;
    app.sql(&format!(
        "INSERT INTO decisions (jurisdiction_id, partnership_id, kind, title, body, options, settings, status, \
         opens_at, closes_at, is_private, affects, created_at, closed_at) VALUES ({}, {pid}, 'proposal', {}, '', '[]', \
         '{{}}', '{status}', {t}, {t}, {private}, '', {t}, {c})",
        app.jid,
        q(title)
    ))
    .await;
}

struct Seeded {
    slug: String,
}

/// Partnership "=SUM(1) Beat" (area A) with public and private records; "Quiet Beat" (area B) with nothing;
/// "Forming Beat" (not active).
async fn seed(app: &TestApp) -> Seeded {
    let (a, b) = beats(app).await;
    let (police, _) = app.user("officer@example.org", Role::Police).await;
    let (resident, _) = app.user("resident@example.org", Role::Community).await;
    let pid = partnership(app, "sum-beat", "=SUM(1) Beat", "active", a).await;
    partnership(app, "quiet-beat", "Quiet Beat", "active", b).await;
    partnership(app, "forming-beat", "Forming Beat", "forming", b).await;
    let t = now() - 30 * DAY;
    problem(app, pid, "Car break-ins on Maple", "scanning", None, true, t).await;
    problem(app, pid, "Noise at the park", "scanning", None, true, t).await;
    problem(app, pid, "Drug market on 5th", "closed", Some("reduced"), true, t).await;
    problem(app, pid, "Informant network", "analysis", None, false, t).await;
    commitment(app, pid, Some("police"), -10, "done", Some(-12), true).await; // kept on time
    commitment(app, pid, Some("police"), -20, "done", Some(-15), true).await; // kept late
    commitment(app, pid, Some("community"), -5, "open", None, true).await;
    commitment(app, pid, Some("community"), -30, "dropped", None, true).await;
    commitment(app, pid, Some("police"), -3, "done", Some(-4), false).await; // private: not counted
    commitment(app, pid, None, -8, "done", Some(-9), true).await; // organisation: only in "all"
    let m1 = meeting(app, pid, "October meeting", "held", now() - 10 * DAY, 3).await;
    let m2 = meeting(app, pid, "September meeting", "held", now() - 40 * DAY, 0).await;
    meeting(app, pid, "Next meeting", "scheduled", now() + 10 * DAY, 0).await;
    let old = meeting(app, pid, "Old meeting", "held", now() - 400 * DAY, 0).await;
    attend(app, m1, police, "police").await;
    attend(app, m2, police, "police").await;
    attend(app, m1, resident, "community").await;
    attend(app, old, resident, "community").await;
    decision(app, pid, "Adopt the walking route", "closed", false, Some(now() - 5 * DAY)).await;
    decision(app, pid, "Secret plan", "closed", true, Some(now() - 5 * DAY)).await;
    decision(app, pid, "Open question", "open", false, None).await;
    Seeded { slug: "sum-beat".into() }
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    c.get(app.url(path)).send().await.unwrap()
}

fn count(list: &Value, key: &str) -> i64 {
    list.as_array().unwrap().iter().find(|k| k["key"] == key).unwrap()["count"].as_i64().unwrap()
}

fn side<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["promises"].as_array().unwrap().iter().find(|p| p["side"] == name).unwrap()
}

#[tokio::test]
async fn the_public_dashboard_shows_the_seeded_public_records_and_exports_them_safely() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let anon = app.client();

    let r = get(&anon, &app, "/transparency.json").await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["active_partnerships"], 2, "forming partnerships are not listed");
    let rows = d["partnerships"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let p = rows.iter().find(|x| x["slug"] == s.slug.as_str()).unwrap();
    assert_eq!(count(&p["problems_by_stage"], "scanning"), 2);
    assert_eq!(count(&p["problems_by_stage"], "closed"), 1);
    assert_eq!(count(&p["problems_by_stage"], "analysis"), 0, "members-only problem left out");
    assert_eq!(count(&p["verdicts"], "reduced"), 1);
    let (pol, com, all) = (side(p, "police"), side(p, "community"), side(p, "all"));
    assert_eq!((pol["made"].as_i64(), pol["due"].as_i64(), pol["kept_on_time"].as_i64()), (Some(2), Some(2), Some(1)));
    assert_eq!(pol["kept_late"], 1);
    assert_eq!(
        (com["due"].as_i64(), com["kept_on_time"].as_i64(), com["dropped"].as_i64()),
        (Some(2), Some(0), Some(1))
    );
    assert_eq!((all["due"].as_i64(), all["kept_on_time"].as_i64()), (Some(5), Some(2)));
    assert!((all["rate"].as_f64().unwrap() - 0.4).abs() < 1e-9);
    assert!(all["ci_low"].as_f64().unwrap() < 0.4 && all["ci_high"].as_f64().unwrap() > 0.4);
    assert_eq!(p["decisions"], 1, "private and open decisions left out");
    assert_eq!(p["meetings"], 2, "scheduled and year-old meetings left out");
    assert_eq!(p["attendance_police"], 2);
    assert_eq!(p["attendance_community"], 4, "one sign-in and three walk-ins");
    assert_eq!(d["total"]["meetings"], 2);
    assert_eq!(count(&d["total"]["problems_by_stage"], "scanning"), 2);
    assert!(p["trust"].is_null(), "no public survey");

    // The pages show the same numbers, in both languages, to anonymous visitors.
    let html = get(&anon, &app, "/transparency").await.text().await.unwrap();
    assert!(html.contains("=SUM(1) Beat") && html.contains("Quiet Beat") && !html.contains("Forming Beat"));
    assert!(html.contains("href=\"/transparency\""), "navigation link");
    let page = get(&anon, &app, "/transparency/sum-beat?lang=es").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Compromisos asumidos y cumplidos") && html.contains("/partnerships/sum-beat/annual-report"));
    for secret in ["Secret plan", "Informant network"] {
        assert!(!html.contains(secret), "{secret}");
    }
    assert_eq!(get(&anon, &app, "/transparency/nope").await.status(), 404);
    assert_eq!(get(&anon, &app, "/api/v1/transparency/nope").await.status(), 404);

    // CSV: formula-safe and the same figures.
    let r = get(&anon, &app, "/transparency.csv").await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("period_from,period_to,partnership,name,measure,group,value,ci_low,ci_high,suppressed\n"));
    assert!(csv.contains(",'=SUM(1) Beat,") && !csv.contains(",=SUM"), "{csv}");
    assert!(csv.lines().any(|l| l.contains("sum-beat") && l.contains(",meetings_held,,2,")), "{csv}");
    assert!(csv.lines().any(|l| l.contains("sum-beat") && l.contains(",promises_kept_on_time,police,1,")));
    let one = get(&anon, &app, "/transparency/sum-beat.csv").await.text().await.unwrap();
    assert!(one.contains(",decisions,,1,") && !one.contains("Quiet Beat"), "{one}");

    // JSON and the API have the same shape.
    let j: Value = get(&anon, &app, "/transparency/sum-beat.json").await.json().await.unwrap();
    let api: Value = get(&anon, &app, "/api/v1/transparency/sum-beat").await.json().await.unwrap();
    assert_eq!(j["partnerships"][0]["meetings"], 2);
    assert_eq!(j["total"], api["total"]);
    for key in ["period_from", "period_to", "active_partnerships", "total", "partnerships"] {
        assert!(api.get(key).is_some(), "{key}");
    }
    let city: Value = get(&anon, &app, "/api/v1/transparency").await.json().await.unwrap();
    assert_eq!(city["partnerships"].as_array().unwrap().len(), 2);
    for body in [j.to_string(), city.to_string(), csv] {
        assert!(!body.contains("Secret plan") && !body.contains("Informant network"));
    }
}

#[tokio::test]
async fn only_the_embed_view_may_be_framed() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let anon = app.client();
    let r = get(&anon, &app, &format!("/embed/transparency/{}", s.slug)).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-frame-options").is_none());
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains("frame-ancestors *") && csp.contains("script-src 'self'") && csp.contains("default-src 'self'")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("<main") && !html.contains("usa-header") && html.contains("=SUM(1) Beat"));
    for path in ["/transparency", "/transparency/sum-beat", "/partnerships/sum-beat/annual-report"] {
        let r = get(&anon, &app, path).await;
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
        assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    }
    assert_eq!(get(&anon, &app, "/embed/transparency/nope").await.status(), 404);
}

#[tokio::test]
async fn the_annual_report_tells_one_year_from_public_records() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let pid = partnerships::by_slug(&app.db, app.jid, &s.slug).await.unwrap().id;
    let tz = jiff::tz::TimeZone::get("America/Chicago").unwrap();
    let last = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).year() - 1;
    let mid = jiff::civil::date(last, 6, 15).at(18, 0, 0, 0).to_zoned_datetime(tz).unwrap().timestamp().as_second();
    let m = meeting(&app, pid, "Summer walk", "held", mid, 2).await;
    let (u, _) = app.user("summer@example.org", Role::Community).await;
    attend(&app, m, u, "community").await;
    problem(&app, pid, "Summer burglaries", "assessment", None, true, mid).await;
    decision(&app, pid, "Fund the lights", "closed", false, Some(mid)).await;
    decision(&app, pid, "Summer secret", "closed", true, Some(mid)).await;

    let anon = app.client();
    let r = get(&anon, &app, &format!("/partnerships/sum-beat/annual-report?year={last}")).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for want in ["Summer walk", "Summer burglaries", "Fund the lights", "/assets/transparency.css", "Who takes part"] {
        assert!(html.contains(want), "{want}");
    }
    for not in ["Summer secret", "October meeting", "Secret plan", "Informant network"] {
        assert!(!html.contains(not), "{not}");
    }
    let css = get(&anon, &app, "/assets/transparency.css").await.text().await.unwrap();
    assert!(css.contains("@media print"));
    // This year's report has this year's meetings; a bad year is refused naming the field.
    let html = get(&anon, &app, "/partnerships/sum-beat/annual-report").await.text().await.unwrap();
    assert!(html.contains("October meeting") || html.contains("September meeting"), "recent meetings this year");
    assert_eq!(get(&anon, &app, "/partnerships/sum-beat/annual-report?year=abc").await.status(), 422);
    let show = get(&anon, &app, "/partnerships/sum-beat").await.text().await.unwrap();
    assert!(show.contains("/partnerships/sum-beat/annual-report") && show.contains("/transparency/sum-beat"));
}

#[tokio::test]
async fn public_crime_figures_lag_hide_sensitive_categories_and_small_cells() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    for i in 0..20 {
        lines.push(row(&format!("{}", 100 + i), &when(20 + i, 14), "THEFT", "$500 AND UNDER", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..4 {
        let id = format!("{}", 200 + i);
        lines.push(row(&id, &when(20, 23), "CRIMINAL SEXUAL ASSAULT", "NON-AGGRAVATED", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..2 {
        lines.push(row(&format!("{}", 300 + i), &when(25, 12), "ROBBERY", "ARMED", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..5 {
        lines.push(row(&format!("{}", 400 + i), &when(30, 12), "NARCOTICS", "POSSESSION", CLUSTER.0, CLUSTER.1));
    }
    for i in 0..3 {
        lines.push(row(&format!("{}", 500 + i), &when(2, 10), "THEFT", "RETAIL THEFT", CLUSTER.0, CLUSTER.1));
    }
    import_file(&app, &(lines.join("\n") + "\n")).await;

    let anon = app.client();
    let d: Value = get(&anon, &app, &format!("/api/v1/transparency/{}", s.slug)).await.json().await.unwrap();
    let c = &d["partnerships"][0]["crime"];
    assert_eq!(c["total"], 31, "sensitive incidents count in the total, the last week does not: {c}");
    let cat = |k: &str| c["categories"].as_array().unwrap().iter().find(|x| x["category"] == k).cloned();
    assert_eq!(cat("property").unwrap()["count"], 20);
    let violent = cat("violent").unwrap();
    assert!(violent["suppressed"].as_bool().unwrap() && violent["count"].is_null(), "2 robberies hidden");
    assert!(cat("drugs").unwrap()["suppressed"].as_bool().unwrap(), "the complement is hidden too");
    assert!(
        c["categories"].as_array().unwrap().iter().all(|x| x["count"] != 4),
        "sensitive incidents never appear as a category: {c}"
    );
    assert!(cat("sex_offences").is_none(), "a category whose incidents are all sensitive has no row, not a zero: {c}");
    let body = d.to_string();
    assert!(!body.contains("41.905") && !body.contains("-87.695"), "no coordinates");
    let quiet: Value = get(&anon, &app, "/api/v1/transparency/quiet-beat").await.json().await.unwrap();
    assert!(quiet["partnerships"][0]["crime"]["total"].is_null(), "no incidents: nothing to show");
    let csv = get(&anon, &app, "/transparency.csv").await.text().await.unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains("sum-beat") && l.contains(",crime_by_category,violent,,") && l.ends_with(",true"))
    );

    // Two of the sexual assaults turn out to be thefts and the robberies drug cases: no category is small now,
    // but the two sensitive incidents left would be the total minus the rows, so the smallest row is hidden too.
    let mut lines = vec![CHICAGO_HEADER.to_string()];
    for id in ["202", "203"] {
        lines.push(row(id, &when(20, 23), "THEFT", "$500 AND UNDER", CLUSTER.0, CLUSTER.1));
    }
    for id in ["300", "301"] {
        lines.push(row(id, &when(25, 12), "NARCOTICS", "POSSESSION", CLUSTER.0, CLUSTER.1));
    }
    import_file(&app, &(lines.join("\n") + "\n")).await;
    let d: Value = get(&anon, &app, &format!("/api/v1/transparency/{}", s.slug)).await.json().await.unwrap();
    let c = &d["partnerships"][0]["crime"];
    assert_eq!(c["total"], 31, "{c}");
    let cat = |k: &str| c["categories"].as_array().unwrap().iter().find(|x| x["category"] == k).cloned();
    assert_eq!(cat("property").unwrap()["count"], 22, "{c}");
    assert!(cat("drugs").unwrap()["suppressed"].as_bool().unwrap(), "31 - 22 would reveal 2 sensitive: {c}");
}

/// `n` responses in `area` to the public survey's wave, every one in the first census category of each margin.
async fn responses(app: &TestApp, survey: i64, wave: i64, version: i64, area: i64, n: usize, trust: u64) {
    use commonbeat_domain::census::Dimension;
    use commonbeat_domain::survey::answers::survey_categories;
    use commonbeat_store::repo::surveys::{self, NewResponse};
    let first = |d: Dimension| survey_categories(d)[0].to_string();
    let rows = (0..n)
        .map(|_| NewResponse {
            survey_id: survey,
            wave_id: wave,
            version_id: version,
            area_id: Some(area),
            answers: serde_json::json!({"respect": trust, "listen": trust, "fair": trust, "trust_police": trust})
                .to_string(),
            demographics: [
                first(Dimension::Race),
                first(Dimension::Age),
                first(Dimension::Sex),
                String::new(),
                String::new(),
                String::new(),
            ],
            locale: "en".into(),
            channel: "link".into(),
            texts: Vec::new(),
            at: now() - 20 * DAY,
        })
        .collect();
    surveys::bulk_insert(&app.db, app.jid, rows, "approved", &[]).await.unwrap();
}

#[tokio::test]
async fn trust_comes_from_public_survey_results_with_small_samples_hidden_and_new_answers_counted() {
    use commonbeat_domain::census::Dimension;
    use commonbeat_store::repo::areas::{self, DemographicCount};
    use commonbeat_store::repo::surveys::{self, NewWave};
    let app = TestApp::spawn().await;
    seed(&app).await;
    let all = areas::list(&app.db, app.jid, None).await.unwrap();
    let ids: Vec<i64> = all.iter().map(|a| a.id).collect();
    let mut census = Vec::new();
    for &a in &ids {
        for d in [Dimension::Age, Dimension::Sex, Dimension::Race] {
            for c in d.categories() {
                census.push(DemographicCount {
                    area_id: a,
                    dimension: d.as_str().into(),
                    category: (*c).into(),
                    count: 100,
                });
            }
        }
    }
    areas::replace_demographics(&app.db, app.jid, census).await.unwrap();
    let inst = commonbeat_domain::survey::templates::template("trust_safety").unwrap();
    let s = surveys::create(&app.db, app.jid, "Trust survey", "trust_safety", &inst.to_json(), None).await.unwrap();
    let v = surveys::current_version(&app.db, app.jid, &s).await.unwrap();
    let w = surveys::create_wave(
        &app.db,
        app.jid,
        NewWave {
            survey_id: s.id,
            version_id: v.id,
            name: "Autumn wave".into(),
            starts_on: day(-25),
            ends_on: day(-5),
            area_ids: ids.clone(),
            target_sample: 100,
            open_link: true,
        },
    )
    .await
    .unwrap();
    responses(&app, s.id, w.id, v.id, ids[0], 12, 4).await;
    responses(&app, s.id, w.id, v.id, ids[1], 5, 2).await;
    let anon = app.client();
    let trust = |d: &Value, slug: &str| {
        d["partnerships"].as_array().unwrap().iter().find(|p| p["slug"] == slug).unwrap()["trust"].clone()
    };

    // Unpublished results are not shown.
    let d: Value = get(&anon, &app, "/transparency.json").await.json().await.unwrap();
    assert!(trust(&d, "sum-beat").is_null());

    surveys::set_results_public(&app.db, app.jid, s.id, true).await.unwrap();
    let d: Value = get(&anon, &app, "/transparency.json").await.json().await.unwrap();
    let t = trust(&d, "sum-beat");
    assert_eq!(t["wave"], "Autumn wave");
    assert_eq!(t["estimate"]["n"], 12);
    assert!((t["estimate"]["mean"].as_f64().unwrap() - 40.0).abs() < 1e-6, "answers of 4 on 0–10 score 40: {t}");
    let quiet = trust(&d, "quiet-beat");
    assert!(quiet["estimate"]["suppressed"].as_bool().unwrap() && quiet["estimate"]["mean"].is_null(), "5 < k");
    assert_eq!(d["total"]["trust"]["estimate"]["n"], 17, "city-wide");
    let html = get(&anon, &app, "/transparency/quiet-beat").await.text().await.unwrap();
    assert!(html.contains("fewer than 10 respondents"));

    // New answers are counted at once (the cache is keyed by the survey data).
    responses(&app, s.id, w.id, v.id, ids[1], 6, 2).await;
    let d: Value = get(&anon, &app, "/api/v1/transparency/quiet-beat").await.json().await.unwrap();
    let e = &d["partnerships"][0]["trust"]["estimate"];
    assert_eq!(e["n"], 11);
    assert!((e["mean"].as_f64().unwrap() - 20.0).abs() < 1e-6 && e["ci_low"].is_number(), "{e}");
}
