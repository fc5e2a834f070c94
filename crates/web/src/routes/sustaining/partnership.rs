//! `/partnerships/{slug}/health`: each signal on its own with its trend, numbers and suggested next step; the
//! partnership's alerts and what was done about them. For members, co-chairs and department staff.

use super::charts::sparkline;
use super::{SignalView, is_department, signals_of, suggestion_href, trend_value, view};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use crate::routes::partnerships::access::Access;
use crate::sustain::notices::alert_sentence;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::health::SignalKey;
use commonbeat_store::entities::health_snapshot;
use commonbeat_store::repo::health as repo;
use serde::Deserialize;
use serde_json::json;

/// Loads the partnership for someone allowed to see its health: members, managers and department staff.
pub async fn access(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Access> {
    ctx.require_user()?;
    let a = Access::load(state, ctx, slug).await?;
    if a.sees_members() || is_department(ctx) { Ok(a) } else { Err(AppError::Forbidden) }
}

/// One signal with its trend.
pub struct SignalRow {
    v: SignalView,
    spark: String,
    href: Option<String>,
    history: Vec<(String, String)>,
}

/// One alert as shown.
pub struct AlertRow {
    id: i64,
    signal: String,
    says: String,
    suggestion: String,
    opened: String,
    resolved: Option<String>,
    action: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "sustaining/partnership.html")]
struct Page {
    shell: Shell,
    slug: String,
    name: String,
    level: String,
    level_label: String,
    computed: String,
    signals: Vec<SignalRow>,
    alerts: Vec<AlertRow>,
    can_act: bool,
    department: bool,
}

/// The signals of the latest snapshot with their trend over the sampled days.
pub fn signal_rows(t: &crate::i18n::Tr, hist: &[health_snapshot::Model], slug: &str, can_act: bool) -> Vec<SignalRow> {
    let Some(last) = hist.last() else { return Vec::new() };
    let parsed: Vec<(String, Vec<commonbeat_domain::health::Signal>)> =
        hist.iter().map(|s| (s.day.clone(), signals_of(s))).collect();
    signals_of(last)
        .iter()
        .map(|s| {
            let series: Vec<(String, Option<f64>)> = parsed
                .iter()
                .map(|(day, sigs)| (day.clone(), sigs.iter().find(|x| x.key == s.key).and_then(trend_value)))
                .collect();
            let values: Vec<Option<f64>> = series.iter().map(|(_, v)| *v).collect();
            let label = t.t1("health-trend-of", "signal", &super::signal_label(t, s.key.as_str()));
            let v = view(t, s);
            let href = if can_act { v.suggestion_key.as_deref().map(|k| suggestion_href(slug, k)) } else { None };
            SignalRow {
                spark: sparkline(&values, &label),
                history: series
                    .into_iter()
                    .map(|(d, v)| (d, v.map(|x| format!("{x}")).unwrap_or_else(|| "—".into())))
                    .collect(),
                v,
                href,
            }
        })
        .collect()
}

/// `GET /partnerships/{slug}/health`.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = access(&state, &ctx, &slug).await?;
    let t = ctx.tr();
    let tz = ctx.jurisdiction.time_zone.clone();
    let today = crate::sustain::local_date(&tz, commonbeat_store::now());
    let days = super::department::trend_days(today);
    let hist: Vec<_> = repo::history(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .into_iter()
        .filter(|s| days.contains(&s.day))
        .collect();
    let can_act = a.can_manage() || is_department(&ctx);
    let signals = signal_rows(&t, &hist, &slug, can_act);
    let level = hist.last().map(|s| s.level.clone()).unwrap_or_else(|| "no_data".into());
    let alerts = repo::alerts_of(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .into_iter()
        .take(30)
        .map(|al| AlertRow {
            id: al.id,
            signal: super::signal_label(&t, &al.signal),
            says: alert_sentence(&t, &al.signal, &al.measures),
            suggestion: t.t(&format!("health-suggest-{}", al.suggestion.replace('_', "-"))),
            opened: crate::timefmt::format_datetime(al.opened_at, &tz, ctx.locale),
            resolved: al.resolved_at.map(|r| crate::timefmt::format_datetime(r, &tz, ctx.locale)),
            action: al
                .action_at
                .map(|at| (al.action_note.clone(), crate::timefmt::format_datetime(at, &tz, ctx.locale))),
        })
        .collect();
    ctx.audit(&state, "health.view", &format!("partnership:{}", a.partnership.id), "success", json!({})).await?;
    render(&Page {
        shell: Shell::titled(&ctx, t.t1("health-partnership-title", "name", &a.partnership.name)),
        slug,
        name: a.partnership.name.clone(),
        level_label: super::level_label(&t, &level),
        level,
        computed: hist
            .last()
            .map(|s| crate::timefmt::format_datetime(s.computed_at, &tz, ctx.locale))
            .unwrap_or_else(|| t.t("health-never")),
        signals,
        alerts,
        can_act,
        department: is_department(&ctx),
    })
}

/// `POST /partnerships/{slug}/health/refresh`: co-chairs and department staff recompute now.
pub async fn refresh(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = access(&state, &ctx, &slug).await?;
    if !(a.can_manage() || is_department(&ctx)) {
        return Err(AppError::Forbidden);
    }
    let n = crate::sustain::refresh(&state, ctx.jid(), &ctx.jurisdiction.time_zone).await?;
    ctx.audit(
        &state,
        "health.refresh",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"new_alerts": n}),
    )
    .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/health")).into_response())
}

#[derive(Deserialize)]
/// The action form.
pub struct ActionForm {
    note: String,
}

/// `POST /partnerships/{slug}/health/alerts/{id}/action`: records what was done about an alert.
pub async fn action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let a = access(&state, &ctx, &slug).await?;
    if !(a.can_manage() || is_department(&ctx)) {
        return Err(AppError::Forbidden);
    }
    let note = f.note.trim();
    if note.chars().count() < 3 || note.chars().count() > 2000 {
        return Err(AppError::invalid("note", ctx.tr().t("health-action-error")));
    }
    let user = ctx.require_user()?.id;
    let al = repo::record_action(&state.db, ctx.jid(), a.partnership.id, id, user, note).await?;
    let signal = SignalKey::parse(&al.signal).map(|k| k.as_str()).unwrap_or("");
    ctx.audit(&state, "health.alert.action", &format!("health_alert:{id}"), "success", json!({"signal": signal}))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/health#alerts-h")).into_response())
}
