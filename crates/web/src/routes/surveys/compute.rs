//! Survey estimates from stored responses, exactly as METHODS.md (Surveys): scale scores 0–100, raking of each
//! wave's respondents in each area to that area's census margins (age of adults, sex, race/ethnicity), weighted
//! means with linearised SE and 95 % t intervals, Kish effective n with the low-reliability flag, group tables
//! with complementary small-cell suppression (k = 10 by default), the gap between two groups with its CI, and
//! trends across waves.
//!
//! Raking details (reported with every result): the first margin is adult age, so weights sum to the adult
//! population; the other margins are scaled to that total (`NormaliseToFirst`). A census category with no
//! respondents in the area is collapsed (its target dropped, reported) rather than failing the area; an area
//! without census figures, or where a category has respondents but no population, is not weighted (reported),
//! and its respondents do not enter weighted estimates. Respondents who skipped age, sex or race are not
//! weighted either (counted as `not_weighted`). Trimming is off unless asked for, and then reported.

use commonbeat_analysis::raking::{Margin, RakeOptions, TotalsPolicy, TrimReport, rake};
use commonbeat_analysis::survey::{
    Estimate, GroupRow, ItemScale, domain_difference, group_table, scale_score, weighted_mean,
};
use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::answers::survey_categories;
use commonbeat_domain::survey::{Instrument, ItemKind};
use commonbeat_store::entities::survey_response;
use serde::Serialize;
use std::collections::BTreeMap;

/// The raking margins, in order (age first: weights sum to the adult population).
pub const RAKE_DIMENSIONS: [Dimension; 3] = [Dimension::Age, Dimension::Sex, Dimension::Race];

/// A respondent prepared for estimation.
#[derive(Debug, Clone)]
pub struct Respondent {
    /// Area id.
    pub area: Option<i64>,
    /// Category index (into [`survey_categories`]) per dimension of [`Dimension::ALL`].
    pub demo: [Option<u16>; 6],
    /// Scale scores 0–100 by scale name.
    pub scores: BTreeMap<String, f64>,
}

fn dim_index(d: Dimension) -> usize {
    Dimension::ALL.iter().position(|x| *x == d).unwrap_or(0)
}

/// Reads the stored responses: demographics as category indices and a score per scale of the instrument.
pub fn respondents(inst: &Instrument, rows: &[survey_response::Model]) -> Vec<Respondent> {
    respondents_from(
        inst,
        rows.iter().map(|r| {
            (
                r.area_id,
                r.answers.as_str(),
                [&r.race, &r.age, &r.sex, &r.tenure, &r.income, &r.language].map(String::as_str),
            )
        }),
    )
}

/// [`respondents`] from (area, answers JSON, demographics in [`Dimension::ALL`] order) of each response.
pub fn respondents_from<'a>(
    inst: &Instrument,
    rows: impl Iterator<Item = (Option<i64>, &'a str, [&'a str; 6])>,
) -> Vec<Respondent> {
    let scales = inst.scales();
    let kinds: Vec<ItemScale> = scales
        .iter()
        .map(|s| if s.kind == ItemKind::Likert5 { ItemScale::OneToFive } else { ItemScale::ZeroToTen })
        .collect();
    // Looked up once, not per respondent.
    let cats: Vec<Vec<&'static str>> = Dimension::ALL.into_iter().map(survey_categories).collect();
    let mut items: Vec<Option<f64>> = Vec::new();
    rows.map(|(area, answers, vals)| {
        let answers: BTreeMap<String, serde_json::Value> = serde_json::from_str(answers).unwrap_or_default();
        let mut demo = [None; 6];
        for (i, c) in cats.iter().enumerate() {
            if !vals[i].is_empty() {
                demo[i] = c.iter().position(|c| *c == vals[i]).map(|p| p as u16);
            }
        }
        let mut scores = BTreeMap::new();
        for (s, kind) in scales.iter().zip(&kinds) {
            items.clear();
            items.extend(s.items.iter().map(|id| answers.get(id).and_then(serde_json::Value::as_f64)));
            if let Some(v) = scale_score(&items, *kind) {
                scores.insert(s.name.clone(), v);
            }
        }
        Respondent { area, demo, scores }
    })
    .collect()
}

