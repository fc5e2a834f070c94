//! Crime data for problem solving: scanning candidates (significant rises by area and category, Gi* hot spots),
//! the hour × weekday table of a problem's incidents, the target/ring-buffer geometry of a problem, the control
//! area suggestion and the before/after assessment. Everything reads the columnar cache; what the public may
//! see follows [`super::privacy`].

use super::columns::{Columns, Selection};
use super::privacy::{self, Audience};
use super::spatial::{self, CellsShown};
use commonbeat_analysis::etest::e_test;
use commonbeat_analysis::projection::LocalProjection;
use commonbeat_domain::incident::Category;
use commonbeat_domain::problem::{Rise, is_candidate_rise};
use serde_json::{Value, json};

/// Days in the scanning window.
pub const SCAN_WINDOW_DAYS: i64 = 90;
/// Significance level of a scanning rise.
pub const SCAN_ALPHA: f64 = 0.05;
/// Fewest incidents in the window for a rise to count.
pub const SCAN_MIN_RECENT: u64 = 8;

/// A scanning candidate from crime data.
#[derive(Debug, Clone, PartialEq)]
pub struct CrimeCandidate {
    /// `crime_rise` or `hotspot`.
    pub source: &'static str,
    /// Category key.
    pub category: String,
    /// The area (rises).
    pub area_id: Option<i64>,
    /// The area's name.
    pub area_name: String,
    /// Count in the latest window (rises) or in the hottest cell (hot spots).
    pub recent: u64,
    /// Count a year earlier (rises) or number of significant hot cells (hot spots).
    pub compare: u64,
    /// E-test p (rises) or the hottest cell's Gi* p (hot spots).
    pub p: f64,
    /// Centre of the hottest cell (hot spots), generalised to the cell for the public.
    pub point: Option<(f64, f64)>,
}

impl CrimeCandidate {
    /// The evidence as stored with a problem made from it (`window_days` of a rise; hot spots cover a year).
    pub fn evidence(&self, window_days: i64) -> Value {
        let window_days = if self.source == "hotspot" { 365 } else { window_days };
        json!({
            "source": self.source, "category": self.category, "area_id": self.area_id, "area": self.area_name,
            "recent": self.recent, "compare": self.compare, "p": self.p, "window_days": window_days,
            "point": self.point.map(|(lon, lat)| json!([lon, lat])),
        })
    }
}

/// Rises of one category in one of `areas` over the last [`SCAN_WINDOW_DAYS`] against the same window a year
/// earlier (E-test), strongest first; then hot spots of the last year (cells of Gi* class 3 inside the areas).
pub fn scan(c: &Columns, areas: &[i64], audience: Audience, now: i64) -> Vec<CrimeCandidate> {
    let end = if audience.is_public() { privacy::public_cutoff(now) } else { now };
    let window = SCAN_WINDOW_DAYS * 86_400;
    let year = 365 * 86_400;
    let mut out = Vec::new();
    for &area in areas {
        let Some(a) = c.area(area) else { continue };
        for cat in Category::ALL {
            let count = |from: i64, to: i64| {
                let s = Selection {
                    from,
                    to,
                    category: Some(cat.as_str().to_string()),
                    areas: vec![area],
                    include_sensitive: !audience.is_public(),
                    with_point: false,
                };
                c.select(&s).len() as u64
            };
            let recent = count(end - window, end);
            let before = count(end - window - year, end - year);
            let p = e_test(before, recent);
            if is_candidate_rise(&Rise { recent, year_before: before, p }, SCAN_ALPHA, SCAN_MIN_RECENT) {
                out.push(CrimeCandidate {
                    source: "crime_rise",
                    category: cat.as_str().to_string(),
                    area_id: Some(area),
                    area_name: a.name.clone(),
                    recent,
                    compare: before,
                    p,
                    point: None,
                });
            }
        }
    }
    out.sort_by(|a, b| a.p.total_cmp(&b.p));
    for cat in Category::ALL {
        let s = privacy::restrict(
            Selection {
                from: end - year,
                to: end,
                category: Some(cat.as_str().to_string()),
                areas: areas.to_vec(),
                include_sensitive: true,
                with_point: true,
            },
            audience,
            now,
        );
        let idx = c.select(&s);
        if idx.len() < SCAN_MIN_RECENT as usize {
            continue;
        }
        let Ok(h) = spatial::hotspots(c, &idx, 250.0, CellsShown::Significant, audience) else { continue };
        let hot: Vec<_> = h.cells.iter().filter(|x| x.class == 3 && x.count.is_some()).collect();
        let Some(top) = hot.iter().max_by_key(|x| x.count.unwrap_or(0)) else { continue };
        let centre = commonbeat_domain::geo::LonLat::new(top.centre.0, top.centre.1);
        let area = areas.iter().filter_map(|&id| c.area(id)).find(|a| a.geometry.contains(centre));
        out.push(CrimeCandidate {
            source: "hotspot",
            category: cat.as_str().to_string(),
            area_id: area.map(|a| a.id),
            area_name: area.map(|a| a.name.clone()).unwrap_or_default(),
            recent: top.count.unwrap_or(0) as u64,
            compare: hot.len() as u64,
            p: top.gi_p.unwrap_or(1.0),
            point: Some(top.centre),
        });
    }
    out
}

