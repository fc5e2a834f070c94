//! Problem solving (SARA): a partnership's problems from scanning to assessment and closing. Members of both
//! sides work the analysis and the response; co-chairs add problems (within the beat plan's active limit, or
//! beyond it with a decision), move them between stages (every change with a note) and record the assessment.
//! The public sees public problems: stage, strategies, promises kept and the assessment summary, under the
//! crime-data privacy rules.

pub mod api;
pub mod assess;
pub mod edit;
pub mod location;
pub mod panels;
pub mod scanning;
pub mod show;

use super::guarded;
use super::pages::{Shell, render_status};
use super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use commonbeat_domain::incident::Category;
use commonbeat_domain::partnership::Goal;
use commonbeat_domain::problem::{DEFAULT_ACTIVE_LIMIT, Priority, Source, Stage, check_active_limit};
use commonbeat_store::entities::problem;
use commonbeat_store::repo::problems::{self, NewProblem};
use commonbeat_store::repo::{decisions, settings};
use serde::Deserialize;
use serde_json::json;

/// Category key of a problem that is not about one crime category (traffic, noise, youth activities…).
pub const NON_CRIME: &str = "non_crime";

/// Settings key of the active-problem limit (a number; default [`DEFAULT_ACTIVE_LIMIT`]).
pub const LIMIT_SETTING: &str = "problems.active_limit";

/// Problem routes (pages and API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{slug}/problems", guarded(get(list).post(create)))
        .route("/partnerships/{slug}/problems/scanning", guarded(get(scanning::page)))
        .route("/partnerships/{slug}/problems/{id}", guarded(get(show::show)))
        .route("/partnerships/{slug}/problems/{id}/stage", guarded(post(edit::stage)))
        .route("/partnerships/{slug}/problems/{id}/analysis", guarded(post(edit::analysis)))
        .route("/partnerships/{slug}/problems/{id}/strategies", guarded(post(edit::strategy)))
        .route("/partnerships/{slug}/problems/{id}/assessment", guarded(post(assess::run)))
        .route("/partnerships/{slug}/problems/{id}/verdict", guarded(post(edit::verdict)))
        .route("/partnerships/{slug}/problems/{id}/location", guarded(post(location::save)))
        .route("/api/v1/partnerships/{slug}/problems", guarded(get(api::api_list).post(api::api_create)))
        .route("/api/v1/partnerships/{slug}/problems/{id}", guarded(get(api::api_get)))
        .route("/api/v1/partnerships/{slug}/problems/{id}/stage", guarded(post(api::api_stage)))
        .route("/api/v1/partnerships/{slug}/problems/{id}/assessment", guarded(post(api::api_assess)))
        .route("/api/v1/partnerships/{slug}/problems/{id}/location", guarded(put(api::api_location)))
}

/// Whether the caller may see a problem: public ones to everyone, private ones to members and managers.
pub fn visible_to(a: &Access, p: &problem::Model) -> bool {
    p.is_public || a.sees_members()
}

/// Whether the caller may work on a problem (analysis, strategies): members of either side and co-chairs.
pub fn can_work(a: &Access) -> bool {
    a.is_member() || a.can_manage()
}

/// Loads a problem of the partnership that the caller may see (404 otherwise).
pub async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: i64) -> AppResult<(Access, problem::Model)> {
    let a = Access::load(state, ctx, slug).await?;
    let p = problems::by_id(&state.db, ctx.jid(), id).await?;
    if p.partnership_id != a.partnership.id || !visible_to(&a, &p) {
        return Err(AppError::NotFound);
    }
    Ok((a, p))
}

/// The jurisdiction's active-problem limit.
pub async fn active_limit(state: &AppState, jid: i64) -> AppResult<u32> {
    Ok(settings::get(&state.db, jid, LIMIT_SETTING)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_ACTIVE_LIMIT))
}

/// A refusal: the field at fault and the message in the reader's language.
pub type Refusal = (&'static str, String);

/// The new-problem form (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProblemForm {
    /// Short title (3–200 characters).
    #[serde(default)]
    pub title: String,
    /// Incident category key (`drugs`, `violent`, …) or `non_crime`.
    #[serde(default)]
    pub category: String,
    /// Goals served: any of `arrest`, `prevent`, `solve`, `quality`, comma-separated.
    #[serde(default)]
    pub goals: String,
    /// What the problem is.
    #[serde(default)]
    pub description: String,
    /// The area it covers.
    pub area_id: Option<i64>,
    /// A named place (corner, park, block).
    #[serde(default)]
    pub place: String,
    /// Latitude of the place (WGS 84), with `lon`.
    pub lat: Option<f64>,
    /// Longitude of the place.
    pub lon: Option<f64>,
    /// `high`, `medium` (default) or `low`.
    #[serde(default)]
    pub priority: String,
    /// Where it came from: `crime_rise`, `hotspot`, `reports`, `survey` or `member` (default).
    #[serde(default)]
    pub source: String,
    /// Scanning evidence (JSON), kept with the problem.
    #[serde(default)]
    pub evidence: String,
    /// A closed decision of the partnership approving a problem beyond the active limit.
    pub decision_id: Option<i64>,
    /// Keep off the public pages.
    #[serde(default)]
    pub private: Option<String>,
}

