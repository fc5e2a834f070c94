//! Weighted survey estimates, as defined in METHODS.md ("Surveys").
//!
//! - **Scale scores**: the mean of a respondent's answered items rescaled to 0–100 — × 10 for 0–10 items,
//!   (mean − 1) × 25 for 1–5 agreement items ([`scale_score`]).
//! - **Weighted mean** ȳ_w = Σw y / Σw with the linearised (Taylor) standard error of the ratio mean, treating
//!   the weights as fixed: SE = sqrt(n/(n − 1) · Σ(z_i − z̄)²), z_i = w_i (y_i − ȳ_w) / Σw, z̄ = Σz/n (z̄ is 0
//!   up to rounding; it is kept to match samplics' `TaylorEstimator(PopParam.mean)` without strata or PSUs,
//!   which is what the crate's fixtures check). 95 % CI ȳ_w ± t(n − 1)·SE.
//! - **Domains** (subgroups): the domain mean uses only the domain's respondents, but its variance is the
//!   full-sample variance of scores that are zero outside the domain, so n (in n/(n − 1)) and the degrees of
//!   freedom are those of the whole sample, not of the domain — samplics' `domain=` estimates (the textbook
//!   domain estimator; analysing the subset alone would treat the domain's size as fixed). For two domains A and
//!   B the difference ȳ_A − ȳ_B has scores z^A − z^B, which covers overlapping domains; for disjoint domains
//!   its variance is SE_A² + SE_B².
//! - **Kish effective n** = (Σw)²/Σw² and the design effect due to weighting n/n_eff (of the respondents in the
//!   estimate). An estimate whose effective n is below [`LOW_RELIABILITY_EFFECTIVE_N`] (50) is flagged as low
//!   reliability; that is METHODS.md's only criterion (the CV is reported but not used).
//! - **Small cells**: group tables hide groups with fewer than k respondents (survey default
//!   [`SURVEY_MIN_CELL`] = 10) with complementary suppression by [`crate::suppression::suppress_row`].
//!
//! Respondents who did not answer the item must be left out of `y`/`w` before calling (samplics'
//! `remove_nan=True`); they are not a domain of the estimate. Every function returns `None` rather than a NaN
//! or infinity: on mismatched lengths, non-finite values, negative weights or a zero weight total.

use serde::Serialize;

use crate::student_t::{t_critical, t_sf};
use crate::suppression::suppress_row;

/// Estimates whose Kish effective sample size is below this are flagged as low reliability (METHODS.md).
pub const LOW_RELIABILITY_EFFECTIVE_N: f64 = 50.0;
/// Confidence level of the intervals (METHODS.md: 95 %).
pub const CONFIDENCE_LEVEL: f64 = 0.95;
/// Survey small-cell threshold k (METHODS.md "Small cells").
pub const SURVEY_MIN_CELL: u64 = 10;

/// The answer scale of a set of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemScale {
    /// 0–10 (trust and safety items).
    ZeroToTen,
    /// 1–5 agreement (procedural-justice items: voice, neutrality, respect, trustworthy motives).
    OneToFive,
}

impl ItemScale {
    /// Lowest and highest answer.
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::ZeroToTen => (0.0, 10.0),
            Self::OneToFive => (1.0, 5.0),
        }
    }
}

/// A respondent's 0–100 scale score: the mean of the answered items (`None` = not answered), rescaled linearly
/// from the item scale to 0–100. `None` when no item was answered or an answer is outside the scale.
pub fn scale_score(items: &[Option<f64>], scale: ItemScale) -> Option<f64> {
    let (lo, hi) = scale.range();
    let (mut sum, mut k) = (0.0, 0u32);
    for v in items.iter().flatten() {
        if !(lo..=hi).contains(v) {
            return None;
        }
        sum += v;
        k += 1;
    }
    (k > 0).then(|| ((sum / f64::from(k) - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0))
}

/// Kish effective sample size (Σw)²/Σw²; `None` for no weights, a zero total or invalid weights.
pub fn kish_effective_n(weights: &[f64]) -> Option<f64> {
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return None;
    }
    let (s, s2) = weights.iter().fold((0.0, 0.0), |(s, s2), w| (s + w, s2 + w * w));
    (s > 0.0).then(|| s * s / s2).filter(|v| v.is_finite())
}

