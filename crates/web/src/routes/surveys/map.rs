//! The score-by-area map of the results page: server-rendered SVG, no JavaScript and no tiles.
//!
//! Only the wave's areas are drawn (the rows of an area breakdown), never every area of the jurisdiction: a large
//! district drawn over its beats hid them and stretched the frame. Positions are projected equirectangularly with
//! longitude scaled by the cosine of the mid-latitude (`geo::MultiPolygon::svg_path`), and the viewBox takes the
//! projected aspect of the areas (within limits), so outlines keep their shape. Each area is filled by its score
//! in five steps, hatched grey when hidden (too few responses), white when nobody answered; each has a `<title>`
//! for pointer and screen-reader users, and the results table beside the map is the accessible alternative.

use super::compute::Cell;
use crate::i18n::Tr;
use commonbeat_domain::geo;
use commonbeat_store::entities::area;

/// Width of the map's viewBox; the height follows the areas' shape.
pub const MAP_W: f64 = 640.0;
const PAD: f64 = 8.0;
const LEGEND_H: f64 = 56.0;

/// The five score steps: (lower bound, fill). Darker = higher; readable in greyscale.
const STEPS: [(f64, &str); 5] =
    [(0.0, "#e7f2f8"), (20.0, "#aacdec"), (40.0, "#73b3e7"), (60.0, "#2378c3"), (80.0, "#162e51")];
const HIDDEN_FILL: &str = "url(#svmap-hatch)";
const EMPTY_FILL: &str = "#ffffff";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Fill for a 0–100 score.
pub fn fill(score: f64) -> &'static str {
    STEPS.iter().rev().find(|(lo, _)| score >= *lo).map_or(STEPS[0].1, |(_, f)| f)
}

/// Height of the drawing for areas framed by `bbox`: the projected aspect, kept between 1:4 and 4:3 of the width.
pub fn drawing_height(bbox: geo::BBox) -> f64 {
    let (min_lon, min_lat, max_lon, max_lat) = bbox;
    let kx = ((min_lat + max_lat) / 2.0).to_radians().cos().abs();
    let (w, h) = ((max_lon - min_lon) * kx, max_lat - min_lat);
    let inner = MAP_W - 2.0 * PAD;
    let aspect = if w > 0.0 && h > 0.0 { h / w } else { 0.75 };
    (inner * aspect).clamp(inner / 4.0, inner * 4.0 / 3.0).round()
}

/// The areas of an area breakdown on a map, filled by score. `all` may hold every area of the jurisdiction; only
/// those with a row are drawn. Empty when no row has a drawable outline.
pub fn area_map(all: &[area::Model], rows: &[Cell], t: &Tr) -> String {
    let shapes: Vec<(&area::Model, &Cell, geo::MultiPolygon)> = rows
        .iter()
        .filter_map(|c| {
            let a = all.iter().find(|a| a.id.to_string() == c.key)?;
            Some((a, c, crate::maps::geometry(a)?))
        })
        .collect();
    let refs: Vec<&geo::MultiPolygon> = shapes.iter().map(|(_, _, g)| g).collect();
    let Some(bbox) = geo::fit_bbox(&refs) else { return String::new() };
    let inner_w = MAP_W - 2.0 * PAD;
    let inner_h = drawing_height(bbox);
    let total_h = inner_h + 2.0 * PAD + LEGEND_H;
    let mut out = format!(
        r##"<svg class="cb-map" viewBox="0 0 {MAP_W} {total_h}" role="img" aria-labelledby="svmap-t svmap-d" xmlns="http://www.w3.org/2000/svg"><title id="svmap-t">{}</title><desc id="svmap-d">{}</desc><defs><pattern id="svmap-hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="8" height="8" fill="#dfe1e2"/><line x1="0" y1="0" x2="0" y2="8" stroke="#71767a" stroke-width="3"/></pattern></defs><g transform="translate({PAD} {PAD})">"##,
        esc(&t.t("survey-map-title")),
        esc(&t.t("survey-map-desc"))
    );
    for (a, cell, g) in &shapes {
        let (fill, label) = match cell.mean {
            Some(m) => (fill(m), format!("{}: {m:.0}", a.name)),
            None if cell.suppressed => (HIDDEN_FILL, format!("{}: {}", a.name, t.t("survey-suppressed"))),
            None => (EMPTY_FILL, format!("{}: {}", a.name, t.t("survey-map-no-answers"))),
        };
        out.push_str(&format!(
            r##"<path fill="{fill}" stroke="#1b1b1b" stroke-width="1" stroke-linejoin="round" fill-rule="evenodd" d="{}"><title>{}</title></path>"##,
            g.svg_path(bbox, inner_w, inner_h),
            esc(&label)
        ));
    }
    out.push_str("</g>");
    out.push_str(&legend(inner_h + 2.0 * PAD, t));
    out.push_str("</svg>");
    out
}

