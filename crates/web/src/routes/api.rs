//! The JSON API under `/api/v1` and the OpenAPI document at `/api/openapi.json`.
//! Authentication: a bearer API token, or the browser session (then state changes need the CSRF header).

use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::timefmt::iso_utc;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

/// API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", super::guarded(get(me)))
        .route("/api/v1/jurisdiction", super::guarded(get(jurisdiction)))
        .route("/api/openapi.json", super::guarded(get(openapi_json)))
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// Account id.
    pub id: i64,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `police` or `community`.
    pub role: String,
    /// `police` or `community`.
    pub side: String,
    /// Preferred language (`en` or `es`).
    pub locale: String,
    /// Whether MFA is enabled.
    pub mfa_enabled: bool,
    /// Jurisdiction id.
    pub jurisdiction_id: i64,
    /// Account creation time (ISO 8601, UTC).
    pub created_at: String,
}

/// An error body.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// Human-readable message in the request's language.
    pub error: String,
    /// The offending field, for validation errors.
    pub field: Option<String>,
}

/// Returns the signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The signed-in account", body = Me),
              (status = 401, description = "Not signed in or invalid token", body = ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(ctx: Ctx) -> AppResult<Json<Me>> {
    let u = ctx.require_user()?;
    let role = commonbeat_store::repo::users::role_of(u);
    Ok(Json(Me {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role: role.as_str().into(),
        side: role.side().as_str().into(),
        locale: u.locale.clone(),
        mfa_enabled: u.mfa_enabled,
        jurisdiction_id: u.jurisdiction_id,
        created_at: iso_utc(u.created_at),
    }))
}

/// Public facts about the jurisdiction serving this host.
#[derive(Serialize, ToSchema)]
pub struct JurisdictionInfo {
    /// Id (Open311 `jurisdiction_id`).
    pub id: i64,
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
}

/// Returns the jurisdiction this host serves. Public; rate limited.
#[utoipa::path(get, path = "/api/v1/jurisdiction", tag = "public",
    responses((status = 200, description = "The jurisdiction", body = JurisdictionInfo),
              (status = 429, description = "Too many requests", body = ApiError)))]
pub async fn jurisdiction(ctx: Ctx) -> AppResult<Json<JurisdictionInfo>> {
    let j = &ctx.jurisdiction;
    Ok(Json(JurisdictionInfo { id: j.id, slug: j.slug.clone(), name: j.name.clone(), time_zone: j.time_zone.clone() }))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
