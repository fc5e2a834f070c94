//! Meeting forms and actions: schedule (optionally from a time poll), change, cancel, RSVP, sign in, record
//! attendance, write and approve minutes (approval turns action items into commitments), agenda templates.

use super::service::{self, MeetingForm, Notice};
use super::{load, page};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render_status};
use crate::routes::partnerships::access::Access;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::minutes::{ActionOwner, action_items};
use commonbeat_store::entities::meeting;
use commonbeat_store::repo::commitments::{self, NewCommitment};
use commonbeat_store::repo::{leadership, meetings, members};
use serde::Deserialize;
use serde_json::json;

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    action: String,
    f: MeetingForm,
    error_field: String,
    templates: Vec<(String, String)>,
    tz_hint: String,
    formats: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    action: String,
    f: MeetingForm,
    error: Option<(String, String)>,
) -> AppResult<Response> {
    let templates = meetings::templates(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .into_iter()
        .map(|t| {
            let items: Vec<commonbeat_domain::meeting::AgendaItem> = serde_json::from_str(&t.items).unwrap_or_default();
            (t.name, service::agenda_to_text(&items))
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (error_field, error) = match error {
        Some((field, msg)) => (field, Some(msg)),
        None => (String::new(), None),
    };
    render_status(
        status,
        &FormPage {
            shell: Shell::new(ctx, if action.ends_with("/edit") { "meeting-edit-title" } else { "meeting-new-title" }),
            error,
            notice: None,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            action,
            f,
            error_field,
            templates,
            tz_hint: ctx.tr().t1("meeting-tz-hint", "zone", &ctx.jurisdiction.time_zone),
            formats: ["in_person", "online", "hybrid"]
                .iter()
                .map(|f| (f.to_string(), ctx.tr().t(&format!("meeting-format-{f}"))))
                .collect(),
        },
    )
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    from_decision: Option<i64>,
}

/// The local `YYYY-MM-DDTHH:MM` of a unix time.
fn local_input(unix: i64, tz: &str) -> (String, String) {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::from_second(unix) else { return (String::new(), String::new()) };
    let z = ts.to_zoned_datetime(zone);
    (z.strftime("%Y-%m-%dT%H:%M").to_string(), z.strftime("%H:%M").to_string())
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let mut f = MeetingForm {
        title: t.t("meeting-default-title"),
        format: "in_person".into(),
        agenda: service::agenda_to_text(&service::default_agenda(&t)),
        ..Default::default()
    };
    // A time poll's winning time becomes the meeting's time.
    if let Some(id) = q.from_decision {
        let d = commonbeat_store::repo::decisions::by_id(&state.db, ctx.jid(), id).await?;
        if d.partnership_id != a.partnership.id {
            return Err(AppError::NotFound);
        }
        if let Some(start) = crate::routes::decisions::winning_time(&state, &d, &ctx.jurisdiction.time_zone).await? {
            let (starts, _) = local_input(start, &ctx.jurisdiction.time_zone);
            let (_, ends) = local_input(start + 90 * 60, &ctx.jurisdiction.time_zone);
            f.starts = starts;
            f.ends = ends;
            f.title = d.title.clone();
            f.from_decision = Some(d.id);
        }
    }
    form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings"), f, None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<MeetingForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    match service::schedule(&state, &ctx, &a, &f).await? {
        Ok(m) => Ok(Redirect::to(&format!("/partnerships/{slug}/meetings/{}", m.id)).into_response()),
        Err(r) => form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings"), f, Some(r)).await,
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    let (starts, _) = local_input(m.starts_at, &ctx.jurisdiction.time_zone);
    let (_, ends) = local_input(m.ends_at, &ctx.jurisdiction.time_zone);
    let f = MeetingForm {
        title: m.title.clone(),
        format: m.format.clone(),
        starts,
        ends,
        place: m.place.clone(),
        accessibility: m.accessibility.clone(),
        interpretation: m.interpretation.clone(),
        online_url: m.online_url.clone(),
        agenda: service::agenda_to_text(&service::agenda_of(&m)),
        from_decision: None,
    };
    form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings/{id}/edit"), f, None).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<MeetingForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    if m.status == "cancelled" {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-cancelled")), None).await;
    }
    match service::change(&state, &ctx, &a, m, &f).await? {
        Ok(m) => Ok(Redirect::to(&format!("/partnerships/{slug}/meetings/{}", m.id)).into_response()),
        Err(r) => form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings/{id}/edit"), f, Some(r)).await,
    }
}

