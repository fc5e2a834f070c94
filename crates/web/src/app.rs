//! The application: shared state, the router with its layers, and the server launch function.

use crate::config::WebConfig;
use crate::middleware::{self, BODY_LIMIT};
use crate::{assets, jobs, routes};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use commonbeat_store::Db;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// State shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Configuration.
    pub config: Arc<WebConfig>,
    /// Incidents in memory for the analyses.
    pub crime: Arc<crate::crime::CrimeCache>,
    /// Prepared public survey samples for the transparency views.
    pub trust: Arc<crate::transparency::TrustCache>,
    /// Prepared survey waves (respondents and raking) for the survey results.
    pub surveys: Arc<crate::routes::surveys::prepared::ResultsCache>,
}

impl AppState {
    /// State over a database with a configuration and an empty crime cache.
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState { db, config: Arc::new(config), crime: Arc::default(), trust: Arc::default(), surveys: Arc::default() }
    }
}

/// The full router with every layer.
pub fn build_router(state: AppState) -> Router {
    Router::new()
        .merge(routes::router())
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(axum::middleware::from_fn(middleware::require_csrf_checked))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::public_api_rate_limit))
        .layer(axum::middleware::from_fn(middleware::render_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::load_context))
        .merge(routes::health::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        // A bug that panics answers 500 instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::body_limit))
        .with_state(state)
}

/// Serves the application on an already bound listener until `shutdown` resolves. Starts the job worker.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = tokio::spawn(jobs::run_worker(state.clone()));
    let app = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    worker.abort();
    result
}
