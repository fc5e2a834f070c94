//! Fielding a wave: the public link (whole wave and per area), a printable QR-code flyer (SVG), single-use links
//! e-mailed to a list through the outbox, and after-contact cards (short single-use codes officers hand out after
//! a contact). Analysts only.

use super::{load_wave, page};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::Shell;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::{Email, Locale};
use commonbeat_store::entities::survey_wave;
use commonbeat_store::repo::{areas, surveys};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;
use serde_json::json;

/// Most addresses in one invitation batch, and most cards in one print run.
pub const MAX_BATCH: usize = 500;

/// The wave's public link.
pub fn public_link(base: &str, w: &survey_wave::Model, area: Option<i64>) -> String {
    let base = base.trim_end_matches('/');
    match area {
        Some(a) => format!("{base}/s/{}?area={a}", w.code),
        None => format!("{base}/s/{}", w.code),
    }
}

#[derive(Template)]
#[template(path = "surveys/wave.html")]
struct WavePage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    survey_id: i64,
    survey: String,
    wave: survey_wave::Model,
    link: String,
    area_links: Vec<(String, String)>,
    responses: u64,
    tokens: Vec<(String, u64, u64)>,
    cards: Vec<String>,
}

async fn render_wave(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    wid: i64,
    notice: Option<String>,
    error: Option<String>,
    cards: Vec<String>,
) -> AppResult<Response> {
    let (s, w) = load_wave(state, ctx, id, wid).await?;
    let base = state.config.public_url.clone();
    let ids = surveys::wave_areas(&w);
    let area_links = areas::list(&state.db, ctx.jid(), None)
        .await?
        .into_iter()
        .filter(|a| ids.contains(&a.id))
        .map(|a| (a.name, public_link(&base, &w, Some(a.id))))
        .collect();
    page(&WavePage {
        shell: Shell::titled(ctx, format!("{} — {}", s.title, w.name)),
        error,
        notice,
        survey_id: s.id,
        survey: s.title,
        link: public_link(&base, &w, None),
        area_links,
        responses: surveys::response_count(&state.db, ctx.jid(), w.id).await?,
        tokens: surveys::token_counts(&state.db, ctx.jid(), w.id).await?,
        wave: w,
        cards,
    })
}

/// The wave page.
pub async fn wave_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, wid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    render_wave(&state, &ctx, id, wid, None, None, Vec::new()).await
}

/// The open/close form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// Opens or closes a wave.
pub async fn wave_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, wid)): Path<(i64, i64)>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let (_, w) = load_wave(&state, &ctx, id, wid).await?;
    if !matches!(f.status.as_str(), "open" | "closed") {
        return Err(AppError::invalid("status", "open or closed"));
    }
    surveys::set_wave_status(&state.db, ctx.jid(), w.id, &f.status).await?;
    ctx.audit(&state, "survey.wave.status", &format!("survey_wave:{}", w.id), "success", json!({"status": f.status}))
        .await?;
    Ok(Redirect::to(&format!("/surveys/{id}/waves/{wid}")).into_response())
}

/// The invitation form: one address per line (or comma-separated).
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    emails: String,
    area_id: Option<String>,
}

/// E-mails each address its own single-use link. The addresses are not kept with the tokens or responses.
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, wid)): Path<(i64, i64)>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let (s, w) = load_wave(&state, &ctx, id, wid).await?;
    let t = ctx.tr();
    let mut list = Vec::new();
    for raw in f.emails.split(['\n', ',', ';']).map(str::trim).filter(|x| !x.is_empty()) {
        match Email::parse(raw) {
            Ok(e) if !list.contains(&e.as_str().to_string()) => list.push(e.as_str().to_string()),
            Ok(_) => {}
            Err(_) => {
                let msg = t.t1("survey-error-email", "email", raw);
                return render_wave(&state, &ctx, id, wid, None, Some(msg), Vec::new()).await;
            }
        }
    }
    if list.is_empty() || list.len() > MAX_BATCH {
        return render_wave(&state, &ctx, id, wid, None, Some(t.t("survey-error-batch")), Vec::new()).await;
    }
    let area = area_choice(&w, f.area_id.as_deref())?;
    let tokens = surveys::create_tokens(&state.db, ctx.jid(), w.id, "email", area, list.len()).await?;
    for (to, tok) in list.iter().zip(&tokens) {
        let link = format!("{}?t={tok}", public_link(&state.config.public_url, &w, None));
        let body =
            format!("{}\n\n{link}\n\n{}\n", t.t1("survey-mail-body", "title", &s.title), t.t("survey-mail-footer"));
        crate::mail::send_text(&state, ctx.jid(), to, t.t1("survey-mail-subject", "title", &s.title), body).await?;
    }
    ctx.audit(&state, "survey.invite", &format!("survey_wave:{}", w.id), "success", json!({"count": list.len()}))
        .await?;
    let notice = t.t1("survey-invited", "count", &list.len().to_string());
    render_wave(&state, &ctx, id, wid, Some(notice), None, Vec::new()).await
}

