//! Representation: how the members of a partnership who declared a demographic compare with the census of its area.
//!
//! For one breakdown (race, age, …) each group's share of the members who answered is set against its share of the
//! census population: the ratio (1 = proportional, below 0.5 = flagged as under-represented) and the gap in
//! percentage points. Member counts are personal data of a small group, so cells go through
//! [`crate::suppression::suppress_row`] (METHODS.md "Small cells").
//!
//! What a suppressed cell may still say: whether the group is *certainly* under-represented, judged only from what
//! the published table already reveals. The flag is computed with the largest member count the cell could have
//! given the published numbers — the number of members who declared, the shown cells, how many cells are hidden
//! and `k` — so it adds nothing a reader could not work out, and it never calls a group under-represented when it
//! is not:
//! - Hidden cells hold `S` = declared − (sum of shown cells) between them, and each is non-zero (zero cells are
//!   shown).
//! - With three or more hidden cells all are primary (a complement is added only to a lone primary cell), so each
//!   is at most `min(k − 1, S − (h − 1))`.
//! - With two hidden cells, either both are primary, or one is primary and the other its complement — the smallest
//!   shown non-zero cell, so at least `k` and at most every shown non-zero cell. A cell's bound is the larger of
//!   `min(k − 1, S − 1)` and, when a complement is possible, `min(S − 1, smallest shown non-zero cell)` (just
//!   `S − 1` when no non-zero cell is shown).
//!   (Using `k − 1` for both would reveal which cell is the complement and could flag the complement wrongly.)
//! - When fewer than `k` members declared, every cell (zeros too) is hidden and nothing is flagged (any one cell
//!   could hold all of them; with nobody declared there is no share at all).

use crate::suppression::suppress_row;
use serde::Serialize;

/// Below this ratio of member share to census share a group is flagged as under-represented.
pub const UNDER_REPRESENTED_RATIO: f64 = 0.5;

/// One group of a breakdown: members against census.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupComparison {
    /// The category id (e.g. `"hispanic"`, `"65+"`).
    pub category: String,
    /// Members who declared this category; `None` when suppressed.
    pub members: Option<u64>,
    /// Share (0–1) of the members who declared this dimension; `None` when suppressed.
    pub member_share: Option<f64>,
    /// Census count for the category.
    pub census: u64,
    /// Share (0–1) of the census total; 0 when the census total is 0.
    pub census_share: f64,
    /// `member_share / census_share`; `None` when suppressed or when the census share is 0.
    pub ratio: Option<f64>,
    /// `(member_share − census_share) × 100`, in percentage points; `None` when suppressed.
    pub gap_pp: Option<f64>,
    /// The group is below half its census share. For a suppressed cell: even at the largest count it could have
    /// given the published numbers (see the module documentation).
    pub under_represented: bool,
    /// The member count is hidden (small cell, its complement, or fewer than `k` members declared in all).
    pub suppressed: bool,
}

/// A breakdown of members against the census.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The groups: census categories in census order, then categories only members declared, in member order.
    pub groups: Vec<GroupComparison>,
    /// Members who declared this dimension (the denominator of `member_share`).
    pub declared: u64,
    /// Sum of the census counts (the denominator of `census_share`).
    pub census_total: u64,
}

/// Compares member counts with census counts for one breakdown, suppressing member cells below `k`.
///
/// `members` and `census` are `(category, count)` pairs; a category listed twice on one side is summed. Member cells
/// with `0 < count < k` are suppressed with a complement (METHODS.md); zero cells are shown, since a group with
/// nobody is the most important gap. When fewer than `k` members declared, every cell is suppressed. `k = 0` is
/// treated as 1 (nothing to suppress except an empty breakdown).
pub fn compare(members: &[(&str, u64)], census: &[(&str, u64)], k: u64) -> Comparison {
    let k = k.max(1);
    let mut categories: Vec<&str> = Vec::new();
    let mut census_counts: Vec<u64> = Vec::new();
    let mut member_counts: Vec<u64> = Vec::new();
    for (side, pairs) in [(0, census), (1, members)] {
        for &(cat, n) in pairs {
            let i = categories.iter().position(|c| *c == cat).unwrap_or_else(|| {
                categories.push(cat);
                census_counts.push(0);
                member_counts.push(0);
                categories.len() - 1
            });
            let cell = if side == 0 { &mut census_counts[i] } else { &mut member_counts[i] };
            *cell = cell.saturating_add(n);
        }
    }

    let declared: u64 = member_counts.iter().fold(0u64, |a, &n| a.saturating_add(n));
    let census_total: u64 = census_counts.iter().fold(0u64, |a, &n| a.saturating_add(n));
    let all_hidden = declared < k;
    let shown = if all_hidden { vec![false; member_counts.len()] } else { suppress_row(&member_counts, k) };
    let bound = hidden_cell_bound(&member_counts, &shown, declared, k);

    let groups = categories
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            let census_share = share(census_counts[i], census_total);
            let suppressed = !shown[i];
            let (members, member_share, ratio, gap_pp, under_represented) = if suppressed {
                let max_share = share(bound, declared);
                let under = !all_hidden && census_share > 0.0 && max_share / census_share < UNDER_REPRESENTED_RATIO;
                (None, None, None, None, under)
            } else {
                let s = share(member_counts[i], declared);
                let ratio = (census_share > 0.0).then(|| s / census_share);
                let under = ratio.is_some_and(|r| r < UNDER_REPRESENTED_RATIO);
                (Some(member_counts[i]), Some(s), ratio, Some((s - census_share) * 100.0), under)
            };
            GroupComparison {
                category: (*cat).to_owned(),
                members,
                member_share,
                census: census_counts[i],
                census_share,
                ratio,
                gap_pp,
                under_represented,
                suppressed,
            }
        })
        .collect();
    Comparison { groups, declared, census_total }
}