/// Kish design effect due to weighting, n·Σw²/(Σw)² = n / effective n; `None` as [`kish_effective_n`].
pub fn design_effect(weights: &[f64]) -> Option<f64> {
    kish_effective_n(weights).map(|e| weights.len() as f64 / e)
}

/// A weighted mean with its precision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The weighted mean ȳ_w.
    pub mean: f64,
    /// Linearised standard error; `None` with fewer than two respondents in the estimate (or in the sample).
    pub se: Option<f64>,
    /// Lower end of the 95 % confidence interval (t with `df` degrees of freedom).
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % confidence interval.
    pub ci_high: Option<f64>,
    /// Degrees of freedom of the interval: respondents in the whole sample − 1.
    pub df: u64,
    /// Respondents in the estimate (the domain's, for a domain).
    pub n: u64,
    /// Σw of those respondents (the estimated population).
    pub sum_weights: f64,
    /// Kish effective n of those respondents, (Σw)²/Σw².
    pub effective_n: f64,
    /// Kish design effect, n / effective n.
    pub design_effect: f64,
    /// Coefficient of variation SE / |mean|; `None` without an SE or when the mean is 0.
    pub cv: Option<f64>,
    /// Effective n below [`LOW_RELIABILITY_EFFECTIVE_N`].
    pub low_reliability: bool,
}

/// The difference between two domain means (e.g. the trust gap between two groups).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainDifference {
    /// The first domain's estimate.
    pub a: Estimate,
    /// The second domain's estimate.
    pub b: Estimate,
    /// ȳ_A − ȳ_B.
    pub difference: f64,
    /// Linearised standard error of the difference; `None` when either domain has no SE.
    pub se: Option<f64>,
    /// Lower end of the 95 % confidence interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % confidence interval.
    pub ci_high: Option<f64>,
    /// difference / SE; `None` when the SE is missing or 0.
    pub t: Option<f64>,
    /// Two-sided p value from t(df); `None` with `t`.
    pub p: Option<f64>,
    /// Degrees of freedom: respondents in the whole sample − 1.
    pub df: u64,
    /// Either domain is low reliability.
    pub low_reliability: bool,
}

/// One row of a group table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group (index).
    pub group: u16,
    /// Respondents in the group; `None` when suppressed.
    pub respondents: Option<u64>,
    /// The group's domain estimate; `None` when suppressed or when the group is empty.
    pub estimate: Option<Estimate>,
    /// Hidden as a small cell or its complement.
    pub suppressed: bool,
}

/// Sums over one domain.
struct Domain {
    mean: f64,
    sum_w: f64,
    sum_w2: f64,
    n: u64,
}

fn valid(y: &[f64], w: &[f64]) -> bool {
    y.len() == w.len()
        && !y.is_empty()
        && y.iter().all(|v| v.is_finite())
        && w.iter().all(|v| v.is_finite() && *v >= 0.0)
}

/// The domain's weighted mean and weight sums, the mean shifted by its first value so that a constant gives
/// exactly that constant.
fn domain_sums(y: &[f64], w: &[f64], member: impl Fn(usize) -> bool) -> Option<Domain> {
    let first = (0..y.len()).find(|&i| member(i))?;
    let shift = y[first];
    let (mut sum_w, mut sum_w2, mut sum_wd, mut n) = (0.0, 0.0, 0.0, 0u64);
    for i in (0..y.len()).filter(|&i| member(i)) {
        sum_w += w[i];
        sum_w2 += w[i] * w[i];
        sum_wd += w[i] * (y[i] - shift);
        n += 1;
    }
    if !(sum_w > 0.0 && sum_w.is_finite()) {
        return None;
    }
    let mean = shift + sum_wd / sum_w;
    mean.is_finite().then_some(Domain { mean, sum_w, sum_w2, n })
}

/// n/(n − 1)·Σ(z_i − z̄)² for scores given per respondent; `None` when n < 2.
fn score_variance(n: usize, z: impl Fn(usize) -> f64) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let zbar = (0..n).map(&z).sum::<f64>() / n as f64;
    let ss: f64 = (0..n).map(|i| (z(i) - zbar).powi(2)).sum();
    let v = n as f64 / (n as f64 - 1.0) * ss;
    v.is_finite().then_some(v)
}

