//! Reference values for raking, weighted survey estimates and Student's t, from
//! `scripts/fixtures/survey_reference.py` (PyPI ipfn, samplics' `SampleWeight.rake` and `TaylorEstimator`,
//! scipy), plus METHODS.md's published worked example.

use commonbeat_analysis::raking::{Margin, RakeOptions, Raked, rake};
use commonbeat_analysis::student_t::{t_critical, t_sf};
use commonbeat_analysis::survey::{
    Estimate, ItemScale, design_effect, domain_difference, domain_mean, kish_effective_n, scale_score, weighted_mean,
};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/survey_reference.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// Rakes one fixture case with METHODS.md's defaults.
fn rake_case(case: &Value) -> Raked {
    let dims = case["dimensions"].as_array().unwrap();
    let codes: Vec<Vec<u16>> = dims
        .iter()
        .map(|d| d["codes"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap() as u16).collect())
        .collect();
    let targets: Vec<Vec<f64>> = dims.iter().map(|d| floats(&d["targets"])).collect();
    let margins: Vec<Margin<'_>> = dims
        .iter()
        .zip(&codes)
        .zip(&targets)
        .map(|((d, c), t)| Margin { name: d["name"].as_str().unwrap(), codes: c, targets: t })
        .collect();
    let base = (!case["base_weights"].is_null()).then(|| floats(&case["base_weights"]));
    rake(&margins, base.as_deref(), &RakeOptions::default()).unwrap()
}

fn assert_weights(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * w.abs().max(1.0), "{what}, respondent {i}: {g} vs {w}");
    }
}

fn assert_estimate(got: &Estimate, want: &Value, what: &str) {
    let close = |g: f64, w: &Value, tol: f64, field: &str| {
        assert!((g - f(w)).abs() <= tol * f(w).abs().max(1.0), "{what} {field}: {g} vs {}", f(w));
    };
    close(got.mean, &want["mean"], 1e-9, "mean");
    close(got.se.unwrap(), &want["se"], 1e-6, "SE");
    close(got.ci_low.unwrap(), &want["ci_low"], 1e-6, "CI low");
    close(got.ci_high.unwrap(), &want["ci_high"], 1e-6, "CI high");
    assert_eq!(got.df, want["df"].as_u64().unwrap(), "{what} df");
}

#[test]
fn raking_matches_ipfn_and_samplics() {
    let fx = fixture();
    for (name, case) in [
        ("worked example", &fx["worked_example"]),
        ("synthetic", &fx["synthetic"]["raking"]),
        ("synthetic with base weights", &fx["synthetic"]["raking_with_base_weights"]),
    ] {
        let raked = rake_case(case);
        assert_weights(&raked.weights, &floats(&case["ipfn_weights"]), 1e-9, &format!("{name} vs ipfn"));
        assert_weights(&raked.weights, &floats(&case["samplics_weights"]), 1e-9, &format!("{name} vs samplics"));
        // The same stopping rule as ipfn's convergence_rate, so the same number of rounds.
        assert_eq!(raked.rounds as u64, case["ipfn_rounds"].as_u64().unwrap(), "{name} rounds");
        assert!(raked.max_margin_error <= 1e-10, "{name}");
        let population: f64 = floats(&case["dimensions"][0]["targets"]).iter().sum();
        assert!((raked.total / population - 1.0).abs() < 1e-10, "{name}");
    }
}

#[test]
fn methods_worked_example() {
    let fx = fixture();
    let case = &fx["worked_example"];
    let raked = rake_case(case);
    let y = floats(&case["trusts"]);
    let est = weighted_mean(&y, &raked.weights).unwrap();
    assert_estimate(&est, &case["estimate"], "worked example");
    // METHODS.md's published (rounded) values.
    assert!((est.mean - 0.716_138).abs() < 5e-7, "{}", est.mean);
    assert!((est.design_effect - 1.0735).abs() < 5e-5, "{}", est.design_effect);
    assert!((est.se.unwrap() - 0.143_859).abs() < 5e-7, "{:?}", est.se);
    assert!((est.effective_n - f(&case["estimate"]["effective_n"])).abs() < 1e-9);
    assert!(est.low_reliability, "12 respondents are below an effective n of 50");
    assert!((design_effect(&raked.weights).unwrap() - f(&case["estimate"]["design_effect"])).abs() < 1e-12);
}

