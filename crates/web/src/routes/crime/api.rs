//! The analysis API. Police and administrators get precise results; everyone else gets the privacy-safe
//! variant ([`crate::crime::privacy`]): sensitive incidents only in area totals, a publication lag, grids of at
//! least 250 m with small cells suppressed, and no near-repeat table, displacement or incident details.

use super::{Filters, field_error, scope};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::spatial::{self, CellsShown};
use crate::crime::temporal;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::POLICE;

/// `interval` for the trend.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// day, week or month [default: month].
    pub interval: Option<String>,
}

/// Counts per period with the same period a year earlier, the year-over-year change, and the Poisson E-test
/// for the latest complete period against a year earlier.
#[utoipa::path(get, path = "/api/v1/analysis/trend", tag = "crime", params(Filters, TrendQuery),
    responses((status = 200, description = "Trend", body = Object), (status = 422, body = crate::routes::api::ApiError)))]
pub async fn trend(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<Filters>,
    Query(q): Query<TrendQuery>,
) -> AppResult<Json<Value>> {
    let interval = temporal::interval(q.interval.as_deref().unwrap_or("month"))
        .ok_or_else(|| AppError::invalid("interval", "use day, week or month"))?;
    let s = scope(&state, &ctx, &f, false).await?;
    Ok(Json(temporal::trend(&s, interval)))
}

/// Grid options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridQuery {
    /// Cell side in metres [default: 250; the public never gets less than 250].
    pub cell_m: Option<f64>,
    /// nonzero, significant or all [default: nonzero].
    pub cells: Option<String>,
    /// Kernel radius in metres, for kde [default: 400].
    pub radius_m: Option<f64>,
}

fn cell_size(q: &GridQuery) -> AppResult<f64> {
    let c = q.cell_m.unwrap_or(250.0);
    if !(25.0..=5000.0).contains(&c) {
        return Err(AppError::invalid("cell_m", "give a cell size between 25 and 5000 metres"));
    }
    Ok(c)
}

/// Getis-Ord Gi* hotspots on a grid covering the incidents, as a GeoJSON FeatureCollection with a top-level
/// `grid` member; every cell of the grid (zeros included) enters the statistic.
#[utoipa::path(get, path = "/api/v1/analysis/hotspots", tag = "crime", params(Filters, GridQuery),
    responses((status = 200, description = "GeoJSON FeatureCollection", body = Object), (status = 422, body = crate::routes::api::ApiError)))]
pub async fn hotspots(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<Filters>,
    Query(q): Query<GridQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let cell_m = cell_size(&q)?;
    let shown = CellsShown::parse(q.cells.as_deref().unwrap_or("nonzero"))
        .ok_or_else(|| AppError::invalid("cells", "use nonzero, significant or all"))?;
    let s = scope(&state, &ctx, &f, true).await?;
    let idx = s.indexes();
    let h = spatial::hotspots(&s.columns, &idx, cell_m, shown, s.audience).map_err(|m| field_error(&m, "cell_m"))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/geo+json")], h.geojson).into_response())
}

/// Quartic kernel density on a grid (incidents per km², row-major values) for heat maps.
#[utoipa::path(get, path = "/api/v1/analysis/kde", tag = "crime", params(Filters, GridQuery),
    responses((status = 200, description = "Density grid", body = Object), (status = 422, body = crate::routes::api::ApiError)))]
pub async fn kde(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<Filters>,
    Query(q): Query<GridQuery>,
) -> AppResult<Json<Value>> {
    let cell_m = cell_size(&GridQuery { cell_m: q.cell_m.or(Some(100.0)), cells: None, radius_m: None })?;
    let radius = q.radius_m.unwrap_or(400.0);
    if !(50.0..=5000.0).contains(&radius) {
        return Err(AppError::invalid("radius_m", "give a radius between 50 and 5000 metres"));
    }
    let s = scope(&state, &ctx, &f, true).await?;
    let idx = s.indexes();
    Ok(Json(spatial::kde(&s.columns, &idx, radius, cell_m, s.audience).map_err(|m| field_error(&m, "cell_m"))?))
}

/// Near-repeat options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearRepeatQuery {
    /// Distance band edges in metres, half-open bands [a, b) [default: 0,100,200,400].
    pub distance_bands_m: Option<String>,
    /// Time band edges in days, half-open bands [a, b) [default: 0,7,14,28].
    pub time_bands_days: Option<String>,
    /// Monte-Carlo permutations, 9–999 [default: 99].
    pub permutations: Option<u32>,
    /// Seed of the permutations [default: 1].
    pub seed: Option<u64>,
}

/// Most incidents the near-repeat table reads (pairs grow with the square).
pub const NEAR_REPEAT_MAX_EVENTS: usize = 20_000;