/// What raking did in one area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaRaking {
    /// Area id.
    pub area_id: i64,
    /// Respondents weighted.
    pub respondents: usize,
    /// Whether the area's respondents were weighted.
    pub weighted: bool,
    /// Why not, or what was adjusted (collapsed categories, skipped margins).
    pub notes: Vec<String>,
    /// Rounds of the final raking.
    pub rounds: usize,
    /// Largest relative margin error after raking.
    pub max_margin_error: f64,
    /// What trimming did, when asked for.
    #[schema(value_type = Option<Object>)]
    pub trimming: Option<TrimReport>,
}

/// Census counts of one area: dimension id → category → count.
pub type Census = BTreeMap<String, BTreeMap<String, i64>>;

/// Rakes each area's respondents to its census margins. Returns one weight per respondent (`None` = not
/// weighted) and a report per area.
pub fn rake_wave(
    resp: &[Respondent],
    census: &BTreeMap<i64, Census>,
    trim: Option<f64>,
) -> (Vec<Option<f64>>, Vec<AreaRaking>) {
    let mut weights = vec![None; resp.len()];
    let mut reports = Vec::new();
    let mut areas: Vec<i64> = resp.iter().filter_map(|r| r.area).collect();
    areas.sort_unstable();
    areas.dedup();
    for area in areas {
        let idx: Vec<usize> = (0..resp.len())
            .filter(|&i| {
                resp[i].area == Some(area) && RAKE_DIMENSIONS.iter().all(|d| resp[i].demo[dim_index(*d)].is_some())
            })
            .collect();
        let mut rep = AreaRaking {
            area_id: area,
            respondents: idx.len(),
            weighted: false,
            notes: Vec::new(),
            rounds: 0,
            max_margin_error: 0.0,
            trimming: None,
        };
        let Some(c) = census.get(&area).filter(|c| !c.is_empty()) else {
            rep.notes.push("no census figures for this area".into());
            reports.push(rep);
            continue;
        };
        if idx.is_empty() {
            rep.notes.push("no respondents gave age, sex and race".into());
            reports.push(rep);
            continue;
        }
        // Per dimension: the kept categories' targets and each respondent's code among them.
        let mut codes: Vec<Vec<u16>> = Vec::new();
        let mut targets: Vec<Vec<f64>> = Vec::new();
        let mut names: Vec<&'static str> = Vec::new();
        let mut failed = false;
        for d in RAKE_DIMENSIONS {
            let cats = survey_categories(d);
            let Some(counts) = c.get(d.as_str()) else {
                rep.notes.push(format!("no census figures for {d}; margin skipped"));
                continue;
            };
            let mut seen = vec![0usize; cats.len()];
            for &i in &idx {
                if let Some(k) = resp[i].demo[dim_index(d)] {
                    seen[usize::from(k)] += 1;
                }
            }
            let target_of = |k: usize| counts.get(cats[k]).copied().unwrap_or(0) as f64;
            if let Some(k) = (0..cats.len()).find(|&k| seen[k] > 0 && target_of(k) <= 0.0) {
                rep.notes.push(format!("{d}: respondents in {} but no population; not weighted", cats[k]));
                failed = true;
                break;
            }
            let kept: Vec<usize> = (0..cats.len()).filter(|&k| seen[k] > 0).collect();
            for k in (0..cats.len()).filter(|&k| seen[k] == 0 && target_of(k) > 0.0) {
                rep.notes.push(format!("{d}: {} has no respondents; collapsed", cats[k]));
            }
            targets.push(kept.iter().map(|&k| target_of(k)).collect());
            codes.push(
                idx.iter()
                    .map(|&i| {
                        let k = usize::from(resp[i].demo[dim_index(d)].unwrap_or(0));
                        kept.iter().position(|x| *x == k).unwrap_or(0) as u16
                    })
                    .collect(),
            );
            names.push(d.as_str());
        }
        if failed || targets.is_empty() {
            reports.push(rep);
            continue;
        }
        let margins: Vec<Margin<'_>> = names
            .iter()
            .zip(codes.iter().zip(&targets))
            .map(|(name, (c, t))| Margin { name, codes: c, targets: t })
            .collect();
        let opts = RakeOptions { totals: TotalsPolicy::NormaliseToFirst, trim, ..Default::default() };
        match rake(&margins, None, &opts) {
            Ok(r) => {
                for (j, &i) in idx.iter().enumerate() {
                    weights[i] = Some(r.weights[j]);
                }
                rep.weighted = true;
                rep.rounds = r.rounds;
                rep.max_margin_error = r.max_margin_error;
                rep.trimming = r.trimming;
            }
            Err(e) => rep.notes.push(format!("raking failed: {e}")),
        }
        reports.push(rep);
    }
    (weights, reports)
}

