//! Reading a GeoJSON FeatureCollection of area outlines, collecting every problem.

use super::validate::{hole_problem, ring_problem};
use super::{AreaFeature, GeoError, LonLat, MultiPolygon, Polygon};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Parses a GeoJSON FeatureCollection (RFC 7946, WGS84 longitude/latitude) of Polygon or MultiPolygon features,
/// naming each area by the property `name_property` (e.g. `"beat_num"`, `"district"`, `"pri_neigh"`).
///
/// Every feature is checked and every problem reported (each with the 0-based feature index), so a file is either
/// accepted whole or refused with the complete list of fixes. Refused are: text that is not JSON or not a
/// FeatureCollection (or an empty one, or one declaring a CRS other than WGS84); a feature without geometry or
/// with another geometry type; coordinates that are not numbers or are outside longitude [−180, 180] /
/// latitude [−90, 90] (usually a file in a projected CRS, to be reprojected to EPSG:4326); a ring with fewer than
/// 4 positions, not closed, of zero area, or crossing or touching itself; a hole not inside its exterior; a
/// missing or empty name; and a name used by two features (names are compared exactly, after trimming).
/// Numeric names are accepted and written as text (`1234` → `"1234"`).
pub fn parse_areas(geojson: &str, name_property: &str) -> Result<Vec<AreaFeature>, Vec<GeoError>> {
    let root: Value = serde_json::from_str(geojson.trim_start_matches('\u{feff}'))
        .map_err(|e| vec![GeoError::file(format!("not valid JSON ({e})"))])?;
    let features = collection_features(&root).map_err(|reason| vec![GeoError::file(reason)])?;

    let mut errors = Vec::new();
    let mut areas = Vec::with_capacity(features.len());
    let mut first_use: HashMap<String, usize> = HashMap::new();
    for (index, feature) in features.iter().enumerate() {
        let mut reasons = Vec::new();
        let (name, geometry) = parse_feature(feature, name_property, &mut reasons);
        if let Some(name) = &name {
            if let Some(&first) = first_use.get(name) {
                reasons.push(format!("name {name:?} is also used by feature {first}; every area needs its own name"));
            } else {
                first_use.insert(name.clone(), index);
            }
        }
        errors.extend(reasons.into_iter().map(|r| GeoError::feature(index, r)));
        if let (Some(name), Some(geometry)) = (name, geometry) {
            areas.push(AreaFeature { index, name, geometry });
        }
    }
    if errors.is_empty() { Ok(areas) } else { Err(errors) }
}

/// Parses and validates a single GeoJSON Polygon or MultiPolygon geometry object (e.g. one stored from
/// [`MultiPolygon::to_geojson`]), with the same checks as [`parse_areas`]. Errors carry `feature: None`.
pub fn parse_geometry(geojson: &str) -> Result<MultiPolygon, Vec<GeoError>> {
    let value: Value = serde_json::from_str(geojson.trim_start_matches('\u{feff}'))
        .map_err(|e| vec![GeoError::file(format!("not valid JSON ({e})"))])?;
    let mut reasons = Vec::new();
    let geometry = feature_geometry(Some(&value), &mut reasons);
    match geometry {
        Some(g) if reasons.is_empty() => Ok(g),
        _ => Err(reasons.into_iter().map(GeoError::file).collect()),
    }
}

/// The features of a FeatureCollection, or why the document is not an acceptable one.
fn collection_features(root: &Value) -> Result<&Vec<Value>, String> {
    let Some(obj) = root.as_object() else {
        return Err(format!("not a FeatureCollection: the top level is {}, not an object", kind(root)));
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(format!(
                "not a FeatureCollection: its type is {other:?}; export the layer as a GeoJSON FeatureCollection"
            ));
        }
        None => return Err("not a FeatureCollection: it has no \"type\" member".to_owned()),
    }
    if let Some(crs) = declared_crs(obj)
        && !is_wgs84(&crs)
    {
        return Err(format!(
            "the file declares the coordinate system {crs:?}; GeoJSON must be WGS84 longitude/latitude — reproject it \
             to EPSG:4326 (e.g. QGIS: Export → Save Features As…, CRS EPSG:4326)"
        ));
    }
    let Some(features) = obj.get("features").and_then(Value::as_array) else {
        return Err("not a FeatureCollection: it has no \"features\" array".to_owned());
    };
    if features.is_empty() {
        return Err("the FeatureCollection has no features".to_owned());
    }
    Ok(features)
}

