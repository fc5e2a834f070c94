//! The problem page: one page that walks the SARA stages — scanning evidence, the analysis triangle with its
//! data panel, the response strategies and their commitments, the assessment — with the stage history and, for
//! co-chairs, the stage change. The public sees the public story only.

use super::{Access, can_work, category_label, load, location, panels};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::privacy::{self, Audience};
use crate::crime::problems::{hour_weekday, square};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::routes::commitments::{facts, kept_rate, today};
use crate::routes::pages::{Shell, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_domain::Side;
use commonbeat_domain::problem::Stage;
use commonbeat_store::entities::problem;
use commonbeat_store::repo::{commitments, members, problems};
use serde_json::Value;

/// Default half-side of a point problem's target square, in metres.
pub const DEFAULT_INNER_M: f64 = 150.0;
/// Default half-side of its ring buffer, in metres.
pub const DEFAULT_OUTER_M: f64 = 300.0;

/// The problem's point (lon, lat), if it has one.
pub fn point_of(p: &problem::Model) -> Option<(f64, f64)> {
    let v: Value = serde_json::from_str(&p.geometry).ok()?;
    let c = v.get("coordinates")?;
    Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?))
}

/// The assessment's stored inputs and results (empty object when none).
pub fn assessment_of(p: &problem::Model) -> Value {
    serde_json::from_str(&p.assessment).unwrap_or(Value::Null)
}

/// The target region of the problem as a displacement body value: its drawn polygon, its square around the
/// point, its area, or the partnership's areas.
pub fn target_of(p: &problem::Model, area_ids: &[i64]) -> Value {
    if let Some(polygon) = location::polygon_of(p) {
        return location::polygon_geojson(&polygon);
    }
    let inner = assessment_of(p)["inputs"]["inner_m"].as_f64().unwrap_or(DEFAULT_INNER_M);
    match (point_of(p), p.area_id) {
        (Some((lon, lat)), _) => square(lon, lat, inner, None),
        (None, Some(a)) => Value::from(a),
        (None, None) => Value::from(area_ids.to_vec()),
    }
}

/// A stage change as shown.
pub struct EventRow {
    when: String,
    change: String,
    note: String,
    author: String,
}

/// A strategy as shown.
pub struct StrategyRow {
    title: String,
    side: String,
    contact: String,
    partners: String,
    dates: String,
}

/// A linked commitment as shown.
pub struct CommitmentRow {
    id: i64,
    title: String,
    due: String,
    status: String,
}

/// The assessment as shown.
#[derive(Default)]
pub struct AssessmentView {
    rows: Vec<(String, String)>,
    summary: String,
    suggested: String,
    inputs: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "problems/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    p: problem::Model,
    stage: String,
    steps: Vec<(String, bool, bool)>,
    facts: Vec<(String, String)>,
    events: Vec<EventRow>,
    triangle: Vec<(String, String, String, String)>,
    heat: Vec<(String, Vec<String>)>,
    heat_total: String,
    trend: Vec<panels::TrendRow>,
    data_link: String,
    strategies: Vec<StrategyRow>,
    commitments: Vec<CommitmentRow>,
    kept: String,
    assessment: AssessmentView,
    verdict: String,
    can_work: bool,
    can_manage: bool,
    next: Vec<(String, String)>,
    areas: Vec<(i64, String)>,
    verdicts: Vec<(String, String)>,
    members: Vec<(i64, String)>,
    public: bool,
    reports: Vec<(i64, String, String)>,
    perception: Vec<(i64, String)>,
    /// The caller may draw the location.
    can_locate: bool,
    /// The drawn polygon as `lat,lon` lines (the form's textarea; members only).
    polygon_text: String,
    /// GeoJSON shown on the map: the polygon for members, its 250 m box for the public; empty when none.
    shape_json: String,
    tiles: String,
    /// The area outlines around the drawing (the partnership's areas in focus).
    areas_url: String,
}

async fn area_names(state: &AppState, jid: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(commonbeat_store::repo::areas::list(&state.db, jid, None).await?.into_iter().map(|a| (a.id, a.name)).collect())
}

