//! The crime dashboard: one page for the jurisdiction, an area (`?area=`) or a partnership's areas
//! (`?partnership=`): totals by category, the monthly trend as an SVG chart with its table, the Gi* hotspot map
//! (server-rendered SVG grid, enhanced by Leaflet) with a table of the hottest cells, the risky places and, for
//! police, the near-repeat table. The public sees the privacy-safe view; the page says what was withheld.

use super::{Filters, Scope, scope};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::privacy::{self, Audience};
use crate::crime::spatial::{self, CellsShown, HotCell};
use crate::crime::temporal;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use commonbeat_analysis::trend::Interval;
use commonbeat_domain::incident::Category;

/// Most incidents the page's near-repeat table reads (the API allows more); beyond it the page asks to narrow.
pub const PAGE_NEAR_REPEAT_MAX_EVENTS: usize = 5_000;

/// A category count row.
pub struct CategoryRow {
    label: String,
    count: u64,
}

/// One month of the trend.
pub struct TrendRow {
    label: String,
    count: String,
    year_before: String,
    change: String,
}

/// A bar of the SVG chart.
pub struct Bar {
    x: u32,
    y: u32,
    h: u32,
    title: String,
}

/// A cell of the SVG hotspot grid.
pub struct SvgCell {
    x: String,
    y: String,
    size: String,
    fill: &'static str,
}

/// A row of the hottest cells.
pub struct HotRow {
    rank: usize,
    place: String,
    count: String,
    z: String,
    class: String,
}

/// A near-repeat row: one distance band, a cell per time band.
pub struct NearRow {
    band: String,
    cells: Vec<String>,
}

/// A place and its count.
pub struct PlaceRow {
    name: String,
    count: u64,
}

#[derive(Template)]
#[template(path = "crime/dashboard.html")]
struct Dashboard {
    shell: Shell,
    is_public: bool,
    is_police: bool,
    from: String,
    to: String,
    areas: Vec<(i64, String, bool)>,
    categories: Vec<(String, String, bool)>,
    partnership: String,
    total: u64,
    by_category: Vec<CategoryRow>,
    trend: Vec<TrendRow>,
    bars: Vec<Bar>,
    bar_w: u32,
    line: String,
    chart_max: u64,
    latest: String,
    hot_svg: Vec<SvgCell>,
    hot_box: String,
    hot_rows: Vec<HotRow>,
    geojson_url: String,
    tiles: String,
    near: Option<(Vec<String>, Vec<NearRow>)>,
    near_note: String,
    blocks: Vec<PlaceRow>,
    types: Vec<PlaceRow>,
    concentration: String,
    query: String,
}

fn date_of(t: i64, tz: &jiff::tz::TimeZone) -> String {
    crate::crime::params::local_date(t, tz).to_string()
}

fn class_fill(class: i8) -> &'static str {
    match class {
        3 => "#b50909",
        2 => "#e52207",
        1 => "#f2938c",
        -1 => "#97d4ea",
        -2 => "#28a0cb",
        -3 => "#005ea2",
        _ => "#f0f0f0",
    }
}

fn class_label(t: &Tr, class: i8) -> String {
    t.t(&format!("crime-class-{}", if class < 0 { format!("cold{}", -class) } else { format!("hot{class}") }))
}

