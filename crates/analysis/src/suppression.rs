//! Small-cell suppression with complementary suppression for tables published with a total.
//!
//! A cell with a count greater than zero and below `k` is hidden (primary suppression). When a row of cells is
//! published together with its total, a single hidden cell could be recovered by subtraction, so the smallest
//! other published non-zero cell is hidden too (complementary suppression).

/// Whether each cell of a row may be shown. `true` = publish, `false` = suppress.
///
/// `total_published` says whether the row's total is published alongside (then complementary suppression applies).
/// Zero cells are not sensitive on their own and are shown unless needed as a complement; they are never chosen
/// as the complement because a zero reveals nothing about the hidden cell's value when the total is known.
pub fn suppress_row(counts: &[u64], k: u64, total_published: bool) -> Vec<bool> {
    let mut shown: Vec<bool> = counts.iter().map(|&c| c == 0 || c >= k).collect();
    let hidden = shown.iter().filter(|s| !**s).count();
    if total_published && hidden == 1 {
        let complement = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| shown[*i] && **c > 0)
            .min_by_key(|(i, c)| (**c, *i))
            .map(|(i, _)| i);
        if let Some(i) = complement {
            shown[i] = false;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_cells_hidden_with_a_complement() {
        assert_eq!(suppress_row(&[12, 2, 30, 0], 3, false), vec![true, false, true, true]);
        assert_eq!(suppress_row(&[12, 2, 30, 0], 3, true), vec![false, false, true, true]);
        assert_eq!(suppress_row(&[1, 2, 30], 3, true), vec![false, false, true]);
        assert_eq!(suppress_row(&[5, 6], 3, true), vec![true, true]);
    }

    proptest! {
        #[test]
        fn no_single_hidden_nonzero_cell_is_recoverable(counts in proptest::collection::vec(0u64..20, 1..8), k in 1u64..12) {
            let shown = suppress_row(&counts, k, true);
            for (c, s) in counts.iter().zip(&shown) {
                if *c > 0 && *c < k { prop_assert!(!s); }
            }
            let hidden_nonzero = counts.iter().zip(&shown).filter(|(c, s)| !**s && **c > 0).count();
            let publishable_nonzero = counts.iter().filter(|c| **c > 0).count();
            prop_assert!(hidden_nonzero != 1 || publishable_nonzero == 1);
        }
    }
}
