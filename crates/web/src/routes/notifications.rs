//! A member's notification preferences (immediate, daily digest or off, per category), their private calendar
//! feed, and one-click unsubscribe links from e-mails (RFC 8058: the link's secret key is the credential, so it
//! works without signing in, from a mail program's POST as well as from the page).

use super::pages::{Shell, render};
use super::{capability, guarded};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::notify::{CATEGORIES, MODES};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use commonbeat_store::repo::notify;
use serde_json::json;

/// Notification routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notifications", guarded(get(prefs_page).post(save_prefs)))
        .route("/account/calendar-feed", guarded(post(new_feed)))
        .route("/unsubscribe/{key}/{category}", capability(get(unsubscribe_page).post(unsubscribe)))
}

/// One category row on the preferences page.
pub struct PrefRow {
    category: String,
    label: String,
    mode: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct PrefsPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    rows: Vec<PrefRow>,
    modes: Vec<(String, String)>,
    feed_url: Option<String>,
    has_feed: bool,
}

async fn prefs_render(
    state: &AppState,
    ctx: &Ctx,
    notice: Option<String>,
    feed_url: Option<String>,
) -> AppResult<Response> {
    let u = ctx.require_user()?;
    let t = ctx.tr();
    let chosen = notify::prefs(&state.db, ctx.jid(), u.id).await?;
    let keys = notify::keys(&state.db, ctx.jid(), u.id).await?;
    render(&PrefsPage {
        shell: Shell::new(ctx, "notifications-title"),
        error: None,
        notice,
        rows: CATEGORIES
            .iter()
            .map(|c| PrefRow {
                category: c.to_string(),
                label: t.t(&format!("notify-category-{c}")),
                mode: chosen.iter().find(|(k, _)| k == c).map(|(_, m)| m.clone()).unwrap_or_else(|| "immediate".into()),
            })
            .collect(),
        modes: MODES.iter().map(|m| (m.to_string(), t.t(&format!("notify-mode-{m}")))).collect(),
        feed_url,
        has_feed: keys.feed_token_hash.is_some(),
    })
}

async fn prefs_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    prefs_render(&state, &ctx, None, None).await
}

async fn save_prefs(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    for c in CATEGORIES {
        if let Some((_, mode)) = pairs.iter().find(|(k, _)| k == c) {
            if !MODES.contains(&mode.as_str()) {
                return Err(AppError::invalid(c, "immediate, digest or off"));
            }
            notify::set_pref(&state.db, ctx.jid(), u.id, c, mode).await?;
        }
    }
    ctx.audit(&state, "notifications.update", &format!("user:{}", u.id), "success", json!({})).await?;
    prefs_render(&state, &ctx, Some(ctx.tr().t("notifications-saved")), None).await
}

/// Issues a new private calendar feed URL (the old one stops working) and shows it once.
async fn new_feed(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let token = notify::new_feed_token(&state.db, ctx.jid(), u.id).await?;
    ctx.audit(&state, "calendar_feed.issue", &format!("user:{}", u.id), "success", json!({})).await?;
    let url = format!("{}/calendar/{token}.ics", state.config.public_url);
    prefs_render(&state, &ctx, Some(ctx.tr().t("calendar-feed-issued")), Some(url)).await
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    action: String,
    category: String,
    done: bool,
}

fn known(category: &str) -> AppResult<()> {
    if CATEGORIES.contains(&category) || category == "digest" { Ok(()) } else { Err(AppError::NotFound) }
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((key, category)): Path<(String, String)>,
) -> AppResult<Response> {
    known(&category)?;
    let (jid, _) = notify::by_unsubscribe_key(&state.db, &key).await.map_err(|_| AppError::NotFound)?;
    if jid != ctx.jid() {
        return Err(AppError::NotFound);
    }
    let t = ctx.tr();
    render(&UnsubscribePage {
        shell: Shell::new(&ctx, "unsubscribe-title"),
        error: None,
        notice: None,
        action: format!("/unsubscribe/{key}/{category}"),
        category: t.t(&format!("notify-category-{category}")),
        done: false,
    })
}

/// Turns the category off (for `digest`: every category delivered by digest). Works for a mail program's
/// one-click POST and for the page's button.
async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((key, category)): Path<(String, String)>,
) -> AppResult<Response> {
    known(&category)?;
    let (jid, user_id) = notify::by_unsubscribe_key(&state.db, &key).await.map_err(|_| AppError::NotFound)?;
    if jid != ctx.jid() {
        return Err(AppError::NotFound);
    }
    let targets: Vec<String> = if category == "digest" {
        notify::prefs(&state.db, jid, user_id)
            .await?
            .into_iter()
            .filter(|(_, m)| m == "digest")
            .map(|(c, _)| c)
            .collect()
    } else {
        vec![category.clone()]
    };
    for c in &targets {
        notify::set_pref(&state.db, jid, user_id, c, "off").await?;
    }
    commonbeat_store::repo::audit::append(
        &state.db,
        jid,
        commonbeat_store::repo::audit::AuditEvent {
            actor_id: Some(user_id),
            actor: format!("user:{user_id}"),
            action: "notifications.unsubscribe".into(),
            object: format!("user:{user_id}"),
            outcome: "success".into(),
            source: "unsubscribe-link".into(),
            details: json!({"categories": targets}).to_string(),
        },
    )
    .await?;
    let t = ctx.tr();
    render(&UnsubscribePage {
        shell: Shell::new(&ctx, "unsubscribe-title"),
        error: None,
        notice: Some(t.t("unsubscribe-done")),
        action: String::new(),
        category: t.t(&format!("notify-category-{category}")),
        done: true,
    })
}
