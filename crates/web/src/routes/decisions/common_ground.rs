//! Common ground, Polis-style ("group-informed consensus", shared/METHODS.md "Decisions"). A co-chair opens an
//! activity with a question; members and the public write short statements (a co-chair's appear at once, everyone
//! else's after a co-chair approves them) and vote agree, disagree or pass on each approved statement.
//!
//! - Members (active, full members) vote from their accounts on their own side; voter key `user:{id}`.
//! - Everyone else votes as **the public**, with no side: signed-in non-members by account (`user:{id}`), anonymous
//!   visitors by link with a random per-browser cookie (`cb_cg`) of which only the SHA-256 is stored
//!   (`anon:{sha256}`). Anonymous votes and statements are rate-limited per address; anonymous votes are never
//!   audited.
//! - Statements are ranked by GIC ([`ranking`]): the two sides always count as groups, the public only on statements
//!   at least `min_group_size` (5) of the public voted on, and members' demographic groups (answers to the
//!   activity's question, race and ethnicity by default, from their private profiles) only on statements at least
//!   k = 5 of the group voted on; smaller groups are pooled and never shown ([`groups`]). Divisiveness is between
//!   the two sides only.
//! - The page sums up "what both sides agree on" (at least 60 % of each side agree, by GIC) and "what divides us"
//!   (the sides' agree shares differ, most divisive first, leaving out what both sides agree on).

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::middleware::{cookie, rate_limit, set_cookie};
use crate::routes::guarded;
use crate::routes::pages::{Shell, render_status};
use crate::routes::partnerships::access::Access;
use crate::routes::partnerships::service::parse_date_end;
use crate::timefmt::{format_datetime, iso_utc};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use commonbeat_domain::Side;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::decision::{MIN_GROUP_VOTERS, Stance};
use commonbeat_store::entities::decision;
use commonbeat_store::repo::decisions::{self, NewDecision};
use commonbeat_store::repo::members;
use commonbeat_store::secrets::{hash_token, new_token};
use ranking::{CgSettings, PUBLIC, ranking};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub mod groups;
pub mod ranking;
pub use ranking::{CgGroupOut, CgStatementOut, CgVoters};

/// The decision kind of a common-ground activity.
pub const KIND: &str = "common_ground";
/// The per-browser cookie of anonymous voters.
const COOKIE: &str = "cb_cg";
/// Longest statement, in characters.
const MAX_LEN: usize = 280;
/// Percent of each side that must agree for "what both sides agree on".
const BOTH_AGREE_PCT: u64 = 60;
/// Statements shown in each summary section.
const SUMMARY: usize = 5;

/// Common-ground routes (pages and API).
pub fn router() -> Router<AppState> {
    let base = "/partnerships/{slug}/common-ground";
    Router::new()
        .route(&format!("{base}/new"), guarded(get(new_form)))
        .route(base, guarded(post(create)))
        .route(&format!("{base}/{{id}}"), guarded(get(show)))
        .route(&format!("{base}/{{id}}/statements"), guarded(post(submit)))
        .route(&format!("{base}/{{id}}/statements/{{sid}}/vote"), guarded(post(vote)))
        .route(&format!("{base}/{{id}}/statements/{{sid}}/approve"), guarded(post(approve)))
        .route(&format!("{base}/{{id}}/statements/{{sid}}/reject"), guarded(post(reject)))
        .route("/api/v1/partnerships/{slug}/common-ground/{id}", guarded(get(api_show)))
}

/// Loads an activity of this partnership: 404 for another kind, another partnership, or a private activity the
/// caller may not see.
async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: i64) -> AppResult<(Access, decision::Model)> {
    let a = Access::load(state, ctx, slug).await?;
    let d = decisions::by_id(&state.db, ctx.jid(), id).await?;
    if d.partnership_id != a.partnership.id || d.kind != KIND || (d.is_private && !a.sees_members()) {
        return Err(AppError::NotFound);
    }
    Ok((a, d))
}