/// Score of respondent i for a domain: w_i (y_i − ȳ_d) / Σ_d w inside the domain, 0 outside.
fn score(y: &[f64], w: &[f64], d: &Domain, inside: bool, i: usize) -> f64 {
    if inside { w[i] * (y[i] - d.mean) / d.sum_w } else { 0.0 }
}

/// Mean ± t·SE, with `None` when there is no SE.
fn interval(mean: f64, se: Option<f64>, df: u64) -> (Option<f64>, Option<f64>) {
    match (se, t_critical(CONFIDENCE_LEVEL, df as f64)) {
        (Some(se), Some(t)) => (Some(mean - t * se), Some(mean + t * se)),
        _ => (None, None),
    }
}

fn estimate(y: &[f64], w: &[f64], member: impl Fn(usize) -> bool + Copy) -> Option<Estimate> {
    let d = domain_sums(y, w, member)?;
    let n_all = y.len();
    let var = if d.n >= 2 { score_variance(n_all, |i| score(y, w, &d, member(i), i)) } else { None };
    let se = var.map(f64::sqrt);
    let df = n_all as u64 - 1;
    let (ci_low, ci_high) = interval(d.mean, se, df);
    let effective_n = d.sum_w * d.sum_w / d.sum_w2;
    let cv = se.filter(|_| d.mean != 0.0).map(|s| s / d.mean.abs()).filter(|c| c.is_finite());
    Some(Estimate {
        mean: d.mean,
        se,
        ci_low,
        ci_high,
        df,
        n: d.n,
        sum_weights: d.sum_w,
        effective_n,
        design_effect: d.n as f64 / effective_n,
        cv,
        low_reliability: effective_n < LOW_RELIABILITY_EFFECTIVE_N,
    })
}

/// Weighted mean of `y` with weights `w` over all respondents, with its linearised SE and 95 % CI.
pub fn weighted_mean(y: &[f64], w: &[f64]) -> Option<Estimate> {
    if !valid(y, w) {
        return None;
    }
    estimate(y, w, |_| true)
}

/// Weighted mean of `y` over the respondents with `in_domain[i]`, with the domain SE (full-sample scores, see
/// the module documentation). `None` also when the domain is empty or `in_domain` has another length.
pub fn domain_mean(y: &[f64], w: &[f64], in_domain: &[bool]) -> Option<Estimate> {
    if !valid(y, w) || in_domain.len() != y.len() {
        return None;
    }
    estimate(y, w, |i| in_domain[i])
}

/// The difference between the means of domains `a` and `b` (ȳ_A − ȳ_B) with its linearised SE, 95 % CI and
/// two-sided t test. The domains may overlap. `None` as [`domain_mean`] for either domain.
pub fn domain_difference(y: &[f64], w: &[f64], a: &[bool], b: &[bool]) -> Option<DomainDifference> {
    let ea = domain_mean(y, w, a)?;
    let eb = domain_mean(y, w, b)?;
    let da = domain_sums(y, w, |i| a[i])?;
    let db = domain_sums(y, w, |i| b[i])?;
    let difference = ea.mean - eb.mean;
    let var = if ea.se.is_some() && eb.se.is_some() {
        score_variance(y.len(), |i| score(y, w, &da, a[i], i) - score(y, w, &db, b[i], i))
    } else {
        None
    };
    let se = var.map(f64::sqrt);
    let df = ea.df;
    let (ci_low, ci_high) = interval(difference, se, df);
    let t = se.filter(|s| *s > 0.0).map(|s| difference / s).filter(|t| t.is_finite());
    let p = t.map(|t| (2.0 * t_sf(t.abs(), df as f64)).min(1.0));
    let low_reliability = ea.low_reliability || eb.low_reliability;
    Some(DomainDifference { a: ea, b: eb, difference, se, ci_low, ci_high, t, p, df, low_reliability })
}

