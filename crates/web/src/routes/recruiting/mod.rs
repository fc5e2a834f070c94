//! Recruiting with the community: outreach events co-hosted by partnerships with interest sign-ups, community
//! referrals confirmed by the candidate, the hiring pipeline, community interview panels scored on the anchored
//! rubric, fairness and source reports, and the public recruiting page.
//!
//! Who sees what (enforced here, on every route):
//! - **Recruiting staff** are administrators, and police accounts whose id is listed in the jurisdiction setting
//!   `recruiting.staff` (administrators maintain it on `/recruiting/settings`). Only they read candidates' personal
//!   data, and every such read is audited.
//! - **Panelists** see only the candidates they are assigned to, and of them only the name and the rubric.
//! - **Referrers** see only the stage each of their referrals has reached.
//! - **Everyone** sees public events, signs up with explicit consent, and sees suppressed aggregates.

pub mod api;
pub mod candidates;
pub mod events;
pub mod panels;
pub mod referrals;
pub mod reports;
pub mod settings;

use super::guarded;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use axum::Router;
use axum::routing::{get, post};
use commonbeat_domain::Role;
use commonbeat_domain::recruit::{Pipeline, Stage};
use commonbeat_store::entities::user;
use commonbeat_store::repo::recruiting::{STAFF_SETTING, STAGES_SETTING};
use commonbeat_store::repo::settings as store_settings;

/// Kinds of outreach event.
pub const EVENT_KINDS: [&str; 5] = ["fair", "school", "faith", "ride_along", "other"];

/// Race categories a candidate may describe themselves with (census ids).
pub const RACES: [&str; 8] = ["hispanic", "white", "black", "asian", "native", "pacific", "other", "multiracial"];

/// Sex categories (census ids).
pub const SEXES: [&str; 2] = ["female", "male"];

/// Recruiting routes (pages and API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recruiting", guarded(get(events::public_page)))
        .route("/recruiting/events", guarded(get(events::staff_list).post(events::create)))
        .route("/recruiting/events/{id}", guarded(get(events::show)))
        .route("/recruiting/events/{id}/signup", guarded(post(events::signup)))
        .route("/recruiting/events/{id}/attendance", guarded(post(events::attendance)))
        .route("/recruiting/refer", guarded(get(referrals::page).post(referrals::refer)))
        .route("/recruiting/confirm/{token}", guarded(get(referrals::confirm_page).post(referrals::confirm)))
        .route("/recruiting/candidates", guarded(get(candidates::list)))
        .route("/recruiting/candidates/{id}", guarded(get(candidates::show)))
        .route("/recruiting/candidates/{id}/stage", guarded(post(candidates::stage)))
        .route("/recruiting/candidates/{id}/panel", guarded(post(candidates::panel)))
        .route("/recruiting/panels", guarded(get(panels::list)))
        .route("/recruiting/panels/{id}", guarded(get(panels::sheet).post(panels::submit)))
        .route("/recruiting/reports", guarded(get(reports::page)))
        .route("/recruiting/settings", guarded(get(settings::page).post(settings::save)))
        .route("/recruiting/settings/purge", guarded(post(settings::purge)))
        .route("/api/v1/recruiting/events", guarded(get(api::events).post(api::create_event)))
        .route("/api/v1/recruiting/summary", guarded(get(api::summary)))
        .route("/api/v1/recruiting/candidates", guarded(get(api::candidates)))
        .route("/api/v1/recruiting/candidates/{id}", guarded(get(api::candidate)))
        .route("/api/v1/recruiting/candidates/{id}/stage", guarded(post(api::stage)))
        .route("/api/v1/recruiting/fairness", guarded(get(api::fairness)))
}

/// The ids in the `recruiting.staff` setting.
pub async fn staff_ids(state: &AppState, jid: i64) -> AppResult<Vec<i64>> {
    let v = store_settings::get(&state.db, jid, STAFF_SETTING).await?.unwrap_or_default();
    Ok(v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
}

/// Whether `u` is recruiting staff: an administrator, or a police account listed in `recruiting.staff`.
pub async fn is_staff_user(state: &AppState, jid: i64, u: &user::Model) -> AppResult<bool> {
    Ok(match commonbeat_store::repo::users::role_of(u) {
        Role::Admin => true,
        Role::Police => staff_ids(state, jid).await?.contains(&u.id),
        Role::Community => false,
    })
}

/// Whether the caller is recruiting staff.
pub async fn is_staff(state: &AppState, ctx: &Ctx) -> AppResult<bool> {
    match ctx.user.as_ref() {
        Some(u) => is_staff_user(state, ctx.jid(), u).await,
        None => Ok(false),
    }
}

/// The caller if they are recruiting staff; 401 when not signed in, 403 otherwise.
pub async fn require_staff<'c>(state: &AppState, ctx: &'c Ctx) -> AppResult<&'c user::Model> {
    let u = ctx.require_user()?;
    if is_staff_user(state, ctx.jid(), u).await? { Ok(u) } else { Err(AppError::Forbidden) }
}

/// The jurisdiction's pipeline: the `recruiting.stages` setting, or the default when unset or invalid.
pub async fn pipeline(state: &AppState, jid: i64) -> AppResult<Pipeline> {
    let v = store_settings::get(&state.db, jid, STAGES_SETTING).await?.unwrap_or_default();
    if v.trim().is_empty() {
        return Ok(Pipeline::default());
    }
    Ok(Pipeline::from_ids(v.split(',').map(str::trim)).unwrap_or_default())
}

/// The first stage of the pipeline (where new candidates enter).
pub fn first_stage(p: &Pipeline) -> Stage {
    p.stages().first().copied().unwrap_or(Stage::Lead)
}

/// A stage's name in the page language (stored ids that are not stages are shown as they are).
pub fn stage_label(t: &Tr, id: &str) -> String {
    match id.parse::<Stage>() {
        Ok(s) => t.t(&format!("recruit-stage-{}", s.as_str())),
        Err(_) => id.to_string(),
    }
}

/// A census category's name in the page language (empty = not said).
pub fn group_label(t: &Tr, id: &str) -> String {
    if id.is_empty() { t.t("recruit-group-unknown") } else { t.t(&format!("recruit-group-{id}")) }
}

/// `(value, label)` pairs for a select.
pub type Options = Vec<(String, String)>;

/// `(value, label)` pairs of the race and sex categories, for the forms.
pub fn group_options(t: &Tr) -> (Options, Options) {
    let f = |ids: &[&str]| ids.iter().map(|id| (id.to_string(), group_label(t, id))).collect();
    (f(&RACES), f(&SEXES))
}

/// A form field of a `Vec<(String, String)>` form, trimmed (empty when absent).
pub fn field(pairs: &[(String, String)], k: &str) -> String {
    pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
}

/// A self-described group kept only when it is one of `allowed`.
pub fn checked_group(value: &str, allowed: &[&str]) -> String {
    if allowed.contains(&value) { value.to_string() } else { String::new() }
}
