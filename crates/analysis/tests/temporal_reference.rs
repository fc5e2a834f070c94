//! Reference values for the E-test, the Knox test and near-repeat bands, from
//! `scripts/fixtures/temporal_reference.py` (scipy, pointpats and libpysal's Burkitt data).

use commonbeat_analysis::etest::e_test;
use commonbeat_analysis::near_repeat::{Band, knox, near_repeat};
use serde_json::Value;

const ETEST: &str = include_str!("fixtures/etest_reference.json");
const BURKITT: &str = include_str!("fixtures/burkitt_knox.json");

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn e_test_matches_scipy() {
    let fixture: Value = serde_json::from_str(ETEST).unwrap();
    let pairs = fixture["pairs"].as_array().unwrap();
    assert!(pairs.len() >= 20);
    for pair in pairs {
        let (before, after) = (pair["before"].as_u64().unwrap(), pair["after"].as_u64().unwrap());
        let want = pair["p"].as_f64().unwrap();
        let got = e_test(before, after);
        assert!((got - want).abs() < 1e-9, "({before}, {after}): {got} vs scipy {want}");
    }
}

#[test]
fn knox_matches_pointpats_on_burkitt() {
    let fixture: Value = serde_json::from_str(BURKITT).unwrap();
    let (x, y, t) = (floats(&fixture["x"]), floats(&fixture["y"]), floats(&fixture["t"]));
    assert_eq!(x.len(), 188);
    for case in fixture["knox"].as_array().unwrap() {
        let (delta, tau) = (case["delta"].as_f64().unwrap(), case["tau"].as_f64().unwrap());
        let k = knox(&x, &y, &t, delta, tau).unwrap();
        let label = format!("delta = {delta}, tau = {tau}");
        assert_eq!(k.observed, case["observed"].as_u64().unwrap(), "{label}");
        assert_eq!(k.space_close, case["space_close"].as_u64().unwrap(), "{label}");
        assert_eq!(k.time_close, case["time_close"].as_u64().unwrap(), "{label}");
        assert_eq!(k.n_pairs, case["n_pairs"].as_u64().unwrap(), "{label}");
        assert!((k.expected - case["expected"].as_f64().unwrap()).abs() < 1e-9, "{label}: {}", k.expected);
        assert!((k.p_poisson - case["p_poisson"].as_f64().unwrap()).abs() < 1e-9, "{label}: {}", k.p_poisson);
        assert!(k.p_poisson_inclusive >= k.p_poisson);
    }
    // METHODS.md's published figures.
    let k = knox(&x, &y, &t, 20.0, 5.0).unwrap();
    assert_eq!(k.observed, 13);
    assert!((k.expected - 10.1438).abs() < 1e-4);
    assert!((k.p_poisson - 0.14625).abs() < 1e-5);
}

#[test]
fn near_repeat_bands_match_brute_force_on_burkitt() {
    let fixture: Value = serde_json::from_str(BURKITT).unwrap();
    let (x, y, t) = (floats(&fixture["x"]), floats(&fixture["y"]), floats(&fixture["t"]));
    let bands = &fixture["bands"];
    let db = Band::from_edges(&floats(&bands["distance_edges"]));
    let tb = Band::from_edges(&floats(&bands["time_edges"]));
    let table = near_repeat(&x, &y, &t, &db, &tb, 99, 20_240_601).unwrap();
    for (d, row) in bands["observed"].as_array().unwrap().iter().enumerate() {
        for (k, want) in row.as_array().unwrap().iter().enumerate() {
            assert_eq!(table.cell(d, k).observed, want.as_u64().unwrap(), "cell ({d}, {k})");
        }
    }
    assert_eq!(table.distance_labels()[0], "[0, 5) m");
    assert_eq!(table.time_labels()[3], "[28, 56) days");
    for cell in &table.cells {
        assert!(cell.p_value > 0.0 && cell.p_value <= 1.0);
        assert!(cell.expected.is_finite());
    }
}
