//! `/sustaining`: every partnership's signals on one page and a map, sortable, with trends; drill down to a
//! partnership. For command staff and the community-policing coordinator (police and administrators).

use super::charts::{level_map, sparkline};
use super::{SignalView, by_partnership, level_label, require_department, signal_label, signals_of, view};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::routes::pages::{Shell, render};
use crate::sustain::notices::alert_sentence;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::health::{Level, SignalKey};
use commonbeat_store::entities::health_snapshot;
use commonbeat_store::repo::health as repo;
use commonbeat_store::repo::{areas, partnerships};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The days whose snapshots make the trends: the first of each of the last twelve months, and the last week.
pub fn trend_days(today: jiff::civil::Date) -> Vec<String> {
    let mut days = Vec::new();
    let first = today.first_of_month();
    for k in (0..12).rev() {
        if let Ok(d) = first.checked_sub(jiff::Span::new().months(k)) {
            days.push(d.to_string());
        }
    }
    for k in (0..7).rev() {
        if let Ok(d) = today.checked_sub(jiff::Span::new().days(k)) {
            days.push(d.to_string());
        }
    }
    days.sort();
    days.dedup();
    days
}

/// One partnership's row.
pub struct Row {
    slug: String,
    name: String,
    status: String,
    level: String,
    level_label: String,
    signals: Vec<SignalView>,
    alerts: usize,
    spark: String,
    trend_text: String,
}

#[derive(Template)]
#[template(path = "sustaining/department.html")]
struct Page {
    shell: Shell,
    rows: Vec<Row>,
    headers: Vec<(String, String)>,
    sort: String,
    counts: Vec<(String, String, usize)>,
    map_svg: String,
    alerts: Vec<(String, String, String, String, String, String)>,
    computed: String,
    is_admin: bool,
}

#[derive(Deserialize)]
/// `?sort=` on the department view.
pub struct SortQuery {
    sort: Option<String>,
}

fn rank(level: &str) -> u8 {
    Level::parse(level)
        .map(|l| match l {
            Level::Alert => 3,
            Level::Watch => 2,
            Level::Ok => 1,
            Level::NoData => 0,
        })
        .unwrap_or(0)
}

/// Latest snapshot and level trend per partnership.
pub async fn latest(state: &AppState, jid: i64, tz: &str) -> AppResult<BTreeMap<i64, Vec<health_snapshot::Model>>> {
    let today = crate::sustain::local_date(tz, commonbeat_store::now());
    Ok(by_partnership(repo::snapshots_on(&state.db, jid, &trend_days(today)).await?))
}

/// Everything the department view reads: partnerships, sampled snapshots, open alerts, areas and which
/// partnership covers which area. Five queries whatever the number of partnerships (the benchmark times this).
pub struct Loaded {
    /// Partnerships by name.
    pub partnerships: Vec<commonbeat_store::entities::partnership::Model>,
    /// Sampled snapshots per partnership.
    pub snapshots: BTreeMap<i64, Vec<health_snapshot::Model>>,
    /// Open alerts.
    pub open: Vec<commonbeat_store::entities::health_alert::Model>,
    /// Areas by id.
    pub areas: BTreeMap<i64, commonbeat_store::entities::area::Model>,
    /// (partnership, area) pairs.
    pub covers: Vec<(i64, i64)>,
}

/// Loads the department view's data.
pub async fn load(state: &AppState, jid: i64, tz: &str) -> AppResult<Loaded> {
    Ok(Loaded {
        partnerships: partnerships::list(&state.db, jid, &Default::default()).await?,
        snapshots: latest(state, jid, tz).await?,
        open: repo::alerts(&state.db, jid, true).await?,
        areas: areas::list(&state.db, jid, None).await?.into_iter().map(|a| (a.id, a)).collect(),
        covers: repo::partnership_areas(&state.db, jid).await?,
    })
}

