//! Commitments: the promises a partnership makes (usually action items from approved minutes), each with an
//! owner (a member and their side, or an organisation), a due date, a status and progress notes with evidence.
//! The public "we said / we did" page shows the promises-kept rate per side with its uncertainty, and the
//! timeline of promises made and kept.

pub mod api;
pub mod jobs;

use super::guarded;
use super::pages::{Shell, render, render_status};
use super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::Side;
use commonbeat_domain::commitment::{
    CommitmentFacts, CommitmentStatus, KeptRate, Outcome, TransitionError, promises_kept, timeline, transition,
};
use commonbeat_store::entities::commitment;
use commonbeat_store::repo::commitments::{self, NewCommitment, Progress};
use commonbeat_store::repo::{jobs as queue, members, users};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

/// Window of the promises-kept rate, in days.
pub const WINDOW_DAYS: u32 = 365;

/// Commitment routes (pages and API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{slug}/commitments", guarded(get(list).post(create)))
        .route("/partnerships/{slug}/commitments/{id}", guarded(get(show)))
        .route("/partnerships/{slug}/commitments/{id}/progress", guarded(post(progress)))
        .route("/api/v1/partnerships/{slug}/commitments", guarded(get(api::api_list).post(api::api_create)))
        .route("/api/v1/partnerships/{slug}/commitments/{id}/progress", guarded(post(api::api_progress)))
}

/// Today's date in the jurisdiction's zone.
pub fn today(tz: &str) -> Date {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned_datetime(zone).date()
}

/// The facts the domain rules need from a stored commitment.
pub fn facts(c: &commitment::Model) -> Option<CommitmentFacts> {
    Some(CommitmentFacts {
        id: c.id,
        side: c.owner_side.as_deref().map(|s| if s == "police" { Side::Police } else { Side::Community }),
        created_on: c.created_on.parse().ok()?,
        due: c.due_on.parse().ok()?,
        status: c.status.parse().ok()?,
        completed_on: c.completed_on.as_deref().and_then(|d| d.parse().ok()),
    })
}

/// Whether the caller may see a commitment: public ones to everyone, private ones to members and managers.
pub fn visible_to(a: &Access, c: &commitment::Model) -> bool {
    c.is_public || a.sees_members()
}

/// The promises-kept rate of one side (or everyone) as of `today`. The window ends yesterday: a promise due
/// today can still be kept today.
pub fn kept_rate(facts: &[CommitmentFacts], side: Option<Side>, today: Date) -> KeptRate {
    promises_kept(facts, side, today.yesterday().unwrap_or(today), WINDOW_DAYS)
}

/// Loads a commitment of the partnership; private ones only for members and managers.
async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: i64) -> AppResult<(Access, commitment::Model)> {
    let a = Access::load(state, ctx, slug).await?;
    let c = commitments::by_id(&state.db, ctx.jid(), id).await?;
    if c.partnership_id != a.partnership.id || !visible_to(&a, &c) {
        return Err(AppError::NotFound);
    }
    Ok((a, c))
}

/// After a commitment is recorded: tell its owner, and queue the due-soon and overdue reminders.
pub async fn after_create(state: &AppState, jid: i64, a: &Access, c: &commitment::Model) -> AppResult<()> {
    schedule_reminders(state, jid, c).await?;
    let Some(owner) = c.owner_user_id else { return Ok(()) };
    let u = users::by_id(&state.db, jid, owner).await?;
    let link = format!("{}/partnerships/{}/commitments/{}", state.config.public_url, a.partnership.slug, c.id);
    let pname = a.partnership.name.clone();
    notify::notify(state, jid, &[u], "commitments", |tr: &Tr, _| Letter {
        subject: tr.t1("email-commitment-new-subject", "title", &c.title),
        text: format!(
            "{}\n\n{}\n{}: {}\n\n{link}\n",
            tr.t1("email-commitment-new-body", "partnership", &pname),
            c.title,
            tr.t("commitment-due"),
            c.due_on
        ),
        calendar: None,
    })
    .await?;
    Ok(())
}

