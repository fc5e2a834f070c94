//! Agreement between raters: Krippendorff's alpha.
//!
//! Used for community interview panels (how far panelists scoring the same candidates on the same rubric agree),
//! and usable for any reliability data: a matrix of raters × units in which a rater may have skipped a unit.
//!
//! Definition (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"), coincidence-matrix form:
//! - Units rated by fewer than two raters are dropped (they are not pairable). For each remaining unit `u` with
//!   `m_u` ratings, every ordered pair of its ratings from different raters adds `1 / (m_u − 1)` to the cell
//!   `(c, k)` of the coincidence matrix `o`, where `c` and `k` are the two values. Each unit thus contributes its
//!   `m_u` ratings to the matrix, whose marginals `n_c` count the pairable values and sum to `n`.
//! - Observed disagreement `D_o = Σ o_ck δ²_ck / n`; expected disagreement `D_e = Σ n_c n_k δ²_ck / (n (n − 1))`;
//!   `α = 1 − D_o / D_e`.
//! - Difference functions `δ²`: nominal `0` for equal values, `1` otherwise; interval `(c − k)²`; ordinal
//!   `(Σ_{g=c..k} n_g − (n_c + n_k) / 2)²` over the distinct pairable values in order.
//!
//! α is 1 for perfect agreement, 0 when agreement is what chance would give, and below 0 for systematic
//! disagreement. It is undefined (`None`) when no unit has two ratings or when `D_e = 0` (all pairable values are
//! the same, so there is no variation to agree on). The results equal the PyPI package `krippendorff` (checked to
//! 1e-9 by `tests/agreement_reference.rs` against `scripts/fixtures/agreement_reference.py`).
//!
//! The matrix is dense over the distinct pairable values, so memory grows with their square: fine for rating
//! scales and panel means, not meant for millions of distinct continuous values.

use serde::Serialize;

/// The level of measurement of the ratings, which fixes the difference function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Categories without order: any two different values disagree equally.
    Nominal,
    /// Ordered categories: the difference grows with how many pairable values lie between the two.
    Ordinal,
    /// Equal intervals (rubric scores, means): the squared difference of the values.
    Interval,
}

impl Level {
    /// All levels.
    pub const ALL: [Level; 3] = [Level::Nominal, Level::Ordinal, Level::Interval];

    /// Stable id (`nominal`, `ordinal`, `interval`), as in the `krippendorff` package.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
        }
    }
}

/// Observed and expected disagreement, whose ratio gives alpha.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Disagreement {
    /// `D_o`: the mean difference between values paired within units.
    pub observed: f64,
    /// `D_e`: the mean difference between any two pairable values, whatever their unit.
    pub expected: f64,
}

/// The coincidence matrix of reliability data: how often each pair of values was assigned to the same unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Coincidences {
    /// Distinct pairable values, ascending.
    values: Vec<f64>,
    /// `o_ck`, row-major, `values.len()²` cells.
    matrix: Vec<f64>,
    /// `n_c`: row sums of the matrix.
    marginals: Vec<f64>,
    /// `n`: the number of pairable values.
    total: f64,
    /// Units with at least two ratings.
    units: usize,
}