/// One estimate cell as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Cell {
    /// Group id (area id, or census category id).
    pub key: String,
    /// Display label.
    pub label: String,
    /// Respondents; `null` when suppressed.
    pub n: Option<u64>,
    /// Kish effective n.
    pub effective_n: Option<f64>,
    /// Mean score 0–100.
    pub mean: Option<f64>,
    /// Linearised standard error.
    pub se: Option<f64>,
    /// 95 % CI low.
    pub ci_low: Option<f64>,
    /// 95 % CI high.
    pub ci_high: Option<f64>,
    /// Effective n below 50.
    pub low_reliability: bool,
    /// Hidden as a small cell (or its complement).
    pub suppressed: bool,
}

impl Cell {
    /// A published cell from an estimate.
    pub fn from_estimate(key: String, label: String, e: &Estimate) -> Cell {
        Cell {
            key,
            label,
            n: Some(e.n),
            effective_n: Some(e.effective_n),
            mean: Some(e.mean),
            se: e.se,
            ci_low: e.ci_low,
            ci_high: e.ci_high,
            low_reliability: e.low_reliability,
            suppressed: false,
        }
    }

    /// A hidden cell.
    pub fn hidden(key: String, label: String) -> Cell {
        Cell {
            key,
            label,
            n: None,
            effective_n: None,
            mean: None,
            se: None,
            ci_low: None,
            ci_high: None,
            low_reliability: false,
            suppressed: true,
        }
    }
}

/// The gap between two groups (first − second) with its 95 % CI.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// First group's key.
    pub a: String,
    /// Second group's key.
    pub b: String,
    /// First group's label.
    pub a_label: String,
    /// Second group's label.
    pub b_label: String,
    /// Difference in points (0–100 scale).
    pub difference: f64,
    /// Linearised SE.
    pub se: Option<f64>,
    /// 95 % CI low.
    pub ci_low: Option<f64>,
    /// 95 % CI high.
    pub ci_high: Option<f64>,
    /// Two-sided p value.
    pub p: Option<f64>,
    /// Either group is low reliability.
    pub low_reliability: bool,
}

/// Scores and weights of the respondents that enter an estimate of `scale`.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Scores.
    pub y: Vec<f64>,
    /// Weights.
    pub w: Vec<f64>,
    /// Indices into the respondents.
    pub idx: Vec<usize>,
}

/// The respondents with a score on `scale` (and, when `weights` are given, a weight), optionally only in `area`.
pub fn sample(resp: &[Respondent], weights: Option<&[Option<f64>]>, scale: &str, area: Option<i64>) -> Sample {
    let mut s = Sample { y: Vec::new(), w: Vec::new(), idx: Vec::new() };
    for (i, r) in resp.iter().enumerate() {
        if area.is_some() && r.area != area {
            continue;
        }
        let Some(y) = r.scores.get(scale) else { continue };
        let w = match weights {
            Some(ws) => match ws[i] {
                Some(w) => w,
                None => continue,
            },
            None => 1.0,
        };
        s.y.push(*y);
        s.w.push(w);
        s.idx.push(i);
    }
    s
}

