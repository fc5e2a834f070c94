//! CSRF, security headers, cookies, methods, body limits, rate limits.

use crate::support::*;
use commonbeat_domain::Role;

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    // Sign-in form itself.
    let r = c.post(app.url("/login")).form(&[("email", "ana@example.org"), ("password", PW)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    app.login(&c, "ana@example.org", None).await;
    let no_token = c.post(app.url("/account/tokens")).form(&[("label", "x")]).send().await.unwrap();
    assert_eq!(no_token.status(), 403);
    assert!(no_token.text().await.unwrap().contains("expired or was sent from another site"));
    let wrong = c
        .post(app.url("/account/tokens"))
        .form(&[("label", "x"), ("csrf_token", "forged-token-value-forged-token-value-00")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let json = c.post(app.url("/account/tokens")).json(&serde_json::json!({"label": "x"})).send().await.unwrap();
    assert_eq!(json.status(), 403, "cookie-authenticated non-form calls need the X-CSRF-Token header");
    let csrf = app.csrf(&c, "/account").await;
    let header =
        c.post(app.url("/account/tokens")).header("x-csrf-token", &csrf).form(&[("label", "x")]).send().await.unwrap();
    assert_eq!(header.status(), 200);
    let logout = c.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(logout.status(), 403);
}

#[tokio::test]
async fn security_headers_and_cookie_flags() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(app.url("/login")).await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains(" style=\""), "no inline script or style");

    let https = TestApp::spawn_with(|c| c.public_url = "https://beat.example.org".into()).await;
    let r = reqwest::get(https.url("/login")).await.unwrap();
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn unsupported_methods_oversized_bodies_and_floods_are_refused() {
    let app = TestApp::spawn().await;
    let c = reqwest::Client::new();
    assert_eq!(c.put(app.url("/login")).send().await.unwrap().status(), 405);
    assert_eq!(c.delete(app.url("/account")).send().await.unwrap().status(), 405);
    let big = "x".repeat(3 * 1024 * 1024);
    let r = c
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let mut statuses = Vec::new();
    for _ in 0..32 {
        let r = client
            .post(app.url("/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", "x@example.org"), ("password", "whatever whatever")])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.contains(&429), "sign-in is rate limited per address: {statuses:?}");
}

#[tokio::test]
async fn error_pages_are_localised_and_leak_nothing() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(app.url("/no/such/page?lang=es")).await.unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("<html lang=\"es\">") && body.contains("No encontramos esa página"), "{body}");
    assert!(!body.to_lowercase().contains("panic") && !body.contains("sqlx"));
    let api = reqwest::get(app.url("/api/v1/nothing")).await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.json::<serde_json::Value>().await.unwrap()["error"].is_string(), "API errors are JSON");
}

#[tokio::test]
async fn a_configured_tile_server_is_the_only_other_origin_allowed() {
    let plain = TestApp::spawn().await;
    let csp = reqwest::get(plain.url("/areas")).await.unwrap().headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
    let tiles = TestApp::spawn_with(|c| c.tile_url = Some("https://tiles.example.org/{z}/{x}/{y}.png".into())).await;
    let csp = reqwest::get(tiles.url("/areas")).await.unwrap().headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("img-src 'self' data: https://tiles.example.org;"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "scripts stay same-origin: {csp}");
}
