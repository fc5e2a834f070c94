//! Areas (beats, districts, neighbourhoods): public list and page with an outline map, census figures and the
//! area's ZIP codes; administrators set the ZIP codes on the area page (`POST /areas/{id}/zips`, or in bulk with
//! `commonbeat import zips`). A ZIP maps to one area; the survey form and results use the mapping.

use super::guarded;
use super::pages::{Shell, render};
use super::partnerships::view::category_label;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use commonbeat_domain::Role;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::zip::parse_zip_list;
use commonbeat_store::StoreError;
use commonbeat_store::repo::{areas, partnerships, zips};
use serde_json::json;

/// Area routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/areas", guarded(get(list)))
        .route("/areas/map.geojson", guarded(get(geojson)))
        .route("/areas/{id}", guarded(get(show)))
        .route("/areas/{id}/zips", guarded(post(set_zips)))
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
    zips: String,
    /// The ZIP form for administrators: (CSRF token, the typed value).
    zip_form: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&state, &ctx, id, None, None, None, StatusCode::OK).await
}

/// The administrators' ZIP form.
#[derive(Debug, serde::Deserialize)]
struct ZipForm {
    #[serde(default)]
    zips: String,
}

/// Sets an area's ZIP codes (administrators). Bad entries or a ZIP that another area has are shown on the page
/// with what was typed (422), and nothing changes.
async fn set_zips(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ZipForm>,
) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let a = areas::by_id(&state.db, ctx.jid(), id).await?;
    let bad = |msg: String| {
        show_page(&state, &ctx, a.id, Some(msg), None, Some(f.zips.clone()), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let list = match parse_zip_list(&f.zips) {
        Ok(l) => l,
        Err(wrong) => return bad(t.t1("area-zips-error", "zips", &wrong.join(", "))).await,
    };
    let codes: Vec<String> = list.iter().map(|z| z.as_str().to_string()).collect();
    let mapped = zips::all(&state.db, ctx.jid()).await?;
    if let Some((zip, other)) = codes.iter().find_map(|z| mapped.get(z).filter(|x| **x != a.id).map(|x| (z, *x))) {
        let other = areas::by_id(&state.db, ctx.jid(), other).await?.name;
        return bad(t.t2("area-zips-taken", ("zip", zip), ("area", &other))).await;
    }
    match zips::set_for_area(&state.db, ctx.jid(), a.id, &codes).await {
        Ok(()) => {}
        Err(StoreError::Invalid(m)) => return bad(m).await,
        Err(e) => return Err(AppError::from(e)),
    }
    ctx.audit(&state, "area.zips", &format!("area:{}", a.id), "success", json!({"zips": codes})).await?;
    show_page(&state, &ctx, a.id, None, Some(t.t("area-zips-saved")), None, StatusCode::OK).await
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
    typed: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
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
    let zips = zips::by_area(&state.db, ctx.jid()).await?.remove(&a.id).unwrap_or_default().join(", ");
    let zip_form = (ctx.role() == Some(Role::Admin)).then(|| (ctx.csrf.clone(), typed.unwrap_or_else(|| zips.clone())));
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
    super::pages::render_status(
        status,
        &ShowPage {
            shell: Shell::titled(ctx, a.name.clone()),
            id: a.id,
            kind: t.t(&format!("area-kind-{}", a.kind)),
            size_km2: format!("{:.2}", a.area_m2 / 1e6),
            name: a.name,
            map_svg,
            dims,
            partnerships: ps,
            zips,
            zip_form,
            error,
            notice,
        },
    )
}
