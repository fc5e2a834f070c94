//! One error type for every handler.
//!
//! Policy: internal details (database errors, I/O) are logged with `tracing` and never shown; the user sees a
//! short, translated message. Constraint violations map to 409 (conflict on a named field) and invalid input to
//! 422 naming the field. Authentication failures are 401 (the API) or a redirect to the sign-in page (pages);
//! authorisation failures are 403; a missing or foreign record is 404 (never 403, so ids of other jurisdictions
//! or other people's records are not confirmed). The response carries an [`ErrorInfo`] extension; the error-page
//! middleware renders it as a localised HTML page or as JSON for `/api` paths.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use commonbeat_store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or record (or not yours to know about).
    #[error("not found")]
    NotFound,
    /// Not signed in.
    #[error("sign in required")]
    Unauthenticated,
    /// Signed in but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// Missing or wrong CSRF token.
    #[error("csrf")]
    Csrf,
    /// Input failed validation; `field` names it.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A unique value is taken.
    #[error("{field} already in use")]
    Conflict {
        /// The field that must be unique.
        field: String,
    },
    /// Too many requests; retry after this many seconds.
    #[error("rate limited")]
    RateLimited(i64),
    /// Anything else; logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What the error-page middleware needs to render an error.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Fluent key of the message.
    pub key: &'static str,
    /// Field name for validation errors.
    pub field: Option<String>,
    /// Detail for validation errors (English, from the domain).
    pub detail: Option<String>,
}

impl AppError {
    /// Shorthand for a validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: field.to_string(), message: message.into() }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { field } => AppError::Conflict { field: field.to_string() },
            StoreError::Invalid(m) => AppError::invalid("request", m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (key, field, detail) = match &self {
            AppError::NotFound => ("error-not-found", None, None),
            AppError::Unauthenticated => ("error-unauthenticated", None, None),
            AppError::Forbidden => ("error-forbidden", None, None),
            AppError::Csrf => ("error-csrf", None, None),
            AppError::Invalid { field, message } => ("error-invalid", Some(field.clone()), Some(message.clone())),
            AppError::Conflict { field } => ("error-conflict", Some(field.clone()), None),
            AppError::RateLimited(_) => ("error-rate-limited", None, None),
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                ("error-internal", None, None)
            }
        };
        let mut resp = status.into_response();
        if let AppError::RateLimited(secs) = self
            && let Ok(v) = secs.to_string().parse()
        {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        resp.extensions_mut().insert(ErrorInfo { key, field, detail });
        resp
    }
}

/// Handler result.
pub type AppResult<T> = Result<T, AppError>;
