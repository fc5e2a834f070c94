//! Anonymous answering at `/s/{code}`: no account, mobile-first, English or Spanish (`?lang=es`). The response
//! row never holds the IP address, the account or the token, and its time is rounded to the hour.
//!
//! Against ballot stuffing on the public link: a hidden honeypot field (`website`; a filled one is thanked and
//! dropped), and at most [`RATE_LIMIT`] submissions per hour from one address to one wave (the rate-limit bucket
//! holds a hash of the address and wave, never the address). A token (e-mailed link `?t=` or after-contact card
//! code) is used up in the same transaction that stores the response, so it gives one response.

use super::instrument_of;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render, render_status};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::Locale;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::survey::answers::{parse_answers, survey_categories};
use commonbeat_domain::survey::{Instrument, ItemKind, normalise_card_code};
use commonbeat_store::entities::survey_wave;
use commonbeat_store::repo::audit::AuditEvent;
use commonbeat_store::repo::{areas, audit, surveys, zips};
use commonbeat_store::secrets::hash_token;
use serde::Deserialize;
use std::collections::HashMap;

/// Submissions allowed per hour from one address to one wave.
pub const RATE_LIMIT: i64 = 20;
/// The honeypot field's name.
pub const HONEYPOT: &str = "website";

/// Query of the answer page.
#[derive(Debug, Deserialize, Default)]
pub struct AnswerQuery {
    /// Preselected area.
    pub area: Option<i64>,
    /// E-mailed single-use token.
    pub t: Option<String>,
}

/// A question as the page shows it.
pub struct Question {
    id: String,
    kind: String,
    text: String,
    choices: Vec<(String, String)>,
    /// 0–10 or 1–5 answer values with labels for the ends.
    values: Vec<(u8, String)>,
    value: String,
    chosen: Vec<String>,
}

/// A demographics question.
pub struct DemoQuestion {
    dim: String,
    label: String,
    choices: Vec<(String, String)>,
    value: String,
}

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    code: String,
    intro: String,
    closed: bool,
    needs_token: bool,
    token: String,
    questions: Vec<Question>,
    demographics: Vec<DemoQuestion>,
    areas: Vec<(i64, String, bool)>,
    zip: String,
}

async fn wave_for(state: &AppState, ctx: &Ctx, code: &str) -> AppResult<(survey_wave::Model, Instrument)> {
    let w = surveys::wave_by_code(&state.db, ctx.jid(), code).await?;
    let v = surveys::version_by_id(&state.db, ctx.jid(), w.version_id).await?;
    Ok((w, instrument_of(&v.instrument)?))
}