/// The name of a legacy (GeoJSON 2008) `crs` member, if present.
fn declared_crs(obj: &Map<String, Value>) -> Option<String> {
    let name = obj.get("crs")?.get("properties")?.get("name")?.as_str()?;
    Some(name.to_owned())
}

fn is_wgs84(crs: &str) -> bool {
    let c = crs.to_ascii_uppercase();
    c.ends_with("CRS84") || c.ends_with(":4326") || c.ends_with("::4326") || c == "EPSG:4326" || c == "WGS84"
}

/// Reads one feature's name and geometry, pushing every problem found into `reasons`.
fn parse_feature(
    feature: &Value,
    name_property: &str,
    reasons: &mut Vec<String>,
) -> (Option<String>, Option<MultiPolygon>) {
    let Some(obj) = feature.as_object() else {
        reasons.push(format!("is {}, not a GeoJSON Feature object", kind(feature)));
        return (None, None);
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(other) => {
            reasons.push(format!("has type {other:?}; expected \"Feature\""));
            return (None, None);
        }
        None => {
            reasons.push("has no \"type\": \"Feature\" member".to_owned());
            return (None, None);
        }
    }
    let name = feature_name(obj.get("properties"), name_property, reasons);
    let geometry = feature_geometry(obj.get("geometry"), reasons);
    (name, geometry)
}

fn feature_name(properties: Option<&Value>, prop: &str, reasons: &mut Vec<String>) -> Option<String> {
    let Some(props) = properties.and_then(Value::as_object) else {
        reasons.push(format!("has no properties, so no name in property {prop:?}"));
        return None;
    };
    let problem = match props.get(prop) {
        None => {
            let mut keys: Vec<&str> = props.keys().map(String::as_str).take(12).collect();
            keys.sort_unstable();
            let available = if keys.is_empty() { "none".to_owned() } else { keys.join(", ") };
            format!("property {prop:?} is missing (the feature has: {available})")
        }
        Some(Value::Null) => format!("property {prop:?} is empty"),
        Some(Value::String(s)) if s.trim().is_empty() => format!("property {prop:?} is empty"),
        Some(Value::String(s)) => return Some(s.trim().to_owned()),
        Some(Value::Number(n)) => return Some(number_name(n)),
        Some(other) => format!("property {prop:?} must be text or a number, got {}", kind(other)),
    };
    reasons.push(problem);
    None
}

/// A numeric name as text: whole numbers without a decimal point (`1234.0` → `"1234"`).
fn number_name(n: &serde_json::Number) -> String {
    if n.is_f64()
        && let Some(f) = n.as_f64()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return format!("{}", f as i64);
    }
    n.to_string()
}

fn feature_geometry(geometry: Option<&Value>, reasons: &mut Vec<String>) -> Option<MultiPolygon> {
    let geometry = match geometry {
        None | Some(Value::Null) => {
            reasons.push("has no geometry".to_owned());
            return None;
        }
        Some(g) => g,
    };
    let Some(gtype) = geometry.get("type").and_then(Value::as_str) else {
        reasons.push("geometry has no \"type\"".to_owned());
        return None;
    };
    if gtype != "Polygon" && gtype != "MultiPolygon" {
        reasons.push(format!("geometry is a {gtype}; only Polygon and MultiPolygon outlines are accepted"));
        return None;
    }
    let Some(coords) = geometry.get("coordinates").and_then(Value::as_array) else {
        reasons.push(format!("{gtype} geometry has no \"coordinates\" array"));
        return None;
    };
    let before = reasons.len();
    let polygons: Vec<Option<Polygon>> = if gtype == "Polygon" {
        vec![parse_polygon(coords, "", reasons)]
    } else {
        if coords.is_empty() {
            reasons.push("MultiPolygon has no polygons".to_owned());
            return None;
        }
        coords
            .iter()
            .enumerate()
            .map(|(i, p)| match p.as_array() {
                Some(rings) => parse_polygon(rings, &format!("polygon {i}, "), reasons),
                None => {
                    reasons.push(format!("polygon {i} is not an array of rings"));
                    None
                }
            })
            .collect()
    };
    if reasons.len() > before {
        return None;
    }
    polygons.into_iter().collect::<Option<Vec<_>>>().map(MultiPolygon)
}