impl Coincidences {
    /// Builds the coincidence matrix from reliability data: one row per rater, one column per unit, `None` for a
    /// unit the rater did not rate.
    ///
    /// Rows may have different lengths: a missing cell at the end of a short row counts as `None`. Non-finite
    /// values (NaN, ±∞) count as missing, as NaN does in the `krippendorff` package. `-0.0` and `0.0` are the
    /// same value.
    pub fn from_reliability_data<R: AsRef<[Option<f64>]>>(data: &[R]) -> Coincidences {
        let n_units = data.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
        // The ratings of each pairable unit.
        let mut per_unit: Vec<Vec<f64>> = Vec::new();
        for u in 0..n_units {
            let ratings: Vec<f64> = data
                .iter()
                .filter_map(|r| r.as_ref().get(u).copied().flatten())
                .filter(|x| x.is_finite())
                .map(|x| x + 0.0) // -0.0 + 0.0 = 0.0
                .collect();
            if ratings.len() >= 2 {
                per_unit.push(ratings);
            }
        }

        let mut values: Vec<f64> = per_unit.iter().flatten().copied().collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let v = values.len();
        let index = |x: f64| values.binary_search_by(|p| p.total_cmp(&x)).expect("value collected above");

        let mut matrix = vec![0.0; v * v];
        let mut counts = vec![0.0f64; v];
        for ratings in &per_unit {
            // The unit's distinct values (indices) and how many raters gave each.
            let mut present: Vec<usize> = ratings.iter().map(|&x| index(x)).collect();
            present.sort_unstable();
            present.dedup();
            for &i in &present {
                counts[i] = 0.0;
            }
            for &x in ratings {
                counts[index(x)] += 1.0;
            }
            let denominator = ratings.len() as f64 - 1.0;
            for &c in &present {
                for &k in &present {
                    let pairs = counts[c] * (counts[k] - if c == k { 1.0 } else { 0.0 });
                    matrix[c * v + k] += pairs / denominator;
                }
            }
        }
        let marginals: Vec<f64> = (0..v).map(|c| matrix[c * v..(c + 1) * v].iter().sum()).collect();
        let total = marginals.iter().sum();
        Coincidences { values, matrix, marginals, total, units: per_unit.len() }
    }

    /// The distinct pairable values, ascending (the rows and columns of the matrix).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// `o_ck`: the coincidences of the `c`-th and `k`-th values. Panics if either index is out of range.
    pub fn get(&self, c: usize, k: usize) -> f64 {
        assert!(c < self.values.len() && k < self.values.len(), "coincidence index out of range");
        self.matrix[c * self.values.len() + k]
    }

    /// `n_c`: how many pairable values equal each of [`Coincidences::values`].
    pub fn marginals(&self) -> &[f64] {
        &self.marginals
    }

    /// `n`: the number of pairable values (ratings in units rated at least twice).
    pub fn pairable_values(&self) -> f64 {
        self.total
    }

    /// The number of units rated at least twice.
    pub fn pairable_units(&self) -> usize {
        self.units
    }

    /// `δ²_ck`: the difference between the `c`-th and `k`-th values at `level`. Panics if either index is out of
    /// range.
    pub fn difference(&self, level: Level, c: usize, k: usize) -> f64 {
        assert!(c < self.values.len() && k < self.values.len(), "value index out of range");
        match level {
            Level::Nominal => {
                if c == k {
                    0.0
                } else {
                    1.0
                }
            }
            Level::Interval => {
                let d = self.values[c] - self.values[k];
                d * d
            }
            Level::Ordinal => {
                let (lo, hi) = if c <= k { (c, k) } else { (k, c) };
                let between: f64 = self.marginals[lo..=hi].iter().sum();
                let d = between - (self.marginals[lo] + self.marginals[hi]) / 2.0;
                d * d
            }
        }
    }

    /// Observed and expected disagreement at `level`; `None` when no unit was rated twice.
    pub fn disagreement(&self, level: Level) -> Option<Disagreement> {
        let (weighted_observed, weighted_expected) = self.weighted_sums(level)?;
        let n = self.total;
        Some(Disagreement { observed: weighted_observed / n, expected: weighted_expected / (n * (n - 1.0)) })
    }

    /// Krippendorff's alpha at `level`; `None` when undefined (no unit rated twice, or no expected disagreement
    /// because every pairable value is the same).
    pub fn alpha(&self, level: Level) -> Option<f64> {
        let (weighted_observed, weighted_expected) = self.weighted_sums(level)?;
        if weighted_expected <= 0.0 {
            return None;
        }
        // 1 − D_o / D_e with the common factors cancelled, in the order the reference package computes it.
        Some(1.0 - weighted_observed / (weighted_expected / (self.total - 1.0)))
    }

