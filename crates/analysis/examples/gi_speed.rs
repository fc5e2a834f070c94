//! Times binning and Gi* for 1,000,000 random incidents at 100 m cells (a city about 40 km across).
//!
//! Run with `cargo run --release -p commonbeat-analysis --example gi_speed`.

use commonbeat_analysis::grid::Grid;
use commonbeat_analysis::hotspot::gi_star_grid;
use commonbeat_analysis::kde::quartic_kde_grid;
use std::time::Instant;

/// SplitMix64: a small seeded generator so the example needs no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() {
    let n = 1_000_000;
    let mut rng = SplitMix(42);
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        // Half uniform over 40 km × 40 km, half in a few clusters.
        let (x, y) = if i % 2 == 0 {
            (rng.next_f64() * 40_000.0, rng.next_f64() * 40_000.0)
        } else {
            let centre = [(8_000.0, 30_000.0), (20_000.0, 20_000.0), (33_000.0, 6_000.0)][i % 3];
            (centre.0 + (rng.next_f64() - 0.5) * 3_000.0, centre.1 + (rng.next_f64() - 0.5) * 3_000.0)
        };
        xs.push(x);
        ys.push(y);
    }

    let t = Instant::now();
    let grid = Grid::covering(&xs, &ys, 100.0).expect("points");
    let counts = grid.counts(&xs, &ys);
    let bin = t.elapsed();

    let t = Instant::now();
    let gi = gi_star_grid(&counts, grid.rows, grid.cols);
    let gi_time = t.elapsed();

    let t = Instant::now();
    let kde = quartic_kde_grid(&grid, &xs, &ys, 300.0);
    let kde_time = t.elapsed();

    let hot = gi.iter().filter(|g| g.class == 3).count();
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let peak = kde.iter().copied().fold(0.0, f64::max);
    println!("{n} points, grid {} x {} = {} cells, {total} binned", grid.rows, grid.cols, grid.n_cells());
    println!("binning: {:.1} ms", bin.as_secs_f64() * 1e3);
    println!("Gi*:     {:.1} ms ({hot} cells at 99 % hot)", gi_time.as_secs_f64() * 1e3);
    println!("KDE r = 300 m: {:.1} ms (peak {:.1} per km²)", kde_time.as_secs_f64() * 1e3, peak * 1e6);
}
