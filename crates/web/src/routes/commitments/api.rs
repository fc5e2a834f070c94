//! Commitments in the JSON API: list (with the promises-kept rate per side), record, report progress.

use super::{CommitmentForm, ProgressForm, WINDOW_DAYS, facts, kept_rate, load, record, report, today, visible_to};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::partnerships::access::Access;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonbeat_domain::Side;
use commonbeat_domain::commitment::{KeptRate, Outcome};
use commonbeat_store::entities::commitment;
use commonbeat_store::repo::commitments;
use serde::Serialize;

/// A commitment as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommitmentOut {
    /// Id.
    pub id: i64,
    /// What was promised.
    pub title: String,
    /// Owner's side (`police`, `community`) or none for an organisation.
    pub owner_side: Option<String>,
    /// Owning organisation (empty for a member).
    pub owner_org: String,
    /// Due date.
    pub due_on: String,
    /// `open`, `in_progress`, `done`, `dropped`.
    pub status: String,
    /// `kept`, `kept_late`, `dropped`, `open`, `overdue`.
    pub outcome: String,
    /// Completion date.
    pub completed_on: Option<String>,
    /// Why it was dropped.
    pub drop_reason: String,
    /// The meeting it came from.
    pub meeting_id: Option<i64>,
    /// Date it was made.
    pub created_on: String,
}

/// The promises-kept rate of one side (or all).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RateOut {
    /// `police`, `community` or `all`.
    pub side: String,
    /// Commitments due in the window.
    pub due: u32,
    /// Done on time.
    pub kept_on_time: u32,
    /// Done late.
    pub kept_late: u32,
    /// Dropped.
    pub dropped: u32,
    /// Still open past the due date.
    pub still_open: u32,
    /// kept_on_time ÷ due.
    pub rate: Option<f64>,
    /// 95 % Wilson interval, low.
    pub low: Option<f64>,
    /// 95 % Wilson interval, high.
    pub high: Option<f64>,
}

/// Commitments and rates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommitmentsOut {
    /// Window of the rates, in days (ending yesterday).
    pub window_days: u32,
    /// Rates per side and for all.
    pub rates: Vec<RateOut>,
    /// Commitments (public ones, or all for members).
    pub commitments: Vec<CommitmentOut>,
}

fn rate(side: &str, r: KeptRate) -> RateOut {
    RateOut {
        side: side.into(),
        due: r.due,
        kept_on_time: r.kept_on_time,
        kept_late: r.kept_late,
        dropped: r.dropped,
        still_open: r.still_open,
        rate: r.rate,
        low: r.wilson_95.map(|x| x.0),
        high: r.wilson_95.map(|x| x.1),
    }
}

fn out(c: &commitment::Model, today: jiff::civil::Date) -> CommitmentOut {
    CommitmentOut {
        id: c.id,
        title: c.title.clone(),
        owner_side: c.owner_side.clone(),
        owner_org: c.owner_org.clone(),
        due_on: c.due_on.clone(),
        status: c.status.clone(),
        outcome: facts(c).map(|f| Outcome::of(&f, today).as_str().to_string()).unwrap_or_default(),
        completed_on: c.completed_on.clone(),
        drop_reason: c.drop_reason.clone(),
        meeting_id: c.meeting_id,
        created_on: c.created_on.clone(),
    }
}

/// A partnership's commitments with the promises-kept rate per side ("we said / we did").
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/commitments", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = CommitmentsOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<CommitmentsOut>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let all = commitments::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    let visible: Vec<&commitment::Model> = all.iter().filter(|c| visible_to(&a, c)).collect();
    let today = today(&ctx.jurisdiction.time_zone);
    let f: Vec<_> = visible.iter().filter_map(|c| facts(c)).collect();
    Ok(Json(CommitmentsOut {
        window_days: WINDOW_DAYS,
        rates: vec![
            rate("police", kept_rate(&f, Some(Side::Police), today)),
            rate("community", kept_rate(&f, Some(Side::Community), today)),
            rate("all", kept_rate(&f, None, today)),
        ],
        commitments: visible.iter().map(|c| out(c, today)).collect(),
    }))
}

/// Records a commitment (co-chairs and administrators). Give `owner_user_id` (an active member) or `owner_org`.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/commitments", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug")),
    request_body = CommitmentForm,
    responses((status = 201, body = CommitmentOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(f): Json<CommitmentForm>,
) -> AppResult<(StatusCode, Json<CommitmentOut>)> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    match record(&state, &ctx, &a, &f).await? {
        Ok(c) => Ok((StatusCode::CREATED, Json(out(&c, today(&ctx.jurisdiction.time_zone))))),
        Err(msg) => Err(AppError::invalid("commitment", msg)),
    }
}

/// Reports progress on a commitment (its owner, co-chairs, administrators); may change its status.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/commitments/{id}/progress", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Commitment id")),
    request_body = ProgressForm,
    responses((status = 200, body = CommitmentOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(f): Json<ProgressForm>,
) -> AppResult<Json<CommitmentOut>> {
    ctx.require_user()?;
    let (a, c) = load(&state, &ctx, &slug, id).await?;
    match report(&state, &ctx, &a, c, &f).await? {
        Ok(c) => Ok(Json(out(&c, today(&ctx.jurisdiction.time_zone)))),
        Err(msg) => Err(AppError::invalid("progress", msg)),
    }
}
