//! The spatial statistics against reference implementations (esda, libpysal, KDEpy, mpmath). The fixtures are
//! written by scripts/fixtures/spatial_reference.py; never edit them by hand.

use commonbeat_analysis::grid::{Contiguity, Grid, grid_neighbours};
use commonbeat_analysis::hotspot::{gi_star_general, gi_star_grid};
use commonbeat_analysis::kde::{quartic_density_at, quartic_kde_grid};
use commonbeat_analysis::moran::{MoranI, morans_i};
use commonbeat_analysis::normal::{erfc, normal_sf};
use serde_json::Value;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn lists(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|l| l.as_array().expect("list").iter().map(|j| j.as_u64().expect("index") as usize).collect())
        .collect()
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (tolerance {tol})");
}

fn check_moran(m: &MoranI, want: &Value, tol: f64, what: &str) {
    for (got, key) in [
        (m.i, "I"),
        (m.expected, "EI"),
        (m.var_norm, "VI_norm"),
        (m.z_norm, "z_norm"),
        (m.p_norm, "p_norm"),
        (m.var_rand, "VI_rand"),
        (m.z_rand, "z_rand"),
        (m.p_rand, "p_rand"),
    ] {
        let w = want[key].as_f64().unwrap();
        close(got, w, tol * w.abs().max(1.0), &format!("{what} {key}"));
    }
}

#[test]
fn columbus_crime_queen_moran() {
    let f = fixture(include_str!("fixtures/columbus_moran.json"));
    let y = floats(&f["crime"]);
    let m = morans_i(&y, &lists(&f["queen"])).unwrap();
    check_moran(&m, &f["moran"], 1e-12, "Columbus");
    // The published values (METHODS.md).
    close(m.i, 0.500189, 1e-6, "I");
    close(m.z_rand, 5.5894, 1e-4, "z(randomisation)");
}

#[test]
fn grid_gi_star_matches_esda() {
    let f = fixture(include_str!("fixtures/grid_gi_star.json"));
    let (rows, cols) = (f["rows"].as_u64().unwrap() as usize, f["cols"].as_u64().unwrap() as usize);
    let counts: Vec<u32> = floats(&f["counts"]).iter().map(|&c| c as u32).collect();
    // Our row-major order is lat2W's.
    assert_eq!(grid_neighbours(rows, cols, Contiguity::Queen), lists(&f["queen"]));
    assert_eq!(grid_neighbours(rows, cols, Contiguity::Rook), lists(&f["rook"]));

    let got = gi_star_grid(&counts, rows, cols);
    let zs = floats(&f["gi_star_z"]);
    let p_one = floats(&f["gi_star_p_norm_one_sided"]);
    let p_two = floats(&f["gi_star_p_two_sided"]);
    assert_eq!(got.len(), zs.len());
    let mut classes = [0usize; 7];
    for (i, g) in got.iter().enumerate() {
        close(g.z, zs[i], 1e-12, &format!("z[{i}]"));
        close(g.p, p_two[i], 1e-12, &format!("p[{i}]"));
        close(g.p, 2.0 * p_one[i], 1e-12, &format!("2·p_norm[{i}]"));
        classes[(g.class + 3) as usize] += 1;
    }
    // The fixture has hot and cold cells, so the check covers both signs.
    assert!(got.iter().any(|g| g.class >= 2) && got.iter().any(|g| g.z < -1.0), "{classes:?}");

    let mut blocks = lists(&f["queen"]);
    for (i, l) in blocks.iter_mut().enumerate() {
        l.push(i);
    }
    for (a, b) in got.iter().zip(gi_star_general(&counts, &blocks)) {
        close(a.z, b.z, 1e-12, "grid vs general");
    }

    check_moran(&morans_i(&counts, &lists(&f["queen"])).unwrap(), &f["moran_queen"], 1e-12, "grid queen");
    check_moran(&morans_i(&counts, &lists(&f["rook"])).unwrap(), &f["moran_rook"], 1e-12, "grid rook");
}

#[test]
fn distance_band_gi_star_matches_esda() {
    let f = fixture(include_str!("fixtures/grid_gi_star.json"));
    let pts: Vec<Vec<f64>> = f["band_points"].as_array().unwrap().iter().map(floats).collect();
    let band = f["band_distance"].as_f64().unwrap();
    let neighbours: Vec<Vec<usize>> = pts
        .iter()
        .map(|p| (0..pts.len()).filter(|&j| (pts[j][0] - p[0]).hypot(pts[j][1] - p[1]) <= band).collect())
        .collect();
    let got = gi_star_general(&floats(&f["band_values"]), &neighbours);
    for (g, w) in got.iter().zip(floats(&f["band_gi_star_z"])) {
        close(g.z, w, 1e-12, "band z");
    }
}

#[test]
fn quartic_kde_matches_kdepy_times_n() {
    let f = fixture(include_str!("fixtures/kde_biweight.json"));
    let r = f["radius_m"].as_f64().unwrap();
    let n = f["n_data"].as_f64().unwrap();
    let data: Vec<Vec<f64>> = f["data_xy"].as_array().unwrap().iter().map(floats).collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) = data.iter().map(|p| (p[0], p[1])).unzip();
    let evals: Vec<Vec<f64>> = f["eval_xy"].as_array().unwrap().iter().map(floats).collect();
    // KDEpy adds machine epsilon to every value it returns; take it off before scaling by n.
    let added = f["kdepy_added_epsilon"].as_f64().unwrap();
    let want: Vec<f64> = floats(&f["kdepy_density"]).iter().map(|w| n * (w - added)).collect();
    let mut positive = 0;
    for (e, w) in evals.iter().zip(&want) {
        let got = quartic_density_at(e[0], e[1], &xs, &ys, r);
        // Relative 1e-12 plus the rounding of KDEpy's added epsilon (n·ε/2).
        close(got, *w, 1e-12 * w.abs() + n * added, "density");
        positive += usize::from(got > 0.0);
        // A one-cell grid centred on the evaluation point gives the same value.
        let h = 0.5;
        let grid = Grid::over_bbox(e[0] - h, e[1] - h, e[0] + h, e[1] + h, 2.0 * h).unwrap();
        close(quartic_kde_grid(&grid, &xs, &ys, r)[0], got, 1e-12 * got, "grid density");
    }
    assert!(positive >= 10 && positive < want.len(), "the fixture covers points inside and outside the radius");
}

#[test]
fn erfc_and_normal_tail_match_mpmath() {
    let f = fixture(include_str!("fixtures/normal_tail.json"));
    let mut worst: f64 = 0.0;
    for (x, want) in floats(&f["erfc_x"]).into_iter().zip(floats(&f["erfc"])) {
        let got = erfc(x);
        let rel = if want == 0.0 { got.abs() } else { ((got - want) / want).abs() };
        worst = worst.max(rel);
        assert!(rel < 1e-14, "erfc({x}) = {got}, want {want} (relative error {rel:e})");
    }
    for (z, want) in floats(&f["sf_z"]).into_iter().zip(floats(&f["sf"])) {
        let got = normal_sf(z);
        let rel = if want == 0.0 { got.abs() } else { ((got - want) / want).abs() };
        worst = worst.max(rel);
        assert!(rel < 1e-14, "sf({z}) = {got}, want {want} (relative error {rel:e})");
    }
    eprintln!("worst relative error of erfc / normal tail: {worst:e}");
}
