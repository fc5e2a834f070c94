//! Kernel density with the quartic (biweight) kernel, as defined in METHODS.md ("Grids and hotspots").
//!
//! K(d) = 3/(π r²)·(1 − d²/r²)² for d < r and 0 otherwise, where r is the radius (bandwidth) in metres. The
//! kernel integrates to 1 over the plane, so the density Σ_i K(d_i) at a location is in **points per square
//! metre** and integrates to the number of points; [`per_km2`] converts it. It equals n times
//! `KDEpy.NaiveKDE(kernel='biweight', bw=r/√7).fit(points).evaluate(locations)`: KDEpy divides by n, gives its
//! bandwidth as the kernel's standard deviation (r/√7), and adds machine epsilon (2.2e-16) to every value it
//! returns, which is not part of the density.

use crate::grid::Grid;
use std::f64::consts::PI;

/// Square metres in a square kilometre.
pub const M2_PER_KM2: f64 = 1.0e6;

/// The quartic kernel K(d) = 3/(π r²)·(1 − d²/r²)² for 0 ≤ d < r, else 0 (per square metre).
pub fn quartic_kernel(d: f64, radius_m: f64) -> f64 {
    Quartic::new(radius_m).at_sq(d * d)
}

/// The kernel's constants for one radius.
struct Quartic {
    r2: f64,
    inv_r2: f64,
    norm: f64,
}

impl Quartic {
    fn new(radius_m: f64) -> Self {
        assert!(radius_m.is_finite() && radius_m > 0.0, "the kernel radius must be a positive number of metres");
        let r2 = radius_m * radius_m;
        Quartic { r2, inv_r2: 1.0 / r2, norm: 3.0 / (PI * r2) }
    }

    /// K at squared distance `d2`.
    fn at_sq(&self, d2: f64) -> f64 {
        if d2 < self.r2 {
            let t = 1.0 - d2 * self.inv_r2;
            self.norm * t * t
        } else {
            0.0
        }
    }
}

/// Density (points per m²) at (`x`, `y`) from the points (`xs[i]`, `ys[i]`) with finite coordinates (pairs up to
/// the shorter slice), by summing the kernel over all points.
///
/// # Panics
/// If `radius_m` is not a positive finite number.
pub fn quartic_density_at(x: f64, y: f64, xs: &[f64], ys: &[f64], radius_m: f64) -> f64 {
    let k = Quartic::new(radius_m);
    xs.iter()
        .zip(ys)
        .filter(|(px, py)| px.is_finite() && py.is_finite())
        .map(|(px, py)| k.at_sq((px - x) * (px - x) + (py - y) * (py - y)))
        .sum()
}

/// Density (points per m²) at every cell centre of `grid`, row-major like [`Grid::counts`], from the points
/// (`xs[i]`, `ys[i]`) with finite coordinates. Points outside the grid still count for the cells within
/// `radius_m` of them. Each point visits only the cells whose centre is within the radius, so the cost is
/// O(points · (r/cell)²) plus the grid.
///
/// # Panics
/// If `radius_m` is not a positive finite number.
pub fn quartic_kde_grid(grid: &Grid, xs: &[f64], ys: &[f64], radius_m: f64) -> Vec<f64> {
    let k = Quartic::new(radius_m);
    let mut density = vec![0.0; grid.n_cells()];
    if density.is_empty() {
        return density;
    }
    // Index range of cells whose centre origin + (i + ½)·cell lies within (v − r, v + r), clamped to the grid.
    let range = |v: f64, origin: f64, n: usize| -> Option<(usize, usize)> {
        let lo = ((v - radius_m - origin) / grid.cell_m - 0.5).ceil().max(0.0);
        let hi = ((v + radius_m - origin) / grid.cell_m - 0.5).floor().min((n - 1) as f64);
        (lo <= hi).then_some((lo as usize, hi as usize))
    };
    for (&px, &py) in xs.iter().zip(ys).filter(|(px, py)| px.is_finite() && py.is_finite()) {
        let (Some((c0, c1)), Some((r0, r1))) =
            (range(px, grid.origin_x, grid.cols), range(py, grid.origin_y, grid.rows))
        else {
            continue;
        };
        for r in r0..=r1 {
            let (_, cy) = grid.cell_centre(r, 0);
            let dy2 = (py - cy) * (py - cy);
            if dy2 >= k.r2 {
                continue;
            }
            let row = &mut density[r * grid.cols..(r + 1) * grid.cols];
            for (c, cell) in row.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                let (cx, _) = grid.cell_centre(r, c);
                *cell += k.at_sq((px - cx) * (px - cx) + dy2);
            }
        }
    }
    density
}

/// Converts densities from points per m² to points per km².
pub fn per_km2(density_per_m2: &[f64]) -> Vec<f64> {
    density_per_m2.iter().map(|d| d * M2_PER_KM2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kernel_shape() {
        let r = 200.0;
        assert!((quartic_kernel(0.0, r) - 3.0 / (PI * r * r)).abs() < 1e-20);
        assert_eq!(quartic_kernel(200.0, r), 0.0);
        assert_eq!(quartic_kernel(250.0, r), 0.0);
        let half = quartic_kernel(100.0, r);
        assert!((half - 3.0 / (PI * r * r) * 0.5625).abs() < 1e-20);
        assert_eq!(per_km2(&[1.5e-6]), vec![1.5]);
    }

    #[test]
    fn integrates_to_the_number_of_points() {
        // Fine cells over an area much larger than the kernels: the densities times the cell area add up to n.
        let xs = [0.0, 120.0, 130.0];
        let ys = [0.0, -40.0, 60.0];
        let grid = Grid::over_bbox(-500.0, -500.0, 500.0, 500.0, 5.0).unwrap();
        let d = quartic_kde_grid(&grid, &xs, &ys, 150.0);
        let total: f64 = d.iter().sum::<f64>() * 25.0;
        assert!((total - 3.0).abs() < 1e-3, "{total}");
    }

    proptest! {
        #[test]
        fn grid_equals_naive(
            pts in prop::collection::vec((-300.0f64..1300.0, -300.0f64..900.0), 0..40),
            cell in 20.0f64..150.0,
            radius in 10.0f64..400.0,
        ) {
            let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
            let grid = Grid::over_bbox(0.0, 0.0, 1000.0, 600.0, cell).unwrap();
            let fast = quartic_kde_grid(&grid, &xs, &ys, radius);
            for (i, got) in fast.iter().enumerate() {
                let (row, col) = grid.row_col(i);
                let (cx, cy) = grid.cell_centre(row, col);
                let want = quartic_density_at(cx, cy, &xs, &ys, radius);
                prop_assert!((got - want).abs() <= 1e-12 * want.abs() + 1e-300, "cell {i}: {got} vs {want}");
            }
        }
    }
}
