//! Getis-Ord Gi* hot spots, as defined in METHODS.md ("Grids and hotspots").
//!
//! For values x₁…xₙ and binary weights w_ij (1 when j is a neighbour of i, the focal cell itself included):
//! x̄ = Σx/n, S = √(Σx²/n − x̄²), W_i = Σ_j w_ij, S1_i = Σ_j w_ij² (= W_i for binary weights) and
//!
//! Gi* = (Σ_j w_ij x_j − x̄·W_i) / (S·√((n·S1_i − W_i²)/(n − 1))).
//!
//! p is two-sided from the standard normal distribution; the class is ±3/±2/±1 when p < 0.01/0.05/0.10 (99, 95,
//! 90 % confidence), with the sign of z, and 0 otherwise (ArcGIS Hot Spot Analysis's Gi_Bin). On a grid every
//! cell of the rectangle counts, zeros included, and the neighbours of a cell are the 3×3 block around it
//! (fewer at the edges). This equals `esda.G_Local(y, lat2W(rows, cols, rook=False), transform='B',
//! star=True)`; esda's `p_norm` is one-sided, so p here is twice it.
//!
//! Degenerate cases: when all values are equal (S = 0) every cell gets z = 0, p = 1, class 0; so does a cell
//! whose neighbourhood is the whole study area (n·S1 − W² = 0, e.g. the centre of a 3×3 grid), where the
//! statistic is 0/0.

use crate::normal::two_sided_p;

/// Gi* of one cell: the z score, its two-sided normal p value and the confidence class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GiStar {
    /// The Gi* z score (positive = high values cluster here).
    pub z: f64,
    /// Two-sided p value from the standard normal distribution.
    pub p: f64,
    /// ±3, ±2, ±1 for a hot (+) or cold (−) spot at 99, 95 or 90 % confidence; 0 when not significant.
    pub class: i8,
}

impl GiStar {
    /// The result for a z score: p = P(|Z| ≥ |z|) and the class from [`confidence_class`].
    pub fn from_z(z: f64) -> GiStar {
        let p = two_sided_p(z);
        GiStar { z, p, class: confidence_class(z, p) }
    }

    /// z = 0, p = 1, class 0: no evidence either way (used when the statistic is undefined).
    pub const NEUTRAL: GiStar = GiStar { z: 0.0, p: 1.0, class: 0 };
}

/// The hot/cold-spot class of a z score with two-sided p value `p`: 3 when p < 0.01, 2 when p < 0.05, 1 when
/// p < 0.10, 0 otherwise (including NaN), signed like z.
pub fn confidence_class(z: f64, p: f64) -> i8 {
    let level = if p < 0.01 {
        3
    } else if p < 0.05 {
        2
    } else if p < 0.10 {
        1
    } else {
        0
    };
    if z < 0.0 { -level } else { level }
}

