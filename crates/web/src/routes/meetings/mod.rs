//! Meetings of a partnership, run the way Chicago's CAPS beat meetings are: a standard agenda, invitations with a
//! calendar attachment, RSVPs, attendance by side (members sign in; walk-ins are counted), minutes approved by the
//! co-chairs whose action items become tracked commitments, recordings, and calendar feeds.

mod actions;
pub mod api;
pub mod calendar;
pub mod jobs;
pub mod service;

use super::guarded;
use super::pages::{Shell, render};
use super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timefmt::{format_datetime, iso_utc};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use commonbeat_domain::meeting::{AttendanceTrend, Imbalance};
use commonbeat_store::entities::{meeting, partnership};
use commonbeat_store::repo::{commitments, meetings, members};
pub use service::{MeetingForm, REMIND_JOB};

/// Meeting routes (pages, feeds and API).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{slug}/meetings", guarded(get(list).post(actions::create)))
        .route("/partnerships/{slug}/meetings/new", guarded(get(actions::new_form)))
        .route("/partnerships/{slug}/meetings/{id}", guarded(get(show)))
        .route("/partnerships/{slug}/meetings/{id}/edit", guarded(get(actions::edit_form).post(actions::update)))
        .route("/partnerships/{slug}/meetings/{id}/cancel", guarded(post(actions::cancel)))
        .route("/partnerships/{slug}/meetings/{id}/rsvp", guarded(post(actions::rsvp)))
        .route("/partnerships/{slug}/meetings/{id}/sign-in", guarded(post(actions::sign_in)))
        .route("/partnerships/{slug}/meetings/{id}/attendance", guarded(post(actions::attendance)))
        .route("/partnerships/{slug}/meetings/{id}/minutes", guarded(post(actions::minutes)))
        .route("/partnerships/{slug}/meetings/{id}/minutes/approve", guarded(post(actions::approve)))
        .route("/partnerships/{slug}/agenda-templates", guarded(post(actions::save_template)))
        .route("/partnerships/{slug}/calendar.ics", guarded(get(calendar::partnership_feed)))
        .route("/calendar/{file}", guarded(get(calendar::member_feed)))
        .route("/api/v1/partnerships/{slug}/meetings", guarded(get(api::api_list).post(api::api_create)))
        .route("/api/v1/partnerships/{slug}/meetings/{id}", guarded(get(api::api_show)))
        .route("/api/v1/partnerships/{slug}/meetings/{id}/attendance", guarded(post(api::api_attendance)))
}

/// A partnership and its meetings (public: beat meetings are open to everyone).
pub async fn load_partnership_meetings(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> AppResult<(partnership::Model, Vec<meeting::Model>)> {
    let p = commonbeat_store::repo::partnerships::by_slug(&state.db, ctx.jid(), slug).await?;
    let ms = meetings::for_partnership(&state.db, ctx.jid(), p.id).await?;
    Ok((p, ms))
}

/// Loads one meeting of the partnership (404 for another partnership's).
pub async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: i64) -> AppResult<(Access, meeting::Model)> {
    let a = Access::load(state, ctx, slug).await?;
    let m = meetings::by_id(&state.db, ctx.jid(), id).await?;
    if m.partnership_id != a.partnership.id {
        return Err(AppError::NotFound);
    }
    Ok((a, m))
}

/// A meeting in a list.
pub struct MeetingRow {
    id: i64,
    title: String,
    when: String,
    iso: String,
    status: String,
    format: String,
    police: u64,
    community: u64,
    total: u64,
    community_pct: String,
    flag: String,
    bar_police: u64,
    bar_community: u64,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    shell: Shell,
    slug: String,
    partnership: String,
    can_manage: bool,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    alert: bool,
    feed: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let t = ctx.tr();
    let ms = meetings::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    let ids: Vec<i64> = ms.iter().map(|m| m.id).collect();
    let signed = meetings::attendance_of(&state.db, &ids).await?;
    let now = commonbeat_store::now();
    let tz = ctx.jurisdiction.time_zone.clone();
    let mut trend_input = Vec::new();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    let counts: Vec<_> = ms
        .iter()
        .map(|m| service::count_of(m, signed.iter().filter(|s| s.meeting_id == m.id).map(|s| s.side.as_str())))
        .collect();
    let max_total = counts.iter().map(|c| c.total()).max().unwrap_or(1).max(1);
    for (m, &c) in ms.iter().zip(&counts) {
        let police = c.by_side(commonbeat_domain::Side::Police);
        let community = c.by_side(commonbeat_domain::Side::Community);
        if m.status == "held"
            && let Ok(ts) = jiff::Timestamp::from_second(m.starts_at)
        {
            trend_input.push((ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(), c));
        }
        let flag = match c.imbalance() {
            Some(Imbalance::NoPolice) if m.status == "held" => t.t("attendance-flag-no-police"),
            Some(Imbalance::CommunityMinority) if m.status == "held" => t.t("attendance-flag-community-minority"),
            _ => String::new(),
        };
        let row = MeetingRow {
            id: m.id,
            title: m.title.clone(),
            when: format_datetime(m.starts_at, &tz, ctx.locale),
            iso: iso_utc(m.starts_at),
            status: t.t(&format!("meeting-status-{}", m.status)),
            format: t.t(&format!("meeting-format-{}", m.format)),
            police,
            community,
            total: c.total(),
            community_pct: c.community_share().map(|s| format!("{:.0} %", s * 100.0)).unwrap_or_else(|| "—".into()),
            flag,
            bar_police: police * 200 / max_total,
            bar_community: community * 200 / max_total,
        };
        if m.ends_at >= now && m.status != "held" { upcoming.push(row) } else { past.push(row) }
    }
    past.reverse();
    let alert = AttendanceTrend::new(trend_input).representation_alert(3);
    render(&ListPage {
        shell: Shell::titled(&ctx, t.t1("meetings-title", "partnership", &a.partnership.name)),
        slug: slug.clone(),
        partnership: a.partnership.name.clone(),
        can_manage: a.can_manage(),
        upcoming,
        past,
        alert,
        feed: format!("/partnerships/{slug}/calendar.ics"),
    })
}

