//! Properties of raking and weighted estimates on random feasible problems.

use commonbeat_analysis::raking::{Margin, RakeOptions, rake};
use commonbeat_analysis::survey::{domain_mean, weighted_mean};
use proptest::prelude::*;

/// A feasible raking problem: codes per dimension (every category used), targets that are the margins of some
/// positive "population" weights (so a positive solution exists), and optional base weights.
#[derive(Debug, Clone)]
struct Problem {
    codes: Vec<Vec<u16>>,
    targets: Vec<Vec<f64>>,
    base: Option<Vec<f64>>,
}

fn problem() -> impl Strategy<Value = Problem> {
    (10usize..150, proptest::collection::vec(1u16..6, 1..5), any::<bool>()).prop_flat_map(|(n, ks, with_base)| {
        let codes = ks
            .iter()
            .map(|&k| {
                proptest::collection::vec(0..k, n).prop_map(move |mut c| {
                    // Every category has at least one respondent.
                    for (i, slot) in c.iter_mut().take(usize::from(k)).enumerate() {
                        *slot = i as u16;
                    }
                    c
                })
            })
            .collect::<Vec<_>>();
        let population = proptest::collection::vec(0.2f64..5.0, n);
        let base = proptest::collection::vec(0.5f64..2.0, n);
        let scale = 1.0f64..1e4;
        (codes, population, base, scale, Just(ks), Just(with_base)).prop_map(
            |(codes, population, base, scale, ks, with_base)| {
                let targets = codes
                    .iter()
                    .zip(&ks)
                    .map(|(c, &k)| {
                        let mut t = vec![0.0; usize::from(k)];
                        for (code, v) in c.iter().zip(&population) {
                            t[usize::from(*code)] += v * scale;
                        }
                        t
                    })
                    .collect();
                Problem { codes, targets, base: with_base.then_some(base) }
            },
        )
    })
}

/// Raking options for random problems: the default tolerance, but room for the slow (still linear) convergence
/// of IPF on small samples with several nearly collinear dimensions — 1,000 rounds are not always enough there.
fn opts() -> RakeOptions {
    RakeOptions { max_rounds: 1_000_000, ..RakeOptions::default() }
}

fn margins(p: &Problem) -> Vec<Margin<'_>> {
    p.codes.iter().zip(&p.targets).map(|(c, t)| Margin { name: "dim", codes: c, targets: t }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn raked_weights_reproduce_every_margin_and_are_positive(p in problem()) {
        let r = rake(&margins(&p), p.base.as_deref(), &opts()).unwrap();
        prop_assert!(r.weights.iter().all(|w| w.is_finite() && *w > 0.0));
        prop_assert!(r.max_margin_error <= 1e-10);
        for (codes, targets) in p.codes.iter().zip(&p.targets) {
            let mut sums = vec![0.0; targets.len()];
            for (c, w) in codes.iter().zip(&r.weights) {
                sums[usize::from(*c)] += w;
            }
            for (s, t) in sums.iter().zip(targets) {
                prop_assert!((s / t - 1.0).abs() <= 1e-9, "{} vs {}", s, t);
            }
        }
        let population: f64 = p.targets[0].iter().sum();
        prop_assert!((r.total / population - 1.0).abs() <= 1e-9);
    }

    #[test]
    fn scaling_targets_scales_weights(p in problem(), c in 1e-3f64..1e3) {
        let r = rake(&margins(&p), p.base.as_deref(), &opts()).unwrap();
        let scaled = Problem { targets: p.targets.iter().map(|t| t.iter().map(|v| v * c).collect()).collect(), ..p.clone() };
        let s = rake(&margins(&scaled), scaled.base.as_deref(), &opts()).unwrap();
        for (a, b) in r.weights.iter().zip(&s.weights) {
            prop_assert!((b / (a * c) - 1.0).abs() <= 1e-9, "{} × {} vs {}", a, c, b);
        }
    }

    #[test]
    fn weighted_mean_of_a_constant_is_that_constant(
        value in -1e6f64..1e6,
        w in proptest::collection::vec(0.01f64..1e3, 1..200),
        mask_seed in any::<u64>(),
    ) {
        let y = vec![value; w.len()];
        let e = weighted_mean(&y, &w).unwrap();
        prop_assert_eq!(e.mean, value);
        prop_assert!(e.se.is_none_or(|s| s == 0.0));
        let member: Vec<bool> = (0..w.len()).map(|i| i == 0 || (mask_seed >> (i % 64)) & 1 == 1).collect();
        let d = domain_mean(&y, &w, &member).unwrap();
        prop_assert_eq!(d.mean, value);
        prop_assert!(d.se.is_none_or(|s| s == 0.0));
        prop_assert!(e.effective_n > 0.0 && e.effective_n <= w.len() as f64 * (1.0 + 1e-12));
        prop_assert!(e.design_effect >= 1.0 - 1e-12);
    }
}
