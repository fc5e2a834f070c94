//! Administration pages: who may use them, invitations, roles, the audit log.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::audit;

#[tokio::test]
async fn only_admins_reach_admin_pages() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.user("admin@example.org", Role::Admin).await;
    let (_, police) = app.user("officer@example.org", Role::Police).await;
    app.user("ana@example.org", Role::Community).await;
    for path in ["/admin/users", "/admin/audit", "/admin/outbox"] {
        let anon = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(anon.status(), 303, "{path} anonymous → sign-in");
        assert!(anon.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    }
    for (email, secret, expect) in [
        ("ana@example.org", None, 403),
        ("officer@example.org", police.as_deref(), 403),
        ("admin@example.org", admin.as_deref(), 200),
    ] {
        let c = app.client();
        app.login(&c, email, secret).await;
        for path in ["/admin/users", "/admin/audit", "/admin/outbox"] {
            assert_eq!(c.get(app.url(path)).send().await.unwrap().status(), expect, "{email} {path}");
        }
    }
}

#[tokio::test]
async fn police_cannot_use_admin_actions_even_with_a_valid_csrf_token() {
    let app = TestApp::spawn().await;
    let (_, police) = app.user("officer@example.org", Role::Police).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    app.login(&c, "officer@example.org", police.as_deref()).await;
    let r = app.post_form(&c, "/account", &format!("/admin/users/{ana}/disable"), &[]).await;
    assert_eq!(r.status(), 403);
    let r = app.post_form(&c, "/account", &format!("/admin/users/{ana}/role"), &[("role", "admin")]).await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(&c, "/account", "/admin/users", &[("name", "X"), ("email", "x@example.org"), ("role", "admin")])
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn admin_invites_changes_roles_disables_and_every_write_is_audited() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.user("admin@example.org", Role::Admin).await;
    let (ana, _) = app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    app.login(&c, "admin@example.org", admin.as_deref()).await;

    let r = app
        .post_form(
            &c,
            "/admin/users",
            "/admin/users",
            &[("name", "Ben Ortiz"), ("email", "Ben@Example.org"), ("role", "police")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Invitation sent to ben@example.org"));
    let dup = app
        .post_form(
            &c,
            "/admin/users",
            "/admin/users",
            &[("name", "Ben"), ("email", "ben@example.org"), ("role", "police")],
        )
        .await;
    assert_eq!(dup.status(), 409);
    let bad = app
        .post_form(
            &c,
            "/admin/users",
            "/admin/users",
            &[("name", "Ben"), ("email", "not-an-email"), ("role", "police")],
        )
        .await;
    assert_eq!(bad.status(), 422);

    // Ana's session ends when her role changes or she is disabled.
    let ana_c = app.client();
    app.login(&ana_c, "ana@example.org", None).await;
    assert_eq!(
        app.post_form(&c, "/admin/users", &format!("/admin/users/{ana}/role"), &[("role", "police")]).await.status(),
        303
    );
    assert_eq!(ana_c.get(app.url("/account")).send().await.unwrap().status(), 303);
    assert_eq!(app.post_form(&c, "/admin/users", &format!("/admin/users/{ana}/disable"), &[]).await.status(), 303);
    let u = commonbeat_store::repo::users::by_id(&app.db, app.jid, ana).await.unwrap();
    assert!(u.disabled && u.role == "police");

    let (entries, _) = audit::list(&app.db, app.jid, &audit::AuditFilter::default(), 100, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for a in ["user.create", "user.role", "user.disable", "login"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    // Reading the audit log is itself audited.
    assert_eq!(c.get(app.url("/admin/audit?action=user.")).send().await.unwrap().status(), 200);
    let (reads, _) = audit::list(
        &app.db,
        app.jid,
        &audit::AuditFilter { action: Some("audit.read".into()), ..Default::default() },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(reads.len(), 1);
}

#[tokio::test]
async fn a_tampered_audit_entry_is_detected_and_named() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.user("admin@example.org", Role::Admin).await;
    let c = app.client();
    app.login(&c, "admin@example.org", admin.as_deref()).await;
    for _ in 0..3 {
        let _ = c.get(app.url("/admin/audit")).send().await.unwrap();
    }
    assert!(audit::verify(&app.db, app.jid).await.unwrap().is_ok());
    let (entries, _) = audit::list(&app.db, app.jid, &audit::AuditFilter::default(), 100, 0).await.unwrap();
    let victim = entries[entries.len() / 2].id;
    app.sql(&format!("UPDATE audit_log SET outcome = 'failure' WHERE id = {victim}")).await;
    let broken = audit::verify(&app.db, app.jid).await.unwrap().unwrap_err();
    assert_eq!(broken.id, victim);
    let page = c.get(app.url("/admin/audit")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("broken at entry {victim}")), "the admin page shows the break");
}
