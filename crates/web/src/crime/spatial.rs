//! Spatial analyses over the cache: Gi* hotspots on a grid (GeoJSON), quartic kernel density, the near-repeat
//! table and Moran's I over area counts. Each takes the already selected incidents and the audience.

use super::columns::Columns;
use super::privacy::{self, Audience};
use commonbeat_analysis::grid::Grid;
use commonbeat_analysis::hotspot::gi_star_grid;
use commonbeat_analysis::kde::{per_km2, quartic_kde_grid};
use commonbeat_analysis::moran::{MoranI, morans_i};
use commonbeat_analysis::near_repeat::{Band, NearRepeatTable, near_repeat};
use serde::Serialize;
use serde_json::{Value, json};

/// Which cells a hotspot answer lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellsShown {
    /// Cells with at least one incident (default).
    Nonzero,
    /// Cells with a significant Gi* (class ≠ 0).
    Significant,
    /// Every cell of the grid.
    All,
}

impl CellsShown {
    /// Parses `nonzero|significant|all`.
    pub fn parse(s: &str) -> Option<CellsShown> {
        match s {
            "nonzero" => Some(CellsShown::Nonzero),
            "significant" => Some(CellsShown::Significant),
            "all" => Some(CellsShown::All),
            _ => None,
        }
    }
}

fn points(c: &Columns, idx: &[u32]) -> (Vec<f64>, Vec<f64>) {
    idx.iter().filter(|&&i| c.has_point(i as usize)).map(|&i| (c.x[i as usize] as f64, c.y[i as usize] as f64)).unzip()
}

/// The grid description every grid answer carries.
fn grid_json(c: &Columns, g: &Grid) -> Value {
    let (lon, lat) = c.projection.inverse(g.origin_x, g.origin_y);
    json!({
        "origin": {"x": g.origin_x, "y": g.origin_y, "lon": lon, "lat": lat},
        "cell_m": g.cell_m,
        "rows": g.rows,
        "cols": g.cols,
        "projection": format!(
            "local equirectangular, WGS84 radii of curvature at the centre lon {:.6}, lat {:.6}; x east, y north, metres",
            c.projection.lon0, c.projection.lat0
        ),
        "row_order": "row 0 is the southernmost row; col 0 the westernmost column",
    })
}

/// Largest grid an analysis builds (cells); a finer grid over a wide area is refused.
pub const MAX_CELLS: usize = 4_000_000;

fn grid_for(xs: &[f64], ys: &[f64], cell_m: f64) -> Result<Option<Grid>, String> {
    Grid::covering(xs, ys, cell_m).map(within_cap).transpose()
}

/// The grid, or the error naming `cell_m` when it would exceed [`MAX_CELLS`].
fn within_cap(g: Grid) -> Result<Grid, String> {
    if g.n_cells() > MAX_CELLS {
        return Err(format!(
            "cell_m: {} m cells over this area make {} cells (at most {MAX_CELLS}); use larger cells",
            g.cell_m,
            g.n_cells()
        ));
    }
    Ok(g)
}

/// One hotspot cell as the page's table shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotCell {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Incidents (None when suppressed for the public).
    pub count: Option<u32>,
    /// Gi* z.
    pub gi_z: Option<f64>,
    /// Two-sided p.
    pub gi_p: Option<f64>,
    /// −3 … 3.
    pub class: i8,
    /// Centre, for the table.
    pub centre: (f64, f64),
}

/// The grid over the selected incidents' points and their counts, binned straight from the columns (no copy
/// of the coordinates, so 8 million incidents need no extra memory beyond the counts).
fn binned(c: &Columns, idx: &[u32], cell_m: f64) -> Result<Option<(Grid, Vec<u32>)>, String> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &i in idx {
        let (x, y) = (c.x[i as usize] as f64, c.y[i as usize] as f64);
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
    }
    if !x0.is_finite() {
        return Ok(None);
    }
    let Some(g) = Grid::over_bbox(x0, y0, x1, y1, cell_m) else { return Ok(None) };
    let g = within_cap(g)?;
    let mut counts = vec![0u32; g.n_cells()];
    for &i in idx {
        if let Some((row, col)) = g.cell_of(c.x[i as usize] as f64, c.y[i as usize] as f64) {
            counts[g.index(row, col)] += 1;
        }
    }
    Ok(Some((g, counts)))
}

fn push_num(out: &mut String, v: Option<f64>, decimals: usize) {
    use std::fmt::Write;
    match v {
        Some(x) if x.is_finite() => {
            let _ = write!(out, "{x:.decimals$}");
        }
        _ => out.push_str("null"),
    }
}

