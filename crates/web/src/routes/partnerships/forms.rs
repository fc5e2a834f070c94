//! Forming a partnership and editing its charter.

use super::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::routes::pages::{Shell, render, render_status};
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::Role;
use commonbeat_domain::partnership::{Cadence, Charter, Goal};
use commonbeat_store::repo::{areas, partnerships};

#[derive(Template)]
#[template(path = "partnerships/form.html")]
struct FormPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    action: String,
    heading: String,
    name: String,
    mission: String,
    founding_problem: String,
    cadence: String,
    goals: Vec<(String, String, bool)>,
    cadences: Vec<(String, String)>,
    areas: Vec<(i64, String, bool)>,
}

/// The submitted charter form (repeated `goal` and `area` fields, so parsed from raw pairs).
#[derive(Default)]
struct CharterInput {
    name: String,
    mission: String,
    founding_problem: String,
    cadence: String,
    goals: Vec<String>,
    areas: Vec<i64>,
}

fn parse_input(raw: &[u8]) -> CharterInput {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
    let mut c = CharterInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => c.name = v,
            "mission" => c.mission = v,
            "founding_problem" => c.founding_problem = v,
            "cadence" => c.cadence = v,
            "goal" => c.goals.push(v),
            "area" => c.areas.extend(v.parse::<i64>().ok()),
            _ => {}
        }
    }
    c
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    action: String,
    heading: String,
    input: &CharterInput,
    error: Option<String>,
) -> AppResult<FormPage> {
    let t = ctx.tr();
    let all = areas::list(&state.db, ctx.jid(), None).await?;
    Ok(FormPage {
        shell: Shell::titled(ctx, heading.clone()),
        error,
        notice: None,
        action,
        heading,
        name: input.name.clone(),
        mission: input.mission.clone(),
        founding_problem: input.founding_problem.clone(),
        cadence: if input.cadence.is_empty() { "monthly".into() } else { input.cadence.clone() },
        goals: Goal::ALL
            .iter()
            .map(|g| {
                (g.as_str().into(), t.t(&format!("goal-{}", g.as_str())), input.goals.iter().any(|x| x == g.as_str()))
            })
            .collect(),
        cadences: Cadence::ALL.iter().map(|c| (c.as_str().into(), t.t(&format!("cadence-{}", c.as_str())))).collect(),
        areas: all
            .iter()
            .map(|a| {
                (a.id, format!("{} ({})", a.name, t.t(&format!("area-kind-{}", a.kind))), input.areas.contains(&a.id))
            })
            .collect(),
    })
}

fn charter_errors(ctx: &Ctx, errs: &[commonbeat_domain::partnership::CharterError]) -> String {
    let t = ctx.tr();
    errs.iter()
        .map(|e| format!("{}: {}", t.t(&format!("field-{}", e.field.replace('_', "-"))), e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `GET /partnerships/new` — police and administrators form partnerships.
pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(&[Role::Police, Role::Admin])?;
    let t = ctx.tr();
    render(&form_page(&state, &ctx, "/partnerships".into(), t.t("form-title"), &CharterInput::default(), None).await?)
}

/// `POST /partnerships` — creates it in `forming`; the creator joins on the police side and takes the police
/// co-chair seat for a year (a co-chair can hand it over at any time).
pub async fn create(State(state): State<AppState>, ctx: Ctx, RawForm(raw): RawForm) -> AppResult<Response> {
    ctx.require_role(&[Role::Police, Role::Admin])?;
    let input = parse_input(&raw);
    let t = ctx.tr();
    let charter = match Charter::parse(
        &input.name,
        &input.mission,
        &input.goals.join(","),
        &input.founding_problem,
        &input.cadence,
    ) {
        Ok(c) => c,
        Err(errs) => {
            let msg = charter_errors(&ctx, &errs);
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&state, &ctx, "/partnerships".into(), t.t("form-title"), &input, Some(msg)).await?,
            );
        }
    };
    let p = super::service::form(&state, &ctx, &charter, &input.areas).await?;
    Ok(Redirect::to(&format!("/partnerships/{}", p.slug)).into_response())
}

/// `GET /partnerships/{slug}/edit` — co-chairs and administrators.
pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let p = &a.partnership;
    let current: Vec<i64> = partnerships::areas_of(&state.db, ctx.jid(), p.id).await?.iter().map(|x| x.id).collect();
    let input = CharterInput {
        name: p.name.clone(),
        mission: p.mission.clone(),
        founding_problem: p.founding_problem.clone(),
        cadence: p.cadence.clone(),
        goals: p.goals.split(',').map(String::from).collect(),
        areas: current,
    };
    let t = ctx.tr();
    render(
        &form_page(
            &state,
            &ctx,
            format!("/partnerships/{slug}/edit"),
            t.t1("edit-title", "name", &p.name),
            &input,
            None,
        )
        .await?,
    )
}

/// `POST /partnerships/{slug}/edit`.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawForm(raw): RawForm,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let input = parse_input(&raw);
    let t = ctx.tr();
    let charter =
        Charter::parse(&input.name, &input.mission, &input.goals.join(","), &input.founding_problem, &input.cadence);
    let charter = match charter {
        Ok(c) => c,
        Err(errs) => {
            let msg = charter_errors(&ctx, &errs);
            let page = form_page(
                &state,
                &ctx,
                format!("/partnerships/{slug}/edit"),
                t.t1("edit-title", "name", &a.partnership.name),
                &input,
                Some(msg),
            )
            .await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    super::service::update_charter(&state, &ctx, &a, &charter, &input.areas).await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}")).into_response())
}
