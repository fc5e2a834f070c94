//! What the self-assessment pages and the API show: rounds with their turnout and, once closed, their scores per
//! dimension and side with the gap (suppressed cells as such), the disagreement table, and the trend chart.

use super::super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use commonbeat_domain::Side;
use commonbeat_domain::self_assessment::{DEFAULT_K, DimensionResult, Response, RoundResult, score_round};
use commonbeat_store::entities::self_assessment_round as round;
use commonbeat_store::repo::self_assessment as repo;

/// A gap of at least this many points is highlighted.
pub const BIG_GAP: f64 = 15.0;

/// One round with what may be shown of it.
pub struct Scored {
    /// The round.
    pub round: round::Model,
    /// Whether it still takes answers.
    pub open: bool,
    /// Invited and answered per side: police invited, police answered, community invited, community answered.
    pub turnout: [usize; 4],
    /// Scores, once the round is closed.
    pub result: Option<RoundResult>,
    /// Open comments of a closed round with at least k respondents, sorted (no side, no order of arrival).
    pub comments: Vec<String>,
}

/// Loads every round of the partnership and scores the closed ones. Results of an open round are never computed:
/// watching them change as people answer would tell who said what.
pub async fn load(state: &AppState, ctx: &Ctx, a: &Access) -> AppResult<Vec<Scored>> {
    let now = commonbeat_store::now();
    let mut out = Vec::new();
    for r in repo::rounds(&state.db, ctx.jid(), a.partnership.id).await? {
        let open = repo::is_open(&r, now);
        let turnout = repo::turnout(&state.db, ctx.jid(), r.id).await?;
        let (result, comments) = if open {
            (None, Vec::new())
        } else {
            let rows = repo::responses(&state.db, ctx.jid(), r.id).await?;
            let responses: Vec<Response> = rows
                .iter()
                .filter_map(|x| {
                    let side = if x.side == "police" { Side::Police } else { Side::Community };
                    serde_json::from_str(&x.answers).ok().map(|answers| Response { side, answers })
                })
                .collect();
            let mut comments: Vec<String> = if rows.len() >= DEFAULT_K {
                rows.iter().filter_map(|x| x.comment.clone()).collect()
            } else {
                Vec::new()
            };
            comments.sort();
            (Some(score_round(&responses, DEFAULT_K)), comments)
        };
        out.push(Scored { round: r, open, turnout, result, comments });
    }
    Ok(out)
}

/// One row of a results table, ready to print.
pub struct Row {
    /// Dimension name.
    pub label: String,
    /// Framework name.
    pub group: String,
    /// Police score or the suppression note.
    pub police: String,
    /// Community score or the suppression note.
    pub community: String,
    /// Signed gap or a dash / the suppression note.
    pub gap: String,
    /// The gap is at least [`BIG_GAP`] points.
    pub big: bool,
}

fn cell_text(t: &Tr, c: commonbeat_domain::self_assessment::scoring::Cell) -> String {
    match c.score {
        Some(s) => format!("{s:.0}"),
        None if c.suppressed => t.t("sa-suppressed"),
        None => "—".into(),
    }
}

/// A result row in the page's language.
pub fn row(t: &Tr, d: &DimensionResult) -> Row {
    let (label, group) = match d.dimension {
        Some(dim) => (t.t(&format!("sa-dim-{}", dim.as_str())), t.t(&format!("sa-group-{}", dim.group().as_str()))),
        None => (t.t("sa-overall"), String::new()),
    };
    let gap = match d.gap {
        Some(g) => format!("{g:+.0}"),
        None if d.gap_suppressed => t.t("sa-suppressed"),
        None => "—".into(),
    };
    Row {
        label,
        group,
        police: cell_text(t, d.police),
        community: cell_text(t, d.community),
        gap,
        big: d.gap.is_some_and(|g| g.abs() >= BIG_GAP),
    }
}

/// The rows sorted by disagreement, overall last.
pub fn disagreement_rows(t: &Tr, r: &RoundResult) -> Vec<Row> {
    let mut rows: Vec<Row> = r.by_disagreement().into_iter().map(|d| row(t, d)).collect();
    rows.push(row(t, &r.overall));
    rows
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The overall index of each side across closed rounds as an SVG line chart (police solid, community dashed;
/// suppressed points are not drawn). `labels` names the rounds. Empty when fewer than one closed round.
pub fn trend_chart(t: &Tr, points: &[(String, &RoundResult)]) -> String {
    if points.is_empty() {
        return String::new();
    }
    const W: f64 = 640.0;
    const H: f64 = 260.0;
    const L: f64 = 48.0;
    const R: f64 = 24.0;
    const T: f64 = 16.0;
    const B: f64 = 48.0;
    let n = points.len();
    let x = |i: usize| if n == 1 { (L + W - R) / 2.0 } else { L + (W - L - R) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| T + (H - T - B) * (1.0 - v / 100.0);
    let mut s = format!(
        r#"<svg class="cb-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="sa-trend-t sa-trend-d" xmlns="http://www.w3.org/2000/svg"><title id="sa-trend-t">{}</title><desc id="sa-trend-d">{}</desc>"#,
        esc(&t.t("sa-trend-title")),
        esc(&t.t("sa-trend-desc"))
    );
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        s.push_str(&format!(
            r##"<line x1="{L}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#dfe1e2"/><text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#1b1b1b">{v:.0}</text>"##,
            W - R,
            L - 6.0,
            y(v) + 4.0,
            y = y(v)
        ));
    }
    for (i, (label, _)) in points.iter().enumerate() {
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle" fill="#1b1b1b">{}</text>"##,
            x(i),
            H - B + 18.0,
            esc(label)
        ));
    }
    for (side, colour, dash) in
        [(Side::Police, "#005ea2", ""), (Side::Community, "#c05600", r#" stroke-dasharray="6 4""#)]
    {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, (_, r))| {
                let c = if side == Side::Police { r.overall.police } else { r.overall.community };
                c.score.map(|v| (x(i), y(v)))
            })
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            s.push_str(&format!(
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
                path.join(" ")
            ));
        }
        for (a, b) in pts {
            s.push_str(&format!(r#"<circle cx="{a:.1}" cy="{b:.1}" r="4" fill="{colour}"/>"#));
        }
    }
    let ly = H - 10.0;
    s.push_str(&format!(
        r##"<line x1="{L}" x2="{}" y1="{ly}" y2="{ly}" stroke="#005ea2" stroke-width="2.5"/><text x="{}" y="{}" font-size="12" fill="#1b1b1b">{}</text><line x1="{}" x2="{}" y1="{ly}" y2="{ly}" stroke="#c05600" stroke-width="2.5" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="12" fill="#1b1b1b">{}</text></svg>"##,
        L + 24.0,
        L + 30.0,
        ly + 4.0,
        esc(&t.t("sa-police")),
        L + 200.0,
        L + 224.0,
        L + 230.0,
        ly + 4.0,
        esc(&t.t("sa-community"))
    ));
    s
}
