//! Trust estimates for the transparency views, from the surveys module's own code: respondents and raking come
//! from [`crate::routes::surveys::compute`] (scale scores, raking each wave's areas to census margins) and the
//! published estimate from its `overall`, so the suppression rule (hidden under k respondents) is the surveys
//! module's. Only surveys whose results are public count.
//!
//! Raking every wave on every request takes about a second, so the prepared samples (score and weight of every
//! weighted respondent, per wave and area) are cached per jurisdiction, keyed by a stamp of the survey data
//! (responses, waves and census rows: count and latest id) and the list of public surveys, and rebuilt at the
//! latest after [`TTL`] so that an edited instrument is picked up too.

use crate::AppState;
use crate::error::AppResult;
use crate::routes::surveys::compute::{Cell, Census, Sample, overall, rake_wave, respondents};
use crate::routes::surveys::instrument_of;
use commonbeat_analysis::survey::SURVEY_MIN_CELL;
use commonbeat_store::repo::{areas, surveys, transparency};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a cached set of samples is used without checking the instruments again.
pub const TTL: Duration = Duration::from_secs(300);

/// The scale the dashboard reports.
pub const TRUST_SCALE: &str = "trust";

/// One wave of a public survey, prepared: weighted respondents' trust scores by area.
#[derive(Debug)]
pub struct WaveSample {
    /// Survey id.
    pub survey_id: i64,
    /// Survey title.
    pub survey: String,
    /// Wave id.
    pub wave_id: i64,
    /// Wave name.
    pub wave: String,
    /// First day of the wave.
    pub starts_on: String,
    /// Scores (0–100) and raking weights per area.
    pub by_area: BTreeMap<i64, (Vec<f64>, Vec<f64>)>,
    /// Estimates already computed, by area set (`None` = all areas): they live as long as the cached wave.
    memo: Mutex<HashMap<Option<Vec<i64>>, Option<TrustPoint>>>,
}

/// A published trust estimate of one wave for a set of areas.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrustPoint {
    /// Survey id.
    pub survey_id: i64,
    /// Survey title.
    pub survey: String,
    /// Wave id.
    pub wave_id: i64,
    /// Wave name.
    pub wave: String,
    /// First day of the wave.
    pub starts_on: String,
    /// The estimate (0–100) with n, 95 % CI and the suppression flag; hidden under k = 10 respondents.
    pub estimate: Cell,
}

impl WaveSample {
    /// The estimate over `areas` (all areas when `None`), computed once per area set.
    pub fn estimate(&self, areas: Option<&[i64]>) -> Option<TrustPoint> {
        let key = areas.map(<[i64]>::to_vec);
        if let Some(hit) = self.memo.lock().expect("trust memo lock").get(&key) {
            return hit.clone();
        }
        let out = self.compute(areas);
        self.memo.lock().expect("trust memo lock").insert(key, out.clone());
        out
    }

    fn compute(&self, areas: Option<&[i64]>) -> Option<TrustPoint> {
        let mut s = Sample { y: Vec::new(), w: Vec::new(), idx: Vec::new() };
        let mut covered = false;
        for (a, (y, w)) in &self.by_area {
            if areas.is_none_or(|set| set.contains(a)) {
                covered = true;
                s.y.extend_from_slice(y);
                s.w.extend_from_slice(w);
            }
        }
        if !covered {
            return None;
        }
        Some(TrustPoint {
            survey_id: self.survey_id,
            survey: self.survey.clone(),
            wave_id: self.wave_id,
            wave: self.wave.clone(),
            starts_on: self.starts_on.clone(),
            estimate: overall(&s, SURVEY_MIN_CELL),
        })
    }
}

struct Entry {
    key: (Vec<i64>, [i64; 5]),
    built: Instant,
    waves: Arc<Vec<WaveSample>>,
}

/// The per-jurisdiction cache of prepared waves.
#[derive(Default)]
pub struct TrustCache {
    entries: Mutex<HashMap<i64, Entry>>,
}

impl std::fmt::Debug for TrustCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrustCache")
    }
}

impl TrustCache {
    /// The public waves of the jurisdiction, oldest first, from the cache when the survey data have not changed.
    pub async fn waves(&self, state: &AppState, jid: i64) -> AppResult<Arc<Vec<WaveSample>>> {
        let public: Vec<_> = surveys::list(&state.db, jid).await?.into_iter().filter(|s| s.results_public).collect();
        let key = (public.iter().map(|s| s.id).collect::<Vec<_>>(), transparency::survey_stamp(&state.db, jid).await?);
        if let Some(e) = self.entries.lock().expect("trust cache lock").get(&jid)
            && e.key == key
            && e.built.elapsed() < TTL
        {
            return Ok(e.waves.clone());
        }
        let mut waves = Vec::new();
        let mut census: BTreeMap<i64, Census> = BTreeMap::new();
        for s in &public {
            for w in surveys::waves(&state.db, jid, s.id).await? {
                let v = surveys::version_by_id(&state.db, jid, w.version_id).await?;
                let inst = instrument_of(&v.instrument)?;
                if !inst.scales().iter().any(|sc| sc.name == TRUST_SCALE) {
                    continue;
                }
                let rows = surveys::responses(&state.db, jid, &[w.id]).await?;
                let resp = respondents(&inst, &rows);
                for a in surveys::wave_areas(&w) {
                    if let std::collections::btree_map::Entry::Vacant(e) = census.entry(a) {
                        e.insert(areas::demographics(&state.db, jid, &[a]).await?);
                    }
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
                waves.push(WaveSample {
                    survey_id: s.id,
                    survey: s.title.clone(),
                    wave_id: w.id,
                    wave: w.name.clone(),
                    starts_on: w.starts_on.clone(),
                    by_area,
                    memo: Mutex::default(),
                });
            }
        }
        waves.sort_by(|a, b| (&a.starts_on, a.wave_id).cmp(&(&b.starts_on, b.wave_id)));
        let waves = Arc::new(waves);
        self.entries
            .lock()
            .expect("trust cache lock")
            .insert(jid, Entry { key, built: Instant::now(), waves: waves.clone() });
        Ok(waves)
    }
}

/// The trust trend over `areas` (all when `None`): one point per public wave that covered them, oldest first.
pub fn trend(waves: &[WaveSample], areas: Option<&[i64]>) -> Vec<TrustPoint> {
    waves.iter().filter_map(|w| w.estimate(areas)).collect()
}
