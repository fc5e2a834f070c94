//! The request context: which jurisdiction, which language, who is asking, and their CSRF token.
//!
//! [`crate::middleware::load_context`] builds it once per request; handlers take it as an extractor and use its
//! guards, which enforce the route's roles on the server.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use commonbeat_domain::{Locale, Role};
use commonbeat_store::entities::{jurisdiction, session, user};
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_store::repo::users::role_of;

/// Who is asking, where, in which language.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The jurisdiction the request's host selects.
    pub jurisdiction: jurisdiction::Model,
    /// The page language.
    pub locale: Locale,
    /// The browser session, if any.
    pub session: Option<session::Model>,
    /// The fully signed-in user (password and, where required, MFA done).
    pub user: Option<user::Model>,
    /// A user who has passed the password step but still owes MFA (challenge or enrolment).
    pub pending_user: Option<user::Model>,
    /// Authenticated by a bearer API token (no cookies, so no CSRF).
    pub via_token: bool,
    /// Client address, for the audit log and rate limits.
    pub source: String,
    /// The CSRF token forms must echo.
    pub csrf: String,
    /// Path and query of the request (for `next=` and the language switch).
    pub path: String,
}

impl Ctx {
    /// The translator for this request.
    pub fn tr(&self) -> Tr {
        Tr::new(self.locale)
    }

    /// The jurisdiction's IANA time zone (UTC if the stored name is unknown).
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.jurisdiction.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Jurisdiction id, for repository calls.
    pub fn jid(&self) -> i64 {
        self.jurisdiction.id
    }

    /// The signed-in user's role.
    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(role_of)
    }

    /// The signed-in user, or 401 / redirect to sign-in.
    pub fn require_user(&self) -> AppResult<&user::Model> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// The signed-in user if their role is one of `roles`, else 401 (anonymous) or 403.
    pub fn require_role(&self, roles: &[Role]) -> AppResult<&user::Model> {
        let u = self.require_user()?;
        if roles.contains(&role_of(u)) { Ok(u) } else { Err(AppError::Forbidden) }
    }

    /// Label of the actor for the audit log.
    pub fn actor(&self) -> (Option<i64>, String) {
        match self.user.as_ref().or(self.pending_user.as_ref()) {
            Some(u) => (Some(u.id), u.email.clone()),
            None => (None, "anonymous".into()),
        }
    }

    /// Appends an audit entry for this request. Failures to audit are errors: a write that cannot be audited fails.
    pub async fn audit(
        &self,
        state: &AppState,
        action: &str,
        object: &str,
        outcome: &str,
        details: serde_json::Value,
    ) -> AppResult<()> {
        let (actor_id, actor) = self.actor();
        audit::append(
            &state.db,
            self.jid(),
            AuditEvent {
                actor_id,
                actor,
                action: action.into(),
                object: object.into(),
                outcome: outcome.into(),
                source: self.source.clone(),
                details: details.to_string(),
            },
        )
        .await?;
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}
