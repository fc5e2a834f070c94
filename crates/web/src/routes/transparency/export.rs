//! Open data: the transparency figures as CSV (one row per figure, text cells made formula-safe) and JSON, and
//! the same JSON under `/api/v1/transparency` in the OpenAPI document. Public: nothing here is more than the
//! dashboard shows.

use super::partnership_dashboard;
use crate::AppState;
use crate::context::Ctx;
use crate::crime::import::{csv_cell, formula_safe};
use crate::error::AppResult;
use crate::transparency::crime::{CrimeCategory, CrimeSummary};
use crate::transparency::trust::TrustPoint;
use crate::transparency::{self, Dashboard, KeyCount, Promises, Summary};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The transparency part of the OpenAPI document (merged into it by [`crate::openapi::document`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_city, api_partnership),
    components(schemas(Dashboard, Summary, KeyCount, Promises, TrustPoint, CrimeSummary, CrimeCategory)),
    tags((name = "transparency", description = "Public transparency figures: problems, promises kept by side, decisions, meetings and attendance, trust with CIs (small cells suppressed) and privacy-safe crime totals"))
)]
pub struct TransparencyApi;

/// The city's transparency figures over the last 365 days (public aggregates only).
#[utoipa::path(get, path = "/api/v1/transparency", tag = "transparency",
    responses((status = 200, description = "City-wide totals and one summary per active partnership", body = Dashboard)),
    security((), ("bearer" = []), ("session" = [])))]
pub async fn api_city(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Dashboard>> {
    Ok(Json(transparency::city(&state, ctx.jid(), &ctx.jurisdiction.name, &ctx.time_zone()).await?))
}

/// One partnership's transparency figures over the last 365 days (public aggregates only).
#[utoipa::path(get, path = "/api/v1/transparency/{slug}", tag = "transparency",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, description = "The partnership's summary", body = Dashboard),
              (status = 404, body = crate::routes::api::ApiError)),
    security((), ("bearer" = []), ("session" = [])))]
pub async fn api_partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(partnership_dashboard(&state, &ctx, &slug).await?))
}

/// `/transparency.json`.
pub async fn city_json(state: State<AppState>, ctx: Ctx) -> AppResult<Json<Dashboard>> {
    api_city(state, ctx).await
}

/// `/transparency.csv`.
pub async fn city_csv(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let d = transparency::city(&state, ctx.jid(), &ctx.jurisdiction.name, &ctx.time_zone()).await?;
    Ok(csv_response("transparency.csv", &to_csv(&d)))
}

/// `/transparency/{slug}.csv`.
pub async fn partnership_csv(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Response> {
    let d = partnership_dashboard(state, ctx, slug).await?;
    Ok(csv_response(&format!("transparency-{slug}.csv"), &to_csv(&d)))
}

fn csv_response(name: &str, body: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body.to_string(),
    )
        .into_response()
}

/// The CSV header.
pub const CSV_HEADER: &str = "period_from,period_to,partnership,name,measure,group,value,ci_low,ci_high,suppressed";

/// The figures as CSV: one row per figure; text cells are made formula-safe and quoted when needed.
pub fn to_csv(d: &Dashboard) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let mut row =
        |s: &Summary, measure: &str, group: &str, value: String, ci: (Option<f64>, Option<f64>), hidden: bool| {
            let num = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
            let cells = [
                d.period_from.clone(),
                d.period_to.clone(),
                formula_safe(&s.slug),
                formula_safe(&s.name),
                measure.to_string(),
                formula_safe(group),
                value,
                num(ci.0),
                num(ci.1),
                hidden.to_string(),
            ];
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        };
    let none = (None, None);
    let mut summaries: Vec<&Summary> = vec![&d.total];
    if d.partnerships.len() != 1 || d.partnerships[0].slug != d.total.slug {
        summaries.extend(d.partnerships.iter());
    }
    for s in summaries {
        if s.slug.is_empty() {
            row(s, "active_partnerships", "", d.active_partnerships.to_string(), none, false);
        }
        for k in &s.problems_by_stage {
            row(s, "problems_by_stage", &k.key, k.count.to_string(), none, false);
        }
        for k in &s.verdicts {
            row(s, "problems_by_verdict", &k.key, k.count.to_string(), none, false);
        }
        for p in &s.promises {
            row(s, "promises_made", &p.side, p.made.to_string(), none, false);
            row(s, "promises_due", &p.side, p.due.to_string(), none, false);
            row(s, "promises_kept_on_time", &p.side, p.kept_on_time.to_string(), none, false);
            let rate = p.rate.map(|r| format!("{r:.4}")).unwrap_or_default();
            row(s, "promises_kept_rate", &p.side, rate, (p.ci_low, p.ci_high), false);
        }
        row(s, "decisions", "", s.decisions.to_string(), none, false);
        row(s, "meetings_held", "", s.meetings.to_string(), none, false);
        row(s, "attendance", "police", s.attendance_police.to_string(), none, false);
        row(s, "attendance", "community", s.attendance_community.to_string(), none, false);
        for t in &s.trust_trend {
            let e = &t.estimate;
            let group = format!("{} / {} ({})", t.survey, t.wave, t.starts_on);
            let value = e.mean.map(|m| format!("{m:.4}")).unwrap_or_default();
            row(s, "trust", &group, value, (e.ci_low, e.ci_high), e.suppressed);
        }
        if let Some(c) = &s.crime {
            let opt = |x: Option<u64>| x.map(|n| n.to_string()).unwrap_or_default();
            row(s, "crime_total", "", opt(c.total), none, c.total.is_none());
            row(s, "crime_total_year_before", "", opt(c.total_year_before), none, c.total_year_before.is_none());
            for k in &c.categories {
                row(s, "crime_by_category", &k.category, opt(k.count), none, k.suppressed);
            }
        }
    }
    out
}
