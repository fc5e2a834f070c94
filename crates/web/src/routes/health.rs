//! `GET /healthz`: 200 when the database answers, 503 otherwise. Outside the request context (no host lookup).

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

/// Health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// Health of the service.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Database reachable"), (status = 503, description = "Database unreachable")))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    if state.db.ping().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "database unavailable"})))
    }
}
