//! A problem's location drawn on a map: one simple polygon given as vertices.
//!
//! The drawing tool and the keyboard alternative both produce `lat,lon` lines (latitude first, as people read
//! coordinates aloud and as map tools copy them); [`parse_lat_lon_lines`] reads them and
//! [`check_drawn_polygon`] checks the shape: at least three distinct vertices, a closed ring (closed here when the
//! last vertex does not repeat the first), no crossing or touching edges, at most [`MAX_DRAWN_AREA_M2`] and every
//! vertex inside the jurisdiction's bounding box. Errors are values the web layer words in the reader's language.

use super::{BBox, LonLat, MultiPolygon, Polygon, validate};
use std::fmt;

/// The largest polygon a problem may be drawn as (5 km²): a problem is a place, not a district.
pub const MAX_DRAWN_AREA_M2: f64 = 5_000_000.0;

/// Most vertices accepted (a drawn outline, not an imported boundary).
pub const MAX_DRAWN_VERTICES: usize = 200;

/// Why a drawn polygon was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawnError {
    /// A line is not `lat,lon` with numbers in range (1-based line number).
    BadLine(usize),
    /// Fewer than three distinct vertices.
    TooFewVertices,
    /// More than [`MAX_DRAWN_VERTICES`].
    TooManyVertices,
    /// The outline crosses or touches itself, or has no area (the detail is for logs).
    SelfIntersecting(String),
    /// Larger than [`MAX_DRAWN_AREA_M2`] (the area in m²).
    TooLarge(f64),
    /// A vertex lies outside the jurisdiction's bounds.
    OutsideBounds,
    /// Given as GeoJSON, the value is not one Polygon without holes of `[lon, lat]` positions.
    NotAPolygon,
}

impl fmt::Display for DrawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawnError::BadLine(n) => write!(f, "line {n} is not \"latitude,longitude\""),
            DrawnError::TooFewVertices => write!(f, "a polygon needs at least 3 distinct vertices"),
            DrawnError::TooManyVertices => write!(f, "a polygon may have at most {MAX_DRAWN_VERTICES} vertices"),
            DrawnError::SelfIntersecting(d) => write!(f, "the outline {d}"),
            DrawnError::TooLarge(a) => write!(f, "the polygon covers {:.2} km²; at most 5 km²", a / 1e6),
            DrawnError::OutsideBounds => write!(f, "a vertex lies outside the jurisdiction"),
            DrawnError::NotAPolygon => write!(f, "not a GeoJSON Polygon of [longitude, latitude] positions"),
        }
    }
}

/// Reads `lat,lon` lines (blank lines skipped; `;` or spaces may separate the two numbers) into positions.
pub fn parse_lat_lon_lines(text: &str) -> Result<Vec<LonLat>, DrawnError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> =
            line.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty()).collect();
        let nums: Option<Vec<f64>> = parts.iter().map(|s| s.parse::<f64>().ok()).collect();
        match nums.as_deref() {
            Some([lat, lon])
                if lat.is_finite()
                    && lon.is_finite()
                    && (-90.0..=90.0).contains(lat)
                    && (-180.0..=180.0).contains(lon) =>
            {
                out.push(LonLat::new(*lon, *lat))
            }
            _ => return Err(DrawnError::BadLine(i + 1)),
        }
    }
    Ok(out)
}

/// Reads the vertices of a drawn polygon given as a GeoJSON `Polygon` (the API's form): one exterior ring of
/// `[lon, lat]` positions (a third value is dropped), no holes. The shape is then checked by
/// [`check_drawn_polygon`] like the typed lines.
pub fn vertices_from_geojson(v: &serde_json::Value) -> Result<Vec<LonLat>, DrawnError> {
    if v.get("type").and_then(|t| t.as_str()) != Some("Polygon") {
        return Err(DrawnError::NotAPolygon);
    }
    let rings = v.get("coordinates").and_then(|c| c.as_array()).ok_or(DrawnError::NotAPolygon)?;
    let [ring] = rings.as_slice() else {
        return Err(DrawnError::NotAPolygon);
    };
    let positions = ring.as_array().ok_or(DrawnError::NotAPolygon)?;
    let mut out = Vec::with_capacity(positions.len());
    for p in positions {
        let nums = p.as_array().ok_or(DrawnError::NotAPolygon)?;
        let (lon, lat) = match nums.as_slice() {
            [x, y] | [x, y, _] => (x.as_f64(), y.as_f64()),
            _ => (None, None),
        };
        match (lon, lat) {
            (Some(lon), Some(lat)) if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) => {
                out.push(LonLat::new(lon, lat))
            }
            _ => return Err(DrawnError::NotAPolygon),
        }
    }
    Ok(out)
}

