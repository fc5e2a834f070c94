//! Sustaining partnerships (issue 9): the department view of every partnership's health, each partnership's
//! health page with its signals, trends, alerts and suggested next steps, the thresholds and coordinators
//! settings, and the API.

pub mod api;
pub mod charts;
pub mod department;
pub mod partnership;
pub mod settings;

use super::guarded;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::sustain::notices::{alert_sentence, round};
use axum::Router;
use axum::routing::{get, post};
use commonbeat_domain::Role;
use commonbeat_domain::health::{Level, Signal, SignalKey};
use commonbeat_store::entities::health_snapshot;
use serde::Serialize;
use std::collections::BTreeMap;

/// Sustaining routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sustaining", guarded(get(department::page)))
        .route("/sustaining/refresh", guarded(post(department::refresh)))
        .route("/sustaining/settings", guarded(get(settings::page).post(settings::save)))
        .route("/partnerships/{slug}/health", guarded(get(partnership::page)))
        .route("/partnerships/{slug}/health/refresh", guarded(post(partnership::refresh)))
        .route("/partnerships/{slug}/health/alerts/{id}/action", guarded(post(partnership::action)))
        .route("/api/v1/health", guarded(get(api::department)))
        .route("/api/v1/partnerships/{slug}/health", guarded(get(api::partnership)))
}

/// Command staff and the coordinator: police and administrators see every partnership's health.
pub fn is_department(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Some(Role::Police | Role::Admin))
}

/// Parses a stored snapshot's signals.
pub fn signals_of(s: &health_snapshot::Model) -> Vec<Signal> {
    serde_json::from_str(&s.signals).unwrap_or_default()
}

/// Snapshots by partnership, oldest first.
pub fn by_partnership(all: Vec<health_snapshot::Model>) -> BTreeMap<i64, Vec<health_snapshot::Model>> {
    let mut out: BTreeMap<i64, Vec<health_snapshot::Model>> = BTreeMap::new();
    for s in all {
        out.entry(s.partnership_id).or_default().push(s);
    }
    out
}

/// A signal as shown.
#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    /// Signal id.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Level id.
    pub level: String,
    /// Level label.
    pub level_label: String,
    /// The sentence with its numbers.
    pub says: String,
    /// Suggested next step, when any.
    pub suggestion: Option<String>,
    /// Suggestion id.
    pub suggestion_key: Option<String>,
}

/// Label of a signal.
pub fn signal_label(t: &Tr, key: &str) -> String {
    t.t(&format!("health-signal-{}", key.replace('_', "-")))
}

/// Label of a level.
pub fn level_label(t: &Tr, level: &str) -> String {
    t.t(&format!("health-level-{}", level.replace('_', "-")))
}

/// The view of a signal.
pub fn view(t: &Tr, s: &Signal) -> SignalView {
    let key = s.key.as_str();
    let measures = serde_json::to_string(&s.measures).unwrap_or_default();
    SignalView {
        key: key.into(),
        label: signal_label(t, key),
        level: s.level.as_str().into(),
        level_label: level_label(t, s.level.as_str()),
        says: if s.level == Level::NoData && s.measures.is_empty() {
            t.t("health-no-data")
        } else {
            alert_sentence(t, key, &measures)
        },
        suggestion: s.suggestion.map(|x| t.t(&format!("health-suggest-{}", x.as_str().replace('_', "-")))),
        suggestion_key: s.suggestion.map(|x| x.as_str().to_string()),
    }
}

/// The headline value of a signal for trends, rounded for reading.
pub fn trend_value(s: &Signal) -> Option<f64> {
    let name = match s.key {
        SignalKey::PromisesKept => "x_rate",
        SignalKey::Decisions => "x_participation",
        _ => "",
    };
    s.value.map(|v| round(name, v))
}

/// Where a suggestion leads, for people who may act on it.
pub fn suggestion_href(slug: &str, suggestion: &str) -> String {
    match suggestion {
        "schedule_meeting" | "listening_session" => format!("/partnerships/{slug}/meetings/new"),
        "run_time_poll" => format!("/partnerships/{slug}/decisions/new?kind=time_poll"),
        "open_decision" => format!("/partnerships/{slug}/decisions/new"),
        "start_election" => format!("/partnerships/{slug}/decisions/new?kind=ranked_choice"),
        "review_promises" => format!("/partnerships/{slug}/commitments"),
        "review_problem" => format!("/partnerships/{slug}/problems"),
        "triage_reports" => "/reports/triage".to_string(),
        "plan_handover" => format!("/partnerships/{slug}#leaders-h"),
        "outreach" => format!("/partnerships/{slug}#rep-h"),
        _ => format!("/partnerships/{slug}#members-h"),
    }
}

/// Runs `f` only for department staff (404 for anyone else, so the page's existence says nothing).
pub fn require_department(ctx: &Ctx) -> AppResult<()> {
    ctx.require_user()?;
    if is_department(ctx) { Ok(()) } else { Err(crate::error::AppError::Forbidden) }
}