#[derive(Deserialize)]
pub(super) struct CancelForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || m.status != "scheduled" {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-cancel")), None).await;
    }
    let m = meetings::cancel(&state.db, m, reason).await?;
    service::announce(&state, ctx.jid(), &a, &m, Notice::Cancelled).await?;
    ctx.audit(&state, "meeting.cancel", &format!("meeting:{}", m.id), "success", json!({"reason": reason})).await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/meetings/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct RsvpForm {
    response: String,
}

pub(super) async fn rsvp(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<RsvpForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    if !a.is_member() {
        return Err(AppError::Forbidden);
    }
    if m.status != "scheduled" {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-rsvp-closed")), None).await;
    }
    if !["yes", "maybe", "no"].contains(&f.response.as_str()) {
        return Err(AppError::invalid("response", "yes, maybe or no"));
    }
    meetings::rsvp(&state.db, &m, u.id, &f.response).await?;
    ctx.audit(&state, "meeting.rsvp", &format!("meeting:{}", m.id), "success", json!({"response": f.response})).await?;
    page(&state, &ctx, &a, m, None, Some(ctx.tr().t("meeting-rsvp-saved"))).await
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    let Some(ms) = a.membership.clone().filter(|ms| ms.status == members::ACTIVE) else {
        return Err(AppError::Forbidden);
    };
    let now = commonbeat_store::now();
    if m.status == "cancelled" || now < m.starts_at - 2 * 3600 || now > m.ends_at + 6 * 3600 {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-sign-in-window")), None).await;
    }
    meetings::sign_in(&state.db, &m, u.id, &ms.side).await?;
    ctx.audit(&state, "meeting.sign_in", &format!("meeting:{}", m.id), "success", json!({})).await?;
    page(&state, &ctx, &a, m, None, Some(ctx.tr().t("meeting-signed-in"))).await
}

/// Records attendance (co-chairs): which members were present, walk-ins by side, the recording link.
pub(super) async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    let field = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let present: Vec<i64> = pairs.iter().filter(|(k, _)| k == "present").filter_map(|(_, v)| v.parse().ok()).collect();
    let walk = |k: &str| -> Result<i32, ()> {
        let v = field(k);
        if v.is_empty() { Ok(0) } else { v.parse::<i32>().ok().filter(|n| (0..=5000).contains(n)).ok_or(()) }
    };
    let (Ok(wp), Ok(wc)) = (walk("walk_ins_police"), walk("walk_ins_community")) else {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-walk-ins")), None).await;
    };
    let recording = field("recording_url");
    if !crate::routes::optional_link_ok(&recording) {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-link-bad")), None).await;
    }
    if m.status == "cancelled" || m.starts_at > commonbeat_store::now() + 3600 {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("meeting-error-not-yet")), None).await;
    }
    let active = members::list(&state.db, ctx.jid(), a.partnership.id, Some(members::ACTIVE)).await?;
    let mut added = 0;
    for x in active.iter().filter(|x| present.contains(&x.user.id)) {
        if meetings::sign_in(&state.db, &m, x.user.id, &x.membership.side).await? {
            added += 1;
        }
    }
    // The form lists every active member, so an unticked one was not there (a mistaken sign-in is corrected).
    let absent: Vec<i64> = active.iter().map(|x| x.user.id).filter(|id| !present.contains(id)).collect();
    let removed = meetings::remove_attendance(&state.db, m.id, &absent).await?;
    let m = meetings::record_held(&state.db, m, (wp, wc), &recording).await?;
    ctx.audit(
        &state,
        "meeting.attendance",
        &format!("meeting:{}", m.id),
        "success",
        json!({"members_added": added, "members_removed": removed, "walk_ins_police": wp, "walk_ins_community": wc}),
    )
    .await?;
    page(&state, &ctx, &a, m, None, Some(ctx.tr().t("meeting-attendance-saved"))).await
}

#[derive(Deserialize)]
pub(super) struct MinutesForm {
    #[serde(default)]
    minutes: String,
    public: Option<String>,
}

pub(super) async fn minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<MinutesForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    if f.minutes.chars().count() > 50_000 {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("minutes-error-long")), None).await;
    }
    if m.minutes_status == meetings::MINUTES_APPROVED {
        return page(&state, &ctx, &a, m, Some(ctx.tr().t("minutes-error-approved")), None).await;
    }
    let m = meetings::save_minutes(&state.db, m, &f.minutes, f.public.is_some()).await?;
    ctx.audit(&state, "meeting.minutes", &format!("meeting:{}", m.id), "success", json!({"public": m.minutes_public}))
        .await?;
    page(&state, &ctx, &a, m, None, Some(ctx.tr().t("minutes-saved"))).await
}