/// A member on the attendance form.
pub struct AttendeeRow {
    user_id: i64,
    name: String,
    side: String,
    present: bool,
}

/// An action item found in the minutes, or a problem with one.
pub struct ActionRow {
    text: String,
}

/// A commitment linked to the meeting.
pub struct CommitmentLink {
    id: i64,
    title: String,
    status: String,
    due: String,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    m: meeting::Model,
    when: String,
    ends: String,
    iso: String,
    status: String,
    format: String,
    agenda: Vec<(String, String, String, String)>,
    conditions_link: String,
    agenda_total: String,
    rsvp_options: Vec<(String, String)>,
    approved_by: String,
    is_member: bool,
    can_manage: bool,
    can_approve: bool,
    my_rsvp: String,
    rsvp_yes: usize,
    rsvp_maybe: usize,
    rsvp_no: usize,
    police: u64,
    community: u64,
    signed_in: bool,
    can_sign_in: bool,
    attendees: Vec<AttendeeRow>,
    sees_names: bool,
    minutes_html: String,
    minutes_visible: bool,
    minutes_status: String,
    actions: Vec<ActionRow>,
    action_errors: Vec<ActionRow>,
    commitments: Vec<CommitmentLink>,
    is_past: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, i64)>) -> AppResult<Response> {
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    page(&state, &ctx, &a, m, None, None).await
}

