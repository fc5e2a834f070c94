//! The public transparency pages: the city dashboard `/transparency`, a partnership's `/transparency/{slug}`
//! (with `.csv` and `.json` open-data exports of the same figures), the embeddable `/embed/transparency/{slug}`
//! (the only page other sites may frame) and the annual report `/partnerships/{slug}/annual-report`. Everyone
//! sees the same public figures (see [`crate::transparency`]).

pub mod annual;
pub mod export;

use super::guarded;
use super::pages::{Shell, render};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::middleware::Embeddable;
use crate::transparency::{self, Dashboard, Summary};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use commonbeat_store::repo::partnerships;

/// Transparency routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/transparency", guarded(get(city_page)))
        .route("/transparency.csv", guarded(get(export::city_csv)))
        .route("/transparency.json", guarded(get(export::city_json)))
        .route("/transparency/{file}", guarded(get(partnership_file)))
        .route("/embed/transparency/{slug}", guarded(get(embed)))
        .route("/api/v1/transparency", guarded(get(export::api_city)))
        .route("/api/v1/transparency/{slug}", guarded(get(export::api_partnership)))
        .route("/partnerships/{slug}/annual-report", guarded(get(annual::page)))
}

/// One promises row as shown.
pub struct PromiseRow {
    /// Side label.
    pub label: String,
    /// Made in the period.
    pub made: i64,
    /// Fell due.
    pub due: i64,
    /// Kept on time.
    pub kept: i64,
    /// Rate and interval, formatted.
    pub rate: String,
}

/// One trust point as shown.
pub struct TrustRow {
    /// Survey and wave.
    pub wave: String,
    /// Estimate with its CI, or why it is not shown.
    pub value: String,
}

/// A [`Summary`] with every label translated and every number formatted, for the templates.
pub struct SummaryView {
    /// Slug (empty for the city).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Status label.
    pub status: String,
    /// (stage label, count).
    pub stages: Vec<(String, i64)>,
    /// (verdict label, count).
    pub verdicts: Vec<(String, i64)>,
    /// Promises by side, then all.
    pub promises: Vec<PromiseRow>,
    /// Public decisions.
    pub decisions: i64,
    /// Meetings held.
    pub meetings: i64,
    /// Police-side attendance.
    pub att_police: i64,
    /// Community-side attendance.
    pub att_community: i64,
    /// Latest trust, formatted.
    pub trust: String,
    /// Trust across waves.
    pub trust_trend: Vec<TrustRow>,
    /// Crime total with the change against the year before.
    pub crime_total: String,
    /// (category label, count or "suppressed").
    pub crime_categories: Vec<(String, String)>,
    /// "Published until …".
    pub crime_note: String,
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// The formatted trust estimate.
pub fn trust_value(t: &Tr, p: &transparency::trust::TrustPoint) -> String {
    let e = &p.estimate;
    match (e.mean, e.ci_low, e.ci_high, e.n) {
        (Some(m), Some(lo), Some(hi), Some(n)) => {
            t.t2("tr-trust-value", ("value", &format!("{m:.1} ({lo:.1}–{hi:.1})")), ("n", &n.to_string()))
        }
        (Some(m), _, _, Some(n)) => t.t2("tr-trust-value", ("value", &format!("{m:.1}")), ("n", &n.to_string())),
        _ => t.t("tr-trust-suppressed"),
    }
}

/// Formats a summary for the page.
pub fn view(t: &Tr, s: &Summary, tz: &jiff::tz::TimeZone) -> SummaryView {
    let promises = s
        .promises
        .iter()
        .map(|p| PromiseRow {
            label: t.t(&format!("tr-side-{}", p.side)),
            made: p.made,
            due: p.due,
            kept: p.kept_on_time,
            rate: match (p.rate, p.ci_low, p.ci_high) {
                (Some(r), Some(lo), Some(hi)) => format!("{} ({}–{})", pct(r), pct(lo), pct(hi)),
                _ => "—".into(),
            },
        })
        .collect();
    let trust = s.trust.as_ref().map(|p| trust_value(t, p)).unwrap_or_else(|| t.t("tr-trust-none"));
    let trust_trend = s
        .trust_trend
        .iter()
        .map(|p| TrustRow { wave: format!("{} · {} ({})", p.survey, p.wave, p.starts_on), value: trust_value(t, p) })
        .collect();
    let (crime_total, crime_categories, crime_note) = match &s.crime {
        None => (t.t("tr-crime-none"), Vec::new(), String::new()),
        Some(c) => {
            let total = match (c.total, c.change_pct) {
                (Some(n), Some(ch)) => {
                    t.t2("tr-crime-total-change", ("count", &n.to_string()), ("change", &format!("{ch:+.1}")))
                }
                (Some(n), None) => t.t1("tr-crime-total", "count", &n.to_string()),
                (None, _) => t.t("tr-crime-total-suppressed"),
            };
            let cats = c
                .categories
                .iter()
                .map(|k| {
                    (
                        t.t(&format!("crime-cat-{}", k.category)),
                        k.count.map(|n| n.to_string()).unwrap_or_else(|| t.t("suppressed")),
                    )
                })
                .collect();
            let day = |ts: i64| {
                jiff::Timestamp::from_second(ts)
                    .map(|x| x.to_zoned_datetime(tz.clone()).date().to_string())
                    .unwrap_or_default()
            };
            let until = c.published_until - 1;
            (total, cats, t.t2("tr-crime-note", ("from", &day(c.from)), ("to", &day(until))))
        }
    };
    SummaryView {
        slug: s.slug.clone(),
        name: s.name.clone(),
        status: t.t(&format!("pstatus-{}", s.status)),
        stages: s.problems_by_stage.iter().map(|k| (t.t(&format!("problem-stage-{}", k.key)), k.count)).collect(),
        verdicts: s.verdicts.iter().map(|k| (t.t(&format!("problem-verdict-{}", k.key)), k.count)).collect(),
        promises,
        decisions: s.decisions,
        meetings: s.meetings,
        att_police: s.attendance_police,
        att_community: s.attendance_community,
        trust,
        trust_trend,
        crime_total,
        crime_categories,
        crime_note,
    }
}

#[derive(Template)]
#[template(path = "transparency/city.html")]
struct CityPage {
    shell: Shell,
    t: Tr,
    period: String,
    active: u64,
    s: SummaryView,
    rows: Vec<SummaryView>,
}

async fn city_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = ctx.time_zone();
    let d = transparency::city(&state, ctx.jid(), &ctx.jurisdiction.name, &tz).await?;
    render(&CityPage {
        shell: Shell::new(&ctx, "tr-title"),
        t,
        period: t.t2("tr-period", ("from", &d.period_from), ("to", &d.period_to)),
        active: d.active_partnerships,
        s: view(&t, &d.total, &tz),
        rows: d.partnerships.iter().map(|s| view(&t, s, &tz)).collect(),
    })
}