/// Parses and validates one polygon's rings. `prefix` is `""` for a Polygon, `"polygon 2, "` in a MultiPolygon.
fn parse_polygon(rings: &[Value], prefix: &str, reasons: &mut Vec<String>) -> Option<Polygon> {
    if rings.is_empty() {
        let what = if prefix.is_empty() { "Polygon".to_owned() } else { prefix.trim_end_matches(", ").to_owned() };
        reasons.push(format!("{what} has no rings"));
        return None;
    }
    let parsed: Vec<Option<Vec<LonLat>>> =
        rings.iter().enumerate().map(|(r, ring)| parse_ring(ring, &format!("{prefix}ring {r}"), reasons)).collect();
    let parsed: Vec<Vec<LonLat>> = parsed.into_iter().collect::<Option<_>>()?;
    let mut ok = true;
    for (r, ring) in parsed.iter().enumerate() {
        if let Some(problem) = ring_problem(ring) {
            reasons.push(format!("{prefix}ring {r} {problem}"));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let mut parsed = parsed.into_iter();
    let exterior = parsed.next()?;
    let holes: Vec<Vec<LonLat>> = parsed.collect();
    for (h, hole) in holes.iter().enumerate() {
        if let Some(problem) = hole_problem(&exterior, hole) {
            reasons.push(format!("{prefix}ring {} {problem}", h + 1));
            ok = false;
        }
    }
    ok.then_some(Polygon { exterior, holes })
}

/// Reads a ring's positions, checking that each is a pair of finite numbers in the WGS84 range.
fn parse_ring(ring: &Value, label: &str, reasons: &mut Vec<String>) -> Option<Vec<LonLat>> {
    let Some(positions) = ring.as_array() else {
        reasons.push(format!("{label} is {}, not an array of positions", kind(ring)));
        return None;
    };
    let mut out = Vec::with_capacity(positions.len());
    let mut out_of_range: Option<(usize, LonLat)> = None;
    let mut out_of_range_count = 0usize;
    for (i, position) in positions.iter().enumerate() {
        let pair = position.as_array().filter(|a| a.len() >= 2).and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
        let Some((lon, lat)) = pair else {
            reasons.push(format!(
                "{label}, position {i} is not a [longitude, latitude] pair of numbers (got {})",
                snippet(position)
            ));
            return None;
        };
        if !lon.is_finite() || !lat.is_finite() {
            reasons.push(format!("{label}, position {i} has a coordinate that is not a finite number"));
            return None;
        }
        let p = LonLat { lon, lat };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            out_of_range_count += 1;
            out_of_range.get_or_insert((i, p));
        }
        out.push(p);
    }
    if let Some((i, p)) = out_of_range {
        let swapped = p.lon.abs() <= 90.0 && p.lat.abs() > 90.0 && p.lat.abs() <= 180.0;
        let hint = if swapped {
            "longitude and latitude look swapped — GeoJSON writes longitude first".to_owned()
        } else {
            "the file looks like it is in a projected coordinate system; reproject it to WGS84 longitude/latitude \
             (EPSG:4326)"
                .to_owned()
        };
        let more = if out_of_range_count > 1 {
            format!(" ({out_of_range_count} positions of this ring are)")
        } else {
            String::new()
        };
        reasons.push(format!(
            "{label}, position {i} ({}, {}) is outside longitude [-180, 180] / latitude [-90, 90]{more}; {hint}",
            p.lon, p.lat
        ));
        return None;
    }
    Some(out)
}

/// A short rendering of a JSON value for messages.
fn snippet(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