fn trend_view(t: &Tr, s: &Scope) -> (Vec<TrendRow>, Vec<Bar>, String, u64, String) {
    let tr = temporal::trend_data(s, Interval::Month);
    let visible: Vec<_> = tr.periods.iter().filter(|p| p.start < s.selection.to).collect();
    let max = visible.iter().map(|p| p.count.max(p.count_year_before)).max().unwrap_or(0).max(1);
    let (w, h) = (600u32, 160u32);
    let slot = w / (visible.len().max(1) as u32);
    let scale = |n: u64| ((n as f64 / max as f64) * h as f64).round() as u32;
    let bars = visible
        .iter()
        .enumerate()
        .map(|(i, p)| Bar {
            x: i as u32 * slot + 2,
            y: h - scale(p.count),
            h: scale(p.count),
            title: format!("{}: {}", p.start_date, p.count),
        })
        .collect();
    let line = visible
        .iter()
        .enumerate()
        .filter(|(_, p)| temporal::year_before_covered(s, p.year_before_start))
        .map(|(i, p)| format!("{},{}", i as u32 * slot + slot / 2, h - scale(p.count_year_before)))
        .collect::<Vec<_>>()
        .join(" ");
    let rows = tr
        .periods
        .iter()
        .map(|p| {
            let covered = temporal::year_before_covered(s, p.year_before_start);
            TrendRow {
                label: if p.complete {
                    p.start_date.strftime("%Y-%m").to_string()
                } else {
                    format!("{} ({})", p.start_date.strftime("%Y-%m"), t.t("crime-incomplete"))
                },
                count: if p.start < s.selection.to { p.count.to_string() } else { t.t("crime-not-published") },
                year_before: if covered { p.count_year_before.to_string() } else { "–".into() },
                change: p
                    .yoy_change_pct
                    .filter(|_| covered && p.complete)
                    .map(|c| format!("{c:+.0} %"))
                    .unwrap_or_else(|| "–".into()),
            }
        })
        .collect();
    let latest = match &tr.latest_complete {
        Some(l) => {
            let p = &tr.periods[l.index];
            let verdict =
                if l.e_test_p < 0.05 { t.t("crime-change-significant") } else { t.t("crime-change-not-significant") };
            format!(
                "{} {}: {} ({} {}), p = {:.3}. {}",
                t.t("crime-latest-month"),
                p.start_date.strftime("%Y-%m"),
                l.count,
                l.count_year_before,
                t.t("crime-a-year-earlier"),
                l.e_test_p,
                verdict
            )
        }
        None => String::new(),
    };
    (rows, bars, line, max, latest)
}

fn hot_view(t: &Tr, s: &Scope, idx: &[u32]) -> (Vec<SvgCell>, Vec<HotRow>, String) {
    let Ok(h) = spatial::hotspots(&s.columns, idx, 250.0, CellsShown::All, s.audience) else {
        return (vec![], vec![], String::new());
    };
    let Some(grid) = h.grid else { return (vec![], vec![], String::new()) };
    let cells = h.cells;
    let rows = grid.rows.max(1) as f64;
    let cols = grid.cols.max(1) as f64;
    let size = (400.0 / rows.max(cols)).min(40.0);
    let svg = cells
        .iter()
        .filter(|c| c.count.is_some_and(|n| n > 0) || c.class != 0)
        .map(|c: &HotCell| SvgCell {
            x: format!("{:.1}", c.col as f64 * size),
            y: format!("{:.1}", (rows - 1.0 - c.row as f64) * size),
            size: format!("{size:.1}"),
            fill: class_fill(c.class),
        })
        .collect();
    let rows_n = rows;
    let mut hot: Vec<&HotCell> = cells.iter().filter(|c| c.class > 0 && c.count.is_some()).collect();
    hot.sort_by(|a, b| b.gi_z.partial_cmp(&a.gi_z).unwrap_or(std::cmp::Ordering::Equal));
    let rows = hot
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, c)| HotRow {
            rank: i + 1,
            place: format!("{:.3}, {:.3}", c.centre.1, c.centre.0),
            count: c.count.map(|n| n.to_string()).unwrap_or_else(|| t.t("crime-suppressed")),
            z: c.gi_z.map(|z| format!("{z:.2}")).unwrap_or_default(),
            class: class_label(t, c.class),
        })
        .collect();
    let view_box = format!("0 0 {:.0} {:.0}", cols * size, rows_n * size);
    (svg, rows, view_box)
}

