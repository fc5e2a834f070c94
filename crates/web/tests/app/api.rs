//! JSON API, OpenAPI document, health.

use crate::support::*;
use commonbeat_domain::Role;

#[tokio::test]
async fn me_works_with_session_or_token_and_401s_otherwise() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.user("officer@example.org", Role::Police).await;
    let anon = reqwest::Client::new().get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    let body: serde_json::Value = anon.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("sign in"));
    let bad = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth("cbt_nope").send().await.unwrap();
    assert_eq!(bad.status(), 401);

    let c = app.client();
    app.login(&c, "officer@example.org", secret.as_deref()).await;
    let me: serde_json::Value = c.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "police");
    assert_eq!(me["side"], "police");
    assert_eq!(me["mfa_enabled"], true);

    let (token, _) = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, id, "t").await.unwrap();
    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "officer@example.org");
}

#[tokio::test]
async fn openapi_document_is_3_1_and_matches_the_snapshot() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    app.db.conn.clone().close().await.unwrap();
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn public_api_is_rate_limited() {
    let app = TestApp::spawn().await;
    let c = reqwest::Client::new();
    let mut last = 200;
    for _ in 0..650 {
        last = c.get(app.url("/api/v1/jurisdiction")).send().await.unwrap().status().as_u16();
        if last == 429 {
            break;
        }
    }
    assert_eq!(last, 429);
}