/// The assessment's rows from its stored JSON.
fn assessment_view(t: &Tr, v: &Value, names: &[(i64, String)], public: bool) -> AssessmentView {
    let Some(out) = v.get("result").filter(|r| r.is_object()) else { return AssessmentView::default() };
    let num = |x: &Value| x.as_f64().map(|f| format!("{f:.3}")).unwrap_or_else(|| "–".into());
    let count = |x: &Value| match x.as_u64() {
        Some(n) if public && n < privacy::PUBLIC_MIN_COUNT => format!("< {}", privacy::PUBLIC_MIN_COUNT),
        Some(n) => n.to_string(),
        None => "–".into(),
    };
    let c = &out["counts"];
    let a = &out["assessment"];
    let ba = |k: &str| format!("{} → {}", count(&c[k]["before"]), count(&c[k]["after"]));
    let p = |x: &Value| match x.as_f64() {
        Some(p) if p < 0.001 => "< 0.001".to_string(),
        Some(p) => format!("{p:.3}"),
        None => "–".into(),
    };
    let i = &v["inputs"];
    let control = i["control_area"]
        .as_i64()
        .and_then(|id| names.iter().find(|(x, _)| *x == id).map(|(_, n)| n.clone()))
        .unwrap_or_default();
    AssessmentView {
        rows: vec![
            (t.t("disp-target"), ba("target")),
            (t.t("disp-buffer"), ba("buffer")),
            (t.t("disp-control"), ba("control")),
            ("WDQ".into(), num(&a["wdq"])),
            (t.t("disp-net"), num(&a["net_effect"])),
            (
                "WDD".into(),
                format!(
                    "{} (95 % {} … {}, p {})",
                    num(&a["wdd"]["wdd"]),
                    num(&a["wdd"]["ci_low"]),
                    num(&a["wdd"]["ci_high"]),
                    p(&a["wdd"]["p"])
                ),
            ),
            (t.t("disp-etest"), p(&a["target_e_test_p"])),
        ],
        summary: t.t(&format!("disp-reading-{}", a["wdq_interpretation"].as_str().unwrap_or("not_meaningful"))),
        suggested: v["suggested"].as_str().map(|s| t.t(&format!("problem-verdict-{s}"))).unwrap_or_default(),
        inputs: vec![
            (t.t("problem-assess-control"), control),
            (
                t.t("problem-assess-before"),
                format!("{} – {}", i["before_from"].as_str().unwrap_or(""), i["before_to"].as_str().unwrap_or("")),
            ),
            (
                t.t("problem-assess-after"),
                format!("{} – {}", i["after_from"].as_str().unwrap_or(""), i["after_to"].as_str().unwrap_or("")),
            ),
        ],
    }
}

/// Shows a problem.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    page(&state, &ctx, &a, p, None, None).await
}

/// Renders the problem page with an optional error (422) or notice.
pub async fn page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    p: problem::Model,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    page_with(state, ctx, a, p, error, notice, None).await
}