/// Queues the reminders of a commitment: three days before it is due and the day after, at 09:00 local. The
/// jobs carry the due date, so a rescheduled commitment is not reminded at its old date.
pub async fn schedule_reminders(state: &AppState, jid: i64, c: &commitment::Model) -> AppResult<()> {
    let Ok(due) = c.due_on.parse::<Date>() else { return Ok(()) };
    let zone = notify::zone_of(state, jid).await;
    let at = |d: Date| d.at(9, 0, 0, 0).to_zoned_datetime(zone.clone()).map(|z| z.timestamp().as_second()).ok();
    let now = commonbeat_store::now();
    let payload = format!("{}:{}", c.id, c.due_on);
    if let Some(t) = due.checked_sub(3.days()).ok().and_then(at) {
        queue::enqueue(&state.db, jid, jobs::DUE_SOON_JOB, &payload, t.max(now)).await?;
    }
    if let Some(t) = due.checked_add(1.day()).ok().and_then(at) {
        queue::enqueue(&state.db, jid, jobs::OVERDUE_JOB, &payload, t.max(now)).await?;
    }
    Ok(())
}

/// The promises-kept rate of one side as shown.
pub struct RateView {
    side: String,
    due: u32,
    kept: u32,
    late: u32,
    dropped: u32,
    open: u32,
    rate: String,
    interval: String,
    bar: u32,
}

fn rate_view(t: &Tr, label: String, r: &KeptRate) -> RateView {
    RateView {
        side: label,
        due: r.due,
        kept: r.kept_on_time,
        late: r.kept_late,
        dropped: r.dropped,
        open: r.still_open,
        rate: r.rate.map(|x| format!("{:.0} %", x * 100.0)).unwrap_or_else(|| t.t("commitment-rate-none")),
        interval: r.wilson_95.map(|(lo, hi)| format!("{:.0}–{:.0} %", lo * 100.0, hi * 100.0)).unwrap_or_default(),
        bar: r.rate.map(|x| (x * 200.0).round() as u32).unwrap_or(0),
    }
}

/// One row of the "we said / we did" timeline.
pub struct TimelineRow {
    id: i64,
    title: String,
    owner: String,
    said: String,
    due: String,
    done: String,
    outcome: String,
    outcome_key: String,
    meeting_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "commitments/list.html")]
struct ListPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    rates: Vec<RateView>,
    rows: Vec<TimelineRow>,
    can_manage: bool,
    members: Vec<(i64, String)>,
    rate_caption: String,
}

