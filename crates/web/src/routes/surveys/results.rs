//! Survey results: the page (tables and server-rendered SVG charts), the CSV export and
//! `GET /api/v1/surveys/{id}/results`. Analysts (police, administrators) always see them; everyone else only
//! when the survey's results are published, and then without the per-area raking report. Every breakdown cell
//! below k respondents is hidden with its complement, for every viewer and export (k = 10; a larger k may be
//! asked for, never a smaller one).

use super::compute::{AreaRaking, Cell, Gap, breakdown, demo_index, overall};
use super::prepared::{PreparedWave, Raked};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::import::{csv_cell, formula_safe};
use crate::error::{AppError, AppResult};
use crate::routes::crime::POLICE;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use commonbeat_analysis::survey::SURVEY_MIN_CELL;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::answers::survey_categories;
use commonbeat_domain::zip::Zip;
use commonbeat_store::entities::{survey, survey_wave};
use commonbeat_store::repo::{areas, surveys, zips};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Which group (row) a respondent falls in.
type GroupOf<'a> = Box<dyn Fn(usize) -> Option<u16> + 'a>;

/// Query of the results.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ResultsQuery {
    /// Wave id (default: the latest wave).
    pub wave: Option<i64>,
    /// Breakdown: `area` (default), `race`, `age`, `sex`, `tenure`, `income` or `language`.
    pub by: Option<String>,
    /// Raked to census margins (default true).
    pub weighted: Option<bool>,
    /// Scale name (default `trust` when the instrument has it, else its first scale).
    pub scale: Option<String>,
    /// Only respondents of this area (demographic breakdowns and the trends).
    #[serde(default, deserialize_with = "blank_none")]
    pub area: Option<i64>,
    /// Only respondents of the area this ZIP code maps to (the jurisdiction's ZIP mapping); instead of `area`.
    #[serde(default, deserialize_with = "blank_none")]
    pub zip: Option<String>,
    /// Trim weights at this multiple of the mean weight and re-rake (reported; off by default).
    #[serde(default, deserialize_with = "blank_none")]
    pub trim: Option<f64>,
    /// Small-cell threshold; at least 10.
    #[serde(default, deserialize_with = "blank_none")]
    pub k: Option<u64>,
    /// The gap's first group (a row key of the breakdown), with `gap_b`; default: highest minus lowest.
    #[serde(default, deserialize_with = "blank_none")]
    pub gap_a: Option<String>,
    /// The gap's second group (subtracted from `gap_a`).
    #[serde(default, deserialize_with = "blank_none")]
    pub gap_b: Option<String>,
    /// Per-group trend lines across waves by this dimension (`race`, `age`, `sex`, `tenure`, `income`,
    /// `language`).
    #[serde(default, deserialize_with = "blank_none")]
    pub group_trends: Option<String>,
}

/// An empty form field is no value (GET forms send `trim=` for "off").
fn blank_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// One group's estimates across waves (hidden cells have no mean and are left out of the chart).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupTrend {
    /// Group key (census category id).
    pub key: String,
    /// Group label.
    pub label: String,
    /// One estimate per wave, in wave order.
    pub points: Vec<TrendPoint>,
}

/// One wave's overall estimate in the trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// Wave id.
    pub wave_id: i64,
    /// Wave name.
    pub wave: String,
    /// First day of the wave.
    pub starts_on: String,
    /// The estimate.
    pub estimate: Cell,
}