/// n, x̄ and S of the values, or `None` when they are all equal (S = 0; also for n ≤ 1).
fn global_moments(values: &[f64]) -> Option<(f64, f64, f64)> {
    let first = *values.first()?;
    if values.iter().all(|&v| v == first) {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    // Two-pass form of √(Σx²/n − x̄²), which avoids cancellation.
    let s = (values.iter().map(|&v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    (s > 0.0).then_some((n, mean, s))
}

/// Gi* of one cell from its neighbourhood sum `local` and size `w` (binary weights: S1 = W).
fn gi_from_sums(local: f64, w: f64, n: f64, mean: f64, s: f64) -> GiStar {
    let spread = (n * w - w * w) / (n - 1.0);
    if spread <= 0.0 {
        return GiStar::NEUTRAL;
    }
    GiStar::from_z((local - mean * w) / (s * spread.sqrt()))
}

/// Gi* for every cell of a `rows` × `cols` grid of values stored row-major (index = row·cols + col, as
/// [`crate::grid::Grid::counts`] returns them), with the 3×3 block around each cell (itself included) as its
/// neighbours. Runs in O(rows·cols): each block sum is a sum of three row sums of three cells.
///
/// # Panics
/// If `values.len() != rows * cols`.
pub fn gi_star_grid<T: Copy + Into<f64>>(values: &[T], rows: usize, cols: usize) -> Vec<GiStar> {
    assert_eq!(values.len(), rows * cols, "values must hold rows × cols cells");
    let x: Vec<f64> = values.iter().map(|&v| v.into()).collect();
    let Some((n, mean, s)) = global_moments(&x) else {
        return vec![GiStar::NEUTRAL; x.len()];
    };
    // Horizontal sums of each cell and its west and east neighbours.
    let mut across = vec![0.0; x.len()];
    for (row_in, row_out) in x.chunks_exact(cols).zip(across.chunks_exact_mut(cols)) {
        for (c, out) in row_out.iter_mut().enumerate() {
            *out = row_in[c.saturating_sub(1)..=(c + 1).min(cols - 1)].iter().sum();
        }
    }
    let span = |i: usize, len: usize| (1 + usize::from(i > 0) + usize::from(i + 1 < len)) as f64;
    let mut out = Vec::with_capacity(x.len());
    for r in 0..rows {
        let lo = r.saturating_sub(1);
        let hi = (r + 1).min(rows - 1);
        let w_rows = span(r, rows);
        for c in 0..cols {
            let local: f64 = (lo..=hi).map(|rr| across[rr * cols + c]).sum();
            out.push(gi_from_sums(local, w_rows * span(c, cols), n, mean, s));
        }
    }
    out
}

/// Gi* with binary weights given by neighbour lists: `neighbours[i]` holds the indices j with w_ij = 1, which
/// must be distinct and **include i itself** for Gi* (the lists are used exactly as given). Islands (empty
/// lists) and neighbourhoods covering every observation get z = 0, p = 1.
///
/// # Panics
/// If `neighbours.len() != values.len()` or a neighbour index is out of range.
pub fn gi_star_general<T: Copy + Into<f64>>(values: &[T], neighbours: &[Vec<usize>]) -> Vec<GiStar> {
    assert_eq!(neighbours.len(), values.len(), "one neighbour list per value");
    let x: Vec<f64> = values.iter().map(|&v| v.into()).collect();
    let Some((n, mean, s)) = global_moments(&x) else {
        return vec![GiStar::NEUTRAL; x.len()];
    };
    neighbours
        .iter()
        .map(|list| {
            if list.is_empty() {
                return GiStar::NEUTRAL;
            }
            let local: f64 = list.iter().map(|&j| x[j]).sum();
            gi_from_sums(local, list.len() as f64, n, mean, s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{Contiguity, grid_neighbours};
    use proptest::prelude::*;

    /// The 3×3 blocks (queen contiguity plus the cell itself).
    fn blocks(rows: usize, cols: usize) -> Vec<Vec<usize>> {
        let mut lists = grid_neighbours(rows, cols, Contiguity::Queen);
        for (i, list) in lists.iter_mut().enumerate() {
            list.push(i);
        }
        lists
    }

    #[test]
    fn published_distance_band_check() {
        // esda's test suite (METHODS.md): distance band 15 including self.
        let pts = [(10.0, 10.0), (20.0, 10.0), (40.0, 10.0), (15.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
        let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
        let want = [-1.39728, -0.28918, 0.65065, -0.28918, 1.23452, 2.02424];
        let neighbours: Vec<Vec<usize>> = pts
            .iter()
            .map(|&(x0, y0): &(f64, f64)| {
                (0..pts.len()).filter(|&j| (pts[j].0 - x0).hypot(pts[j].1 - y0) <= 15.0).collect()
            })
            .collect();
        let got = gi_star_general(&y, &neighbours);
        for (g, w) in got.iter().zip(want) {
            assert!((g.z - w).abs() < 1e-5, "{} vs {w}", g.z);
        }
        assert_eq!(got.iter().map(|g| g.class).collect::<Vec<_>>(), [0, 0, 0, 0, 0, 2]);
    }

    #[test]
    fn degenerate_grids() {
        assert_eq!(gi_star_grid(&[3u32; 12], 3, 4), vec![GiStar::NEUTRAL; 12]);
        assert_eq!(gi_star_grid(&[5u32], 1, 1), vec![GiStar::NEUTRAL]);
        assert!(gi_star_grid::<u32>(&[], 0, 0).is_empty());
        // 3×3: the centre's block is the whole grid (0/0), the corners are defined.
        let g = gi_star_grid(&[9u32, 0, 0, 0, 0, 0, 0, 0, 0], 3, 3);
        assert_eq!(g[4], GiStar::NEUTRAL);
        assert!(g[0].z > 0.0 && g[8].z < 0.0);
        assert_eq!(g, gi_star_general(&[9u32, 0, 0, 0, 0, 0, 0, 0, 0], &blocks(3, 3)));
    }

    #[test]
    fn classes_follow_the_confidence_levels() {
        for (z, class) in [(2.6, 3), (-2.6, -3), (2.0, 2), (-2.0, -2), (1.7, 1), (-1.7, -1), (1.6, 0), (0.0, 0)] {
            assert_eq!(GiStar::from_z(z).class, class, "z = {z}");
        }
        assert_eq!(confidence_class(f64::NAN, f64::NAN), 0);
    }

    #[test]
    fn a_hot_cluster_is_hot() {
        let (rows, cols) = (20, 20);
        let mut counts = vec![1u32; rows * cols];
        for r in 9..12 {
            for c in 4..7 {
                counts[r * cols + c] = 12;
            }
        }
        let g = gi_star_grid(&counts, rows, cols);
        assert_eq!(g[10 * cols + 5].class, 3);
        assert!(g[10 * cols + 5].z > 5.0);
        assert!(g[0].z < 0.0);
    }

    proptest! {
        #[test]
        fn grid_equals_general_with_blocks(
            (rows, cols, counts) in (1usize..9, 1usize..9)
                .prop_flat_map(|(r, c)| (Just(r), Just(c), prop::collection::vec(0u32..20, r * c))),
        ) {
            let fast = gi_star_grid(&counts, rows, cols);
            let slow = gi_star_general(&counts, &blocks(rows, cols));
            for (a, b) in fast.iter().zip(&slow) {
                prop_assert!((a.z - b.z).abs() < 1e-12, "{a:?} vs {b:?}");
                prop_assert!((a.p - b.p).abs() < 1e-12);
                prop_assert_eq!(a.class, b.class);
            }
        }

        #[test]
        fn scale_invariant(
            (rows, cols, counts) in (2usize..10, 2usize..10)
                .prop_flat_map(|(r, c)| (Just(r), Just(c), prop::collection::vec(0u32..50, r * c))),
            scale in 0.001f64..1000.0,
        ) {
            let base = gi_star_grid(&counts, rows, cols);
            let scaled: Vec<f64> = counts.iter().map(|&c| c as f64 * scale).collect();
            let other = gi_star_grid(&scaled, rows, cols);
            for (a, b) in base.iter().zip(&other) {
                prop_assert!((a.z - b.z).abs() < 1e-9, "{a:?} vs {b:?}");
                // The class may only differ if z sits on a threshold to within rounding.
                prop_assert!(a.class == b.class || (a.p - b.p).abs() < 1e-9);
            }
        }
    }
}