/// Owner label: the member's name and side, or the organisation.
fn owner_label(t: &Tr, c: &commitment::Model, names: &[(i64, String)], public: bool) -> String {
    match (c.owner_user_id, c.owner_side.as_deref()) {
        (Some(id), Some(side)) if !public => {
            let name = names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
            format!("{name} ({})", t.t(&format!("side-{side}")))
        }
        (_, Some(side)) => t.t(&format!("side-{side}")),
        _ => c.owner_org.clone(),
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = Access::load(&state, &ctx, &slug).await?;
    list_page(&state, &ctx, &a, None, None).await
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let all = commitments::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    let visible: Vec<&commitment::Model> = all.iter().filter(|c| visible_to(a, c)).collect();
    let today = today(&ctx.jurisdiction.time_zone);
    let facts: Vec<CommitmentFacts> = visible.iter().filter_map(|c| facts(c)).collect();
    let rates = vec![
        rate_view(&t, t.t("side-police"), &kept_rate(&facts, Some(Side::Police), today)),
        rate_view(&t, t.t("side-community"), &kept_rate(&facts, Some(Side::Community), today)),
        rate_view(&t, t.t("commitment-rate-all"), &kept_rate(&facts, None, today)),
    ];
    let active = members::list(&state.db, ctx.jid(), a.partnership.id, Some(members::ACTIVE)).await?;
    let names: Vec<(i64, String)> = active.iter().map(|m| (m.user.id, m.user.name.clone())).collect();
    let public = !a.sees_members();
    let rows = timeline(&facts, today)
        .into_iter()
        .filter_map(|e| {
            let c = visible.iter().find(|c| c.id == e.id)?;
            Some(TimelineRow {
                id: c.id,
                title: c.title.clone(),
                owner: owner_label(&t, c, &names, public),
                said: e.said_on.to_string(),
                due: e.due.to_string(),
                done: e.completed_on.map(|d| d.to_string()).unwrap_or_default(),
                outcome: t.t(&format!("outcome-{}", e.outcome.as_str())),
                outcome_key: e.outcome.as_str().to_string(),
                meeting_id: c.meeting_id,
            })
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &ListPage {
            shell: Shell::titled(ctx, t.t1("commitments-title", "partnership", &a.partnership.name)),
            error,
            notice,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            rates,
            rows,
            can_manage: a.can_manage(),
            members: if a.can_manage() { names } else { Vec::new() },
            rate_caption: t.t1("commitments-rate-caption", "days", &WINDOW_DAYS.to_string()),
        },
    )
}

/// The commitment form (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CommitmentForm {
    /// What is promised.
    #[serde(default)]
    pub title: String,
    /// The member who owns it (user id), or
    pub owner_user_id: Option<i64>,
    /// an organisation that owns it.
    #[serde(default)]
    pub owner_org: String,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_on: String,
    /// Keep off the public timeline.
    #[serde(default)]
    pub private: Option<String>,
}

/// Records a commitment (co-chairs). `Ok(Err(message))` is a refusal naming the field.
pub async fn record(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    f: &CommitmentForm,
) -> AppResult<Result<commitment::Model, String>> {
    let t = ctx.tr();
    let title = f.title.trim();
    if title.chars().count() < 3 || title.chars().count() > 300 {
        return Ok(Err(t.t("commitment-error-title")));
    }
    let Ok(due) = f.due_on.trim().parse::<Date>() else { return Ok(Err(t.t("commitment-error-due"))) };
    let (owner_user_id, owner_side, owner_org) = match (f.owner_user_id, f.owner_org.trim()) {
        (Some(id), _) => {
            let Some(m) = members::of_user(&state.db, ctx.jid(), a.partnership.id, id)
                .await?
                .filter(|m| m.status == members::ACTIVE)
            else {
                return Ok(Err(t.t("commitment-error-owner")));
            };
            (Some(id), Some(m.side), String::new())
        }
        (None, org) if !org.is_empty() && org.chars().count() <= 200 => (None, None, org.to_string()),
        _ => return Ok(Err(t.t("commitment-error-owner"))),
    };
    let c = commitments::create(
        &state.db,
        ctx.jid(),
        NewCommitment {
            partnership_id: a.partnership.id,
            meeting_id: None,
            decision_id: None,
            problem_id: None,
            strategy_id: None,
            title: title.to_string(),
            owner_user_id,
            owner_side,
            owner_org,
            due_on: due.to_string(),
            is_public: f.private.is_none(),
            created_by: ctx.user.as_ref().map(|u| u.id),
            created_on: today(&ctx.jurisdiction.time_zone).to_string(),
        },
    )
    .await?;
    after_create(state, ctx.jid(), a, &c).await?;
    ctx.audit(state, "commitment.create", &format!("commitment:{}", c.id), "success", json!({"due": c.due_on})).await?;
    Ok(Ok(c))
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
    let field = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let f = CommitmentForm {
        title: field("title"),
        owner_user_id: field("owner_user_id").parse().ok(),
        owner_org: field("owner_org"),
        due_on: field("due_on"),
        private: Some(field("private")).filter(|v| !v.is_empty()),
    };
    match record(&state, &ctx, &a, &f).await? {
        Ok(c) => Ok(Redirect::to(&format!("/partnerships/{slug}/commitments/{}", c.id)).into_response()),
        Err(msg) => list_page(&state, &ctx, &a, Some(msg), None).await,
    }
}

/// A progress note as shown.
pub struct NoteRow {
    when: String,
    author: String,
    body: String,
    evidence: String,
    status: String,
}

#[derive(Template)]
#[template(path = "commitments/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    c: commitment::Model,
    owner: String,
    status: String,
    outcome: String,
    notes: Vec<NoteRow>,
    can_update: bool,
    next: Vec<(String, String)>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, i64)>) -> AppResult<Response> {
    let (a, c) = load(&state, &ctx, &slug, id).await?;
    show_page(&state, &ctx, &a, c, None, None).await
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    c: commitment::Model,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let active = members::list(&state.db, ctx.jid(), a.partnership.id, None).await?;
    let names: Vec<(i64, String)> = active.iter().map(|m| (m.user.id, m.user.name.clone())).collect();
    let public = !a.sees_members();
    let notes = commitments::notes(&state.db, c.id)
        .await?
        .into_iter()
        .map(|n| NoteRow {
            when: crate::timefmt::format_datetime(n.created_at, &ctx.jurisdiction.time_zone, ctx.locale),
            author: if public {
                String::new()
            } else {
                n.author_id
                    .and_then(|id| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
                    .unwrap_or_default()
            },
            body: n.body,
            evidence: n.evidence_url,
            status: n.status_to.map(|s| t.t(&format!("commitment-status-{s}"))).unwrap_or_default(),
        })
        .collect();
    let today = today(&ctx.jurisdiction.time_zone);
    let outcome = facts(&c).map(|f| t.t(&format!("outcome-{}", Outcome::of(&f, today).as_str()))).unwrap_or_default();
    let status: CommitmentStatus = c.status.parse().unwrap_or(CommitmentStatus::Open);
    render(&ShowPage {
        shell: Shell::titled(ctx, c.title.clone()),
        error,
        notice,
        slug: a.partnership.slug.clone(),
        partnership: a.partnership.name.clone(),
        owner: owner_label(&t, &c, &names, public),
        status: t.t(&format!("commitment-status-{}", c.status)),
        outcome,
        notes,
        can_update: can_update(ctx, a, &c),
        next: status
            .next()
            .iter()
            .map(|s| (s.as_str().to_string(), t.t(&format!("commitment-status-{}", s.as_str()))))
            .collect(),
        c,
    })
}

/// The owner and the co-chairs may report progress.
fn can_update(ctx: &Ctx, a: &Access, c: &commitment::Model) -> bool {
    a.can_manage() || (a.is_member() && ctx.user.as_ref().is_some_and(|u| Some(u.id) == c.owner_user_id))
}

/// A progress report (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProgressForm {
    /// What happened.
    #[serde(default)]
    pub body: String,
    /// A link to evidence.
    #[serde(default)]
    pub evidence_url: String,
    /// New status (`open`, `in_progress`, `done`, `dropped`); empty keeps the status.
    #[serde(default)]
    pub status: String,
    /// Why it was dropped (required to drop).
    #[serde(default)]
    pub reason: String,
}

