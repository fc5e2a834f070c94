//! Open answers: staff moderate them (approve or reject) and tag each with a theme; approved answers are
//! searchable by words or theme. Approved "number one issue" answers with a theme feed problem scanning through
//! `commonbeat_store::repo::surveys::top_issues`. Analysts only; open answers are never shown publicly.

use super::load;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::Shell;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::survey::is_id;
use commonbeat_store::repo::{areas, surveys};
use serde::Deserialize;
use serde_json::json;

/// Themes offered as tags (free themes following the same id rule are accepted too).
pub const THEMES: [&str; 10] =
    ["speeding", "drugs", "violence", "theft", "noise", "litter", "youth", "lighting", "housing", "police_conduct"];

/// Query of the moderation page.
#[derive(Debug, Deserialize, Default)]
pub struct TextQuery {
    /// `pending` (default), `approved`, `rejected` or `all`.
    pub status: Option<String>,
    /// Words or a theme to look for.
    pub q: Option<String>,
}

/// An open answer on the page.
pub struct TextRow {
    id: i64,
    item: String,
    area: String,
    body: String,
    status: String,
    theme: String,
}

#[derive(Template)]
#[template(path = "surveys/texts.html")]
struct TextsPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    id: i64,
    status: String,
    q: String,
    rows: Vec<TextRow>,
    themes: Vec<String>,
}

/// The moderation and search page.
pub async fn page_handler(state: &AppState, ctx: &Ctx, id: i64, q: TextQuery) -> AppResult<Response> {
    let s = load(state, ctx, id).await?;
    let status = q.status.clone().unwrap_or_else(|| "pending".into());
    if !matches!(status.as_str(), "pending" | "approved" | "rejected" | "all") {
        return Err(AppError::invalid("status", "pending, approved, rejected or all"));
    }
    let query = q.q.clone().unwrap_or_default();
    let filter = (status != "all").then_some(status.as_str());
    let names: std::collections::HashMap<i64, String> =
        areas::list(&state.db, ctx.jid(), None).await?.into_iter().map(|a| (a.id, a.name)).collect();
    let rows = surveys::texts(&state.db, ctx.jid(), s.id, filter, &query, 200)
        .await?
        .into_iter()
        .map(|x| TextRow {
            id: x.id,
            item: x.item_id,
            area: x.area_id.and_then(|a| names.get(&a).cloned()).unwrap_or_default(),
            body: x.body,
            status: x.status,
            theme: x.theme,
        })
        .collect();
    crate::routes::pages::render(&TextsPage {
        shell: Shell::titled(ctx, ctx.tr().t1("survey-texts-title", "title", &s.title)),
        error: None,
        notice: None,
        id: s.id,
        status,
        q: query,
        rows,
        themes: THEMES.iter().map(|t| t.to_string()).collect(),
    })
}

/// `GET /surveys/{id}/texts`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TextQuery>,
) -> AppResult<Response> {
    page_handler(&state, &ctx, id, q).await
}

/// The moderation form.
#[derive(Debug, Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    theme: String,
}

/// Approves or rejects an open answer and sets its theme.
pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, tid)): Path<(i64, i64)>,
    Form(f): Form<ModerateForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let user = ctx.require_role(crate::routes::crime::POLICE)?.id;
    if !matches!(f.decision.as_str(), "approved" | "rejected") {
        return Err(AppError::invalid("decision", "approved or rejected"));
    }
    let theme = f.theme.trim().to_lowercase().replace([' ', '-'], "_");
    if !theme.is_empty() && !is_id(&theme) {
        return Err(AppError::invalid("theme", "letters, digits and _ only"));
    }
    if surveys::text_by_id(&state.db, ctx.jid(), tid).await?.survey_id != s.id {
        return Err(AppError::NotFound);
    }
    surveys::moderate(&state.db, ctx.jid(), tid, &f.decision, &theme, Some(user)).await?;
    ctx.audit(
        &state,
        "survey.text.moderate",
        &format!("survey_text:{tid}"),
        "success",
        json!({"decision": f.decision, "theme": theme}),
    )
    .await?;
    Ok(Redirect::to(&format!("/surveys/{id}/texts")).into_response())
}
