//! Problems in the JSON API: list, record, read one (with its history, strategies and assessment summary),
//! change stage, set or clear the drawn location, run the assessment.

use super::assess::{AssessForm, assess};
use super::edit::{StageForm, change_stage};
use super::location;
use super::show::assessment_of;
use super::{ProblemForm, load, record, visible_to};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::privacy::PUBLIC_MIN_COUNT;
use crate::error::{AppError, AppResult};
use crate::routes::partnerships::access::Access;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonbeat_store::entities::problem;
use commonbeat_store::repo::problems;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A problem as the API lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemOut {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Category key or `non_crime`.
    pub category: String,
    /// Goals served.
    pub goals: Vec<String>,
    /// `scanning`, `analysis`, `response`, `assessment`, `closed`.
    pub stage: String,
    /// `high`, `medium`, `low`.
    pub priority: String,
    /// Where it came from.
    pub source: String,
    /// The area, if any.
    pub area_id: Option<i64>,
    /// The named place.
    pub place: String,
    /// `solved`, `reduced`, `displaced`, `no_effect`, once assessed.
    pub verdict: Option<String>,
    /// Shown on the public pages.
    pub is_public: bool,
}

/// A stage change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventOut {
    /// From (empty for creation).
    pub from: String,
    /// To.
    pub to: String,
    /// The note.
    pub note: String,
    /// Unix seconds.
    pub at: i64,
}

/// A response strategy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StrategyOut {
    /// What is done.
    pub title: String,
    /// `police`, `community`, `both`.
    pub owner_side: String,
    /// The community contact (members only; empty for the public).
    pub contact: String,
    /// Partner organisations.
    pub partners: String,
    /// Start.
    pub starts_on: String,
    /// End (may be empty).
    pub ends_on: String,
}

/// One problem in full.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDetail {
    /// The problem.
    #[serde(flatten)]
    pub problem: ProblemOut,
    /// Description.
    pub description: String,
    /// The analysis triangle with its controllers (members only; empty for the public).
    pub triangle: Value,
    /// Stage history.
    pub events: Vec<EventOut>,
    /// Response strategies.
    pub strategies: Vec<StrategyOut>,
    /// The stored assessment (inputs, counts, measures, suggested verdict); public counts under 3 are null.
    pub assessment: Value,
    /// Narrative of the assessment.
    pub narrative: String,
    /// Lessons learned.
    pub lessons: String,
    /// The drawn location as a GeoJSON Polygon (members and managers only; null for the public or when none
    /// is drawn).
    #[schema(value_type = Option<Object>)]
    pub polygon: Option<Value>,
    /// What the public sees of the drawn location: its bounding box widened to the 250 m grid, as a GeoJSON
    /// Polygon (null when none is drawn).
    #[schema(value_type = Option<Object>)]
    pub polygon_public_box: Option<Value>,
}

/// Sets or clears a problem's drawn location.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LocationBody {
    /// A GeoJSON Polygon (one ring of `[lon, lat]` positions, no holes; closed or not): at least 3 distinct
    /// vertices, at most 200, not crossing itself, at most 5 km², inside the jurisdiction. `null` clears it.
    #[schema(value_type = Option<Object>)]
    pub polygon: Option<Value>,
}

fn out(p: &problem::Model) -> ProblemOut {
    ProblemOut {
        id: p.id,
        title: p.title.clone(),
        category: p.category.clone(),
        goals: p.goals.split(',').filter(|g| !g.is_empty()).map(String::from).collect(),
        stage: p.stage.clone(),
        priority: p.priority.clone(),
        source: p.source.clone(),
        area_id: p.area_id,
        place: p.place.clone(),
        verdict: p.verdict.clone(),
        is_public: p.is_public,
    }
}

/// Nulls counts under the public minimum anywhere in the assessment's `result.counts`.
fn public_assessment(mut v: Value) -> Value {
    if let Some(counts) = v.pointer_mut("/result/counts").and_then(Value::as_object_mut) {
        for region in counts.values_mut() {
            if let Some(ba) = region.as_object_mut() {
                for n in ba.values_mut() {
                    if n.as_u64().is_some_and(|x| x < PUBLIC_MIN_COUNT) {
                        *n = Value::Null;
                    }
                }
            }
        }
    }
    v
}

/// A partnership's problems (public ones, or all for members).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/problems", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = [ProblemOut]), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<ProblemOut>>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let all = problems::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    Ok(Json(all.iter().filter(|p| visible_to(&a, p)).map(out).collect()))
}