/// A group table with small-cell suppression: one row per group `0..n_groups`, each the domain estimate of the
/// respondents with `groups[i] == Some(group)` (respondents with `None`, or a group ≥ `n_groups`, are in no row
/// but still count in the sample). Groups with fewer than `k` respondents are hidden, with a complement when
/// only one is hidden ([`suppress_row`]; survey default k = [`SURVEY_MIN_CELL`]); hidden rows show neither
/// count nor estimate. When every respondent is in one hidden group the total would reveal it, so callers must
/// not publish the table's total then. Returns an empty table when the inputs are invalid.
pub fn group_table(y: &[f64], w: &[f64], groups: &[Option<u16>], n_groups: u16, k: u64) -> Vec<GroupRow> {
    if !valid(y, w) || groups.len() != y.len() {
        return Vec::new();
    }
    let mut counts = vec![0u64; usize::from(n_groups)];
    for g in groups.iter().flatten() {
        if let Some(c) = counts.get_mut(usize::from(*g)) {
            *c += 1;
        }
    }
    let shown = suppress_row(&counts, k);
    (0..n_groups)
        .map(|g| {
            let i = usize::from(g);
            if shown[i] {
                let membership: Vec<bool> = groups.iter().map(|x| *x == Some(g)).collect();
                GroupRow {
                    group: g,
                    respondents: Some(counts[i]),
                    estimate: domain_mean(y, w, &membership),
                    suppressed: false,
                }
            } else {
                GroupRow { group: g, respondents: None, estimate: None, suppressed: true }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_scores() {
        assert_eq!(scale_score(&[Some(7.0), None, Some(8.0)], ItemScale::ZeroToTen), Some(75.0));
        assert_eq!(scale_score(&[Some(10.0), Some(10.0)], ItemScale::ZeroToTen), Some(100.0));
        assert_eq!(scale_score(&[Some(1.0), Some(5.0), Some(3.0)], ItemScale::OneToFive), Some(50.0));
        assert_eq!(scale_score(&[Some(5.0)], ItemScale::OneToFive), Some(100.0));
        assert_eq!(scale_score(&[Some(1.0)], ItemScale::OneToFive), Some(0.0));
        assert_eq!(scale_score(&[None, None], ItemScale::ZeroToTen), None);
        assert_eq!(scale_score(&[], ItemScale::OneToFive), None);
        assert_eq!(scale_score(&[Some(0.0)], ItemScale::OneToFive), None, "0 is not on a 1–5 scale");
        assert_eq!(scale_score(&[Some(11.0)], ItemScale::ZeroToTen), None);
        assert_eq!(scale_score(&[Some(f64::NAN)], ItemScale::ZeroToTen), None);
    }

    #[test]
    fn unweighted_mean_is_the_classical_one() {
        // Equal weights: SE = s/√n with the n − 1 sample variance.
        let y = [2.0, 4.0, 4.0, 5.0, 7.0, 8.0];
        let e = weighted_mean(&y, &[3.0; 6]).unwrap();
        let mean = 5.0;
        let s2 = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 5.0;
        assert!((e.mean - mean).abs() < 1e-15);
        assert!((e.se.unwrap() - (s2 / 6.0).sqrt()).abs() < 1e-14);
        assert_eq!((e.n, e.df), (6, 5));
        assert!((e.effective_n - 6.0).abs() < 1e-12 && (e.design_effect - 1.0).abs() < 1e-12);
        let t = t_critical(0.95, 5.0).unwrap();
        assert!((e.ci_high.unwrap() - (mean + t * e.se.unwrap())).abs() < 1e-12);
        assert!(e.low_reliability);
        assert!((e.cv.unwrap() - e.se.unwrap() / 5.0).abs() < 1e-15);
    }

    #[test]
    fn invalid_inputs_give_none() {
        assert_eq!(weighted_mean(&[], &[]), None);
        assert_eq!(weighted_mean(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(weighted_mean(&[1.0, f64::NAN], &[1.0, 1.0]), None);
        assert_eq!(weighted_mean(&[1.0, 2.0], &[1.0, -1.0]), None);
        assert_eq!(weighted_mean(&[1.0, 2.0], &[0.0, 0.0]), None);
        assert_eq!(domain_mean(&[1.0, 2.0], &[1.0, 1.0], &[false, false]), None);
        assert_eq!(domain_mean(&[1.0, 2.0], &[1.0, 1.0], &[true]), None);
        assert_eq!(kish_effective_n(&[]), None);
        assert_eq!(kish_effective_n(&[1.0, f64::INFINITY]), None);
        // One respondent: a mean, no SE.
        let one = weighted_mean(&[4.0], &[2.0]).unwrap();
        assert_eq!((one.mean, one.se, one.ci_low, one.cv), (4.0, None, None, None));
        // A one-respondent domain has no SE either (its score is 0 by construction).
        let d = domain_mean(&[1.0, 2.0, 3.0], &[1.0; 3], &[false, true, false]).unwrap();
        assert_eq!((d.mean, d.se, d.n), (2.0, None, 1));
        assert!(
            domain_difference(&[1.0, 2.0, 3.0], &[1.0; 3], &[true, false, true], &[false, true, false])
                .unwrap()
                .se
                .is_none()
        );
    }

    #[test]
    fn whole_sample_domain_equals_the_mean_and_disjoint_gaps_add_variances() {
        let y: Vec<f64> = (0..60).map(|i| f64::from((i * 37) % 11)).collect();
        let w: Vec<f64> = (0..60).map(|i| 1.0 + f64::from((i * 13) % 7) / 3.0).collect();
        let all = vec![true; 60];
        assert_eq!(domain_mean(&y, &w, &all), weighted_mean(&y, &w));
        let a: Vec<bool> = (0..60).map(|i| i % 3 == 0).collect();
        let b: Vec<bool> = (0..60).map(|i| i % 3 == 1).collect();
        let d = domain_difference(&y, &w, &a, &b).unwrap();
        let (sa, sb) = (d.a.se.unwrap(), d.b.se.unwrap());
        assert!((d.se.unwrap() - sa.hypot(sb)).abs() < 1e-12);
        assert!((d.difference - (d.a.mean - d.b.mean)).abs() < 1e-15);
        let p = d.p.unwrap();
        assert!((0.0..=1.0).contains(&p));
        // A domain against itself: no gap, no variance, no test.
        let same = domain_difference(&y, &w, &a, &a).unwrap();
        assert_eq!((same.difference, same.se, same.t, same.p), (0.0, Some(0.0), None, None));
        // Domain SE uses the full sample's n: larger than treating the subset as the sample by n_d/(n_d − 1)
        // over n/(n − 1) only (no strata or PSUs here).
        let ya: Vec<f64> = y.iter().zip(&a).filter(|(_, m)| **m).map(|(v, _)| *v).collect();
        let wa: Vec<f64> = w.iter().zip(&a).filter(|(_, m)| **m).map(|(v, _)| *v).collect();
        let subset = weighted_mean(&ya, &wa).unwrap();
        let ratio = (60.0 / 59.0) / (20.0 / 19.0);
        assert!((sa * sa - subset.se.unwrap().powi(2) * ratio).abs() < 1e-12);
        assert_eq!(d.a.df, 59);
    }

    #[test]
    fn group_table_suppresses_small_cells_with_a_complement() {
        // Groups of 30, 4 (small), 12 and 0 respondents; k = 10: the 4 is hidden and the 12 with it.
        let sizes = [30usize, 4, 12, 0];
        let mut groups = Vec::new();
        for (g, n) in sizes.iter().enumerate() {
            groups.extend(std::iter::repeat_n(Some(g as u16), *n));
        }
        groups.push(None); // a respondent who gave no group still counts in the sample
        let n = groups.len();
        let y: Vec<f64> = (0..n).map(|i| f64::from(i as u32 % 5)).collect();
        let w = vec![1.5; n];
        let rows = group_table(&y, &w, &groups, 4, SURVEY_MIN_CELL);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows.iter().map(|r| r.suppressed).collect::<Vec<_>>(), [false, true, true, false]);
        assert_eq!(rows[0].respondents, Some(30));
        assert_eq!(rows[0].estimate.as_ref().unwrap().df, n as u64 - 1);
        assert_eq!((rows[1].respondents, rows[1].estimate.is_none()), (None, true));
        assert_eq!((rows[3].respondents, rows[3].estimate.is_none(), rows[3].suppressed), (Some(0), true, false));
        assert!(group_table(&y, &w, &groups[1..], 4, 10).is_empty(), "length mismatch");
    }
}