/// The dashboard of the partnership named by `slug` (404 when unknown).
pub async fn partnership_dashboard(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Dashboard> {
    let p = partnerships::by_slug(&state.db, ctx.jid(), slug).await?;
    transparency::for_partnership(state, ctx.jid(), &p, &ctx.time_zone()).await
}

#[derive(Template)]
#[template(path = "transparency/partnership.html")]
struct PartnershipPage {
    shell: Shell,
    t: Tr,
    period: String,
    s: SummaryView,
    embed_code: String,
}

async fn partnership_file(State(state): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> AppResult<Response> {
    if let Some(slug) = file.strip_suffix(".csv") {
        return export::partnership_csv(&state, &ctx, slug).await;
    }
    if let Some(slug) = file.strip_suffix(".json") {
        return Ok(axum::Json(partnership_dashboard(&state, &ctx, slug).await?).into_response());
    }
    let t = ctx.tr();
    let tz = ctx.time_zone();
    let d = partnership_dashboard(&state, &ctx, &file).await?;
    let s = d.partnerships.first().ok_or(AppError::NotFound)?;
    let embed_code = format!(
        "<iframe src=\"{}/embed/transparency/{}\" title=\"{}\" width=\"100%\" height=\"900\"></iframe>",
        state.config.public_url.trim_end_matches('/'),
        s.slug,
        s.name.replace('"', "&quot;")
    );
    render(&PartnershipPage {
        shell: Shell::titled(&ctx, t.t1("tr-partnership-title", "name", &s.name)),
        t,
        period: t.t2("tr-period", ("from", &d.period_from), ("to", &d.period_to)),
        s: view(&t, s, &tz),
        embed_code,
    })
}

#[derive(Template)]
#[template(path = "transparency/embed.html")]
struct EmbedPage {
    t: Tr,
    title: String,
    period: String,
    s: SummaryView,
    link: String,
}

async fn embed(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = ctx.time_zone();
    let d = partnership_dashboard(&state, &ctx, &slug).await?;
    let s = d.partnerships.first().ok_or(AppError::NotFound)?;
    let page = EmbedPage {
        t,
        title: t.t1("tr-partnership-title", "name", &s.name),
        period: t.t2("tr-period", ("from", &d.period_from), ("to", &d.period_to)),
        s: view(&t, s, &tz),
        link: format!("{}/transparency/{}", state.config.public_url.trim_end_matches('/'), s.slug),
    };
    let mut resp = render(&page)?;
    resp.extensions_mut().insert(Embeddable);
    Ok(resp)
}
