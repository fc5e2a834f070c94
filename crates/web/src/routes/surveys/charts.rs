//! Server-rendered SVG charts of survey results (no JavaScript; the area map is in `map.rs`): group means with their
//! 95 % intervals (the gap chart), and the trend across waves with a CI band. Each chart has a `<title>` and
//! `<desc>` and always sits next to a table with the same numbers; hidden (suppressed) cells are never drawn.

use super::compute::{Cell, Gap};
use super::results::{GroupTrend, TrendPoint};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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

/// Line colours and dash patterns for group trend lines: told apart by dash as well as colour.
const SERIES: [(&str, &str); 6] = [
    ("#162e51", ""),
    ("#c05600", "6 3"),
    ("#008817", "2 3"),
    ("#8b0a03", "8 3 2 3"),
    ("#5e519e", "12 4"),
    ("#3d4551", "1 2"),
];

/// Per-group trend lines across waves, each point with its 95 % CI as a vertical bar. Hidden cells are left out
/// (the line breaks there); the legend names every group drawn.
pub fn group_trends(groups: &[GroupTrend], title: &str) -> String {
    let drawn: Vec<&GroupTrend> =
        groups.iter().filter(|g| g.points.iter().any(|p| p.estimate.mean.is_some())).collect();
    let Some(first) = drawn.first() else { return String::new() };
    let n_waves = first.points.len();
    let (w, pad, top) = (640.0, 56.0, 10.0);
    let plot_h = 220.0;
    let legend_top = top + plot_h + 30.0;
    let h = legend_top + 20.0 * drawn.len().div_ceil(2) as f64 + 6.0;
    let n = n_waves.max(2) as f64 - 1.0;
    let px = |i: usize| pad + (w - 2.0 * pad) * (i as f64) / n;
    let py = |v: f64| top + plot_h - plot_h * v.clamp(0.0, 100.0) / 100.0;
    let desc: Vec<String> = drawn
        .iter()
        .map(|g| {
            let pts: Vec<String> = g
                .points
                .iter()
                .map(|p| p.estimate.mean.map_or_else(|| format!("{} —", p.wave), |m| format!("{} {m:.1}", p.wave)))
                .collect();
            format!("{}: {}", g.label, pts.join(", "))
        })
        .collect();
    let mut out = format!(
        r#"<svg class="cb-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="svgt-t svgt-d" xmlns="http://www.w3.org/2000/svg"><title id="svgt-t">{}</title><desc id="svgt-d">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        out.push_str(&format!(
            r##"<line x1="{pad}" x2="{0}" y1="{1}" y2="{1}" stroke="#dfe1e2"/><text x="{2}" y="{3}" font-size="11" text-anchor="end" fill="#1b1b1b">{tick}</text>"##,
            w - pad,
            py(tick),
            pad - 4.0,
            py(tick) + 4.0
        ));
    }
    for (i, p) in first.points.iter().enumerate() {
        out.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#1b1b1b">{}</text>"##,
            px(i),
            top + plot_h + 18.0,
            esc(&p.wave)
        ));
    }
    for (s, g) in drawn.iter().enumerate() {
        let (color, dash) = SERIES[s % SERIES.len()];
        let dash_attr = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        // Offset each group's points a little so intervals of different groups do not hide each other.
        let off = (s as f64 - (drawn.len() as f64 - 1.0) / 2.0) * 4.0;
        // Runs of consecutive shown points; a hidden cell breaks the line.
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (i, p) in g.points.iter().enumerate() {
            match p.estimate.mean {
                Some(m) => runs.last_mut().map_or((), |r| r.push(format!("{:.1},{:.1}", px(i) + off, py(m)))),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| r.len() >= 2) {
            out.push_str(&format!(
                r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>"##,
                run.join(" ")
            ));
        }
        for (i, p) in g.points.iter().enumerate() {
            let Some(m) = p.estimate.mean else { continue };
            let x = px(i) + off;
            if let (Some(lo), Some(hi)) = (p.estimate.ci_low, p.estimate.ci_high) {
                out.push_str(&format!(
                    r##"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="1.5"/>"##,
                    py(lo),
                    py(hi)
                ));
            }
            out.push_str(&format!(
                r##"<circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{}: {} {m:.1}</title></circle>"##,
                py(m),
                esc(&g.label),
                esc(&p.wave)
            ));
        }
        let (lx, ly) = (pad + 300.0 * (s % 2) as f64, legend_top + 20.0 * (s / 2) as f64);
        out.push_str(&format!(
            r##"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{dash_attr}/><text x="{}" y="{}" font-size="12" fill="#1b1b1b">{}</text>"##,
            lx + 28.0,
            lx + 34.0,
            ly + 4.0,
            esc(&g.label)
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

    #[test]
    fn group_trends_leave_hidden_cells_and_empty_groups_out() {
        let p = |w: &str, m| TrendPoint { wave_id: 1, wave: w.into(), starts_on: String::new(), estimate: cell(w, m) };
        let g = |k: &str, pts: Vec<TrendPoint>| GroupTrend { key: k.into(), label: format!("G {k}"), points: pts };
        let groups = vec![
            g("a", vec![p("W1", Some(50.0)), p("W2", Some(55.0)), p("W3", Some(60.0))]),
            g("b", vec![p("W1", Some(40.0)), p("W2", None), p("W3", Some(45.0))]),
            g("c", vec![p("W1", None), p("W2", None), p("W3", None)]),
        ];
        let svg = group_trends(&groups, "t");
        assert_eq!(svg.matches("<circle").count(), 5, "hidden cells are not drawn");
        assert_eq!(svg.matches("<polyline").count(), 1, "b's line is broken by its hidden wave");
        assert!(svg.contains("G a") && svg.contains("G b") && !svg.contains("G c"));
        assert!(group_trends(&groups[2..], "t").is_empty());
    }
}
