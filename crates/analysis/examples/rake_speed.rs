//! Times raking 100,000 respondents to 4 margins (the Rust half of the comparison with PyPI ipfn;
//! scripts/bench/rake_ipfn.py is the other half).
//!
//! Generates a seeded sample — sex (2), age band (6), ethnicity (5), area (8), drawn with dependence between
//! them — and targets that are the margins of a differently weighted population (so a positive solution
//! exists and the weights move well away from 1), then times `rake` with METHODS.md's defaults (1e-10
//! relative, at most 1000 rounds). With a directory argument it also writes `codes.u16` (little-endian,
//! dimension-major: all of dimension 0, then 1, …), `targets.json` and `weights.f64` (little-endian) there so
//! the Python side runs ipfn on the very same data and checks the weights. Prints one JSON line.
//!
//! ```sh
//! cargo run --release -p commonbeat-analysis --example rake_speed -- [OUT_DIR] [N] [REPEATS]
//! ```

use commonbeat_analysis::raking::{Margin, RakeOptions, rake};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

const NAMES: [&str; 4] = ["sex", "age", "ethnicity", "area"];
const SIZES: [u16; 4] = [2, 6, 5, 8];

/// Draws a category from unnormalised probabilities.
fn draw(rng: &mut ChaCha8Rng, p: &[f64]) -> u16 {
    let total: f64 = p.iter().sum();
    let mut u = rng.r#gen::<f64>() * total;
    for (i, q) in p.iter().enumerate() {
        if u < *q {
            return i as u16;
        }
        u -= q;
    }
    (p.len() - 1) as u16
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = args.get(1).filter(|a| !a.is_empty() && *a != "-");
    let n: usize = args.get(2).map_or(100_000, |a| a.parse().expect("N is a number"));
    let repeats: usize = args.get(3).map_or(21, |a| a.parse().expect("REPEATS is a number"));

    let mut rng = ChaCha8Rng::seed_from_u64(20_240_611);
    let mut codes: Vec<Vec<u16>> = SIZES.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut targets: Vec<Vec<f64>> = SIZES.iter().map(|&k| vec![0.0; usize::from(k)]).collect();
    for _ in 0..n {
        let area = draw(&mut rng, &[3.0, 1.0, 2.0, 1.5, 0.7, 1.2, 0.9, 2.5]);
        let age_p: Vec<f64> = (0..6).map(|a| 1.0 + f64::from(a) * if area < 4 { 0.4 } else { -0.1 }).collect();
        let age = draw(&mut rng, &age_p);
        let sex = draw(&mut rng, &[1.0 + 0.1 * f64::from(age), 1.2]);
        let eth = draw(&mut rng, &[6.0, 1.5 + f64::from(area % 3), 1.0, 0.8, 0.4 + 0.2 * f64::from(age)]);
        let row = [sex, age, eth, area];
        // The population over-represents young people, men, minorities and some areas relative to the sample.
        let v = (0.35 * f64::from(sex) - 0.15 * f64::from(age)
            + 0.25 * f64::from(eth)
            + 0.1 * f64::from(area % 4)
            + 0.3 * (rng.r#gen::<f64>() - 0.5))
            .exp();
        for (d, c) in row.iter().enumerate() {
            codes[d].push(*c);
            targets[d][usize::from(*c)] += v;
        }
    }
    // Scale to a population of 2.5 million (totals equal across dimensions up to rounding; fix exactly).
    let scale = 2_500_000.0 / targets[0].iter().sum::<f64>();
    for t in &mut targets {
        t.iter_mut().for_each(|v| *v = (*v * scale).round());
        let s: f64 = t.iter().sum();
        t[0] += 2_500_000.0 - s;
    }

    let margins: Vec<Margin<'_>> =
        NAMES.iter().zip(&codes).zip(&targets).map(|((name, c), t)| Margin { name, codes: c, targets: t }).collect();
    let options = RakeOptions::default();
    let mut times = Vec::with_capacity(repeats);
    let mut result = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let r = rake(&margins, None, &options).expect("raking converges");
        times.push(t.elapsed().as_secs_f64() * 1e3);
        result = Some(r);
    }
    let r = result.expect("at least one repeat");
    times.sort_by(f64::total_cmp);
    let (min_w, max_w) = r.weights.iter().fold((f64::INFINITY, 0.0_f64), |(a, b), &w| (a.min(w), b.max(w)));

    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).expect("output directory");
        let code_bytes: Vec<u8> = codes.iter().flatten().flat_map(|c| c.to_le_bytes()).collect();
        std::fs::write(format!("{dir}/codes.u16"), code_bytes).expect("write codes");
        let weight_bytes: Vec<u8> = r.weights.iter().flat_map(|w| w.to_le_bytes()).collect();
        std::fs::write(format!("{dir}/weights.f64"), weight_bytes).expect("write weights");
        let t = serde_json::json!({"n": n, "names": NAMES, "targets": targets});
        std::fs::write(format!("{dir}/targets.json"), t.to_string()).expect("write targets");
    }
    println!(
        "{}",
        serde_json::json!({
            "respondents": n,
            "margins": NAMES.len(),
            "categories": SIZES,
            "rounds": r.rounds,
            "max_margin_error": r.max_margin_error,
            "weight_range": [min_w, max_w],
            "repeats": repeats,
            "rake_ms_min": times[0],
            "rake_ms_median": times[times.len() / 2],
        })
    );
}
