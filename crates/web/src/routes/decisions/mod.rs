//! Decisions of a partnership under the parity rule: co-chairs open a proposal, consent question or sense check
//! (now, or scheduled to open later: see `create.rs`); active members of both sides — or only the co-chairs or the
//! named people — vote from their own accounts; results show each side and the combined figure with a
//! plain-language explanation; co-chairs close and record the outcome, which enters the public decision log.

pub mod api;
pub mod common_ground;
mod create;
mod jobs;
mod notices;
pub mod options;
pub mod results;

use super::guarded;
use super::pages::{Shell, render};
use super::partnerships::access::Access;
use super::partnerships::service::parse_date_end;
use super::partnerships::view::side_label;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timefmt::format_datetime;
pub use api::{BallotIn, DecisionOut, api_create, api_list, api_show, api_vote};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commonbeat_store::entities::decision;
use commonbeat_store::repo::decisions::{self, Cast, NewBallot};
use commonbeat_store::repo::members;
pub use create::NewForm;
use create::{create, new_form};
pub use jobs::{CLOSE_JOB, OPEN_JOB, REMIND_JOB, REVIEW_JOB, close_job, open_job, remind_job, review_job};
use results::{Results, Settings};
use serde::Deserialize;
use serde_json::json;

/// Decision routes (pages and API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{slug}/decisions/new", guarded(get(new_form)))
        .route("/partnerships/{slug}/decisions", guarded(post(create)))
        .route("/partnerships/{slug}/decisions/{id}", guarded(get(show)))
        .route("/partnerships/{slug}/decisions/{id}/vote", guarded(post(vote)))
        .route("/partnerships/{slug}/decisions/{id}/close", guarded(post(close)))
        .route("/partnerships/{slug}/decisions/{id}/outcome", guarded(post(outcome)))
        .route("/partnerships/{slug}/decisions/{id}/comments", guarded(post(comment)))
        .route("/api/v1/partnerships/{slug}/decisions", guarded(get(api_list).post(api_create)))
        .route("/api/v1/partnerships/{slug}/decisions/{id}", guarded(get(api_show)))
        .route("/api/v1/partnerships/{slug}/decisions/{id}/vote", guarded(post(api_vote)))
        .merge(common_ground::router())
}

/// Loads a decision of this partnership; private ones only for members and managers (404 otherwise).
async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: i64) -> AppResult<(Access, decision::Model)> {
    let a = Access::load(state, ctx, slug).await?;
    let d = decisions::by_id(&state.db, ctx.jid(), id).await?;
    // Common-ground activities have their own pages and ballots.
    if d.partnership_id != a.partnership.id || (d.is_private && !a.sees_members()) || d.kind == "common_ground" {
        return Err(AppError::NotFound);
    }
    Ok((a, d))
}

/// Whether the caller may vote: an active full member (observers watch; named-voter lists restrict further).
async fn eligible(state: &AppState, ctx: &Ctx, a: &Access, d: &decision::Model) -> AppResult<bool> {
    let Some(m) = a.membership.as_ref().filter(|m| m.status == members::ACTIVE && m.role == "member") else {
        return Ok(false);
    };
    let named = decisions::named_voters(&state.db, ctx.jid(), d.id).await?;
    Ok(named.is_empty() || named.contains(&m.user_id))
}

fn is_open(d: &decision::Model) -> bool {
    let t = commonbeat_store::now();
    d.status == decisions::OPEN && t >= d.opens_at && t < d.closes_at
}

/// Where a decision stands: `scheduled` (visible, not yet open for votes), `open` or `closed`.
pub fn phase(d: &decision::Model) -> &'static str {
    if d.status == decisions::SCHEDULED && commonbeat_store::now() < d.closes_at {
        "scheduled"
    } else if is_open(d) {
        "open"
    } else {
        "closed"
    }
}

/// The Fluent key of a decision's status, for lists such as the partnership page's decision log.
pub fn status_key(d: &decision::Model) -> &'static str {
    match phase(d) {
        "scheduled" => "decision-scheduled-status",
        "open" => "decision-open-status",
        _ => "decision-closed",
    }
}

