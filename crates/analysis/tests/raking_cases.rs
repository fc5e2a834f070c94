//! Raking cases: METHODS.md's worked example, every named error, unequal totals, trimming, and the three ways
//! respondents are grouped into cells.

use commonbeat_analysis::raking::{
    MAX_TRIM_ROUNDS, Margin, RakeError, RakeOptions, TRIM_TOLERANCE, TotalsPolicy, rake,
};

const SEX: [u16; 12] = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
const AGE: [u16; 12] = [0, 0, 1, 2, 2, 0, 1, 1, 1, 2, 2, 2];
const SEX_T: [f64; 2] = [4800.0, 5200.0];
const AGE_T: [f64; 3] = [3000.0, 4000.0, 3000.0];

fn margins<'a>(age_t: &'a [f64]) -> [Margin<'a>; 2] {
    [Margin { name: "sex", codes: &SEX, targets: &SEX_T }, Margin { name: "age", codes: &AGE, targets: age_t }]
}

fn margin_totals(codes: &[u16], w: &[f64], k: usize) -> Vec<f64> {
    let mut s = vec![0.0; k];
    codes.iter().zip(w).for_each(|(c, w)| s[usize::from(*c)] += w);
    s
}

#[test]
fn methods_example_meets_its_margins() {
    let r = rake(&margins(&AGE_T), None, &RakeOptions::default()).unwrap();
    assert_eq!(r.rounds, 10);
    assert!(r.max_margin_error <= 1e-10);
    assert!((r.total - 10_000.0).abs() < 1e-6);
    for (got, want) in margin_totals(&AGE, &r.weights, 3).iter().zip(AGE_T) {
        assert!((got / want - 1.0).abs() <= 1e-10);
    }
    assert!((r.weights[0] - 1_087.598_378_23).abs() < 1e-6, "{}", r.weights[0]);
    assert_eq!(r.normalised, None);
    assert_eq!(r.trimming, None);
}

#[test]
fn named_errors() {
    let opts = RakeOptions::default();
    let e = |age_t: &[f64]| rake(&margins(age_t), None, &opts).unwrap_err();
    assert_eq!(
        e(&[3000.0, 4000.0, 2000.0]),
        RakeError::UnequalTotals { dimension: "age".into(), total: 9000.0, expected: 10_000.0 }
    );
    assert_eq!(
        e(&[3000.0, 7000.0]),
        RakeError::UnknownCategory { dimension: "age".into(), category: 2, respondent: 3 }
    );
    assert_eq!(
        e(&[3000.0, 4000.0, 2000.0, 1000.0]),
        RakeError::EmptyCategory { dimension: "age".into(), category: 3, target: 1000.0 }
    );
    assert_eq!(
        e(&[3000.0, 0.0, 7000.0]),
        RakeError::ZeroTarget { dimension: "age".into(), category: 1, respondents: 4 }
    );
    assert_eq!(e(&[3000.0, f64::NAN, 7000.0]), RakeError::InvalidTarget { dimension: "age".into(), category: 1 });
    assert_eq!(rake(&[], None, &opts).unwrap_err(), RakeError::NoMargins);
    let empty = [Margin { name: "x", codes: &[], targets: &[1.0] }];
    assert_eq!(rake(&empty, None, &opts).unwrap_err(), RakeError::NoRespondents);
    let short = [margins(&AGE_T)[0], Margin { name: "age", codes: &AGE[..5], targets: &AGE_T }];
    assert_eq!(
        rake(&short, None, &opts).unwrap_err(),
        RakeError::LengthMismatch { dimension: "age".into(), expected: 12, found: 5 }
    );
    let mut base = [1.0; 12];
    base[4] = 0.0;
    assert_eq!(rake(&margins(&AGE_T), Some(&base), &opts).unwrap_err(), RakeError::InvalidBaseWeight { respondent: 4 });
    assert!(matches!(
        rake(&margins(&AGE_T), Some(&base[..3]), &opts).unwrap_err(),
        RakeError::LengthMismatch { found: 3, .. }
    ));
    for bad in [
        RakeOptions { tolerance: 0.0, ..opts },
        RakeOptions { max_rounds: 0, ..opts },
        RakeOptions { trim: Some(1.0), ..opts },
    ] {
        assert_eq!(rake(&margins(&AGE_T), None, &bad).unwrap_err(), RakeError::InvalidOptions);
    }
    let few = RakeOptions { max_rounds: 3, ..opts };
    assert!(matches!(rake(&margins(&AGE_T), None, &few).unwrap_err(), RakeError::NotConverged { rounds: 3, .. }));
    // Every error reads as a sentence naming what is wrong.
    let text = e(&[3000.0, 4000.0, 2000.0, 1000.0]).to_string();
    assert!(text.contains("age") && text.contains("category 3"), "{text}");
}

