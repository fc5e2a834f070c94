//! Fairness of a hiring pipeline: selection rates by group at a stage, the adverse-impact ratio, and how the
//! applicant pool at a stage compares with the census.
//!
//! Selection rate of a group at a stage = passed ÷ entered. The adverse-impact ratio of a group is its rate ÷ the
//! highest group's rate; below four-fifths ([`FOUR_FIFTHS`]) the stage is flagged for that group, following the
//! "four-fifths rule" of the US Uniform Guidelines on Employee Selection Procedures (29 CFR 1607.4(D)). The rule
//! is a rule of thumb for where to look, not a finding of discrimination: the Guidelines themselves note that
//! smaller differences can matter and that differences in small samples may mean little.
//!
//! Small cells. Entrant and pass counts are personal data of few people, so:
//! - A group with fewer than `k` entrants ([`DEFAULT_MIN_ENTRANTS`] by default) is not rated: no rate, no ratio,
//!   no flag, and it cannot be the reference group.
//! - Entrant counts go through [`crate::suppression::suppress_row`]: small groups are hidden, with a complement.
//!   A group hidden as the complement is not rated either, although it has `k` entrants or more: with the stage
//!   totals (published elsewhere as the previous stage's passes) its exact rate would narrow down its hidden
//!   count, and so the hidden small group's.
//! - A group's pass count is shown exactly when its entrant count is: for a rated group the rate and the entrant
//!   count give it away anyway, and for a hidden group it stays hidden (even a zero would say that none of a few
//!   identifiable people passed).
//! - When fewer than `k` people entered the stage in all, every count is hidden and nothing is rated.
//! - The totals are given only when they reveal no hidden cell (not when a single group holds every entrant and
//!   is hidden).
//!
//! So a published rate always rests on at least `k` people; a group with a small *pass* count but `k` or more
//! entrants (say 1 of 20) is shown, because that rate is what the four-fifths comparison is about.
//!
//! Pool against census: [`pool_vs_census`] compares each group's share of the entrants at a stage with its census
//! share through [`crate::representation::compare`] (ratio, gap in percentage points, under-representation flag
//! below half, small-cell suppression and bounds as documented there).

use crate::representation::{Comparison, compare};
use crate::suppression::suppress_row;
use serde::Serialize;
use std::fmt;

/// A group whose adverse-impact ratio is below this is flagged (the four-fifths rule). The comparison is made
/// exactly on the counts, so a ratio of exactly 0.8 is never flagged through rounding.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Default smallest number of entrants for a group to be rated and its counts shown.
pub const DEFAULT_MIN_ENTRANTS: u64 = 5;

/// The counts of one group at one stage of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageCount<'a> {
    /// The group id (e.g. `"hispanic"`, `"women"`).
    pub group: &'a str,
    /// People of the group who entered the stage.
    pub entered: u64,
    /// Of those, people who passed it.
    pub passed: u64,
}

impl<'a> StageCount<'a> {
    /// The counts of `group`: `entered` entrants, `passed` of whom passed.
    pub fn new(group: &'a str, entered: u64, passed: u64) -> Self {
        StageCount { group, entered, passed }
    }
}

/// Why a group has (or lacks) a selection rate in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Rated: rate, ratio and flag are given.
    Rated,
    /// Nobody of the group entered the stage: no rate exists.
    NoEntrants,
    /// Fewer than `k` entrants (or fewer than `k` entrants at the stage in all).
    TooFewEntrants,
    /// Enough entrants, but the entrant count is hidden as the complement of a small group.
    Complement,
}

/// One group's row of the selection table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSelection {
    /// The group id.
    pub group: String,
    /// Entrants; `None` when suppressed.
    pub entered: Option<u64>,
    /// Passes; `None` when suppressed.
    pub passed: Option<u64>,
    /// Selection rate passed ÷ entered (0–1); `None` unless rated.
    pub rate: Option<f64>,
    /// Rate ÷ the reference group's rate (0–1); `None` unless rated and the reference rate is above 0.
    pub impact_ratio: Option<f64>,
    /// The impact ratio is below [`FOUR_FIFTHS`].
    pub adverse_impact: bool,
    /// Whether the group is rated, and why not.
    pub rating: Rating,
    /// The group has the highest rate (the first such on ties) and is the denominator of every impact ratio.
    pub reference: bool,
}