/// The overall estimate, hidden when fewer than `k` respondents.
pub fn overall(s: &Sample, k: u64) -> Cell {
    match weighted_mean(&s.y, &s.w) {
        Some(e) if e.n >= k => Cell::from_estimate("all".into(), String::new(), &e),
        _ => Cell::hidden("all".into(), String::new()),
    }
}

/// A breakdown: one row per group (`keys`/`labels`), with suppression, and the gap between the shown groups with
/// the highest and the lowest mean (or `gap_pair` when both are shown).
pub fn breakdown(
    s: &Sample,
    group_of: impl Fn(usize) -> Option<u16>,
    keys: &[String],
    labels: &[String],
    k: u64,
    gap_pair: Option<(&str, &str)>,
) -> (Vec<Cell>, Option<Gap>) {
    let groups: Vec<Option<u16>> = s.idx.iter().map(|&i| group_of(i)).collect();
    let n_groups = keys.len() as u16;
    let table: Vec<GroupRow> = group_table(&s.y, &s.w, &groups, n_groups, k);
    let cells: Vec<Cell> = table
        .iter()
        .map(|row| {
            let g = usize::from(row.group);
            match (&row.estimate, row.suppressed) {
                (Some(e), false) => Cell::from_estimate(keys[g].clone(), labels[g].clone(), e),
                (None, false) => {
                    Cell { n: row.respondents, ..Cell::hidden(keys[g].clone(), labels[g].clone()) }.with_shown()
                }
                _ => Cell::hidden(keys[g].clone(), labels[g].clone()),
            }
        })
        .collect();
    let shown: Vec<&Cell> = cells.iter().filter(|c| c.mean.is_some()).collect();
    let pair = match gap_pair {
        Some((a, b)) => shown.iter().find(|c| c.key == a).zip(shown.iter().find(|c| c.key == b)).map(|(x, y)| (*x, *y)),
        None => {
            let hi = shown.iter().max_by(|x, y| x.mean.partial_cmp(&y.mean).unwrap_or(std::cmp::Ordering::Equal));
            let lo = shown.iter().min_by(|x, y| x.mean.partial_cmp(&y.mean).unwrap_or(std::cmp::Ordering::Equal));
            hi.zip(lo).filter(|(h, l)| h.key != l.key).map(|(h, l)| (*h, *l))
        }
    };
    let gap = pair.and_then(|(a, b)| {
        let ga = keys.iter().position(|k| *k == a.key)? as u16;
        let gb = keys.iter().position(|k| *k == b.key)? as u16;
        let in_a: Vec<bool> = groups.iter().map(|g| *g == Some(ga)).collect();
        let in_b: Vec<bool> = groups.iter().map(|g| *g == Some(gb)).collect();
        let d = domain_difference(&s.y, &s.w, &in_a, &in_b)?;
        Some(Gap {
            a: a.key.clone(),
            b: b.key.clone(),
            a_label: a.label.clone(),
            b_label: b.label.clone(),
            difference: d.difference,
            se: d.se,
            ci_low: d.ci_low,
            ci_high: d.ci_high,
            p: d.p,
            low_reliability: d.low_reliability,
        })
    });
    (cells, gap)
}

impl Cell {
    /// An empty group that is shown (zero respondents is not a small cell).
    fn with_shown(mut self) -> Cell {
        self.suppressed = false;
        self
    }
}