/// Incidents by local weekday (Monday first) and hour.
pub fn hour_weekday(c: &Columns, idx: &[u32], tz: &jiff::tz::TimeZone) -> [[u64; 24]; 7] {
    let mut table = [[0u64; 24]; 7];
    for &i in idx {
        let Ok(ts) = jiff::Timestamp::from_second(c.t[i as usize]) else { continue };
        let z = tz.to_datetime(ts);
        let day = z.weekday().to_monday_zero_offset() as usize;
        table[day][z.hour() as usize] += 1;
    }
    table
}

/// A square of half-side `h` metres around (lon, lat), optionally with a square hole of half-side `hole`, as a
/// GeoJSON Polygon (the target of a response and its ring buffer).
pub fn square(lon: f64, lat: f64, h: f64, hole: Option<f64>) -> Value {
    let p = LocalProjection::new(lon, lat);
    let ring = |h: f64, reverse: bool| {
        let mut pts: Vec<[f64; 2]> = [(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)]
            .iter()
            .map(|&(x, y)| {
                let (a, b) = p.inverse(x, y);
                [a, b]
            })
            .collect();
        if reverse {
            pts.reverse();
        }
        pts
    };
    let mut rings = vec![ring(h, false)];
    if let Some(inner) = hole {
        rings.push(ring(inner, true));
    }
    json!({"type": "Polygon", "coordinates": rings})
}

/// The control area suggestion: of the `candidates` (areas away from the target), the one whose count of
/// `category` in [from, to) is closest to the target's on a log scale (a ratio of 2 is as far as one of ½),
/// among those with at least one incident. Returns (area id, its count, the target's count).
pub fn suggest_control(
    c: &Columns,
    target: &Value,
    candidates: &[i64],
    category: Option<&str>,
    from: i64,
    to: i64,
) -> Option<(i64, u64, u64)> {
    let cat = match category {
        Some(k) => Some(c.categories.id_of(k)? as u8),
        None => None,
    };
    let region = commonbeat_domain::geo::parse_geometry(&target.to_string()).ok();
    let mut target_n = 0u64;
    let mut counts = vec![0u64; candidates.len()];
    let areas: Vec<_> = candidates.iter().map(|&id| c.area(id)).collect();
    for i in c.time_range(from, to) {
        if cat.is_some_and(|k| c.category[i] != k) {
            continue;
        }
        if let (Some(g), Some(p)) = (&region, c.lon_lat(i))
            && g.contains(p)
        {
            target_n += 1;
            continue;
        }
        for (k, a) in areas.iter().enumerate() {
            if a.is_some_and(|a| a.contains(i)) {
                counts[k] += 1;
            }
        }
    }
    let t = target_n.max(1) as f64;
    candidates
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .min_by(|a, b| ((a.1 as f64) / t).ln().abs().total_cmp(&((b.1 as f64) / t).ln().abs()))
        .map(|(&id, n)| (id, n, target_n))
}
