//! Partnerships: the public directory, forming one, its page (public fields for everyone, more for members and
//! co-chairs), charter edits and lifecycle changes. Membership and leadership actions live in submodules.

pub mod access;
pub mod api;
mod forms;
mod manage;
pub mod service;
pub mod view;

use super::guarded;
use super::pages::{Shell, render, render_status};
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::timefmt::format_datetime;
use access::Access;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use commonbeat_domain::Role;
use commonbeat_domain::partnership::{Cadence, Goal, Status};
use commonbeat_store::repo::{areas, members, partnerships};
use serde::Deserialize;
use view::{BalanceView, Representation, SeatView};

/// Partnership routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships", guarded(get(directory).post(forms::create)))
        .route("/partnerships/new", guarded(get(forms::new_form)))
        .route("/partnerships/{slug}", guarded(get(show)))
        .route("/partnerships/{slug}/edit", guarded(get(forms::edit_form).post(forms::update)))
        .route("/partnerships/{slug}/status", guarded(post(manage::set_status)))
        .route("/partnerships/{slug}/join", guarded(post(manage::join)))
        .route("/partnerships/{slug}/leave", guarded(post(manage::leave)))
        .route("/partnerships/{slug}/invite", guarded(post(manage::invite)))
        .route("/partnerships/{slug}/accept", guarded(post(manage::join)))
        .route("/partnerships/{slug}/members/{user_id}/{action}", guarded(post(manage::member_action)))
        .route("/partnerships/{slug}/seats", guarded(post(manage::assign_seat)))
        .route("/partnerships/{slug}/seats/{seat}/vacate", guarded(post(manage::vacate_seat)))
        .merge(api::router())
}

/// One partnership in the directory.
pub struct Card {
    slug: String,
    name: String,
    status: String,
    status_label: String,
    goals: Vec<String>,
    areas: Vec<String>,
    founding_problem: String,
    balance_line: String,
}

#[derive(Template)]
#[template(path = "partnerships/directory.html")]
struct DirectoryPage {
    shell: Shell,
    cards: Vec<Card>,
    can_form: bool,
    areas: Vec<(i64, String)>,
    statuses: Vec<(String, String)>,
    goals: Vec<(String, String)>,
    f_area: i64,
    f_status: String,
    f_goal: String,
    map_svg: String,
    count_line: String,
}

#[derive(Deserialize, Default)]
struct DirectoryQuery {
    area: Option<String>,
    status: Option<String>,
    goal: Option<String>,
}

/// Public labels for goals.
pub fn goal_labels(ctx: &Ctx, goals: &str) -> Vec<String> {
    let t = ctx.tr();
    goals.split(',').filter_map(Goal::parse).map(|g| t.t(&format!("goal-{}", g.as_str()))).collect()
}

async fn directory(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DirectoryQuery>) -> AppResult<Response> {
    let t = ctx.tr();
    let f_area = q.area.as_deref().and_then(|a| a.parse::<i64>().ok()).unwrap_or(0);
    let filter = partnerships::Filter {
        status: q.status.as_deref().and_then(Status::parse),
        goal: q.goal.as_deref().and_then(Goal::parse),
        area_id: (f_area > 0).then_some(f_area),
    };
    let list = partnerships::list(&state.db, ctx.jid(), &filter).await?;
    let mut cards = Vec::new();
    let mut shown_areas = Vec::new();
    for p in list {
        let pa = partnerships::areas_of(&state.db, ctx.jid(), p.id).await?;
        let balance = BalanceView::of(members::balance(&state.db, ctx.jid(), p.id).await?);
        cards.push(Card {
            slug: p.slug.clone(),
            name: p.name.clone(),
            status_label: t.t(&format!("pstatus-{}", p.status)),
            status: p.status.clone(),
            goals: goal_labels(&ctx, &p.goals),
            areas: pa.iter().map(|a| a.name.clone()).collect(),
            founding_problem: p.founding_problem.clone(),
            balance_line: t.t2(
                "balance-line",
                ("police", &balance.police.to_string()),
                ("community", &balance.community.to_string()),
            ),
        });
        shown_areas.extend(pa.into_iter().map(|a| (a, Some(format!("/partnerships/{}", p.slug)), p.name.clone())));
    }
    let cards_len = cards.len();
    let all_areas = areas::list(&state.db, ctx.jid(), None).await?;
    let focus: Vec<i64> = shown_areas.iter().map(|(a, _, _)| a.id).collect();
    let map_svg = crate::maps::enhanceable(
        crate::maps::svg_map(&all_areas, &shown_areas, &t.t("directory-map-title"), &t.t("directory-map-desc")),
        &super::areas::map_url(&focus),
        &t.t("directory-map-title"),
        state.config.tile_url.as_deref(),
    );
    let page = DirectoryPage {
        shell: Shell::new(&ctx, "directory-title"),
        cards,
        can_form: matches!(ctx.role(), Some(Role::Police | Role::Admin)),
        areas: all_areas.iter().map(|a| (a.id, a.name.clone())).collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), t.t(&format!("pstatus-{}", s.as_str()))))
            .collect(),
        goals: Goal::ALL.iter().map(|g| (g.as_str().to_string(), t.t(&format!("goal-{}", g.as_str())))).collect(),
        f_area,
        f_status: q.status.unwrap_or_default(),
        f_goal: q.goal.unwrap_or_default(),
        map_svg,
        count_line: t.t1("directory-count", "count", &cards_len.to_string()),
    };
    render(&page)
}