/// The Knox near-repeat table (police and administrators).
#[utoipa::path(get, path = "/api/v1/analysis/near-repeat", tag = "crime", params(Filters, NearRepeatQuery),
    responses((status = 200, description = "Knox table per band pair", body = Object), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn near_repeat(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<Filters>,
    Query(q): Query<NearRepeatQuery>,
) -> AppResult<Json<Value>> {
    ctx.require_role(POLICE)?;
    let d = crate::crime::params::edges("distance_bands_m", q.distance_bands_m.as_deref().unwrap_or("0,100,200,400"))
        .map_err(|m| field_error(&m, "distance_bands_m"))?;
    let t = crate::crime::params::edges("time_bands_days", q.time_bands_days.as_deref().unwrap_or("0,7,14,28"))
        .map_err(|m| field_error(&m, "time_bands_days"))?;
    let permutations = q.permutations.unwrap_or(99);
    if !(9..=999).contains(&permutations) {
        return Err(AppError::invalid("permutations", "give between 9 and 999 permutations"));
    }
    let s = scope(&state, &ctx, &f, true).await?;
    let idx = s.indexes();
    if idx.len() > NEAR_REPEAT_MAX_EVENTS {
        return Err(AppError::invalid(
            "from",
            format!(
                "{} incidents selected; narrow the period, area or category to at most {NEAR_REPEAT_MAX_EVENTS}",
                idx.len()
            ),
        ));
    }
    let table = spatial::near_repeats(&s.columns, &idx, &d, &t, permutations, q.seed.unwrap_or(1))
        .map_err(|m| AppError::invalid("distance_bands_m", m))?;
    Ok(Json(temporal::near_repeat_json(&table)))
}

/// Concentration at places: the share of incidents at the top 5/10/20 % of blocks and of location types, and
/// repeat places.
#[utoipa::path(get, path = "/api/v1/analysis/places", tag = "crime", params(Filters),
    responses((status = 200, description = "Place concentration", body = Object), (status = 422, body = crate::routes::api::ApiError)))]
pub async fn places(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Filters>) -> AppResult<Json<Value>> {
    let s = scope(&state, &ctx, &f, false).await?;
    let idx = s.indexes();
    Ok(Json(temporal::places(&s.columns, &idx, s.audience)))
}

/// Moran's I options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MoranQuery {
    /// Area kind: beat, district or neighborhood [default: beat].
    pub kind: Option<String>,
    /// Use counts per km² instead of counts [default: false].
    pub rate: Option<bool>,
}

/// Global Moran's I (row-standardised queen contiguity) over the counts or rates of the areas of one kind.
#[utoipa::path(get, path = "/api/v1/analysis/moran", tag = "crime", params(Filters, MoranQuery),
    responses((status = 200, description = "Moran's I", body = Object), (status = 422, body = crate::routes::api::ApiError)))]
pub async fn moran(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<Filters>,
    Query(q): Query<MoranQuery>,
) -> AppResult<Json<Value>> {
    let kind = q.kind.clone().unwrap_or_else(|| "beat".into());
    let mut s = scope(&state, &ctx, &f, false).await?;
    // Area totals include sensitive incidents; the lag still applies to the public.
    s.selection =
        crate::crime::privacy::for_area_totals(s.selection.clone(), s.audience, jiff::Timestamp::now().as_second());
    let idx = s.indexes();
    let (values, m) = spatial::moran(&s.columns, &idx, &kind, q.rate.unwrap_or(false));
    if values.is_empty() {
        return Err(AppError::invalid("kind", format!("no areas of kind {kind:?}")));
    }
    Ok(Json(json!({
        "kind": kind,
        "rate": q.rate.unwrap_or(false),
        "weights": "queen contiguity, row-standardised",
        "areas": values.iter().map(|(id, name, v)| json!({"id": id, "name": name, "value": v})).collect::<Vec<_>>(),
        "moran": m.map(|m| json!({"i": m.i, "expected": m.expected, "z_norm": m.z_norm, "p_norm": m.p_norm,
                                  "z_rand": m.z_rand, "p_rand": m.p_rand})),
    })))
}

/// Displacement analysis (police and administrators): target, buffer and control areas given as area ids or
/// GeoJSON polygons (the buffer also as `{"type": "RingBuffer", "around": <GeoJSON polygon>, "width_m": 150}`:
/// the points within that many metres of the polygon and outside it), before and after periods.
#[utoipa::path(post, path = "/api/v1/analysis/displacement", tag = "crime", request_body = Object,
    responses((status = 200, description = "SM, BDM, WDQ, net effect, WDD and E-test", body = Object), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn displacement(State(state): State<AppState>, ctx: Ctx, Json(body): Json<Value>) -> AppResult<Json<Value>> {
    ctx.require_role(POLICE)?;
    let columns = state.crime.get(&state.db, ctx.jid()).await?;
    let tz = ctx.time_zone();
    let out = temporal::displacement(&columns, &body, &tz).map_err(|m| field_error(&m, "target"))?;
    Ok(Json(out))
}

/// One incident with every detail (police and administrators). Every read is audited.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "crime",
    params(("id" = i64, Path, description = "Incident id")),
    responses((status = 200, description = "The incident", body = Object), (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn incident(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    ctx.require_role(POLICE)?;
    let i = commonbeat_store::repo::incidents::by_id(&state.db, ctx.jid(), id).await?;
    ctx.audit(&state, "incident.read", &format!("incident:{id}"), "success", json!({"source_id": i.source_id})).await?;
    Ok(Json(json!({
        "id": i.id, "source_id": i.source_id,
        "occurred_at": jiff::Timestamp::from_second(i.occurred_at).map(|t| t.to_string()).unwrap_or_default(),
        "offence_code": i.offence_code, "offence": i.offence, "category": i.category, "sensitive": i.sensitive,
        "lon": i.lon, "lat": i.lat, "block": i.block, "location_type": i.location_type, "arrest": i.arrest,
        "import_id": i.import_id,
    })))
}