/// Survey results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultsOut {
    /// Survey id.
    pub survey_id: i64,
    /// Survey title.
    pub title: String,
    /// The wave shown.
    pub wave_id: Option<i64>,
    /// Its name.
    pub wave: String,
    /// The scale estimated (0–100).
    pub scale: String,
    /// Scales of the instrument.
    pub scales: Vec<String>,
    /// Raked to census margins.
    pub weighted: bool,
    /// The breakdown.
    pub by: String,
    /// Area filter.
    pub area: Option<i64>,
    /// Small-cell threshold used.
    pub k: u64,
    /// The overall estimate.
    pub overall: Cell,
    /// One row per group.
    pub rows: Vec<Cell>,
    /// The gap between the chosen groups (`gap_a` minus `gap_b`), or by default between the highest and lowest
    /// shown groups, with its CI; none when a chosen group is hidden.
    pub gap: Option<Gap>,
    /// Whether the gap's groups were chosen (`gap_a`/`gap_b`).
    pub gap_chosen: bool,
    /// The overall estimate of every wave.
    pub trend: Vec<TrendPoint>,
    /// The dimension of the per-group trend lines, when asked for.
    pub group_trends_by: Option<String>,
    /// Per-group estimates of every wave (hidden cells included, without numbers).
    pub group_trends: Vec<GroupTrend>,
    /// How many group-wave cells of the group trends are hidden.
    pub group_trends_hidden: u64,
    /// Respondents left out of weighted estimates (no area, skipped age/sex/race, area not weighted).
    pub not_weighted: Option<u64>,
    /// Raking per area (analysts only).
    pub raking: Vec<AreaRaking>,
}