/// A member as listed on the page (names for members; contact details for co-chairs only).
pub struct MemberRow {
    user_id: i64,
    name: String,
    side: String,
    role: String,
    status: String,
    status_id: String,
    email: Option<String>,
    since: String,
}

/// One history line.
pub struct HistoryRow {
    at: String,
    text: String,
}

#[derive(Template)]
#[template(path = "partnerships/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    name: String,
    status: String,
    status_label: String,
    mission: String,
    founding_problem: String,
    cadence: String,
    goals: Vec<String>,
    areas: Vec<(i64, String)>,
    map_svg: String,
    balance: BalanceView,
    imbalance_text: Option<String>,
    seats: Vec<SeatView>,
    alerts: Vec<String>,
    rep: Representation,
    signed_in: bool,
    my_status: String,
    is_member: bool,
    can_manage: bool,
    members: Vec<MemberRow>,
    history: Vec<HistoryRow>,
    next_statuses: Vec<(String, String)>,
    member_choices: Vec<(i64, String, String)>,
    seat_choices: Vec<(String, String)>,
    decisions: Vec<DecisionRow>,
    talk: crate::routes::announcements::Summary,
}

/// One line of the decision log.
pub struct DecisionRow {
    id: i64,
    title: String,
    kind: String,
    status: String,
    outcome: Option<String>,
    affects: String,
    kind_id: String,
}

