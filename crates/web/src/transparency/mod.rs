//! The public transparency figures (issue 9, parts 5–7): per partnership and city-wide, problems by SARA stage and
//! their assessment verdicts, promises made and kept by side, public decisions, meetings held and attendance by
//! side, trust with its CI from public survey results, and public-safe crime figures.
//!
//! The same figures are shown to everyone, signed in or not: only public records count (public problems and
//! commitments, decisions that are not private), trust comes through the surveys module's suppression and crime
//! through the crime module's privacy rules. Everything is computed with one grouped query per table for the
//! whole jurisdiction ([`commonbeat_store::repo::transparency::aggregates`]), one pass over the cached incidents
//! and the cached trust samples, so the city view for 300 partnerships stays well under 200 ms.

pub mod crime;
pub mod trust;

use crate::AppState;
use crate::error::AppResult;
use commonbeat_domain::commitment::{Z_95, wilson_interval};
use commonbeat_domain::partnership::Status;
use commonbeat_domain::problem::{Stage, Verdict};
use commonbeat_store::entities::partnership;
use commonbeat_store::repo::partnerships;
use commonbeat_store::repo::transparency::{Aggregates, Window, aggregates};
use crime::{CrimePeriods, CrimeSummary, CrimeTally};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use trust::TrustPoint;

pub use trust::TrustCache;

/// Count of problems in one stage, or with one verdict.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyCount {
    /// Stage or verdict id.
    pub key: String,
    /// Problems.
    pub count: i64,
}

/// Promises made and kept by one side (`police`, `community`) or by everyone (`all`, organisations included).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Promises {
    /// `police`, `community` or `all`.
    pub side: String,
    /// Public commitments made in the period.
    pub made: i64,
    /// Public commitments that fell due in the period.
    pub due: i64,
    /// Of those, done on or before the due date.
    pub kept_on_time: i64,
    /// Done late.
    pub kept_late: i64,
    /// Dropped.
    pub dropped: i64,
    /// Still open.
    pub still_open: i64,
    /// kept_on_time ÷ due.
    pub rate: Option<f64>,
    /// 95 % Wilson interval, low.
    pub ci_low: Option<f64>,
    /// 95 % Wilson interval, high.
    pub ci_high: Option<f64>,
}

/// The public figures of one partnership (or, for the city, of all active partnerships together).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Partnership slug (empty for the city).
    pub slug: String,
    /// Name (the jurisdiction's for the city).
    pub name: String,
    /// Partnership status (`active` for the city).
    pub status: String,
    /// Public problems by SARA stage.
    pub problems_by_stage: Vec<KeyCount>,
    /// Public problems by assessment verdict.
    pub verdicts: Vec<KeyCount>,
    /// Promises by side, then all.
    pub promises: Vec<Promises>,
    /// Public decisions closed in the period.
    pub decisions: i64,
    /// Meetings held in the period.
    pub meetings: i64,
    /// Attendance (sign-ins plus walk-ins) at those meetings, police side.
    pub attendance_police: i64,
    /// The same, community side.
    pub attendance_community: i64,
    /// The latest trust estimate (0–100) of a public survey wave covering the areas.
    pub trust: Option<TrustPoint>,
    /// Trust across the public waves covering the areas, oldest first.
    pub trust_trend: Vec<TrustPoint>,
    /// Public crime figures of the areas.
    pub crime: Option<CrimeSummary>,
}

/// The dashboard: the period, the city-wide totals and one row per partnership.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// First day of the period (`YYYY-MM-DD`).
    pub period_from: String,
    /// Last day of the period.
    pub period_to: String,
    /// Active partnerships.
    pub active_partnerships: u64,
    /// Totals over the partnerships shown (trust and crime city-wide).
    pub total: Summary,
    /// The partnerships.
    pub partnerships: Vec<Summary>,
}

