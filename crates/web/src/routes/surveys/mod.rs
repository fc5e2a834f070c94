//! Trust and safety surveys: analysts (police and administrators) build instruments from the built-in templates
//! or their own items, field them in waves (public link and QR flyer, e-mailed single-use links, after-contact
//! cards), moderate open answers and read the weighted results. Residents answer anonymously at `/s/{code}`. The
//! public sees results only when an analyst publishes them, and never a cell below k.

pub mod charts;
pub mod compute;
pub mod distribute;
pub mod editor;
pub mod map;
pub mod prepared;
pub mod public;
pub mod results;
pub mod results_page;
pub mod texts;

use super::guarded;
use super::pages::{Shell, render, render_status};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::crime::POLICE;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::survey::editing::parse_choices;
use commonbeat_domain::survey::templates::{KEYS, blank, template};
use commonbeat_domain::survey::{Instrument, Item, ItemKind, check_wave, is_id};
use commonbeat_store::entities::{survey, survey_wave};
use commonbeat_store::repo::{areas, surveys};
use serde::Deserialize;
use serde_json::json;

/// Survey routes (pages, public answering, API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", guarded(get(list).post(create)))
        .route("/surveys/{id}", guarded(get(show)))
        .route("/surveys/{id}/items", guarded(post(add_item)))
        .route("/surveys/{id}/items/remove", guarded(post(remove_item)))
        .route("/surveys/{id}/items/move", guarded(post(editor::move_item)))
        .route("/surveys/{id}/items/{item}/edit", guarded(get(editor::edit_form).post(editor::edit_item)))
        .route("/surveys/{id}/publish", guarded(post(publish)))
        .route("/surveys/{id}/waves", guarded(post(create_wave)))
        .route("/surveys/{id}/waves/{wid}", guarded(get(distribute::wave_page)))
        .route("/surveys/{id}/waves/{wid}/status", guarded(post(distribute::wave_status)))
        .route("/surveys/{id}/waves/{wid}/invite", guarded(post(distribute::invite)))
        .route("/surveys/{id}/waves/{wid}/cards", guarded(post(distribute::cards)))
        .route("/surveys/{id}/waves/{wid}/flyer.svg", guarded(get(distribute::flyer)))
        .route("/surveys/{id}/texts", guarded(get(texts::page)))
        .route("/surveys/{id}/texts/{tid}", guarded(post(texts::moderate)))
        .route("/surveys/{id}/results", guarded(get(results_page::page)))
        .route("/surveys/{id}/results.csv", guarded(get(results::csv)))
        .route("/api/v1/surveys/{id}/results", guarded(get(results::api)))
        .route("/s/{code}", guarded(get(public::form).post(public::submit)))
        .route("/s/{code}/thanks", guarded(get(public::thanks)))
}

/// Loads a survey of the caller's jurisdiction for an analyst.
pub async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<survey::Model> {
    ctx.require_role(POLICE)?;
    Ok(surveys::by_id(&state.db, ctx.jid(), id).await?)
}

/// Loads a wave of a survey for an analyst.
pub async fn load_wave(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    wid: i64,
) -> AppResult<(survey::Model, survey_wave::Model)> {
    let s = load(state, ctx, id).await?;
    let w = surveys::wave_by_id(&state.db, ctx.jid(), wid).await?;
    if w.survey_id != s.id {
        return Err(AppError::NotFound);
    }
    Ok((s, w))
}

/// The instrument of a stored version (an unreadable one is a server error, never shown half-checked).
pub fn instrument_of(json: &str) -> AppResult<Instrument> {
    Instrument::from_json(json).map_err(|e| AppError::Internal(format!("stored instrument invalid: {e:?}")))
}

/// A survey on the list.
pub struct Row {
    id: i64,
    title: String,
    status: String,
    version: i32,
    public: bool,
}

#[derive(Template)]
#[template(path = "surveys/list.html")]
struct ListPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    rows: Vec<Row>,
    templates: Vec<(String, String)>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(POLICE)?;
    list_page(&state, &ctx, None, StatusCode::OK).await
}