/// Selection rates and adverse-impact ratios of one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelectionTable {
    /// The groups, in input order (a group listed twice is summed).
    pub groups: Vec<GroupSelection>,
    /// The reference group (highest rate among the rated groups); `None` when no group is rated.
    pub reference_group: Option<String>,
    /// Its rate.
    pub reference_rate: Option<f64>,
    /// Entrants at the stage; `None` when the total would reveal a hidden count.
    pub entered_total: Option<u64>,
    /// Passes at the stage; `None` when the total would reveal a hidden count.
    pub passed_total: Option<u64>,
    /// The small-cell threshold `k` used.
    pub min_entrants: u64,
}

/// Invalid stage counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FairnessError {
    /// More people passed than entered.
    PassedExceedsEntered {
        /// The group.
        group: String,
        /// Its entrants (summed over repeated rows).
        entered: u64,
        /// Its passes (summed over repeated rows).
        passed: u64,
    },
}

impl fmt::Display for FairnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FairnessError::PassedExceedsEntered { group, entered, passed } => {
                write!(f, "group {group:?}: {passed} passed but only {entered} entered the stage")
            }
        }
    }
}

impl std::error::Error for FairnessError {}

/// Sums repeated groups, keeping the order of first appearance.
fn merge<'a>(stage: &[StageCount<'a>]) -> Result<Vec<StageCount<'a>>, FairnessError> {
    let mut merged: Vec<StageCount<'a>> = Vec::new();
    for s in stage {
        match merged.iter_mut().find(|m| m.group == s.group) {
            Some(m) => {
                m.entered = m.entered.saturating_add(s.entered);
                m.passed = m.passed.saturating_add(s.passed);
            }
            None => merged.push(*s),
        }
    }
    if let Some(bad) = merged.iter().find(|m| m.passed > m.entered) {
        return Err(FairnessError::PassedExceedsEntered {
            group: bad.group.to_owned(),
            entered: bad.entered,
            passed: bad.passed,
        });
    }
    Ok(merged)
}

/// The selection table of one stage with small-cell threshold `k` (see the module documentation).
///
/// `k = 0` is treated as 1. Fails when a group has more passes than entrants.
pub fn selection_table(stage: &[StageCount<'_>], k: u64) -> Result<SelectionTable, FairnessError> {
    let k = k.max(1);
    let groups = merge(stage)?;
    let entered: Vec<u64> = groups.iter().map(|g| g.entered).collect();
    let entered_total = entered.iter().fold(0u64, |a, &n| a.saturating_add(n));
    let passed_total = groups.iter().fold(0u64, |a, g| a.saturating_add(g.passed));
    let all_hidden = entered_total < k;
    let shown = if all_hidden { vec![false; groups.len()] } else { suppress_row(&entered, k) };

    let rating = |i: usize| match (entered[i], shown[i]) {
        (_, _) if all_hidden => Rating::TooFewEntrants,
        (0, _) => Rating::NoEntrants,
        (n, true) if n >= k => Rating::Rated,
        (n, false) if n >= k => Rating::Complement,
        _ => Rating::TooFewEntrants,
    };
    let rates: Vec<Option<f64>> = (0..groups.len())
        .map(|i| (rating(i) == Rating::Rated).then(|| groups[i].passed as f64 / groups[i].entered as f64))
        .collect();
    // Rates compared exactly, in integers: a / b against c / d as a·d against c·b.
    let cross = |i: usize, j: usize| u128::from(groups[i].passed) * u128::from(groups[j].entered);
    // The highest rate, the first such on ties.
    let reference = (0..groups.len()).filter(|&i| rates[i].is_some()).fold(None, |best: Option<usize>, i| match best {
        Some(b) if cross(b, i) >= cross(i, b) => best,
        _ => Some(i),
    });

    let rows = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let best = reference.filter(|&j| groups[j].passed > 0);
            let impact_ratio = rates[i].zip(best.and_then(|j| rates[j])).map(|(r, b)| r / b);
            // Below four-fifths, exactly: 5 · passed_i · entered_ref < 4 · passed_ref · entered_i.
            let adverse_impact = impact_ratio.is_some() && best.is_some_and(|j| 5 * cross(i, j) < 4 * cross(j, i));
            GroupSelection {
                group: g.group.to_owned(),
                entered: shown[i].then_some(g.entered),
                passed: shown[i].then_some(g.passed),
                rate: rates[i],
                impact_ratio,
                adverse_impact,
                rating: rating(i),
                reference: reference == Some(i),
            }
        })
        .collect();

    // A lone hidden cell (the only group with entrants, below k) would be its stage's total.
    let hidden = shown.iter().filter(|s| !**s).count();
    let totals_shown = !all_hidden && hidden != 1;
    Ok(SelectionTable {
        groups: rows,
        reference_group: reference.map(|i| groups[i].group.to_owned()),
        reference_rate: reference.and_then(|i| rates[i]),
        entered_total: totals_shown.then_some(entered_total),
        passed_total: totals_shown.then_some(passed_total),
        min_entrants: k,
    })
}

