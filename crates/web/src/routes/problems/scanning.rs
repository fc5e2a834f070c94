//! Scanning: candidate problems for a partnership, with their evidence — significant rises of a category in
//! one of its areas (E-test against the same window a year earlier) and Gi* hot spots of the last year. Each
//! candidate can become a problem with its evidence attached. Members and police see the list; co-chairs make
//! problems from it.

use super::{Access, can_work, category_label};
use crate::AppState;
use crate::context::Ctx;
use crate::crime::privacy::Audience;
use crate::crime::problems::{CrimeCandidate, SCAN_WINDOW_DAYS, scan};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

/// A candidate as shown, with the prefilled new-problem fields.
pub struct CandidateRow {
    source: String,
    what: String,
    evidence_text: String,
    title: String,
    category: String,
    area_id: String,
    lat: String,
    lon: String,
    source_key: String,
    evidence: String,
}

#[derive(Template)]
#[template(path = "problems/scanning.html")]
struct Page {
    shell: Shell,
    slug: String,
    partnership: String,
    rows: Vec<CandidateRow>,
    can_manage: bool,
    window: i64,
}

fn row(t: &Tr, c: &CrimeCandidate) -> CandidateRow {
    let cat = category_label(t, &c.category);
    let p = if c.p < 0.001 { "< 0.001".to_string() } else { format!("{:.3}", c.p) };
    let (what, evidence_text, title) = if c.source == "crime_rise" {
        (
            format!("{cat} · {}", c.area_name),
            t.t2("scan-rise-text", ("recent", &c.recent.to_string()), ("before", &c.compare.to_string()))
                + &format!(" (E-test p {p})"),
            t.t2("scan-rise-title", ("category", &cat), ("area", &c.area_name)),
        )
    } else {
        let title = if c.area_name.is_empty() {
            t.t1("scan-hot-title", "category", &cat)
        } else {
            t.t2("scan-hot-title-in", ("category", &cat), ("area", &c.area_name))
        };
        (
            if c.area_name.is_empty() { cat.clone() } else { format!("{cat} · {}", c.area_name) },
            t.t2("scan-hot-text", ("cells", &c.compare.to_string()), ("top", &c.recent.to_string())),
            title,
        )
    };
    CandidateRow {
        source: t.t(&format!("problem-source-{}", c.source)),
        what,
        evidence_text,
        title,
        category: c.category.clone(),
        area_id: c.area_id.map(|a| a.to_string()).unwrap_or_default(),
        lat: c.point.map(|p| format!("{:.6}", p.1)).unwrap_or_default(),
        lon: c.point.map(|p| format!("{:.6}", p.0)).unwrap_or_default(),
        source_key: c.source.to_string(),
        evidence: c.evidence(SCAN_WINDOW_DAYS).to_string(),
    }
}

/// Fewest open community reports of one category in the window for a scanning candidate.
pub const SCAN_MIN_REPORTS: usize = 3;

/// The problem category a report category points to (`non_crime` when none fits).
pub fn problem_category(report_category: &str) -> &'static str {
    match report_category {
        "drug_activity" => "drugs",
        "graffiti" => "property",
        "disorder" | "noise" => "disorder",
        _ => super::NON_CRIME,
    }
}

/// Open, unmoderated community reports of the last [`SCAN_WINDOW_DAYS`] assigned to the partnership or inside
/// one of its areas, by category: (category, report ids) with at least [`SCAN_MIN_REPORTS`] reports.
pub async fn report_groups(
    state: &AppState,
    jid: i64,
    partnership_id: i64,
    areas: &[commonbeat_store::entities::area::Model],
    now: i64,
) -> AppResult<Vec<(String, Vec<i64>)>> {
    use commonbeat_domain::report::ReportStatus;
    let outlines: Vec<_> =
        areas.iter().filter_map(|a| commonbeat_domain::geo::parse_geometry(&a.geometry).ok()).collect();
    let reports = commonbeat_store::repo::reports::list(
        &state.db,
        jid,
        &commonbeat_store::repo::reports::Filter {
            from: Some(now - SCAN_WINDOW_DAYS * 86_400),
            public_only: true,
            ..Default::default()
        },
    )
    .await?;
    let mut groups: Vec<(String, Vec<i64>)> = Vec::new();
    for r in reports {
        let open = r.status.parse::<ReportStatus>().is_ok_and(|s| s.is_open());
        let inside = r.partnership_id == Some(partnership_id)
            || match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => {
                    outlines.iter().any(|g| g.contains(commonbeat_domain::geo::LonLat::new(lon, lat)))
                }
                _ => false,
            };
        if !open || !inside || r.problem_id.is_some() {
            continue;
        }
        match groups.iter_mut().find(|(c, _)| *c == r.category) {
            Some((_, ids)) => ids.push(r.id),
            None => groups.push((r.category.clone(), vec![r.id])),
        }
    }
    groups.retain(|(_, ids)| ids.len() >= SCAN_MIN_REPORTS);
    groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
    Ok(groups)
}

