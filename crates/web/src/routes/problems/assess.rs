//! The assessment of a problem's response: the target (the problem's square around its point, its area, or the
//! partnership's areas), a ring buffer (or a chosen buffer area), a control area — chosen, or suggested as the
//! area with the most similar count before the response — and before/after periods, run through the
//! displacement analysis (WDQ, WDD, E-test). The numbers and the verdict they support are stored with the
//! problem; the partnership records its own verdict beside the suggestion.

use super::show::{DEFAULT_INNER_M, DEFAULT_OUTER_M, page, point_of, target_of};
use super::{Refusal, load};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::params;
use crate::crime::problems::{square, suggest_control};
use crate::crime::temporal;
use crate::error::AppResult;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use commonbeat_domain::problem::{AssessmentFacts, suggest_verdict};
use commonbeat_store::entities::problem;
use commonbeat_store::repo::problems;
use serde::Deserialize;
use serde_json::{Value, json};

/// The assessment form (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessForm {
    /// Half-side of the target square around the problem's point, metres (default 150).
    #[serde(default)]
    pub inner_m: String,
    /// Half-side of the ring buffer's outer edge, metres (default 300).
    #[serde(default)]
    pub outer_m: String,
    /// Buffer area id, for a problem without a point.
    #[serde(default)]
    pub buffer_area: String,
    /// Control area id; empty to take the suggested one.
    #[serde(default)]
    pub control_area: String,
    /// Start of the period before the response (`YYYY-MM-DD`).
    #[serde(default)]
    pub before_from: String,
    /// End of that period (exclusive).
    #[serde(default)]
    pub before_to: String,
    /// Start of the period after the response.
    #[serde(default)]
    pub after_from: String,
    /// End of that period (exclusive).
    #[serde(default)]
    pub after_to: String,
}

fn metres(s: &str, default: f64) -> Option<f64> {
    if s.trim().is_empty() { Some(default) } else { s.trim().parse().ok() }
}

/// Runs and stores an assessment (co-chairs and police). `Ok(Err(refusal))` names the field.
pub async fn assess(
    state: &AppState,
    ctx: &Ctx,
    a: &super::Access,
    p: &problem::Model,
    f: &AssessForm,
) -> AppResult<Result<problem::Model, Refusal>> {
    a.require_manage()?;
    let t = ctx.tr();
    let tz = ctx.time_zone();
    let linked = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?;
    let linked_ids: Vec<i64> = linked.iter().map(|x| x.id).collect();
    let (Some(inner), Some(outer)) = (metres(&f.inner_m, DEFAULT_INNER_M), metres(&f.outer_m, DEFAULT_OUTER_M)) else {
        return Ok(Err(("inner_m", t.t("problem-error-ring"))));
    };
    if !(10.0..=5000.0).contains(&inner) || outer <= inner || outer > 10_000.0 {
        return Ok(Err(("outer_m", t.t("problem-error-ring"))));
    }
    let polygon = super::location::polygon_of(p);
    let (target, buffer) = match (polygon, point_of(p)) {
        // A drawn polygon: the points within (outer − inner) metres of it and outside it are the buffer.
        (Some(g), _) => (super::location::polygon_geojson(&g), super::location::buffer_around(&g, outer - inner)),
        (None, Some((lon, lat))) => (square(lon, lat, inner, None), square(lon, lat, outer, Some(inner))),
        (None, None) => match f.buffer_area.trim().parse::<i64>() {
            Ok(b) => (target_of(p, &linked_ids), Value::from(b)),
            Err(_) => return Ok(Err(("buffer_area", t.t("problem-error-buffer")))),
        },
    };
    let columns = state.crime.get(&state.db, ctx.jid()).await?;
    let before =
        match (params::instant("before_from", &f.before_from, &tz), params::instant("before_to", &f.before_to, &tz)) {
            (Ok(a), Ok(b)) if a < b => (a, b),
            _ => return Ok(Err(("before_from", t.t("problem-error-period")))),
        };
    let category = Some(p.category.as_str()).filter(|c| *c != super::NON_CRIME);
    let (control, suggested_control) = match f.control_area.trim() {
        "" => {
            let candidates: Vec<i64> = commonbeat_store::repo::areas::list(&state.db, ctx.jid(), None)
                .await?
                .into_iter()
                .filter(|x| !linked_ids.contains(&x.id) && buffer.as_i64() != Some(x.id))
                .map(|x| x.id)
                .collect();
            match suggest_control(&columns, &target, &candidates, category, before.0, before.1) {
                Some((id, _, _)) => (id, true),
                None => return Ok(Err(("control_area", t.t("problem-error-control")))),
            }
        }
        s => match s.parse::<i64>() {
            Ok(id) => (id, false),
            Err(_) => return Ok(Err(("control_area", t.t("problem-error-control")))),
        },
    };
    let body = json!({
        "target": target, "buffer": buffer, "control": control, "category": category,
        "before": {"from": f.before_from.trim(), "to": f.before_to.trim()},
        "after": {"from": f.after_from.trim(), "to": f.after_to.trim()},
    });
    let result = match temporal::displacement(&columns, &body, &tz) {
        Ok(r) => r,
        Err(e) => {
            let field = e.split(':').next().unwrap_or("after_from");
            let field = if field.starts_with("after") { "after_from" } else { "before_from" };
            return Ok(Err((field, format!("{}: {e}", t.t("problem-error-period")))));
        }
    };
    let c = &result["counts"];
    let x = &result["assessment"];
    let facts = AssessmentFacts {
        target_before: c["target"]["before"].as_u64().unwrap_or(0),
        target_after: c["target"]["after"].as_u64().unwrap_or(0),
        success_measure: x["success_measure"].as_f64(),
        wdq: x["wdq"].as_f64(),
        wdd_ci_high: x["wdd"]["ci_high"].as_f64().unwrap_or(f64::INFINITY),
        target_p: x["target_e_test_p"].as_f64().unwrap_or(1.0),
    };
    let suggested = suggest_verdict(&facts);
    let stored = json!({
        "inputs": {
            "inner_m": inner, "outer_m": outer, "buffer_area": f.buffer_area.trim().parse::<i64>().ok(),
            "control_area": control, "control_suggested": suggested_control,
            "before_from": f.before_from.trim(), "before_to": f.before_to.trim(),
            "after_from": f.after_from.trim(), "after_to": f.after_to.trim(),
        },
        "result": result,
        "suggested": suggested.as_str(),
    });
    let mut m = p.clone();
    m.assessment = stored.to_string();
    let saved = problems::save(&state.db, m).await?;
    ctx.audit(
        state,
        "problem.assess",
        &format!("problem:{}", p.id),
        "success",
        json!({"control": control, "suggested": suggested.as_str()}),
    )
    .await?;
    Ok(Ok(saved))
}

/// The assessment form's handler.
pub async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<AssessForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    match assess(&state, &ctx, &a, &p, &f).await? {
        Ok(p) => page(&state, &ctx, &a, p, None, Some(ctx.tr().t("problem-assess-saved"))).await,
        Err((_, msg)) => page(&state, &ctx, &a, p, Some(msg), None).await,
    }
}