/// The synthetic sample's raked weights, the trust scores of those who answered, their weights and groups.
fn synthetic_trust(fx: &Value) -> (Vec<f64>, Vec<f64>, Vec<u16>) {
    let s = &fx["synthetic"];
    let raked = rake_case(&s["raking"]);
    let ethnicity = &s["raking"]["dimensions"][2];
    assert_eq!(ethnicity["name"], "ethnicity");
    let (mut y, mut w, mut g) = (Vec::new(), Vec::new(), Vec::new());
    for (i, row) in s["items"]["trust"].as_array().unwrap().iter().enumerate() {
        let items: Vec<Option<f64>> = row.as_array().unwrap().iter().map(Value::as_f64).collect();
        let score = scale_score(&items, ItemScale::ZeroToTen);
        match s["items"]["trust_score"][i].as_f64() {
            Some(want) => assert!((score.unwrap() - want).abs() < 1e-12, "trust score {i}"),
            None => assert_eq!(score, None, "trust score {i}"),
        }
        if let Some(score) = score {
            y.push(score);
            w.push(raked.weights[i]);
            g.push(ethnicity["codes"][i].as_u64().unwrap() as u16);
        }
    }
    (y, w, g)
}

#[test]
fn weighted_mean_matches_samplics_taylor() {
    let fx = fixture();
    let (y, w, _) = synthetic_trust(&fx);
    let want = &fx["synthetic"]["trust_estimate"];
    assert_eq!(y.len() as u64, want["n"].as_u64().unwrap());
    let est = weighted_mean(&y, &w).unwrap();
    assert_estimate(&est, want, "trust");
    assert!((est.effective_n - f(&want["effective_n"])).abs() < 1e-9);
    assert!((est.design_effect - f(&want["design_effect"])).abs() < 1e-12);
    assert!((kish_effective_n(&w).unwrap() - est.effective_n).abs() < 1e-9);
    assert!(!est.low_reliability);
}

#[test]
fn procedural_justice_scores_and_mean_match_samplics() {
    let fx = fixture();
    let s = &fx["synthetic"];
    let raked = rake_case(&s["raking"]);
    let (mut y, mut w) = (Vec::new(), Vec::new());
    for (i, row) in s["items"]["procedural_justice"].as_array().unwrap().iter().enumerate() {
        let items: Vec<Option<f64>> = row.as_array().unwrap().iter().map(Value::as_f64).collect();
        let score = scale_score(&items, ItemScale::OneToFive);
        match s["items"]["procedural_justice_score"][i].as_f64() {
            Some(want) => assert!((score.unwrap() - want).abs() < 1e-12, "PJ score {i}"),
            None => assert_eq!(score, None, "PJ score {i}"),
        }
        if let Some(score) = score {
            y.push(score);
            w.push(raked.weights[i]);
        }
    }
    assert_estimate(&weighted_mean(&y, &w).unwrap(), &s["procedural_justice_estimate"], "procedural justice");
}

#[test]
fn domain_means_and_gap_match_samplics() {
    let fx = fixture();
    let (y, w, g) = synthetic_trust(&fx);
    let domains = fx["synthetic"]["trust_by_ethnicity"].as_object().unwrap();
    assert_eq!(domains.len(), 5);
    for (key, want) in domains {
        let d: u16 = key.parse().unwrap();
        let member: Vec<bool> = g.iter().map(|x| *x == d).collect();
        let est = domain_mean(&y, &w, &member).unwrap();
        assert_estimate(&est, want, &format!("ethnicity {d}"));
        assert_eq!(est.n, member.iter().filter(|m| **m).count() as u64);
    }
    let gap = &fx["synthetic"]["trust_gap_ethnicity_0_vs_1"];
    let a: Vec<bool> = g.iter().map(|x| *x == 0).collect();
    let b: Vec<bool> = g.iter().map(|x| *x == 1).collect();
    let diff = domain_difference(&y, &w, &a, &b).unwrap();
    assert!((diff.difference - f(&gap["difference"])).abs() < 1e-9);
    assert!((diff.se.unwrap() - f(&gap["se"])).abs() < 1e-6, "{:?} vs {}", diff.se, gap["se"]);
    let t = t_critical(0.95, diff.df as f64).unwrap();
    assert!((diff.ci_low.unwrap() - (diff.difference - t * diff.se.unwrap())).abs() < 1e-12);
    assert!(diff.p.unwrap() < 0.01, "a gap of about 3 SE");
}

#[test]
fn student_t_matches_scipy() {
    let fx = fixture();
    let t = &fx["student_t"];
    for (key, level) in [("ppf_975", 0.95), ("ppf_995", 0.99)] {
        for case in t[key].as_array().unwrap() {
            let (df, want) = (f(&case["df"]), f(&case["t"]));
            let got = t_critical(level, df).unwrap();
            assert!((got - want).abs() <= 1e-10 * want, "{key} df = {df}: {got} vs {want}");
        }
    }
    for case in t["sf"].as_array().unwrap() {
        let (df, x, want) = (f(&case["df"]), f(&case["t"]), f(&case["sf"]));
        let got = t_sf(x, df);
        assert!(
            (got - want).abs() <= 1e-10 * want.max(1e-300) || (got - want).abs() < 1e-300,
            "sf({x}, {df}): {got} vs {want}"
        );
    }
}
