//! Global Moran's I with row-standardised weights, as defined in METHODS.md ("Grids and hotspots").
//!
//! With z_i = x_i − x̄ and w_ij = 1/|N_i| for j in the neighbour list N_i (rows of islands are all zero):
//! I = (n/S0)·Σ_iΣ_j w_ij z_i z_j / Σ_i z_i², E[I] = −1/(n − 1), where S0 = Σ_ij w_ij,
//! S1 = ½Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i· + w_·i)². The variances are Cliff & Ord's:
//!
//! - normality: V = (n²S1 − nS2 + 3S0²)/((n² − 1)S0²) − E[I]²;
//! - randomisation, with the sample kurtosis b2 = (Σz⁴/n)/(Σz²/n)²:
//!   V = [n((n² − 3n + 3)S1 − nS2 + 3S0²) − b2((n² − n)S1 − 2nS2 + 6S0²)] / ((n − 1)(n − 2)(n − 3)S0²) − E[I]².
//!
//! z = (I − E[I])/√V and p is two-sided from the standard normal distribution. This equals `esda.Moran(y, w)`
//! (transformation 'r', `two_tailed=True`).

use crate::normal::two_sided_p;

/// Global Moran's I with its expectation, variances, z scores and two-sided p values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoranI {
    /// Moran's I.
    pub i: f64,
    /// E[I] = −1/(n − 1).
    pub expected: f64,
    /// Variance of I under the normality assumption.
    pub var_norm: f64,
    /// z score under normality.
    pub z_norm: f64,
    /// Two-sided p value under normality.
    pub p_norm: f64,
    /// Variance of I under randomisation.
    pub var_rand: f64,
    /// z score under randomisation.
    pub z_rand: f64,
    /// Two-sided p value under randomisation.
    pub p_rand: f64,
}

/// Moran's I of `values` with row-standardised weights from `neighbours` (`neighbours[i]` = indices of i's
/// neighbours; duplicates are ignored, and an empty list is an island whose weights are all zero).
///
/// `None` when there are fewer than 4 observations (the randomisation variance needs n > 3), all values are
/// equal, or no observation has a neighbour. A variance that is not positive gives NaN z and p.
///
/// # Panics
/// If `neighbours.len() != values.len()` or a neighbour index is out of range.
pub fn morans_i<T: Copy + Into<f64>>(values: &[T], neighbours: &[Vec<usize>]) -> Option<MoranI> {
    assert_eq!(neighbours.len(), values.len(), "one neighbour list per value");
    let n_obs = values.len();
    if n_obs < 4 {
        return None;
    }
    let lists: Vec<Vec<usize>> = neighbours
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l.sort_unstable();
            l.dedup();
            assert!(l.last().is_none_or(|&j| j < n_obs), "neighbour index out of range");
            l
        })
        .collect();
    let x: Vec<f64> = values.iter().map(|&v| v.into()).collect();
    let n = n_obs as f64;
    let mean = x.iter().sum::<f64>() / n;
    let z: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let m2: f64 = z.iter().map(|v| v * v).sum();
    let m4: f64 = z.iter().map(|v| v.powi(4)).sum();
    if x.iter().all(|&v| v == x[0]) || m2 <= 0.0 {
        return None;
    }

    let weight = |i: usize| 1.0 / lists[i].len() as f64;
    let mut s0 = 0.0;
    let mut s1 = 0.0;
    let mut cross = 0.0;
    let mut col_sums = vec![0.0; n_obs];
    for (i, list) in lists.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let w_ij = weight(i);
        s0 += 1.0;
        cross += z[i] * list.iter().map(|&j| z[j]).sum::<f64>() * w_ij;
        for &j in list {
            col_sums[j] += w_ij;
            if lists[j].binary_search(&i).is_ok() {
                // Symmetric pair: (w_ij + w_ji)² appears at (i, j) and (j, i); each visit adds half of it.
                let sum = w_ij + weight(j);
                s1 += 0.5 * sum * sum;
            } else {
                // Only w_ij: (w_ij)² at (i, j) and at (j, i), halved.
                s1 += w_ij * w_ij;
            }
        }
    }
    if s0 == 0.0 {
        return None;
    }
    let s2: f64 = lists
        .iter()
        .zip(&col_sums)
        .map(|(list, col)| {
            let row = if list.is_empty() { 0.0 } else { 1.0 };
            (row + col) * (row + col)
        })
        .sum();

    let i = n / s0 * cross / m2;
    let expected = -1.0 / (n - 1.0);
    let s02 = s0 * s0;
    let var_norm = (n * n * s1 - n * s2 + 3.0 * s02) / ((n * n - 1.0) * s02) - expected * expected;
    let b2 = (m4 / n) / ((m2 / n) * (m2 / n));
    let a = n * ((n * n - 3.0 * n + 3.0) * s1 - n * s2 + 3.0 * s02);
    let b = b2 * ((n * n - n) * s1 - 2.0 * n * s2 + 6.0 * s02);
    let var_rand = (a - b) / ((n - 1.0) * (n - 2.0) * (n - 3.0) * s02) - expected * expected;
    let z_of = |var: f64| if var > 0.0 { (i - expected) / var.sqrt() } else { f64::NAN };
    let (z_norm, z_rand) = (z_of(var_norm), z_of(var_rand));
    Some(MoranI {
        i,
        expected,
        var_norm,
        z_norm,
        p_norm: two_sided_p(z_norm),
        var_rand,
        z_rand,
        p_rand: two_sided_p(z_rand),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{Contiguity, grid_neighbours};

    #[test]
    fn checkerboard_is_perfectly_negative_under_rook() {
        let (rows, cols) = (6, 6);
        let y: Vec<f64> = (0..rows * cols).map(|k| ((k / cols + k % cols) % 2) as f64).collect();
        let m = morans_i(&y, &grid_neighbours(rows, cols, Contiguity::Rook)).unwrap();
        assert!((m.i + 1.0).abs() < 1e-12, "{m:?}");
        assert!(m.z_norm < -5.0 && m.z_rand < -5.0);
        assert!(m.p_rand < 1e-6);
        assert!((m.expected + 1.0 / 35.0).abs() < 1e-15);
    }

    #[test]
    fn gradient_is_positive_and_islands_are_zero_rows() {
        let y: Vec<f64> = (0..25).map(|k| (k / 5) as f64).collect();
        let mut lists = grid_neighbours(5, 5, Contiguity::Queen);
        let m = morans_i(&y, &lists).unwrap();
        assert!(m.i > 0.5 && m.z_rand > 3.0);
        // Duplicates do not change anything.
        let mut dup = lists.clone();
        let first = dup[3][0];
        dup[3].push(first);
        assert_eq!(morans_i(&y, &dup), Some(m));
        // An island changes S0 but still gives finite statistics.
        for list in lists.iter_mut() {
            list.retain(|&j| j != 12);
        }
        lists[12].clear();
        let m = morans_i(&y, &lists).unwrap();
        assert!(m.i.is_finite() && m.z_norm.is_finite() && m.z_rand.is_finite());
    }

    #[test]
    fn undefined_cases() {
        let lists = grid_neighbours(2, 2, Contiguity::Queen);
        assert!(morans_i(&[1.0, 1.0, 1.0, 1.0], &lists).is_none());
        assert!(morans_i(&[1.0, 2.0, 3.0], &grid_neighbours(1, 3, Contiguity::Rook)).is_none());
        assert!(morans_i(&[1.0, 2.0, 3.0, 4.0], &vec![vec![]; 4]).is_none());
        assert!(morans_i(&[1.0, 2.0, 3.0, 4.0], &lists).is_some());
    }
}
