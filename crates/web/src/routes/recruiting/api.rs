//! Recruiting in the JSON API: public events and aggregates; candidates, stage moves and the fairness table for
//! recruiting staff (reads audited).

use super::candidates::{load, move_candidate};
use super::events::{RecruitEventForm, record};
use super::reports::{RecruitSummary, census, fairness as fairness_report, public_summary, reached};
use super::{is_staff, pipeline, require_staff};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use commonbeat_analysis::fairness::DEFAULT_MIN_ENTRANTS;
use commonbeat_store::entities::{recruit_candidate, recruit_event};
use commonbeat_store::repo::recruiting;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An outreach event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecruitEventOut {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// `fair`, `school`, `faith`, `ride_along`, `other`.
    pub kind: String,
    /// Where.
    pub place: String,
    /// Start, RFC 3339 UTC.
    pub starts_at: String,
    /// What it is.
    pub description: String,
    /// People who came.
    pub attendance: i64,
    /// Host partnership ids.
    pub hosts: Vec<i64>,
    /// Shown publicly.
    pub is_public: bool,
}

fn event_out(e: &recruit_event::Model, hosts: Vec<i64>) -> RecruitEventOut {
    RecruitEventOut {
        id: e.id,
        title: e.title.clone(),
        kind: e.kind.clone(),
        place: e.place.clone(),
        starts_at: crate::timefmt::iso_utc(e.starts_at),
        description: e.description.clone(),
        attendance: e.attendance,
        hosts,
        is_public: e.is_public,
    }
}

/// Outreach events: public ones, or all for recruiting staff.
#[utoipa::path(get, path = "/api/v1/recruiting/events", tag = "recruiting",
    responses((status = 200, body = [RecruitEventOut])))]
pub async fn events(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<RecruitEventOut>>> {
    let staff = is_staff(&state, &ctx).await?;
    let all = recruiting::events(&state.db, ctx.jid(), !staff).await?;
    let hosts = recruiting::hosts(&state.db, ctx.jid()).await?;
    Ok(Json(
        all.iter()
            .map(|e| event_out(e, hosts.iter().filter(|h| h.event_id == e.id).map(|h| h.partnership_id).collect()))
            .collect(),
    ))
}

/// Records an outreach event with its host partnerships (recruiting staff).
#[utoipa::path(post, path = "/api/v1/recruiting/events", tag = "recruiting",
    request_body = RecruitEventForm,
    responses((status = 201, body = RecruitEventOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<RecruitEventForm>,
) -> AppResult<(StatusCode, Json<RecruitEventOut>)> {
    require_staff(&state, &ctx).await?;
    match record(&state, &ctx, &f).await? {
        Ok(e) => {
            let mut hosts = f.hosts.clone();
            hosts.sort_unstable();
            hosts.dedup();
            Ok((StatusCode::CREATED, Json(event_out(&e, hosts))))
        }
        Err(msg) => Err(AppError::invalid("event", msg)),
    }
}

/// Public aggregates: people who reached each stage and hires by source, small cells hidden.
#[utoipa::path(get, path = "/api/v1/recruiting/summary", tag = "recruiting",
    responses((status = 200, body = RecruitSummary)))]
pub async fn summary(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<RecruitSummary>> {
    Ok(Json(public_summary(&state, &ctx).await?))
}

/// A candidate (recruiting staff only).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateOut {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Current stage id.
    pub stage: String,
    /// `event`, `partnership`, `referral`, `direct`.
    pub source: String,
    /// The event they signed up at.
    pub event_id: Option<i64>,
    /// The partnership that brought them.
    pub partnership_id: Option<i64>,
    /// Whether a member referred them (the referrer is not named here).
    pub referred: bool,
    /// Self-described race category, or empty.
    pub race: String,
    /// Self-described sex, or empty.
    pub sex: String,
    /// When they consented, RFC 3339.
    pub consent_at: String,
    /// Stage changes `(from, to, at)` oldest first; only in the single-candidate answer.
    pub history: Vec<StageChangeOut>,
}

/// A stage change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageChangeOut {
    /// From (empty for the entry).
    pub from: String,
    /// To.
    pub to: String,
    /// When, RFC 3339.
    pub at: String,
    /// Note.
    pub note: String,
}

fn candidate_out(c: &recruit_candidate::Model, history: Vec<StageChangeOut>) -> CandidateOut {
    CandidateOut {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        stage: c.stage.clone(),
        source: c.source.clone(),
        event_id: c.event_id,
        partnership_id: c.partnership_id,
        referred: c.referrer_id.is_some(),
        race: c.race.clone(),
        sex: c.sex.clone(),
        consent_at: crate::timefmt::iso_utc(c.consent_at),
        history,
    }
}

