//! `/sustaining/settings` (administrators): the signal thresholds and who the community-policing coordinators are.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use crate::sustain::{COORDINATORS_KEY, THRESHOLDS_KEY};
use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::Role;
use commonbeat_domain::health::Thresholds;
use commonbeat_store::repo::users::role_of;
use commonbeat_store::repo::{settings, users};
use serde_json::json;

#[derive(Template)]
#[template(path = "sustaining/settings.html")]
struct Page {
    shell: Shell,
    thresholds: String,
    defaults: String,
    people: Vec<(i64, String, bool)>,
}

/// `GET /sustaining/settings`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let jid = ctx.jid();
    let current = crate::sustain::thresholds(&state.db, jid).await?;
    let named: Vec<i64> = settings::get(&state.db, jid, COORDINATORS_KEY)
        .await?
        .unwrap_or_default()
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    let people = users::list(&state.db, jid)
        .await?
        .into_iter()
        .filter(|u| matches!(role_of(u), Role::Police | Role::Admin) && !u.disabled)
        .map(|u| (u.id, u.name, named.contains(&u.id)))
        .collect();
    render(&Page {
        shell: Shell::new(&ctx, "health-settings-title"),
        thresholds: serde_json::to_string_pretty(&current).unwrap_or_default(),
        defaults: serde_json::to_string_pretty(&Thresholds::default()).unwrap_or_default(),
        people,
    })
}

/// `POST /sustaining/settings`: thresholds JSON (checked, the faulty field named) and coordinators.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let jid = ctx.jid();
    let raw = pairs.iter().find(|(k, _)| k == "thresholds").map(|(_, v)| v.trim()).unwrap_or("{}");
    let t = Thresholds::parse(if raw.is_empty() { "{}" } else { raw })
        .map_err(|e| AppError::invalid("thresholds", format!("{}: {}", e.field, e.reason)))?;
    let valid: Vec<i64> = users::list(&state.db, jid)
        .await?
        .into_iter()
        .filter(|u| matches!(role_of(u), Role::Police | Role::Admin))
        .map(|u| u.id)
        .collect();
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "coordinator")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .filter(|id| valid.contains(id))
        .map(|id| id.to_string())
        .collect();
    let json = serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()))?;
    settings::set(&state.db, jid, THRESHOLDS_KEY, &json).await?;
    settings::set(&state.db, jid, COORDINATORS_KEY, &chosen.join(",")).await?;
    ctx.audit(&state, "health.settings", "settings:health", "success", json!({"coordinators": chosen.len()})).await?;
    Ok(Redirect::to("/sustaining/settings?saved=1").into_response())
}
