//! Health API: the department's partnerships with their latest signals and open alerts (police and
//! administrators), and one partnership's signals, trend and alerts (its members and department staff).

use super::{require_department, signals_of};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use axum::Json;
use axum::extract::{Path, State};
use commonbeat_store::entities::health_alert;
use commonbeat_store::repo::health as repo;
use commonbeat_store::repo::partnerships;
use serde::Serialize;
use std::collections::BTreeMap;

/// One signal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignalOut {
    /// Signal id (`meetings`, `community_attendance`, `attendance_balance`, `promises_kept`, `decisions`,
    /// `problems`, `leadership`, `representation`, `churn`, `reports`, `trust`).
    pub key: String,
    /// `no_data`, `ok`, `watch` or `alert`.
    pub level: String,
    /// Headline value (unit by signal).
    pub value: Option<f64>,
    /// The numbers behind it.
    pub measures: BTreeMap<String, f64>,
    /// Suggested next step id at watch or alert.
    pub suggestion: Option<String>,
}

/// An alert.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertOut {
    /// Id.
    pub id: i64,
    /// Signal id.
    pub signal: String,
    /// Suggested next step id.
    pub suggestion: String,
    /// The numbers when raised (kept up to date while open).
    pub measures: BTreeMap<String, f64>,
    /// Raised (Unix seconds).
    pub opened_at: i64,
    /// Resolved (Unix seconds), when the signal recovered.
    pub resolved_at: Option<i64>,
    /// What was done, when recorded.
    pub action_note: Option<String>,
}

/// A partnership's health.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthOut {
    /// Partnership slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Partnership status.
    pub status: String,
    /// Worst level (`no_data` when not computed yet).
    pub level: String,
    /// Day of the snapshot (ISO date).
    pub day: Option<String>,
    /// Signals.
    pub signals: Vec<SignalOut>,
    /// Alerts (open ones in the department list; all in the partnership's).
    pub alerts: Vec<AlertOut>,
    /// Worst level on the sampled days of the last year: (day, level).
    pub trend: Vec<(String, String)>,
}

fn alert_out(a: &health_alert::Model) -> AlertOut {
    AlertOut {
        id: a.id,
        signal: a.signal.clone(),
        suggestion: a.suggestion.clone(),
        measures: serde_json::from_str(&a.measures).unwrap_or_default(),
        opened_at: a.opened_at,
        resolved_at: a.resolved_at,
        action_note: a.action_at.map(|_| a.action_note.clone()),
    }
}

fn health_out(
    p: &commonbeat_store::entities::partnership::Model,
    hist: Option<&Vec<commonbeat_store::entities::health_snapshot::Model>>,
    alerts: Vec<AlertOut>,
) -> HealthOut {
    let last = hist.and_then(|h| h.last());
    HealthOut {
        slug: p.slug.clone(),
        name: p.name.clone(),
        status: p.status.clone(),
        level: last.map(|s| s.level.clone()).unwrap_or_else(|| "no_data".into()),
        day: last.map(|s| s.day.clone()),
        signals: last
            .map(signals_of)
            .unwrap_or_default()
            .into_iter()
            .map(|s| SignalOut {
                key: s.key.as_str().into(),
                level: s.level.as_str().into(),
                value: s.value,
                measures: s.measures,
                suggestion: s.suggestion.map(|x| x.as_str().into()),
            })
            .collect(),
        alerts,
        trend: hist.map(|h| h.iter().map(|s| (s.day.clone(), s.level.clone())).collect()).unwrap_or_default(),
    }
}

/// Every partnership's health (police and administrators).
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, body = [HealthOut]), (status = 401, body = crate::routes::api::ApiError), (status = 403, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn department(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<HealthOut>>> {
    require_department(&ctx)?;
    let jid = ctx.jid();
    let snaps = super::department::latest(&state, jid, &ctx.jurisdiction.time_zone).await?;
    let open = repo::alerts(&state.db, jid, true).await?;
    let all = partnerships::list(&state.db, jid, &Default::default()).await?;
    Ok(Json(
        all.iter()
            .map(|p| {
                let alerts = open.iter().filter(|a| a.partnership_id == p.id).map(alert_out).collect();
                health_out(p, snaps.get(&p.id), alerts)
            })
            .collect(),
    ))
}

/// One partnership's health (its members, co-chairs and department staff).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/health", tag = "health",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = HealthOut), (status = 401, body = crate::routes::api::ApiError), (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<HealthOut>> {
    let a = super::partnership::access(&state, &ctx, &slug).await?;
    let today = crate::sustain::local_date(&ctx.jurisdiction.time_zone, commonbeat_store::now());
    let days = super::department::trend_days(today);
    let hist: Vec<_> = repo::history(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .into_iter()
        .filter(|s| days.contains(&s.day))
        .collect();
    let alerts = repo::alerts_of(&state.db, ctx.jid(), a.partnership.id).await?.iter().map(alert_out).collect();
    Ok(Json(health_out(&a.partnership, Some(&hist), alerts)))
}

/// The health part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(department, partnership),
    components(schemas(HealthOut, SignalOut, AlertOut)),
    tags((name = "health", description = "Sustaining partnerships: health signals, trends and alerts (department staff and members; never public)"))
)]
pub struct HealthApi;
