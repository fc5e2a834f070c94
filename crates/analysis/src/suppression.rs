//! Small-cell suppression with complementary suppression, as defined in METHODS.md ("Small cells").
//!
//! A cell with a count greater than zero and below `k` is hidden (primary suppression). If exactly one cell of a
//! breakdown is hidden, it could be recovered by subtracting the shown cells from a total published anywhere (or
//! from the sum of a breakdown's cells that a reader knows another way), so the next smallest non-zero cell is
//! hidden too (complementary suppression). This is always applied: METHODS.md makes no exception for tables
//! published without a total.

/// Whether each cell of a breakdown may be shown. `true` = publish, `false` = suppress.
///
/// Primary suppression hides every cell with `0 < count < k`. If that hides exactly one cell, the smallest other
/// non-zero cell (the first such on ties) is hidden as its complement. Zero cells are shown: they are not
/// sensitive, and a zero is never chosen as the complement because hiding it would not protect anything (the
/// hidden pair would still sum to the sensitive cell). When no non-zero cell is left to serve as complement — the
/// sensitive cell is the breakdown's only non-zero cell — the row total itself reveals it, so callers must not
/// publish that total (e.g. suppress the whole breakdown when its total is below `k`).
pub fn suppress_row(counts: &[u64], k: u64) -> Vec<bool> {
    let mut shown: Vec<bool> = counts.iter().map(|&c| c == 0 || c >= k).collect();
    let hidden = shown.iter().filter(|s| !**s).count();
    if hidden == 1 {
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
        let cases: &[(&[u64], u64, &[bool])] = &[
            (&[12, 2, 30, 0], 3, &[false, false, true, true]),
            (&[1, 2, 30], 3, &[false, false, true]),
            (&[5, 6], 3, &[true, true]),
            (&[0, 0, 0], 3, &[true, true, true]),
            // Ties for the complement: the first of the smallest.
            (&[9, 1, 4, 4], 3, &[true, false, false, true]),
            // No complement available: the lone non-zero cell stays hidden and the total must not be published.
            (&[0, 2, 0], 3, &[true, false, true]),
            // k = 0 and k = 1 hide nothing.
            (&[0, 1, 2], 0, &[true, true, true]),
            (&[0, 1, 2], 1, &[true, true, true]),
            (&[], 10, &[]),
        ];
        for (counts, k, want) in cases {
            assert_eq!(suppress_row(counts, *k), *want, "{counts:?}, k = {k}");
        }
    }

    proptest! {
        #[test]
        fn no_single_hidden_nonzero_cell_is_recoverable(counts in proptest::collection::vec(0u64..20, 1..8), k in 1u64..12) {
            let shown = suppress_row(&counts, k);
            for (c, s) in counts.iter().zip(&shown) {
                if *c > 0 && *c < k { prop_assert!(!s); }
                if *c == 0 { prop_assert!(s); }
            }
            let hidden_nonzero = counts.iter().zip(&shown).filter(|(c, s)| !**s && **c > 0).count();
            let nonzero = counts.iter().filter(|c| **c > 0).count();
            prop_assert!(hidden_nonzero != 1 || nonzero == 1);
        }
    }
}