/// Who may vote on a decision, in words: everyone, or the co-chairs or named people (with their names and sides
/// for those who see the members).
async fn voters_note(state: &AppState, ctx: &Ctx, a: &Access, d: &decision::Model) -> AppResult<Option<String>> {
    let t = ctx.tr();
    let named = decisions::named_voters(&state.db, ctx.jid(), d.id).await?;
    if named.is_empty() {
        return Ok(None);
    }
    let who = if Settings::of(d).voters == "cochairs" { "voters-note-cochairs" } else { "voters-note-named" };
    if !a.sees_members() {
        return Ok(Some(t.t1(&format!("{who}-count"), "count", &named.len().to_string())));
    }
    let list = members::list(&state.db, ctx.jid(), a.partnership.id, None).await?;
    let names: Vec<String> = list
        .iter()
        .filter(|m| named.contains(&m.user.id))
        .map(|m| format!("{} ({})", m.user.name, side_label(&t, &m.membership.side)))
        .collect();
    Ok(Some(t.t1(who, "names", &names.join(", "))))
}

struct CommentRow {
    id: i64,
    author: String,
    at: String,
    body: String,
    depth: usize,
}

#[derive(Template)]
#[template(path = "decisions/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    id: i64,
    kind_label: String,
    title: String,
    body: String,
    open: bool,
    /// Not open yet: when it opens and closes, in a sentence.
    opens: Option<String>,
    closes: String,
    voters_note: Option<String>,
    can_vote: bool,
    my_choice: String,
    choices: Vec<(String, String)>,
    reason_required: bool,
    results: Option<Results>,
    results_hidden_note: Option<String>,
    can_manage: bool,
    outcome: Option<String>,
    comments: Vec<CommentRow>,
    can_comment: bool,
    kind: String,
    labels: Vec<(usize, String)>,
    ranks: Vec<usize>,
    score_min: i32,
    score_max: i32,
    dots: u64,
    vote_hint: String,
    avail: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    d: &decision::Model,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let s = Settings::of(d);
    let all = decisions::ballots(&state.db, ctx.jid(), d.id).await?;
    let me = ctx.user.as_ref().map(|u| u.id);
    let mine = all.iter().find(|b| Some(b.user_id) == me);
    let open = is_open(d);
    let scheduled = phase(d) == "scheduled";
    let can_vote = open && eligible(state, ctx, a, d).await? && (mine.is_none() || s.changeable);
    let visible =
        !scheduled && (!open || s.visibility == "always" || (s.visibility != "after_close" && mine.is_some()));
    let results = visible.then(|| results::tally(&t, d, &all));
    let choices: Vec<&str> = match d.kind.as_str() {
        "consent" => vec!["consent", "objection"],
        "proposal" | "sense_check" => vec!["agree", "abstain", "disagree", "block"],
        _ => Vec::new(),
    };
    let members = members::list(&state.db, ctx.jid(), a.partnership.id, None).await?;
    let name_of = |uid: i64| {
        members.iter().find(|m| m.user.id == uid).map(|m| m.user.name.clone()).unwrap_or_else(|| t.t("someone"))
    };
    let raw = decisions::comments(&state.db, ctx.jid(), d.id).await?;
    // Only members' names can be mentioned, and only they are shown to members.
    let names: Vec<String> =
        if a.sees_members() { members.iter().map(|m| m.user.name.clone()).collect() } else { Vec::new() };
    let depth_of = |c: &commonbeat_store::entities::decision_comment::Model| {
        let mut depth = 0;
        let mut parent = c.parent_id;
        while let Some(p) = parent {
            depth += 1;
            parent = raw.iter().find(|x| x.id == p).and_then(|x| x.parent_id);
            if depth > 5 {
                break;
            }
        }
        depth
    };
    let tz = &ctx.jurisdiction.time_zone;
    let comments = if a.sees_members() {
        raw.iter()
            .filter(|c| !c.hidden)
            .map(|c| CommentRow {
                id: c.id,
                author: name_of(c.user_id),
                at: format_datetime(c.created_at, tz, ctx.locale),
                body: commonbeat_domain::text::render(&c.body, &names),
                depth: depth_of(c),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&ShowPage {
        shell: Shell::titled(ctx, d.title.clone()),
        error,
        notice,
        slug: a.partnership.slug.clone(),
        partnership: a.partnership.name.clone(),
        id: d.id,
        kind_label: t.t(&format!("kind-{}", d.kind)),
        title: d.title.clone(),
        body: commonbeat_domain::text::render(&d.body, &names),
        open,
        opens: scheduled.then(|| {
            let when = |at| format_datetime(at, tz, ctx.locale);
            t.t2("decision-scheduled-line", ("opens", &when(d.opens_at)), ("closes", &when(d.closes_at)))
        }),
        closes: format_datetime(d.closes_at, tz, ctx.locale),
        voters_note: voters_note(state, ctx, a, d).await?,
        can_vote,
        my_choice: mine.map(|b| serde_json::from_str::<String>(&b.choice).unwrap_or_default()).unwrap_or_default(),
        choices: choices.iter().map(|c| (c.to_string(), t.t(&format!("choice-{c}")))).collect(),
        reason_required: s.reason_required,
        results_hidden_note: (!visible).then(|| {
            t.t(match s.visibility.as_str() {
                _ if scheduled => "results-after-open",
                "after_close" => "results-after-close",
                _ => "results-after-vote",
            })
        }),
        results,
        can_manage: a.can_manage(),
        outcome: d.outcome.clone(),
        comments,
        can_comment: a.is_member() || a.can_manage(),
        kind: d.kind.clone(),
        labels: options::labels(d).into_iter().enumerate().collect(),
        ranks: (1..=options::labels(d).len()).collect(),
        score_min: options::OptionSettings::of(d).score_min,
        score_max: options::OptionSettings::of(d).score_max,
        dots: options::OptionSettings::of(d).dots,
        vote_hint: {
            let o = options::OptionSettings::of(d);
            match d.kind.as_str() {
                "poll_multi" => t.t1("vote-max-choices", "count", &o.max_choices.to_string()),
                "ranked" => t.t("vote-rank-hint"),
                "score" => {
                    t.t2("vote-score-hint", ("min", &o.score_min.to_string()), ("max", &o.score_max.to_string()))
                }
                "dot" => t.t1("vote-dots-hint", "count", &o.dots.to_string()),
                "question" => t.t("vote-question-hint"),
                _ => String::new(),
            }
        },
        avail: ["yes", "maybe", "no"].iter().map(|a| (a.to_string(), t.t(&format!("avail-{a}")))).collect(),
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, i64)>) -> AppResult<Response> {
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    page(&state, &ctx, &a, &d, None, None).await
}

/// Casts the caller's ballot from submitted pairs (form fields, or the API's JSON turned into the same fields).
/// `Ok(Err(key))` is a refusal to show (a Fluent key); errors are 403/404/500.
async fn cast_vote(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    d: &decision::Model,
    pairs: &[(String, String)],
) -> AppResult<Result<(), &'static str>> {
    let u = ctx.require_user()?.clone();
    if !eligible(state, ctx, a, d).await? {
        return Err(AppError::Forbidden);
    }
    if phase(d) == "scheduled" {
        return Ok(Err("vote-not-open-yet"));
    }
    let field = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (chosen, reason) = (field("choice"), field("reason"));
    let choice = if matches!(d.kind.as_str(), "proposal" | "consent" | "sense_check") {
        let allowed: &[&str] =
            if d.kind == "consent" { &["consent", "objection"] } else { &["agree", "abstain", "disagree", "block"] };
        if !allowed.contains(&chosen.as_str()) {
            return Ok(Err("vote-pick-one"));
        }
        serde_json::to_string(&chosen).unwrap_or_default()
    } else {
        match options::ballot_from_form(d, pairs) {
            Ok(c) => c,
            Err(key) => return Ok(Err(key)),
        }
    };
    let s = Settings::of(d);
    if (s.reason_required || d.kind == "question") && reason.trim().is_empty() {
        return Ok(Err("vote-reason-required"));
    }
    let side = a.membership.as_ref().map(|m| m.side.clone()).unwrap_or_default();
    let reason: String = reason.trim().chars().take(2000).collect();
    let ballot = NewBallot { user_id: u.id, side: &side, choice: &choice, reason: &reason, changeable: s.changeable };
    match decisions::cast(&state.db, ctx.jid(), d.id, ballot).await {
        Ok(Cast::Created) => ctx.audit(state, "vote.cast", &format!("decision:{}", d.id), "success", json!({})).await?,
        // Every change of a vote is audited with what it replaced (never for anonymous decisions).
        Ok(Cast::Changed { previous }) => {
            let details = if s.anonymous { json!({}) } else { json!({"from": previous, "to": choice}) };
            ctx.audit(state, "vote.change", &format!("decision:{}", d.id), "success", details).await?
        }
        Err(commonbeat_store::StoreError::Invalid(_)) => return Ok(Err("vote-refused")),
        Err(e) => return Err(e.into()),
    }
    Ok(Ok(()))
}

async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> AppResult<Response> {
    ctx.require_user()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    match cast_vote(&state, &ctx, &a, &d, &pairs).await? {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{slug}/decisions/{id}")).into_response()),
        Err(key) => page(&state, &ctx, &a, &d, Some(ctx.tr().t(key)), None)
            .await
            .map(|r| (StatusCode::UNPROCESSABLE_ENTITY, r).into_response()),
    }
}

async fn close(State(state): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, i64)>) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    if decisions::close(&state.db, ctx.jid(), d.id).await? {
        ctx.audit(&state, "decision.close", &format!("decision:{}", d.id), "success", json!({})).await?;
    }
    Ok(Redirect::to(&format!("/partnerships/{slug}/decisions/{id}")).into_response())
}

