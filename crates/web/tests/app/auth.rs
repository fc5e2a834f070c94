//! Sign-in, MFA, lockout, sessions and sign-out.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_web::auth::totp;

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("cb_session=").map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}

#[tokio::test]
async fn community_member_signs_in_with_password_only() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    app.login(&c, "ana@example.org", None).await;
    let r = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ana@example.org"));
}

#[tokio::test]
async fn wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    for email in ["ana@example.org", "nobody@example.org"] {
        let r = c
            .post(app.url("/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", email), ("password", "wrong password entirely")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("The email address or password is not correct."));
    }
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn police_need_the_totp_code_and_each_step_gets_a_new_session_id() {
    let app = TestApp::spawn().await;
    let (_, secret) = app.user("officer@example.org", Role::Police).await;
    let secret = secret.unwrap();
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf_token", csrf.as_str()), ("email", "officer@example.org"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login/mfa"));
    let pending_id = session_cookie(&r).expect("pending session cookie");
    // Pending session reaches nothing else.
    let r = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    // Wrong code.
    let csrf = app.csrf(&c, "/login/mfa").await;
    let good = totp::current_code(&secret).unwrap();
    let bad = format!("{:06}", (good.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    let r = c
        .post(app.url("/login/mfa"))
        .form(&[("csrf_token", csrf.as_str()), ("code", bad.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Right code.
    let r = c
        .post(app.url("/login/mfa"))
        .form(&[("csrf_token", csrf.as_str()), ("code", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let full_id = session_cookie(&r).expect("full session cookie");
    assert_ne!(pending_id, full_id, "session id must change at MFA");
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn police_without_mfa_must_enrol_and_get_recovery_codes_that_work_once() {
    let app = TestApp::spawn().await;
    let (id, _) = app.user("new.officer@example.org", Role::Police).await;
    app.sql(&format!("UPDATE users SET totp_secret = NULL, mfa_enabled = FALSE WHERE id = {id}")).await;
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf_token", csrf.as_str()), ("email", "new.officer@example.org"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/mfa/setup"));
    let page = c.get(app.url("/mfa/setup")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg"), "QR code as inline SVG");
    let secret = page.split("class=\"cb-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let csrf = extract_csrf(&page).unwrap();
    let code = totp::current_code(&secret).unwrap();
    let r = c
        .post(app.url("/mfa/setup"))
        .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 200);

    // Sign in again with a recovery code instead of the TOTP code; the same code fails the second time.
    for (attempt, expect) in [(0, 303), (1, 401)] {
        let c2 = app.client();
        let csrf = app.csrf(&c2, "/login").await;
        c2.post(app.url("/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", "new.officer@example.org"), ("password", PW)])
            .send()
            .await
            .unwrap();
        let csrf = app.csrf(&c2, "/login/mfa").await;
        let r = c2
            .post(app.url("/login/mfa"))
            .form(&[("csrf_token", csrf.as_str()), ("code", codes[0].as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expect, "recovery code attempt {attempt}");
    }
}

#[tokio::test]
async fn five_failures_in_fifteen_minutes_lock_the_account() {
    let app = TestApp::spawn().await;
    let (id, _) = app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    for _ in 0..5 {
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", "ana@example.org"),
                ("password", "not the password at all"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    // The right password no longer works while locked.
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf_token", csrf.as_str()), ("email", "ana@example.org"), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("locked for 15 minutes"));
    // Fifteen minutes later (simulated), it does.
    app.sql(&format!("UPDATE users SET locked_until = {} WHERE id = {id}", commonbeat_store::now() - 1)).await;
    app.sql(&format!("UPDATE login_failures SET at = at - 1000 WHERE user_id = {id}")).await;
    app.login(&c, "ana@example.org", None).await;
    // Failures and the lock are in the audit log.
    let n = app
        .db
        .conn
        .query_one_raw(
            app.db.stmt("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login' AND outcome = 'failure'", vec![]),
        )
        .await
        .unwrap()
        .unwrap();
    let n: i64 = n.try_get("", "n").unwrap();
    assert_eq!(n, 6);
}

use sea_orm::ConnectionTrait;

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions_and_logout_invalidates() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let now = commonbeat_store::now();

    let c = app.client();
    app.login(&c, "ana@example.org", None).await;
    app.sql(&format!("UPDATE sessions SET last_seen_at = {}", now - 31 * 60)).await;
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 303, "idle 31 min");

    let c = app.client();
    app.login(&c, "ana@example.org", None).await;
    app.sql(&format!("UPDATE sessions SET created_at = {}, last_seen_at = {now}", now - 12 * 3600 - 1)).await;
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 303, "older than 12 h");

    let c = app.client();
    app.login(&c, "ana@example.org", None).await;
    assert_eq!(c.get(app.url("/account")).send().await.unwrap().status(), 200);
    let r = app.post_form(&c, "/account", "/logout", &[]).await;
    assert_eq!(r.status(), 303);
    let left = app
        .db
        .conn
        .query_one_raw(app.db.stmt("SELECT COUNT(*) AS n FROM sessions WHERE user_id IS NOT NULL", vec![]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.try_get::<i64>("", "n").unwrap(), 0, "logout deletes the server-side session");
}

#[tokio::test]
async fn next_parameter_cannot_redirect_off_site() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    let csrf = app.csrf(&c, "/login").await;
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", "ana@example.org"),
            ("password", PW),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/account");
}

#[tokio::test]
async fn a_totp_code_cannot_be_used_twice() {
    let app = TestApp::spawn().await;
    let (_, secret) = app.user("officer@example.org", Role::Police).await;
    let secret = secret.unwrap();
    let code = totp::current_code(&secret).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let c = app.client();
        let csrf = app.csrf(&c, "/login").await;
        c.post(app.url("/login"))
            .form(&[("csrf_token", csrf.as_str()), ("email", "officer@example.org"), ("password", PW)])
            .send()
            .await
            .unwrap();
        let csrf = app.csrf(&c, "/login/mfa").await;
        let r = c
            .post(app.url("/login/mfa"))
            .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, vec![303, 401], "the second use of the same code is refused");
}
