//! HTTP routes. Every handler states who may use it (by calling a [`crate::context::Ctx`] guard) and checks the
//! record it touches belongs to the caller's jurisdiction (repositories filter by it) and, where relevant, to them.

pub mod account;
pub mod admin;
pub mod announcements;
pub mod api;
pub mod areas;
pub mod auth;
pub mod commitments;
pub mod crime;
pub mod decisions;
pub mod health;
pub mod invites;
pub mod meetings;
pub mod notifications;
pub mod open311;
pub mod pages;
pub mod partnerships;
pub mod problems;
pub mod rake;
pub mod recruiting;
pub mod reports;
pub mod self_assessment;
pub mod surveys;
pub mod sustaining;
pub mod transparency;

use crate::AppState;
use axum::Router;
use axum::routing::MethodRouter;

/// Wraps a route's methods in the CSRF guard. Every route is declared through this; a state-changing request
/// that reaches a handler without passing the guard is refused by [`crate::middleware::require_csrf_checked`].
/// Applied per route (not on the whole router) so that a wrong method is a 405, not a 403.
pub fn guarded(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.route_layer(axum::middleware::from_fn(crate::middleware::csrf_guard))
}

/// Declares a route whose secret URL is its only credential (see [`crate::middleware::capability_url`]).
pub fn capability(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.route_layer(axum::middleware::from_fn(crate::middleware::capability_url))
}

/// Whether an optional link field is empty or an http(s) address.
pub fn optional_link_ok(link: &str) -> bool {
    link.is_empty() || link.starts_with("https://") || link.starts_with("http://")
}

/// All routes that run inside the request context.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(pages::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(invites::router())
        .merge(api::router())
        .merge(partnerships::router())
        .merge(areas::router())
        .merge(decisions::router())
        .merge(meetings::router())
        .merge(commitments::router())
        .merge(notifications::router())
        .merge(announcements::router())
        .merge(crime::router())
        .merge(rake::router())
        .merge(problems::router())
        .merge(reports::router())
        .merge(open311::router())
        .merge(surveys::router())
        .merge(recruiting::router())
        .merge(sustaining::router())
        .merge(self_assessment::router())
        .merge(transparency::router())
}

/// A local path to go to after sign-in: only same-site absolute paths are accepted (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("/login")
                && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
                && !n.bytes().any(|b| b <= 0x20 || b == 0x7f || b == b'\\') =>
        {
            n.to_string()
        }
        _ => "/account".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "/login?next=/x",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/\n",
            "/ /x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/account", "{bad}");
        }
        assert_eq!(safe_next(None), "/account");
    }
}
