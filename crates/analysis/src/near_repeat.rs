//! Near repeats: the Knox test and the banded near-repeat table, as defined in METHODS.md ("Near repeats").
//!
//! Events are points in metres (`xs`, `ys`, projected) with a time `ts` as `f64` in any unit (days are the
//! usual one, and the labels produced here say "days"); distance and time thresholds use the same units.
//!
//! Only pairs that can be close in space are visited: points are bucketed into a square grid whose cell side is
//! the largest distance of interest, so a pair within that distance always lies in the same or an adjacent cell.
//! Pair counts in time use the sorted times. The work is therefore about O(n log n + close pairs), which handles
//! a few tens of thousands of events.
//!
//! Results depend only on the set of events, never on the order in which they are passed: the events are put in
//! a canonical order (by x, then y, then t) before anything else, including the seeded permutations.

use std::collections::HashMap;
use std::fmt;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::etest::poisson_at_least;

/// Why a near-repeat computation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NearRepeatError {
    /// `xs`, `ys` and `ts` differ in length.
    LengthMismatch,
    /// An event has a coordinate or time that is NaN or infinite (its index in the input).
    NonFinite(usize),
    /// A threshold is negative or not finite.
    InvalidThreshold,
    /// The bands are empty, not finite, not of the form 0 ≤ from < to, or overlap / are out of order.
    InvalidBands,
    /// The banded table needs at least one permutation to estimate its expected counts.
    NoPermutations,
}

impl fmt::Display for NearRepeatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch => write!(f, "x, y and t must have the same length"),
            Self::NonFinite(i) => write!(f, "event {i} has a coordinate or time that is not a finite number"),
            Self::InvalidThreshold => write!(f, "thresholds must be finite and not negative"),
            Self::InvalidBands => write!(f, "bands must be non-empty, finite, 0 ≤ from < to, in order and disjoint"),
            Self::NoPermutations => write!(f, "at least one permutation is needed"),
        }
    }
}

impl std::error::Error for NearRepeatError {}

/// The single-threshold Knox test (pointpats `Knox` conventions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Knox {
    /// Number of events.
    pub n_events: usize,
    /// Number of unordered pairs of events, n(n − 1)/2.
    pub n_pairs: u64,
    /// Pairs close in space: distance ≤ δ.
    pub space_close: u64,
    /// Pairs close in time: |Δt| ≤ τ.
    pub time_close: u64,
    /// Pairs close in both space and time (the Knox statistic).
    pub observed: u64,
    /// Expected close-close pairs under independence: space_close · time_close / n_pairs (0 without pairs).
    pub expected: f64,
    /// observed / expected; `None` when expected is 0.
    pub ratio: Option<f64>,
    /// Poisson p value as pointpats computes it, `1 − F(observed)` = P(X > observed) for X ~ Poisson(expected).
    /// This is the value METHODS.md's reference (Burkitt, 0.14625) is; note it excludes X = observed.
    pub p_poisson: f64,
    /// The conventional one-sided Poisson p value P(X ≥ observed), for comparison with `p_poisson`.
    pub p_poisson_inclusive: f64,
}

/// A half-open interval [from, to) of distance (metres) or of time difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Lower bound, included.
    pub from: f64,
    /// Upper bound, excluded.
    pub to: f64,
}

impl Band {
    /// The band [from, to).
    pub fn new(from: f64, to: f64) -> Self {
        Self { from, to }
    }

    /// Consecutive bands between successive edges: `[0, 100, 200]` gives [0, 100) and [100, 200).
    pub fn from_edges(edges: &[f64]) -> Vec<Band> {
        edges.windows(2).map(|w| Band::new(w[0], w[1])).collect()
    }

    /// Whether `v` lies in [from, to).
    pub fn contains(&self, v: f64) -> bool {
        self.from <= v && v < self.to
    }