/// Builds the partnership page for the caller.
pub(crate) async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let p = &a.partnership;
    let area_models = view::area_list(state, ctx, p).await?;
    let area_ids: Vec<i64> = area_models.iter().map(|x| x.id).collect();
    let balance = BalanceView::of(members::balance(&state.db, ctx.jid(), p.id).await?);
    let (seats, alerts) = view::seats(state, ctx, p).await?;
    let rep = view::representation(state, ctx, p, &area_ids).await?;
    let tz = &ctx.jurisdiction.time_zone;
    let (members_rows, history) = if a.sees_members() {
        let list = members::list(&state.db, ctx.jid(), p.id, None).await?;
        let rows: Vec<MemberRow> = list
            .iter()
            .filter(|m| a.can_manage() || m.membership.status == members::ACTIVE)
            .map(|m| MemberRow {
                user_id: m.user.id,
                name: m.user.name.clone(),
                side: view::side_label(&t, &m.membership.side),
                role: t.t(&format!("member-role-{}", m.membership.role)),
                status: t.t(&format!("membership-{}", m.membership.status)),
                status_id: m.membership.status.clone(),
                email: a.can_manage().then(|| m.user.email.clone()),
                since: m.membership.joined_at.map(|j| format_datetime(j, tz, ctx.locale)).unwrap_or_default(),
            })
            .collect();
        let names: std::collections::HashMap<i64, String> =
            list.iter().map(|m| (m.user.id, m.user.name.clone())).collect();
        let events = partnerships::events(&state.db, ctx.jid(), p.id).await?;
        let history = events
            .iter()
            .take(100)
            .map(|e| HistoryRow { at: format_datetime(e.at, tz, ctx.locale), text: view_event(ctx, e, &names) })
            .collect();
        (rows, history)
    } else {
        let events = partnerships::events(&state.db, ctx.jid(), p.id).await?;
        let history = events
            .iter()
            .filter(|e| e.kind == "status" || e.kind == "created")
            .map(|e| HistoryRow {
                at: format_datetime(e.at, tz, ctx.locale),
                text: view_event(ctx, e, &Default::default()),
            })
            .collect();
        (Vec::new(), history)
    };
    let status = partnerships::status_of(p);
    let member_choices = if a.can_manage() {
        members::list(&state.db, ctx.jid(), p.id, Some(members::ACTIVE))
            .await?
            .into_iter()
            .map(|m| (m.user.id, m.user.name.clone(), view::side_label(&t, &m.membership.side)))
            .collect()
    } else {
        Vec::new()
    };
    let decisions = commonbeat_store::repo::decisions::for_partnership(&state.db, ctx.jid(), p.id, a.sees_members())
        .await?
        .into_iter()
        .map(|d| DecisionRow {
            id: d.id,
            kind: t.t(&format!("kind-{}", d.kind)),
            status: t.t(crate::routes::decisions::status_key(&d)),
            title: d.title,
            outcome: d.outcome,
            affects: d.affects,
            kind_id: d.kind.clone(),
        })
        .collect();
    let talk = crate::routes::announcements::summary(state, ctx, a).await?;
    let page = ShowPage {
        decisions,
        talk,
        shell: Shell::titled(ctx, p.name.clone()),
        error,
        notice,
        slug: p.slug.clone(),
        name: p.name.clone(),
        status: p.status.clone(),
        status_label: t.t(&format!("pstatus-{}", p.status)),
        mission: p.mission.clone(),
        founding_problem: p.founding_problem.clone(),
        cadence: Cadence::parse(&p.cadence).map(|c| t.t(&format!("cadence-{}", c.as_str()))).unwrap_or_default(),
        goals: goal_labels(ctx, &p.goals),
        areas: area_models.iter().map(|x| (x.id, x.name.clone())).collect(),
        map_svg: crate::maps::enhanceable(
            crate::maps::svg_map(
                &area_models,
                &area_models.iter().map(|x| (x.clone(), None, x.name.clone())).collect::<Vec<_>>(),
                &t.t1("partnership-map-title", "name", &p.name),
                &t.t("partnership-map-desc"),
            ),
            &super::areas::map_url(&area_ids),
            &t.t1("partnership-map-title", "name", &p.name),
            state.config.tile_url.as_deref(),
        ),
        imbalance_text: balance.underweighted.as_ref().map(|s| t.t(&format!("imbalance-{s}"))),
        balance,
        seats,
        alerts,
        rep,
        signed_in: ctx.user.is_some(),
        my_status: a.membership.as_ref().map(|m| m.status.clone()).unwrap_or_default(),
        is_member: a.is_member(),
        can_manage: a.can_manage(),
        members: members_rows,
        history,
        next_statuses: status
            .next()
            .iter()
            .map(|s| (s.as_str().to_string(), t.t(&format!("pstatus-{}", s.as_str()))))
            .collect(),
        member_choices,
        seat_choices: commonbeat_domain::partnership::Seat::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), t.t(&format!("seat-{}", s.as_str()))))
            .collect(),
    };
    if page.error.is_some() { render_status(StatusCode::UNPROCESSABLE_ENTITY, &page) } else { render(&page) }
}

fn view_event(
    ctx: &Ctx,
    e: &commonbeat_store::entities::partnership_event::Model,
    names: &std::collections::HashMap<i64, String>,
) -> String {
    let t = ctx.tr();
    let who = e.subject_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t.t("someone"));
    let base = match e.kind.as_str() {
        "created" => t.t("event-created"),
        "status" => t.t2(
            "event-status",
            ("from", &t.t(&format!("pstatus-{}", e.from_value))),
            ("to", &t.t(&format!("pstatus-{}", e.to_value))),
        ),
        "charter" => t.t("event-charter"),
        "membership" => {
            t.t2("event-membership", ("name", &who), ("status", &t.t(&format!("membership-{}", e.to_value))))
        }
        "leadership" if e.to_value.is_empty() => {
            t.t1("event-seat-vacated", "seat", &t.t(&format!("seat-{}", e.from_value)))
        }
        "leadership" => t.t2("event-seat-assigned", ("name", &who), ("seat", &t.t(&format!("seat-{}", e.to_value)))),
        other => other.to_string(),
    };
    if e.note.is_empty() { base } else { format!("{base} — “{}”", e.note) }
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = Access::load(&state, &ctx, &slug).await?;
    show_page(&state, &ctx, &a, None, None).await
}
