//! The pipeline for recruiting staff: candidates by stage, a candidate's file with every stage change, moving a
//! candidate on (refused with a message naming the stage), and forming the interview panel. Every read of
//! candidate data is audited.

use super::panels::{panel_of, panelist_role, warnings};
use super::{field, group_label, pipeline, require_staff, stage_label};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render_status};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_domain::recruit::{PanelStatus, Stage, TransitionError};
use commonbeat_store::entities::recruit_candidate;
use commonbeat_store::repo::recruiting;
use commonbeat_store::repo::users;
use serde::Deserialize;
use serde_json::json;

/// A candidate row of the pipeline list.
pub struct CandidateRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Stage, translated.
    pub stage: String,
    /// Where they came from, translated.
    pub source: String,
    /// Last stage change.
    pub since: String,
}

#[derive(Template)]
#[template(path = "recruiting/candidates.html")]
struct ListPage {
    shell: Shell,
    counts: Vec<(String, String, usize)>,
    rows: Vec<CandidateRow>,
    filter: String,
}

/// `?stage=` filter of the list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// Only this stage.
    #[serde(default)]
    pub stage: String,
}

/// The source of a candidate, translated.
pub fn source_label(t: &Tr, c: &recruit_candidate::Model) -> String {
    t.t(&format!("recruit-source-{}", c.source))
}

/// `GET /recruiting/candidates`: the pipeline (recruiting staff; the read is audited).
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    require_staff(&state, &ctx).await?;
    let t = ctx.tr();
    let p = pipeline(&state, ctx.jid()).await?;
    let all = recruiting::candidates(&state.db, ctx.jid()).await?;
    let stages: Vec<Stage> = p.stages().iter().copied().chain([Stage::Withdrawn, Stage::NotSelected]).collect();
    let counts = stages
        .iter()
        .map(|s| {
            (s.as_str().to_string(), stage_label(&t, s.as_str()), all.iter().filter(|c| c.stage == s.as_str()).count())
        })
        .collect();
    let rows: Vec<CandidateRow> = all
        .iter()
        .filter(|c| q.stage.is_empty() || c.stage == q.stage)
        .take(500)
        .map(|c| CandidateRow {
            id: c.id,
            name: c.name.clone(),
            stage: stage_label(&t, &c.stage),
            source: source_label(&t, c),
            since: crate::timefmt::format_datetime(c.stage_changed_at, &ctx.jurisdiction.time_zone, ctx.locale),
        })
        .collect();
    ctx.audit(
        &state,
        "recruiting.candidates.read",
        "recruit_candidates",
        "success",
        json!({"stage": q.stage, "rows": rows.len()}),
    )
    .await?;
    render_status(
        StatusCode::OK,
        &ListPage { shell: Shell::new(&ctx, "recruit-candidates-title"), counts, rows, filter: q.stage },
    )
}

/// A stage change as shown.
pub struct ChangeRow {
    /// When.
    pub when: String,
    /// From, translated (empty for the entry).
    pub from: String,
    /// To, translated.
    pub to: String,
    /// Note.
    pub note: String,
}

/// A panel seat as staff see it.
pub struct SeatRow {
    /// Name.
    pub name: String,
    /// Role, translated.
    pub role: String,
    /// Whether they have submitted their sheet.
    pub submitted: bool,
}

#[derive(Template)]
#[template(path = "recruiting/candidate.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    c: recruit_candidate::Model,
    stage: String,
    source: String,
    origin: String,
    race: String,
    sex: String,
    changes: Vec<ChangeRow>,
    next: Vec<(String, String)>,
    seats: Vec<SeatRow>,
    warnings: Vec<String>,
    summary: Option<super::panels::SummaryView>,
    people: Vec<(i64, String, bool)>,
}

/// Loads a candidate for recruiting staff and audits the read.
pub async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<recruit_candidate::Model> {
    require_staff(state, ctx).await?;
    let c = recruiting::candidate(&state.db, ctx.jid(), id).await?;
    ctx.audit(state, "recruiting.candidate.read", &format!("candidate:{}", c.id), "success", json!({})).await?;
    Ok(c)
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    c: recruit_candidate::Model,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = &ctx.jurisdiction.time_zone;
    let p = pipeline(state, ctx.jid()).await?;
    let changes = recruiting::stage_changes(&state.db, ctx.jid(), c.id)
        .await?
        .into_iter()
        .map(|ch| ChangeRow {
            when: crate::timefmt::format_datetime(ch.created_at, tz, ctx.locale),
            from: if ch.from_stage.is_empty() { String::new() } else { stage_label(&t, &ch.from_stage) },
            to: stage_label(&t, &ch.to_stage),
            note: ch.note,
        })
        .collect();
    let next = c
        .stage
        .parse::<Stage>()
        .map(|s| p.allowed(s))
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.as_str().to_string(), stage_label(&t, s.as_str())))
        .collect();
    let origin = match (c.event_id, c.partnership_id) {
        (Some(e), _) => recruiting::event_by_id(&state.db, ctx.jid(), e).await.map(|e| e.title).unwrap_or_default(),
        (None, Some(pid)) => commonbeat_store::repo::partnerships::by_id(&state.db, ctx.jid(), pid)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let everyone = users::list(&state.db, ctx.jid()).await?;
    let seats_db = recruiting::panel(&state.db, ctx.jid(), c.id).await?;
    let sheets = recruiting::scores(&state.db, ctx.jid(), c.id).await?;
    let seats = seats_db
        .iter()
        .map(|s| SeatRow {
            name: everyone.iter().find(|u| u.id == s.user_id).map(|u| u.name.clone()).unwrap_or_default(),
            role: t.t(&format!("recruit-role-{}", s.role)),
            submitted: sheets.iter().any(|x| x.user_id == s.user_id),
        })
        .collect();
    let (warn, summary) = match panel_of(&seats_db) {
        Some(panel) => {
            let w = warnings(state, ctx, &panel).await?;
            let s = match super::panels::status(&panel, &sheets) {
                Some(PanelStatus::Complete(sum)) => Some(super::panels::summary_view(&t, &sum, &everyone)),
                _ => None,
            };
            (w, s)
        }
        None => (Vec::new(), None),
    };
    let people = everyone
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| {
            (
                u.id,
                format!("{} ({})", u.name, t.t(&format!("role-{}", u.role))),
                seats_db.iter().any(|s| s.user_id == u.id),
            )
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &ShowPage {
            shell: Shell::titled(ctx, c.name.clone()),
            error,
            notice,
            stage: stage_label(&t, &c.stage),
            source: super::candidates::source_label(&t, &c),
            origin,
            race: group_label(&t, &c.race),
            sex: group_label(&t, &c.sex),
            changes,
            next,
            seats,
            warnings: warn,
            summary,
            people,
            c,
        },
    )
}

