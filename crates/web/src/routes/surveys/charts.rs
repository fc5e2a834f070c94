//! Server-rendered SVG charts of survey results (no JavaScript): scores by area on a map, group means with their
//! 95 % intervals (the gap chart), and the trend across waves with a CI band. Each chart has a `<title>` and
//! `<desc>` and always sits next to a table with the same numbers; hidden (suppressed) cells are never drawn.

use super::compute::{Cell, Gap};
use super::results::TrendPoint;
use crate::i18n::Tr;
use commonbeat_domain::geo;
use commonbeat_store::entities::area;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Fill for a 0–100 score: five steps of one blue (darker = higher), readable in greyscale.
fn fill(score: f64) -> &'static str {
    match score {
        s if s < 20.0 => "#e7f2f8",
        s if s < 40.0 => "#aacdec",
        s if s < 60.0 => "#73b3e7",
        s if s < 80.0 => "#2378c3",
        _ => "#162e51",
    }
}

/// The areas of the breakdown on a map, filled by score; hidden cells are hatched grey.
pub fn area_map(all: &[area::Model], rows: &[Cell], t: &Tr) -> String {
    const W: f64 = 640.0;
    const H: f64 = 420.0;
    let shapes: Vec<(&area::Model, geo::MultiPolygon)> =
        all.iter().filter_map(|a| crate::maps::geometry(a).map(|g| (a, g))).collect();
    let refs: Vec<&geo::MultiPolygon> = shapes.iter().map(|(_, g)| g).collect();
    let Some(bbox) = geo::fit_bbox(&refs) else { return String::new() };
    let mut out = format!(
        r#"<svg class="cb-map" viewBox="0 0 {W} {H}" role="img" aria-labelledby="svmap-t svmap-d" xmlns="http://www.w3.org/2000/svg"><title id="svmap-t">{}</title><desc id="svmap-d">{}</desc>"#,
        esc(&t.t("survey-map-title")),
        esc(&t.t("survey-map-desc"))
    );
    for (a, g) in &shapes {
        let cell = rows.iter().find(|c| c.key == a.id.to_string());
        let (style, label) = match cell {
            Some(Cell { mean: Some(m), .. }) => (format!(r#"fill="{}""#, fill(*m)), format!("{}: {m:.0}", a.name)),
            Some(_) => (r##"fill="#dfe1e2""##.to_string(), format!("{}: {}", a.name, t.t("survey-suppressed"))),
            None => (r#"class="cb-map-area""#.to_string(), a.name.clone()),
        };
        out.push_str(&format!(
            r##"<path {style} stroke="#1b1b1b" stroke-width="1" fill-rule="evenodd" d="{}"><title>{}</title></path>"##,
            g.svg_path(bbox, W, H),
            esc(&label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars with 95 % CI whiskers, one per shown group, on a 0–100 axis; the gap's two groups are marked.
pub fn bars(rows: &[Cell], title: &str, gap: Option<&Gap>) -> String {
    let shown: Vec<&Cell> = rows.iter().filter(|c| c.mean.is_some()).collect();
    if shown.is_empty() {
        return String::new();
    }
    let (left, width, row_h) = (180.0, 420.0, 28.0);
    let h = 30.0 + row_h * shown.len() as f64;
    let x = |v: f64| left + v.clamp(0.0, 100.0) / 100.0 * width;
    let desc: Vec<String> = shown.iter().map(|c| format!("{} {:.1}", c.label, c.mean.unwrap_or(0.0))).collect();
    let mut out = format!(
        r#"<svg class="cb-chart" viewBox="0 0 640 {h}" role="img" aria-labelledby="svbars-t svbars-d" xmlns="http://www.w3.org/2000/svg"><title id="svbars-t">{}</title><desc id="svbars-d">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        out.push_str(&format!(
            r##"<line x1="{0}" x2="{0}" y1="4" y2="{1}" stroke="#a9aeb1" stroke-width="1"/><text x="{0}" y="{2}" font-size="11" text-anchor="middle" fill="#1b1b1b">{3}</text>"##,
            x(tick),
            h - 16.0,
            h - 3.0,
            tick
        ));
    }
    for (i, c) in shown.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let m = c.mean.unwrap_or(0.0);
        let marked = gap.is_some_and(|g| g.a == c.key || g.b == c.key);
        let color = if marked { "#162e51" } else { "#2378c3" };
        out.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1b1b1b">{}</text><rect x="{left}" y="{y}" width="{}" height="16" fill="{color}"/>"##,
            left - 6.0,
            y + 12.0,
            esc(&c.label),
            x(m) - left
        ));
        if let (Some(lo), Some(hi)) = (c.ci_low, c.ci_high) {
            out.push_str(&format!(
                r##"<line x1="{}" x2="{}" y1="{2}" y2="{2}" stroke="#e52207" stroke-width="2"/>"##,
                x(lo),
                x(hi),
                y + 8.0
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// The trend across waves: a line through the wave estimates with a shaded 95 % CI band; hidden waves break it.
pub fn trend(points: &[TrendPoint], title: &str) -> String {
    let shown: Vec<(usize, &TrendPoint)> =
        points.iter().enumerate().filter(|(_, p)| p.estimate.mean.is_some()).collect();
    if shown.is_empty() {
        return String::new();
    }
    let (w, h, pad) = (640.0, 260.0, 40.0);
    let n = points.len().max(2) as f64 - 1.0;
    let px = |i: usize| pad + (w - 2.0 * pad) * (i as f64) / n;
    let py = |v: f64| h - pad - (h - 2.0 * pad) * v.clamp(0.0, 100.0) / 100.0;
    let desc: Vec<String> =
        shown.iter().map(|(_, p)| format!("{} {:.1}", p.wave, p.estimate.mean.unwrap_or(0.0))).collect();
    let mut out = format!(
        r#"<svg class="cb-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="svtrend-t svtrend-d" xmlns="http://www.w3.org/2000/svg"><title id="svtrend-t">{}</title><desc id="svtrend-d">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for tick in [0.0, 50.0, 100.0] {
        out.push_str(&format!(
            r##"<line x1="{pad}" x2="{0}" y1="{1}" y2="{1}" stroke="#a9aeb1"/><text x="{2}" y="{3}" font-size="11" text-anchor="end" fill="#1b1b1b">{tick}</text>"##,
            w - pad,
            py(tick),
            pad - 4.0,
            py(tick) + 4.0
        ));
    }
    let band: Vec<(usize, f64, f64)> =
        shown.iter().filter_map(|(i, p)| Some((*i, p.estimate.ci_low?, p.estimate.ci_high?))).collect();
    if band.len() >= 2 {
        let upper: Vec<String> = band.iter().map(|(i, _, hi)| format!("{:.1},{:.1}", px(*i), py(*hi))).collect();
        let lower: Vec<String> = band.iter().rev().map(|(i, lo, _)| format!("{:.1},{:.1}", px(*i), py(*lo))).collect();
        out.push_str(&format!(
            r##"<polygon points="{} {}" fill="#73b3e7" fill-opacity="0.35"/>"##,
            upper.join(" "),
            lower.join(" ")
        ));
    }
    let line: Vec<String> =
        shown.iter().map(|(i, p)| format!("{:.1},{:.1}", px(*i), py(p.estimate.mean.unwrap_or(0.0)))).collect();
    out.push_str(&format!(
        r##"<polyline points="{}" fill="none" stroke="#162e51" stroke-width="2"/>"##,
        line.join(" ")
    ));
    for (i, p) in points.iter().enumerate() {
        if let Some(m) = p.estimate.mean {
            out.push_str(&format!(r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#162e51"/>"##, px(i), py(m)));
        }
        out.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#1b1b1b">{}</text>"##,
            px(i),
            h - 12.0,
            esc(&p.wave)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(key: &str, mean: Option<f64>) -> Cell {
        Cell {
            mean,
            ci_low: mean.map(|m| m - 5.0),
            ci_high: mean.map(|m| m + 5.0),
            n: mean.map(|_| 40),
            ..Cell::hidden(key.into(), format!("<{key}>"))
        }
    }

    #[test]
    fn bars_escape_labels_and_skip_hidden_cells() {
        let svg = bars(&[cell("a", Some(60.0)), cell("b", None)], "T & t", None);
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("&lt;b&gt;"));
        assert!(svg.contains("T &amp; t"));
        assert!(bars(&[cell("b", None)], "t", None).is_empty());
    }

    #[test]
    fn trend_draws_a_band_through_shown_waves() {
        let p = |w: &str, m| TrendPoint { wave_id: 1, wave: w.into(), starts_on: String::new(), estimate: cell(w, m) };
        let svg = trend(&[p("W1", Some(50.0)), p("W2", None), p("W3", Some(70.0))], "trend");
        assert!(svg.contains("<polygon") && svg.contains("<polyline") && svg.contains("W2"));
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
