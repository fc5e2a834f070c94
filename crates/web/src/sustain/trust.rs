//! Trust in police by area from the surveys: every wave is raked once (exactly as the survey results page does)
//! and the `trust` scale is estimated per area; a partnership reads the estimates of its own areas.

use crate::routes::surveys::compute::{Census, rake_wave, respondents, sample};
use crate::routes::surveys::instrument_of;
use commonbeat_analysis::survey::weighted_mean;
use commonbeat_domain::health::TrustFact;
use commonbeat_store::Db;
use commonbeat_store::StoreError;
use commonbeat_store::repo::{areas, surveys};
use std::collections::BTreeMap;

/// Smallest number of respondents in an area before its trust estimate is used (the survey suppression k).
pub const MIN_RESPONDENTS: u64 = 10;

/// One wave's estimate in one area: the wave's end date, mean and 95 % CI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaTrust {
    /// Last day of the wave (ISO date).
    pub ends_on: jiff::civil::Date,
    /// Mean, CI low, CI high (0–100).
    pub estimate: (f64, f64, f64),
}

/// Trust estimates per area, oldest wave first, for waves that ended on or before `today`.
pub async fn by_area(db: &Db, jid: i64, today: jiff::civil::Date) -> Result<BTreeMap<i64, Vec<AreaTrust>>, StoreError> {
    let mut out: BTreeMap<i64, Vec<AreaTrust>> = BTreeMap::new();
    let mut census_cache: BTreeMap<i64, Census> = BTreeMap::new();
    for s in surveys::list(db, jid).await? {
        for w in surveys::waves(db, jid, s.id).await? {
            let Ok(ends_on) = w.ends_on.parse::<jiff::civil::Date>() else { continue };
            let v = surveys::version_by_id(db, jid, w.version_id).await?;
            let Ok(inst) = instrument_of(&v.instrument) else { continue };
            if !inst.scales().iter().any(|sc| sc.name == "trust") {
                continue;
            }
            // A wave still in the field counts from what it has so far, dated today.
            let ends_on = ends_on.min(today);
            let rows = surveys::responses(db, jid, &[w.id]).await?;
            let resp = respondents(&inst, &rows);
            let area_ids = surveys::wave_areas(&w);
            let mut census = BTreeMap::new();
            for a in &area_ids {
                if !census_cache.contains_key(a) {
                    census_cache.insert(*a, areas::demographics(db, jid, &[*a]).await?);
                }
                census.insert(*a, census_cache[a].clone());
            }
            let (weights, _) = rake_wave(&resp, &census, None);
            for a in area_ids {
                let smp = sample(&resp, Some(&weights), "trust", Some(a));
                if let Some(e) = weighted_mean(&smp.y, &smp.w).filter(|e| e.n >= MIN_RESPONDENTS)
                    && let (Some(lo), Some(hi)) = (e.ci_low, e.ci_high)
                {
                    out.entry(a).or_default().push(AreaTrust { ends_on, estimate: (e.mean, lo, hi) });
                }
            }
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|t| t.ends_on);
    }
    Ok(out)
}

/// The partnership's trust fact from its areas: the area with the most recent estimate (ties: the first).
pub fn for_areas(
    by_area: &BTreeMap<i64, Vec<AreaTrust>>,
    area_ids: &[i64],
    today: jiff::civil::Date,
) -> Option<TrustFact> {
    area_ids
        .iter()
        .filter_map(|a| by_area.get(a))
        .map(|v| v.iter().filter(|t| t.ends_on <= today).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .max_by_key(|v| v.last().map(|t| t.ends_on))
        .map(|v| TrustFact {
            latest: v[v.len() - 1].estimate,
            previous: (v.len() > 1).then(|| v[v.len() - 2].estimate),
        })
}