#[test]
fn unequal_totals_normalised_on_request() {
    let opts = RakeOptions { totals: TotalsPolicy::NormaliseToFirst, ..RakeOptions::default() };
    let r = rake(&margins(&[1500.0, 2000.0, 1500.0]), None, &opts).unwrap();
    assert_eq!(r.normalised, Some(vec![1.0, 2.0]));
    let strict = rake(&margins(&AGE_T), None, &RakeOptions::default()).unwrap();
    for (a, b) in r.weights.iter().zip(&strict.weights) {
        assert!((a / b - 1.0).abs() < 1e-12);
    }
}

#[test]
fn trimming_caps_and_reports() {
    // Few young men, and a population with more men and more young people: the young men's weights are far
    // above the mean until trimmed.
    let sex: Vec<u16> = (0..40).map(|i| u16::from(i >= 20)).collect();
    let age: Vec<u16> = (0..40).map(|i| u16::from(i < 2 || (20..28).contains(&i))).collect();
    let (sex_t, age_t) = ([600.0, 400.0], [650.0, 350.0]);
    let m =
        [Margin { name: "sex", codes: &sex, targets: &sex_t }, Margin { name: "age", codes: &age, targets: &age_t }];
    let untrimmed = rake(&m, None, &RakeOptions::default()).unwrap();
    let opts = RakeOptions { trim: Some(1.5), ..RakeOptions::default() };
    let r = rake(&m, None, &opts).unwrap();
    let t = r.trimming.clone().unwrap();
    assert!(t.trimmed && t.cap_met && t.rounds >= 1, "{t:?}");
    assert!((t.cap - 1.5 * 1000.0 / 40.0).abs() < 1e-12);
    assert!(t.max_weight_before > 2.0 * t.cap / 1.5, "{t:?}");
    assert!((t.max_weight_before - untrimmed.weights.iter().cloned().fold(0.0, f64::max)).abs() < 1e-9);
    assert!(t.max_weight_after <= t.cap * (1.0 + TRIM_TOLERANCE));
    assert!(t.respondents_capped >= 1 && t.excess_share_before > 0.0);
    assert!(r.max_margin_error <= 1e-10 && r.total_rounds > r.rounds);
    for (codes, targets) in [(&sex, &sex_t[..]), (&age, &age_t[..])] {
        for (got, want) in margin_totals(codes, &r.weights, 2).iter().zip(targets) {
            assert!((got / want - 1.0).abs() <= 1e-10);
        }
    }
    // A generous cap changes nothing and says so.
    let loose = rake(&m, None, &RakeOptions { trim: Some(1000.0), ..RakeOptions::default() }).unwrap();
    let lt = loose.trimming.unwrap();
    assert!(!lt.trimmed && lt.cap_met && lt.rounds == 0);
    assert_eq!(loose.weights, untrimmed.weights);
}

#[test]
fn infeasible_cap_is_reported_not_hidden() {
    // A single respondent carries a whole category: no weight cap below its target can hold.
    let codes: Vec<u16> = (0..10).map(|i| u16::from(i == 0)).collect();
    let targets = [500.0, 500.0];
    let m = [Margin { name: "area", codes: &codes, targets: &targets }];
    let r = rake(&m, None, &RakeOptions { trim: Some(2.0), ..RakeOptions::default() }).unwrap();
    let t = r.trimming.unwrap();
    assert!(t.trimmed && !t.cap_met && t.rounds == MAX_TRIM_ROUNDS);
    assert!((r.weights[0] - 500.0).abs() < 1e-9 && (t.max_weight_after - 500.0).abs() < 1e-9);
}

#[test]
fn cell_grouping_paths_agree() {
    // The same problem with unused zero-target categories appended, so the cell key goes from a dense table
    // to a hash map to one cell per respondent (key overflow); the weights must not change.
    let n = 60;
    let a: Vec<u16> = (0..n).map(|i| (i % 3) as u16).collect();
    let b: Vec<u16> = (0..n).map(|i| ((i * 7) % 4) as u16).collect();
    let c: Vec<u16> = (0..n).map(|i| ((i * 5 + i / 7) % 2) as u16).collect();
    let (ta, tb, tc) = (vec![300.0, 500.0, 200.0], vec![100.0, 200.0, 300.0, 400.0], vec![450.0, 550.0]);
    let padded = |t: &[f64], k: usize| {
        let mut v = t.to_vec();
        v.resize(k, 0.0);
        v
    };
    let run = |k: usize, five: bool| {
        let t = [padded(&ta, k.max(3)), padded(&tb, k.max(4)), padded(&tc, k.max(2))];
        let m: Vec<Margin<'_>> =
            [&a, &b, &c].iter().zip(&t).map(|(codes, t)| Margin { name: "d", codes, targets: t }).collect();
        let mut m5 = m.clone();
        if five {
            m5.extend([m[0], m[1]]); // with 65,535 categories each, five dimensions overflow a u64 key
        }
        rake(&m5, None, &RakeOptions::default()).unwrap().weights
    };
    for (k, five) in [(200, false), (65_535, true)] {
        for (x, y) in run(0, five).iter().zip(run(k, five)) {
            assert!((x / y - 1.0).abs() < 1e-12, "{k}: {x} vs {y}");
        }
    }
}
