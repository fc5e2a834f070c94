//! Output of outlines: GeoJSON, SVG paths and simplified copies for the public map.

use super::{BBox, LonLat, MultiPolygon, Polygon};
use serde_json::{Value, json};
use std::fmt::Write as _;

pub(super) fn to_geojson(m: &MultiPolygon) -> Value {
    let ring = |r: &Vec<LonLat>| Value::Array(r.iter().map(|p| json!([p.lon, p.lat])).collect());
    let coordinates: Vec<Value> = m.0.iter().map(|poly| Value::Array(poly.rings().map(ring).collect())).collect();
    json!({ "type": "MultiPolygon", "coordinates": coordinates })
}

/// Maps WGS84 positions into an SVG viewport.
struct Viewport {
    min_lon: f64,
    max_lat: f64,
    kx: f64,
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Viewport {
    fn new((min_lon, min_lat, max_lon, max_lat): BBox, width: f64, height: f64) -> Self {
        let clean = |v: f64| if v.is_finite() { v } else { 0.0 };
        let (min_lon, min_lat, max_lon, max_lat) = (clean(min_lon), clean(min_lat), clean(max_lon), clean(max_lat));
        let (width, height) = (clean(width).max(0.0), clean(height).max(0.0));
        let kx = ((min_lat + max_lat) / 2.0).to_radians().cos().abs();
        let world_w = (max_lon - min_lon) * kx;
        let world_h = max_lat - min_lat;
        let fits = [(world_w, width), (world_h, height)]
            .into_iter()
            .filter(|(extent, _)| *extent > 0.0)
            .map(|(extent, pixels)| pixels / extent)
            .filter(|s| s.is_finite());
        let scale = fits.reduce(f64::min).unwrap_or(0.0);
        let dx = (width - world_w.max(0.0) * scale) / 2.0;
        let dy = (height - world_h.max(0.0) * scale) / 2.0;
        Viewport { min_lon, max_lat, kx, scale, dx, dy }
    }

    fn map(&self, p: LonLat) -> (f64, f64) {
        (self.dx + (p.lon - self.min_lon) * self.kx * self.scale, self.dy + (self.max_lat - p.lat) * self.scale)
    }
}

/// A coordinate with one decimal; never `NaN`, `inf` or `-0.0`.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0.0".to_owned();
    }
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

pub(super) fn svg_path(m: &MultiPolygon, bbox: BBox, width: f64, height: f64) -> String {
    let view = Viewport::new(bbox, width, height);
    let mut d = String::new();
    for ring in m.0.iter().flat_map(Polygon::rings) {
        let mut last: Option<(String, String)> = None;
        let mut count = 0;
        // The closing position is implied by `Z`.
        let open = &ring[..ring.len().saturating_sub(1)];
        for &p in open {
            let (x, y) = view.map(p);
            let xy = (num(x), num(y));
            if last.as_ref() == Some(&xy) {
                continue;
            }
            let cmd = if count == 0 { "M" } else { "L" };
            if !d.is_empty() {
                d.push(' ');
            }
            let _ = write!(d, "{cmd}{} {}", xy.0, xy.1);
            last = Some(xy);
            count += 1;
        }
        if count > 0 {
            d.push_str(" Z");
        }
    }
    d
}

pub(super) fn simplify(m: &MultiPolygon, tolerance_deg: f64) -> MultiPolygon {
    MultiPolygon(
        m.0.iter()
            .map(|poly| Polygon {
                exterior: simplify_ring(&poly.exterior, tolerance_deg),
                holes: poly.holes.iter().map(|h| simplify_ring(h, tolerance_deg)).collect(),
            })
            .collect(),
    )
}

/// Douglas–Peucker on a closed ring, keeping at least 4 positions.
///
/// Every interior position gets the tolerance below which the classic recursion would keep it (its distance from
/// the chord it splits, capped by its parent's), so the classic result is "importance > tolerance" and the two
/// most important positions can be kept when the ring would otherwise collapse.
fn simplify_ring(ring: &[LonLat], tolerance: f64) -> Vec<LonLat> {
    let n = ring.len();
    if n <= 4 || tolerance.is_nan() || tolerance <= 0.0 {
        return ring.to_vec();
    }
    let (lo, hi) = ring.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.lat), hi.max(p.lat)));
    let kx = ((lo + hi) / 2.0).to_radians().cos().abs();
    let pts: Vec<(f64, f64)> = ring.iter().map(|p| (p.lon * kx, p.lat)).collect();
    let mut importance = vec![f64::NEG_INFINITY; n];
    importance[0] = f64::INFINITY;
    importance[n - 1] = f64::INFINITY;
    let mut stack = vec![(0usize, n - 1, f64::INFINITY)];
    while let Some((s, e, cap)) = stack.pop() {
        if e <= s + 1 {
            continue;
        }
        let (mut best, mut best_d) = (s + 1, -1.0);
        for (i, &p) in pts.iter().enumerate().take(e).skip(s + 1) {
            let d = distance_to_segment(p, pts[s], pts[e]);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        let eff = best_d.min(cap);
        importance[best] = eff;
        stack.push((s, best, eff));
        stack.push((best, e, eff));
    }
    let mut keep: Vec<bool> = importance.iter().map(|&imp| imp > tolerance).collect();
    let kept_interior = keep[1..n - 1].iter().filter(|k| **k).count();
    if kept_interior < 2 {
        let mut order: Vec<usize> = (1..n - 1).collect();
        order.sort_by(|&a, &b| importance[b].total_cmp(&importance[a]).then(a.cmp(&b)));
        for &i in order.iter().take(2) {
            keep[i] = true;
        }
    }
    ring.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}
