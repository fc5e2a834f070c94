//! Raking (iterative proportional fitting) of respondent weights to population margins, as defined in
//! METHODS.md ("Surveys").
//!
//! Start from the base weights (1 unless design weights are given). One *round* visits every margin in turn
//! and multiplies the weight of each respondent in category c by target(c) / current weighted total(c). Rounds
//! repeat until every weighted margin of every dimension is within `tolerance` (relative, default 1e-10) of its
//! target, checked after each full round, for at most `max_rounds` (default 1000) rounds — otherwise
//! [`RakeError::NotConverged`]. This is plain IPF, the algorithm of PyPI `ipfn` and samplics' `rake`, and with
//! ipfn's `convergence_rate = 1e-10, rate_tolerance = 0` it stops after the same round (checked in the crate's
//! fixtures). Targets are population counts, so the weights sum to the population.
//!
//! Rules for the inputs (each breach is a named [`RakeError`]):
//! - every respondent's category must have a target (a code beyond a dimension's targets is refused);
//! - a category with a positive target must have respondents, and a category with respondents must have a
//!   positive target (a zero target would give them weight 0);
//! - every dimension must have the same total as the first. With [`TotalsPolicy::Strict`] (the default) totals
//!   differing by more than the tolerance are refused — they cannot all be met. With
//!   [`TotalsPolicy::NormaliseToFirst`] each later dimension's targets are scaled to the first dimension's total
//!   and the factors used are reported in [`Raked::normalised`].
//!
//! Optional trimming ([`RakeOptions::trim`] = k) caps every weight at k × the mean weight (population / n) and
//! rakes again from the capped weights, repeating cap-and-rake until no weight exceeds the cap by more than
//! [`TRIM_TOLERANCE`] (relative) or [`MAX_TRIM_ROUNDS`] have run. The last step is always a full rake, so the
//! margins hold whatever happens; what trimming did is reported in [`TrimReport`].
//!
//! Speed: respondents with the same categories in every dimension (cells of the cross-classification) always
//! get the same factors, so the rounds run on cell totals — one pass over the respondents to group them and one
//! to hand out the raked cell weights (each member keeps its share of its cell's starting weight), with the
//! same result up to rounding. The loop over cells allocates nothing: the pass that applies dimension d's factors
//! also accumulates dimension d + 1's totals, and the round's last pass accumulates every dimension's totals for
//! the convergence check (which are also the first dimension's totals for the next round).

use std::fmt;

use serde::Serialize;

/// Convergence tolerance of METHODS.md: every weighted margin within 1e-10 (relative) of its target.
pub const DEFAULT_TOLERANCE: f64 = 1e-10;
/// At most this many rounds (METHODS.md).
pub const DEFAULT_MAX_ROUNDS: usize = 1000;
/// Trimming stops once no weight exceeds the cap by more than this (relative).
pub const TRIM_TOLERANCE: f64 = 1e-6;
/// At most this many cap-and-rake rounds when trimming.
pub const MAX_TRIM_ROUNDS: usize = 100;

/// One raking dimension: every respondent's category and the population target of each category.
#[derive(Debug, Clone, Copy)]
pub struct Margin<'a> {
    /// The dimension's name, used in errors (e.g. `"age"`).
    pub name: &'a str,
    /// Category of each respondent, an index into `targets`; one per respondent, in respondent order.
    pub codes: &'a [u16],
    /// Population count of each category.
    pub targets: &'a [f64],
}

/// What to do when dimensions' targets have different totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TotalsPolicy {
    /// Refuse totals that differ (relative) by more than the tolerance: [`RakeError::UnequalTotals`].
    #[default]
    Strict,
    /// Scale each later dimension's targets to the first dimension's total and report the factors.
    NormaliseToFirst,
}

/// Settings for [`rake`]; the defaults are METHODS.md's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RakeOptions {
    /// Largest relative margin error accepted (default 1e-10).
    pub tolerance: f64,
    /// Most rounds (passes over all margins) before giving up (default 1000).
    pub max_rounds: usize,
    /// Handling of unequal totals (default strict).
    pub totals: TotalsPolicy,
    /// Trim weights at `k` × the mean weight and re-rake (`None`, the default, = no trimming). Must exceed 1.
    pub trim: Option<f64>,
}

impl Default for RakeOptions {
    fn default() -> Self {
        Self { tolerance: DEFAULT_TOLERANCE, max_rounds: DEFAULT_MAX_ROUNDS, totals: TotalsPolicy::Strict, trim: None }
    }
}