/// A co-chair approves the minutes. When both sides' co-chairs have approved (or the only side that holds a
/// seat), the minutes are approved and their action items become commitments, once.
pub(super) async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    if !a.leads {
        return Err(AppError::Forbidden);
    }
    let t = ctx.tr();
    if m.minutes_status != meetings::MINUTES_DRAFT {
        return page(&state, &ctx, &a, m, Some(t.t("minutes-error-not-draft")), None).await;
    }
    let list = members::list(&state.db, ctx.jid(), a.partnership.id, Some(members::ACTIVE)).await?;
    let names: Vec<String> = list.iter().map(|x| x.user.name.clone()).collect();
    let (items, errors) = action_items(&m.minutes, &names);
    if let Some(e) = errors.first() {
        return page(&state, &ctx, &a, m, Some(super::action_problem(&t, e)), None).await;
    }
    // A leader's side is their membership's; an administrator without one sits on the police side.
    let side = a.membership.as_ref().map(|x| x.side.clone()).unwrap_or_else(|| {
        u.role.parse::<commonbeat_domain::Role>().map(|r| r.side().as_str()).unwrap_or("community").to_string()
    });
    let approved = meetings::approve_minutes(&state.db, &m, u.id, &side).await?;
    let seated: std::collections::BTreeSet<String> = leadership::current(&state.db, ctx.jid(), a.partnership.id)
        .await?
        .iter()
        .filter_map(|term| list.iter().find(|x| x.user.id == term.user.id).map(|x| x.membership.side.clone()))
        .collect();
    ctx.audit(&state, "meeting.minutes_approve", &format!("meeting:{}", m.id), "success", json!({"side": side}))
        .await?;
    if !seated.iter().all(|s| approved.contains(s)) {
        return page(&state, &ctx, &a, m, None, Some(t.t("minutes-approval-recorded"))).await;
    }
    if !meetings::mark_minutes_approved(&state.db, &m).await? {
        return page(&state, &ctx, &a, m, None, None).await;
    }
    let today = crate::routes::commitments::today(&ctx.jurisdiction.time_zone);
    let mut created = Vec::new();
    for item in items {
        let (owner_user_id, owner_side, owner_org) = match &item.owner {
            ActionOwner::Member(n) => (Some(list[*n].user.id), Some(list[*n].membership.side.clone()), String::new()),
            ActionOwner::Organisation(o) => (None, None, o.clone()),
        };
        let c = commitments::create(
            &state.db,
            ctx.jid(),
            NewCommitment {
                partnership_id: a.partnership.id,
                meeting_id: Some(m.id),
                decision_id: None,
                problem_id: None,
                strategy_id: None,
                title: item.what.clone(),
                owner_user_id,
                owner_side,
                owner_org,
                due_on: item.due.to_string(),
                is_public: m.minutes_public,
                created_by: Some(u.id),
                created_on: today.to_string(),
            },
        )
        .await?;
        crate::routes::commitments::after_create(&state, ctx.jid(), &a, &c).await?;
        created.push(c.id);
    }
    ctx.audit(
        &state,
        "meeting.minutes_approved",
        &format!("meeting:{}", m.id),
        "success",
        json!({"commitments": created}),
    )
    .await?;
    let m: meeting::Model = meetings::by_id(&state.db, ctx.jid(), m.id).await?;
    page(&state, &ctx, &a, m, None, Some(t.t1("minutes-approved", "count", &created.len().to_string()))).await
}

#[derive(Deserialize)]
pub(super) struct TemplateForm {
    name: String,
    agenda: String,
}

pub(super) async fn save_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<TemplateForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let name = f.name.trim();
    let form = MeetingForm { agenda: f.agenda.clone(), format: "in_person".into(), ..Default::default() };
    if name.is_empty() || name.chars().count() > 100 {
        let err = Some(("name".to_string(), t.t("template-error-name")));
        return form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings"), form, err).await;
    }
    let items = match service::agenda_from_text(&f.agenda, &t) {
        Ok(items) => items,
        Err(r) => return form_page(&state, &ctx, &a, format!("/partnerships/{slug}/meetings"), form, Some(r)).await,
    };
    let json = serde_json::to_string(&items).unwrap_or_else(|_| "[]".into());
    meetings::save_template(&state.db, ctx.jid(), a.partnership.id, name, &json).await?;
    ctx.audit(
        &state,
        "meeting.template_save",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"name": name}),
    )
    .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/meetings/new")).into_response())
}
