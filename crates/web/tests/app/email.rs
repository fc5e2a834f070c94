//! E-mail through a real local SMTP server, the outbox without SMTP, invitations and password resets.

use crate::support::*;
use commonbeat_domain::Role;
use commonbeat_store::repo::outbox;

#[tokio::test]
async fn invitation_is_delivered_over_smtp_and_its_link_works_once() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url)).await;
    let (_, admin) = app.user("admin@example.org", Role::Admin).await;
    let c = app.client();
    app.login(&c, "admin@example.org", admin.as_deref()).await;
    let r = app
        .post_form(
            &c,
            "/admin/users",
            "/admin/users",
            &[("name", "Rosa Vega"), ("email", "rosa@example.org"), ("role", "community")],
        )
        .await;
    assert_eq!(r.status(), 200);

    let mails = sink.wait_for(1).await;
    assert!(mails[0].contains("To: rosa@example.org"), "{}", mails[0]);
    let link = find_link(&mails[0], &app.url("/invite/")).expect("invitation link in the e-mail");
    // Delivery is recorded.
    for _ in 0..100 {
        if outbox::list(&app.db, app.jid, 10).await.unwrap()[0].status == outbox::SENT {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(outbox::list(&app.db, app.jid, 10).await.unwrap()[0].status, outbox::SENT);

    let rosa = app.client();
    let page = rosa.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csrf = extract_csrf(&page.text().await.unwrap()).unwrap();
    let weak = rosa
        .post(&link)
        .form(&[("csrf_token", csrf.as_str()), ("name", "Rosa Vega"), ("new_password", "rosarosarosa")])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422, "policy applies to invitations");
    let ok = rosa
        .post(&link)
        .form(&[("csrf_token", csrf.as_str()), ("name", "Rosa Vega"), ("new_password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let again = rosa
        .post(&link)
        .form(&[("csrf_token", csrf.as_str()), ("name", "Rosa Vega"), ("new_password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410, "single use");
    app.login(&rosa, "rosa@example.org", None).await;
}

#[tokio::test]
async fn without_smtp_mail_is_held_in_the_outbox_for_admins() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.user("admin@example.org", Role::Admin).await;
    app.user("ana@example.org", Role::Community).await;
    let anon = app.client();
    let r = app.post_form(&anon, "/password/forgot", "/password/forgot", &[("email", "ana@example.org")]).await;
    assert_eq!(r.status(), 200);
    let unknown =
        app.post_form(&anon, "/password/forgot", "/password/forgot", &[("email", "nobody@example.org")]).await;
    assert_eq!(unknown.status(), 200, "same answer for unknown addresses");
    let held = outbox::list(&app.db, app.jid, 10).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].status, outbox::HELD);

    let c = app.client();
    app.login(&c, "admin@example.org", admin.as_deref()).await;
    let list = c.get(app.url("/admin/outbox")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("ana@example.org") && list.contains("Held (no SMTP server)"));
    let one = c.get(app.url(&format!("/admin/outbox/{}", held[0].id))).send().await.unwrap().text().await.unwrap();
    assert!(one.contains("/password/reset/"));
}

#[tokio::test]
async fn password_reset_link_sets_a_new_password_once() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Community).await;
    let c = app.client();
    app.post_form(&c, "/password/forgot", "/password/forgot", &[("email", "ana@example.org")]).await;
    let msg = &outbox::list(&app.db, app.jid, 1).await.unwrap()[0];
    let link = find_link(&msg.body_text, &app.url("/password/reset/")).unwrap();
    let csrf = extract_csrf(&c.get(&link).send().await.unwrap().text().await.unwrap()).unwrap();
    let r = c
        .post(&link)
        .form(&[("csrf_token", csrf.as_str()), ("new_password", "fresh quiet harbor lights")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(c.get(&link).send().await.unwrap().status(), 410);
    // The new password works.
    let csrf = app.csrf(&c, "/login").await;
    let r = c
        .post(app.url("/login"))
        .form(&[("csrf_token", csrf.as_str()), ("email", "ana@example.org"), ("password", "fresh quiet harbor lights")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}