/// What trimming did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimReport {
    /// The multiplier k of the mean weight.
    pub k: f64,
    /// The cap in weight units: k × population / respondents.
    pub cap: f64,
    /// Whether any raked weight exceeded the cap by more than [`TRIM_TOLERANCE`], so trimming was applied (if
    /// not, the weights are the untrimmed raked weights).
    pub trimmed: bool,
    /// Cap-and-rake rounds run (0 when nothing exceeded the cap).
    pub rounds: usize,
    /// Respondents whose weight was capped in at least one round.
    pub respondents_capped: usize,
    /// Largest weight after the first (untrimmed) raking.
    pub max_weight_before: f64,
    /// Largest final weight.
    pub max_weight_after: f64,
    /// Share (0–1) of the population that the untrimmed weights carried above the cap, Σ max(0, w − cap) / Σw.
    pub excess_share_before: f64,
    /// Whether the final weights respect the cap within [`TRIM_TOLERANCE`]. `false` means the margins cannot be
    /// met under this cap (e.g. a category whose target needs larger weights); the weights still meet the
    /// margins, and `max_weight_after` says by how much the cap is exceeded.
    pub cap_met: bool,
}

/// Raked weights and how they were reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Raked {
    /// One weight per respondent, in respondent order; all positive, summing to the population.
    pub weights: Vec<f64>,
    /// Rounds of the final raking (with trimming: of the last re-rake).
    pub rounds: usize,
    /// Rounds over all rakings (first rake plus every re-rake).
    pub total_rounds: usize,
    /// Largest relative margin error |weighted total / target − 1| over all categories with a target.
    pub max_margin_error: f64,
    /// Sum of the weights.
    pub total: f64,
    /// With [`TotalsPolicy::NormaliseToFirst`], the factor applied to each dimension's targets (1 for the first);
    /// `None` when no dimension needed scaling.
    pub normalised: Option<Vec<f64>>,
    /// Present when trimming was requested.
    pub trimming: Option<TrimReport>,
}

/// Why raking was refused or failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RakeError {
    /// No margins were given.
    NoMargins,
    /// There are no respondents.
    NoRespondents,
    /// A dimension's codes (or the base weights, named `"base weights"`) do not have one entry per respondent.
    LengthMismatch {
        /// The dimension.
        dimension: String,
        /// Number of respondents (length of the first dimension's codes).
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A base weight is not a positive finite number.
    InvalidBaseWeight {
        /// The respondent (index).
        respondent: usize,
    },
    /// A target is negative or not finite.
    InvalidTarget {
        /// The dimension.
        dimension: String,
        /// The category (index into its targets).
        category: u16,
    },
    /// A respondent's category has no target.
    UnknownCategory {
        /// The dimension.
        dimension: String,
        /// The category code found.
        category: u16,
        /// The first respondent (index) with it.
        respondent: usize,
    },
    /// A category has population but no respondents, so its target cannot be reached.
    EmptyCategory {
        /// The dimension.
        dimension: String,
        /// The category.
        category: u16,
        /// Its target.
        target: f64,
    },
    /// A category has respondents but a target of zero (they would get weight 0).
    ZeroTarget {
        /// The dimension.
        dimension: String,
        /// The category.
        category: u16,
        /// Its respondents.
        respondents: usize,
    },
    /// A dimension's targets do not sum to the first dimension's total (strict totals).
    UnequalTotals {
        /// The dimension.
        dimension: String,
        /// Its total.
        total: f64,
        /// The first dimension's total.
        expected: f64,
    },
    /// The tolerance is not positive and finite, `max_rounds` is 0, or the trim multiplier is not above 1.
    InvalidOptions,
    /// The margins were not met within the tolerance after the maximum number of rounds.
    NotConverged {
        /// Rounds run.
        rounds: usize,
        /// The largest relative margin error left.
        max_margin_error: f64,
    },
}