fn is_open(d: &decision::Model) -> bool {
    let t = commonbeat_store::now();
    d.status == decisions::OPEN && t >= d.opens_at && t < d.closes_at
}

fn page_path(slug: &str, id: i64) -> String {
    format!("/partnerships/{slug}/common-ground/{id}")
}

/// Who votes: the stored key, the side (none for the public) and, for a first anonymous vote, the new cookie.
struct Voter {
    key: String,
    side: Option<Side>,
    new_cookie: Option<String>,
}

fn member_side(a: &Access) -> Option<Side> {
    let m = a.membership.as_ref().filter(|m| m.status == members::ACTIVE && m.role == "member")?;
    Some(if m.side == "police" { Side::Police } else { Side::Community })
}

fn valid_cookie(v: &str) -> bool {
    (32..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The caller as a voter; anonymous callers without a cookie get one when `create` is set.
/// The anonymous voter key: the cookie hashed together with the activity, so one browser's votes cannot be
/// linked across activities.
fn anon_key(cookie: &str, decision_id: i64) -> String {
    format!("anon:{}", hash_token(&format!("{cookie}:{decision_id}")))
}

fn voter(ctx: &Ctx, a: &Access, headers: &HeaderMap, decision_id: i64, create: bool) -> Option<Voter> {
    if let Some(u) = &ctx.user {
        return Some(Voter { key: format!("user:{}", u.id), side: member_side(a), new_cookie: None });
    }
    match cookie(headers, COOKIE).filter(|v| valid_cookie(v)) {
        Some(v) => Some(Voter { key: anon_key(&v, decision_id), side: None, new_cookie: None }),
        None if create => {
            let v = new_token();
            Some(Voter { key: anon_key(&v, decision_id), side: None, new_cookie: Some(v) })
        }
        None => None,
    }
}

#[derive(Template)]
#[template(path = "common_ground/new.html")]
struct NewPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    /// Demographic questions: (id, label); race and ethnicity first (the default).
    dimensions: Vec<(String, String)>,
    dimension_hint: String,
}

fn new_page(ctx: &Ctx, a: &Access, error: Option<String>, status: StatusCode) -> AppResult<Response> {
    let t = ctx.tr();
    render_status(
        status,
        &NewPage {
            shell: Shell::new(ctx, "cg-new-title"),
            error,
            notice: None,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            dimensions: Dimension::ALL
                .iter()
                .map(|d| (d.as_str().to_string(), t.t(&format!("dim-{}", d.as_str()))))
                .collect(),
            dimension_hint: t.t1("cg-dimension-hint", "count", &MIN_GROUP_VOTERS.to_string()),
        },
    )
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    new_page(&ctx, &a, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct NewForm {
    title: String,
    #[serde(default)]
    body: String,
    closes_on: String,
    #[serde(default)]
    is_private: Option<String>,
    /// The demographic question whose answers form groups (race and ethnicity when empty).
    #[serde(default)]
    dimension: String,
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<NewForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let title = f.title.trim();
    let body = f.body.trim();
    if !(3..=200).contains(&title.chars().count()) || body.chars().count() > 2000 {
        return new_page(&ctx, &a, Some(t.t("cg-bad-title")), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let now = commonbeat_store::now();
    let Some(closes_at) = parse_date_end(&f.closes_on, &ctx.jurisdiction.time_zone).filter(|c| *c > now) else {
        return new_page(&ctx, &a, Some(t.t("cg-bad-close")), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let dimension = if f.dimension.trim().is_empty() { Some(Dimension::Race) } else { Dimension::parse(&f.dimension) };
    let Some(dimension) = dimension else {
        return new_page(&ctx, &a, Some(t.t("cg-bad-dimension")), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let settings = CgSettings { dimension: dimension.as_str().into(), ..CgSettings::default() };
    let d = decisions::create(
        &state.db,
        ctx.jid(),
        NewDecision {
            partnership_id: a.partnership.id,
            kind: KIND.into(),
            title: title.to_string(),
            body: body.to_string(),
            options: "[]".into(),
            settings: serde_json::to_string(&settings).unwrap_or_default(),
            opens_at: now,
            closes_at,
            is_private: f.is_private.is_some(),
            affects: String::new(),
            created_by: Some(u.id),
        },
        &[],
    )
    .await?;
    // It closes by itself (the decisions' close job works for every kind); no vote reminders: they count ballots.
    commonbeat_store::repo::jobs::enqueue(&state.db, ctx.jid(), super::CLOSE_JOB, &d.id.to_string(), closes_at).await?;
    let object = format!("decision:{}", d.id);
    ctx.audit(&state, "common_ground.create", &object, "success", json!({"partnership": a.partnership.id})).await?;
    Ok(Redirect::to(&page_path(&slug, d.id)).into_response())
}

struct StatementView {
    id: i64,
    body: String,
    /// The caller's stance id (empty when not voted) and its sentence.
    stance: String,
    mine: Option<String>,
}

struct RowView {
    rank: usize,
    body: String,
    gic: String,
    cells: Vec<String>,
}

struct SummaryView {
    body: String,
    shares: String,
}

#[derive(Template)]
#[template(path = "common_ground/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    id: i64,
    title: String,
    body: String,
    open: bool,
    closes: String,
    vote_note: String,
    statements: Vec<StatementView>,
    stances: Vec<(String, String)>,
    draft: String,
    max_len: usize,
    rows: Vec<RowView>,
    show_public: bool,
    public_note: String,
    voters: Vec<String>,
    agree: Vec<SummaryView>,
    divide: Vec<SummaryView>,
    can_manage: bool,
    pending: Vec<(i64, String)>,
    groups: Option<groups::GroupTable>,
}

/// What a page render needs besides the activity.
#[derive(Default)]
struct PageExtras {
    error: Option<String>,
    notice: Option<String>,
    draft: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    d: &decision::Model,
    headers: &HeaderMap,
    extras: PageExtras,
    status: StatusCode,
) -> AppResult<Response> {
    let t = ctx.tr();
    let (approved, votes, r) = ranking(state, ctx, d).await?;
    let me = voter(ctx, a, headers, d.id, false).map(|v| v.key);
    let stance_label = |s: &str| t.t(&format!("cg-stance-{s}"));
    let statements = approved
        .iter()
        .map(|s| {
            let mine = votes.iter().rev().find(|v| v.statement_id == s.id && Some(&v.voter_key) == me.as_ref());
            StatementView {
                id: s.id,
                body: s.body.clone(),
                stance: mine.map(|v| v.vote.clone()).unwrap_or_default(),
                mine: mine.map(|v| t.t1("cg-your-vote", "vote", &stance_label(&v.vote))),
            }
        })
        .collect();
    let show_public = r.statements.iter().any(|s| s.groups.len() > 2);
    let fmt = |p: Option<f64>| p.map_or_else(|| "—".to_string(), |p| format!("{p} %"));
    let rows = r
        .statements
        .iter()
        .map(|s| {
            let mut cells: Vec<String> = s
                .groups
                .iter()
                .map(|g| format!("{} ({} / {} / {})", fmt(g.agree_pct), g.agree, g.disagree, g.pass))
                .collect();
            if show_public && cells.len() < 3 {
                cells.push("—".into());
            }
            RowView { rank: s.rank, body: s.body.clone(), gic: format!("{:.3}", s.gic), cells }
        })
        .collect();
    let shares = |s: &CgStatementOut| {
        t.t2("cg-shares", ("police", &fmt(s.share("police"))), ("community", &fmt(s.share("community"))))
    };
    let agree = r
        .statements
        .iter()
        .filter(|s| s.both_sides_agree(BOTH_AGREE_PCT))
        .take(SUMMARY)
        .map(|s| SummaryView { body: s.body.clone(), shares: shares(s) })
        .collect();
    let divide = r
        .divisive
        .iter()
        .filter_map(|id| r.statements.iter().find(|s| s.id == *id))
        .filter(|s| !s.both_sides_agree(BOTH_AGREE_PCT))
        .take(SUMMARY)
        .map(|s| SummaryView { body: s.body.clone(), shares: shares(s) })
        .collect();
    let count = |group: &str, n: u64| {
        t.t2("cg-voter-count", ("group", &t.t(&format!("cg-group-{group}"))), ("count", &n.to_string()))
    };
    let vote_note = match (ctx.user.is_some(), member_side(a)) {
        (_, Some(side)) => t.t(&format!("cg-member-vote-note-{}", side.as_str())),
        (true, None) => t.t("cg-account-vote-note"),
        (false, None) => t.t("cg-public-vote-note"),
    };
    let can_manage = a.can_manage();
    let pending = if can_manage {
        decisions::statements(&state.db, ctx.jid(), d.id, Some("pending"))
            .await?
            .into_iter()
            .map(|s| (s.id, s.body))
            .collect()
    } else {
        Vec::new()
    };
    render_status(
        status,
        &ShowPage {
            shell: Shell::titled(ctx, d.title.clone()),
            error: extras.error,
            notice: extras.notice,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            id: d.id,
            title: d.title.clone(),
            body: d.body.clone(),
            open: is_open(d),
            closes: format_datetime(d.closes_at, &ctx.jurisdiction.time_zone, ctx.locale),
            vote_note,
            statements,
            stances: Stance::ALL.iter().map(|s| (s.as_str().to_string(), stance_label(s.as_str()))).collect(),
            draft: extras.draft,
            max_len: MAX_LEN,
            rows,
            show_public,
            public_note: t.t1("cg-public-hidden", "count", &CgSettings::of(d).min_group_size.to_string()),
            voters: vec![
                count("police", r.voters.police),
                count("community", r.voters.community),
                count(PUBLIC, r.voters.public),
            ],
            agree,
            divide,
            can_manage,
            pending,
            groups: groups::table(&t, ranking::dimension(d), &r),
        },
    )
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default)]
    sent: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    let t = ctx.tr();
    let notice = match q.sent.as_deref() {
        Some("pending") => Some(t.t("cg-submitted-pending")),
        Some("published") => Some(t.t("cg-submitted")),
        _ => None,
    };
    page(&state, &ctx, &a, &d, &headers, PageExtras { notice, ..Default::default() }, StatusCode::OK).await
}

#[derive(Deserialize)]
struct StatementForm {
    #[serde(default)]
    body: String,
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<StatementForm>,
) -> AppResult<Response> {
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    if ctx.user.is_none() {
        rate_limit(&state, &format!("cg-statement:{}:{}", ctx.jid(), ctx.source), 10, 3600).await?;
    }
    let t = ctx.tr();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if !is_open(&d) {
        let extras = PageExtras { error: Some(t.t("cg-not-open")), ..Default::default() };
        return page(&state, &ctx, &a, &d, &headers, extras, unprocessable).await;
    }
    let body = f.body.trim();
    let length = body.chars().count();
    if length == 0 || length > MAX_LEN {
        let error = t.t1("cg-statement-length", "count", &length.to_string());
        let extras = PageExtras { error: Some(error), draft: body.chars().take(2 * MAX_LEN).collect(), notice: None };
        return page(&state, &ctx, &a, &d, &headers, extras, unprocessable).await;
    }
    let approved = a.can_manage();
    let author = ctx.user.as_ref().map(|u| u.id);
    let s = decisions::add_statement(&state.db, ctx.jid(), d.id, author, body, approved).await?;
    let details = json!({"decision": d.id, "status": s.status});
    ctx.audit(&state, "common_ground.statement.submit", &format!("statement:{}", s.id), "success", details).await?;
    let sent = if approved { "published" } else { "pending" };
    Ok(Redirect::to(&format!("{}?sent={sent}", page_path(&slug, id))).into_response())
}

#[derive(Deserialize)]
struct VoteForm {
    #[serde(default)]
    vote: String,
}

async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id, sid)): Path<(String, i64, i64)>,
    Form(f): Form<VoteForm>,
) -> AppResult<Response> {
    let (a, d) = load(&state, &ctx, &slug, id).await?;
    if ctx.user.is_none() {
        rate_limit(&state, &format!("cg-vote:{}:{}", ctx.jid(), ctx.source), 300, 600).await?;
    }
    let stance = Stance::parse(&f.vote).ok_or_else(|| AppError::invalid("vote", "agree, disagree or pass"))?;
    let statement = decisions::statements(&state.db, ctx.jid(), d.id, None)
        .await?
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or(AppError::NotFound)?;
    if statement.status != "approved" {
        return Err(AppError::invalid("statement", "this statement is not open for votes"));
    }
    if !is_open(&d) {
        return Err(AppError::invalid("vote", "this activity is closed"));
    }
    let Some(v) = voter(&ctx, &a, &headers, d.id, true) else {
        return Err(AppError::Internal("no voter".into()));
    };
    let side = v.side.map(Side::as_str);
    decisions::vote_statement(&state.db, ctx.jid(), sid, &v.key, side, None, stance.as_str()).await?;
    // Members' votes are audited (without the stance); the public's never are.
    if let Some(side) = side {
        let details = json!({"decision": d.id, "side": side});
        ctx.audit(&state, "common_ground.vote", &format!("statement:{sid}"), "success", details).await?;
    }
    let mut resp = Redirect::to(&format!("{}#statement-{sid}", page_path(&slug, id))).into_response();
    if let Some(c) = v.new_cookie {
        resp.headers_mut().append(header::SET_COOKIE, set_cookie(&state, COOKIE, &c, Some(365 * 86_400)));
    }
    Ok(resp)
}

async fn moderate(state: &AppState, ctx: &Ctx, slug: &str, id: i64, sid: i64, approve: bool) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, d) = load(state, ctx, slug, id).await?;
    a.require_manage()?;
    let s = decisions::statements(&state.db, ctx.jid(), d.id, None)
        .await?
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or(AppError::NotFound)?;
    decisions::moderate_statement(&state.db, ctx.jid(), s.id, approve).await?;
    let action = if approve { "common_ground.statement.approve" } else { "common_ground.statement.reject" };
    let details = json!({"decision": d.id, "from": s.status});
    ctx.audit(state, action, &format!("statement:{sid}"), "success", details).await?;
    Ok(Redirect::to(&format!("{}#moderation-h", page_path(slug, id))).into_response())
}

async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id, sid)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    moderate(&state, &ctx, &slug, id, sid, true).await
}

