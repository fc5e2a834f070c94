//! Prepared waves for the results page, its CSV and API: a wave's respondents (demographics as category indices and
//! scale scores, see [`respondents`]) and, per trimming choice, their raking weights with the per-area report.
//!
//! Reading, scoring and raking 100,000 responses takes far longer than the page may (issue 8: under 200 ms), so
//! prepared waves are kept in [`ResultsCache`] (in `AppState`), keyed by jurisdiction and wave and checked on every
//! use against [`surveys::results_stamp`] — the count and latest id of the wave's responses and of the
//! jurisdiction's census rows, read in one query (index-only for the responses) — so a new response or new census
//! figures are seen at once, on every app instance. While a wave is being answered, new responses are appended:
//! only the rows after the latest one read are loaded and the wave is re-raked (milliseconds), and the whole wave
//! is read again only when responses went away or the census changed. A wave's instrument version never changes
//! once fielded. The samples of a scale (scores and weights, per weighting, trimming and area filter) are kept
//! with the wave too. The cache holds at most [`MAX_WAVES`] waves; the least recently used goes first.

use super::compute::{AreaRaking, Census, Respondent, Sample, rake_wave, respondents_from, sample};
use super::instrument_of;
use crate::AppState;
use crate::error::AppResult;
use commonbeat_domain::survey::Instrument;
use commonbeat_store::entities::survey_wave;
use commonbeat_store::repo::surveys::ResponseColumns;
use commonbeat_store::repo::{areas, surveys};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The most waves kept prepared at once.
pub const MAX_WAVES: usize = 32;

/// Raking weights of a prepared wave for one trimming choice.
#[derive(Debug)]
pub struct Raked {
    /// One weight per respondent (`None` = not weighted).
    pub weights: Vec<Option<f64>>,
    /// What raking did in each area.
    pub report: Vec<AreaRaking>,
}

/// Which respondents and weights a sample uses: weighting (`None` = unweighted, else the trimming's bits), scale
/// and area filter.
type SampleKey = (Option<Option<u64>>, String, Option<i64>);

/// A wave's respondents, ready for estimation.
#[derive(Debug)]
pub struct PreparedWave {
    /// The respondents, in response order.
    pub resp: Vec<Respondent>,
    /// Scale names of the wave's instrument version.
    pub scales: Vec<String>,
    census: BTreeMap<i64, Census>,
    inst: Instrument,
    /// The latest response id read.
    last_id: i64,
    /// Raked weights by trimming choice (the bits of the multiple; `None` = untrimmed), made on first use.
    raked: Mutex<HashMap<Option<u64>, Arc<Raked>>>,
    samples: Mutex<HashMap<SampleKey, Arc<Sample>>>,
}

impl PreparedWave {
    /// The raking weights with this trimming, computed once per choice.
    pub fn raked(&self, trim: Option<f64>) -> Arc<Raked> {
        let key = trim.map(f64::to_bits);
        if let Some(r) = self.raked.lock().expect("raked lock").get(&key) {
            return r.clone();
        }
        let (weights, report) = rake_wave(&self.resp, &self.census, trim);
        let r = Arc::new(Raked { weights, report });
        self.raked.lock().expect("raked lock").insert(key, r.clone());
        r
    }

    /// The sample of `scale` (only respondents of `area` when given), raked with `trim` when `weighted`; made once.
    pub fn sample(&self, weighted: bool, trim: Option<f64>, scale: &str, area: Option<i64>) -> Arc<Sample> {
        let key = (weighted.then(|| trim.map(f64::to_bits)), scale.to_string(), area);
        if let Some(s) = self.samples.lock().expect("samples lock").get(&key) {
            return s.clone();
        }
        let raked = weighted.then(|| self.raked(trim));
        let s = Arc::new(sample(&self.resp, raked.as_ref().map(|r| r.weights.as_slice()), scale, area));
        self.samples.lock().expect("samples lock").insert(key, s.clone());
        s
    }