impl fmt::Display for RakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoMargins => write!(f, "no margins to rake to"),
            Self::NoRespondents => write!(f, "no respondents to weight"),
            Self::LengthMismatch { dimension, expected, found } => {
                write!(f, "{dimension}: {found} entries for {expected} respondents")
            }
            Self::InvalidBaseWeight { respondent } => {
                write!(f, "respondent {respondent} has a base weight that is not a positive number")
            }
            Self::InvalidTarget { dimension, category } => {
                write!(f, "{dimension}, category {category}: target is negative or not a number")
            }
            Self::UnknownCategory { dimension, category, respondent } => {
                write!(f, "{dimension}: respondent {respondent} is in category {category}, which has no target")
            }
            Self::EmptyCategory { dimension, category, target } => {
                write!(f, "{dimension}, category {category}: population {target} but no respondents")
            }
            Self::ZeroTarget { dimension, category, respondents } => {
                write!(f, "{dimension}, category {category}: {respondents} respondents but a population of 0")
            }
            Self::UnequalTotals { dimension, total, expected } => {
                write!(f, "{dimension}: targets sum to {total}, the first dimension's to {expected}")
            }
            Self::InvalidOptions => {
                write!(f, "tolerance must be positive, max rounds at least 1 and the trim multiplier above 1")
            }
            Self::NotConverged { rounds, max_margin_error } => {
                write!(f, "raking did not converge in {rounds} rounds (margin error {max_margin_error:e})")
            }
        }
    }
}

impl std::error::Error for RakeError {}

/// The validated problem in cell form, and the buffers the loop reuses.
///
/// Respondents with the same category in every dimension (a *cell* of the cross-classification) are multiplied
/// by the same factors in every step, so IPF can run on cell totals: a cell's weight is the sum of its members'
/// starting weights, and at the end each member's weight is its starting weight × (raked cell weight / starting
/// cell weight). That is the same computation as respondent by respondent up to rounding, and a round then
/// costs O(cells × dimensions) instead of O(respondents × dimensions).
struct Problem {
    /// Cell of each respondent.
    cell_of: Vec<u64>,
    /// Category of each cell, per dimension.
    codes: Vec<Vec<u16>>,
    targets: Vec<Vec<f64>>,
    sums: Vec<Vec<f64>>,
    factors: Vec<Vec<f64>>,
    /// Starting weight of each cell (then the ratio raked / starting).
    cell_base: Vec<f64>,
    /// Raked weight of each cell.
    cell_w: Vec<f64>,
}

