//! Recruiting with the community end to end: an outreach event co-hosted by a partnership with consented
//! sign-ups; a referral confirmed by the candidate through the e-mailed single-use link; pipeline moves (bad ones
//! refused naming the stage); independent panel scoring with Krippendorff's alpha once everyone has scored; the
//! fairness table's four-fifths flag with small cells hidden; privacy (panelists, referrers and the public never
//! read candidate data, and staff reads are audited); retention.

use crate::meetings::{beat, person};
use crate::support::*;
use commonbeat_analysis::agreement::{Level, krippendorff_alpha};
use commonbeat_domain::Role;
use commonbeat_store::repo::recruiting::{self, ImportedCandidate, NewCandidate};
use commonbeat_store::repo::{audit, partnerships};
use serde_json::{Value, json};

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn api_post(c: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let csrf = app.csrf(c, "/recruiting/refer").await;
    let r = c.post(app.url(path)).header("x-csrf-token", &csrf).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let f = audit::AuditFilter { action: Some(action.into()), ..Default::default() };
    audit::list(&app.db, app.jid, &f, 1000, 0).await.unwrap().0.iter().filter(|e| e.action == action).count()
}

fn lead(name: &str) -> NewCandidate {
    NewCandidate {
        name: name.into(),
        email: format!("{}@example.net", name.to_lowercase().replace(' ', ".")),
        source: "direct".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn events_take_consented_sign_ups_and_referrals_are_confirmed_by_the_candidate() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let b = beat(&app, "rec", "Recruiting Partnership", 1, 2).await;
    let admin = person(&app, "rec-admin@example.org", Role::Admin).await;
    let pid = partnerships::by_slug(&app.db, app.jid, &b.slug).await.unwrap().id.to_string();
    let event_form = [
        ("title", "Spring job fair"),
        ("kind", "fair"),
        ("place", "Humboldt Park fieldhouse"),
        ("starts", "2030-04-12T10:00"),
        ("hosts", pid.as_str()),
    ];

    // Residents and officers who are not recruiting staff cannot record events; staff can.
    let r = app.post_form(&b.community[0].c, "/recruiting/refer", "/recruiting/events", &event_form).await;
    assert_eq!(r.status(), 403);
    let r = app.post_form(&b.police[0].c, "/recruiting/refer", "/recruiting/events", &event_form).await;
    assert_eq!(r.status(), 403, "police without the recruiting flag are not staff");
    let r = app.post_form(&admin.c, "/recruiting/events", "/recruiting/events", &event_form[..4]).await;
    assert_eq!(r.status(), 422, "a host partnership is required");
    let r = app.post_form(&admin.c, "/recruiting/events", "/recruiting/events", &event_form).await;
    assert_eq!(r.status(), 303);
    let event = r.headers()["location"].to_str().unwrap().to_string();
    let eid: i64 = event.rsplit('/').next().unwrap().parse().unwrap();

    // The public sees the event and signs up; without consent nothing is kept.
    let public = app.client();
    let (s, html) = get(&public, &app, "/recruiting").await;
    assert_eq!(s, 200);
    assert!(html.contains("Spring job fair") && html.contains("Recruiting Partnership"), "{html}");
    let signup = format!("{event}/signup");
    let person_form = [("name", "Rosa Diaz"), ("email", "rosa@example.net"), ("race", "hispanic"), ("sex", "female")];
    let r = app.post_form(&public, &event, &signup, &person_form).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("consent"));
    assert!(recruiting::candidates(&app.db, app.jid).await.unwrap().is_empty(), "nothing kept without consent");
    let mut with_consent = person_form.to_vec();
    with_consent.extend([("consent", "yes"), ("partnership_id", pid.as_str())]);
    let r = app.post_form(&public, &event, &signup, &with_consent).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Recruiting staff will be in touch"));
    let c = recruiting::candidates(&app.db, app.jid).await.unwrap().remove(0);
    assert_eq!((c.stage.as_str(), c.source.as_str(), c.event_id), ("lead", "event", Some(eid)));
    assert_eq!((c.race.as_str(), c.partnership_id.map(|p| p.to_string())), ("hispanic", Some(pid.clone())));

    // Attendance is recorded by staff.
    let r = app
        .post_form(
            &admin.c,
            "/recruiting/events",
            &format!("/recruiting/events/{eid}/attendance"),
            &[("attendance", "85")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(recruiting::event_by_id(&app.db, app.jid, eid).await.unwrap().attendance, 85);

    // A resident refers a friend: only the e-mail is kept until the friend confirms through the mailed link.
    let ana = &b.community[0];
    let r = app.post_form(&ana.c, "/recruiting/refer", "/recruiting/refer", &[("email", "friend@example.net")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(recruiting::candidates(&app.db, app.jid).await.unwrap().len(), 1, "no candidate before confirmation");
    let refs = recruiting::referrals_of(&app.db, app.jid, ana.id).await.unwrap();
    assert_eq!((refs.len(), refs[0].email.as_str(), refs[0].status.as_str()), (1, "friend@example.net", "pending"));
    let mail = sink.wait_for(1).await.into_iter().find(|m| m.contains("friend@example.net")).expect("referral mail");
    let link = find_link(&mail, &format!("{}/recruiting/confirm/", app.addr)).expect("confirmation link");
    let path = link.trim_start_matches(&app.addr).to_string();
    let friend = app.client();
    let (s, html) = get(&friend, &app, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("friend@example.net"));
    let r = app.post_form(&friend, &path, &path, &[("name", "Sam Friend"), ("consent", "yes")]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Thank you for confirming"));
    let r = app.post_form(&friend, &event, &path, &[("name", "Sam Again"), ("consent", "yes")]).await;
    assert_eq!(r.status(), 404, "the link works once");
    let all = recruiting::candidates(&app.db, app.jid).await.unwrap();
    let sam = all.iter().find(|c| c.name == "Sam Friend").unwrap();
    assert_eq!(
        (sam.source.as_str(), sam.referrer_id, sam.email.as_str()),
        ("referral", Some(ana.id), "friend@example.net")
    );

    // The referrer follows the stage, never the data.
    let (s, html) = get(&ana.c, &app, "/recruiting/refer").await;
    assert_eq!(s, 200);
    assert!(html.contains("Confirmed") && html.contains("Lead"), "{html}");
    assert!(!html.contains("Sam Friend") && !html.contains("friend@example.net"));

    // Privacy: the public, residents (the referrer too) and police without the flag cannot read candidates.
    let (s, _) = get(&public, &app, "/recruiting/candidates").await;
    assert_eq!(s, 303, "anonymous is sent to sign in");
    assert_eq!(get(&public, &app, "/api/v1/recruiting/candidates").await.0, 401);
    for who in [&ana.c, &b.police[0].c] {
        assert_eq!(get(who, &app, "/recruiting/candidates").await.0, 403);
        assert_eq!(get(who, &app, &format!("/recruiting/candidates/{}", sam.id)).await.0, 403);
        assert_eq!(get(who, &app, &format!("/api/v1/recruiting/candidates/{}", sam.id)).await.0, 403);
        assert_eq!(get(who, &app, "/recruiting/reports").await.0, 403);
        assert_eq!(get(who, &app, "/api/v1/recruiting/fairness").await.0, 403);
    }
    assert_eq!(audited(&app, "recruiting.candidate.read").await, 0);

    // An administrator names the officer recruiting staff; staff reads are audited.
    let officer = &b.police[0];
    let pid_officer = officer.id.to_string();
    let r = app
        .post_form(
            &admin.c,
            "/recruiting/settings",
            "/recruiting/settings",
            &[("staff", pid_officer.as_str()), ("stages", ""), ("retention_days", "365")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let (s, html) = get(&officer.c, &app, "/recruiting/candidates").await;
    assert_eq!(s, 200);
    assert!(html.contains("Sam Friend") && html.contains("Rosa Diaz"));
    let (s, html) = get(&officer.c, &app, &format!("/recruiting/candidates/{}", sam.id)).await;
    assert_eq!(s, 200);
    assert!(html.contains("friend@example.net"));
    let (s, body) = get(&officer.c, &app, &format!("/api/v1/recruiting/candidates/{}", sam.id)).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["source"], "referral");
    assert_eq!(audited(&app, "recruiting.candidates.read").await, 1);
    assert_eq!(audited(&app, "recruiting.candidate.read").await, 2);
    // Residents still cannot manage settings.
    assert_eq!(get(&ana.c, &app, "/recruiting/settings").await.0, 403);
}

#[tokio::test]
async fn the_pipeline_refuses_bad_moves_and_panelists_score_independently() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "pan", "Panel Partnership", 1, 3).await;
    let admin = person(&app, "pan-admin@example.org", Role::Admin).await;
    let c = recruiting::create_candidate(&app.db, app.jid, lead("Jordan Lee"), "lead").await.unwrap();
    let page = format!("/recruiting/candidates/{}", c.id);
    let stage = format!("{page}/stage");

    let r = app.post_form(&admin.c, &page, &stage, &[("to", "applied")]).await;
    assert_eq!(r.status(), 200);
    let r = app.post_form(&admin.c, &page, &stage, &[("to", "physical")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("must pass Written test before Physical test"));
    let r = app.post_form(&admin.c, &page, &stage, &[("to", "lead")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cannot go back from Applied to Lead"));
    let api = format!("/api/v1/recruiting/candidates/{}/stage", c.id);
    let (s, v) = api_post(&admin.c, &app, &api, json!({"to": "academy"})).await;
    assert_eq!(s, 422);
    assert!(v["detail"].as_str().unwrap_or_default().contains("Written test"), "{v}");
    for to in ["written_test", "physical", "background", "community_interview"] {
        let (s, v) = api_post(&admin.c, &app, &api, json!({"to": to, "note": "passed"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["stage"], to);
    }
    let changes = recruiting::stage_changes(&app.db, app.jid, c.id).await.unwrap();
    assert_eq!(changes.len(), 6, "every move is stored with its date");
    let (s, _) = api_post(&b.community[0].c, &app, &api, json!({"to": "academy"})).await;
    assert_eq!(s, 403, "residents cannot move candidates");

    // The panel: two residents and the administrator (recruiting staff).
    let (r1, r2, outsider) = (&b.community[0], &b.community[1], &b.community[2]);
    let (id1, id2, ida) = (r1.id.to_string(), r2.id.to_string(), admin.id.to_string());
    let r = app
        .post_form(
            &admin.c,
            &page,
            &format!("{page}/panel"),
            &[("panelist", id1.as_str()), ("panelist", id2.as_str()), ("panelist", ida.as_str())],
        )
        .await;
    let status = r.status();
    assert_eq!(status, 200, "{}", r.text().await.unwrap());
    let sheet = format!("/recruiting/panels/{}", c.id);
    let (s, html) = get(&r1.c, &app, "/recruiting/panels").await;
    assert_eq!(s, 200);
    assert!(html.contains("Jordan Lee"));
    let (s, html) = get(&r1.c, &app, &sheet).await;
    assert_eq!(s, 200);
    assert!(html.contains("Problem solving with residents") && html.contains("checks understanding"));
    assert!(!html.contains("jordan.lee@example.net"), "panelists see only what the rubric needs");
    assert_eq!(get(&outsider.c, &app, &sheet).await.0, 404, "not on the panel");
    assert_eq!(get(&r1.c, &app, &page).await.0, 403, "a panelist cannot open the candidate's file");

    let dims =
        ["communication", "empathy", "problem_solving_with_residents", "cultural_competence", "service_motivation"];
    let sheets: [[&str; 5]; 3] = [["4", "4", "3", "5", "4"], ["4", "5", "3", "4", "4"], ["3", "4", "2", "4", "5"]];
    let who = [&r1.c, &r2.c, &admin.c];
    let r = app.post_form(&r1.c, &sheet, &sheet, &[("communication", "4")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Empathy"), "the missing dimension is named");
    for (i, client) in who.iter().enumerate() {
        let fields: Vec<(&str, &str)> = dims.iter().copied().zip(sheets[i]).collect();
        let r = app.post_form(client, &sheet, &sheet, &fields).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        if i < 2 {
            assert!(html.contains(&format!("Waiting for {} more", 2 - i)), "{html}");
            assert!(!html.contains("Agreement between panelists"), "scores hidden until everyone has scored");
            // The staff view shows who has scored, not the scores.
            let (_, staff) = get(&admin.c, &app, &page).await;
            assert!(!staff.contains("The panel's scores"));
        } else {
            assert!(html.contains("Agreement between panelists"));
        }
    }
    let data: Vec<Vec<Option<f64>>> =
        sheets.iter().map(|s| s.iter().map(|x| Some(x.parse::<f64>().unwrap())).collect()).collect();
    let alpha = format!("{:.2}", krippendorff_alpha(&data, Level::Interval).unwrap());
    let (_, html) = get(&r1.c, &app, &sheet).await;
    assert!(html.contains(&format!("interval): {alpha}")), "alpha {alpha} shown: {html}");
    let r = app.post_form(&r1.c, &sheet, &sheet, &dims.map(|d| (d, "3"))).await;
    assert_eq!(r.status(), 422, "a sheet is final once submitted");
    assert!(r.text().await.unwrap().contains("already submitted"));
    assert!(audited(&app, "recruiting.panel.read").await >= 3);
}

#[tokio::test]
async fn the_fairness_table_flags_adverse_impact_and_hides_small_cells() {
    let app = TestApp::spawn().await;
    let admin = person(&app, "fair-admin@example.org", Role::Admin).await;
    let day = 86_400;
    let t0 = commonbeat_store::now() - 400 * day;
    let mut list = Vec::new();
    // Applied → written test: hispanic 8 of 20, white 16 of 20, asian 9 of 10, black 2 of 3 (a small cell,
    // hidden with asian, the next smallest, as its complement).
    for (race, n, pass) in [("hispanic", 20, 8), ("white", 20, 16), ("asian", 10, 9), ("black", 3, 2)] {
        for i in 0..n {
            let mut path = vec![("lead".to_string(), t0), ("applied".to_string(), t0 + day)];
            if i < pass {
                path.push(("written_test".to_string(), t0 + 10 * day));
            }
            let hired = race == "white" && i < 6;
            if hired {
                for (j, s) in ["physical", "background", "community_interview", "academy", "hired"].iter().enumerate() {
                    path.push((s.to_string(), t0 + (20 + 10 * j as i64) * day));
                }
            }
            list.push(ImportedCandidate {
                candidate: NewCandidate { race: race.into(), ..lead(&format!("{race} {i}")) },
                path,
                closed: hired,
            });
        }
    }
    recruiting::import_candidates(&app.db, app.jid, list).await.unwrap();

    let (s, body) = get(&admin.c, &app, "/api/v1/recruiting/fairness").await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let applied = v["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "applied").unwrap();
    let group = |g: &str| applied["groups"].as_array().unwrap().iter().find(|x| x["group"] == g).unwrap().clone();
    let (h, w, bl) = (group("hispanic"), group("white"), group("black"));
    assert_eq!((h["entered"].as_u64(), h["passed"].as_u64()), (Some(20), Some(8)));
    assert!((h["impact_ratio"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert_eq!((h["adverse_impact"].as_bool(), w["adverse_impact"].as_bool()), (Some(true), Some(false)));
    assert!(bl["entered"].is_null() && bl["rate"].is_null(), "small cell hidden: {bl}");
    assert!(group("asian")["entered"].is_null(), "its complement hidden too");
    let (s, html) = get(&admin.c, &app, "/recruiting/reports").await;
    assert_eq!(s, 200);
    assert!(html.contains("below four-fifths") && html.contains("Applied directly"));

    // Public aggregates: counts of at least k, nothing personal; candidates stay private.
    let public = app.client();
    let (s, body) = get(&public, &app, "/api/v1/recruiting/summary").await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let stage = |id: &str| v["stages"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap()["count"].clone();
    assert_eq!(stage("applied").as_u64(), Some(53));
    assert_eq!(stage("hired").as_u64(), Some(6));
    assert!(!body.contains("hispanic 0"));
    assert_eq!(get(&public, &app, "/api/v1/recruiting/fairness").await.0, 401);
    let (s, html) = get(&public, &app, "/recruiting").await;
    assert_eq!(s, 200);
    assert!(!html.contains("white 0"));

    // Retention: files closed longer ago than the retention period are deleted.
    let before = recruiting::candidates(&app.db, app.jid).await.unwrap().len();
    let r = app.post_form(&admin.c, "/recruiting/settings", "/recruiting/settings/purge", &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(recruiting::candidates(&app.db, app.jid).await.unwrap().len(), before, "730 days not yet passed");
    app.sql(&format!("UPDATE recruit_candidates SET closed_at = {} WHERE closed_at IS NOT NULL", t0 - 800 * day)).await;
    let r = app.post_form(&admin.c, "/recruiting/settings", "/recruiting/settings/purge", &[]).await;
    assert!(r.text().await.unwrap().contains("6 files deleted"));
    assert_eq!(recruiting::candidates(&app.db, app.jid).await.unwrap().len(), before - 6);
    assert_eq!(audited(&app, "recruiting.purge").await, 2);
}