async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id, sid)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    moderate(&state, &ctx, &slug, id, sid, false).await
}

/// A common-ground activity with its ranking, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommonGroundOut {
    /// Decision id.
    pub id: i64,
    /// The question.
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    /// Closing time (ISO 8601, UTC).
    pub closes_at: String,
    /// Public voters a statement needs before the public counts as a group on it.
    pub min_group_size: u64,
    /// The demographic question whose answers form members' groups (a census dimension id, e.g. `race`).
    pub dimension: String,
    /// k: members of a demographic group a statement needs before the group counts (and is shown) on it.
    pub demographic_min: u64,
    /// Voters per group.
    pub voters: CgVoters,
    /// Approved statements by GIC, highest first.
    pub statements: Vec<CgStatementOut>,
}

/// A common-ground activity: approved statements ranked by group-informed consensus, with per-group counts.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/common-ground/{id}", tag = "decisions",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Activity id")),
    responses((status = 200, body = CommonGroundOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Json<CommonGroundOut>> {
    let (_, d) = load(&state, &ctx, &slug, id).await?;
    let (_, _, r) = ranking(&state, &ctx, &d).await?;
    Ok(Json(CommonGroundOut {
        id: d.id,
        title: d.title.clone(),
        status: if is_open(&d) { "open".into() } else { "closed".into() },
        closes_at: iso_utc(d.closes_at),
        min_group_size: CgSettings::of(&d).min_group_size,
        dimension: ranking::dimension(&d).as_str().into(),
        demographic_min: MIN_GROUP_VOTERS,
        voters: r.voters,
        statements: r.statements,
    }))
}