fn area_choice(w: &survey_wave::Model, raw: Option<&str>) -> AppResult<Option<i64>> {
    match raw.map(str::trim).filter(|x| !x.is_empty()) {
        None => Ok(None),
        Some(x) => {
            let a: i64 = x.parse().map_err(|_| AppError::invalid("area_id", "not an area"))?;
            if surveys::wave_areas(w).contains(&a) {
                Ok(Some(a))
            } else {
                Err(AppError::invalid("area_id", "not an area of this wave"))
            }
        }
    }
}

/// The cards form.
#[derive(Debug, Deserialize)]
pub struct CardsForm {
    #[serde(default)]
    count: String,
    area_id: Option<String>,
}

/// Makes after-contact card codes and shows them once, for printing.
pub async fn cards(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, wid)): Path<(i64, i64)>,
    Form(f): Form<CardsForm>,
) -> AppResult<Response> {
    let (_, w) = load_wave(&state, &ctx, id, wid).await?;
    let n: usize = f.count.trim().parse().unwrap_or(0);
    if n == 0 || n > MAX_BATCH {
        return render_wave(&state, &ctx, id, wid, None, Some(ctx.tr().t("survey-error-batch")), Vec::new()).await;
    }
    let area = area_choice(&w, f.area_id.as_deref())?;
    let codes = surveys::create_tokens(&state.db, ctx.jid(), w.id, "card", area, n).await?;
    ctx.audit(&state, "survey.cards", &format!("survey_wave:{}", w.id), "success", json!({"count": n})).await?;
    let shown = codes.iter().map(|c| format!("{}-{}", &c[..4], &c[4..])).collect();
    render_wave(&state, &ctx, id, wid, Some(ctx.tr().t("survey-cards-made")), None, shown).await
}

/// A printable flyer: title, the link as a QR code and as text (SVG, US Letter proportions).
pub async fn flyer(State(state): State<AppState>, ctx: Ctx, Path((id, wid)): Path<(i64, i64)>) -> AppResult<Response> {
    let (s, w) = load_wave(&state, &ctx, id, wid).await?;
    let t = ctx.tr();
    let link = public_link(&state.config.public_url, &w, None);
    let code = QrCode::new(link.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let qr = code.render::<svg::Color>().min_dimensions(360, 360).quiet_zone(true).build();
    // Nest the QR code's own <svg> inside the flyer without its XML declaration.
    let qr = qr.split_once("?>").map_or(qr.as_str(), |(_, rest)| rest).trim().to_string();
    let qr = qr.replacen("<svg ", r#"<svg x="126" y="250" "#, 1);
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="8.5in" height="11in" viewBox="0 0 612 792" role="img" aria-labelledby="t"><title id="t">{title}</title>
<rect width="612" height="792" fill="#ffffff"/>
<text x="306" y="90" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="30" font-weight="bold" text-anchor="middle" fill="#1b1b1b">{title}</text>
<text x="306" y="140" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="20" text-anchor="middle" fill="#1b1b1b">{en}</text>
<text x="306" y="175" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="20" text-anchor="middle" fill="#1b1b1b">{es}</text>
<text x="306" y="215" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="16" text-anchor="middle" fill="#1b1b1b">{wave}</text>
{qr}
<text x="306" y="680" font-family="monospace" font-size="16" text-anchor="middle" fill="#1b1b1b">{link}</text>
<text x="306" y="720" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="14" text-anchor="middle" fill="#1b1b1b">{anon}</text>
</svg>
"##,
        title = esc(&s.title),
        en = esc(&Tr::new(Locale::En).t("survey-flyer-call")),
        es = esc(&Tr::new(Locale::Es).t("survey-flyer-call")),
        wave = esc(&w.name),
        link = esc(&link),
        anon = esc(&t.t("survey-flyer-anonymous")),
    );
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], body).into_response())
}