/// `GET /recruiting/candidates/{id}`: a candidate's file (recruiting staff; audited).
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = load(&state, &ctx, id).await?;
    show_page(&state, &ctx, c, None, None).await
}

/// The message for a refused move, naming the stages.
pub fn transition_message(t: &Tr, e: TransitionError) -> String {
    let l = |s: Stage| stage_label(t, s.as_str());
    match e {
        TransitionError::Final { from } => t.t1("recruit-error-final", "from", &l(from)),
        TransitionError::NotInPipeline(s) => t.t1("recruit-error-not-in-pipeline", "stage", &l(s)),
        TransitionError::Unchanged(s) => t.t1("recruit-error-unchanged", "stage", &l(s)),
        TransitionError::Backward { from, to } => t.t2("recruit-error-backward", ("from", &l(from)), ("to", &l(to))),
        TransitionError::Skip { to, next, .. } => t.t2("recruit-error-skip", ("next", &l(next)), ("to", &l(to))),
    }
}

/// Moves a candidate to stage `to` if the pipeline allows it. `Ok(Err(message))` is a refusal naming the stage.
pub async fn move_candidate(
    state: &AppState,
    ctx: &Ctx,
    c: &recruit_candidate::Model,
    to: &str,
    note: &str,
) -> AppResult<Result<recruit_candidate::Model, String>> {
    let t = ctx.tr();
    let p = pipeline(state, ctx.jid()).await?;
    let Ok(to) = to.parse::<Stage>() else { return Ok(Err(t.t("recruit-error-stage"))) };
    let from = c.stage.parse::<Stage>().unwrap_or(Stage::Lead);
    if let Err(e) = p.transition(from, to) {
        return Ok(Err(transition_message(&t, e)));
    }
    let note: String = note.trim().chars().take(1000).collect();
    let author = ctx.user.as_ref().map(|u| u.id);
    let moved =
        recruiting::change_stage(&state.db, c, to.as_str(), to.is_terminal(), &note, author, commonbeat_store::now())
            .await?;
    ctx.audit(
        state,
        "recruiting.candidate.stage",
        &format!("candidate:{}", c.id),
        "success",
        json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    Ok(Ok(moved))
}

/// `POST /recruiting/candidates/{id}/stage`: moves a candidate on (recruiting staff).
pub async fn stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = load(&state, &ctx, id).await?;
    match move_candidate(&state, &ctx, &c, &field(&form, "to"), &field(&form, "note")).await? {
        Ok(c) => show_page(&state, &ctx, c, None, Some(ctx.tr().t("recruit-stage-saved"))).await,
        Err(msg) => show_page(&state, &ctx, c, Some(msg), None).await,
    }
}

/// `POST /recruiting/candidates/{id}/panel`: sets the interview panel (recruiting staff). Each person's role on
/// the panel follows from their account: residents (community accounts), recruiting staff, other officers.
pub async fn panel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = load(&state, &ctx, id).await?;
    let t = ctx.tr();
    let ids: Vec<i64> = form.iter().filter(|(k, _)| k == "panelist").filter_map(|(_, v)| v.parse().ok()).collect();
    let mut members = Vec::new();
    for uid in ids {
        let u = users::by_id(&state.db, ctx.jid(), uid)
            .await
            .map_err(|_| AppError::invalid("panelist", t.t("recruit-error-panel")))?;
        if u.disabled || members.iter().any(|(id, _)| *id == u.id) {
            continue;
        }
        members.push((u.id, panelist_role(&state, ctx.jid(), &u).await?.to_string()));
    }
    if members.is_empty() {
        return show_page(&state, &ctx, c, Some(t.t("recruit-error-panel")), None).await;
    }
    recruiting::set_panel(&state.db, ctx.jid(), c.id, &members).await?;
    ctx.audit(
        &state,
        "recruiting.panel.set",
        &format!("candidate:{}", c.id),
        "success",
        json!({"size": members.len()}),
    )
    .await?;
    show_page(&state, &ctx, c, None, Some(t.t("recruit-panel-saved"))).await
}