    /// The band as it is shown, e.g. `[0, 100) m` or `[7, 14) days`. The bounds are written as half-open
    /// intervals on purpose: the well-known Near Repeat Calculator labels the same bands off by one
    /// ("0 to 100", "101 to 200"), which misstates which pairs fall where.
    pub fn label(&self, unit: &str) -> String {
        format!("[{}, {}) {unit}", self.from, self.to)
    }
}

/// One cell of the near-repeat table: pairs within a distance band and a time band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearRepeatCell {
    /// Index into [`NearRepeatTable::distance_bands`].
    pub distance_band: usize,
    /// Index into [`NearRepeatTable::time_bands`].
    pub time_band: usize,
    /// Observed pairs in the cell.
    pub observed: u64,
    /// Mean count over the permutations of the times.
    pub expected: f64,
    /// observed / expected; `None` when expected is 0.
    pub ratio: Option<f64>,
    /// Monte-Carlo p value (1 + #permutations with count ≥ observed) / (permutations + 1).
    pub p_value: f64,
}

/// The banded near-repeat table (Knox test over distance × time bands with Monte-Carlo inference).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearRepeatTable {
    /// Number of events.
    pub n_events: usize,
    /// Distance bands in metres, in order.
    pub distance_bands: Vec<Band>,
    /// Time bands (same unit as the event times), in order.
    pub time_bands: Vec<Band>,
    /// Cells in row-major order: distance band, then time band (`cells[d * time_bands.len() + t]`).
    pub cells: Vec<NearRepeatCell>,
    /// Number of permutations of the times.
    pub permutations: u32,
    /// Seed of the ChaCha8 generator that drove the permutations.
    pub seed: u64,
}

impl NearRepeatTable {
    /// The cell for distance band `d` and time band `t`.
    pub fn cell(&self, d: usize, t: usize) -> &NearRepeatCell {
        &self.cells[d * self.time_bands.len() + t]
    }

    /// Labels of the distance bands, e.g. `[0, 100) m`.
    pub fn distance_labels(&self) -> Vec<String> {
        self.distance_bands.iter().map(|b| b.label("m")).collect()
    }

    /// Labels of the time bands, e.g. `[0, 7) days` (event times in days).
    pub fn time_labels(&self) -> Vec<String> {
        self.time_bands.iter().map(|b| b.label("days")).collect()
    }
}

/// Events in canonical order, checked.
struct Events {
    xs: Vec<f64>,
    ys: Vec<f64>,
    ts: Vec<f64>,
}

impl Events {
    fn new(xs: &[f64], ys: &[f64], ts: &[f64]) -> Result<Self, NearRepeatError> {
        if xs.len() != ys.len() || xs.len() != ts.len() {
            return Err(NearRepeatError::LengthMismatch);
        }
        if let Some(i) = (0..xs.len()).find(|&i| !(xs[i].is_finite() && ys[i].is_finite() && ts[i].is_finite())) {
            return Err(NearRepeatError::NonFinite(i));
        }
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(ys[a].total_cmp(&ys[b])).then(ts[a].total_cmp(&ts[b])));
        Ok(Self {
            xs: order.iter().map(|&i| xs[i]).collect(),
            ys: order.iter().map(|&i| ys[i]).collect(),
            ts: order.iter().map(|&i| ts[i]).collect(),
        })
    }

    fn n_pairs(&self) -> u64 {
        let n = self.xs.len() as u64;
        n * n.saturating_sub(1) / 2
    }
}

