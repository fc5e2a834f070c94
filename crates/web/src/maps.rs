//! Server-rendered SVG outline maps of areas: they work without JavaScript, tiles or network, carry a `<title>`
//! and `<desc>`, and always sit next to a list or table with the same information.

use commonbeat_domain::geo::{self, MultiPolygon};
use commonbeat_store::entities::area;

/// Parses an area's stored GeoJSON geometry.
pub fn geometry(a: &area::Model) -> Option<MultiPolygon> {
    let fc = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"a"}},"geometry":{}}}]}}"#,
        a.geometry
    );
    geo::parse_areas(&fc, "name").ok()?.into_iter().next().map(|f| f.geometry)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An SVG map: every area in `context` as a faint outline, the `highlight`ed ones filled and labelled.
/// Returns an empty string when there is nothing to draw.
pub fn svg_map(
    context: &[area::Model],
    highlight: &[(area::Model, Option<String>, String)],
    title: &str,
    desc: &str,
) -> String {
    const W: f64 = 640.0;
    const H: f64 = 420.0;
    let shapes: Vec<(i64, MultiPolygon)> = context.iter().filter_map(|a| geometry(a).map(|g| (a.id, g))).collect();
    let hl: Vec<(i64, MultiPolygon, String)> =
        highlight.iter().filter_map(|(a, _, label)| geometry(a).map(|g| (a.id, g, label.clone()))).collect();
    let all: Vec<&MultiPolygon> = shapes.iter().map(|(_, g)| g).chain(hl.iter().map(|(_, g, _)| g)).collect();
    let Some(bbox) = geo::fit_bbox(&all) else { return String::new() };
    let id = format!("map-{:x}", title.len() * 7919 + desc.len());
    let mut out = format!(
        r#"<svg class="cb-map" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    for (aid, g) in &shapes {
        if hl.iter().any(|(h, _, _)| h == aid) {
            continue;
        }
        out.push_str(&format!(r#"<path class="cb-map-area" fill-rule="evenodd" d="{}"/>"#, g.svg_path(bbox, W, H)));
    }
    for (_, g, label) in &hl {
        out.push_str(&format!(
            r#"<path class="cb-map-focus" fill-rule="evenodd" d="{}"><title>{}</title></path>"#,
            g.svg_path(bbox, W, H),
            escape(label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// A GeoJSON FeatureCollection of areas (simplified for display) with `name` and `focus` properties, for the
/// interactive map.
pub fn feature_collection(context: &[area::Model], focus: &[i64]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = context
        .iter()
        .filter_map(|a| {
            let g = geometry(a)?.simplify(0.00005);
            Some(serde_json::json!({
                "type": "Feature",
                "properties": {"id": a.id, "name": a.name, "kind": a.kind, "focus": focus.contains(&a.id)},
                "geometry": g.to_geojson(),
            }))
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// The wrapper that the map script enhances: the SVG inside a box that names its GeoJSON source and tiles.
pub fn enhanceable(svg: String, geojson_url: &str, label: &str, tiles: Option<&str>) -> String {
    if svg.is_empty() {
        return svg;
    }
    let tiles = tiles.map(|t| format!(r#" data-tiles="{}""#, escape(t))).unwrap_or_default();
    format!(
        r#"<div class="cb-map-box" data-map-geojson="{}" data-map-label="{}"{tiles}>{svg}</div>"#,
        escape(geojson_url),
        escape(label)
    )
}
