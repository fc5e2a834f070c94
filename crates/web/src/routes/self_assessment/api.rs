//! `GET /api/v1/partnerships/{slug}/self-assessment`: every round with its turnout and, once closed, its scores
//! per dimension and side and the gap; suppressed cells are `null` with a flag. Members and administrators only.

use super::view;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use commonbeat_domain::self_assessment::{DEFAULT_K, DimensionResult};
use serde::Serialize;
use utoipa::ToSchema;

/// The self-assessment part of the OpenAPI document (merged by [`crate::openapi::document`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_rounds),
    components(schemas(SelfAssessmentOut, RoundOut, SideCounts, DimensionOut)),
    tags((name = "self-assessment", description = "Partnership self-assessment: anonymous rounds answered by both sides; scores per dimension and side with the police − community gap and small-cell suppression. Members and administrators only."))
)]
pub struct SelfAssessmentApi;

/// API routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/partnerships/{slug}/self-assessment", super::guarded(get(api_rounds)))
}

/// Counts per side.
#[derive(Serialize, ToSchema)]
pub struct SideCounts {
    /// Police side.
    pub police: usize,
    /// Community side.
    pub community: usize,
}

/// One dimension's (or the overall index's) result. Scores are 0–100; `null` when suppressed (fewer than `k`
/// respondents on that side) or when nobody answered.
#[derive(Serialize, ToSchema)]
pub struct DimensionOut {
    /// Dimension id (`overall` for the index over every item).
    pub dimension: String,
    /// Framework: essentials, keys, cp_sat (empty for `overall`).
    pub group: String,
    /// Police score.
    pub police: Option<f64>,
    /// Community score.
    pub community: Option<f64>,
    /// Police respondents who answered the dimension (null when suppressed).
    pub police_n: Option<usize>,
    /// Community respondents who answered the dimension (null when suppressed).
    pub community_n: Option<usize>,
    /// Police − community, in points.
    pub gap: Option<f64>,
    /// Police cell suppressed.
    pub police_suppressed: bool,
    /// Community cell suppressed.
    pub community_suppressed: bool,
    /// Gap suppressed because a side is.
    pub gap_suppressed: bool,
}

/// A round.
#[derive(Serialize, ToSchema)]
pub struct RoundOut {
    /// Round id.
    pub id: i64,
    /// `open` or `closed`.
    pub status: String,
    /// Opening time (RFC 3339, UTC).
    pub opens_at: String,
    /// Closing time (actual when closed early).
    pub closes_at: String,
    /// Members invited per side.
    pub invited: SideCounts,
    /// Members who answered per side.
    pub answered: SideCounts,
    /// The overall index (null while the round is open).
    pub overall: Option<DimensionOut>,
    /// Per dimension, sorted by absolute gap (largest disagreement first; empty while open).
    pub dimensions: Vec<DimensionOut>,
}

/// The partnership's self-assessment rounds.
#[derive(Serialize, ToSchema)]
pub struct SelfAssessmentOut {
    /// Partnership slug.
    pub partnership: String,
    /// Suppression threshold: fewest respondents of a side shown.
    pub k: usize,
    /// Rounds, oldest first.
    pub rounds: Vec<RoundOut>,
}

fn dimension_out(d: &DimensionResult) -> DimensionOut {
    DimensionOut {
        dimension: d.dimension.map(|x| x.as_str().to_string()).unwrap_or_else(|| "overall".into()),
        group: d.dimension.map(|x| x.group().as_str().to_string()).unwrap_or_default(),
        police: d.police.score,
        community: d.community.score,
        police_n: d.police.n,
        community_n: d.community.n,
        gap: d.gap,
        police_suppressed: d.police.suppressed,
        community_suppressed: d.community.suppressed,
        gap_suppressed: d.gap_suppressed,
    }
}

/// The partnership's self-assessment rounds and results.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/self-assessment", tag = "self-assessment",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = SelfAssessmentOut), (status = 401, body = crate::routes::api::ApiError),
        (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_rounds(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<SelfAssessmentOut>> {
    let a = super::member_access(&state, &ctx, &slug).await?;
    let rounds = view::load(&state, &ctx, &a)
        .await?
        .into_iter()
        .map(|s| {
            let [pi, pa, ci, ca] = s.turnout;
            RoundOut {
                id: s.round.id,
                status: if s.open { "open".into() } else { "closed".into() },
                opens_at: crate::timefmt::iso_utc(s.round.opens_at),
                closes_at: crate::timefmt::iso_utc(s.round.closed_at.unwrap_or(s.round.closes_at)),
                invited: SideCounts { police: pi, community: ci },
                answered: SideCounts { police: pa, community: ca },
                overall: s.result.as_ref().map(|r| dimension_out(&r.overall)),
                dimensions: s
                    .result
                    .as_ref()
                    .map(|r| r.by_disagreement().into_iter().map(dimension_out).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(Json(SelfAssessmentOut { partnership: a.partnership.slug, k: DEFAULT_K, rounds }))
}