/// Who may see results: analysts always; others when published. Returns whether the viewer is an analyst.
pub async fn access(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(survey::Model, bool)> {
    let s = surveys::by_id(&state.db, ctx.jid(), id).await?;
    let analyst = ctx.role().is_some_and(|r| POLICE.contains(&r));
    if !analyst && !s.results_public {
        // Not published: signed-in non-analysts are refused; the anonymous public is told nothing.
        return Err(if ctx.user.is_some() { AppError::Forbidden } else { AppError::NotFound });
    }
    Ok((s, analyst))
}

/// The prepared waves with their raking weights (when weighted) for this trimming, in the order given.
async fn wave_data(
    state: &AppState,
    ctx: &Ctx,
    waves: &[&survey_wave::Model],
    weighted: bool,
    trim: Option<f64>,
) -> AppResult<Vec<(Arc<PreparedWave>, Option<Arc<Raked>>)>> {
    let prepared = state.surveys.waves(state, ctx.jid(), waves).await?;
    Ok(prepared
        .into_iter()
        .map(|p| {
            let raked = weighted.then(|| p.raked(trim));
            (p, raked)
        })
        .collect())
}

/// Computes the results for a query (shared by the page, the CSV export and the API).
pub async fn compute_results(
    state: &AppState,
    ctx: &Ctx,
    s: &survey::Model,
    analyst: bool,
    q: &ResultsQuery,
) -> AppResult<ResultsOut> {
    let t = ctx.tr();
    let k = q.k.unwrap_or(SURVEY_MIN_CELL).max(SURVEY_MIN_CELL);
    let weighted = q.weighted.unwrap_or(true);
    if let Some(tr) = q.trim
        && !(tr > 1.0 && tr.is_finite())
    {
        return Err(AppError::invalid("trim", "must be a number above 1"));
    }
    let by = q.by.clone().filter(|b| !b.is_empty()).unwrap_or_else(|| "area".into());
    let dim = match by.as_str() {
        "area" => None,
        other => Some(
            Dimension::parse(other)
                .ok_or_else(|| AppError::invalid("by", "area, race, age, sex, tenure, income or language"))?,
        ),
    };
    let trend_dim = match q.group_trends.as_deref() {
        None => None,
        Some(d) => Some(
            Dimension::parse(d)
                .ok_or_else(|| AppError::invalid("group_trends", "race, age, sex, tenure, income or language"))?,
        ),
    };
    let gap_pair = match (q.gap_a.as_deref(), q.gap_b.as_deref()) {
        (None, None) => None,
        (Some(a), Some(b)) if a != b => Some((a, b)),
        (Some(_), Some(_)) => return Err(AppError::invalid("gap_b", "choose a group other than group A")),
        (None, Some(_)) => return Err(AppError::invalid("gap_a", "choose both groups of the gap")),
        (Some(_), None) => return Err(AppError::invalid("gap_b", "choose both groups of the gap")),
    };
    let area_filter = match q.zip.as_deref() {
        None => q.area,
        Some(z) => {
            let zip = Zip::parse(z).ok_or_else(|| AppError::invalid("zip", "five digits, or ZIP+4"))?;
            let a = zips::area_of(&state.db, ctx.jid(), zip.as_str()).await?;
            Some(a.ok_or_else(|| AppError::invalid("zip", "no area has this ZIP code"))?)
        }
    };
    let waves = surveys::waves(&state.db, ctx.jid(), s.id).await?;
    let wave = match q.wave {
        Some(id) => Some(waves.iter().find(|w| w.id == id).ok_or(AppError::NotFound)?),
        None => waves.last(),
    };
    let all_areas = areas::list(&state.db, ctx.jid(), None).await?;
    let mut out = ResultsOut {
        survey_id: s.id,
        title: s.title.clone(),
        wave_id: wave.map(|w| w.id),
        wave: wave.map(|w| w.name.clone()).unwrap_or_default(),
        scale: String::new(),
        scales: Vec::new(),
        weighted,
        by: by.clone(),
        area: area_filter,
        k,
        overall: Cell::hidden("all".into(), t.t("survey-overall")),
        rows: Vec::new(),
        gap: None,
        gap_chosen: gap_pair.is_some(),
        trend: Vec::new(),
        group_trends_by: trend_dim.map(|d| d.as_str().to_string()),
        group_trends: Vec::new(),
        group_trends_hidden: 0,
        not_weighted: None,
        raking: Vec::new(),
    };
    let Some(w) = wave else { return Ok(out) };
    // Every wave is needed for the trend; the shown one is among them.
    let all: Vec<&survey_wave::Model> = waves.iter().collect();
    let data = wave_data(state, ctx, &all, weighted, q.trim).await?;
    let shown = waves.iter().position(|x| x.id == w.id).unwrap_or(0);
    let (prep, raked) = &data[shown];
    let resp = &prep.resp;
    let weights = raked.as_ref().map(|r| r.weights.as_slice());
    let scales = prep.scales.clone();
    let scale = match &q.scale {
        Some(sc) if scales.contains(sc) => sc.clone(),
        Some(_) => return Err(AppError::invalid("scale", "not a scale of this survey")),
        None => scales.iter().find(|x| *x == "trust").or(scales.first()).cloned().unwrap_or_default(),
    };
    out.scale = scale.clone();
    out.scales = scales;
    let smp = prep.sample(weighted, q.trim, &scale, area_filter);
    if let Some(ws) = weights {
        out.not_weighted = Some(ws.iter().filter(|x| x.is_none()).count() as u64);
    }
    out.overall = Cell { label: t.t("survey-overall"), ..overall(&smp, k) };
    let (keys, labels, group_of): (Vec<String>, Vec<String>, GroupOf<'_>) = match dim {
        None => {
            let ids = surveys::wave_areas(w);
            let names: Vec<String> = ids
                .iter()
                .map(|id| all_areas.iter().find(|a| a.id == *id).map(|a| a.name.clone()).unwrap_or_default())
                .collect();
            let pos: HashMap<i64, u16> = ids.iter().enumerate().map(|(p, a)| (*a, p as u16)).collect();
            (
                ids.iter().map(i64::to_string).collect(),
                names,
                Box::new(move |i| resp[i].area.and_then(|a| pos.get(&a).copied())),
            )
        }
        Some(d) => {
            let cats = survey_categories(d);
            let di = demo_index(d);
            (
                cats.iter().map(|c| c.to_string()).collect(),
                cats.iter().map(|c| t.t(&format!("cat-{}-{c}", d.as_str()))).collect(),
                Box::new(move |i| resp[i].demo[di]),
            )
        }
    };
    if let Some((a, b)) = gap_pair {
        for (field, key) in [("gap_a", a), ("gap_b", b)] {
            if !keys.iter().any(|k| k == key) {
                return Err(AppError::invalid(field, "not a group of this breakdown"));
            }
        }
    }
    let (rows, gap) = breakdown(&smp, group_of, &keys, &labels, k, gap_pair);
    out.rows = rows;
    out.gap = gap;
    let trend_groups = trend_dim.map(|d| {
        let cats = survey_categories(d);
        let keys: Vec<String> = cats.iter().map(|c| c.to_string()).collect();
        let labels: Vec<String> = cats.iter().map(|c| t.t(&format!("cat-{}-{c}", d.as_str()))).collect();
        (demo_index(d), keys, labels)
    });
    if let Some((_, keys, labels)) = &trend_groups {
        out.group_trends = keys
            .iter()
            .zip(labels)
            .map(|(k, l)| GroupTrend { key: k.clone(), label: l.clone(), points: Vec::new() })
            .collect();
    }
    for (tw, (p, _)) in waves.iter().zip(&data) {
        let r = &p.resp;
        let smp = p.sample(weighted, q.trim, &scale, area_filter);
        let point =
            |estimate| TrendPoint { wave_id: tw.id, wave: tw.name.clone(), starts_on: tw.starts_on.clone(), estimate };
        out.trend.push(point(overall(&smp, k)));
        if let Some((di, keys, labels)) = &trend_groups {
            let di = *di;
            let (cells, _) = breakdown(&smp, |i| r[i].demo[di], keys, labels, k, None);
            for (g, c) in out.group_trends.iter_mut().zip(cells) {
                out.group_trends_hidden += u64::from(c.suppressed);
                g.points.push(point(c));
            }
        }
    }
    if analyst && let Some(r) = raked {
        out.raking = r.report.clone();
    }
    Ok(out)
}

/// Survey results with estimates, CIs and suppression flags.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/results", tag = "surveys", params(("id" = i64, Path, description = "Survey id"), ResultsQuery),
    responses((status = 200, description = "Estimates (0–100) with n, effective n, SE, 95 % CI and suppression flags", body = ResultsOut),
              (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError),
              (status = 422, body = crate::routes::api::ApiError)),
    security((), ("bearer" = []), ("session" = [])))]