/// The dimension index used for a `by` breakdown.
pub fn demo_index(d: Dimension) -> usize {
    dim_index(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(area: i64, age: u16, sex: u16, race: u16, trust: f64) -> Respondent {
        let mut demo = [None; 6];
        demo[demo_index(Dimension::Age)] = Some(age);
        demo[demo_index(Dimension::Sex)] = Some(sex);
        demo[demo_index(Dimension::Race)] = Some(race);
        Respondent { area: Some(area), demo, scores: BTreeMap::from([("trust".to_string(), trust)]) }
    }

    fn census() -> Census {
        let mut c = Census::new();
        let mut put = |d: &str, k: &str, n: i64| {
            c.entry(d.to_string()).or_default().insert(k.to_string(), n);
        };
        put("age", "under-18", 500);
        put("age", "18-24", 1000);
        put("age", "25-34", 1000);
        put("sex", "female", 1250);
        put("sex", "male", 1250);
        put("race", "white", 1250);
        put("race", "black", 1250);
        put("race", "hispanic", 10);
        c
    }

    #[test]
    fn raking_meets_the_margins_collapses_empty_categories_and_reports_what_it_could_not_weight() {
        // Area 1: over-represents young white women; hispanic has no respondents (collapsed).
        let mut resp = Vec::new();
        for i in 0..40u16 {
            let race = if i < 30 { 1 } else { 2 }; // white, black
            resp.push(person(1, i % 2, (i / 2) % 2, race, if race == 1 { 80.0 } else { 40.0 }));
        }
        resp.push(person(2, 0, 0, 1, 50.0)); // area 2 has no census
        resp.push(Respondent { demo: [None; 6], ..person(1, 0, 0, 1, 10.0) }); // no demographics
        let (w, report) = rake_wave(&resp, &BTreeMap::from([(1, census())]), None);
        let r1 = report.iter().find(|r| r.area_id == 1).unwrap();
        assert!(r1.weighted && r1.max_margin_error < 1e-9, "{r1:?}");
        assert!(r1.notes.iter().any(|n| n.contains("hispanic") && n.contains("collapsed")));
        assert!(!report.iter().find(|r| r.area_id == 2).unwrap().weighted);
        assert!(w[40].is_none() && w[41].is_none());
        // Weights sum to the adult population and equalise the races: the weighted mean is near 60.
        let total: f64 = w.iter().flatten().sum();
        assert!((total - 2000.0).abs() < 1e-6, "{total}");
        let s = sample(&resp, Some(&w), "trust", None);
        let all = overall(&s, 10);
        assert!((all.mean.unwrap() - 60.0).abs() < 1.0, "{:?}", all.mean);
        let raw = overall(&sample(&resp, None, "trust", None), 10);
        assert!(raw.mean.unwrap() > 65.0);
        // A small sample is hidden.
        assert!(overall(&sample(&resp, None, "trust", Some(2)), 10).suppressed);
    }

    #[test]
    fn breakdowns_hide_small_groups_with_a_complement_and_measure_the_gap() {
        let mut resp = Vec::new();
        for i in 0..60u16 {
            let race = match i {
                0..30 => 1,
                30..50 => 2,
                50..56 => 0,
                _ => 3,
            };
            resp.push(person(1, 0, 0, race, [55.0, 75.0, 45.0, 60.0][usize::from(race)] + f64::from(i % 5)));
        }
        let s = sample(&resp, None, "trust", None);
        let cats = survey_categories(Dimension::Race);
        let keys: Vec<String> = cats.iter().map(|c| c.to_string()).collect();
        let di = demo_index(Dimension::Race);
        let (cells, gap) = breakdown(&s, |i| resp[i].demo[di], &keys, &keys, 10, None);
        let by = |k: &str| cells.iter().find(|c| c.key == k).unwrap();
        assert!(by("hispanic").suppressed && by("asian").suppressed, "6 and 4 respondents");
        assert!(by("hispanic").n.is_none() && by("hispanic").mean.is_none());
        assert_eq!(by("white").n, Some(30));
        assert!(!by("native").suppressed && by("native").n == Some(0));
        let g = gap.unwrap();
        assert_eq!((g.a.as_str(), g.b.as_str()), ("white", "black"));
        assert!((g.difference - 30.0).abs() < 1e-9 && g.ci_low.unwrap() > 25.0);
    }
}