/// Writes positions back as `lat,lon` lines (the textarea's format), without the closing repeat.
pub fn to_lat_lon_lines(ring: &[LonLat]) -> String {
    let open = match ring {
        [first, .., last] if first == last => &ring[..ring.len() - 1],
        _ => ring,
    };
    open.iter().map(|p| format!("{:.6},{:.6}", p.lat, p.lon)).collect::<Vec<_>>().join("\n")
}

/// Checks drawn vertices and returns the closed polygon. `bounds` is the jurisdiction's bounding box.
pub fn check_drawn_polygon(vertices: &[LonLat], bounds: BBox) -> Result<Polygon, DrawnError> {
    let mut ring: Vec<LonLat> = Vec::with_capacity(vertices.len() + 1);
    for &p in vertices {
        if ring.last() != Some(&p) {
            ring.push(p);
        }
    }
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    let mut distinct: Vec<LonLat> = Vec::new();
    for p in &ring {
        if !distinct.contains(p) {
            distinct.push(*p);
        }
    }
    if distinct.len() < 3 {
        return Err(DrawnError::TooFewVertices);
    }
    if ring.len() > MAX_DRAWN_VERTICES {
        return Err(DrawnError::TooManyVertices);
    }
    let (min_lon, min_lat, max_lon, max_lat) = bounds;
    if ring.iter().any(|p| p.lon < min_lon || p.lon > max_lon || p.lat < min_lat || p.lat > max_lat) {
        return Err(DrawnError::OutsideBounds);
    }
    ring.push(ring[0]);
    if let Some(problem) = validate::ring_problem(&ring) {
        return Err(DrawnError::SelfIntersecting(problem));
    }
    let polygon = Polygon { exterior: ring, holes: Vec::new() };
    let area = MultiPolygon(vec![polygon.clone()]).area_m2();
    if area > MAX_DRAWN_AREA_M2 {
        return Err(DrawnError::TooLarge(area));
    }
    Ok(polygon)
}

