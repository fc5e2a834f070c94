//! Small SVG charts for health: a sparkline per signal and the department map coloured by level. Each carries a
//! text alternative, and the pages show the same numbers in tables.

use commonbeat_domain::geo::{self, MultiPolygon};
use commonbeat_store::entities::area;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A sparkline of `values` (gaps where `None`), labelled for screen readers with `label`. Empty with fewer than
/// two values.
pub fn sparkline(values: &[Option<f64>], label: &str) -> String {
    const W: f64 = 160.0;
    const H: f64 = 36.0;
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    if known.len() < 2 {
        return String::new();
    }
    let (lo, hi) = known.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = W / (values.len().max(2) - 1) as f64;
    let mut d = String::new();
    let mut pen_up = true;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let x = i as f64 * step;
                let y = H - 3.0 - (v - lo) / span * (H - 6.0);
                d.push_str(&format!("{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" }));
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    format!(
        r#"<svg class="cb-spark" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><path d="{}" fill="none" stroke="currentColor" stroke-width="2"/></svg>"#,
        escape(label),
        d.trim_end()
    )
}

/// The department map: each partnership's areas filled by the class of its level (`cb-level-alert`, …), with the
/// partnership and level as each shape's title. Empty when nothing can be drawn.
pub fn level_map(shapes: &[(area::Model, String, String)], title: &str, desc: &str) -> String {
    const W: f64 = 640.0;
    const H: f64 = 420.0;
    let parsed: Vec<(MultiPolygon, &str, &str)> = shapes
        .iter()
        .filter_map(|(a, class, label)| crate::maps::geometry(a).map(|g| (g, class.as_str(), label.as_str())))
        .collect();
    let all: Vec<&MultiPolygon> = parsed.iter().map(|(g, _, _)| g).collect();
    let Some(bbox) = geo::fit_bbox(&all) else { return String::new() };
    let mut out = format!(
        r#"<svg class="cb-map" viewBox="0 0 {W} {H}" role="img" aria-labelledby="health-map-t health-map-d" xmlns="http://www.w3.org/2000/svg"><title id="health-map-t">{}</title><desc id="health-map-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    for (g, class, label) in &parsed {
        out.push_str(&format!(
            r#"<path class="cb-health-area {class}" fill-rule="evenodd" d="{}"><title>{}</title></path>"#,
            g.svg_path(bbox, W, H),
            escape(label)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_needs_two_points_and_breaks_at_gaps() {
        assert_eq!(sparkline(&[Some(1.0)], "x"), "");
        let s = sparkline(&[Some(1.0), None, Some(3.0), Some(2.0)], "trend");
        assert!(s.contains("aria-label=\"trend\""));
        assert_eq!(s.matches('M').count(), 2, "{s}");
        assert_eq!(s.matches('L').count(), 1, "{s}");
    }
}
