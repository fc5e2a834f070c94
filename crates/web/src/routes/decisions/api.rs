//! Decisions in the JSON API: list, open, show results, vote.

use super::create::open;
use super::results::{self, Results, Settings};
use super::{NewForm, cast_vote, is_open, load, phase};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::partnerships::access::Access;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonbeat_store::repo::decisions;
use serde::Deserialize;

/// Opens a decision (co-chairs and administrators). Same fields as the form. `opens_at` (optional) schedules it:
/// until then it is `scheduled`, visible but closed to votes, and it opens (and members are notified) at that time.
/// `voters` is `members` (default), `cochairs`, or a list of user ids of active members naming who may vote (both
/// sides must be named).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/decisions", tag = "decisions",
    params(("slug" = String, Path, description = "Partnership slug")),
    request_body(content = Object, description = "kind, title, body, opens_at (optional: RFC 3339, or YYYY-MM-DDTHH:MM in the jurisdiction's time zone; not in the past, before closing), closes_on (YYYY-MM-DD), quorum_police, quorum_community, changeable, reason_required, anonymous, visibility, is_private, affects, voters (\"members\", \"cochairs\" or [user ids] of active members, both sides named), options (one per line), max_choices, score_min, score_max, dots"),
    responses((status = 201, body = DecisionOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(f): Json<NewForm>,
) -> AppResult<(StatusCode, Json<DecisionOut>)> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let d = match open(&state, &ctx, &a, f).await? {
        Ok(d) => d,
        Err(r) => return Err(AppError::invalid(r.field, r.message)),
    };
    let out = api_show(State(state), ctx, Path((slug, d.id))).await?;
    Ok((StatusCode::CREATED, out))
}

/// A ballot sent to the API. Give the field that fits the decision's kind.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct BallotIn {
    /// Proposal / sense check: `agree`, `abstain`, `disagree`, `block`; consent: `consent`, `objection`.
    pub choice: Option<String>,
    /// Polls: option indices.
    pub options: Option<Vec<usize>>,
    /// Ranked choice: option indices, first preference first.
    pub ranking: Option<Vec<usize>>,
    /// Score: one score per option.
    pub scores: Option<Vec<i32>>,
    /// Dot vote: dots per option.
    pub dots: Option<Vec<u64>>,
    /// Time poll: `yes`, `maybe` or `no` per candidate time.
    pub availability: Option<Vec<String>>,
    /// Reason (required for question rounds and where the decision asks for one).
    pub reason: Option<String>,
}

impl BallotIn {
    fn pairs(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut push = |k: String, v: String| p.push((k, v));
        if let Some(c) = &self.choice {
            push("choice".into(), c.clone());
        }
        if let Some(r) = &self.reason {
            push("reason".into(), r.clone());
        }
        for (i, o) in self.options.iter().flatten().enumerate() {
            push("option".into(), o.to_string());
            let _ = i;
        }
        for (rank, o) in self.ranking.iter().flatten().enumerate() {
            push(format!("rank_{o}"), (rank + 1).to_string());
        }
        for (i, v) in self.scores.iter().flatten().enumerate() {
            push(format!("score_{i}"), v.to_string());
        }
        for (i, v) in self.dots.iter().flatten().enumerate() {
            push(format!("dots_{i}"), v.to_string());
        }
        for (i, v) in self.availability.iter().flatten().enumerate() {
            push(format!("avail_{i}"), v.clone());
        }
        p
    }
}

/// Casts (or changes) the caller's ballot.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/decisions/{id}/vote", tag = "decisions",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Decision id")),
    request_body = BallotIn,
    responses((status = 200, body = DecisionOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(body): Json<BallotIn>,
) -> AppResult<Json<DecisionOut>> {
    ctx.require_user()?;
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    if let Err(key) = cast_vote(&state, &ctx, &a, &d, &body.pairs()).await? {
        return Err(AppError::invalid("ballot", ctx.tr().t(key)));
    }
    api_show(State(state), ctx, Path((slug, id))).await
}

/// The partnership's decision log (private decisions for members only).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/decisions", tag = "decisions",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = [DecisionOut]), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<DecisionOut>>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let list = decisions::for_partnership(&state.db, ctx.jid(), a.partnership.id, a.sees_members()).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DecisionOut {
                id: d.id,
                kind: d.kind.clone(),
                title: d.title.clone(),
                status: phase(&d).into(),
                opens_at: crate::timefmt::iso_utc(d.opens_at),
                closes_at: crate::timefmt::iso_utc(d.closes_at),
                voters: voters_of(&d),
                named_voters: Vec::new(),
                results: None,
                outcome: d.outcome.clone(),
            })
            .collect(),
    ))
}

/// Who may vote on a decision: `members`, `cochairs` or `named`.
fn voters_of(d: &commonbeat_store::entities::decision::Model) -> String {
    match Settings::of(d).voters.as_str() {
        w @ ("cochairs" | "named") => w.into(),
        _ => "members".into(),
    }
}

/// A decision with its results, as the API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    /// Id.
    pub id: i64,
    /// `proposal`, `consent` or `sense_check`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// `scheduled` (visible, voting not open yet), `open` or `closed`.
    pub status: String,
    /// Opening time (ISO 8601, UTC).
    pub opens_at: String,
    /// Closing time (ISO 8601, UTC).
    pub closes_at: String,
    /// Who may vote: `members`, `cochairs` or `named`.
    pub voters: String,
    /// User ids of the named voters (co-chairs or named people), for callers who see the members; empty otherwise.
    pub named_voters: Vec<i64>,
    /// Results per side and combined, when visible to the caller.
    pub results: Option<Results>,
    /// The outcome statement, once written.
    pub outcome: Option<String>,
}

/// One decision with its results (when the decision's visibility setting lets the caller see them).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/decisions/{id}", tag = "decisions",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Decision id")),
    responses((status = 200, body = DecisionOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Json<DecisionOut>> {
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    let s = Settings::of(&d);
    let all = decisions::ballots(&state.db, ctx.jid(), d.id).await?;
    let voted = ctx.user.as_ref().is_some_and(|u| all.iter().any(|b| b.user_id == u.id));
    let (open, status) = (is_open(&d), phase(&d));
    let visible =
        status != "scheduled" && (!open || s.visibility == "always" || (s.visibility != "after_close" && voted));
    let named_voters =
        if a.sees_members() { decisions::named_voters(&state.db, ctx.jid(), d.id).await? } else { Vec::new() };
    Ok(Json(DecisionOut {
        id: d.id,
        kind: d.kind.clone(),
        title: d.title.clone(),
        status: status.into(),
        opens_at: crate::timefmt::iso_utc(d.opens_at),
        closes_at: crate::timefmt::iso_utc(d.closes_at),
        voters: voters_of(&d),
        named_voters,
        results: visible.then(|| results::tally(&ctx.tr(), &d, &all)),
        outcome: d.outcome.clone(),
    }))
}
