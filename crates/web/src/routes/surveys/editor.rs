//! Editing an instrument's items in place (analysts only, like the rest of the editor): moving an item up or down
//! (`POST /surveys/{id}/items/move` with `index` and `direction`, from a pair of buttons on every row of the survey
//! page) and changing an item's texts and options on its own page (`/surveys/{id}/items/{item}/edit`). The id and
//! kind of an item never change, so answers already given still count. Saving goes through the survey page's
//! `save`, so a version that a wave has fielded is kept and the edit becomes a new version.

use super::{instrument_of, load, save, show_page};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render_status};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_domain::survey::editing::{Direction, EditError, ItemEdit, choices_text, parse_choices};
use commonbeat_domain::survey::{Item, ItemKind};
use commonbeat_store::entities::survey;
use commonbeat_store::repo::surveys;
use serde::Deserialize;

/// The move form: the item's 0-based `index` and `direction` (`up` or `down`).
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    index: String,
    #[serde(default)]
    direction: String,
}

/// Moves an item one place up or down.
pub async fn move_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let t = ctx.tr();
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let mut inst = instrument_of(&v.instrument)?;
    let refuse = |msg: String| show_page(&state, &ctx, &s, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY);
    let Some(direction) = Direction::parse(&f.direction) else {
        return refuse(t.t("survey-error-direction")).await;
    };
    let count = inst.items.len();
    // A missing or malformed index is reported like an index past the end.
    let index = f.index.trim().parse::<usize>().unwrap_or(usize::MAX);
    if let Err(e) = inst.move_item(index, direction) {
        let msg = match e {
            EditError::NoItem { .. } => {
                let position = index.checked_add(1).map(|p| p.to_string()).unwrap_or_else(|| f.index.clone());
                t.t2("survey-error-index", ("position", &position), ("count", &count.to_string()))
            }
            EditError::AtEdge { index, direction } => {
                let dir = if direction == Direction::Up { "up" } else { "down" };
                t.t2("survey-error-edge", ("direction", dir), ("position", &(index + 1).to_string()))
            }
        };
        return refuse(msg).await;
    }
    save(&state, &ctx, &s, inst, "survey.item.move").await
}

#[derive(Template)]
#[template(path = "surveys/item_edit.html")]
struct EditPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    id: i64,
    survey: String,
    item: String,
    kind: String,
    fixed_text: bool,
    has_choices: bool,
    numeric: bool,
    is_text: bool,
    en: String,
    es: String,
    scale: String,
    choices: String,
    top_issue: bool,
}

/// The item-edit form (the same fields as adding an item, without id and kind).
#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    en: String,
    #[serde(default)]
    es: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    choices: String,
    #[serde(default)]
    top_issue: Option<String>,
}

fn edit_page(
    ctx: &Ctx,
    s: &survey::Model,
    it: &Item,
    f: Option<&EditForm>,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let t = ctx.tr();
    let page = EditPage {
        shell: Shell::titled(ctx, t.t1("survey-item-edit-title", "item", &it.id)),
        error,
        notice: None,
        id: s.id,
        survey: s.title.clone(),
        item: it.id.clone(),
        kind: t.t(&format!("survey-kind-{}", it.kind.as_str())),
        fixed_text: it.kind == ItemKind::Demographics,
        has_choices: it.kind.has_choices(),
        numeric: it.kind.is_numeric(),
        is_text: it.kind == ItemKind::Text,
        en: f.map_or_else(|| it.en.clone(), |f| f.en.clone()),
        es: f.map_or_else(|| it.es.clone(), |f| f.es.clone()),
        scale: f.map_or_else(|| it.scale.clone().unwrap_or_default(), |f| f.scale.clone()),
        choices: f.map_or_else(|| choices_text(&it.choices), |f| f.choices.clone()),
        top_issue: f.map_or(it.top_issue, |f| f.top_issue.is_some()),
    };
    render_status(status, &page)
}

/// The page to edit one item.
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, String)>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let inst = instrument_of(&v.instrument)?;
    let it = inst.items.iter().find(|i| i.id == item).ok_or(AppError::NotFound)?;
    edit_page(&ctx, &s, it, None, None, StatusCode::OK)
}

/// Saves an item's new texts and options; a problem shows the form again with what was typed.
pub async fn edit_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, item)): Path<(i64, String)>,
    Form(f): Form<EditForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let mut inst = instrument_of(&v.instrument)?;
    let index = inst.items.iter().position(|i| i.id == item).ok_or(AppError::NotFound)?;
    let edit = ItemEdit {
        en: f.en.clone(),
        es: f.es.clone(),
        choices: parse_choices(&f.choices),
        scale: Some(f.scale.clone()),
        top_issue: f.top_issue.is_some(),
    };
    let original = inst.items[index].clone();
    inst.edit_item(index, edit).map_err(|_| AppError::NotFound)?;
    if let Err(errs) = inst.validate() {
        let msg = errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        return edit_page(&ctx, &s, &original, Some(&f), Some(msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    save(&state, &ctx, &s, inst, "survey.item.edit").await
}