/// Every candidate (recruiting staff; the read is audited).
#[utoipa::path(get, path = "/api/v1/recruiting/candidates", tag = "recruiting",
    responses((status = 200, body = [CandidateOut]), (status = 401, body = crate::routes::api::ApiError), (status = 403, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn candidates(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<CandidateOut>>> {
    require_staff(&state, &ctx).await?;
    let all = recruiting::candidates(&state.db, ctx.jid()).await?;
    ctx.audit(
        &state,
        "recruiting.candidates.read",
        "recruit_candidates",
        "success",
        json!({"rows": all.len(), "api": true}),
    )
    .await?;
    Ok(Json(all.iter().map(|c| candidate_out(c, Vec::new())).collect()))
}

async fn detail(state: &AppState, ctx: &Ctx, c: &recruit_candidate::Model) -> AppResult<CandidateOut> {
    let history = recruiting::stage_changes(&state.db, ctx.jid(), c.id)
        .await?
        .into_iter()
        .map(|h| StageChangeOut {
            from: h.from_stage,
            to: h.to_stage,
            at: crate::timefmt::iso_utc(h.created_at),
            note: h.note,
        })
        .collect();
    Ok(candidate_out(c, history))
}

/// One candidate with every stage change (recruiting staff; the read is audited).
#[utoipa::path(get, path = "/api/v1/recruiting/candidates/{id}", tag = "recruiting",
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 200, body = CandidateOut), (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn candidate(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<CandidateOut>> {
    let c = load(&state, &ctx, id).await?;
    Ok(Json(detail(&state, &ctx, &c).await?))
}

/// A stage move.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RecruitStageForm {
    /// The stage to move to: the next one, `withdrawn` or `not_selected`.
    pub to: String,
    /// A note.
    #[serde(default)]
    pub note: String,
}

/// Moves a candidate on (recruiting staff). A move the pipeline does not allow is 422, naming the stage.
#[utoipa::path(post, path = "/api/v1/recruiting/candidates/{id}/stage", tag = "recruiting",
    params(("id" = i64, Path, description = "Candidate id")),
    request_body = RecruitStageForm,
    responses((status = 200, body = CandidateOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<RecruitStageForm>,
) -> AppResult<Json<CandidateOut>> {
    let c = load(&state, &ctx, id).await?;
    match move_candidate(&state, &ctx, &c, &f.to, &f.note).await? {
        Ok(c) => Ok(Json(detail(&state, &ctx, &c).await?)),
        Err(msg) => Err(AppError::invalid("to", msg)),
    }
}

/// One group at one stage.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FairGroupOut {
    /// Group id.
    pub group: String,
    /// Entrants; `null` when hidden.
    pub entered: Option<u64>,
    /// Passes; `null` when hidden.
    pub passed: Option<u64>,
    /// Pass rate 0–1; `null` unless rated.
    pub rate: Option<f64>,
    /// Rate ÷ the highest group's rate.
    pub impact_ratio: Option<f64>,
    /// Below four-fifths.
    pub adverse_impact: bool,
    /// Share of the stage's entrants; `null` when hidden.
    pub pool_share: Option<f64>,
    /// Census share.
    pub census_share: f64,
    /// Below half its census share.
    pub under_represented: bool,
}

/// One stage of the fairness table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FairStageOut {
    /// The stage.
    pub stage: String,
    /// Passing means reaching this stage.
    pub next: String,
    /// Groups.
    pub groups: Vec<FairGroupOut>,
}

/// The fairness table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FairnessOut {
    /// `race` or `sex`.
    pub by: String,
    /// Small-cell threshold.
    pub k: u64,
    /// Stages.
    pub stages: Vec<FairStageOut>,
}

/// `?by=race|sex`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FairnessQuery {
    /// `race` (default) or `sex`.
    #[serde(default)]
    pub by: String,
}

/// Stage pass rates by group with the adverse-impact ratio, and the pool against census shares (recruiting staff).
#[utoipa::path(get, path = "/api/v1/recruiting/fairness", tag = "recruiting",
    params(FairnessQuery),
    responses((status = 200, body = FairnessOut), (status = 403, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn fairness(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FairnessQuery>,
) -> AppResult<Json<FairnessOut>> {
    require_staff(&state, &ctx).await?;
    let by = if q.by == "sex" { "sex" } else { "race" };
    let p = pipeline(&state, ctx.jid()).await?;
    let cands = recruiting::candidates(&state.db, ctx.jid()).await?;
    let changes = recruiting::all_stage_changes(&state.db, ctx.jid()).await?;
    let census = census(&state, ctx.jid(), by).await?;
    let census_ref: Vec<(&str, u64)> = census.iter().map(|(g, n)| (g.as_str(), *n)).collect();
    let k = DEFAULT_MIN_ENTRANTS;
    let report = fairness_report(&p, &cands, &reached(&changes), by, &census_ref, k);
    ctx.audit(&state, "recruiting.reports.read", "recruit_candidates", "success", json!({"by": by, "api": true}))
        .await?;
    Ok(Json(FairnessOut {
        by: by.into(),
        k,
        stages: report
            .iter()
            .map(|s| FairStageOut {
                stage: s.stage.as_str().into(),
                next: p.next(s.stage).map(|n| n.as_str().to_string()).unwrap_or_default(),
                groups: s
                    .table
                    .groups
                    .iter()
                    .map(|g| {
                        let pool = s.pool.groups.iter().find(|x| x.category == g.group);
                        FairGroupOut {
                            group: g.group.clone(),
                            entered: g.entered,
                            passed: g.passed,
                            rate: g.rate,
                            impact_ratio: g.impact_ratio,
                            adverse_impact: g.adverse_impact,
                            pool_share: pool.and_then(|x| x.member_share),
                            census_share: pool.map(|x| x.census_share).unwrap_or(0.0),
                            under_represented: pool.is_some_and(|x| x.under_represented),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// The recruiting part of the OpenAPI document (merged into it by `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(events, create_event, summary, candidates, candidate, stage, fairness),
    components(schemas(RecruitEventOut, super::events::RecruitEventForm, RecruitSummary, super::reports::RecruitCount, CandidateOut, StageChangeOut, RecruitStageForm, FairGroupOut, FairStageOut, FairnessOut)),
    tags((name = "recruiting", description = "Recruiting with the community: outreach events, public aggregates; candidates, stage moves and fairness for recruiting staff"))
)]
pub struct RecruitApi;