/// Records a problem in Scanning (co-chairs and administrators). Beyond the active limit give `decision_id`, a
/// closed decision of the partnership.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/problems", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug")),
    request_body = ProblemForm,
    responses((status = 201, body = ProblemOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(f): Json<ProblemForm>,
) -> AppResult<(StatusCode, Json<ProblemOut>)> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    match record(&state, &ctx, &a, &f).await? {
        Ok(p) => Ok((StatusCode::CREATED, Json(out(&p)))),
        Err((field, msg)) => Err(AppError::invalid(field, msg)),
    }
}

/// One problem with its history, strategies and assessment.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/problems/{id}", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Problem id")),
    responses((status = 200, body = ProblemDetail), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Json<ProblemDetail>> {
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    Ok(Json(detail(&state, &a, &p).await?))
}

async fn detail(state: &AppState, a: &Access, p: &problem::Model) -> AppResult<ProblemDetail> {
    let public = !a.sees_members();
    let events = problems::events(&state.db, p.id)
        .await?
        .into_iter()
        .map(|e| EventOut { from: e.from_stage, to: e.to_stage, note: e.note, at: e.created_at })
        .collect();
    let strategies = problems::strategies(&state.db, p.id)
        .await?
        .into_iter()
        .map(|s| StrategyOut {
            title: s.title,
            owner_side: s.owner_side,
            contact: if public { String::new() } else { s.contact },
            partners: s.partners,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
        })
        .collect();
    let assessment = assessment_of(p);
    let drawn = location::polygon_of(p);
    Ok(ProblemDetail {
        problem: out(p),
        description: p.description.clone(),
        triangle: if public {
            json!({})
        } else {
            json!({"offender": p.offender, "target": p.victim, "place": p.place_factor,
                   "handler": p.handler, "guardian": p.guardian, "manager": p.manager,
                   "questions": p.questions, "sources": p.sources})
        },
        events,
        strategies,
        assessment: if public { public_assessment(assessment) } else { assessment },
        narrative: p.narrative.clone(),
        lessons: p.lessons.clone(),
        polygon: drawn.as_ref().filter(|_| !public).map(location::polygon_geojson),
        polygon_public_box: drawn.as_ref().map(location::public_box),
    })
}

/// Moves a problem to another stage with a note (co-chairs). Forward one stage at a time, back to any earlier
/// stage, closed from any stage; each stage needs its work done (see the 422's field and message).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/problems/{id}/stage", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Problem id")),
    request_body = StageForm,
    responses((status = 200, body = ProblemDetail), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(f): Json<StageForm>,
) -> AppResult<Json<ProblemDetail>> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    match change_stage(&state, &ctx, &a, &p, &f).await? {
        Ok(p) => Ok(Json(detail(&state, &a, &p).await?)),
        Err((field, msg)) => Err(AppError::invalid(field, msg)),
    }
}

/// Runs the before/after assessment of a problem's response (co-chairs): ring buffer around the problem's
/// point (or a buffer area), a control area (suggested when empty), before/after periods.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/problems/{id}/assessment", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Problem id")),
    request_body = AssessForm,
    responses((status = 200, body = ProblemDetail), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_assess(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(f): Json<AssessForm>,
) -> AppResult<Json<ProblemDetail>> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    match assess(&state, &ctx, &a, &p, &f).await? {
        Ok(p) => Ok(Json(detail(&state, &a, &p).await?)),
        Err((field, msg)) => Err(AppError::invalid(field, msg)),
    }
}

/// Sets (a GeoJSON Polygon) or clears (`null`) a problem's drawn location: co-chairs, deputies, administrators
/// and the partnership's police members. The polygon is checked like the map form's; a refusal is a 422 naming
/// the field `polygon`.
#[utoipa::path(put, path = "/api/v1/partnerships/{slug}/problems/{id}/location", tag = "problems",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Problem id")),
    request_body = LocationBody,
    responses((status = 200, body = ProblemDetail), (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(body): Json<LocationBody>,
) -> AppResult<Json<ProblemDetail>> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    if !location::can_locate(&a) {
        return Err(AppError::Forbidden);
    }
    let polygon = match body.polygon.filter(|v| !v.is_null()) {
        None => None,
        Some(v) => {
            let bounds = location::bounds(&state, ctx.jid()).await?;
            let checked = commonbeat_domain::geo::vertices_from_geojson(&v)
                .and_then(|vertices| commonbeat_domain::geo::check_drawn_polygon(&vertices, bounds));
            match checked {
                Ok(g) => Some(g),
                Err(e) => return Err(AppError::invalid("polygon", location::message(&ctx.tr(), &e))),
            }
        }
    };
    let saved = location::store(&state, &ctx, &p, polygon).await?;
    Ok(Json(detail(&state, &a, &saved).await?))
}
