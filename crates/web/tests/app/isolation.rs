//! Two jurisdictions on one deployment: no request reads or writes the other's records.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::{audit, jurisdictions, tokens};

/// Jurisdiction A answers at 127.0.0.1, B at localhost (same server).
async fn two() -> (TestApp, i64, String) {
    let app = TestApp::spawn().await;
    app.sql(&format!("UPDATE jurisdictions SET host = '127.0.0.1' WHERE id = {}", app.jid)).await;
    let b =
        jurisdictions::create(&app.db, "other", "Otherton Police", Some("localhost"), "America/Denver").await.unwrap();
    let b_url = format!("http://localhost:{}", app.port);
    (app, b.id, b_url)
}

#[tokio::test]
async fn host_selects_the_jurisdiction_and_unknown_hosts_get_nothing() {
    let (app, _, b_url) = two().await;
    let a = reqwest::get(app.url("/api/v1/jurisdiction")).await.unwrap().json::<serde_json::Value>().await.unwrap();
    let b =
        reqwest::get(format!("{b_url}/api/v1/jurisdiction")).await.unwrap().json::<serde_json::Value>().await.unwrap();
    assert_eq!(a["name"], "Testville Police");
    assert_eq!(b["name"], "Otherton Police");
    let unknown = reqwest::Client::new().get(app.url("/")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn accounts_sessions_tokens_and_records_stay_in_their_jurisdiction() {
    let (app, b, b_url) = two().await;
    let (_, admin_a) = app.user("admin@example.org", Role::Admin).await;
    // Same e-mail may exist in both (separate departments).
    let (ana_b, _) = app.user_in(b, "admin@example.org", Role::Community).await;
    let (bob_b, _) = app.user_in(b, "bob@example.org", Role::Community).await;

    let c = app.client();
    app.login(&c, "admin@example.org", admin_a.as_deref()).await;
    // Page listing: only A's users.
    let users = c.get(app.url("/admin/users")).send().await.unwrap().text().await.unwrap();
    assert!(!users.contains("bob@example.org"));
    // Writes on B's records by id: not found.
    for path in [format!("/admin/users/{bob_b}/disable"), format!("/admin/users/{bob_b}/role")] {
        let r = app.post_form(&c, "/admin/users", &path, &[("role", "admin")]).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    assert!(!commonbeat_store::repo::users::by_id(&app.db, b, bob_b).await.unwrap().disabled);
    // Outbox message of B not readable from A.
    let m = commonbeat_store::repo::outbox::enqueue(
        &app.db,
        b,
        commonbeat_store::repo::outbox::NewMessage {
            to: "x@example.org".into(),
            subject: "b".into(),
            body_text: "secret".into(),
            body_html: None,
            calendar: None,
            list_unsubscribe: None,
        },
        false,
    )
    .await
    .unwrap();
    assert_eq!(c.get(app.url(&format!("/admin/outbox/{}", m.id))).send().await.unwrap().status(), 404);

    // A's session cookie means nothing at B's host (cookies are per host, so send it by hand).
    let cookie = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(cookie.status(), 200);
    let b_client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token_a = tokens::create_api_token(&app.db, app.jid, 1, "a").await.unwrap().0;
    let r = b_client.get(format!("{b_url}/api/v1/me")).bearer_auth(&token_a).send().await.unwrap();
    assert_eq!(r.status(), 401, "A's token is not valid at B");
    let token_b = tokens::create_api_token(&app.db, b, ana_b, "b").await.unwrap().0;
    let me: serde_json::Value =
        b_client.get(format!("{b_url}/api/v1/me")).bearer_auth(&token_b).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["jurisdiction_id"], b);
    assert_eq!(
        reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token_b).send().await.unwrap().status(),
        401
    );

    // Audit chains are separate and both intact.
    assert!(audit::verify(&app.db, app.jid).await.unwrap().is_ok());
    assert!(audit::verify(&app.db, b).await.unwrap().is_ok());
    let (a_entries, _) = audit::list(&app.db, app.jid, &Default::default(), 500, 0).await.unwrap();
    assert!(a_entries.iter().all(|e| e.jurisdiction_id == app.jid));
}