/// Applies a progress report. `Ok(Err(message))` is a refusal.
pub async fn report(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    c: commitment::Model,
    f: &ProgressForm,
) -> AppResult<Result<commitment::Model, String>> {
    let t = ctx.tr();
    if !can_update(ctx, a, &c) {
        return Err(AppError::Forbidden);
    }
    let body = f.body.trim();
    let evidence = f.evidence_url.trim();
    if body.chars().count() > 4000 || (body.is_empty() && f.status.is_empty()) {
        return Ok(Err(t.t("commitment-error-note")));
    }
    if !crate::routes::optional_link_ok(evidence) {
        return Ok(Err(t.t("meeting-error-link-bad")));
    }
    let from: CommitmentStatus = c.status.parse().unwrap_or(CommitmentStatus::Open);
    let status_to = if f.status.trim().is_empty() {
        None
    } else {
        let Ok(to) = f.status.trim().parse::<CommitmentStatus>() else {
            return Ok(Err(t.t("commitment-error-status")));
        };
        let reason = Some(f.reason.trim()).filter(|r| !r.is_empty());
        if let Err(e) = transition(from, to, reason) {
            return Ok(Err(match e {
                TransitionError::ReasonRequired | TransitionError::ReasonTooLong { .. } => {
                    t.t("commitment-error-reason")
                }
                _ => t.t("commitment-error-status"),
            }));
        }
        Some(to.as_str().to_string())
    };
    let done_today = today(&ctx.jurisdiction.time_zone).to_string();
    let c = commitments::progress(
        &state.db,
        c,
        Progress {
            completed_on: (status_to.as_deref() == Some("done")).then_some(done_today),
            status_to: status_to.clone(),
            drop_reason: f.reason.trim().to_string(),
            body: body.to_string(),
            evidence_url: evidence.to_string(),
            author_id: ctx.user.as_ref().map(|u| u.id),
        },
    )
    .await?;
    ctx.audit(state, "commitment.progress", &format!("commitment:{}", c.id), "success", json!({"status": status_to}))
        .await?;
    Ok(Ok(c))
}

async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<ProgressForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, c) = load(&state, &ctx, &slug, id).await?;
    let before = c.clone();
    match report(&state, &ctx, &a, c, &f).await? {
        Ok(c) => show_page(&state, &ctx, &a, c, None, Some(ctx.tr().t("commitment-progress-saved"))).await,
        Err(msg) => show_page(&state, &ctx, &a, before, Some(msg), None).await,
    }
}
