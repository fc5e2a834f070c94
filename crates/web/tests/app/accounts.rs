//! Account settings: password change, language, API tokens.

use crate::support::*;
use commonbeat_domain::Role;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn password_change_enforces_policy_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c1 = app.client();
    let c2 = app.client();
    app.login(&c1, "ana@example.org", None).await;
    app.login(&c2, "ana@example.org", None).await;

    let weak = app
        .post_form(&c1, "/account", "/account/password", &[("current_password", PW), ("new_password", "password1234")])
        .await;
    assert_eq!(weak.status(), 422);
    assert!(weak.text().await.unwrap().contains("too easy to guess"));
    let short = app
        .post_form(&c1, "/account", "/account/password", &[("current_password", PW), ("new_password", "short")])
        .await;
    assert_eq!(short.status(), 422);
    let wrong = app
        .post_form(
            &c1,
            "/account",
            "/account/password",
            &[("current_password", "not it at all"), ("new_password", "a brand new passphrase here")],
        )
        .await;
    assert_eq!(wrong.status(), 422);

    let ok = app
        .post_form(
            &c1,
            "/account",
            "/account/password",
            &[("current_password", PW), ("new_password", "a brand new passphrase here")],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let page = c1.get(app.url("/account?notice=password-changed")).send().await.unwrap();
    assert_eq!(page.status(), 200, "this session continues");
    let html = page.text().await.unwrap();
    assert!(html.contains("Your password was changed."));
    // The page's forms carry the new session's token and work.
    let csrf = extract_csrf(&html).unwrap();
    let r = c1
        .post(app.url("/account/tokens"))
        .form(&[("csrf_token", csrf.as_str()), ("label", "after change")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(c2.get(app.url("/account")).send().await.unwrap().status(), 303, "other sessions end");
}

#[tokio::test]
async fn api_tokens_are_shown_once_hashed_at_rest_listed_and_revocable() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    app.login(&c, "ana@example.org", None).await;
    let r = app.post_form(&c, "/account", "/account/tokens", &[("label", "my script")]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let token = html.split("id=\"new-token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(token.starts_with("cbt_"));
    // Not stored in clear.
    let hit = app
        .db
        .conn
        .query_one_raw(
            app.db.stmt("SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = $1", vec![token.clone().into()]),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hit.try_get::<i64>("", "n").unwrap(), 0);
    // Listed without the secret, and usable.
    let page = c.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("my script") && !page.contains(&token));
    let api = reqwest::Client::new();
    let me = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    // Revoke it.
    let id = page.split("/account/tokens/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let r = app.post_form(&c, "/account", &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn someone_elses_token_cannot_be_revoked() {
    let app = TestApp::spawn().await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    app.user("ben@example.org", Role::Community).await;
    let (_, rec) = commonbeat_store::repo::tokens::create_api_token(&app.db, app.jid, ana, "ana's").await.unwrap();
    let c = app.client();
    app.login(&c, "ben@example.org", None).await;
    let r = app.post_form(&c, "/account", &format!("/account/tokens/{}/revoke", rec.id), &[]).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn language_follows_query_cookie_account_and_browser() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let es = c.get(app.url("/?lang=es")).send().await.unwrap().text().await.unwrap();
    assert!(es.contains("<html lang=\"es\">") && es.contains("Iniciar sesión"));
    let again = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("<html lang=\"es\">"), "the choice is remembered in a cookie");
    let browser =
        reqwest::Client::new().get(app.url("/login")).header("accept-language", "es-MX,es;q=0.9").send().await.unwrap();
    assert!(browser.text().await.unwrap().contains("<html lang=\"es\">"));
    let en = reqwest::Client::new().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in"));
}
