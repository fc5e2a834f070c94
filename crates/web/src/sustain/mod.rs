//! Sustaining partnerships: computes every partnership's health signals in one pass over the jurisdiction's
//! rows, stores a daily snapshot (so trends need no recomputation and the department view is one read), raises
//! and resolves alerts, and tells co-chairs and the community-policing coordinators about new ones.

pub mod facts;
pub mod notices;
pub mod trust;

use crate::app::AppState;
use crate::error::AppResult;
use commonbeat_analysis::representation;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::health::{self, Facts, Level, Signal, Thresholds};
use commonbeat_store::entities::{health_alert, partnership};
use commonbeat_store::repo::health::{self as repo, NewAlert};
use commonbeat_store::repo::{areas, members, partnerships, settings};
use commonbeat_store::{Db, StoreError};
use facts::Extra;
use std::collections::BTreeMap;

/// Setting: the thresholds as JSON (missing fields take the defaults).
pub const THRESHOLDS_KEY: &str = "health.thresholds";
/// Setting: user ids of the community-policing coordinators, comma-separated (none: the administrators).
pub const COORDINATORS_KEY: &str = "health.coordinators";

/// One partnership's computed health.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The partnership.
    pub partnership: partnership::Model,
    /// The facts the signals came from.
    pub facts: Facts,
    /// The signals.
    pub signals: Vec<Signal>,
    /// The worst level.
    pub level: Level,
}

/// The jurisdiction's thresholds (defaults when unset or unreadable).
pub async fn thresholds(db: &Db, jid: i64) -> Result<Thresholds, StoreError> {
    Ok(settings::get(db, jid, THRESHOLDS_KEY).await?.and_then(|j| Thresholds::parse(&j).ok()).unwrap_or_default())
}

/// The local date of `now` in the time zone `tz`.
pub fn local_date(tz: &str, now: i64) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_zoned_datetime(zone).date()
}

/// Census groups under-represented among the partnership's community members, counted only in dimensions where
/// enough members declared an answer to judge (the representation report's own rule and cut-offs).
pub async fn under_represented(db: &Db, jid: i64, pid: i64, area_ids: &[i64]) -> Result<Vec<String>, StoreError> {
    use crate::routes::partnerships::view::{FLAG_MIN_CENSUS_PCT, MEMBER_CELL_K};
    let (_, profiles) = members::community_profiles(db, jid, pid).await?;
    let census = areas::demographics(db, jid, area_ids).await?;
    let answers: Vec<BTreeMap<String, String>> =
        profiles.iter().map(|p| serde_json::from_str(&p.demographics).unwrap_or_default()).collect();
    let mut flagged = Vec::new();
    for dim in Dimension::ALL {
        let Some(cen) = census.get(dim.as_str()) else { continue };
        let cats: Vec<&str> =
            dim.categories().iter().copied().filter(|c| !(dim == Dimension::Age && *c == "under-18")).collect();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        let mut declared = 0u64;
        for a in &answers {
            if let Some(cat) = a.get(dim.as_str()).filter(|c| dim.is_category(c)) {
                declared += 1;
                if let Some(c) = cats.iter().find(|c| **c == cat.as_str()) {
                    *counts.entry(c).or_default() += 1;
                }
            }
        }
        if declared < MEMBER_CELL_K * 2 {
            continue;
        }
        let mv: Vec<(&str, u64)> = cats.iter().map(|c| (*c, counts.get(c).copied().unwrap_or(0))).collect();
        let cv: Vec<(&str, u64)> = cats.iter().map(|c| (*c, cen.get(*c).copied().unwrap_or(0).max(0) as u64)).collect();
        for g in representation::compare(&mv, &cv, MEMBER_CELL_K).groups {
            if g.under_represented && g.census_share * 100.0 >= FLAG_MIN_CENSUS_PCT {
                flagged.push(format!("{}:{}", dim.as_str(), g.category));
            }
        }
    }
    Ok(flagged)
}

/// Computes every partnership's health at `now`.
pub async fn compute(db: &Db, jid: i64, tz: &str, now: i64) -> Result<Vec<Computed>, StoreError> {
    let t = thresholds(db, jid).await?;
    let today = local_date(tz, now);
    let rows = repo::rows(db, jid, facts::window_start(now), now).await?;
    let trust = trust::waves(db, jid, today).await?;
    let mut out = Vec::with_capacity(rows.partnerships.len());
    for p in &rows.partnerships {
        let area_ids: Vec<i64> = partnerships::areas_of(db, jid, p.id).await?.into_iter().map(|a| a.id).collect();
        let extra = Extra {
            under_represented: under_represented(db, jid, p.id, &area_ids).await?,
            trust: trust::for_areas(&trust, &area_ids, today),
        };
        let f = facts::build(p, &rows, extra, now, today);
        let signals = health::evaluate(&f, &t);
        let level = health::worst(&signals);
        out.push(Computed { partnership: p.clone(), facts: f, signals, level });
    }
    Ok(out)
}

/// Stores the day's snapshots and brings alerts up to date. Returns the alerts that are new.
pub async fn apply(db: &Db, jid: i64, tz: &str, now: i64) -> Result<Vec<health_alert::Model>, StoreError> {
    store(db, jid, tz, now, true).await
}

/// Stores the snapshots of a past day from the records as they stand (no alerts): used to seed trends.
pub async fn backfill(db: &Db, jid: i64, tz: &str, at: i64) -> Result<(), StoreError> {
    store(db, jid, tz, at, false).await.map(|_| ())
}

async fn store(db: &Db, jid: i64, tz: &str, now: i64, alerts: bool) -> Result<Vec<health_alert::Model>, StoreError> {
    let day = local_date(tz, now).to_string();
    let mut fresh = Vec::new();
    for c in compute(db, jid, tz, now).await? {
        let json = serde_json::to_string(&c.signals).unwrap_or_else(|_| "[]".into());
        repo::save_snapshot(db, jid, c.partnership.id, &day, c.level.as_str(), &json).await?;
        if !alerts {
            continue;
        }
        let alerting: Vec<&Signal> = c.signals.iter().filter(|s| s.level == Level::Alert).collect();
        for s in &alerting {
            let measures = serde_json::to_string(&s.measures).unwrap_or_else(|_| "{}".into());
            let a = NewAlert {
                partnership_id: c.partnership.id,
                signal: s.key.as_str(),
                level: s.level.as_str(),
                suggestion: s.suggestion.map(|x| x.as_str()).unwrap_or(""),
                measures: &measures,
            };
            if let Some(new) = repo::raise(db, jid, a, now).await? {
                fresh.push(new);
            }
        }
        let keep: Vec<&str> = alerting.iter().map(|s| s.key.as_str()).collect();
        repo::resolve_except(db, jid, c.partnership.id, &keep, now).await?;
    }
    Ok(fresh)
}

/// Recomputes a jurisdiction's health now, and notifies co-chairs and coordinators of new alerts.
pub async fn refresh(state: &AppState, jid: i64, tz: &str) -> AppResult<usize> {
    let fresh = apply(&state.db, jid, tz, commonbeat_store::now()).await?;
    for a in &fresh {
        notices::alert_raised(state, jid, a).await?;
    }
    Ok(fresh.len())
}

/// Refreshes every jurisdiction (the hourly maintenance job).
pub async fn refresh_all(state: &AppState) -> AppResult<()> {
    for j in commonbeat_store::repo::jurisdictions::list(&state.db).await? {
        refresh(state, j.id, &j.time_zone).await?;
    }
    Ok(())
}