#[derive(Deserialize)]
struct OutcomeForm {
    outcome: String,
    #[serde(default)]
    review_on: String,
}

async fn outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<OutcomeForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let text = f.outcome.trim();
    if text.chars().count() < 3 || text.chars().count() > 4000 {
        return page(&state, &ctx, &a, &d, Some(t.t("outcome-required")), None).await;
    }
    let review =
        if f.review_on.trim().is_empty() { None } else { parse_date_end(&f.review_on, &ctx.jurisdiction.time_zone) };
    if decisions::set_outcome(&state.db, ctx.jid(), d.id, text, u.id, review).await.is_err() {
        return page(&state, &ctx, &a, &d, Some(t.t("outcome-after-close")), None).await;
    }
    if let Some(at) = review {
        commonbeat_store::repo::jobs::enqueue(&state.db, ctx.jid(), REVIEW_JOB, &d.id.to_string(), at - 86_399).await?;
    }
    ctx.audit(&state, "decision.outcome", &format!("decision:{}", d.id), "success", json!({})).await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/decisions/{id}")).into_response())
}

#[derive(Deserialize)]
struct CommentForm {
    body: String,
    #[serde(default)]
    parent_id: Option<i64>,
}

async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    if !(a.is_member() || a.can_manage()) {
        return Err(AppError::Forbidden);
    }
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::invalid("body", "1 to 4000 characters"));
    }
    let c = decisions::add_comment(&state.db, ctx.jid(), d.id, f.parent_id, u.id, body).await?;
    // Mentioned members hear about it, by their preference and in their language.
    notices::mentioned(&state, ctx.jid(), &a, &d, &u, c.id, body).await?;
    ctx.audit(&state, "decision.comment", &format!("decision:{}", d.id), "success", json!({"comment": c.id})).await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/decisions/{id}#comment-{}", c.id)).into_response())
}

/// The best time of a time poll as unix seconds in the jurisdiction's zone, when its label names a date and time.
pub async fn winning_time(state: &AppState, d: &decision::Model, tz: &str) -> AppResult<Option<i64>> {
    let stored = decisions::ballots(&state.db, d.jurisdiction_id, d.id).await?;
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(options::best_time(d, &stored).and_then(|dt| dt.to_zoned_datetime(zone).ok()).map(|z| z.timestamp().as_second()))
}
