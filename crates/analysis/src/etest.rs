//! Poisson E-test (Krishnamoorthy & Thomson 2004) for a change between two counts with equal exposure, as
//! defined in METHODS.md ("Assessment of a response").
//!
//! For a count `k1` before and `k2` after, with the statistic T(x1, x2) = (x1 − x2)/√(x1 + x2) (0 when both
//! are 0) and the pooled rate λ̂ = (k1 + k2)/2, the p value is
//! p = Σ Pois(x1; λ̂)·Pois(x2; λ̂) over all (x1, x2) with |T(x1, x2)| ≥ |T(k1, k2)|.
//!
//! **Ties.** Instead of comparing square roots with a floating-point tolerance, |T(x1, x2)| ≥ |T(k1, k2)| is
//! decided exactly in integers: (x1 − x2)²·(k1 + k2) ≥ (k1 − k2)²·(x1 + x2) (for x1 + x2 > 0; the pair (0, 0)
//! has T = 0). Pairs whose statistic equals the observed one (for example (12, 6) and (6, 2), both T² = 2) are
//! therefore always included, which is what a tolerance is meant to achieve, with a tolerance of exactly zero.
//!
//! **Large counts.** The Poisson probabilities are built by the ratio recursion outward from the mode and
//! normalised by their sum, so no factorial or gamma function is evaluated; terms smaller than 1e-17 times the
//! mode's probability are dropped. For fixed x1, T decreases strictly in x2, so the qualifying x2 form two
//! tails (x2 ≤ a(x1) and x2 ≥ b(x1)) found by binary search and summed from prefix and suffix sums (each
//! accumulated from its small end). The work is O(√λ̂ · log λ̂); p values below about 1e-17 are not resolved.
//!
//! The module also provides the Poisson tail [`poisson_at_least`], used by the Knox test.

/// Poisson probabilities smaller than this fraction of the mode's are treated as zero.
const RELATIVE_CUTOFF: f64 = 1e-17;

/// The E-test statistic T(x1, x2) = (x1 − x2)/√(x1 + x2), 0 when both counts are 0.
pub fn e_test_statistic(x1: u64, x2: u64) -> f64 {
    let s = x1 as f64 + x2 as f64;
    if s == 0.0 { 0.0 } else { (x1 as f64 - x2 as f64) / s.sqrt() }
}

/// Two-sided Poisson E-test p value for a count `before` against a count `after` over equal exposure
/// (Krishnamoorthy & Thomson 2004). Always in [0, 1]; equal counts (including 0 vs 0) give exactly 1.
pub fn e_test(before: u64, after: u64) -> f64 {
    if before == after {
        // |T(k, k)| = 0 and every pair qualifies.
        return 1.0;
    }
    let lambda = (before as f64 + after as f64) / 2.0;
    let (lo, w) = poisson_weights(lambda);
    let n = w.len();
    // prefix[i] = Σ w[..i] (left tail up to index i − 1), suffix[i] = Σ w[i..].
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + w[i];
    }
    let mut suffix = vec![0.0; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1] + w[i];
    }
    let s0 = u128::from(before) + u128::from(after);
    let d0 = u128::from(before.abs_diff(after));
    let d0_sq = d0 * d0;
    let x_at = |i: usize| lo + i as u64;
    // |T(x1, x2)| ≥ |T0| with T(x1, x2) of the sign given by x1 vs x2, decided in integers (T0 ≠ 0 here).
    let extreme = |x1: u64, x2: u64| -> bool {
        let s = u128::from(x1) + u128::from(x2);
        if s == 0 {
            return false;
        }
        let d = u128::from(x1.abs_diff(x2));
        d * d * s0 >= d0_sq * s
    };
    let mut p = 0.0;
    for (i, &w1) in w.iter().enumerate() {
        let x1 = x_at(i);
        // Left tail: x2 < x1 with |T| large, i.e. T ≥ |T0|; the set {j : x2 ≤ x1, extreme} is a prefix of the
        // indices with x2 ≤ x1 because T falls as x2 grows.
        let left = first_false(0, i, |j| extreme(x1, x_at(j)));
        // Right tail: x2 > x1 with T ≤ −|T0|; a suffix of the indices with x2 > x1.
        let right_start = first_false((i + 1).min(n), n, |j| !extreme(x1, x_at(j)));
        p += w1 * (prefix[left] + suffix[right_start]);
    }
    p.clamp(0.0, 1.0)
}

/// The first index in `lo..hi` where `pred` is false, given that `pred` holds on a prefix of the range (`hi` if
/// it holds everywhere).
fn first_false(mut lo: usize, mut hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Poisson(λ) probabilities for x = lo, lo + 1, …, normalised over the retained range, which keeps every term
/// at least `RELATIVE_CUTOFF` times the mode's.
fn poisson_weights(lambda: f64) -> (u64, Vec<f64>) {
    let mode = lambda.floor() as u64;
    // Downward from the mode: pmf(x − 1) = pmf(x)·x/λ.
    let mut down = Vec::new();
    let mut v = 1.0;
    let mut x = mode;
    while x > 0 {
        v *= x as f64 / lambda;
        if v < RELATIVE_CUTOFF {
            break;
        }
        x -= 1;
        down.push(v);
    }
    // Upward: pmf(x + 1) = pmf(x)·λ/(x + 1).
    let mut up = Vec::new();
    let mut v = 1.0;
    let mut x = mode;
    loop {
        v *= lambda / (x + 1) as f64;
        if v < RELATIVE_CUTOFF {
            break;
        }
        x += 1;
        up.push(v);
    }
    let lo = mode - down.len() as u64;
    let mut w: Vec<f64> = down.into_iter().rev().collect();
    w.push(1.0);
    w.extend(up);
    // Sum from the smallest terms for accuracy: both ends hold the small ones, so add them in increasing order.
    let mut sorted = w.clone();
    sorted.sort_by(f64::total_cmp);
    let total: f64 = sorted.iter().sum();
    for v in &mut w {
        *v /= total;
    }
    (lo, w)
}

/// ln(n!), exact summation below 20 and the Stirling series above (error below 1e-15 there).
fn ln_factorial(n: u64) -> f64 {
    if n < 20 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    x * x.ln() - x
        + 0.5 * (std::f64::consts::TAU * x).ln()
        + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))
}