impl ProblemForm {
    /// Reads the page form (checkbox goals arrive as repeated fields; empty numbers are absent).
    pub fn from_pairs(pairs: &[(String, String)]) -> ProblemForm {
        let field = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
        ProblemForm {
            title: field("title"),
            category: field("category"),
            goals: pairs.iter().filter(|(k, _)| k == "goals").map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(","),
            description: field("description"),
            area_id: field("area_id").parse().ok(),
            place: field("place"),
            lat: field("lat").trim().parse().ok(),
            lon: field("lon").trim().parse().ok(),
            priority: field("priority"),
            source: field("source"),
            evidence: field("evidence"),
            decision_id: field("decision_id").parse().ok(),
            private: Some(field("private")).filter(|v| !v.is_empty()),
        }
    }
}

/// Checks and records a new problem (co-chairs). Beyond the active limit it needs a closed decision of the
/// partnership; the evidence must be JSON. `Ok(Err(refusal))` names the field.
pub async fn record(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    f: &ProblemForm,
) -> AppResult<Result<problem::Model, Refusal>> {
    let t = ctx.tr();
    let title = f.title.trim();
    if title.chars().count() < 3 || title.chars().count() > 200 {
        return Ok(Err(("title", t.t("problem-error-title"))));
    }
    let category = f.category.trim();
    if category != NON_CRIME && Category::parse(category).is_none() {
        return Ok(Err(("category", t.t("problem-error-category"))));
    }
    let goals = match Goal::parse_list(&f.goals) {
        Ok(g) if !g.is_empty() => g,
        _ => return Ok(Err(("goals", t.t("problem-error-goals")))),
    };
    let description = f.description.trim();
    if description.chars().count() > commonbeat_domain::problem::MAX_TEXT {
        return Ok(Err(("description", t.t("problem-error-too-long"))));
    }
    let priority = match f.priority.trim() {
        "" => Priority::Medium,
        p => match Priority::parse(p) {
            Some(p) => p,
            None => return Ok(Err(("priority", t.t("problem-error-priority")))),
        },
    };
    let source = match f.source.trim() {
        "" => Source::Member,
        s => match Source::parse(s) {
            Some(s) => s,
            None => return Ok(Err(("source", t.t("problem-error-source")))),
        },
    };
    let evidence = match f.evidence.trim() {
        "" => String::new(),
        e => match serde_json::from_str::<serde_json::Value>(e) {
            Ok(v) if v.is_object() && e.len() <= 8000 => v.to_string(),
            _ => return Ok(Err(("evidence", t.t("problem-error-evidence")))),
        },
    };
    if let Some(area) = f.area_id {
        let linked = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?;
        if !linked.iter().any(|x| x.id == area) {
            return Ok(Err(("area_id", t.t("problem-error-area"))));
        }
    }
    let geometry = match (f.lat, f.lon) {
        (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
            json!({"type": "Point", "coordinates": [lon, lat]}).to_string()
        }
        (None, None) => String::new(),
        _ => return Ok(Err(("lat", t.t("problem-error-point")))),
    };
    let active = problems::count_active(&state.db, ctx.jid(), a.partnership.id).await? as u32;
    let limit = active_limit(state, ctx.jid()).await?;
    let mut decision_id = None;
    if let Some(d) = f.decision_id {
        let ok = decisions::by_id(&state.db, ctx.jid(), d)
            .await
            .ok()
            .filter(|x| x.partnership_id == a.partnership.id && x.status == "closed" && x.outcome.is_some());
        if ok.is_none() {
            return Ok(Err(("decision_id", t.t("problem-error-decision"))));
        }
        decision_id = Some(d);
    }
    if let Err(e) = check_active_limit(active, limit, decision_id.is_some()) {
        return Ok(Err((
            "decision_id",
            t.t2("problem-error-limit", ("active", &e.active.to_string()), ("limit", &e.limit.to_string())),
        )));
    }
    let p = problems::create(
        &state.db,
        ctx.jid(),
        NewProblem {
            partnership_id: a.partnership.id,
            title: title.to_string(),
            category: category.to_string(),
            goals: Goal::join(&goals),
            description: description.to_string(),
            area_id: f.area_id,
            place: f.place.trim().chars().take(200).collect(),
            geometry,
            priority: priority.as_str().to_string(),
            source: source.as_str().to_string(),
            evidence,
            is_public: f.private.is_none(),
            decision_id,
            created_by: ctx.user.as_ref().map(|u| u.id),
        },
        &t.t("problem-created-note"),
    )
    .await?;
    // A problem made from community reports takes them along.
    if source == Source::Reports {
        let ids: Vec<i64> = serde_json::from_str::<serde_json::Value>(&p.evidence)
            .ok()
            .and_then(|v| v["report_ids"].as_array().map(|a| a.iter().filter_map(|x| x.as_i64()).collect()))
            .unwrap_or_default();
        commonbeat_store::repo::reports::link_problem(&state.db, ctx.jid(), &ids, p.id, a.partnership.id).await?;
    }
    ctx.audit(state, "problem.create", &format!("problem:{}", p.id), "success", json!({"source": p.source})).await?;
    Ok(Ok(p))
}