/// The answer page.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<AnswerQuery>,
) -> AppResult<Response> {
    let (w, inst) = wave_for(&state, &ctx, &code).await?;
    let token = q.t.unwrap_or_default();
    answer_page(&state, &ctx, &w, &inst, None, &HashMap::new(), q.area, token, StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn answer_page(
    state: &AppState,
    ctx: &Ctx,
    w: &survey_wave::Model,
    inst: &Instrument,
    error: Option<String>,
    given: &HashMap<String, Vec<String>>,
    area: Option<i64>,
    token: String,
    status: StatusCode,
) -> AppResult<Response> {
    let t = ctx.tr();
    let es = ctx.locale == Locale::Es;
    let one = |k: &str| given.get(k).and_then(|v| v.first()).cloned().unwrap_or_default();
    let questions = inst
        .items
        .iter()
        .filter(|i| i.kind != ItemKind::Demographics)
        .map(|i| {
            let values = match i.kind {
                ItemKind::Scale10 => (0..=10)
                    .map(|n| {
                        let label = match n {
                            0 => t.t("survey-scale-low"),
                            10 => t.t("survey-scale-high"),
                            _ => String::new(),
                        };
                        (n, label)
                    })
                    .collect(),
                ItemKind::Likert5 => (1..=5).map(|n| (n, t.t(&format!("survey-likert-{n}")))).collect(),
                _ => Vec::new(),
            };
            let field = format!("q_{}", i.id);
            Question {
                id: i.id.clone(),
                kind: i.kind.as_str().to_string(),
                text: i.text(es).to_string(),
                choices: i
                    .choices
                    .iter()
                    .map(|c| (c.id.clone(), if es { c.es.clone() } else { c.en.clone() }))
                    .collect(),
                values,
                value: one(&field),
                chosen: given.get(&field).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let demographics = if inst.has_demographics() {
        Dimension::ALL
            .iter()
            .map(|d| DemoQuestion {
                dim: d.as_str().to_string(),
                label: t.t(&format!("survey-demo-{}", d.as_str())),
                choices: survey_categories(*d)
                    .into_iter()
                    .map(|c| (c.to_string(), t.t(&format!("cat-{}-{c}", d.as_str()))))
                    .collect(),
                value: one(&format!("d_{}", d.as_str())),
            })
            .collect()
    } else {
        Vec::new()
    };
    let wave_areas = surveys::wave_areas(w);
    let areas = areas::list(&state.db, ctx.jid(), None)
        .await?
        .into_iter()
        .filter(|a| wave_areas.contains(&a.id))
        .map(|a| (a.id, a.name, area == Some(a.id)))
        .collect();
    let page = AnswerPage {
        shell: Shell::titled(ctx, inst.title(es).to_string()),
        error,
        notice: None,
        code: w.code.clone(),
        intro: inst.intro(es).to_string(),
        closed: w.status != "open",
        needs_token: !w.open_link,
        token,
        questions,
        demographics,
        areas,
        zip: one("zip"),
    };
    render_status(status, &page)
}

/// Takes a response.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (w, inst) = wave_for(&state, &ctx, &code).await?;
    let t = ctx.tr();
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in &pairs {
        given.entry(k.clone()).or_default().push(v.clone());
    }
    let one = |k: &str| given.get(k).and_then(|v| v.first()).map(|s| s.trim().to_string()).unwrap_or_default();
    let thanks = Redirect::to(&format!("/s/{}/thanks", w.code)).into_response();
    let bucket = format!("survey:{}", &hash_token(&format!("{}|{}", ctx.source, w.code))[..24]);
    crate::middleware::rate_limit(&state, &bucket, RATE_LIMIT, 3600).await?;
    if !one(HONEYPOT).is_empty() {
        record(&state, &ctx, &w, "survey.response", "rejected", "honeypot").await?;
        return Ok(thanks);
    }
    let area_pick = one("area").parse::<i64>().ok();
    if w.status != "open" {
        return answer_page(
            &state,
            &ctx,
            &w,
            &inst,
            Some(t.t("survey-closed")),
            &given,
            area_pick,
            String::new(),
            StatusCode::GONE,
        )
        .await;
    }
    // The token: an e-mailed link's `t` or a typed card code.
    let link_token = one("t");
    let card = one("card");
    let (token, channel) = if !link_token.is_empty() {
        (Some(link_token.clone()), "email")
    } else if !card.is_empty() {
        match normalise_card_code(&card) {
            Some(c) => (Some(c), "card"),
            None => {
                let e = Some(t.t("survey-error-card"));
                return answer_page(
                    &state,
                    &ctx,
                    &w,
                    &inst,
                    e,
                    &given,
                    area_pick,
                    String::new(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        }
    } else {
        (None, "link")
    };
    let token_row = match &token {
        Some(tok) => match surveys::live_token(&state.db, ctx.jid(), w.id, tok).await? {
            Some(r) => Some(r),
            None => {
                let e = Some(t.t("survey-error-token"));
                return answer_page(
                    &state,
                    &ctx,
                    &w,
                    &inst,
                    e,
                    &given,
                    area_pick,
                    link_token,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        None if !w.open_link => {
            let e = Some(t.t("survey-error-token-needed"));
            return answer_page(&state, &ctx, &w, &inst, e, &given, area_pick, String::new(), StatusCode::FORBIDDEN)
                .await;
        }
        None => None,
    };
    let answers = match parse_answers(&inst, &pairs) {
        Ok(a) => a,
        Err(errs) => {
            let fields = errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ");
            let e = Some(t.t1("survey-error-answers", "fields", &fields));
            return answer_page(
                &state,
                &ctx,
                &w,
                &inst,
                e,
                &given,
                area_pick,
                link_token,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let wave_areas = surveys::wave_areas(&w);
    let zip = one("zip");
    let area = match token_row.as_ref().and_then(|r| r.area_id) {
        Some(a) => Some(a),
        None => match area_pick {
            Some(a) if wave_areas.contains(&a) => Some(a),
            Some(_) => return Err(AppError::invalid("area", "not an area of this survey")),
            None if !zip.is_empty() => area_of_zip(&state, ctx.jid(), &zip, &wave_areas).await?,
            None => None,
        },
    };
    if answers.is_empty() {
        let e = Some(t.t("survey-error-empty"));
        return answer_page(
            &state,
            &ctx,
            &w,
            &inst,
            e,
            &given,
            area_pick,
            link_token,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let d = &answers.demographics;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let texts = answers
        .open
        .iter()
        .map(|(id, body)| (id.clone(), inst.items.iter().any(|i| i.id == *id && i.top_issue), body.clone()))
        .collect();
    let new = surveys::NewResponse {
        survey_id: w.survey_id,
        wave_id: w.id,
        version_id: w.version_id,
        area_id: area,
        answers: serde_json::to_string(&answers.closed).unwrap_or_default(),
        demographics: [s(&d.race), s(&d.age), s(&d.sex), s(&d.tenure), s(&d.income), s(&d.language)],
        locale: ctx.locale.tag().to_string(),
        channel: channel.to_string(),
        texts,
        at: commonbeat_store::now(),
    };
    match surveys::submit(&state.db, ctx.jid(), new, token.as_deref()).await {
        Ok(_) => {}
        Err(commonbeat_store::StoreError::Conflict { .. }) => {
            let e = Some(t.t("survey-error-token"));
            return answer_page(&state, &ctx, &w, &inst, e, &given, area_pick, String::new(), StatusCode::CONFLICT)
                .await;
        }
        Err(e) => return Err(e.into()),
    }
    record(&state, &ctx, &w, "survey.response", "success", channel).await?;
    Ok(thanks)
}

/// An audit entry for an anonymous response: the wave and channel only — no address, no response id.
async fn record(
    state: &AppState,
    ctx: &Ctx,
    w: &survey_wave::Model,
    action: &str,
    outcome: &str,
    detail: &str,
) -> AppResult<()> {
    audit::append(
        &state.db,
        ctx.jid(),
        AuditEvent {
            actor_id: None,
            actor: "anonymous respondent".into(),
            action: action.into(),
            object: format!("survey_wave:{}", w.id),
            outcome: outcome.into(),
            source: String::new(),
            details: serde_json::json!({"channel": detail}).to_string(),
        },
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "surveys/thanks.html")]
struct ThanksPage {
    shell: Shell,
}

/// After answering.
pub async fn thanks(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> AppResult<Response> {
    surveys::wave_by_code(&state.db, ctx.jid(), &code).await?;
    render(&ThanksPage { shell: Shell::new(&ctx, "survey-thanks-title") })
}

/// The wave's area a ZIP given on the form stands for: the jurisdiction's ZIP mapping first, else an area named
/// after the ZIP. A ZIP that is not a ZIP, is not mapped, or maps outside the wave gives no area (the answer still
/// counts, unweighted by area).
pub async fn area_of_zip(state: &AppState, jid: i64, zip: &str, wave_areas: &[i64]) -> AppResult<Option<i64>> {
    let Some(z) = commonbeat_domain::zip::Zip::parse(zip) else { return Ok(None) };
    if let Some(a) = zips::area_of(&state.db, jid, z.as_str()).await? {
        return Ok(Some(a).filter(|a| wave_areas.contains(a)));
    }
    Ok(areas::list(&state.db, jid, None)
        .await?
        .into_iter()
        .find(|a| wave_areas.contains(&a.id) && a.name.trim() == z.as_str())
        .map(|a| a.id))
}