/// Groups respondents into cells by a mixed-radix key of their categories (a dense table when the
/// cross-classification is small, a hash map otherwise; one cell per respondent if the key would overflow).
fn cells(margins: &[Margin<'_>]) -> (Vec<u64>, Vec<Vec<u16>>) {
    let n = margins[0].codes.len();
    let mut strides = Vec::with_capacity(margins.len());
    let mut product = Some(1u64);
    for m in margins {
        strides.push(product.unwrap_or(0));
        product = product.and_then(|p| p.checked_mul(m.targets.len().max(1) as u64));
    }
    let Some(product) = product else {
        return ((0..n as u64).collect(), margins.iter().map(|m| m.codes.to_vec()).collect());
    };
    // Keys column by column (vectorises), then one lookup per respondent turns each key into its cell in place.
    let mut keys = vec![0u64; n];
    for (m, &stride) in margins.iter().zip(&strides) {
        for (k, &c) in keys.iter_mut().zip(m.codes) {
            *k += u64::from(c) * stride;
        }
    }
    let mut codes: Vec<Vec<u16>> = margins.iter().map(|_| Vec::new()).collect();
    let new_cell = |i: usize, codes: &mut [Vec<u16>]| {
        codes.iter_mut().zip(margins).for_each(|(c, m)| c.push(m.codes[i]));
        (codes[0].len() - 1) as u64
    };
    if product <= (4 * n as u64).max(1 << 16) {
        let mut table = vec![u64::MAX; product as usize];
        for (i, key) in keys.iter_mut().enumerate() {
            let slot = &mut table[*key as usize];
            if *slot == u64::MAX {
                *slot = new_cell(i, &mut codes);
            }
            *key = *slot;
        }
    } else {
        let mut table = std::collections::HashMap::new();
        for (i, key) in keys.iter_mut().enumerate() {
            *key = *table.entry(*key).or_insert_with(|| new_cell(i, &mut codes));
        }
    }
    (keys, codes)
}

impl Problem {
    fn new(cell_of: Vec<u64>, codes: Vec<Vec<u16>>, targets: Vec<Vec<f64>>) -> Self {
        let n_cells = codes[0].len();
        Problem {
            cell_of,
            codes,
            sums: targets.iter().map(|t| vec![0.0; t.len()]).collect(),
            factors: targets.iter().map(|t| vec![0.0; t.len()]).collect(),
            targets,
            cell_base: vec![0.0; n_cells],
            cell_w: vec![0.0; n_cells],
        }
    }

    /// Rakes respondent weights `w` in place (from their current values); returns (rounds, max relative error).
    fn rake(&mut self, w: &mut [f64], tolerance: f64, max_rounds: usize) -> Result<(usize, f64), RakeError> {
        self.cell_base.iter_mut().for_each(|b| *b = 0.0);
        for (&c, &wi) in self.cell_of.iter().zip(w.iter()) {
            self.cell_base[c as usize] += wi;
        }
        let mut cell_w = std::mem::take(&mut self.cell_w);
        cell_w.copy_from_slice(&self.cell_base);
        let result = self.rake_cells(&mut cell_w, tolerance, max_rounds);
        for (ratio, raked) in self.cell_base.iter_mut().zip(&cell_w) {
            *ratio = raked / *ratio;
        }
        self.cell_w = cell_w;
        let (rounds, error) = result?;
        for (wi, &c) in w.iter_mut().zip(&self.cell_of) {
            *wi *= self.cell_base[c as usize];
        }
        Ok((rounds, error))
    }

    /// Largest relative error of the current `sums` (categories with a positive target only).
    fn max_error(&self) -> f64 {
        let mut worst = 0.0_f64;
        for (sums, targets) in self.sums.iter().zip(&self.targets) {
            for (s, t) in sums.iter().zip(targets) {
                if *t > 0.0 {
                    worst = worst.max((s / t - 1.0).abs());
                }
            }
        }
        worst
    }

    /// Fills `sums[d]` from `w`.
    fn accumulate(&mut self, d: usize, w: &[f64]) {
        let sums = &mut self.sums[d];
        sums.iter_mut().for_each(|s| *s = 0.0);
        for (&c, &wi) in self.codes[d].iter().zip(w) {
            sums[usize::from(c)] += wi;
        }
    }

    /// Rakes cell weights `w` in place; returns (rounds, max relative margin error).
    fn rake_cells(&mut self, w: &mut [f64], tolerance: f64, max_rounds: usize) -> Result<(usize, f64), RakeError> {
        let dims = self.codes.len();
        self.accumulate(0, w);
        let mut error = f64::INFINITY;
        for round in 1..=max_rounds {
            for d in 0..dims {
                // sums[d] holds dimension d's current totals.
                for ((f, s), t) in self.factors[d].iter_mut().zip(&self.sums[d]).zip(&self.targets[d]) {
                    *f = if *s > 0.0 { t / s } else { 1.0 };
                }
                let factors = &self.factors[d];
                let codes = &self.codes[d];
                if d + 1 < dims {
                    let next_codes = &self.codes[d + 1];
                    let next = &mut self.sums[d + 1];
                    next.iter_mut().for_each(|s| *s = 0.0);
                    for ((wi, &c), &cn) in w.iter_mut().zip(codes).zip(next_codes) {
                        *wi *= factors[usize::from(c)];
                        next[usize::from(cn)] += *wi;
                    }
                } else {
                    for (wi, &c) in w.iter_mut().zip(codes) {
                        *wi *= factors[usize::from(c)];
                    }
                    // All dimensions' totals for the check; sums[0] also starts the next round.
                    for e in 0..dims {
                        self.accumulate(e, w);
                    }
                }
            }
            error = self.max_error();
            if error <= tolerance {
                return Ok((round, error));
            }
        }
        Err(RakeError::NotConverged { rounds: max_rounds, max_margin_error: error })
    }
}

/// Rakes respondent weights to the margins (see the module documentation for the algorithm and the rules).
///
/// `base_weights` are design weights (one per respondent, positive); `None` starts every respondent at 1.
pub fn rake(margins: &[Margin<'_>], base_weights: Option<&[f64]>, options: &RakeOptions) -> Result<Raked, RakeError> {
    if !(options.tolerance.is_finite() && options.tolerance > 0.0)
        || options.max_rounds == 0
        || options.trim.is_some_and(|k| !(k.is_finite() && k > 1.0))
    {
        return Err(RakeError::InvalidOptions);
    }
    let first = margins.first().ok_or(RakeError::NoMargins)?;
    let n = first.codes.len();
    if n == 0 {
        return Err(RakeError::NoRespondents);
    }
    let mut weights = match base_weights {
        Some(b) => {
            if b.len() != n {
                return Err(RakeError::LengthMismatch {
                    dimension: "base weights".into(),
                    expected: n,
                    found: b.len(),
                });
            }
            if let Some(i) = b.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
                return Err(RakeError::InvalidBaseWeight { respondent: i });
            }
            b.to_vec()
        }
        None => vec![1.0; n],
    };
    let mut targets = Vec::with_capacity(margins.len());
    for m in margins {
        let dimension = || m.name.to_string();
        if m.codes.len() != n {
            return Err(RakeError::LengthMismatch { dimension: dimension(), expected: n, found: m.codes.len() });
        }
        if let Some(c) = m.targets.iter().position(|t| !(t.is_finite() && *t >= 0.0)) {
            return Err(RakeError::InvalidTarget { dimension: dimension(), category: c as u16 });
        }
        if m.codes.iter().max().is_some_and(|&c| usize::from(c) >= m.targets.len()) {
            let i = m.codes.iter().position(|&c| usize::from(c) >= m.targets.len()).unwrap_or_default();
            return Err(RakeError::UnknownCategory { dimension: dimension(), category: m.codes[i], respondent: i });
        }
        targets.push(m.targets.to_vec());
    }
    // Which categories have respondents, read off the cells.
    let (cell_of, cell_codes) = cells(margins);
    for ((m, t), codes) in margins.iter().zip(&targets).zip(&cell_codes) {
        let mut present = vec![false; t.len()];
        codes.iter().for_each(|&c| present[usize::from(c)] = true);
        for (c, (&here, &target)) in present.iter().zip(t).enumerate() {
            let (dimension, category) = (m.name.to_string(), c as u16);
            if !here && target > 0.0 {
                return Err(RakeError::EmptyCategory { dimension, category, target });
            }
            if here && target == 0.0 {
                let respondents = m.codes.iter().filter(|&&x| x == category).count();
                return Err(RakeError::ZeroTarget { dimension, category, respondents });
            }
        }
    }
    let totals: Vec<f64> = targets.iter().map(|t| t.iter().sum()).collect();
    let mut normalised = None;
    for (d, m) in margins.iter().enumerate().skip(1) {
        if (totals[d] / totals[0] - 1.0).abs() > options.tolerance {
            match options.totals {
                TotalsPolicy::Strict => {
                    return Err(RakeError::UnequalTotals {
                        dimension: m.name.to_string(),
                        total: totals[d],
                        expected: totals[0],
                    });
                }
                TotalsPolicy::NormaliseToFirst => {
                    let scale = totals[0] / totals[d];
                    targets[d].iter_mut().for_each(|t| *t *= scale);
                    normalised.get_or_insert_with(|| vec![1.0; margins.len()])[d] = scale;
                }
            }
        }
    }

    let mut problem = Problem::new(cell_of, cell_codes, targets);
    let (mut rounds, mut error) = problem.rake(&mut weights, options.tolerance, options.max_rounds)?;
    let mut total_rounds = rounds;

    let trimming = match options.trim {
        None => None,
        Some(k) => {
            let population: f64 = weights.iter().sum();
            let cap = k * population / n as f64;
            let max_before = weights.iter().fold(0.0_f64, |a, &w| a.max(w));
            let excess: f64 = weights.iter().map(|&w| (w - cap).max(0.0)).sum();
            let mut report = TrimReport {
                k,
                cap,
                trimmed: max_before > cap * (1.0 + TRIM_TOLERANCE),
                rounds: 0,
                respondents_capped: 0,
                max_weight_before: max_before,
                max_weight_after: max_before,
                excess_share_before: excess / population,
                cap_met: true,
            };
            if report.trimmed {
                report.cap_met = false;
                let mut capped = vec![false; n];
                while !report.cap_met && report.rounds < MAX_TRIM_ROUNDS {
                    for (w, was) in weights.iter_mut().zip(capped.iter_mut()) {
                        if *w > cap {
                            *w = cap;
                            *was = true;
                        }
                    }
                    (rounds, error) = problem.rake(&mut weights, options.tolerance, options.max_rounds)?;
                    total_rounds += rounds;
                    report.rounds += 1;
                    report.max_weight_after = weights.iter().fold(0.0_f64, |a, &w| a.max(w));
                    report.cap_met = report.max_weight_after <= cap * (1.0 + TRIM_TOLERANCE);
                }
                report.respondents_capped = capped.iter().filter(|c| **c).count();
            }
            Some(report)
        }
    };

    let total = weights.iter().sum();
    Ok(Raked { weights, rounds, total_rounds, max_margin_error: error, total, normalised, trimming })
}
