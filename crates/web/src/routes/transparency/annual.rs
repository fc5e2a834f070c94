//! The annual report of a partnership, `/partnerships/{slug}/annual-report?year=YYYY`: a printable page telling
//! the year's story from public records only — the problems worked and their assessments, promises kept by side,
//! meetings and attendance, public decisions, trust across survey waves, crime over the year, and representation
//! against the census (the partnership page's own report).

use super::{SummaryView, view};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use crate::routes::partnerships::view::{Representation, representation};
use crate::timefmt::format_datetime;
use crate::transparency::{self, crime};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use commonbeat_store::repo::{decisions, meetings, partnerships, problems};
use serde::Deserialize;

/// The year asked for.
#[derive(Debug, Deserialize, Default)]
pub struct YearQuery {
    /// Calendar year (default: the current one).
    pub year: Option<String>,
}

/// A problem worked during the year.
pub struct ProblemLine {
    id: i64,
    title: String,
    stage: String,
    verdict: String,
}

/// A meeting held during the year.
pub struct MeetingLine {
    when: String,
    title: String,
    police: i64,
    community: i64,
}

#[derive(Template)]
#[template(path = "transparency/annual.html")]
struct AnnualPage {
    shell: Shell,
    t: crate::i18n::Tr,
    slug: String,
    years: Vec<(i16, bool)>,
    intro: String,
    s: SummaryView,
    problems: Vec<ProblemLine>,
    meetings: Vec<MeetingLine>,
    decisions: Vec<String>,
    rep: Representation,
}

/// The annual report page.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = ctx.time_zone();
    let p = partnerships::by_slug(&state.db, ctx.jid(), &slug).await?;
    let now = jiff::Timestamp::now();
    let this_year = now.to_zoned_datetime(tz.clone()).year();
    let first_year =
        jiff::Timestamp::from_second(p.created_at).map(|x| x.to_zoned_datetime(tz.clone()).year()).unwrap_or(this_year);
    let year = match q.year.as_deref().filter(|y| !y.is_empty()) {
        None => this_year,
        Some(y) => y
            .parse::<i16>()
            .ok()
            .filter(|y| (2000..=this_year).contains(y))
            .ok_or_else(|| AppError::invalid("year", "a year from 2000 to this year"))?,
    };
    let from_day = jiff::civil::date(year, 1, 1);
    let to_day = jiff::civil::date(year, 12, 31);
    let w = transparency::window_of(&tz, from_day, to_day);
    let periods = crime::span(w.from, w.to, now.as_second());
    let inp = transparency::inputs(&state, ctx.jid(), Some(p.id), &w, periods).await?;
    let mut summary = transparency::summary_of(&p, &inp);
    // The trust trend up to the end of the year.
    summary.trust_trend.retain(|x| x.starts_on.as_str() <= w.to_day.as_str());
    summary.trust = summary.trust_trend.last().cloned();

    let problems = problems::for_partnership(&state.db, ctx.jid(), p.id)
        .await?
        .into_iter()
        .filter(|x| x.is_public && x.created_at < w.to && x.closed_at.is_none_or(|c| c >= w.from))
        .map(|x| ProblemLine {
            id: x.id,
            title: x.title,
            stage: t.t(&format!("problem-stage-{}", x.stage)),
            verdict: x
                .verdict
                .map(|v| t.t(&format!("problem-verdict-{v}")))
                .unwrap_or_else(|| t.t("problem-verdict-none")),
        })
        .collect();
    let held: Vec<_> = meetings::for_partnership(&state.db, ctx.jid(), p.id)
        .await?
        .into_iter()
        .filter(|m| m.status == "held" && m.starts_at >= w.from && m.starts_at < w.to)
        .collect();
    let ids: Vec<i64> = held.iter().map(|m| m.id).collect();
    let attendance = meetings::attendance_of(&state.db, &ids).await?;
    let meetings = held
        .iter()
        .map(|m| {
            let signed =
                |side: &str| attendance.iter().filter(|a| a.meeting_id == m.id && a.side == side).count() as i64;
            MeetingLine {
                when: format_datetime(m.starts_at, &ctx.jurisdiction.time_zone, ctx.locale),
                title: m.title.clone(),
                police: signed("police") + i64::from(m.walk_ins_police),
                community: signed("community") + i64::from(m.walk_ins_community),
            }
        })
        .collect();
    let decisions = decisions::for_partnership(&state.db, ctx.jid(), p.id, false)
        .await?
        .into_iter()
        .filter(|d| d.status == "closed" && d.closed_at.is_some_and(|c| c >= w.from && c < w.to))
        .map(|d| d.title)
        .collect();
    let area_ids = inp.agg.areas.get(&p.id).cloned().unwrap_or_default();
    let rep = representation(&state, &ctx, &p, &area_ids).await?;
    let title = t.t2("tr-annual-title", ("name", &p.name), ("year", &year.to_string()));
    render(&AnnualPage {
        shell: Shell::titled(&ctx, title),
        t,
        slug: p.slug.clone(),
        years: (first_year.min(year)..=this_year).rev().map(|y| (y, y == year)).collect(),
        intro: t.t2("tr-annual-intro", ("from", &w.from_day), ("to", &w.to_day)),
        s: view(&t, &summary, &tz),
        problems,
        meetings,
        decisions,
        rep,
    })
}