pub async fn api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Json<ResultsOut>> {
    let (s, analyst) = access(&state, &ctx, id).await?;
    Ok(Json(compute_results(&state, &ctx, &s, analyst, &q).await?))
}

/// The results as CSV (aggregates only, formula-safe).
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Response> {
    let (s, analyst) = access(&state, &ctx, id).await?;
    let r = compute_results(&state, &ctx, &s, analyst, &q).await?;
    let mut out = String::from(
        "section,wave,scale,weighted,by,group,label,n,effective_n,mean,se,ci_low,ci_high,low_reliability,suppressed\n",
    );
    let num = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
    let mut line = |section: &str, wave: &str, by: &str, c: &Cell| {
        let cells = [
            section.to_string(),
            wave.to_string(),
            r.scale.clone(),
            r.weighted.to_string(),
            by.to_string(),
            c.key.clone(),
            c.label.clone(),
            c.n.map(|n| n.to_string()).unwrap_or_default(),
            num(c.effective_n),
            num(c.mean),
            num(c.se),
            num(c.ci_low),
            num(c.ci_high),
            c.low_reliability.to_string(),
            c.suppressed.to_string(),
        ];
        out.push_str(&cells.iter().map(|x| csv_cell(&formula_safe(x))).collect::<Vec<_>>().join(","));
        out.push('\n');
    };
    line("overall", &r.wave, "", &r.overall);
    for c in &r.rows {
        line("group", &r.wave, &r.by, c);
    }
    for p in &r.trend {
        line("trend", &p.wave, "", &p.estimate);
    }
    let by = r.group_trends_by.clone().unwrap_or_default();
    for g in &r.group_trends {
        for p in &g.points {
            line("group_trend", &p.wave, &by, &p.estimate);
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"survey-{}-results.csv\"", s.id)),
        ],
        out,
    )
        .into_response())
}