/// The dashboard.
pub async fn dashboard(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Filters>) -> AppResult<Response> {
    let t = ctx.tr();
    let s = scope(&state, &ctx, &f, false).await?;
    let now = jiff::Timestamp::now().as_second();
    let totals_sel = privacy::for_area_totals(s.selection.clone(), s.audience, now);
    let all = s.columns.select(&totals_sel);
    let mut by_cat: Vec<CategoryRow> = Category::ALL
        .iter()
        .map(|c| {
            let id = s.columns.categories.id_of(c.as_str());
            CategoryRow {
                label: t.t(&format!("crime-cat-{}", c.as_str())),
                count: id
                    .map(|id| all.iter().filter(|&&i| s.columns.category[i as usize] as u32 == id).count() as u64)
                    .unwrap_or(0),
            }
        })
        .collect();
    by_cat.retain(|r| r.count > 0 || !s.audience.is_public());
    let idx = s.indexes();
    let with_point: Vec<u32> = idx.iter().copied().filter(|&i| s.columns.has_point(i as usize)).collect();
    let (trend, bars, line, chart_max, latest) = trend_view(&t, &s);
    let (hot_svg, hot_rows, hot_box) = hot_view(&t, &s, &with_point);
    let is_police = s.audience == Audience::Police;
    let (near, near_note) = if is_police {
        if with_point.len() > PAGE_NEAR_REPEAT_MAX_EVENTS {
            (None, t.t("crime-near-too-many"))
        } else {
            match spatial::near_repeats(
                &s.columns,
                &with_point,
                &[0.0, 100.0, 200.0, 400.0],
                &[0.0, 7.0, 14.0, 28.0],
                99,
                1,
            ) {
                Ok(tab) => {
                    let rows = (0..tab.distance_bands.len())
                        .map(|d| NearRow {
                            band: tab.distance_bands[d].label("m"),
                            cells: (0..tab.time_bands.len())
                                .map(|k| {
                                    let c = tab.cell(d, k);
                                    format!(
                                        "{} / {:.1} ({}), p = {:.2}",
                                        c.observed,
                                        c.expected,
                                        c.ratio.map(|r| format!("×{r:.2}")).unwrap_or_else(|| "–".into()),
                                        c.p_value
                                    )
                                })
                                .collect(),
                        })
                        .collect();
                    (Some((tab.time_labels(), rows)), t.t("crime-near-method"))
                }
                Err(e) => (None, e),
            }
        }
    } else {
        (None, String::new())
    };
    let places = temporal::places(&s.columns, &idx, s.audience);
    let list = |v: &serde_json::Value, key: &str| -> Vec<PlaceRow> {
        v["top"]
            .as_array()
            .map(|a| {
                a.iter()
                    .take(10)
                    .map(|x| PlaceRow {
                        name: x[key].as_str().unwrap_or("").to_string(),
                        count: x["incidents"].as_u64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let pct = |v: &serde_json::Value| {
        v["share"].as_f64().map(|x| format!("{:.0} %", x * 100.0)).unwrap_or_else(|| "–".into())
    };
    let b = &places["blocks"];
    let concentration = t
        .t("crime-concentration")
        .replace("{top5}", &pct(&b["top5"]))
        .replace("{top10}", &pct(&b["top10"]))
        .replace("{top20}", &pct(&b["top20"]))
        .replace("{repeat}", &b["repeat_places"].to_string());
    let mut query = serde_urlencoded::to_string([
        ("from", date_of(s.period.from, &s.tz)),
        ("to", date_of(s.period.to, &s.tz)),
        ("category", f.category.clone().unwrap_or_default()),
        ("partnership", f.partnership.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    if let Some(a) = f.area {
        query.push_str(&format!("&area={a}"));
    }
    let area_list = commonbeat_store::repo::areas::list(&state.db, ctx.jid(), None).await?;
    let scope_label = match (f.area, f.partnership.as_deref().filter(|p| !p.is_empty())) {
        (Some(a), _) => area_list.iter().find(|x| x.id == a).map(|x| x.name.clone()).unwrap_or_default(),
        (None, Some(p)) => commonbeat_store::repo::partnerships::by_slug(&state.db, ctx.jid(), p).await?.name,
        _ => ctx.jurisdiction.name.clone(),
    };
    render(&Dashboard {
        shell: Shell::titled(&ctx, t.t1("crime-title", "scope", &scope_label)),
        is_public: s.audience.is_public(),
        is_police,
        from: date_of(s.period.from, &s.tz),
        to: date_of(s.period.to, &s.tz),
        areas: area_list.iter().map(|a| (a.id, format!("{} ({})", a.name, a.kind), f.area == Some(a.id))).collect(),
        categories: Category::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str().to_string(),
                    t.t(&format!("crime-cat-{}", c.as_str())),
                    f.category.as_deref() == Some(c.as_str()),
                )
            })
            .collect(),
        partnership: f.partnership.clone().unwrap_or_default(),
        total: all.len() as u64,
        by_category: by_cat,
        trend,
        bar_w: (600 / bars.len().max(1) as u32).saturating_sub(4).max(1),
        bars,
        line,
        chart_max,
        latest,
        hot_svg,
        hot_box,
        hot_rows,
        geojson_url: format!("/api/v1/analysis/hotspots?{query}&cells=nonzero"),
        tiles: state.config.tile_url.clone().unwrap_or_default(),
        near,
        near_note,
        blocks: list(&places["blocks"], "block"),
        types: list(&places["location_types"], "location_type"),
        concentration,
        query,
    })
}