fn report_row(t: &Tr, category: &str, ids: &[i64]) -> CandidateRow {
    let label = t.t(&format!("report-cat-{category}"));
    let title = t.t1("scan-reports-title", "category", &label);
    CandidateRow {
        source: t.t("problem-source-reports"),
        what: label,
        evidence_text: t.t1("scan-reports-text", "n", &ids.len().to_string()),
        title,
        category: problem_category(category).to_string(),
        area_id: String::new(),
        lat: String::new(),
        lon: String::new(),
        source_key: "reports".into(),
        evidence: serde_json::json!({
            "source": "reports", "report_category": category, "count": ids.len(), "report_ids": ids,
            "window_days": SCAN_WINDOW_DAYS,
        })
        .to_string(),
    }
}

/// Days of survey answers scanning reads (a survey wave can run for months).
pub const SURVEY_WINDOW_DAYS: i64 = 365;
/// Fewest approved "number one issue" answers of one theme for a candidate.
pub const SCAN_MIN_ANSWERS: u64 = 5;

/// The problem category a survey theme points to.
fn theme_category(theme: &str) -> &'static str {
    match theme {
        "drugs" => "drugs",
        "theft" | "burglary" | "break_ins" => "property",
        "violence" | "shootings" | "guns" => "violent",
        "noise" | "disorder" | "loitering" => "disorder",
        _ => super::NON_CRIME,
    }
}

fn survey_row(t: &Tr, theme: &str, n: u64) -> CandidateRow {
    let title = t.t1("scan-survey-title", "theme", theme);
    CandidateRow {
        source: t.t("problem-source-survey"),
        what: theme.replace('_', " "),
        evidence_text: t.t1("scan-survey-text", "n", &n.to_string()),
        title,
        category: theme_category(theme).to_string(),
        area_id: String::new(),
        lat: String::new(),
        lon: String::new(),
        source_key: "survey".into(),
        evidence: serde_json::json!({
            "source": "survey", "theme": theme, "answers": n, "window_days": SURVEY_WINDOW_DAYS,
        })
        .to_string(),
    }
}

/// The scanning page.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let police = ctx.role().is_some_and(|r| crate::routes::crime::POLICE.contains(&r));
    if !can_work(&a) && !police {
        return Err(AppError::Forbidden);
    }
    let t = ctx.tr();
    let areas = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?;
    let ids: Vec<i64> = areas.iter().map(|x| x.id).collect();
    let columns = state.crime.get(&state.db, ctx.jid()).await?;
    let now = commonbeat_store::now();
    let candidates = scan(&columns, &ids, Audience::of(ctx.role()), now);
    let mut rows: Vec<CandidateRow> = report_groups(&state, ctx.jid(), a.partnership.id, &areas, now)
        .await?
        .iter()
        .map(|(c, ids)| report_row(&t, c, ids))
        .collect();
    let themes =
        commonbeat_store::repo::surveys::top_issues(&state.db, ctx.jid(), &ids, now - SURVEY_WINDOW_DAYS * 86_400)
            .await?;
    rows.extend(themes.iter().filter(|(_, n)| *n >= SCAN_MIN_ANSWERS).map(|(theme, n)| survey_row(&t, theme, *n)));
    rows.extend(candidates.iter().map(|c| row(&t, c)));
    render(&Page {
        shell: Shell::titled(&ctx, t.t1("scan-title", "partnership", &a.partnership.name)),
        slug: a.partnership.slug.clone(),
        partnership: a.partnership.name.clone(),
        rows,
        can_manage: a.can_manage(),
        window: SCAN_WINDOW_DAYS,
    })
}
