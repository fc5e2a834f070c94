//! Sustaining partnerships end to end: a partnership that has not met and has an empty co-chair seat raises
//! health alerts that reach its co-chair and the coordinators by e-mail (once, not on every refresh); members see
//! the signals and their suggestions, managers record what they did, the alert resolves when the signal
//! recovers; the department view, the API and the settings are for the right people only.

use crate::meetings::{beat, person};
use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::health;
use commonbeat_store::repo::partnerships;
use serde_json::Value;

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_weakening_partnership_raises_alerts_once_and_they_resolve_when_the_signal_recovers() {
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(smtp)).await;
    let b = beat(&app, "hl", "Health Partnership", 1, 3).await;
    let slug = b.slug.clone();
    let pid = partnerships::by_slug(&app.db, app.jid, &slug).await.unwrap().id;
    // The partnership has existed for 400 days without meeting; nobody holds the community co-chair seat.
    app.sql(&format!(
        "UPDATE partnerships SET created_at = created_at - 400 * 86400, status = 'active' WHERE id = {pid}"
    ))
    .await;
    let admin = person(&app, "hl-admin@example.org", Role::Admin).await;
    let outsider = person(&app, "hl-outsider@example.org", Role::Community).await;
    let before = sink.wait_for(0).await.len();

    // Members of the public and residents outside the department cannot see or trigger the department view.
    let (s, html) = get(&b.community[0].c, &app, "/sustaining").await;
    assert_eq!(s, 403, "{html}");
    let r = app.post_form(&b.community[0].c, &format!("/partnerships/{slug}"), "/sustaining/refresh", &[]).await;
    assert_eq!(r.status(), 403);
    let (s, html) = get(&app.client(), &app, "/sustaining").await;
    assert!(s != 200 || !html.contains("Health Partnership"), "{s}");

    // The coordinator (here: the administrator, as none is named) recomputes.
    let r = app.post_form(&admin.c, "/sustaining", "/sustaining/refresh", &[]).await;
    assert_eq!(r.status(), 303);
    let open: Vec<_> =
        health::alerts(&app.db, app.jid, true).await.unwrap().into_iter().filter(|a| a.partnership_id == pid).collect();
    let signals: Vec<&str> = open.iter().map(|a| a.signal.as_str()).collect();
    assert!(signals.contains(&"meetings"), "{signals:?}");
    assert!(signals.contains(&"leadership"), "{signals:?}");
    let meetings = open.iter().find(|a| a.signal == "meetings").unwrap();
    assert_eq!(meetings.suggestion, "schedule_meeting");
    let m: Value = serde_json::from_str(&meetings.measures).unwrap();
    assert_eq!((m["held"].as_f64(), m["expected"].as_f64()), (Some(0.0), Some(6.0)));
    let leadership = open.iter().find(|a| a.signal == "leadership").unwrap();
    assert_eq!(leadership.suggestion, "start_election");

    // The co-chair and the coordinator are e-mailed about each new alert, with a link to the health page.
    let expected_mails = before + 2 * open.len();
    let mails = sink.wait_for(expected_mails).await;
    let about: Vec<&String> =
        mails.iter().filter(|m| m.contains("Health Partnership: Meetings needs attention")).collect();
    assert_eq!(about.len(), 2, "co-chair and coordinator");
    assert!(about.iter().any(|m| m.contains("hl-chair@example.org")));
    assert!(about.iter().any(|m| m.contains("hl-admin@example.org")));
    assert!(find_link(about[0], &format!("/partnerships/{slug}/health")).is_some());

    // Refreshing again raises nothing new and sends nothing.
    let r = app.post_form(&admin.c, "/sustaining", "/sustaining/refresh", &[]).await;
    assert_eq!(r.status(), 303);
    let again = health::alerts(&app.db, app.jid, true).await.unwrap();
    assert_eq!(again.iter().filter(|a| a.partnership_id == pid).count(), open.len());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.wait_for(0).await.len(), expected_mails, "no repeated e-mails");

    // The department view lists the partnership with its alert; members see their partnership's signals.
    let (s, html) = get(&admin.c, &app, "/sustaining").await;
    assert_eq!(s, 200);
    assert!(html.contains("Health Partnership") && html.contains("cb-level-alert"), "{html}");
    let (s, html) = get(&b.community[0].c, &app, &format!("/partnerships/{slug}/health")).await;
    assert_eq!(s, 200);
    assert!(html.contains("0 meetings held in the last six months; the charter&#39;s cadence expects 6."), "{html}");
    assert!(html.contains("Start an election for the vacant co-chair seat."));
    assert!(!html.contains("/health/alerts/"), "members who do not manage get no action form");
    let (s, _) = get(&outsider.c, &app, &format!("/partnerships/{slug}/health")).await;
    assert_eq!(s, 403, "non-members do not see a partnership's health");
    let (s, html) = get(&b.chair.c, &app, &format!("/partnerships/{slug}/health?lang=es")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Inicie una elección para el puesto de copresidencia vacante."), "{html}");

    // The co-chair records what was done; a too-short note is refused naming the field; members cannot act.
    let action = format!("/partnerships/{slug}/health/alerts/{}/action", leadership.id);
    let page = format!("/partnerships/{slug}/health");
    let r = app.post_form(&b.chair.c, &page, &action, &[("note", "x")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("note"));
    let r = app.post_form(&b.community[0].c, &page, &action, &[("note", "I did something")]).await;
    assert_eq!(r.status(), 403);
    let r = app.post_form(&b.chair.c, &page, &action, &[("note", "Election called for the next meeting.")]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = get(&b.community[1].c, &app, &page).await;
    assert!(html.contains("Election called for the next meeting."));

    // A resident takes the community co-chair seat: the leadership alert resolves at the next refresh.
    let r = app
        .post_form(
            &b.chair.c,
            &format!("/partnerships/{slug}"),
            &format!("/partnerships/{slug}/seats"),
            &[("seat", "community_chair"), ("user_id", &b.community[0].id.to_string()), ("ends_on", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app.post_form(&b.chair.c, &page, &format!("/partnerships/{slug}/health/refresh"), &[]).await;
    assert_eq!(r.status(), 303);
    let all = health::alerts_of(&app.db, app.jid, pid).await.unwrap();
    let lead = all.iter().find(|a| a.id == leadership.id).unwrap();
    assert!(lead.resolved_at.is_some(), "leadership alert resolved");
    assert_eq!(lead.action_note, "Election called for the next meeting.");
    assert!(all.iter().any(|a| a.signal == "meetings" && a.resolved_at.is_none()), "meetings still alerting");

    // The API: department staff see every partnership; members their own; residents not the department list.
    let r = admin.c.get(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    let mine = list.as_array().unwrap().iter().find(|p| p["slug"] == slug.as_str()).unwrap();
    assert_eq!(mine["level"], "alert");
    assert_eq!(mine["signals"].as_array().unwrap().len(), 11);
    assert!(mine["alerts"].as_array().unwrap().iter().all(|a| a["resolved_at"].is_null()));
    let r = b.community[0].c.get(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = b.community[2].c.get(app.url(&format!("/api/v1/partnerships/{slug}/health"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let one: Value = r.json().await.unwrap();
    assert!(
        one["alerts"].as_array().unwrap().iter().any(|a| a["action_note"] == "Election called for the next meeting.")
    );
    let r = outsider.c.get(app.url(&format!("/api/v1/partnerships/{slug}/health"))).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = app.client().get(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn thresholds_are_checked_and_suggestions_lead_to_the_right_form() {
    let app = TestApp::spawn().await;
    let b = beat(&app, "th", "Threshold Partnership", 1, 1).await;
    let admin = person(&app, "th-admin@example.org", Role::Admin).await;
    let slug = b.slug.clone();

    // Only administrators change the settings; a faulty threshold is refused naming the field.
    let (s, _) = get(&b.chair.c, &app, "/sustaining/settings").await;
    assert_eq!(s, 403);
    let r = app
        .post_form(
            &admin.c,
            "/sustaining/settings",
            "/sustaining/settings",
            &[("thresholds", r#"{"meetings_alert": 0.95}"#)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("meetings_alert"));
    let chair = b.chair.id.to_string();
    let r = app
        .post_form(
            &admin.c,
            "/sustaining/settings",
            "/sustaining/settings",
            &[("thresholds", r#"{"meetings_watch": 0.9}"#), ("coordinator", chair.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (s, html) = get(&admin.c, &app, "/sustaining/settings").await;
    assert_eq!(s, 200);
    assert!(html.contains("meetings_watch&#34;: 0.9,") || html.contains("meetings_watch&quot;: 0.9,"), "{html}");
    assert!(html.contains(&format!("value=\"{chair}\" checked")), "the chosen coordinator is kept");

    // A suggestion to run a time poll opens the decision form with the time poll chosen.
    let (s, html) = get(&b.chair.c, &app, &format!("/partnerships/{slug}/decisions/new?kind=time_poll")).await;
    assert_eq!(s, 200);
    assert!(html.contains(r#"value="time_poll" checked"#), "{html}");
    assert!(!html.contains(r#"value="proposal" checked"#));
}