/// The trailing window: the 365 days ending yesterday in the zone (commitments due today can still be kept).
pub fn trailing_window(tz: &jiff::tz::TimeZone, now: jiff::Timestamp) -> Window {
    let today = now.to_zoned_datetime(tz.clone()).date();
    let to_day = today.yesterday().unwrap_or(today);
    let from_day = to_day.checked_sub(jiff::Span::new().days(364)).unwrap_or(to_day);
    window_of(tz, from_day, to_day)
}

/// The window of the days `from_day..=to_day` in the zone.
pub fn window_of(tz: &jiff::tz::TimeZone, from_day: jiff::civil::Date, to_day: jiff::civil::Date) -> Window {
    let start = |d: jiff::civil::Date| d.to_zoned_datetime(tz.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0);
    Window {
        from: start(from_day),
        to: start(to_day.tomorrow().unwrap_or(to_day)),
        from_day: from_day.to_string(),
        to_day: to_day.to_string(),
    }
}

fn empty(slug: &str, name: &str, status: &str) -> Summary {
    Summary {
        slug: slug.into(),
        name: name.into(),
        status: status.into(),
        problems_by_stage: Stage::ALL.iter().map(|s| KeyCount { key: s.as_str().into(), count: 0 }).collect(),
        verdicts: Verdict::ALL.iter().map(|v| KeyCount { key: v.as_str().into(), count: 0 }).collect(),
        promises: ["police", "community", "all"]
            .iter()
            .map(|s| Promises { side: (*s).into(), ..Promises::default() })
            .collect(),
        decisions: 0,
        meetings: 0,
        attendance_police: 0,
        attendance_community: 0,
        trust: None,
        trust_trend: Vec::new(),
        crime: None,
    }
}

fn add(list: &mut [KeyCount], key: &str, n: i64) {
    if let Some(k) = list.iter_mut().find(|k| k.key == key) {
        k.count += n;
    }
}

/// The aggregates split by partnership, in one pass (so each summary reads only its own rows).
fn split(agg: &Aggregates) -> HashMap<i64, Aggregates> {
    let mut out: HashMap<i64, Aggregates> = HashMap::new();
    for p in &agg.problems {
        out.entry(p.partnership_id).or_default().problems.push(p.clone());
    }
    for c in &agg.commitments {
        out.entry(c.partnership_id).or_default().commitments.push(c.clone());
    }
    for m in &agg.made {
        out.entry(m.partnership_id).or_default().made.push(m.clone());
    }
    for (id, m) in &agg.meetings {
        out.entry(*id).or_default().meetings.insert(*id, m.clone());
    }
    for (id, n) in &agg.decisions {
        out.entry(*id).or_default().decisions.insert(*id, *n);
    }
    out
}

/// Fills a summary from the aggregates of the partnerships `ids`.
fn fill(s: &mut Summary, agg: &Aggregates, ids: &[i64]) {
    let ids: HashSet<i64> = ids.iter().copied().collect();
    for p in agg.problems.iter().filter(|p| ids.contains(&p.partnership_id)) {
        add(&mut s.problems_by_stage, &p.stage, p.n);
        if let Some(v) = &p.verdict {
            add(&mut s.verdicts, v, p.n);
        }
    }
    for pr in s.promises.iter_mut() {
        let want = pr.side.clone();
        let side_ok = |side: &Option<String>| want == "all" || side.as_deref() == Some(want.as_str());
        for c in agg.commitments.iter().filter(|c| ids.contains(&c.partnership_id) && side_ok(&c.side)) {
            pr.due += c.n;
            match c.status.as_str() {
                "done" if c.on_time => pr.kept_on_time += c.n,
                "done" => pr.kept_late += c.n,
                "dropped" => pr.dropped += c.n,
                _ => pr.still_open += c.n,
            }
        }
        pr.made = agg.made.iter().filter(|m| ids.contains(&m.partnership_id) && side_ok(&m.side)).map(|m| m.n).sum();
        if pr.due > 0 {
            pr.rate = Some(pr.kept_on_time as f64 / pr.due as f64);
            let ci = wilson_interval(pr.kept_on_time as u32, pr.due as u32, Z_95);
            pr.ci_low = ci.map(|c| c.0);
            pr.ci_high = ci.map(|c| c.1);
        }
    }
    for id in &ids {
        if let Some(m) = agg.meetings.get(id) {
            s.meetings += m.held;
            s.attendance_police += m.police;
            s.attendance_community += m.community;
        }
        s.decisions += agg.decisions.get(id).copied().unwrap_or(0);
    }
}