/// [`page`] with the location textarea's text kept as typed (after a refused polygon).
pub async fn page_with(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    p: problem::Model,
    error: Option<String>,
    notice: Option<String>,
    polygon_text: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let public = !a.sees_members();
    let stage: Stage = p.stage.parse().unwrap_or(Stage::Scanning);
    let names = area_names(state, ctx.jid()).await?;
    let linked = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?;
    let linked_ids: Vec<i64> = linked.iter().map(|x| x.id).collect();
    let people = members::list(&state.db, ctx.jid(), a.partnership.id, None).await?;
    let person = |id: Option<i64>| {
        id.and_then(|id| people.iter().find(|m| m.user.id == id)).map(|m| m.user.name.clone()).unwrap_or_default()
    };
    let events = problems::events(&state.db, p.id)
        .await?
        .into_iter()
        .map(|e| EventRow {
            when: crate::timefmt::format_datetime(e.created_at, &ctx.jurisdiction.time_zone, ctx.locale),
            change: if e.from_stage.is_empty() {
                t.t(&format!("problem-stage-{}", e.to_stage))
            } else {
                format!(
                    "{} → {}",
                    t.t(&format!("problem-stage-{}", e.from_stage)),
                    t.t(&format!("problem-stage-{}", e.to_stage))
                )
            },
            note: e.note,
            author: if public { String::new() } else { person(e.author_id) },
        })
        .collect();
    let mut facts_rows = vec![
        (t.t("problem-category"), category_label(&t, &p.category)),
        (t.t("problem-priority"), t.t(&format!("problem-priority-{}", p.priority))),
        (
            t.t("problem-goals"),
            p.goals
                .split(',')
                .filter(|g| !g.is_empty())
                .map(|g| t.t(&format!("goal-{g}")))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (t.t("problem-source"), t.t(&format!("problem-source-{}", p.source))),
    ];
    if let Some(area) = p.area_id.and_then(|id| names.iter().find(|(x, _)| *x == id)) {
        facts_rows.push((t.t("problem-area"), area.1.clone()));
    }
    if !p.place.is_empty() {
        facts_rows.push((t.t("problem-place"), p.place.clone()));
    }
    let polygon = location::polygon_of(&p);
    let (shape_json, public_box) = match &polygon {
        Some(g) if public => {
            let b = location::public_box(g);
            let c = &b["coordinates"][0];
            let corner = |i: usize| {
                format!("{:.4}, {:.4}", c[i][1].as_f64().unwrap_or_default(), c[i][0].as_f64().unwrap_or_default())
            };
            (b.to_string(), t.t2("problem-polygon-public-box", ("sw", &corner(0)), ("ne", &corner(2))))
        }
        Some(g) => (location::polygon_geojson(g).to_string(), String::new()),
        None => (String::new(), String::new()),
    };
    if !public_box.is_empty() {
        facts_rows.push((t.t("problem-polygon-title"), public_box));
    }
    let polygon_text = match (public, polygon_text) {
        (true, _) => String::new(),
        (false, Some(text)) => text,
        (false, None) => {
            polygon.as_ref().map(|g| commonbeat_domain::geo::to_lat_lon_lines(&g.exterior)).unwrap_or_default()
        }
    };
    let sensitive_public = public && p.category == "sex_offences";
    let (heat, heat_total, trend) = if p.category != super::NON_CRIME && !sensitive_public {
        let columns = state.crime.get(&state.db, ctx.jid()).await?;
        let audience = if public { Audience::Public } else { Audience::of(ctx.role()) };
        let now = commonbeat_store::now();
        let idx = panels::problem_incidents(&columns, &p, &linked_ids, audience, now - 365 * 86_400, now);
        let table = hour_weekday(&columns, &idx, &ctx.time_zone());
        let trend = panels::trend_rows(&columns, &p, &linked_ids, audience, now, &ctx.time_zone());
        (panels::heat_rows(&t, &table, audience.is_public()), idx.len().to_string(), trend)
    } else {
        (Vec::new(), String::new(), Vec::new())
    };
    let data_link = match p.area_id {
        Some(area) => format!("/crime?area={area}&category={}", p.category),
        None => format!("/crime?partnership={}&category={}", a.partnership.slug, p.category),
    };
    let strategies = problems::strategies(&state.db, p.id)
        .await?
        .into_iter()
        .map(|s| StrategyRow {
            title: s.title,
            side: t.t(&format!("problem-side-{}", s.owner_side)),
            contact: if public { String::new() } else { s.contact },
            partners: s.partners,
            dates: if s.ends_on.is_empty() { s.starts_on } else { format!("{} – {}", s.starts_on, s.ends_on) },
        })
        .collect();
    let linked_commitments: Vec<_> = commitments::for_problem(&state.db, ctx.jid(), p.id)
        .await?
        .into_iter()
        .filter(|c| c.is_public || !public)
        .collect();
    let today = today(&ctx.jurisdiction.time_zone);
    let cf: Vec<_> = linked_commitments.iter().filter_map(facts).collect();
    let kept = kept_rate(&cf, None, today);
    let kept = t.t2(
        "problem-kept",
        ("kept", &(kept.kept_on_time + kept.kept_late).to_string()),
        ("due", &kept.due.to_string()),
    );
    let commitments = linked_commitments
        .iter()
        .map(|c| CommitmentRow {
            id: c.id,
            title: c.title.clone(),
            due: c.due_on.clone(),
            status: t.t(&format!("commitment-status-{}", c.status)),
        })
        .collect();
    let staff = ctx.role().is_some_and(|r| crate::routes::crime::POLICE.contains(&r));
    let reports = commonbeat_store::repo::reports::for_problem(&state.db, ctx.jid(), p.id, staff)
        .await?
        .into_iter()
        .map(|r| {
            let when = crate::timefmt::format_datetime(r.created_at, &ctx.jurisdiction.time_zone, ctx.locale);
            (
                r.id,
                t.t(&format!("report-cat-{}", r.category)),
                format!("{when} · {}", t.t(&format!("report-status-{}", r.status))),
            )
        })
        .collect();
    // Community perception: surveys with a wave in the partnership's areas whose results the caller may read.
    let mut perception = Vec::new();
    for sv in commonbeat_store::repo::surveys::list(&state.db, ctx.jid()).await? {
        if !(sv.results_public || staff) {
            continue;
        }
        let waves = commonbeat_store::repo::surveys::waves(&state.db, ctx.jid(), sv.id).await?;
        let covers = waves.iter().any(|w| {
            w.area_ids.split(',').filter_map(|x| x.trim().parse::<i64>().ok()).any(|a| linked_ids.contains(&a))
        });
        if covers {
            perception.push((sv.id, sv.title));
        }
    }
    let tri = [
        ("offender", &p.offender, "problem-tri-offender", "problem-tri-offender-hint"),
        ("victim", &p.victim, "problem-tri-victim", "problem-tri-victim-hint"),
        ("place_factor", &p.place_factor, "problem-tri-place", "problem-tri-place-hint"),
        ("handler", &p.handler, "problem-tri-handler", "problem-tri-handler-hint"),
        ("guardian", &p.guardian, "problem-tri-guardian", "problem-tri-guardian-hint"),
        ("manager", &p.manager, "problem-tri-manager", "problem-tri-manager-hint"),
    ];
    let triangle = tri.iter().map(|(k, v, l, h)| (k.to_string(), v.to_string(), t.t(l), t.t(h))).collect();
    let assessment = assessment_view(&t, &assessment_of(&p), &names, public);
    let steps = Stage::ALL[..4]
        .iter()
        .map(|s| (t.t(&format!("problem-stage-{s}")), *s == stage, s.index() < stage.index()))
        .collect();
    let can_manage = a.can_manage();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let members_list = if can_manage {
        people
            .iter()
            .filter(|m| m.membership.status == members::ACTIVE)
            .map(|m| {
                let side = if m.membership.side == "police" { Side::Police } else { Side::Community };
                (m.user.id, format!("{} ({})", m.user.name, t.t(&format!("side-{}", side.as_str()))))
            })
            .collect()
    } else {
        Vec::new()
    };
    render_status(
        status,
        &ShowPage {
            shell: Shell::titled(ctx, p.title.clone()),
            error,
            notice,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            stage: t.t(&format!("problem-stage-{}", p.stage)),
            steps,
            facts: facts_rows,
            events,
            triangle,
            heat,
            heat_total,
            trend,
            data_link,
            strategies,
            commitments,
            kept,
            assessment,
            verdict: p.verdict.as_ref().map(|v| t.t(&format!("problem-verdict-{v}"))).unwrap_or_default(),
            can_work: can_work(a),
            can_manage,
            next: stage.next().iter().map(|s| (s.as_str().to_string(), t.t(&format!("problem-stage-{s}")))).collect(),
            areas: names.into_iter().filter(|(id, _)| !linked_ids.contains(id)).collect(),
            verdicts: commonbeat_domain::problem::Verdict::ALL
                .iter()
                .map(|v| (v.as_str().to_string(), t.t(&format!("problem-verdict-{}", v.as_str()))))
                .collect(),
            members: members_list,
            public,
            reports,
            perception,
            can_locate: location::can_locate(a),
            polygon_text,
            shape_json,
            tiles: state.config.tile_url.clone().unwrap_or_default(),
            areas_url: crate::routes::areas::map_url(&linked_ids),
            p,
        },
    )
}