    /// This wave with `more` responses appended (ids after [`PreparedWave::last_id`]); memos start afresh.
    fn extended(&self, more: ResponseColumns) -> PreparedWave {
        let mut resp = self.resp.clone();
        resp.extend(respondents_of(&self.inst, &more));
        PreparedWave {
            resp,
            scales: self.scales.clone(),
            census: self.census.clone(),
            inst: self.inst.clone(),
            last_id: more.ids.last().copied().unwrap_or(self.last_id),
            raked: Mutex::default(),
            samples: Mutex::default(),
        }
    }
}

fn respondents_of(inst: &Instrument, c: &ResponseColumns) -> Vec<Respondent> {
    respondents_from(
        inst,
        c.area
            .iter()
            .zip(&c.answers)
            .zip(&c.demographics)
            .map(|((a, ans), d)| (*a, ans.as_str(), d.each_ref().map(String::as_str))),
    )
}

struct Entry {
    stamp: [i64; 4],
    used: Instant,
    wave: Arc<PreparedWave>,
}

/// Prepared waves by (jurisdiction, wave).
#[derive(Default)]
pub struct ResultsCache {
    entries: Mutex<HashMap<(i64, i64), Entry>>,
}

impl std::fmt::Debug for ResultsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResultsCache")
    }
}

impl ResultsCache {
    /// The prepared waves (same order as `waves`), from the cache where the wave's data have not changed.
    pub async fn waves(
        &self,
        state: &AppState,
        jid: i64,
        waves: &[&survey_wave::Model],
    ) -> AppResult<Vec<Arc<PreparedWave>>> {
        let ids: Vec<i64> = waves.iter().map(|w| w.id).collect();
        let stamps = surveys::results_stamp(&state.db, jid, &ids).await?;
        let census_stamp = stamps.get(&-1).copied().unwrap_or_default();
        let mut out = Vec::with_capacity(waves.len());
        for w in waves {
            let s = stamps.get(&w.id).copied().unwrap_or_default();
            let stamp = [s[0], s[1], census_stamp[0], census_stamp[1]];
            let cached = self.entries.lock().expect("results cache lock").get_mut(&(jid, w.id)).map(|e| {
                e.used = Instant::now();
                (e.stamp, e.wave.clone())
            });
            let prepared = match cached {
                Some((old, wave)) if old == stamp => wave,
                // Only new responses since: read those and append.
                Some((old, wave)) if old[2..] == stamp[2..] && stamp[0] > old[0] && stamp[1] > old[1] => {
                    let more = surveys::response_columns(&state.db, jid, w.id, wave.last_id).await?;
                    if old[0] + more.ids.len() as i64 == stamp[0] {
                        Arc::new(wave.extended(more))
                    } else {
                        Arc::new(prepare(state, jid, w).await?)
                    }
                }
                _ => Arc::new(prepare(state, jid, w).await?),
            };
            let mut entries = self.entries.lock().expect("results cache lock");
            if entries.len() >= MAX_WAVES
                && !entries.contains_key(&(jid, w.id))
                && let Some(oldest) = entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| *k)
            {
                entries.remove(&oldest);
            }
            entries.insert((jid, w.id), Entry { stamp, used: Instant::now(), wave: prepared.clone() });
            out.push(prepared);
        }
        Ok(out)
    }
}

async fn prepare(state: &AppState, jid: i64, w: &survey_wave::Model) -> AppResult<PreparedWave> {
    let v = surveys::version_by_id(&state.db, jid, w.version_id).await?;
    let inst = instrument_of(&v.instrument)?;
    let rows = surveys::response_columns(&state.db, jid, w.id, 0).await?;
    let resp = respondents_of(&inst, &rows);
    let last_id = rows.ids.last().copied().unwrap_or(0);
    let scales = inst.scales().into_iter().map(|s| s.name).collect();
    // The wave's own areas are raked; respondents elsewhere are reported as having no census figures.
    let mut census = BTreeMap::new();
    for a in surveys::wave_areas(w) {
        census.insert(a, areas::demographics(&state.db, jid, &[a]).await?);
    }
    Ok(PreparedWave { resp, scales, census, inst, last_id, raked: Mutex::default(), samples: Mutex::default() })
}