/// The colour key under the map: the five score steps, then hidden and no answers.
fn legend(top: f64, t: &Tr) -> String {
    let text =
        |x: f64, y: f64, s: &str| format!(r##"<text x="{x}" y="{y}" font-size="12" fill="#1b1b1b">{}</text>"##, esc(s));
    let swatch = |x: f64, y: f64, fill: &str| {
        format!(r##"<rect x="{x}" y="{y}" width="22" height="14" fill="{fill}" stroke="#1b1b1b" stroke-width="1"/>"##)
    };
    let mut out = format!(r#"<g class="cb-map-legend" transform="translate({PAD} {top})">"#);
    out.push_str(&text(0.0, 12.0, &t.t("survey-map-legend")));
    for (i, (lo, f)) in STEPS.iter().enumerate() {
        let x = i as f64 * 76.0;
        let hi = STEPS.get(i + 1).map_or(100.0, |s| s.0);
        out.push_str(&swatch(x, 20.0, f));
        out.push_str(&text(x + 26.0, 32.0, &format!("{lo:.0}–{hi:.0}")));
    }
    out.push_str(&swatch(390.0, 20.0, HIDDEN_FILL));
    out.push_str(&text(416.0, 32.0, &t.t("survey-map-hidden")));
    out.push_str(&swatch(390.0, 38.0, EMPTY_FILL));
    out.push_str(&text(416.0, 50.0, &t.t("survey-map-no-answers")));
    out.push_str("</g>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use commonbeat_domain::Locale;

    fn rect(id: i64, name: &str, (lon0, lat0, lon1, lat1): (f64, f64, f64, f64)) -> area::Model {
        area::Model {
            id,
            jurisdiction_id: 1,
            kind: if id > 100 { "district".into() } else { "beat".into() },
            name: name.into(),
            geometry: format!(
                r#"{{"type":"MultiPolygon","coordinates":[[[[{lon0},{lat0}],[{lon1},{lat0}],[{lon1},{lat1}],[{lon0},{lat1}],[{lon0},{lat0}]]]]}}"#
            ),
            min_lon: lon0,
            min_lat: lat0,
            max_lon: lon1,
            max_lat: lat1,
            area_m2: 1.0,
            created_at: 0,
        }
    }

    fn cell(key: i64, mean: Option<f64>, suppressed: bool) -> Cell {
        Cell { mean, suppressed, ..Cell::hidden(key.to_string(), key.to_string()) }
    }

    fn view_box(svg: &str) -> (f64, f64) {
        let vb = svg.split("viewBox=\"").nth(1).unwrap().split('"').next().unwrap();
        let v: Vec<f64> = vb.split(' ').map(|x| x.parse().unwrap()).collect();
        (v[2], v[3])
    }

    #[test]
    fn draws_only_the_waves_areas_with_their_projected_aspect() {
        // Two beats side by side at 45° N, each 0.02° of longitude by 0.01° of latitude (about 1.57 km × 1.11 km),
        // inside a district ten times larger that the wave does not cover.
        let all = vec![
            rect(1, "Beat 1", (-87.70, 45.00, -87.68, 45.01)),
            rect(2, "Beat 2", (-87.68, 45.00, -87.66, 45.01)),
            rect(101, "District 9", (-87.90, 44.90, -87.50, 45.20)),
        ];
        let rows = vec![cell(1, Some(72.0), false), cell(2, None, true)];
        let svg = area_map(&all, &rows, &Tr::new(Locale::En));
        assert_eq!(svg.matches("<path").count(), 2, "only the wave's areas");
        assert!(!svg.contains("District 9"));
        assert!(svg.contains("Beat 1: 72") && svg.contains(r##"fill="#2378c3""##));
        assert!(svg.contains("Beat 2: Hidden") && svg.contains(r#"fill="url(#svmap-hatch)""#));
        // The frame is 0.04° × cos 45° wide by 0.01° high: aspect ≈ 0.354, not stretched to the viewBox.
        let inner_h = drawing_height((-87.70, 45.00, -87.66, 45.01));
        let expected = (0.01 / (0.04 * 45f64.to_radians().cos())) * (MAP_W - 2.0 * PAD);
        assert!((inner_h - expected).abs() <= 1.0, "{inner_h} vs {expected}");
        let (w, h) = view_box(&svg);
        assert_eq!(w, MAP_W);
        assert!((h - (inner_h + 2.0 * PAD + LEGEND_H)).abs() < 1e-9);
        // The drawn beats fill the width: some x near 0 and some near the inner width.
        let xs: Vec<f64> = svg
            .split(" d=\"")
            .skip(1)
            .flat_map(|d| {
                d.split('"').next().unwrap().split(['M', 'L']).filter_map(|p| p.split(' ').next()?.parse().ok())
            })
            .collect();
        let (lo, hi) = xs.iter().fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
        assert!(lo < 1.0 && hi > MAP_W - 2.0 * PAD - 1.0, "{lo} {hi}");
        // Nothing to draw: no map.
        assert!(area_map(&all, &[], &Tr::new(Locale::En)).is_empty());
    }

    #[test]
    fn fills_step_with_the_score_and_extreme_shapes_stay_in_bounds() {
        assert_eq!(fill(0.0), "#e7f2f8");
        assert_eq!(fill(19.9), "#e7f2f8");
        assert_eq!(fill(20.0), "#aacdec");
        assert_eq!(fill(100.0), "#162e51");
        let inner = MAP_W - 2.0 * PAD;
        assert_eq!(drawing_height((0.0, 0.0, 10.0, 0.001)), (inner / 4.0).round());
        assert_eq!(drawing_height((0.0, 0.0, 0.001, 10.0)), (inner * 4.0 / 3.0).round());
    }
}
