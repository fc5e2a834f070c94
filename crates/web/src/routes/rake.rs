//! `POST /api/v1/analysis/rake`: raking and a weighted estimate for analysts with survey data from elsewhere,
//! by the same definitions as CommonBeat's own surveys (METHODS.md, Surveys). Every problem is a 422 naming the
//! respondent, dimension or category.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::guarded;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use commonbeat_analysis::raking::{Margin, RakeError, RakeOptions, rake};
use commonbeat_analysis::survey::weighted_mean;
use commonbeat_domain::Role;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/analysis/rake", guarded(post(rake_handler)))
}

/// The request body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RakeIn {
    /// One object per respondent: a category per margin dimension, and optionally `y` (the answer to estimate).
    #[schema(value_type = Vec<Object>)]
    pub respondents: Vec<Map<String, Value>>,
    /// Population totals per dimension and category, e.g. `{"sex": {"F": 5200, "M": 4800}}`.
    #[schema(value_type = Object)]
    pub margins: BTreeMap<String, BTreeMap<String, f64>>,
    /// Design weights in respondent order (default 1).
    pub base_weights: Option<Vec<f64>>,
    /// Trim weights at this multiple of the mean weight and re-rake (none by default).
    pub trim: Option<f64>,
}

fn category_name(margins: &BTreeMap<String, BTreeMap<String, f64>>, dimension: &str, code: u16) -> String {
    margins.get(dimension).and_then(|m| m.keys().nth(code as usize)).cloned().unwrap_or_else(|| code.to_string())
}

/// Rakes the respondents to the margins; with `y`, estimates its weighted mean with a linearised SE and a 95 %
/// t interval.
#[utoipa::path(post, path = "/api/v1/analysis/rake", tag = "crime", request_body = RakeIn,
    responses((status = 200, description = "Weights in respondent order, iterations, and the estimate when y is given", body = Object),
              (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn rake_handler(
    State(_state): State<AppState>,
    ctx: Ctx,
    Json(body): Json<RakeIn>,
) -> AppResult<Json<Value>> {
    ctx.require_role(&[Role::Police, Role::Admin])?;
    if body.respondents.is_empty() {
        return Err(AppError::invalid("respondents", "give at least one respondent"));
    }
    if body.margins.is_empty() {
        return Err(AppError::invalid("margins", "give at least one margin"));
    }
    if body.respondents.len() > 1_000_000 {
        return Err(AppError::invalid("respondents", "at most 1,000,000 respondents"));
    }
    let mut codes: Vec<Vec<u16>> = Vec::with_capacity(body.margins.len());
    let mut targets: Vec<Vec<f64>> = Vec::with_capacity(body.margins.len());
    for (dim, cats) in &body.margins {
        if cats.len() > u16::MAX as usize {
            return Err(AppError::invalid(&format!("margins.{dim}"), "too many categories"));
        }
        targets.push(cats.values().copied().collect());
        let mut col = Vec::with_capacity(body.respondents.len());
        for (i, r) in body.respondents.iter().enumerate() {
            let field = format!("respondents[{i}].{dim}");
            let value = match r.get(dim) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(AppError::invalid(&field, format!("missing; every respondent needs a {dim} category")));
                }
            };
            match cats.keys().position(|k| *k == value) {
                Some(code) => col.push(code as u16),
                None => {
                    return Err(AppError::invalid(&field, format!("{value:?} is not a category of margins.{dim}")));
                }
            }
        }
        codes.push(col);
    }
    let margins: Vec<Margin<'_>> = body
        .margins
        .keys()
        .zip(codes.iter().zip(&targets))
        .map(|(name, (c, t))| Margin { name, codes: c, targets: t })
        .collect();
    let opts = RakeOptions { trim: body.trim, ..Default::default() };
    let raked = rake(&margins, body.base_weights.as_deref(), &opts).map_err(|e| match e {
        RakeError::EmptyCategory { dimension, category, target } => AppError::invalid(
            &format!("margins.{dimension}.{}", category_name(&body.margins, &dimension, category)),
            format!("population {target} but no respondents in this category"),
        ),
        RakeError::ZeroTarget { dimension, category, respondents } => AppError::invalid(
            &format!("margins.{dimension}.{}", category_name(&body.margins, &dimension, category)),
            format!("{respondents} respondents but a population of 0"),
        ),
        RakeError::InvalidBaseWeight { respondent } => {
            AppError::invalid(&format!("base_weights[{respondent}]"), "must be a positive number")
        }
        RakeError::LengthMismatch { .. } => AppError::invalid("base_weights", "give one weight per respondent"),
        other => AppError::invalid("margins", other.to_string()),
    })?;
    let ys: Vec<Option<f64>> = body.respondents.iter().map(|r| r.get("y").and_then(Value::as_f64)).collect();
    let estimate = if ys.iter().any(Option::is_some) {
        if let Some(i) = ys.iter().position(Option::is_none) {
            return Err(AppError::invalid(&format!("respondents[{i}].y"), "give y for every respondent or none"));
        }
        let y: Vec<f64> = ys.into_iter().flatten().collect();
        weighted_mean(&y, &raked.weights).map(|e| {
            json!({"mean": e.mean, "se": e.se, "ci95": [e.ci_low, e.ci_high], "n": e.n, "effective_n": e.effective_n,
                   "design_effect": e.design_effect, "low_reliability": e.low_reliability})
        })
    } else {
        None
    };
    Ok(Json(json!({
        "weights": raked.weights,
        "iterations": raked.rounds,
        "max_margin_error": raked.max_margin_error,
        "trimming": raked.trimming.as_ref().map(|t| json!({"k": t.k, "respondents_capped": t.respondents_capped, "max_weight_before": t.max_weight_before, "max_weight_after": t.max_weight_after, "cap_met": t.cap_met})),
        "estimate": estimate,
    })))
}