/// Renders the meeting page with an optional error or notice.
pub(crate) async fn page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    m: meeting::Model,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = ctx.jurisdiction.time_zone.clone();
    let rsvps = meetings::rsvps(&state.db, m.id).await?;
    let signed = meetings::attendance(&state.db, m.id).await?;
    let me = ctx.user.as_ref().map(|u| u.id);
    let c = service::count_of(&m, signed.iter().map(|s| s.side.as_str()));
    let list = members::list(&state.db, ctx.jid(), a.partnership.id, Some(members::ACTIVE)).await?;
    let names: Vec<String> = list.iter().map(|x| x.user.name.clone()).collect();
    let (items, errors) = commonbeat_domain::minutes::action_items(&m.minutes, &names);
    let approvals = meetings::approvals(&state.db, m.id).await?;
    let now = commonbeat_store::now();
    let agenda = service::agenda_of(&m);
    let conditions = crime_conditions(state, ctx, a, m.starts_at).await?;
    let minutes_visible = (m.minutes_status == meetings::MINUTES_APPROVED && m.minutes_public) || a.sees_members();
    let commitments = commitments::for_meeting(&state.db, ctx.jid(), m.id)
        .await?
        .into_iter()
        .filter(|c| crate::routes::commitments::visible_to(a, c))
        .map(|c| CommitmentLink {
            id: c.id,
            title: c.title,
            status: t.t(&format!("commitment-status-{}", c.status)),
            due: c.due_on,
        })
        .collect();
    let mut approved_sides: Vec<String> = approvals
        .iter()
        .map(|x| t.t(&format!("side-{}", x.side)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    approved_sides.sort();
    render(&ShowPage {
        shell: Shell::titled(ctx, m.title.clone()),
        error,
        notice,
        slug: a.partnership.slug.clone(),
        partnership: a.partnership.name.clone(),
        when: format_datetime(m.starts_at, &tz, ctx.locale),
        ends: format_datetime(m.ends_at, &tz, ctx.locale),
        iso: iso_utc(m.starts_at),
        status: t.t(&format!("meeting-status-{}", m.status)),
        format: t.t(&format!("meeting-format-{}", m.format)),
        agenda_total: t.t1(
            "agenda-total",
            "count",
            &agenda.iter().map(|i| u32::from(i.minutes)).sum::<u32>().to_string(),
        ),
        agenda: agenda
            .into_iter()
            .map(|i| {
                let extra = if i.key == "conditions" { conditions.clone() } else { String::new() };
                (i.title, t.t1("minutes-count", "count", &i.minutes.to_string()), i.notes, extra)
            })
            .collect(),
        conditions_link: format!("/crime?partnership={}", a.partnership.slug),
        rsvp_options: ["yes", "maybe", "no"].iter().map(|r| (r.to_string(), t.t(&format!("rsvp-{r}")))).collect(),
        approved_by: if approved_sides.is_empty() {
            String::new()
        } else {
            t.t1("minutes-approved-by", "sides", &approved_sides.join(", "))
        },
        is_member: a.is_member(),
        can_manage: a.can_manage(),
        can_approve: a.leads && m.minutes_status == meetings::MINUTES_DRAFT && errors.is_empty(),
        my_rsvp: rsvps.iter().find(|r| Some(r.user_id) == me).map(|r| r.response.clone()).unwrap_or_default(),
        rsvp_yes: rsvps.iter().filter(|r| r.response == "yes").count(),
        rsvp_maybe: rsvps.iter().filter(|r| r.response == "maybe").count(),
        rsvp_no: rsvps.iter().filter(|r| r.response == "no").count(),
        police: c.by_side(commonbeat_domain::Side::Police),
        community: c.by_side(commonbeat_domain::Side::Community),
        signed_in: signed.iter().any(|s| Some(s.user_id) == me),
        can_sign_in: a.is_member()
            && m.status != "cancelled"
            && now >= m.starts_at - 2 * 3600
            && now <= m.ends_at + 6 * 3600,
        attendees: list
            .iter()
            .map(|x| AttendeeRow {
                user_id: x.user.id,
                name: x.user.name.clone(),
                side: t.t(&format!("side-{}", x.membership.side)),
                present: signed.iter().any(|s| s.user_id == x.user.id),
            })
            .collect(),
        sees_names: a.sees_members(),
        minutes_html: commonbeat_domain::text::render(&m.minutes, &names),
        minutes_visible,
        minutes_status: t.t(&format!("minutes-status-{}", m.minutes_status)),
        actions: items
            .iter()
            .map(|i| {
                let owner = match &i.owner {
                    commonbeat_domain::minutes::ActionOwner::Member(n) => names[*n].clone(),
                    commonbeat_domain::minutes::ActionOwner::Organisation(o) => o.clone(),
                };
                ActionRow { text: format!("{} — {owner} — {}", i.what, i.due) }
            })
            .collect(),
        action_errors: errors.iter().map(|e| ActionRow { text: action_problem(&t, e) }).collect(),
        commitments,
        is_past: m.ends_at < now,
        m,
    })
}

/// An action-item problem in the reader's language, naming the line.
pub fn action_problem(t: &crate::i18n::Tr, e: &commonbeat_domain::minutes::ActionItemError) -> String {
    use commonbeat_domain::minutes::ActionProblem;
    let problem = match &e.problem {
        ActionProblem::MissingWhat => t.t("minutes-problem-what"),
        ActionProblem::MissingDue => t.t("minutes-problem-due"),
        ActionProblem::BadDate(d) => t.t1("minutes-problem-date", "value", d),
        ActionProblem::MissingOwner => t.t("minutes-problem-owner"),
    };
    t.t2("minutes-action-error", ("line", &e.line.to_string()), ("problem", &problem))
}

/// The agenda's "current crime conditions" line for the partnership's areas, in the reader's language (empty
/// when the partnership has no areas or there are no incidents at all).
async fn crime_conditions(state: &AppState, ctx: &Ctx, a: &Access, starts_at: i64) -> AppResult<String> {
    let t = ctx.tr();
    let areas: Vec<i64> = commonbeat_store::repo::partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .iter()
        .map(|x| x.id)
        .collect();
    let columns = state.crime.get(&state.db, ctx.jid()).await?;
    if areas.is_empty() || columns.is_empty() {
        return Ok(String::new());
    }
    let audience = crate::crime::privacy::Audience::of(ctx.role());
    let c = crate::crime::conditions(&columns, &areas, starts_at, audience);
    let tz = ctx.time_zone();
    let day = |s: i64| crate::crime::params::local_date(s, &tz).to_string();
    let top =
        c.top.iter().map(|(k, n)| format!("{} {n}", t.t(&format!("crime-cat-{k}")))).collect::<Vec<_>>().join(", ");
    Ok(t.t("meeting-crime-conditions")
        .replace("{count}", &c.count.to_string())
        .replace("{to}", &day(c.to - 1))
        .replace("{before}", &c.year_before.to_string())
        .replace("{p}", &format!("{:.2}", c.p))
        .replace("{top}", &top))
}