async fn list_page(state: &AppState, ctx: &Ctx, error: Option<String>, status: StatusCode) -> AppResult<Response> {
    let t = ctx.tr();
    let rows = surveys::list(&state.db, ctx.jid())
        .await?
        .into_iter()
        .map(|s| Row {
            id: s.id,
            status: t.t(&format!("survey-status-{}", s.status)),
            title: s.title,
            version: s.current_version,
            public: s.results_public,
        })
        .collect();
    let mut templates: Vec<(String, String)> =
        KEYS.iter().map(|k| (k.to_string(), t.t(&format!("survey-template-{k}")))).collect();
    templates.push(("custom".into(), t.t("survey-template-custom")));
    render_status(status, &ListPage { shell: Shell::new(ctx, "surveys-title"), error, notice: None, rows, templates })
}

/// The new-survey form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    template: String,
    #[serde(default)]
    title: String,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CreateForm>) -> AppResult<Response> {
    let user = ctx.require_role(POLICE)?.clone();
    let t = ctx.tr();
    let title = f.title.trim();
    let inst = if f.template == "custom" {
        if title.is_empty() {
            return list_page(&state, &ctx, Some(t.t("survey-error-title")), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        blank(title)
    } else {
        match template(&f.template) {
            Some(i) => i,
            None => {
                return list_page(&state, &ctx, Some(t.t("survey-error-template")), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
        }
    };
    let name = if title.is_empty() { inst.title_en.clone() } else { title.chars().take(200).collect() };
    let s = surveys::create(&state.db, ctx.jid(), &name, &f.template, &inst.to_json(), Some(user.id)).await?;
    ctx.audit(&state, "survey.create", &format!("survey:{}", s.id), "success", json!({"template": f.template})).await?;
    Ok(Redirect::to(&format!("/surveys/{}", s.id)).into_response())
}

/// An item as the page shows it.
pub struct ItemView {
    index: usize,
    first: bool,
    last: bool,
    id: String,
    kind: String,
    en: String,
    es: String,
    scale: String,
    choices: String,
}

/// A wave on the survey page.
pub struct WaveRow {
    id: i64,
    name: String,
    period: String,
    status: String,
    responses: u64,
    target: i64,
}

#[derive(Template)]
#[template(path = "surveys/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    id: i64,
    title: String,
    version: i32,
    public: bool,
    items: Vec<ItemView>,
    kinds: Vec<(String, String)>,
    waves: Vec<WaveRow>,
    areas: Vec<(i64, String)>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    show_page(&state, &ctx, &s, None, None, StatusCode::OK).await
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    s: &survey::Model,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let t = ctx.tr();
    let v = surveys::current_version(&state.db, ctx.jid(), s).await?;
    let inst = instrument_of(&v.instrument)?;
    let count = inst.items.len();
    let items = inst
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| ItemView {
            index: n,
            first: n == 0,
            last: n + 1 == count,
            id: i.id.clone(),
            kind: t.t(&format!("survey-kind-{}", i.kind.as_str())),
            en: i.en.clone(),
            es: i.es.clone(),
            scale: i.scale.clone().unwrap_or_default(),
            choices: i.choices.iter().map(|c| format!("{} / {}", c.en, c.es)).collect::<Vec<_>>().join("; "),
        })
        .collect();
    let mut waves = Vec::new();
    for w in surveys::waves(&state.db, ctx.jid(), s.id).await? {
        waves.push(WaveRow {
            id: w.id,
            responses: surveys::response_count(&state.db, ctx.jid(), w.id).await?,
            name: w.name,
            period: format!("{} – {}", w.starts_on, w.ends_on),
            status: t.t(&format!("survey-wave-{}", w.status)),
            target: w.target_sample,
        });
    }
    let areas = areas::list(&state.db, ctx.jid(), None).await?.into_iter().map(|a| (a.id, a.name)).collect();
    let kinds = ItemKind::ALL
        .iter()
        .filter(|k| **k != ItemKind::Demographics || !inst.has_demographics())
        .map(|k| (k.as_str().to_string(), t.t(&format!("survey-kind-{}", k.as_str()))))
        .collect();
    let page = ShowPage {
        shell: Shell::titled(ctx, s.title.clone()),
        error,
        notice,
        id: s.id,
        title: s.title.clone(),
        version: s.current_version,
        public: s.results_public,
        items,
        kinds,
        waves,
        areas,
    };
    render_status(status, &page)
}

/// The add-item form. Choices are one per line: `id | English | Spanish`.
#[derive(Debug, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
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

pub(super) async fn save(
    state: &AppState,
    ctx: &Ctx,
    s: &survey::Model,
    inst: Instrument,
    what: &str,
) -> AppResult<Response> {
    let t = ctx.tr();
    if let Err(errs) = inst.validate() {
        let msg = errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        return show_page(state, ctx, s, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (v, new_version) = surveys::save_instrument(&state.db, ctx.jid(), s, &inst.to_json()).await?;
    ctx.audit(
        state,
        what,
        &format!("survey:{}", s.id),
        "success",
        json!({"version": v.version, "new_version": new_version}),
    )
    .await?;
    let s = surveys::by_id(&state.db, ctx.jid(), s.id).await?;
    let notice =
        if new_version { t.t1("survey-new-version", "version", &v.version.to_string()) } else { t.t("survey-saved") };
    show_page(state, ctx, &s, None, Some(notice), StatusCode::OK).await
}

async fn add_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let mut inst = instrument_of(&v.instrument)?;
    let Some(kind) = ItemKind::parse(&f.kind) else {
        return show_page(
            &state,
            &ctx,
            &s,
            Some(ctx.tr().t("survey-error-kind")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let choices = parse_choices(&f.choices);
    let scale = Some(f.scale.trim().to_string()).filter(|x| !x.is_empty());
    let (en, es) = if kind == ItemKind::Demographics {
        ("About you (optional)".to_string(), "Sobre usted (opcional)".to_string())
    } else {
        (f.en.trim().to_string(), f.es.trim().to_string())
    };
    let item_id =
        if kind == ItemKind::Demographics && !is_id(f.id.trim()) { "about_you".into() } else { f.id.trim().into() };
    inst.items.push(Item { id: item_id, kind, en, es, choices, scale, top_issue: f.top_issue.is_some() });
    save(&state, &ctx, &s, inst, "survey.item.add").await
}

/// The remove-item form.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    item_id: String,
}

async fn remove_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RemoveForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let mut inst = instrument_of(&v.instrument)?;
    inst.items.retain(|i| i.id != f.item_id);
    save(&state, &ctx, &s, inst, "survey.item.remove").await
}

/// The publish form.
#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    public: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let public = f.public == "yes";
    surveys::set_results_public(&state.db, ctx.jid(), s.id, public).await?;
    ctx.audit(&state, "survey.publish", &format!("survey:{}", s.id), "success", json!({"public": public})).await?;
    Ok(Redirect::to(&format!("/surveys/{}", s.id)).into_response())
}

/// The new-wave form (areas arrive as repeated `areas` fields).
pub fn wave_fields(pairs: &[(String, String)]) -> (String, String, String, i64, Vec<i64>, bool) {
    let field = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let areas = pairs.iter().filter(|(k, _)| k == "areas").filter_map(|(_, v)| v.parse().ok()).collect();
    (
        field("name"),
        field("starts_on"),
        field("ends_on"),
        field("target_sample").parse().unwrap_or(0),
        areas,
        field("tokens_only").is_empty(),
    )
}

async fn create_wave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, id).await?;
    let (name, starts_on, ends_on, target, area_ids, open_link) = wave_fields(&pairs);
    let known: Vec<i64> = areas::list(&state.db, ctx.jid(), None).await?.iter().map(|a| a.id).collect();
    if area_ids.iter().any(|a| !known.contains(a)) {
        return Err(AppError::NotFound);
    }
    if let Err(field) = check_wave(&name, &starts_on, &ends_on, target, area_ids.len()) {
        let msg = ctx.tr().t(&format!("survey-error-wave-{field}"));
        return show_page(&state, &ctx, &s, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let v = surveys::current_version(&state.db, ctx.jid(), &s).await?;
    let w = surveys::create_wave(
        &state.db,
        ctx.jid(),
        surveys::NewWave {
            survey_id: s.id,
            version_id: v.id,
            name,
            starts_on,
            ends_on,
            area_ids,
            target_sample: target,
            open_link,
        },
    )
    .await?;
    ctx.audit(&state, "survey.wave.create", &format!("survey_wave:{}", w.id), "success", json!({"survey": s.id}))
        .await?;
    Ok(Redirect::to(&format!("/surveys/{}/waves/{}", s.id, w.id)).into_response())
}

/// Renders a page (re-exported for the submodules).
pub fn page<T: Template>(tpl: &T) -> AppResult<Response> {
    render(tpl)
}
