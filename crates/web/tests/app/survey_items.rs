//! Editing an instrument's items in place (issue 8): analysts move items up and down and change an item's texts
//! and choices; a fielded version stays frozen (the edit is a new version); a bad index or direction is a clear
//! 422; community members and anonymous visitors cannot reorder or edit.

use crate::support::*;
use crate::surveys::{analyst, fielded, neighbourhoods};
use commonbeat_domain::Role;
use commonbeat_domain::survey::Instrument;
use commonbeat_store::repo::surveys;

async fn items(app: &TestApp, id: i64) -> Vec<String> {
    let s = surveys::by_id(&app.db, app.jid, id).await.unwrap();
    let v = surveys::current_version(&app.db, app.jid, &s).await.unwrap();
    Instrument::from_json(&v.instrument).unwrap().items.into_iter().map(|i| i.id).collect()
}

async fn current(app: &TestApp, id: i64) -> Instrument {
    let s = surveys::by_id(&app.db, app.jid, id).await.unwrap();
    Instrument::from_json(&surveys::current_version(&app.db, app.jid, &s).await.unwrap().instrument).unwrap()
}

#[tokio::test]
async fn analysts_reorder_items_with_buttons_and_bad_moves_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let c = analyst(&app).await;
    let r = app.post_form(&c, "/surveys", "/surveys", &[("template", "trust_safety"), ("title", "")]).await;
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let path = format!("/surveys/{id}");
    let before = items(&app, id).await;
    assert_eq!(&before[..2], &["safe_day", "safe_night"]);

    // Every row but the first has a "Move up" button and every row but the last a "Move down" one.
    let page = c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("name=\"direction\" value=\"up\"").count(), before.len() - 1);
    assert_eq!(page.matches("name=\"direction\" value=\"down\"").count(), before.len() - 1);
    assert!(page.contains(&format!("href=\"{path}/items/respect/edit\"")));

    let moved = |index: &'static str, dir: &'static str| {
        let (c, app, path) = (&c, &app, &path);
        async move { app.post_form(c, path, &format!("{path}/items/move"), &[("index", index), ("direction", dir)]).await }
    };
    let r = moved("1", "up").await;
    assert_eq!(r.status(), 200);
    let after = items(&app, id).await;
    assert_eq!(&after[..2], &["safe_night", "safe_day"]);
    let r = moved("0", "down").await;
    assert_eq!(r.status(), 200);
    let last = (before.len() - 1).to_string();
    let r = moved("2", "down").await;
    assert_eq!(r.status(), 200);
    assert_eq!(&items(&app, id).await[2..4], &["listen", "respect"]);
    let s = surveys::by_id(&app.db, app.jid, id).await.unwrap();
    assert_eq!(s.current_version, 1, "a draft is reordered in place");

    // Bad indexes and directions: 422 with a message that says what is wrong, and nothing moves.
    let order = items(&app, id).await;
    let r = moved("99", "up").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("There is no question") && body.contains("100"), "{body}");
    let r = moved("first", "up").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("There is no question"));
    let r = moved("0", "up").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("already the first"));
    let r = app.post_form(&c, &path, &format!("{path}/items/move"), &[("index", &last), ("direction", "down")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("already the last"));
    let r = moved("1", "left").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("up or down"));
    assert_eq!(items(&app, id).await, order);

    // In Spanish too.
    let r =
        app.post_form(&c, &path, &format!("{path}/items/move?lang=es"), &[("index", "0"), ("direction", "up")]).await;
    assert_eq!(r.status(), 422);

    // Community members and anonymous visitors cannot reorder or edit.
    app.user("resident@example.org", Role::Community).await;
    let resident = app.client();
    app.login(&resident, "resident@example.org", None).await;
    let csrf = app.csrf(&resident, "/account").await;
    let r = resident
        .post(app.url(&format!("{path}/items/move")))
        .form(&[("csrf_token", csrf.as_str()), ("index", "1"), ("direction", "up")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = resident
        .post(app.url(&format!("{path}/items/respect/edit")))
        .form(&[("csrf_token", csrf.as_str()), ("en", "x"), ("es", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(resident.get(app.url(&format!("{path}/items/respect/edit"))).send().await.unwrap().status(), 403);
    let anon = app.client();
    let csrf = app.csrf(&anon, "/login").await;
    let r = anon
        .post(app.url(&format!("{path}/items/move")))
        .form(&[("csrf_token", csrf.as_str()), ("index", "1"), ("direction", "up")])
        .send()
        .await
        .unwrap();
    assert!(r.status() == 401 || r.status() == 403 || r.status().is_redirection(), "{}", r.status());
    // Without the CSRF token even an analyst is refused.
    let r = c.post(app.url(&format!("{path}/items/move"))).form(&[("index", "1"), ("direction", "up")]).send().await;
    assert_eq!(r.unwrap().status(), 403);
    assert_eq!(items(&app, id).await, order);
}

#[tokio::test]
async fn analysts_edit_texts_and_choices_in_place_and_a_fielded_version_stays_frozen() {
    let app = TestApp::spawn().await;
    let areas = neighbourhoods(&app).await;
    let c = analyst(&app).await;
    let r = app.post_form(&c, "/surveys", "/surveys", &[("template", "custom"), ("title", "Park safety")]).await;
    let id: i64 = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let path = format!("/surveys/{id}");
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/items"),
            &[
                ("id", "lights"),
                ("kind", "single"),
                ("en", "Lights work?"),
                ("es", "¿Funcionan las luces?"),
                ("choices", "yes | Yes | Sí\nno | No | No"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let edit = format!("{path}/items/lights/edit");
    let page = c.get(app.url(&edit)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"Lights work?\"") && page.contains("yes | Yes | Sí"), "the form is filled in");

    // A draft is edited in place.
    let r = app
        .post_form(
            &c,
            &edit,
            &edit,
            &[
                ("en", "Do the street lights work?"),
                ("es", "¿Funcionan las luces de la calle?"),
                ("choices", "yes | Yes | Sí\nsome | Some of them | Algunas\nno | No | No"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let inst = current(&app, id).await;
    let it = inst.items.iter().find(|i| i.id == "lights").unwrap();
    assert_eq!(it.en, "Do the street lights work?");
    assert_eq!(it.es, "¿Funcionan las luces de la calle?");
    assert_eq!(it.choices.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["yes", "some", "no"]);
    assert_eq!(surveys::by_id(&app.db, app.jid, id).await.unwrap().current_version, 1);

    // A missing Spanish text is refused on the edit page, keeping what was typed.
    let r =
        app.post_form(&c, &edit, &edit, &[("en", "Kept text"), ("es", " "), ("choices", "a | A | A\nb | B | B")]).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("value=\"Kept text\"") && body.contains("es:"), "{body}");
    assert_eq!(current(&app, id).await, inst, "nothing saved");
    assert_eq!(c.get(app.url(&format!("{path}/items/nope/edit"))).send().await.unwrap().status(), 404);

    // Once fielded, an edit or a move makes version 2 and the wave keeps version 1.
    let a = areas[0].to_string();
    let r = app
        .post_form(
            &c,
            &path,
            &format!("{path}/waves"),
            &[
                ("name", "W1"),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-01-31"),
                ("target_sample", "50"),
                ("areas", &a),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form(
            &c,
            &edit,
            &edit,
            &[
                ("en", "Street lights work?"),
                ("es", "¿Funcionan las luces?"),
                ("choices", "yes | Yes | Sí\nno | No | No"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("version 2"));
    assert_eq!(surveys::by_id(&app.db, app.jid, id).await.unwrap().current_version, 2);
    let w = surveys::waves(&app.db, app.jid, id).await.unwrap().pop().unwrap();
    let v1 = surveys::version_by_id(&app.db, app.jid, w.version_id).await.unwrap();
    assert!(v1.instrument.contains("Do the street lights work?") && !v1.instrument.contains("Street lights work?"));
    let lights = |i: &Instrument| i.items.iter().position(|x| x.id == "lights").unwrap();
    let inst = current(&app, id).await;
    assert_eq!(inst.items[lights(&inst)].en, "Street lights work?");
    assert_eq!(lights(&inst), 1, "after the demographics block");
    // Version 2 is not fielded yet, so a move now changes it in place.
    let r = app.post_form(&c, &path, &format!("{path}/items/move"), &[("index", "1"), ("direction", "up")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(lights(&current(&app, id).await), 0);
    assert_eq!(surveys::by_id(&app.db, app.jid, id).await.unwrap().current_version, 2);
    // Moving an item of a fielded version makes a new version too.
    let (sid, _, _) = fielded(&app, &c, &areas).await;
    let p2 = format!("/surveys/{sid}");
    let r = app.post_form(&c, &p2, &format!("{p2}/items/move"), &[("index", "0"), ("direction", "down")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(surveys::by_id(&app.db, app.jid, sid).await.unwrap().current_version, 2, "moving a fielded item too");
    assert_eq!(&items(&app, sid).await[..2], &["safe_night", "safe_day"]);
}
