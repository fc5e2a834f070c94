//! The four-week follow-up: a job queued when a report closes as fixed (or with no further action) e-mails the
//! reporter a link; the page behind it asks "is it really fixed?" and records the answer. "Not fixed" reopens
//! the report (to investigating) with a public note. The link's secret token is its only credential.

use super::service::{self, FOLLOW_UP_JOB};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use commonbeat_domain::report::{FollowUpAnswer, ReportStatus, after_follow_up};
use commonbeat_store::entities::job;
use commonbeat_store::repo::reports::{self, NoteIn};
use serde::Deserialize;
use serde_json::json;

/// Runs the follow-up job: `id:closed_at`. Does nothing when the report was reopened or closed again since.
pub async fn follow_up_job(state: &AppState, j: &job::Model) -> Result<(), String> {
    debug_assert_eq!(j.kind, FOLLOW_UP_JOB);
    let (id, closed) = j.payload.split_once(':').ok_or("bad payload")?;
    let id: i64 = id.parse().map_err(|_| "bad payload".to_string())?;
    let closed: i64 = closed.parse().map_err(|_| "bad payload".to_string())?;
    let jid = j.jurisdiction_id;
    let r = reports::by_id(&state.db, jid, id).await.map_err(|e| e.to_string())?;
    let still_closed = r.status.parse::<ReportStatus>().is_ok_and(|s| !s.is_open());
    if !still_closed || r.closed_at != Some(closed) || r.contact_email.is_empty() || r.follow_up_hash.is_some() {
        return Ok(());
    }
    let token = reports::start_follow_up(&state.db, &r).await.map_err(|e| e.to_string())?;
    let link = format!("{}/reports/{}/follow-up/{token}", state.config.public_url, r.id);
    let (en, es) = (Tr::new(commonbeat_domain::Locale::En), Tr::new(commonbeat_domain::Locale::Es));
    let body = format!(
        "{}\n{link}\n\n{}\n{link}?lang=es\n",
        en.t1("email-report-follow-up-body", "id", &r.id.to_string()),
        es.t1("email-report-follow-up-body", "id", &r.id.to_string())
    );
    crate::mail::send_text(
        state,
        jid,
        &r.contact_email,
        en.t1("email-report-follow-up-subject", "id", &r.id.to_string()),
        body,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

#[derive(Template)]
#[template(path = "reports/follow_up.html")]
struct FollowUpPage {
    shell: Shell,
    id: i64,
    action: String,
    answered: Option<String>,
}

/// `GET /reports/{id}/follow-up/{token}`: the question, with two buttons.
pub async fn follow_up_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, token)): Path<(i64, String)>,
) -> AppResult<Response> {
    let r = reports::by_follow_up(&state.db, ctx.jid(), id, &token).await?;
    let t = ctx.tr();
    render(&FollowUpPage {
        shell: Shell::titled(&ctx, t.t1("report-follow-up-title", "id", &id.to_string())),
        id,
        action: format!("/reports/{id}/follow-up/{token}"),
        answered: r.follow_up_answer.map(|a| t.t(&format!("report-follow-up-{a}"))),
    })
}

/// The answer form.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// `fixed` or `not_fixed`.
    pub answer: String,
}

/// `POST /reports/{id}/follow-up/{token}`: records the answer; "not fixed" reopens the report.
pub async fn follow_up_answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, token)): Path<(i64, String)>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let r = reports::by_follow_up(&state.db, ctx.jid(), id, &token).await?;
    let answer = match f.answer.as_str() {
        "fixed" => FollowUpAnswer::Fixed,
        "not_fixed" => FollowUpAnswer::NotFixed,
        _ => return Err(AppError::invalid("answer", "fixed or not_fixed")),
    };
    let status: ReportStatus = r.status.parse().unwrap_or(ReportStatus::Received);
    let mut r = reports::answer_follow_up(&state.db, r, &f.answer).await?;
    if let Some(to) = after_follow_up(status, answer) {
        let t = Tr::new(commonbeat_domain::Locale::En);
        let note = t.t("report-reopened-note");
        r = reports::add_note(
            &state.db,
            r,
            NoteIn { body: note.clone(), public: true, status_to: Some(to.as_str().into()), author_id: None },
        )
        .await?;
        service::notify_followers(&state, ctx.jid(), &r, &note).await?;
    }
    ctx.audit(&state, "report.follow_up", &format!("report:{}", r.id), "success", json!({"answer": f.answer})).await?;
    let t = ctx.tr();
    render(&FollowUpPage {
        shell: Shell::titled(&ctx, t.t1("report-follow-up-title", "id", &id.to_string())),
        id,
        action: format!("/reports/{id}/follow-up/{token}"),
        answered: Some(t.t(&format!("report-follow-up-{}", f.answer))),
    })
}