/// The applicant pool at a stage (each group's entrants) against the census, with small-cell threshold `k`:
/// shares, ratio, gap in percentage points and the under-representation flag of
/// [`crate::representation::compare`].
pub fn pool_vs_census(stage: &[StageCount<'_>], census: &[(&str, u64)], k: u64) -> Comparison {
    let pool: Vec<(&str, u64)> = stage.iter().map(|s| (s.group, s.entered)).collect();
    compare(&pool, census, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sc(group: &str, entered: u64, passed: u64) -> StageCount<'_> {
        StageCount::new(group, entered, passed)
    }

    /// (group, entered, passed, rate ×10⁴ rounded, ratio ×10⁴ rounded, flagged, rating, reference)
    type Row = (String, Option<u64>, Option<u64>, Option<i64>, Option<i64>, bool, Rating, bool);

    fn rows(t: &SelectionTable) -> Vec<Row> {
        let r = |x: f64| (x * 10_000.0).round() as i64;
        t.groups
            .iter()
            .map(|g| {
                let (rate, ratio) = (g.rate.map(r), g.impact_ratio.map(r));
                (g.group.clone(), g.entered, g.passed, rate, ratio, g.adverse_impact, g.rating, g.reference)
            })
            .collect()
    }

    fn row(g: &str, e: Option<u64>, p: Option<u64>, rate: Option<i64>, ratio: Option<i64>, flag: bool) -> Row {
        let rating = if rate.is_some() { Rating::Rated } else { Rating::TooFewEntrants };
        (g.to_owned(), e, p, rate, ratio, flag, rating, ratio == Some(10_000))
    }

    #[test]
    fn uniform_guidelines_example() {
        // Questions and Answers on the Uniform Guidelines, Q. 12: 48 of 120 white applicants hired (40 %), 12 of
        // 80 Black applicants (15 %): 15 / 40 = 37.5 % < 80 %, evidence of adverse impact.
        let t = selection_table(&[sc("white", 120, 48), sc("black", 80, 12)], DEFAULT_MIN_ENTRANTS).unwrap();
        assert_eq!(
            rows(&t),
            vec![
                row("white", Some(120), Some(48), Some(4000), Some(10_000), false),
                row("black", Some(80), Some(12), Some(1500), Some(3750), true),
            ]
        );
        assert_eq!((t.reference_group.as_deref(), t.reference_rate), (Some("white"), Some(0.4)));
        assert_eq!((t.entered_total, t.passed_total, t.min_entrants), (Some(200), Some(60), 5));
    }

    #[test]
    fn four_fifths_boundary() {
        // 40 % against 50 % is exactly 0.8: not flagged; 39 % is.
        let t = selection_table(&[sc("a", 100, 50), sc("b", 100, 40), sc("c", 100, 39)], 5).unwrap();
        let flags: Vec<bool> = t.groups.iter().map(|g| g.adverse_impact).collect();
        assert_eq!(flags, vec![false, false, true]);
        assert_eq!(t.groups[1].impact_ratio, Some(0.8));
        // 4 of 25 against 1 of 5 is exactly four-fifths, though 0.16 / 0.2 rounds below 0.8 in floating point.
        let t = selection_table(&[sc("a", 5, 1), sc("b", 25, 4)], 5).unwrap();
        assert!(t.groups[1].impact_ratio.unwrap() < FOUR_FIFTHS && !t.groups[1].adverse_impact);
    }

    #[test]
    fn small_groups_are_not_rated_and_their_complement_is_hidden() {
        // "asian" has 3 entrants < 5: hidden and not rated; the smallest other group (black, 12) is hidden as its
        // complement and not rated either, although 1 of 12 passed would be the lowest rate. Asian's 3 of 3 would
        // be the highest rate, but a small group cannot be the reference.
        let stage = [sc("white", 60, 30), sc("asian", 3, 3), sc("hispanic", 40, 12), sc("black", 12, 1)];
        let t = selection_table(&stage, 5).unwrap();
        let mut complement = row("black", None, None, None, None, false);
        complement.6 = Rating::Complement;
        assert_eq!(
            rows(&t),
            vec![
                row("white", Some(60), Some(30), Some(5000), Some(10_000), false),
                row("asian", None, None, None, None, false),
                row("hispanic", Some(40), Some(12), Some(3000), Some(6000), true),
                complement,
            ]
        );
        assert_eq!(t.reference_group.as_deref(), Some("white"));
        assert_eq!((t.entered_total, t.passed_total), (Some(115), Some(46)));
    }

    #[test]
    fn empty_groups_and_tiny_stages() {
        // A group with nobody is shown as 0 / 0 and not rated.
        let t = selection_table(&[sc("a", 10, 5), sc("b", 0, 0)], 5).unwrap();
        assert_eq!(t.groups[1].rating, Rating::NoEntrants);
        assert_eq!((t.groups[1].entered, t.groups[1].passed, t.groups[1].rate), (Some(0), Some(0), None));
        // Fewer than k entrants in all: everything hidden, totals too.
        let t = selection_table(&[sc("a", 2, 1), sc("b", 1, 1), sc("c", 0, 0)], 5).unwrap();
        assert!(t.groups.iter().all(|g| g.entered.is_none() && g.rating == Rating::TooFewEntrants));
        assert_eq!((t.entered_total, t.reference_group), (None, None));
        // One small group among zeros: no complement exists, so the total would reveal it.
        let t = selection_table(&[sc("a", 0, 0), sc("b", 4, 2), sc("c", 3, 0)], 5).unwrap();
        assert!(t.entered_total.is_some()); // two hidden cells
        let t = selection_table(&[sc("a", 0, 0), sc("b", 4, 2), sc("c", 30, 3)], 5).unwrap();
        assert_eq!(t.groups[2].rating, Rating::Complement);
        assert!(t.entered_total.is_some() && t.reference_group.is_none());
        let t = selection_table(&[sc("a", 0, 0), sc("b", 6, 2)], 7).unwrap();
        assert_eq!((t.entered_total, t.passed_total), (None, None));
        // No table at all.
        let t = selection_table(&[], 5).unwrap();
        assert!(t.groups.is_empty() && t.entered_total.is_none());
    }

    #[test]
    fn nobody_passed() {
        let t = selection_table(&[sc("a", 10, 0), sc("b", 20, 0)], 5).unwrap();
        assert!(t.groups.iter().all(|g| g.rate == Some(0.0) && g.impact_ratio.is_none() && !g.adverse_impact));
        assert_eq!(t.reference_group.as_deref(), Some("a"));
    }

    #[test]
    fn repeated_groups_are_summed_and_bad_counts_refused() {
        let t = selection_table(&[sc("a", 10, 5), sc("b", 10, 2), sc("a", 10, 5)], 0).unwrap();
        assert_eq!((t.groups.len(), t.groups[0].entered, t.min_entrants), (2, Some(20), 1));
        let err = selection_table(&[sc("a", 5, 3), sc("a", 1, 4)], 5).unwrap_err();
        assert_eq!(err, FairnessError::PassedExceedsEntered { group: "a".into(), entered: 6, passed: 7 });
        assert_eq!(err.to_string(), "group \"a\": 7 passed but only 6 entered the stage");
    }

    #[test]
    fn pool_against_census() {
        // 10 of 40 applicants are Hispanic (25 %) against 30 % of the census; no Black applicants against 20 %.
        let stage = [sc("hispanic", 10, 4), sc("white", 30, 20), sc("black", 0, 0)];
        let census = [("hispanic", 300), ("white", 500), ("black", 200)];
        let c = pool_vs_census(&stage, &census, 5);
        assert_eq!(c.declared, 40);
        let h = &c.groups[0];
        assert_eq!((h.members, h.member_share), (Some(10), Some(0.25)));
        assert!((h.ratio.unwrap() - 0.25 / 0.3).abs() < 1e-12 && (h.gap_pp.unwrap() + 5.0).abs() < 1e-9);
        assert!(c.groups[2].under_represented && !h.under_represented);
        // Small applicant groups are suppressed as in the representation table.
        let c = pool_vs_census(&[sc("hispanic", 2, 0), sc("white", 30, 20), sc("black", 8, 1)], &census, 5);
        assert!(c.groups[0].suppressed && c.groups[2].suppressed && !c.groups[1].suppressed);
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("g{i}")).collect()
    }

    /// Up to 7 groups of (entered, passed ≤ entered), and k.
    fn stage() -> impl Strategy<Value = (Vec<(u64, u64)>, u64)> {
        let group = (0u64..60).prop_flat_map(|e| (Just(e), 0..=e));
        (proptest::collection::vec(group, 0..8), 1u64..12)
    }

    proptest! {
        #[test]
        fn invariants((counts, k) in stage()) {
            let ids = names(counts.len());
            let input: Vec<StageCount> = ids.iter().zip(&counts).map(|(g, &(e, p))| sc(g, e, p)).collect();
            let t = selection_table(&input, k).unwrap();
            for (g, &(e, p)) in t.groups.iter().zip(&counts) {
                if let Some(r) = g.impact_ratio {
                    prop_assert!((0.0..=1.0).contains(&r));
                }
                if g.reference {
                    prop_assert!(g.impact_ratio.is_none_or(|r| r == 1.0));
                    prop_assert_eq!(t.reference_group.as_deref(), Some(g.group.as_str()));
                }
                // A rate is published only for a shown group of at least k entrants.
                if g.rate.is_some() {
                    prop_assert!(e >= k && g.entered == Some(e) && g.passed == Some(p));
                    prop_assert!(g.rate.unwrap() <= t.reference_rate.unwrap());
                }
                if e > 0 && e < k {
                    prop_assert!(g.entered.is_none() && g.passed.is_none() && g.rate.is_none() && !g.reference);
                }
                prop_assert_eq!(g.entered.is_some(), g.passed.is_some());
            }
            // No lone hidden non-zero count next to a published total.
            let hidden_nonzero = t.groups.iter().zip(&counts).filter(|(g, c)| g.entered.is_none() && c.0 > 0).count();
            prop_assert!(hidden_nonzero != 1 || t.entered_total.is_none());
        }

        #[test]
        fn scaling_counts_keeps_the_ratios(
            counts in proptest::collection::vec((0u64..40).prop_flat_map(|e| (Just(e), 0..=e)), 1..7),
            k in 1u64..8,
            m in 1u64..50,
        ) {
            // Groups either empty or with at least k entrants, so scaling changes no suppression.
            let counts: Vec<(u64, u64)> = counts.into_iter().map(|(e, p)| if e == 0 { (0, 0) } else { (e + k, p) }).collect();
            let ids = names(counts.len());
            let base: Vec<StageCount> = ids.iter().zip(&counts).map(|(g, &(e, p))| sc(g, e, p)).collect();
            let scaled: Vec<StageCount> = base.iter().map(|s| sc(s.group, s.entered * m, s.passed * m)).collect();
            let (a, b) = (selection_table(&base, k).unwrap(), selection_table(&scaled, k).unwrap());
            for (x, y) in a.groups.iter().zip(&b.groups) {
                prop_assert_eq!(x.rate, y.rate);
                prop_assert_eq!(x.impact_ratio, y.impact_ratio);
                prop_assert_eq!((x.adverse_impact, x.reference, x.rating), (y.adverse_impact, y.reference, y.rating));
            }
            prop_assert_eq!(a.reference_group, b.reference_group);
        }
    }
}