/// Calls `f(i, j, d²)` once for every unordered pair i ≠ j at squared distance `d² ≤ max_dist²`.
fn for_each_close_pair(xs: &[f64], ys: &[f64], max_dist: f64, mut f: impl FnMut(usize, usize, f64)) {
    let cell = if max_dist > 0.0 { max_dist } else { 1.0 };
    let max_d2 = max_dist * max_dist;
    let key = |i: usize| ((xs[i] / cell).floor() as i64, (ys[i] / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for i in 0..xs.len() {
        grid.entry(key(i)).or_default().push(i);
    }
    let mut visit = |a: usize, b: usize| {
        let (dx, dy) = (xs[a] - xs[b], ys[a] - ys[b]);
        let d2 = dx * dx + dy * dy;
        if d2 <= max_d2 {
            f(a, b, d2);
        }
    };
    // Each pair of cells once: the cell itself and four of its eight neighbours.
    const HALF: [(i64, i64); 4] = [(1, -1), (1, 0), (1, 1), (0, 1)];
    for (&(cx, cy), members) in &grid {
        for (k, &a) in members.iter().enumerate() {
            for &b in &members[k + 1..] {
                visit(a, b);
            }
        }
        for (ox, oy) in HALF {
            if let Some(others) = grid.get(&(cx.saturating_add(ox), cy.saturating_add(oy))) {
                for &a in members {
                    for &b in others {
                        visit(a, b);
                    }
                }
            }
        }
    }
}

/// The Knox test with one threshold: close in space if distance ≤ `delta`, in time if |Δt| ≤ `tau`.
///
/// Reproduces pointpats' `Knox` (Burkitt, δ = 20, τ = 5: 13 observed, 10.1438 expected, p = 0.14625).
pub fn knox(xs: &[f64], ys: &[f64], ts: &[f64], delta: f64, tau: f64) -> Result<Knox, NearRepeatError> {
    if !(delta.is_finite() && tau.is_finite() && delta >= 0.0 && tau >= 0.0) {
        return Err(NearRepeatError::InvalidThreshold);
    }
    let ev = Events::new(xs, ys, ts)?;
    let n_pairs = ev.n_pairs();
    let mut space_close = 0u64;
    let mut observed = 0u64;
    for_each_close_pair(&ev.xs, &ev.ys, delta, |i, j, _| {
        space_close += 1;
        if (ev.ts[i] - ev.ts[j]).abs() <= tau {
            observed += 1;
        }
    });
    let mut sorted = ev.ts.clone();
    sorted.sort_by(f64::total_cmp);
    let mut time_close = 0u64;
    let mut j = 0;
    for i in 0..sorted.len() {
        j = j.max(i);
        while j + 1 < sorted.len() && sorted[j + 1] - sorted[i] <= tau {
            j += 1;
        }
        time_close += (j - i) as u64;
    }
    let expected = if n_pairs == 0 { 0.0 } else { space_close as f64 * time_close as f64 / n_pairs as f64 };
    Ok(Knox {
        n_events: ev.xs.len(),
        n_pairs,
        space_close,
        time_close,
        observed,
        expected,
        ratio: (expected > 0.0).then(|| observed as f64 / expected),
        p_poisson: poisson_at_least(observed + 1, expected),
        p_poisson_inclusive: poisson_at_least(observed, expected),
    })
}

fn valid_bands(bands: &[Band]) -> bool {
    !bands.is_empty()
        && bands.iter().all(|b| b.from.is_finite() && b.to.is_finite() && 0.0 <= b.from && b.from < b.to)
        && bands.windows(2).all(|w| w[0].to <= w[1].from)
}

/// Index of the band (given as ordered, disjoint [lo, hi) bounds) containing `v`.
fn band_of(bounds: &[(f64, f64)], v: f64) -> Option<usize> {
    let k = bounds.partition_point(|&(_, hi)| hi <= v);
    (k < bounds.len() && bounds[k].0 <= v).then_some(k)
}

/// The near-repeat table: for each distance band × time band (both half-open [a, b)), the observed number of
/// pairs, the expected number as the mean over `permutations` random permutations of the event times (ChaCha8
/// seeded with `seed`), their ratio, and the Monte-Carlo p value (1 + #permutations ≥ observed)/(permutations
/// + 1). Pairs farther apart than the last distance band, or in no band, are ignored.
pub fn near_repeat(
    xs: &[f64],
    ys: &[f64],
    ts: &[f64],
    distance_bands: &[Band],
    time_bands: &[Band],
    permutations: u32,
    seed: u64,
) -> Result<NearRepeatTable, NearRepeatError> {
    if !valid_bands(distance_bands) || !valid_bands(time_bands) {
        return Err(NearRepeatError::InvalidBands);
    }
    if permutations == 0 {
        return Err(NearRepeatError::NoPermutations);
    }
    let ev = Events::new(xs, ys, ts)?;
    let (nd, nt) = (distance_bands.len(), time_bands.len());
    let d_bounds: Vec<(f64, f64)> = distance_bands.iter().map(|b| (b.from * b.from, b.to * b.to)).collect();
    let t_bounds: Vec<(f64, f64)> = time_bands.iter().map(|b| (b.from, b.to)).collect();
    let max_dist = distance_bands[nd - 1].to;

    // Pairs in each distance band (spatial relations never change under permutation of the times).
    let mut pairs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nd];
    for_each_close_pair(&ev.xs, &ev.ys, max_dist, |i, j, d2| {
        if let Some(d) = band_of(&d_bounds, d2) {
            pairs[d].push((i as u32, j as u32));
        }
    });
    let count = |times: &[f64], out: &mut [u64]| {
        out.fill(0);
        for (d, band_pairs) in pairs.iter().enumerate() {
            for &(i, j) in band_pairs {
                if let Some(t) = band_of(&t_bounds, (times[i as usize] - times[j as usize]).abs()) {
                    out[d * nt + t] += 1;
                }
            }
        }
    };
    let mut observed = vec![0u64; nd * nt];
    count(&ev.ts, &mut observed);

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut shuffled = ev.ts.clone();
    let mut perm_counts = vec![0u64; nd * nt];
    let mut sums = vec![0u64; nd * nt];
    let mut at_least = vec![0u64; nd * nt];
    for _ in 0..permutations {
        shuffled.shuffle(&mut rng);
        count(&shuffled, &mut perm_counts);
        for c in 0..nd * nt {
            sums[c] += perm_counts[c];
            if perm_counts[c] >= observed[c] {
                at_least[c] += 1;
            }
        }
    }
    let cells = (0..nd * nt)
        .map(|c| {
            let expected = sums[c] as f64 / f64::from(permutations);
            NearRepeatCell {
                distance_band: c / nt,
                time_band: c % nt,
                observed: observed[c],
                expected,
                ratio: (expected > 0.0).then(|| observed[c] as f64 / expected),
                p_value: (1 + at_least[c]) as f64 / (f64::from(permutations) + 1.0),
            }
        })
        .collect();
    Ok(NearRepeatTable {
        n_events: ev.xs.len(),
        distance_bands: distance_bands.to_vec(),
        time_bands: time_bands.to_vec(),
        cells,
        permutations,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Observed counts of the banded table by brute force over all pairs.
    fn brute_bands(xs: &[f64], ys: &[f64], ts: &[f64], db: &[Band], tb: &[Band]) -> Vec<u64> {
        let mut out = vec![0; db.len() * tb.len()];
        for i in 0..xs.len() {
            for j in i + 1..xs.len() {
                let d2 = (xs[i] - xs[j]).powi(2) + (ys[i] - ys[j]).powi(2);
                let dt = (ts[i] - ts[j]).abs();
                let d = db.iter().position(|b| b.from * b.from <= d2 && d2 < b.to * b.to);
                let t = tb.iter().position(|b| b.contains(dt));
                if let (Some(d), Some(t)) = (d, t) {
                    out[d * tb.len() + t] += 1;
                }
            }
        }
        out
    }

    fn events() -> impl Strategy<Value = Vec<(f64, f64, f64)>> {
        // Integer-valued coordinates make exact ties on band edges likely, which is what we want to exercise.
        prop::collection::vec(
            ((0i32..60).prop_map(f64::from), (0i32..60).prop_map(f64::from), (0i32..40).prop_map(f64::from)),
            0..60,
        )
    }

    fn split(ev: &[(f64, f64, f64)]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (ev.iter().map(|e| e.0).collect(), ev.iter().map(|e| e.1).collect(), ev.iter().map(|e| e.2).collect())
    }

    #[test]
    fn labels_are_half_open() {
        assert_eq!(Band::new(0.0, 100.0).label("m"), "[0, 100) m");
        assert_eq!(Band::new(7.0, 14.5).label("days"), "[7, 14.5) days");
        let bands = Band::from_edges(&[0.0, 100.0, 200.0]);
        assert_eq!(bands, vec![Band::new(0.0, 100.0), Band::new(100.0, 200.0)]);
        assert!(bands[0].contains(0.0) && !bands[0].contains(100.0) && bands[1].contains(100.0));
    }

    #[test]
    fn refuses_bad_input() {
        let b = Band::from_edges(&[0.0, 1.0]);
        assert_eq!(knox(&[0.0], &[], &[0.0], 1.0, 1.0), Err(NearRepeatError::LengthMismatch));
        assert_eq!(knox(&[0.0, f64::NAN], &[0.0; 2], &[0.0; 2], 1.0, 1.0), Err(NearRepeatError::NonFinite(1)));
        assert_eq!(knox(&[0.0], &[0.0], &[0.0], -1.0, 1.0), Err(NearRepeatError::InvalidThreshold));
        assert_eq!(near_repeat(&[], &[], &[], &[], &b, 9, 1), Err(NearRepeatError::InvalidBands));
        let overlapping = [Band::new(0.0, 2.0), Band::new(1.0, 3.0)];
        assert_eq!(near_repeat(&[], &[], &[], &overlapping, &b, 9, 1), Err(NearRepeatError::InvalidBands));
        assert_eq!(near_repeat(&[], &[], &[], &b, &[Band::new(2.0, 2.0)], 9, 1), Err(NearRepeatError::InvalidBands));
        assert_eq!(near_repeat(&[], &[], &[], &b, &b, 0, 1), Err(NearRepeatError::NoPermutations));
    }

    #[test]
    fn empty_and_single_event() {
        let k = knox(&[], &[], &[], 1.0, 1.0).unwrap();
        assert_eq!((k.n_pairs, k.observed, k.expected, k.ratio, k.p_poisson), (0, 0, 0.0, None, 0.0));
        let b = Band::from_edges(&[0.0, 10.0]);
        let t = near_repeat(&[1.0], &[1.0], &[1.0], &b, &b, 5, 3).unwrap();
        assert_eq!(t.cells[0].observed, 0);
        assert_eq!(t.cells[0].p_value, 1.0);
        assert_eq!(t.cells[0].ratio, None);
    }

    #[test]
    fn deterministic_given_the_seed() {
        let ev: Vec<(f64, f64, f64)> = (0..300)
            .map(|i| {
                let f = f64::from(i);
                ((f * 37.0) % 500.0, (f * 91.0) % 450.0, (f * 13.0) % 365.0)
            })
            .collect();
        let (x, y, t) = split(&ev);
        let db = Band::from_edges(&[0.0, 50.0, 100.0, 200.0]);
        let tb = Band::from_edges(&[0.0, 7.0, 14.0, 30.0]);
        let a = near_repeat(&x, &y, &t, &db, &tb, 49, 7).unwrap();
        let b = near_repeat(&x, &y, &t, &db, &tb, 49, 7).unwrap();
        assert_eq!(a, b);
        let c = near_repeat(&x, &y, &t, &db, &tb, 49, 8).unwrap();
        assert_ne!(a.cells, c.cells, "another seed gives other permutations");
        assert_eq!(
            a.cells.iter().map(|c| c.observed).collect::<Vec<_>>(),
            c.cells.iter().map(|c| c.observed).collect::<Vec<_>>()
        );
    }

    #[test]
    fn permutation_mean_approaches_the_exact_expectation() {
        // Under random permutation of the times each pair's time gap is that of a uniformly random pair, so
        // E[count] = pairs in the distance band × pairs in the time band / all pairs.
        let ev: Vec<(f64, f64, f64)> = (0..200)
            .map(|i| {
                let f = f64::from(i);
                ((f * 7.3) % 100.0, (f * 3.1) % 80.0, (f * 11.0) % 120.0)
            })
            .collect();
        let (x, y, t) = split(&ev);
        let db = Band::from_edges(&[0.0, 10.0, 30.0]);
        let tb = Band::from_edges(&[0.0, 10.0, 40.0]);
        let table = near_repeat(&x, &y, &t, &db, &tb, 2000, 42).unwrap();
        let all = Band::from_edges(&[0.0, f64::MAX.sqrt()]);
        let by_d = brute_bands(&x, &y, &t, &db, &all);
        let by_t = brute_bands(&x, &y, &t, &all, &tb);
        let n_pairs = 200.0 * 199.0 / 2.0;
        for (d, &in_d) in by_d.iter().enumerate() {
            for (k, &in_t) in by_t.iter().enumerate() {
                let exact = in_d as f64 * in_t as f64 / n_pairs;
                let got = table.cell(d, k).expected;
                assert!((got - exact).abs() < 0.05 * exact + 0.5, "({d}, {k}): {got} vs {exact}");
            }
        }
    }

    proptest! {
        #[test]
        fn observed_counts_match_brute_force(ev in events(), delta in 0u8..30, tau in 0u8..20) {
            let (x, y, t) = split(&ev);
            let db = Band::from_edges(&[0.0, 1.0, 5.0, 12.0, 25.0]);
            let tb = Band::from_edges(&[0.0, 3.0, 10.0]);
            let table = near_repeat(&x, &y, &t, &db, &tb, 3, 1).unwrap();
            let observed: Vec<u64> = table.cells.iter().map(|c| c.observed).collect();
            prop_assert_eq!(observed, brute_bands(&x, &y, &t, &db, &tb));

            let (delta, tau) = (f64::from(delta), f64::from(tau));
            let k = knox(&x, &y, &t, delta, tau).unwrap();
            let (mut s, mut tc, mut st) = (0, 0, 0);
            for i in 0..x.len() {
                for j in i + 1..x.len() {
                    let close_s = (x[i] - x[j]).powi(2) + (y[i] - y[j]).powi(2) <= delta * delta;
                    let close_t = (t[i] - t[j]).abs() <= tau;
                    s += u64::from(close_s);
                    tc += u64::from(close_t);
                    st += u64::from(close_s && close_t);
                }
            }
            prop_assert_eq!((k.space_close, k.time_close, k.observed), (s, tc, st));
        }

        #[test]
        fn independent_of_input_order(ev in events(), seed in any::<u64>(), rot in 0usize..60) {
            let (x, y, t) = split(&ev);
            let mut shuffled = ev.clone();
            shuffled.reverse();
            if !shuffled.is_empty() {
                let r = rot % shuffled.len();
                shuffled.rotate_left(r);
            }
            let (x2, y2, t2) = split(&shuffled);
            let db = Band::from_edges(&[0.0, 4.0, 20.0]);
            let tb = Band::from_edges(&[0.0, 5.0, 15.0]);
            prop_assert_eq!(
                near_repeat(&x, &y, &t, &db, &tb, 9, seed).unwrap(),
                near_repeat(&x2, &y2, &t2, &db, &tb, 9, seed).unwrap()
            );
            prop_assert_eq!(knox(&x, &y, &t, 10.0, 5.0).unwrap(), knox(&x2, &y2, &t2, 10.0, 5.0).unwrap());
        }
    }
}