/// P(X ≥ k) for X ~ Poisson(mu), summing whichever side is the small tail (so a tiny upper tail keeps its
/// relative accuracy). `mu ≤ 0` is the distribution concentrated at 0.
pub fn poisson_at_least(k: u64, mu: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    let ln_pmf = |x: u64| x as f64 * mu.ln() - mu - ln_factorial(x);
    if k as f64 > mu {
        // Upper tail from k upward; terms fall at least geometrically.
        let mut term = ln_pmf(k).exp();
        let mut sum = 0.0;
        let mut x = k;
        while term > 0.0 && term > 1e-17 * sum {
            sum += term;
            x += 1;
            term *= mu / x as f64;
        }
        sum.min(1.0)
    } else {
        // 1 − P(X ≤ k − 1), the lower tail summed downward from k − 1.
        let mut x = k - 1;
        let mut term = ln_pmf(x).exp();
        let mut sum = 0.0;
        loop {
            sum += term;
            if x == 0 || term < 1e-17 * sum {
                break;
            }
            term *= x as f64 / mu;
            x -= 1;
        }
        (1.0 - sum).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition summed naively over a square large enough for small counts, with the float statistic
    /// and a relative tolerance for ties.
    fn naive(k1: u64, k2: u64) -> f64 {
        let lambda = (k1 + k2) as f64 / 2.0;
        let t0 = e_test_statistic(k1, k2).abs();
        let pmf: Vec<f64> = (0..200u64)
            .map(|x| {
                let ln_fact: f64 = (1..=x).map(|i| (i as f64).ln()).sum();
                if lambda == 0.0 {
                    if x == 0 { 1.0 } else { 0.0 }
                } else {
                    (x as f64 * lambda.ln() - lambda - ln_fact).exp()
                }
            })
            .collect();
        let mut p = 0.0;
        for (x1, p1) in pmf.iter().enumerate() {
            for (x2, p2) in pmf.iter().enumerate() {
                if e_test_statistic(x1 as u64, x2 as u64).abs() >= t0 * (1.0 - 1e-12) {
                    p += p1 * p2;
                }
            }
        }
        p.min(1.0)
    }

    #[test]
    fn ptools_checks() {
        for (k1, k2, want) in [(6, 2, 0.1749), (0, 3, 0.0884), (20, 10, 0.0688)] {
            let p = e_test(k1, k2);
            assert!((p - want).abs() < 1e-4, "({k1}, {k2}): {p} vs {want}");
        }
    }

    #[test]
    fn equal_counts_and_extremes() {
        assert_eq!(e_test(0, 0), 1.0);
        assert_eq!(e_test(7, 7), 1.0);
        assert_eq!(e_test_statistic(0, 0), 0.0);
        // A huge drop is vanishingly unlikely but still a number in [0, 1].
        let p = e_test(5000, 3000);
        assert!((0.0..1e-17).contains(&p), "{p}");
        let p = e_test(1_000_000, 1_000_500);
        assert!(p > 0.0 && p < 1.0, "{p}");
    }

    #[test]
    fn ties_are_included() {
        // (12, 6) has the same |T| as (6, 2); both must count, whatever the rounding of the square roots.
        assert_eq!((e_test_statistic(12, 6) * e_test_statistic(12, 6) * 1e12).round(), 2e12);
        assert!((e_test(6, 2) - naive(6, 2)).abs() < 1e-12);
    }

    #[test]
    fn poisson_tail_matches_direct_sum() {
        for mu in [0.04, 1.0, 10.143_816_133_803_618, 48.5, 700.0, 2500.0] {
            for k in [0u64, 1, 2, 5, 13, 40, 60, 690, 760, 2400, 2600] {
                // Direct: 1 − Σ_{x<k} pmf(x) in log space, fine for moderate values.
                let direct: f64 =
                    1.0 - (0..k).map(|x| (x as f64 * f64::ln(mu) - mu - ln_factorial(x)).exp()).sum::<f64>();
                let got = poisson_at_least(k, mu);
                assert!((got - direct.max(0.0)).abs() < 1e-9, "k = {k}, mu = {mu}: {got} vs {direct}");
            }
        }
        // ln_factorial across the switch to the Stirling series.
        let exact: f64 = (2..=25u64).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(25) - exact).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn matches_the_naive_sum(k1 in 0u64..40, k2 in 0u64..40) {
            let p = e_test(k1, k2);
            prop_assert!((p - naive(k1, k2)).abs() < 1e-10, "({}, {}): {} vs {}", k1, k2, p, naive(k1, k2));
        }

        #[test]
        fn symmetric_and_bounded(k1 in 0u64..5000, k2 in 0u64..5000) {
            let p = e_test(k1, k2);
            prop_assert!((0.0..=1.0).contains(&p));
            prop_assert!((p - e_test(k2, k1)).abs() < 1e-12);
        }
    }
}