/// A problem row on the list.
pub struct Row {
    id: i64,
    title: String,
    stage: String,
    stage_key: String,
    priority: String,
    category: String,
    verdict: String,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    rows: Vec<Row>,
    stages: Vec<(String, usize)>,
    active: u32,
    limit: u32,
    active_text: String,
    can_manage: bool,
    can_scan: bool,
    areas: Vec<(i64, String, bool)>,
    categories: Vec<(String, String)>,
    goals: Vec<(String, String)>,
    decisions: Vec<(i64, String)>,
    v: ProblemForm,
    focus: String,
    tiles: String,
}

/// Category choices (incident categories and "other") in the reader's language.
pub fn category_choices(t: &crate::i18n::Tr) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        Category::ALL.iter().map(|c| (c.as_str().to_string(), t.t(&format!("crime-cat-{}", c.as_str())))).collect();
    v.push((NON_CRIME.into(), t.t("problem-category-non_crime")));
    v
}

/// A category label.
pub fn category_label(t: &crate::i18n::Tr, key: &str) -> String {
    if key == NON_CRIME { t.t("problem-category-non_crime") } else { t.t(&format!("crime-cat-{key}")) }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = Access::load(&state, &ctx, &slug).await?;
    list_page(&state, &ctx, &a, None, ProblemForm::default()).await
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    error: Option<String>,
    v: ProblemForm,
) -> AppResult<Response> {
    let t = ctx.tr();
    let all = problems::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    let visible: Vec<&problem::Model> = all.iter().filter(|p| visible_to(a, p)).collect();
    let stages = Stage::ALL
        .iter()
        .map(|s| (t.t(&format!("problem-stage-{s}")), visible.iter().filter(|p| p.stage == s.as_str()).count()))
        .collect();
    let rows = visible
        .iter()
        .map(|p| Row {
            id: p.id,
            title: p.title.clone(),
            stage: t.t(&format!("problem-stage-{}", p.stage)),
            stage_key: p.stage.clone(),
            priority: t.t(&format!("problem-priority-{}", p.priority)),
            category: category_label(&t, &p.category),
            verdict: p.verdict.as_ref().map(|v| t.t(&format!("problem-verdict-{v}"))).unwrap_or_default(),
        })
        .collect();
    let can_manage = a.can_manage();
    let (areas, decisions) = if can_manage {
        let areas = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?;
        let ds = decisions::for_partnership(&state.db, ctx.jid(), a.partnership.id, true).await?;
        (
            areas.iter().map(|x| (x.id, x.name.clone(), v.area_id == Some(x.id))).collect::<Vec<_>>(),
            ds.into_iter().filter(|d| d.status == "closed" && d.outcome.is_some()).map(|d| (d.id, d.title)).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let focus = areas.iter().map(|(id, _, _)| id.to_string()).collect::<Vec<_>>().join(",");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let active = all.iter().filter(|p| p.stage != "closed").count() as u32;
    let limit = active_limit(state, ctx.jid()).await?;
    render_status(
        status,
        &ListPage {
            shell: Shell::titled(ctx, t.t1("problems-title", "partnership", &a.partnership.name)),
            error,
            notice: None,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            rows,
            stages,
            active,
            limit,
            active_text: t.t2("problems-active", ("active", &active.to_string()), ("limit", &limit.to_string())),
            can_manage,
            can_scan: can_work(a) || ctx.role().is_some_and(|r| crate::routes::crime::POLICE.contains(&r)),
            areas,
            categories: category_choices(&t),
            goals: Goal::ALL.iter().map(|g| (g.as_str().to_string(), t.t(&format!("goal-{}", g.as_str())))).collect(),
            decisions,
            v,
            focus,
            tiles: state.config.tile_url.clone().unwrap_or_default(),
        },
    )
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let f = ProblemForm::from_pairs(&pairs);
    match record(&state, &ctx, &a, &f).await? {
        Ok(p) => Ok(Redirect::to(&format!("/partnerships/{slug}/problems/{}", p.id)).into_response()),
        Err((_, msg)) => list_page(&state, &ctx, &a, Some(msg), f).await,
    }
}