    /// `Σ o_ck δ²_ck` and `Σ n_c n_k δ²_ck`; `None` without pairable values.
    fn weighted_sums(&self, level: Level) -> Option<(f64, f64)> {
        if self.units == 0 || self.total < 2.0 {
            return None;
        }
        let v = self.values.len();
        let (mut observed, mut expected) = (0.0, 0.0);
        for c in 0..v {
            for k in 0..v {
                if c == k {
                    continue; // δ² = 0 on the diagonal at every level.
                }
                let d = self.difference(level, c, k);
                observed += self.matrix[c * v + k] * d;
                expected += self.marginals[c] * self.marginals[k] * d;
            }
        }
        Some((observed, expected))
    }
}

/// Krippendorff's alpha of reliability data (rows = raters, columns = units, `None` = not rated) at `level`.
///
/// Units rated fewer than twice are dropped; `None` when alpha is undefined (no unit rated twice, or all pairable
/// values equal). See [`Coincidences::from_reliability_data`] for how rows and values are read.
pub fn krippendorff_alpha<R: AsRef<[Option<f64>]>>(data: &[R], level: Level) -> Option<f64> {
    Coincidences::from_reliability_data(data).alpha(level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const N: Option<f64> = None;

    fn s(x: f64) -> Option<f64> {
        Some(x)
    }

    /// Krippendorff (2011), 4 observers × 12 units.
    fn textbook() -> Vec<Vec<Option<f64>>> {
        let rows: [[f64; 12]; 4] = [
            [1., 2., 3., 3., 2., 1., 4., 1., 2., -1., -1., -1.],
            [1., 2., 3., 3., 2., 2., 4., 1., 2., 5., -1., 3.],
            [-1., 3., 3., 3., 2., 3., 4., 2., 2., 5., 1., -1.],
            [1., 2., 3., 3., 2., 4., 4., 1., 2., 5., 1., -1.],
        ];
        rows.iter().map(|r| r.iter().map(|&x| (x > 0.0).then_some(x)).collect()).collect()
    }

    #[test]
    fn textbook_example_matches_the_published_values() {
        let c = Coincidences::from_reliability_data(&textbook());
        // Unit 12 has one rating and is dropped; 40 pairable values in 11 units.
        assert_eq!(c.pairable_units(), 11);
        assert_eq!(c.pairable_values(), 40.0);
        assert_eq!(c.values(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
        // The published coincidence matrix: o_11 = 7, o_12 = 4/3, n = (9, 13, 10, 5, 3).
        assert!((c.get(0, 0) - 7.0).abs() < 1e-12);
        assert!((c.get(0, 1) - 4.0 / 3.0).abs() < 1e-12);
        assert!((c.get(1, 0) - c.get(0, 1)).abs() < 1e-12);
        let n: Vec<f64> = c.marginals().iter().map(|x| (x * 1e9).round() / 1e9).collect();
        assert_eq!(n, vec![9.0, 13.0, 10.0, 5.0, 3.0]);
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        assert_eq!(c.alpha(Level::Nominal).map(round3), Some(0.743));
        assert_eq!(c.alpha(Level::Ordinal).map(round3), Some(0.815));
        assert_eq!(c.alpha(Level::Interval).map(round3), Some(0.849));
        let d = c.disagreement(Level::Interval).unwrap();
        assert!((1.0 - d.observed / d.expected - c.alpha(Level::Interval).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn undefined_cases() {
        let empty: Vec<Vec<Option<f64>>> = vec![];
        assert_eq!(krippendorff_alpha(&empty, Level::Interval), None);
        // No unit rated twice.
        assert_eq!(krippendorff_alpha(&[vec![s(1.), N], vec![N, s(2.)]], Level::Interval), None);
        // Everyone gives the same value: nothing to agree on.
        for level in Level::ALL {
            assert_eq!(krippendorff_alpha(&[[s(3.), s(3.)], [s(3.), s(3.)]], level), None);
        }
        assert_eq!(Coincidences::from_reliability_data(&empty).disagreement(Level::Nominal), None);
        // Non-finite ratings are missing.
        assert_eq!(krippendorff_alpha(&[[s(f64::NAN), s(1.)], [s(2.), s(f64::INFINITY)]], Level::Interval), None);
    }

    #[test]
    fn perfect_and_systematic() {
        let same = [[s(1.), s(2.), s(5.)], [s(1.), s(2.), s(5.)]];
        for level in Level::ALL {
            assert_eq!(krippendorff_alpha(&same, level), Some(1.0));
        }
        let opposite = [[s(1.), s(5.)], [s(5.), s(1.)]];
        assert!(krippendorff_alpha(&opposite, Level::Interval).unwrap() < 0.0);
        // Ragged rows: the missing tail counts as not rated; -0.0 is 0.0.
        let ragged = vec![vec![s(0.0), s(1.0), s(2.0)], vec![s(-0.0), s(1.0)]];
        let c = Coincidences::from_reliability_data(&ragged);
        assert_eq!((c.values(), c.pairable_units()), (&[0.0, 1.0][..], 2));
        assert_eq!(c.alpha(Level::Interval), Some(1.0));
    }

    #[test]
    fn levels_have_ids() {
        let ids: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(ids, vec!["nominal", "ordinal", "interval"]);
    }

    /// Rating matrices: 2–6 raters × 1–12 units, scores 1–5, about a quarter missing.
    fn matrix() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
        (2usize..7, 1usize..13).prop_flat_map(|(r, u)| {
            let cell = prop_oneof![1 => Just(None), 3 => (1u8..6).prop_map(|x| Some(f64::from(x)))];
            proptest::collection::vec(proptest::collection::vec(cell, u), r)
        })
    }

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn identical_raters_agree_perfectly(
            truth in proptest::collection::vec(-20i32..20, 2..15),
            raters in 2usize..6,
        ) {
            prop_assume!(truth.iter().any(|&x| x != truth[0]));
            let row: Vec<Option<f64>> = truth.iter().map(|&x| Some(f64::from(x))).collect();
            let data = vec![row; raters];
            for level in Level::ALL {
                prop_assert_eq!(krippendorff_alpha(&data, level), Some(1.0));
            }
        }

        #[test]
        fn permuting_raters_or_units_changes_nothing(data in matrix(), seed in any::<u64>()) {
            use rand::seq::SliceRandom;
            use rand::SeedableRng;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut raters = data.clone();
            raters.shuffle(&mut rng);
            let mut order: Vec<usize> = (0..data[0].len()).collect();
            order.shuffle(&mut rng);
            let units: Vec<Vec<Option<f64>>> = data.iter().map(|r| order.iter().map(|&u| r[u]).collect()).collect();
            for level in Level::ALL {
                let a = krippendorff_alpha(&data, level);
                prop_assert!(close(a, krippendorff_alpha(&raters, level)), "{:?}", level);
                prop_assert!(close(a, krippendorff_alpha(&units, level)), "{:?}", level);
                if let Some(a) = a {
                    prop_assert!(a <= 1.0 + 1e-12);
                }
            }
        }

        #[test]
        fn coincidences_are_symmetric_and_sum_to_the_pairable_values(data in matrix()) {
            let c = Coincidences::from_reliability_data(&data);
            let v = c.values().len();
            for i in 0..v {
                for j in 0..v {
                    prop_assert!((c.get(i, j) - c.get(j, i)).abs() < 1e-12);
                }
            }
            let pairable: usize = (0..data[0].len())
                .map(|u| data.iter().filter(|r| r[u].is_some()).count())
                .filter(|&m| m >= 2)
                .sum();
            prop_assert!((c.pairable_values() - pairable as f64).abs() < 1e-9);
        }
    }
}
