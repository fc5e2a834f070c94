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
    let candidates = scan(&columns, &ids, Audience::of(ctx.role()), commonbeat_store::now());
    render(&Page {
        shell: Shell::titled(&ctx, t.t1("scan-title", "partnership", &a.partnership.name)),
        slug: a.partnership.slug.clone(),
        partnership: a.partnership.name.clone(),
        rows: candidates.iter().map(|c| row(&t, c)).collect(),
        can_manage: a.can_manage(),
        window: SCAN_WINDOW_DAYS,
    })
}
