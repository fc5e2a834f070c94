//! Krippendorff's alpha against the PyPI package `krippendorff`, from `scripts/fixtures/agreement_reference.py`
//! (textbook examples, perfect agreement, undefined cases and seeded random panels with missing ratings).

use commonbeat_analysis::agreement::{Coincidences, Level, krippendorff_alpha};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/krippendorff.json");

fn matrix(v: &Value) -> Vec<Vec<Option<f64>>> {
    v.as_array().unwrap().iter().map(|row| row.as_array().unwrap().iter().map(Value::as_f64).collect()).collect()
}

#[test]
fn alpha_matches_the_krippendorff_package() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    let (mut defined, mut undefined) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let data = matrix(&case["data"]);
        for level in Level::ALL {
            let want = case[level.as_str()].as_f64();
            let got = krippendorff_alpha(&data, level);
            match (got, want) {
                (Some(g), Some(w)) => {
                    assert!((g - w).abs() < 1e-9, "{name}, {}: {g} vs krippendorff {w}", level.as_str());
                    defined += 1;
                }
                (None, None) => undefined += 1,
                _ => panic!("{name}, {}: {got:?} vs krippendorff {want:?}", level.as_str()),
            }
        }
    }
    assert!(defined >= 24 && undefined >= 6, "{defined} defined, {undefined} undefined");
}

#[test]
fn published_examples() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let case = |name: &str| {
        let c = fixture["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        matrix(&c["data"])
    };
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    // Krippendorff (2011): nominal 0.743, ordinal 0.815, interval 0.849.
    let textbook = Coincidences::from_reliability_data(&case("krippendorff_2011_textbook"));
    let got: Vec<Option<f64>> = Level::ALL.iter().map(|&l| textbook.alpha(l).map(round3)).collect();
    assert_eq!(got, vec![Some(0.743), Some(0.815), Some(0.849)]);
    // Wikipedia's three coders: nominal 0.691, interval 0.811.
    let wiki = case("wikipedia_three_coders");
    assert_eq!(krippendorff_alpha(&wiki, Level::Nominal).map(round3), Some(0.691));
    assert_eq!(krippendorff_alpha(&wiki, Level::Interval).map(round3), Some(0.811));
    // Units 2 and 14 are empty and unit 1 has a single rating: 12 pairable units.
    assert_eq!(Coincidences::from_reliability_data(&wiki).pairable_units(), 12);
}