/// The largest count any hidden cell could have, judged from the published numbers only (see the module docs).
fn hidden_cell_bound(counts: &[u64], shown: &[bool], declared: u64, k: u64) -> u64 {
    if declared < k {
        return declared;
    }
    let hidden = shown.iter().filter(|s| !**s).count() as u64;
    let shown_sum: u64 = counts.iter().zip(shown).filter(|(_, s)| **s).map(|(c, _)| *c).sum();
    let s = declared - shown_sum;
    match hidden {
        0 => 0,
        1 => s, // Unreachable when declared ≥ k (a lone hidden cell always gets a complement), kept for safety.
        2 => {
            let both_primary = (k - 1).min(s - 1);
            // A complement is at most every shown non-zero cell (it was the smallest of them).
            let cap = counts.iter().zip(shown).filter(|(c, s)| **s && **c > 0).map(|(c, _)| *c).min();
            let as_complement = (s - 1).min(cap.unwrap_or(u64::MAX));
            if as_complement >= k && s - as_complement < k { as_complement.max(both_primary) } else { both_primary }
        }
        h => (k - 1).min(s - (h - 1)),
    }
}

fn share(part: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { part as f64 / total as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RACE3: &[(&str, u64)] = &[("hispanic", 300), ("white", 500), ("black", 200)];

    /// (category, members, member share, ratio, gap, under, suppressed) for compact comparisons.
    type Row = (String, Option<u64>, Option<f64>, Option<f64>, Option<f64>, bool, bool);

    fn rows(c: &Comparison) -> Vec<Row> {
        let r = |x: f64| (x * 10_000.0).round() / 10_000.0;
        c.groups
            .iter()
            .map(|g| {
                let (share, ratio, gap) = (g.member_share.map(r), g.ratio.map(r), g.gap_pp.map(r));
                (g.category.clone(), g.members, share, ratio, gap, g.under_represented, g.suppressed)
            })
            .collect()
    }

    fn row(
        cat: &str,
        m: Option<u64>,
        s: Option<f64>,
        ratio: Option<f64>,
        gap: Option<f64>,
        under: bool,
        sup: bool,
    ) -> Row {
        (cat.to_owned(), m, s, ratio, gap, under, sup)
    }

    #[test]
    fn nothing_suppressed() {
        // 40 members: 10 Hispanic (25 % vs 30 %), 30 white (75 % vs 50 %), no Black members (0 % vs 20 %).
        let c = compare(&[("hispanic", 10), ("white", 30), ("black", 0)], RACE3, 3);
        assert_eq!((c.declared, c.census_total), (40, 1000));
        assert_eq!(c.groups[0].census_share, 0.3);
        assert_eq!(
            rows(&c),
            vec![
                row("hispanic", Some(10), Some(0.25), Some(0.8333), Some(-5.0), false, false),
                row("white", Some(30), Some(0.75), Some(1.5), Some(25.0), false, false),
                row("black", Some(0), Some(0.0), Some(0.0), Some(-20.0), true, false),
            ]
        );
    }

    #[test]
    fn a_small_cell_and_its_complement() {
        // Hispanic 2 < k = 3 is hidden; the smallest other non-zero cell (Black, 8) is hidden with it. Together they
        // hold 10 of 40; either could be the complement (≥ 3 and ≤ 30), so each could be as large as 9:
        // 9/40 = 22.5 % is not below half of 30 % or of 20 %, so neither is flagged. (With k − 1 = 2 as the bound,
        // Black — really 8/40 = 20 %, exactly its census share — would have been flagged.)
        let c = compare(&[("hispanic", 2), ("white", 30), ("black", 8)], RACE3, 3);
        assert_eq!(
            rows(&c),
            vec![
                row("hispanic", None, None, None, None, false, true),
                row("white", Some(30), Some(0.75), Some(1.5), Some(25.0), false, false),
                row("black", None, None, None, None, false, true),
            ]
        );
    }

    #[test]
    fn two_small_cells_use_k_minus_one() {
        // Both hidden cells are below k = 10 and hold 3 between them; neither can be a complement (that would need
        // ≥ 10), so each is at most 2: 2/100 = 2 % against 20 % → under-represented, without revealing more.
        let census = [("a", 200), ("b", 200), ("c", 600)];
        let c = compare(&[("a", 1), ("b", 2), ("c", 97)], &census, 10);
        let flags: Vec<(bool, bool)> = c.groups.iter().map(|g| (g.suppressed, g.under_represented)).collect();
        assert_eq!(flags, vec![(true, true), (true, true), (false, false)]);
        assert_eq!(hidden_cell_bound(&[1, 2, 97], &[false, false, true], 100, 10), 2);
    }

    #[test]
    fn three_small_cells() {
        // a, b, c below k = 10 hold 9 members: each at most min(9, 9 − 2) = 7 of 100 = 7 % < half of 20 %.
        let census = [("a", 200), ("b", 200), ("c", 200), ("d", 400)];
        let c = compare(&[("a", 2), ("b", 3), ("c", 4), ("d", 91)], &census, 10);
        assert_eq!(hidden_cell_bound(&[2, 3, 4, 91], &[false, false, false, true], 100, 10), 7);
        let flags: Vec<(bool, bool)> = c.groups.iter().map(|g| (g.suppressed, g.under_represented)).collect();
        assert_eq!(flags, vec![(true, true), (true, true), (true, true), (false, false)]);
        assert_eq!(rows(&c)[3], row("d", Some(91), Some(0.91), Some(2.275), Some(51.0), false, false));
        // With census shares of 10 % the same bound (7 %) is not below half, so nothing is flagged.
        let census = [("a", 100), ("b", 100), ("c", 100), ("d", 700)];
        let c = compare(&[("a", 2), ("b", 3), ("c", 4), ("d", 91)], &census, 10);
        assert!(c.groups.iter().all(|g| !g.under_represented));
    }

    #[test]
    fn too_few_declared_hides_everything() {
        let c = compare(&[("hispanic", 2), ("white", 3), ("black", 0)], RACE3, 10);
        assert_eq!(c.declared, 5);
        assert!(c.groups.iter().all(|g| g.suppressed && g.members.is_none() && !g.under_represented));
        assert!(c.groups.iter().all(|g| g.census_share > 0.0));
        let empty = compare(&[], RACE3, 3);
        assert_eq!(empty.declared, 0);
        assert!(empty.groups.iter().all(|g| g.suppressed));
    }

    #[test]
    fn categories_are_the_union_in_census_order() {
        // "other" exists only among members (census share 0: no ratio, never flagged); "x" is summed.
        let c = compare(&[("other", 5), ("white", 10), ("x", 3), ("x", 2)], &[("white", 60), ("x", 40)], 3);
        let cats: Vec<&str> = c.groups.iter().map(|g| g.category.as_str()).collect();
        assert_eq!(cats, vec!["white", "x", "other"]);
        assert_eq!(c.declared, 20);
        assert_eq!(
            rows(&c),
            vec![
                row("white", Some(10), Some(0.5), Some(0.8333), Some(-10.0), false, false),
                row("x", Some(5), Some(0.25), Some(0.625), Some(-15.0), false, false),
                row("other", Some(5), Some(0.25), None, Some(25.0), false, false),
            ]
        );
        // No census at all: shares 0, no ratios.
        let c = compare(&[("a", 5), ("b", 5)], &[("a", 0), ("b", 0)], 3);
        assert!(c.groups.iter().all(|g| g.census_share == 0.0 && g.ratio.is_none() && !g.under_represented));
    }

    fn breakdown() -> impl Strategy<Value = (Vec<u64>, Vec<u64>, u64)> {
        (1usize..9).prop_flat_map(|n| {
            (proptest::collection::vec(0u64..40, n), proptest::collection::vec(0u64..5000, n), 1u64..12)
        })
    }

    proptest! {
        #[test]
        fn invariants((m, c, k) in breakdown()) {
            let names: Vec<String> = (0..m.len()).map(|i| format!("g{i}")).collect();
            let members: Vec<(&str, u64)> = names.iter().map(String::as_str).zip(m.iter().copied()).collect();
            let census: Vec<(&str, u64)> = names.iter().map(String::as_str).zip(c.iter().copied()).collect();
            let cmp = compare(&members, &census, k);
            prop_assert_eq!(cmp.groups.len(), m.len());
            let all_hidden = cmp.declared < k;
            let hidden_nonzero = cmp.groups.iter().zip(&m).filter(|(g, n)| g.suppressed && **n > 0).count();
            prop_assert!(all_hidden || hidden_nonzero != 1);
            for (g, &n) in cmp.groups.iter().zip(&m) {
                if n > 0 && n < k { prop_assert!(g.suppressed); }
                if g.suppressed {
                    prop_assert!(g.members.is_none() && g.member_share.is_none() && g.ratio.is_none() && g.gap_pp.is_none());
                    // A flag on a hidden cell is never wrong.
                    if g.under_represented {
                        prop_assert!((n as f64 / cmp.declared as f64) < UNDER_REPRESENTED_RATIO * g.census_share);
                    }
                } else {
                    let s = g.member_share.unwrap();
                    prop_assert!((0.0..=1.0).contains(&s));
                    prop_assert_eq!(g.members, Some(n));
                    prop_assert_eq!(g.ratio.is_some_and(|r| r < UNDER_REPRESENTED_RATIO), g.under_represented);
                }
                prop_assert!((0.0..=1.0).contains(&g.census_share));
            }
        }
    }
}
