//! Recruiting settings (administrators): who is recruiting staff, the pipeline's stages, and how long closed
//! candidates' files are kept; deleting files past retention now (the worker also does it hourly).

use super::{field, pipeline, staff_ids, stage_label};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::routes::pages::{Shell, render_status};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_domain::Role;
use commonbeat_domain::recruit::Pipeline;
use commonbeat_store::StoreError;
use commonbeat_store::repo::recruiting::{
    self, DEFAULT_RETENTION_DAYS, RETENTION_SETTING, STAFF_SETTING, STAGES_SETTING,
};
use commonbeat_store::repo::{jurisdictions, settings, users};
use serde_json::json;

/// The retention period of a jurisdiction, in days.
pub async fn retention_days(state: &AppState, jid: i64) -> AppResult<i64> {
    let v = settings::get(&state.db, jid, RETENTION_SETTING).await?.unwrap_or_default();
    Ok(v.trim().parse::<i64>().ok().filter(|d| *d >= 1).unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// Deletes, in every jurisdiction, candidates closed longer ago than its retention period (worker maintenance).
pub async fn purge_all(state: &AppState) -> Result<u64, StoreError> {
    let mut n = 0;
    for j in jurisdictions::list(&state.db).await? {
        let days = retention_days(state, j.id).await.unwrap_or(DEFAULT_RETENTION_DAYS);
        n += recruiting::purge_closed(&state.db, j.id, commonbeat_store::now() - days * 86_400).await?;
    }
    Ok(n)
}

#[derive(Template)]
#[template(path = "recruiting/settings.html")]
struct SettingsPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    police: Vec<(i64, String, bool)>,
    stages: String,
    stage_names: String,
    retention: i64,
}

async fn show(state: &AppState, ctx: &Ctx, error: Option<String>, notice: Option<String>) -> AppResult<Response> {
    let t = ctx.tr();
    let staff = staff_ids(state, ctx.jid()).await?;
    let police = users::list(&state.db, ctx.jid())
        .await?
        .into_iter()
        .filter(|u| users::role_of(u) == Role::Police && !u.disabled)
        .map(|u| (u.id, u.name.clone(), staff.contains(&u.id)))
        .collect();
    let p = pipeline(state, ctx.jid()).await?;
    let ids: Vec<&str> = p.stages().iter().map(|s| s.as_str()).collect();
    let names: Vec<String> = p.stages().iter().map(|s| stage_label(&t, s.as_str())).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &SettingsPage {
            shell: Shell::new(ctx, "recruit-settings-title"),
            error,
            notice,
            police,
            stages: ids.join(","),
            stage_names: names.join(" → "),
            retention: retention_days(state, ctx.jid()).await?,
        },
    )
}

/// `GET /recruiting/settings` (administrators).
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    show(&state, &ctx, None, None).await
}

/// `POST /recruiting/settings`: saves staff, stages and retention (administrators).
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let stages = field(&form, "stages");
    if !stages.is_empty() && Pipeline::from_ids(stages.split(',').map(str::trim)).is_err() {
        return show(&state, &ctx, Some(t.t("recruit-error-stages")), None).await;
    }
    let Some(days) = field(&form, "retention_days").parse::<i64>().ok().filter(|d| (30..=3650).contains(d)) else {
        return show(&state, &ctx, Some(t.t("recruit-error-retention")), None).await;
    };
    let police: Vec<i64> = users::list(&state.db, ctx.jid())
        .await?
        .into_iter()
        .filter(|u| users::role_of(u) == Role::Police)
        .map(|u| u.id)
        .collect();
    let staff: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "staff")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .filter(|id| police.contains(id))
        .map(|id| id.to_string())
        .collect();
    settings::set(&state.db, ctx.jid(), STAFF_SETTING, &staff.join(",")).await?;
    let clean: Vec<&str> = stages.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    settings::set(&state.db, ctx.jid(), STAGES_SETTING, &clean.join(",")).await?;
    settings::set(&state.db, ctx.jid(), RETENTION_SETTING, &days.to_string()).await?;
    ctx.audit(
        &state,
        "recruiting.settings",
        "settings:recruiting",
        "success",
        json!({"staff": staff, "stages": clean, "retention_days": days}),
    )
    .await?;
    show(&state, &ctx, None, Some(t.t("recruit-settings-saved"))).await
}

/// `POST /recruiting/settings/purge`: deletes closed files past retention now (administrators).
pub async fn purge(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let days = retention_days(&state, ctx.jid()).await?;
    let n = recruiting::purge_closed(&state.db, ctx.jid(), commonbeat_store::now() - days * 86_400).await?;
    ctx.audit(&state, "recruiting.purge", "recruit_candidates", "success", json!({"deleted": n, "days": days})).await?;
    show(&state, &ctx, None, Some(ctx.tr().t1("recruit-purged", "count", &n.to_string()))).await
}