/// The bounding box of a polygon widened outwards to a grid of `cell_m` metres (the public view of a drawn
/// location: never the outline itself). The grid is anchored at 0° and sized in degrees at the box's mid-latitude.
pub fn snapped_bbox(p: &Polygon, cell_m: f64) -> BBox {
    let (min_lon, min_lat, max_lon, max_lat) = MultiPolygon(vec![p.clone()]).bbox();
    let dlat = cell_m / 111_320.0;
    let dlon = dlat / ((min_lat + max_lat) / 2.0).to_radians().cos().max(0.01);
    let down = |v: f64, d: f64| (v / d).floor() * d;
    let up = |v: f64, d: f64| {
        let s = (v / d).ceil() * d;
        if s <= v { s + d } else { s }
    };
    (down(min_lon, dlon), down(min_lat, dlat), up(max_lon, dlon), up(max_lat, dlat))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RIVERTON: BBox = (-87.80, 41.80, -87.60, 41.95);

    fn lines(s: &str) -> Vec<LonLat> {
        parse_lat_lon_lines(s).unwrap()
    }

    #[test]
    fn a_small_triangle_is_closed_and_accepted() {
        let v = lines("41.90,-87.70\n\n41.90, -87.69\n41.905;-87.695\n");
        let p = check_drawn_polygon(&v, RIVERTON).unwrap();
        assert_eq!(p.exterior.len(), 4);
        assert_eq!(p.exterior[0], p.exterior[3]);
        // Already closed input is not closed twice.
        let mut closed = v.clone();
        closed.push(v[0]);
        assert_eq!(check_drawn_polygon(&closed, RIVERTON).unwrap(), p);
        assert_eq!(to_lat_lon_lines(&p.exterior), "41.900000,-87.700000\n41.900000,-87.690000\n41.905000,-87.695000");
    }

    #[test]
    fn bad_shapes_are_refused_with_their_reason() {
        assert_eq!(parse_lat_lon_lines("41.9,-87.7\nnorth,-87.6"), Err(DrawnError::BadLine(2)));
        assert_eq!(parse_lat_lon_lines("141.9,-87.7"), Err(DrawnError::BadLine(1)));
        assert_eq!(parse_lat_lon_lines("41.9,-87.7,3"), Err(DrawnError::BadLine(1)));
        let two = lines("41.90,-87.70\n41.90,-87.69\n41.90,-87.70");
        assert_eq!(check_drawn_polygon(&two, RIVERTON), Err(DrawnError::TooFewVertices));
        // A bow tie crosses itself.
        let bow = lines("41.90,-87.70\n41.91,-87.69\n41.90,-87.69\n41.91,-87.70");
        assert!(matches!(check_drawn_polygon(&bow, RIVERTON), Err(DrawnError::SelfIntersecting(_))));
        // Three collinear points have no area.
        let flat = lines("41.90,-87.70\n41.90,-87.69\n41.90,-87.68");
        assert!(matches!(check_drawn_polygon(&flat, RIVERTON), Err(DrawnError::SelfIntersecting(_))));
        // About 3.3 km × 2.8 km = 9.3 km².
        let big = lines("41.90,-87.70\n41.90,-87.66\n41.925,-87.66\n41.925,-87.70");
        assert!(matches!(check_drawn_polygon(&big, RIVERTON), Err(DrawnError::TooLarge(a)) if a > 9e6 && a < 1e7));
        let outside = lines("41.90,-87.70\n41.90,-87.59\n41.91,-87.60");
        assert_eq!(check_drawn_polygon(&outside, RIVERTON), Err(DrawnError::OutsideBounds));
    }

    #[test]
    fn geojson_polygons_are_read_and_other_shapes_refused() {
        use serde_json::json;
        let v = json!({"type": "Polygon", "coordinates": [[[-87.70, 41.90], [-87.69, 41.90, 0.0], [-87.695, 41.905], [-87.70, 41.90]]]});
        let vertices = vertices_from_geojson(&v).unwrap();
        assert_eq!(vertices[1], LonLat::new(-87.69, 41.90));
        let p = check_drawn_polygon(&vertices, RIVERTON).unwrap();
        assert_eq!(p.exterior.len(), 4, "the closing repeat is not doubled");
        for bad in [
            json!({"type": "Point", "coordinates": [-87.7, 41.9]}),
            json!({"type": "Polygon", "coordinates": [[[-87.70, 41.90], [-87.69, 41.90], [-87.695, 41.905]], [[-87.7, 41.9]]]}),
            json!({"type": "Polygon", "coordinates": [[[-87.70, "41.90"], [-87.69, 41.90], [-87.695, 41.905]]]}),
            json!({"type": "Polygon", "coordinates": [[[41.90, -187.70], [-87.69, 41.90], [-87.695, 41.905]]]}),
            json!({"type": "Polygon"}),
            json!("41.9,-87.7"),
        ] {
            assert_eq!(vertices_from_geojson(&bad), Err(DrawnError::NotAPolygon), "{bad}");
        }
    }

    #[test]
    fn the_public_box_contains_the_polygon_on_a_250_m_grid() {
        let p = check_drawn_polygon(&lines("41.9001,-87.7001\n41.9003,-87.6990\n41.9012,-87.6995"), RIVERTON).unwrap();
        let (a, b, c, d) = snapped_bbox(&p, 250.0);
        let (x0, y0, x1, y1) = MultiPolygon(vec![p]).bbox();
        assert!(a < x0 && b < y0 && c > x1 && d > y1);
        let dlat = 250.0 / 111_320.0;
        for v in [b, d] {
            let k = v / dlat;
            assert!((k - k.round()).abs() < 1e-6, "on the grid");
        }
        // At least one cell, at most a couple, each way.
        assert!((d - b) / dlat >= 1.0 - 1e-9 && (d - b) / dlat <= 2.0 + 1e-9);
    }
}
