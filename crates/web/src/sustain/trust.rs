//! Trust in police for the health signal: every survey wave with a `trust` scale is raked once (exactly as the
//! survey results page and the transparency dashboard do) and each weighted respondent's score is kept by area.
//! A partnership's estimate pools the respondents of **all its areas**, the same computation the public
//! transparency dashboard publishes, so the two pages show the same figure for the same wave.

use crate::routes::surveys::compute::{Census, rake_wave, respondents};
use crate::routes::surveys::instrument_of;
use commonbeat_analysis::survey::weighted_mean;
use commonbeat_domain::health::TrustFact;
use commonbeat_store::Db;
use commonbeat_store::StoreError;
use commonbeat_store::repo::{areas, surveys};
use std::collections::BTreeMap;

/// Smallest number of respondents before a trust estimate is used (the survey suppression k).
pub const MIN_RESPONDENTS: u64 = 10;

/// The scale read.
const TRUST_SCALE: &str = "trust";

/// One wave, raked: when it ended and the weighted respondents' trust scores (0–100) by area.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveTrust {
    /// Last day of the wave (ISO date); a wave still in the field is dated the day it was read.
    pub ends_on: jiff::civil::Date,
    /// Scores and raking weights per area.
    pub by_area: BTreeMap<i64, (Vec<f64>, Vec<f64>)>,
}

impl WaveTrust {
    /// Mean and 95 % CI over the respondents of `area_ids`, when there are at least [`MIN_RESPONDENTS`].
    pub fn estimate(&self, area_ids: &[i64]) -> Option<(f64, f64, f64)> {
        let (mut y, mut w) = (Vec::new(), Vec::new());
        for a in area_ids {
            if let Some((ys, ws)) = self.by_area.get(a) {
                y.extend_from_slice(ys);
                w.extend_from_slice(ws);
            }
        }
        let e = weighted_mean(&y, &w).filter(|e| e.n >= MIN_RESPONDENTS)?;
        Some((e.mean, e.ci_low?, e.ci_high?))
    }
}

/// Every wave with a trust scale that started by `today`, oldest first.
pub async fn waves(db: &Db, jid: i64, today: jiff::civil::Date) -> Result<Vec<WaveTrust>, StoreError> {
    let mut out = Vec::new();
    let mut census_cache: BTreeMap<i64, Census> = BTreeMap::new();
    for s in surveys::list(db, jid).await? {
        for w in surveys::waves(db, jid, s.id).await? {
            let Ok(ends_on) = w.ends_on.parse::<jiff::civil::Date>() else { continue };
            let v = surveys::version_by_id(db, jid, w.version_id).await?;
            let Ok(inst) = instrument_of(&v.instrument) else { continue };
            if !inst.scales().iter().any(|sc| sc.name == TRUST_SCALE) {
                continue;
            }
            let rows = surveys::responses(db, jid, &[w.id]).await?;
            let resp = respondents(&inst, &rows);
            let mut census = BTreeMap::new();
            for a in surveys::wave_areas(&w) {
                if let std::collections::btree_map::Entry::Vacant(e) = census_cache.entry(a) {
                    e.insert(areas::demographics(db, jid, &[a]).await?);
                }
                census.insert(a, census_cache[&a].clone());
            }
            let (weights, _) = rake_wave(&resp, &census, None);
            let mut by_area: BTreeMap<i64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
            for (r, wt) in resp.iter().zip(&weights) {
                if let (Some(a), Some(wt), Some(y)) = (r.area, wt, r.scores.get(TRUST_SCALE)) {
                    let e = by_area.entry(a).or_default();
                    e.0.push(*y);
                    e.1.push(*wt);
                }
            }
            out.push(WaveTrust { ends_on: ends_on.min(today), by_area });
        }
    }
    out.sort_by_key(|w| w.ends_on);
    Ok(out)
}

/// The partnership's trust fact on `today`: the latest and the previous wave (ended by then) with an estimate
/// over its areas.
pub fn for_areas(waves: &[WaveTrust], area_ids: &[i64], today: jiff::civil::Date) -> Option<TrustFact> {
    let estimates: Vec<(f64, f64, f64)> =
        waves.iter().filter(|w| w.ends_on <= today).filter_map(|w| w.estimate(area_ids)).collect();
    let latest = *estimates.last()?;
    Some(TrustFact { latest, previous: (estimates.len() > 1).then(|| estimates[estimates.len() - 2]) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(day: i8, by_area: &[(i64, f64, usize)]) -> WaveTrust {
        WaveTrust {
            ends_on: jiff::civil::date(2026, 1, day),
            by_area: by_area.iter().map(|&(a, y, n)| (a, (vec![y; n], vec![1.0; n]))).collect(),
        }
    }

    #[test]
    fn a_partnership_pools_its_areas_and_needs_enough_respondents() {
        let waves = [wave(1, &[(1, 40.0, 6), (2, 60.0, 6)]), wave(10, &[(1, 50.0, 20), (2, 70.0, 20)])];
        let day = jiff::civil::date(2026, 1, 31);
        let fact = for_areas(&waves, &[1, 2], day).unwrap();
        assert!((fact.latest.0 - 60.0).abs() < 1e-9, "pooled over both areas: {fact:?}");
        assert!((fact.previous.unwrap().0 - 50.0).abs() < 1e-9, "six plus six respondents are enough together");
        let one = for_areas(&waves, &[1], day).unwrap();
        assert_eq!(one.previous, None, "six respondents alone are too few");
        assert!(for_areas(&waves, &[1, 2], jiff::civil::date(2025, 12, 31)).is_none(), "nothing had ended yet");
    }
}