/// Gi* hotspots as a GeoJSON FeatureCollection (with a top-level `grid` member) plus the cells in a list. The
/// GeoJSON is written directly (it can hold tens of thousands of features).
pub fn hotspots(
    c: &Columns,
    idx: &[u32],
    cell_m: f64,
    shown: CellsShown,
    audience: Audience,
) -> Result<Hotspots, String> {
    use std::fmt::Write;
    let cell_m = privacy::cell_size(cell_m, audience);
    let Some((g, counts)) = binned(c, idx, cell_m)? else {
        return Ok(Hotspots {
            geojson: r#"{"type":"FeatureCollection","grid":null,"features":[]}"#.to_string(),
            cells: vec![],
            grid: None,
        });
    };
    let gi = gi_star_grid(&counts, g.rows, g.cols);
    let hidden: Vec<bool> = if audience.is_public() {
        privacy::suppressed(&counts.iter().map(|&n| n as u64).collect::<Vec<_>>())
    } else {
        vec![false; counts.len()]
    };
    let mut cells = Vec::new();
    let mut out = String::with_capacity(4096 + counts.iter().filter(|&&n| n > 0).count() * 330);
    out.push_str(r#"{"type":"FeatureCollection","grid":"#);
    out.push_str(&grid_json(c, &g).to_string());
    out.push_str(r#","features":["#);
    let mut first = true;
    for k in 0..counts.len() {
        let keep = match shown {
            CellsShown::Nonzero => counts[k] > 0,
            CellsShown::Significant => gi[k].class != 0,
            CellsShown::All => true,
        };
        if !keep {
            continue;
        }
        let (row, col) = g.row_col(k);
        let (count, z, p, class) = if hidden[k] {
            (None, None, None, 0)
        } else {
            (Some(counts[k]), Some(gi[k].z), Some(gi[k].p), gi[k].class)
        };
        let (cx, cy) = g.cell_centre(row, col);
        cells.push(HotCell { row, col, count, gi_z: z, gi_p: p, class, centre: c.projection.inverse(cx, cy) });
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[["#);
        let (x0, y0, x1, y1) = g.cell_bounds(row, col);
        for (n, (x, y)) in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)].into_iter().enumerate() {
            let (lon, lat) = c.projection.inverse(x, y);
            if n > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{lon:.6},{lat:.6}]");
        }
        let _ = write!(out, r#"]]}},"properties":{{"row":{row},"col":{col},"count":"#);
        match count {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push_str("null"),
        }
        out.push_str(r#","gi_z":"#);
        push_num(&mut out, z, 4);
        out.push_str(r#","gi_p":"#);
        push_num(&mut out, p, 6);
        let _ = write!(out, r#","class":{class},"suppressed":{}}}}}"#, hidden[k]);
    }
    out.push_str("]}");
    Ok(Hotspots { geojson: out, cells, grid: Some(g) })
}

/// A hotspot answer.
#[derive(Debug, Clone)]
pub struct Hotspots {
    /// The GeoJSON FeatureCollection with its `grid` member.
    pub geojson: String,
    /// The listed cells.
    pub cells: Vec<HotCell>,
    /// The grid (none without incidents).
    pub grid: Option<Grid>,
}

/// Quartic kernel density on a grid, incidents per km², row-major, with the grid.
pub fn kde(c: &Columns, idx: &[u32], radius_m: f64, cell_m: f64, audience: Audience) -> Result<Value, String> {
    let cell_m = privacy::cell_size(cell_m, audience);
    let radius_m = if audience.is_public() { radius_m.max(privacy::PUBLIC_MIN_CELL_M) } else { radius_m };
    let (xs, ys) = points(c, idx);
    let Some(g) = grid_for(&xs, &ys, cell_m)? else {
        return Ok(json!({"grid": null, "radius_m": radius_m, "values": [], "unit": "incidents per km²"}));
    };
    let density = per_km2(&quartic_kde_grid(&g, &xs, &ys, radius_m));
    let max = density.iter().cloned().fold(0.0, f64::max);
    Ok(json!({
        "grid": grid_json(c, &g),
        "radius_m": radius_m,
        "kernel": "quartic",
        "unit": "incidents per km²",
        "max": max,
        "values": density.iter().map(|v| (v * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
    }))
}

/// The near-repeat table over the selected incidents (police only).
pub fn near_repeats(
    c: &Columns,
    idx: &[u32],
    distance_edges: &[f64],
    time_edges_days: &[f64],
    permutations: u32,
    seed: u64,
) -> Result<NearRepeatTable, String> {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    let mut ts = Vec::new();
    for &i in idx {
        let i = i as usize;
        if c.has_point(i) {
            xs.push(c.x[i] as f64);
            ys.push(c.y[i] as f64);
            ts.push(c.t[i] as f64 / 86_400.0);
        }
    }
    near_repeat(
        &xs,
        &ys,
        &ts,
        &Band::from_edges(distance_edges),
        &Band::from_edges(time_edges_days),
        permutations,
        seed,
    )
    .map_err(|e| e.to_string())
}

/// Areas of one kind that touch (share at least one vertex: queen contiguity).
pub fn queen_neighbours(outlines: &[&commonbeat_domain::geo::MultiPolygon]) -> Vec<Vec<usize>> {
    use std::collections::HashMap;
    let key = |p: &commonbeat_domain::geo::LonLat| ((p.lon * 1e7).round() as i64, (p.lat * 1e7).round() as i64);
    let mut by_vertex: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, m) in outlines.iter().enumerate() {
        for ring in m.0.iter().flat_map(|p| p.rings()) {
            for p in ring {
                let v = by_vertex.entry(key(p)).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
    }
    let mut out = vec![Vec::new(); outlines.len()];
    for areas in by_vertex.values() {
        for &a in areas {
            for &b in areas {
                if a != b && !out[a].contains(&b) {
                    out[a].push(b);
                }
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

/// Moran's I over the counts (or counts per km² when `rate`) of the areas of `kind`.
pub fn moran(c: &Columns, idx: &[u32], kind: &str, rate: bool) -> (Vec<(i64, String, f64)>, Option<MoranI>) {
    let areas: Vec<_> = c.areas.iter().filter(|a| a.kind == kind).collect();
    let values: Vec<(i64, String, f64)> = areas
        .iter()
        .map(|a| {
            let n = idx.iter().filter(|&&i| a.contains(i as usize)).count() as f64;
            let v = if rate { n / (a.geometry.area_m2() / 1e6).max(1e-9) } else { n };
            (a.id, a.name.clone(), v)
        })
        .collect();
    let outlines: Vec<_> = areas.iter().map(|a| &a.geometry).collect();
    let nb = queen_neighbours(&outlines);
    let v: Vec<f64> = values.iter().map(|x| x.2).collect();
    let m = morans_i(&v, &nb);
    (values, m)
}
