//! Areas (beats, districts, neighbourhoods): public list and page with an outline map and census figures.

use super::guarded;
use super::pages::{Shell, render};
use super::partnerships::view::category_label;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use commonbeat_domain::census::Dimension;
use commonbeat_store::repo::{areas, partnerships};

/// Area routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/areas", guarded(get(list)))
        .route("/areas/map.geojson", guarded(get(geojson)))
        .route("/areas/{id}", guarded(get(show)))
}

#[derive(serde::Deserialize)]
struct FocusQuery {
    #[serde(default)]
    focus: String,
}

/// The map URL for a set of focused areas.
pub fn map_url(focus: &[i64]) -> String {
    let ids: Vec<String> = focus.iter().map(|i| i.to_string()).collect();
    format!("/areas/map.geojson?focus={}", ids.join(","))
}

/// `GET /areas/map.geojson?focus=1,2` — every area, simplified, with the focused ones marked. Public.
async fn geojson(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<FocusQuery>,
) -> AppResult<axum::Json<serde_json::Value>> {
    let focus: Vec<i64> = q.focus.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    let all = areas::list(&state.db, ctx.jid(), None).await?;
    Ok(axum::Json(crate::maps::feature_collection(&all, &focus)))
}

struct AreaRow {
    id: i64,
    name: String,
    kind: String,
    size_km2: String,
}

#[derive(Template)]
#[template(path = "areas/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<AreaRow>,
    map_svg: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let t = ctx.tr();
    let all = areas::list(&state.db, ctx.jid(), None).await?;
    let rows = all
        .iter()
        .map(|a| AreaRow {
            id: a.id,
            name: a.name.clone(),
            kind: t.t(&format!("area-kind-{}", a.kind)),
            size_km2: format!("{:.2}", a.area_m2 / 1e6),
        })
        .collect();
    let map_svg = crate::maps::enhanceable(
        crate::maps::svg_map(&all, &[], &t.t("areas-map-title"), &t.t("areas-map-desc")),
        &map_url(&[]),
        &t.t("areas-map-title"),
        state.config.tile_url.as_deref(),
    );
    render(&ListPage { shell: Shell::new(&ctx, "areas-title"), rows, map_svg })
}

struct DimTable {
    label: String,
    total: i64,
    rows: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "areas/show.html")]
struct ShowPage {
    shell: Shell,
    id: i64,
    name: String,
    kind: String,
    size_km2: String,
    map_svg: String,
    dims: Vec<DimTable>,
    partnerships: Vec<(String, String)>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let t = ctx.tr();
    let a = areas::by_id(&state.db, ctx.jid(), id).await?;
    let all = areas::list(&state.db, ctx.jid(), None).await?;
    let census = areas::demographics(&state.db, ctx.jid(), &[a.id]).await?;
    let dims = Dimension::ALL
        .iter()
        .filter_map(|d| {
            let c = census.get(d.as_str())?;
            let total: i64 = c.values().sum();
            let rows = d
                .categories()
                .iter()
                .map(|cat| {
                    let n = c.get(*cat).copied().unwrap_or(0);
                    let pct =
                        if total > 0 { format!("{:.1} %", n as f64 * 100.0 / total as f64) } else { "—".into() };
                    (category_label(&t, d.as_str(), cat), n, pct)
                })
                .collect();
            Some(DimTable { label: t.t(&format!("dim-{}", d.as_str())), total, rows })
        })
        .collect();
    let ps =
        partnerships::list(&state.db, ctx.jid(), &partnerships::Filter { area_id: Some(a.id), ..Default::default() })
            .await?
            .into_iter()
            .map(|p| (p.slug, p.name))
            .collect();
    let map_svg = crate::maps::enhanceable(
        crate::maps::svg_map(
            &all,
            &[(a.clone(), None, a.name.clone())],
            &t.t1("area-map-title", "name", &a.name),
            &t.t("area-map-desc"),
        ),
        &map_url(&[a.id]),
        &t.t1("area-map-title", "name", &a.name),
        state.config.tile_url.as_deref(),
    );
    render(&ShowPage {
        shell: Shell::titled(&ctx, a.name.clone()),
        id: a.id,
        kind: t.t(&format!("area-kind-{}", a.kind)),
        size_km2: format!("{:.2}", a.area_m2 / 1e6),
        name: a.name,
        map_svg,
        dims,
        partnerships: ps,
    })
}
