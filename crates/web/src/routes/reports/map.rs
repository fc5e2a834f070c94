//! The public map of reports: each report is drawn as the ~150 m cell it falls in (never a point), over the
//! jurisdiction's area outlines; a server-rendered SVG with `<title>`/`<desc>` next to the table of the same
//! reports, and the same cells as GeoJSON for the interactive map.

use commonbeat_domain::geo::{self, LonLat, MultiPolygon, Polygon};
use commonbeat_domain::report::{Point, cell_centre, cell_of};
use commonbeat_store::entities::{area, report};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The square of a public cell (its corners are half a cell from the centre).
fn cell_square(lat: f64, lon: f64) -> MultiPolygon {
    let c = cell_centre(cell_of(Point { lat, lon }));
    let (dlat, dlon) = (75.0 / 111_195.0, 75.0 / (111_195.0 * c.lat.to_radians().cos().max(0.01)));
    let ring = vec![
        LonLat::new(c.lon - dlon, c.lat - dlat),
        LonLat::new(c.lon + dlon, c.lat - dlat),
        LonLat::new(c.lon + dlon, c.lat + dlat),
        LonLat::new(c.lon - dlon, c.lat + dlat),
        LonLat::new(c.lon - dlon, c.lat - dlat),
    ];
    MultiPolygon(vec![Polygon { exterior: ring, holes: vec![] }])
}

/// Report cells with their counts (open, closed), from the block-level positions only.
pub fn cells(reports: &[report::Model]) -> Vec<((f64, f64), u32, u32)> {
    let mut out: Vec<((f64, f64), u32, u32)> = Vec::new();
    for r in reports {
        let (Some(lat), Some(lon)) = (r.block_lat, r.block_lon) else { continue };
        let open = r.closed_at.is_none();
        match out.iter_mut().find(|(p, _, _)| *p == (lat, lon)) {
            Some(x) => {
                if open {
                    x.1 += 1
                } else {
                    x.2 += 1
                }
            }
            None => out.push(((lat, lon), u32::from(open), u32::from(!open))),
        }
    }
    out
}

/// The SVG map: area outlines and the report cells (darker when any report in the cell is open).
pub fn svg(areas: &[area::Model], reports: &[report::Model], title: &str, desc: &str) -> String {
    const W: f64 = 640.0;
    const H: f64 = 420.0;
    let shapes: Vec<MultiPolygon> =
        areas.iter().filter(|a| a.kind == "beat").filter_map(crate::maps::geometry).collect();
    let cs = cells(reports);
    let squares: Vec<(MultiPolygon, u32, u32)> =
        cs.iter().map(|((lat, lon), o, c)| (cell_square(*lat, *lon), *o, *c)).collect();
    let all: Vec<&MultiPolygon> = shapes.iter().chain(squares.iter().map(|(s, _, _)| s)).collect();
    let Some(bbox) = geo::fit_bbox(&all) else { return String::new() };
    let mut out = format!(
        r#"<svg class="cb-map" viewBox="0 0 {W} {H}" role="img" aria-labelledby="rmap-t rmap-d" xmlns="http://www.w3.org/2000/svg"><title id="rmap-t">{}</title><desc id="rmap-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    for g in &shapes {
        out.push_str(&format!(r#"<path class="cb-map-area" fill-rule="evenodd" d="{}"/>"#, g.svg_path(bbox, W, H)));
    }
    for (g, open, closed) in &squares {
        let class = if *open > 0 { "cb-report-open" } else { "cb-report-closed" };
        out.push_str(&format!(r#"<path class="{class}" d="{}"/>"#, g.svg_path(bbox, W, H)));
        let _ = closed;
    }
    out.push_str("</svg>");
    out
}

/// GeoJSON for the interactive map: beat outlines and report cells (`focus` cells are the ones with open reports).
pub fn geojson(
    areas: &[area::Model],
    reports: &[report::Model],
    label: impl Fn(u32, u32) -> String,
) -> serde_json::Value {
    let mut features: Vec<serde_json::Value> = areas
        .iter()
        .filter(|a| a.kind == "beat")
        .filter_map(|a| {
            let g = crate::maps::geometry(a)?.simplify(0.00005);
            Some(serde_json::json!({"type": "Feature", "properties": {"name": a.name, "focus": false}, "geometry": g.to_geojson()}))
        })
        .collect();
    for ((lat, lon), open, closed) in cells(reports) {
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {"name": label(open, closed), "focus": open > 0},
            "geometry": cell_square(lat, lon).to_geojson(),
        }));
    }
    serde_json::json!({"type": "FeatureCollection", "features": features})
}
