//! The results page: a labelled GET form for every option of the results (wave, scale, breakdown, weighting,
//! weight trimming, the area whose respondents are counted, the gap's two groups and per-group trend lines), the
//! tables, and the server-rendered charts beside them.

use super::charts;
use super::map;
use super::results::{ResultsOut, ResultsQuery, access, compute_results};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use commonbeat_domain::census::Dimension;
use commonbeat_store::entities::area;
use commonbeat_store::repo::{areas, surveys};
use std::collections::BTreeMap;

/// The trimming choices offered on the page (multiples of the mean weight).
const TRIMS: [&str; 3] = ["3", "5", "8"];

#[derive(Template)]
#[template(path = "surveys/results.html")]
struct ResultsPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    r: ResultsOut,
    analyst: bool,
    waves: Vec<(i64, String, bool)>,
    gap_line: String,
    bys: Vec<(String, String)>,
    /// (area id, name) of the shown wave's areas, for the respondents filter.
    area_choices: Vec<(String, String)>,
    /// (value, label) of the trimming choices, the first being off.
    trims: Vec<(String, String)>,
    trim: String,
    /// (key, label) of the breakdown's groups, for the gap pair.
    gap_choices: Vec<(String, String)>,
    gap_a: String,
    gap_b: String,
    /// (dimension, label) for per-group trends, the first being none.
    trend_dims: Vec<(String, String)>,
    query: String,
    map_svg: String,
    bars_svg: String,
    trend_svg: String,
    group_trends_svg: String,
    area_names: BTreeMap<i64, String>,
}

impl ResultsPage {
    fn fmt(&self, x: &Option<f64>) -> String {
        x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
    }
    fn area_name(&self, id: &i64) -> String {
        self.area_names.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
    fn area_sel(&self, id: &str) -> bool {
        self.r.area.map(|a| a.to_string()).as_deref() == Some(id)
    }
    fn trend_sel(&self, d: &str) -> bool {
        self.r.group_trends_by.as_deref().unwrap_or("") == d
    }
}

/// The results page.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(mut q): Query<ResultsQuery>,
) -> AppResult<Response> {
    let (s, analyst) = access(&state, &ctx, id).await?;
    let t = ctx.tr();
    // A gap pair left over from another breakdown (or half chosen) is dropped with a message, not an error page.
    let (r, error) = match compute_results(&state, &ctx, &s, analyst, &q).await {
        Err(AppError::Invalid { field, .. }) if field.starts_with("gap_") => {
            (q.gap_a, q.gap_b) = (None, None);
            (compute_results(&state, &ctx, &s, analyst, &q).await?, Some(t.t("survey-gap-invalid")))
        }
        other => (other?, None),
    };
    let wave_models = surveys::waves(&state.db, ctx.jid(), s.id).await?;
    let all_areas: Vec<area::Model> = areas::list(&state.db, ctx.jid(), None).await?;
    let area_names: BTreeMap<i64, String> = all_areas.iter().map(|a| (a.id, a.name.clone())).collect();
    let area_choices = wave_models
        .iter()
        .find(|w| Some(w.id) == r.wave_id)
        .map(|w| {
            surveys::wave_areas(w)
                .into_iter()
                .map(|a| (a.to_string(), area_names.get(&a).cloned().unwrap_or_else(|| a.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let waves = wave_models.into_iter().map(|w| (w.id, w.name, r.wave_id == Some(w.id))).collect();
    let gap_line =
        r.gap.as_ref().map(|g| t.t2("survey-gap-line", ("a", &g.a_label), ("b", &g.b_label))).unwrap_or_default();
    let mut bys = vec![("area".to_string(), t.t("survey-by-area"))];
    let dims: Vec<(String, String)> =
        Dimension::ALL.iter().map(|d| (d.as_str().to_string(), t.t(&format!("dim-{}", d.as_str())))).collect();
    bys.extend(dims.iter().cloned());
    let mut trend_dims = vec![(String::new(), t.t("survey-group-trends-none"))];
    trend_dims.extend(dims);
    let trim = q.trim.map(|x| format!("{x}")).unwrap_or_default();
    let mut trims = vec![(String::new(), t.t("survey-trim-off"))];
    trims.extend(TRIMS.iter().map(|x| (x.to_string(), t.t1("survey-trim-at", "x", x))));
    if !trim.is_empty() && !TRIMS.contains(&trim.as_str()) {
        trims.push((trim.clone(), t.t1("survey-trim-at", "x", &trim)));
    }
    let gap_choices = r.rows.iter().map(|c| (c.key.clone(), c.label.clone())).collect();
    let map_svg = if r.by == "area" { map::area_map(&all_areas, &r.rows, &t) } else { String::new() };
    let bars_svg = charts::bars(&r.rows, &t.t("survey-chart-bars"), r.gap.as_ref());
    let trend_svg = charts::trend(&r.trend, &t.t("survey-chart-trend"));
    let group_trends_svg = charts::group_trends(&r.group_trends, &t.t("survey-chart-group-trends"));
    let opt = |x: &Option<String>| x.clone().unwrap_or_default();
    let query = serde_urlencoded::to_string([
        ("wave", r.wave_id.map(|w| w.to_string()).unwrap_or_default()),
        ("by", r.by.clone()),
        ("scale", r.scale.clone()),
        ("weighted", r.weighted.to_string()),
        ("area", r.area.map(|a| a.to_string()).unwrap_or_default()),
        ("trim", trim.clone()),
        ("gap_a", opt(&q.gap_a)),
        ("gap_b", opt(&q.gap_b)),
        ("group_trends", opt(&r.group_trends_by)),
    ])
    .unwrap_or_default();
    let title = t.t1("survey-results-title", "title", &s.title);
    render(&ResultsPage {
        shell: Shell::titled(&ctx, title),
        error,
        notice: None,
        analyst,
        waves,
        gap_line,
        bys,
        area_choices,
        trims,
        trim,
        gap_choices,
        gap_a: opt(&q.gap_a),
        gap_b: opt(&q.gap_b),
        trend_dims,
        query,
        map_svg,
        bars_svg,
        trend_svg,
        group_trends_svg,
        area_names,
        r,
    })
}