/// `GET /sustaining`.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<SortQuery>) -> AppResult<Response> {
    require_department(&ctx)?;
    let t = ctx.tr();
    let jid = ctx.jid();
    let Loaded { partnerships: all, snapshots: snaps, open, areas: area_models, covers } =
        load(&state, jid, &ctx.jurisdiction.time_zone).await?;
    let mut rows = Vec::new();
    let mut computed = None;
    for p in &all {
        let hist = snaps.get(&p.id);
        let last = hist.and_then(|h| h.last());
        computed = computed.max(last.map(|s| s.computed_at));
        let signals: Vec<SignalView> = last.map(signals_of).unwrap_or_default().iter().map(|s| view(&t, s)).collect();
        let level = last.map(|s| s.level.clone()).unwrap_or_else(|| "no_data".into());
        let trend: Vec<Option<f64>> =
            hist.map(|h| h.iter().map(|s| Some(f64::from(rank(&s.level)))).collect()).unwrap_or_default();
        let first_level = hist.and_then(|h| h.first()).map(|s| level_label(&t, &s.level)).unwrap_or_default();
        let trend_text = t.t2("health-trend-text", ("from", &first_level), ("to", &level_label(&t, &level)));
        rows.push(Row {
            slug: p.slug.clone(),
            name: p.name.clone(),
            status: t.t(&format!("pstatus-{}", p.status)),
            level_label: level_label(&t, &level),
            level,
            signals,
            alerts: open.iter().filter(|a| a.partnership_id == p.id).count(),
            spark: sparkline(&trend, &trend_text),
            trend_text,
        });
    }
    let sort = q.sort.unwrap_or_else(|| "level".into());
    match sort.as_str() {
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "alerts" => rows.sort_by(|a, b| b.alerts.cmp(&a.alerts).then(a.name.cmp(&b.name))),
        other => {
            let col = SignalKey::parse(other).map(|k| k.as_str().to_string());
            rows.sort_by(|a, b| {
                let key = |r: &Row| match &col {
                    Some(c) => r.signals.iter().find(|s| &s.key == c).map(|s| rank(&s.level)).unwrap_or(0),
                    None => rank(&r.level),
                };
                key(b).cmp(&key(a)).then(b.alerts.cmp(&a.alerts)).then(a.name.cmp(&b.name))
            });
        }
    }
    let headers = SignalKey::ALL.iter().map(|k| (k.as_str().to_string(), signal_label(&t, k.as_str()))).collect();
    let counts = ["alert", "watch", "ok", "no_data"]
        .iter()
        .map(|l| (l.to_string(), level_label(&t, l), rows.iter().filter(|r| r.level == *l).count()))
        .collect();

    // The map: each partnership's areas in its level's colour.
    let level_of: BTreeMap<i64, (&str, &str)> = all
        .iter()
        .map(|p| {
            let l = snaps.get(&p.id).and_then(|h| h.last()).map(|s| s.level.as_str()).unwrap_or("no_data");
            (p.id, (l, p.name.as_str()))
        })
        .collect();
    let shapes: Vec<_> = covers
        .into_iter()
        .filter_map(|(pid, aid)| {
            let (l, name) = level_of.get(&pid)?;
            let a = area_models.get(&aid)?.clone();
            Some((a, format!("cb-level-{}", l.replace('_', "-")), format!("{name}: {}", level_label(&t, l))))
        })
        .collect();
    let map_svg = level_map(&shapes, &t.t("health-map-title"), &t.t("health-map-desc"));

    let names: BTreeMap<i64, (&str, &str)> = all.iter().map(|p| (p.id, (p.slug.as_str(), p.name.as_str()))).collect();
    let tz = &ctx.jurisdiction.time_zone;
    let alerts = open
        .iter()
        .filter_map(|a| {
            let (slug, name) = names.get(&a.partnership_id)?;
            Some((
                slug.to_string(),
                name.to_string(),
                signal_label(&t, &a.signal),
                alert_sentence(&t, &a.signal, &a.measures),
                t.t(&format!("health-suggest-{}", a.suggestion.replace('_', "-"))),
                crate::timefmt::format_datetime(a.opened_at, tz, ctx.locale),
            ))
        })
        .collect();
    let computed =
        computed.map(|c| crate::timefmt::format_datetime(c, tz, ctx.locale)).unwrap_or_else(|| t.t("health-never"));
    render(&Page {
        shell: Shell::new(&ctx, "health-department-title"),
        rows,
        headers,
        sort,
        counts,
        map_svg,
        alerts,
        computed,
        is_admin: ctx.role() == Some(commonbeat_domain::Role::Admin),
    })
}

/// `POST /sustaining/refresh`: recompute now.
pub async fn refresh(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_department(&ctx)?;
    let n = crate::sustain::refresh(&state, ctx.jid(), &ctx.jurisdiction.time_zone).await?;
    ctx.audit(&state, "health.refresh", "health", "success", json!({"new_alerts": n})).await?;
    Ok(Redirect::to("/sustaining").into_response())
}
