//! Crime data routes: the analysis API under `/api/v1/analysis`, single incidents for police (audited), the
//! crime dashboard pages (jurisdiction, area, partnership) and the analysts' import page.

pub mod api;
pub mod displacement;
pub mod imports;
pub mod pages;

use crate::AppState;
use crate::context::Ctx;
use crate::crime::columns::{Columns, Selection};
use crate::crime::params::{self, Period};
use crate::crime::privacy::{self, Audience};
use crate::error::{AppError, AppResult};
use crate::routes::guarded;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use std::sync::Arc;

/// Who sees precise crime data, imports incidents and runs the police-only analyses.
pub(crate) const POLICE: &[commonbeat_domain::Role] =
    &[commonbeat_domain::Role::Police, commonbeat_domain::Role::Admin];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/analysis/trend", guarded(get(api::trend)))
        .route("/api/v1/analysis/hotspots", guarded(get(api::hotspots)))
        .route("/api/v1/analysis/kde", guarded(get(api::kde)))
        .route("/api/v1/analysis/near-repeat", guarded(get(api::near_repeat)))
        .route("/api/v1/analysis/places", guarded(get(api::places)))
        .route("/api/v1/analysis/moran", guarded(get(api::moran)))
        .route("/api/v1/analysis/displacement", guarded(post(api::displacement)))
        .route("/api/v1/incidents/{id}", guarded(get(api::incident)))
        .route("/crime", guarded(get(pages::dashboard)))
        .route("/crime/displacement", guarded(get(displacement::page)))
        .route("/crime/imports", guarded(get(imports::page).post(imports::upload)))
        .route("/crime/imports/{id}", guarded(get(imports::show)))
}

/// The filters every analysis takes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Start, ISO 8601 date or timestamp (inclusive) [default: a year before `to`].
    pub from: Option<String>,
    /// End, ISO 8601 date or timestamp (exclusive) [default: now].
    pub to: Option<String>,
    /// Category: violent, property, drugs, disorder, weapons, sex_offences, other [default: all].
    pub category: Option<String>,
    /// Area id [default: the whole jurisdiction].
    pub area: Option<i64>,
    /// Partnership slug: its areas [default: none].
    pub partnership: Option<String>,
}

/// A resolved analysis request: who is asking, over which incidents.
pub struct Scope {
    /// The cache.
    pub columns: Arc<Columns>,
    /// Police or public.
    pub audience: Audience,
    /// The period asked for (before the public lag).
    pub period: Period,
    /// The selection after the privacy rules.
    pub selection: Selection,
    /// The jurisdiction's zone.
    pub tz: jiff::tz::TimeZone,
}

impl Scope {
    /// The selected incidents.
    pub fn indexes(&self) -> Vec<u32> {
        self.columns.select(&self.selection)
    }
}

/// Resolves the filters for the caller.
pub async fn scope(state: &AppState, ctx: &Ctx, f: &Filters, with_point: bool) -> AppResult<Scope> {
    let tz = ctx.time_zone();
    let now = jiff::Timestamp::now().as_second();
    let period = params::period(f.from.as_deref(), f.to.as_deref(), &tz, now).map_err(|m| field_error(&m, "from"))?;
    if let Some(c) = &f.category
        && commonbeat_domain::incident::Category::parse(c).is_none()
    {
        return Err(AppError::invalid("category", format!("unknown category {c:?}")));
    }
    let mut areas = Vec::new();
    if let Some(a) = f.area {
        commonbeat_store::repo::areas::by_id(&state.db, ctx.jid(), a)
            .await
            .map_err(|_| AppError::invalid("area", format!("no area {a}")))?;
        areas.push(a);
    }
    if let Some(slug) = f.partnership.as_deref().filter(|s| !s.is_empty()) {
        let p = commonbeat_store::repo::partnerships::by_slug(&state.db, ctx.jid(), slug).await?;
        let linked = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), p.id).await?;
        areas.extend(linked.iter().map(|x| x.id));
        if areas.is_empty() {
            return Err(AppError::invalid("partnership", "the partnership has no areas"));
        }
    }
    let audience = Audience::of(ctx.role());
    let selection = privacy::restrict(
        Selection {
            from: period.from,
            to: period.to,
            category: f.category.clone().filter(|c| !c.is_empty()),
            areas,
            include_sensitive: true,
            with_point,
        },
        audience,
        now,
    );
    let columns = state.crime.get(&state.db, ctx.jid()).await?;
    Ok(Scope { columns, audience, period, selection, tz })
}

/// A 422 naming the parameter a message starts with (`from: …`).
pub fn field_error(message: &str, default_field: &str) -> AppError {
    match message.split_once(':') {
        Some((f, m)) if !f.contains(' ') => AppError::invalid(f, m.trim()),
        _ => AppError::invalid(default_field, message),
    }
}