/// Everything the figures are computed from, read once.
pub struct Inputs {
    /// The grouped database figures.
    pub agg: Aggregates,
    /// The public trust samples.
    pub waves: std::sync::Arc<Vec<trust::WaveSample>>,
    /// The crime counts.
    pub crime: CrimeTally,
    /// The grouped figures split by partnership.
    pub per: HashMap<i64, Aggregates>,
}

/// Reads the inputs for a window (and one partnership, or all).
pub async fn inputs(
    state: &AppState,
    jid: i64,
    partnership: Option<i64>,
    w: &Window,
    periods: CrimePeriods,
) -> AppResult<Inputs> {
    let agg = aggregates(&state.db, jid, partnership, w).await?;
    let waves = state.trust.waves(state, jid).await?;
    let columns = state.crime.get(&state.db, jid).await?;
    let crime = CrimeTally::new(&columns, periods);
    let per = split(&agg);
    Ok(Inputs { agg, waves, crime, per })
}

/// The summary of one partnership.
pub fn summary_of(p: &partnership::Model, inp: &Inputs) -> Summary {
    let mut s = empty(&p.slug, &p.name, &p.status);
    if let Some(agg) = inp.per.get(&p.id) {
        fill(&mut s, agg, &[p.id]);
    }
    let areas = inp.agg.areas.get(&p.id).cloned().unwrap_or_default();
    s.trust_trend = trust::trend(&inp.waves, Some(&areas));
    s.trust = s.trust_trend.last().cloned();
    s.crime = (!areas.is_empty()).then(|| inp.crime.summary(Some(&areas)));
    s
}

/// The city dashboard over the active partnerships.
pub async fn city(state: &AppState, jid: i64, name: &str, tz: &jiff::tz::TimeZone) -> AppResult<Dashboard> {
    let now = jiff::Timestamp::now();
    let w = trailing_window(tz, now);
    let inp = inputs(state, jid, None, &w, crime::trailing(now.as_second(), 365)).await?;
    let filter = partnerships::Filter { status: Some(Status::Active), ..Default::default() };
    let active = partnerships::list(&state.db, jid, &filter).await?;
    let ids: Vec<i64> = active.iter().map(|p| p.id).collect();
    let mut total = empty("", name, "active");
    fill(&mut total, &inp.agg, &ids);
    total.trust_trend = trust::trend(&inp.waves, None);
    total.trust = total.trust_trend.last().cloned();
    total.crime = Some(inp.crime.summary(None));
    Ok(Dashboard {
        period_from: w.from_day.clone(),
        period_to: w.to_day.clone(),
        active_partnerships: active.len() as u64,
        total,
        partnerships: active.iter().map(|p| summary_of(p, &inp)).collect(),
    })
}

/// The dashboard of one partnership (any status; the figures are public).
pub async fn for_partnership(
    state: &AppState,
    jid: i64,
    p: &partnership::Model,
    tz: &jiff::tz::TimeZone,
) -> AppResult<Dashboard> {
    let now = jiff::Timestamp::now();
    let w = trailing_window(tz, now);
    let inp = inputs(state, jid, Some(p.id), &w, crime::trailing(now.as_second(), 365)).await?;
    let s = summary_of(p, &inp);
    Ok(Dashboard {
        period_from: w.from_day,
        period_to: w.to_day,
        active_partnerships: u64::from(p.status == "active"),
        total: s.clone(),
        partnerships: vec![s],
    })
}
