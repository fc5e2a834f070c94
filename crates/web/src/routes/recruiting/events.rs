//! Outreach events: the public recruiting page and event pages with the interest sign-up (explicit consent), and
//! the staff list where events are recorded with their host partnerships and attendance.

use super::{EVENT_KINDS, RACES, SEXES, checked_group, field, first_stage, group_options, pipeline, require_staff};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render, render_status};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::{Email, PersonName};
use commonbeat_store::entities::{partnership, recruit_event};
use commonbeat_store::repo::partnerships::{self, Filter};
use commonbeat_store::repo::recruiting::{self, NewCandidate, NewEvent};
use serde_json::json;

/// An event as listed.
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind, translated.
    pub kind: String,
    /// Place.
    pub place: String,
    /// When, in the jurisdiction's zone.
    pub when: String,
    /// Host partnerships' names.
    pub hosts: String,
    /// People who came.
    pub attendance: i64,
    /// Sign-ups (staff list only).
    pub leads: usize,
    /// Still to come.
    pub upcoming: bool,
}

async fn rows(state: &AppState, ctx: &Ctx, events: &[recruit_event::Model]) -> AppResult<Vec<EventRow>> {
    let t = ctx.tr();
    let ps = partnerships::list(&state.db, ctx.jid(), &Filter::default()).await?;
    let hosts = recruiting::hosts(&state.db, ctx.jid()).await?;
    let now = commonbeat_store::now();
    Ok(events
        .iter()
        .map(|e| EventRow {
            id: e.id,
            title: e.title.clone(),
            kind: t.t(&format!("recruit-kind-{}", e.kind)),
            place: e.place.clone(),
            when: crate::timefmt::format_datetime(e.starts_at, &ctx.jurisdiction.time_zone, ctx.locale),
            hosts: hosts
                .iter()
                .filter(|h| h.event_id == e.id)
                .filter_map(|h| ps.iter().find(|p| p.id == h.partnership_id).map(|p| p.name.clone()))
                .collect::<Vec<_>>()
                .join(", "),
            attendance: e.attendance,
            leads: 0,
            upcoming: e.starts_at >= now - 86_400,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "recruiting/public.html")]
struct PublicPage {
    shell: Shell,
    upcoming: Vec<EventRow>,
    past: Vec<EventRow>,
    summary: super::reports::RecruitSummary,
    events_held: String,
    is_staff: bool,
    signed_in: bool,
}

/// `GET /recruiting`: public events and aggregates.
pub async fn public_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let events = recruiting::events(&state.db, ctx.jid(), true).await?;
    let (upcoming, mut past): (Vec<EventRow>, Vec<EventRow>) =
        rows(&state, &ctx, &events).await?.into_iter().partition(|e| e.upcoming);
    past.reverse();
    past.truncate(10);
    let summary = super::reports::public_summary(&state, &ctx).await?;
    let t = ctx.tr();
    let events_held = t.t2(
        "recruit-events-held",
        ("events", &summary.events.to_string()),
        ("people", &summary.attendance.to_string()),
    );
    render(&PublicPage {
        shell: Shell::new(&ctx, "recruit-public-title"),
        events_held,
        upcoming,
        past,
        summary,
        is_staff: super::is_staff(&state, &ctx).await?,
        signed_in: ctx.user.is_some(),
    })
}

#[derive(Template)]
#[template(path = "recruiting/event.html")]
struct EventPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    e: EventRow,
    description: String,
    hosts: Vec<(i64, String)>,
    races: Vec<(String, String)>,
    sexes: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

impl EventPage {
    fn value(&self, k: &str) -> String {
        field(&self.form, k)
    }
}

async fn load_public(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<recruit_event::Model> {
    let e = recruiting::event_by_id(&state.db, ctx.jid(), id).await?;
    if !e.is_public && !super::is_staff(state, ctx).await? {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

async fn host_list(state: &AppState, ctx: &Ctx, event_id: i64) -> AppResult<Vec<(i64, String)>> {
    let ps = partnerships::list(&state.db, ctx.jid(), &Filter::default()).await?;
    let hosts = recruiting::hosts(&state.db, ctx.jid()).await?;
    Ok(hosts
        .iter()
        .filter(|h| h.event_id == event_id)
        .filter_map(|h| ps.iter().find(|p| p.id == h.partnership_id).map(|p| (p.id, p.name.clone())))
        .collect())
}

async fn event_page(
    state: &AppState,
    ctx: &Ctx,
    e: recruit_event::Model,
    error: Option<String>,
    notice: Option<String>,
    form: Vec<(String, String)>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let row = rows(state, ctx, std::slice::from_ref(&e)).await?.remove(0);
    let (races, sexes) = group_options(&t);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &EventPage {
            shell: Shell::titled(ctx, e.title.clone()),
            error,
            notice,
            hosts: host_list(state, ctx, e.id).await?,
            description: e.description.clone(),
            e: row,
            races,
            sexes,
            form,
        },
    )
}

/// `GET /recruiting/events/{id}`: the public event page with the sign-up form.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let e = load_public(&state, &ctx, id).await?;
    event_page(&state, &ctx, e, None, None, Vec::new()).await
}

/// Checks a sign-up or confirmation form: name, e-mail unless given, consent. `Err` names the problem.
pub fn check_person(t: &Tr, form: &[(String, String)], email: Option<&str>) -> Result<NewCandidate, String> {
    let Ok(name) = PersonName::parse(&field(form, "name")) else { return Err(t.t("recruit-error-name")) };
    let email = match email {
        Some(e) => e.to_string(),
        None => match Email::parse(&field(form, "email")) {
            Ok(e) => e.as_str().to_string(),
            Err(_) => return Err(t.t("recruit-error-email")),
        },
    };
    let phone = field(form, "phone");
    if phone.chars().count() > 40 {
        return Err(t.t("recruit-error-phone"));
    }
    if field(form, "consent") != "yes" {
        return Err(t.t("recruit-error-consent"));
    }
    Ok(NewCandidate {
        name: name.as_str().to_string(),
        email,
        phone,
        race: checked_group(&field(form, "race"), &RACES),
        sex: checked_group(&field(form, "sex"), &SEXES),
        ..Default::default()
    })
}

/// `POST /recruiting/events/{id}/signup`: an interest sign-up (a lead), kept only with explicit consent.
pub async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let e = load_public(&state, &ctx, id).await?;
    let t = ctx.tr();
    let mut c = match check_person(&t, &form, None) {
        Ok(c) => c,
        Err(msg) => return event_page(&state, &ctx, e, Some(msg), None, form).await,
    };
    let hosts = host_list(&state, &ctx, e.id).await?;
    let via: Option<i64> = field(&form, "partnership_id").parse().ok().filter(|p| hosts.iter().any(|h| h.0 == *p));
    c.source = "event".into();
    c.event_id = Some(e.id);
    c.partnership_id = via;
    let stage = first_stage(&pipeline(&state, ctx.jid()).await?);
    let m = recruiting::create_candidate(&state.db, ctx.jid(), c, stage.as_str()).await?;
    ctx.audit(&state, "recruiting.signup", &format!("candidate:{}", m.id), "success", json!({"event": e.id})).await?;
    event_page(&state, &ctx, e, None, Some(t.t("recruit-signup-thanks")), Vec::new()).await
}

#[derive(Template)]
#[template(path = "recruiting/events.html")]
struct StaffPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    events: Vec<EventRow>,
    kinds: Vec<(String, String)>,
    partnerships: Vec<partnership::Model>,
}

async fn staff_page(state: &AppState, ctx: &Ctx, error: Option<String>, notice: Option<String>) -> AppResult<Response> {
    let t = ctx.tr();
    let events = recruiting::events(&state.db, ctx.jid(), false).await?;
    let cands = recruiting::candidates(&state.db, ctx.jid()).await?;
    let mut list = rows(state, ctx, &events).await?;
    for r in &mut list {
        r.leads = cands.iter().filter(|c| c.event_id == Some(r.id)).count();
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &StaffPage {
            shell: Shell::new(ctx, "recruit-events-title"),
            error,
            notice,
            events: list,
            kinds: EVENT_KINDS.iter().map(|k| (k.to_string(), t.t(&format!("recruit-kind-{k}")))).collect(),
            partnerships: partnerships::list(&state.db, ctx.jid(), &Filter::default()).await?,
        },
    )
}

/// `GET /recruiting/events`: every event with its sign-ups (recruiting staff).
pub async fn staff_list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_staff(&state, &ctx).await?;
    staff_page(&state, &ctx, None, None).await
}

/// The event form (pages and API).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct RecruitEventForm {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// `fair`, `school`, `faith`, `ride_along`, `other`.
    #[serde(default)]
    pub kind: String,
    /// Where.
    #[serde(default)]
    pub place: String,
    /// Local start `YYYY-MM-DDTHH:MM` in the jurisdiction's zone.
    #[serde(default)]
    pub starts: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// Host partnership ids.
    #[serde(default)]
    pub hosts: Vec<i64>,
    /// Keep off the public pages.
    #[serde(default)]
    pub private: bool,
}

/// Records an event (recruiting staff). `Ok(Err(message))` is a refusal naming the field.
pub async fn record(
    state: &AppState,
    ctx: &Ctx,
    f: &RecruitEventForm,
) -> AppResult<Result<recruit_event::Model, String>> {
    let t = ctx.tr();
    let title = f.title.trim();
    if title.chars().count() < 3 || title.chars().count() > 200 {
        return Ok(Err(t.t("recruit-error-title")));
    }
    if !EVENT_KINDS.contains(&f.kind.as_str()) {
        return Ok(Err(t.t("recruit-error-kind")));
    }
    let place = f.place.trim();
    if place.is_empty() || place.chars().count() > 300 {
        return Ok(Err(t.t("recruit-error-place")));
    }
    let Some(starts_at) = f
        .starts
        .trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.to_zoned_datetime(ctx.time_zone()).ok())
        .map(|z| z.timestamp().as_second())
    else {
        return Ok(Err(t.t("recruit-error-starts")));
    };
    let ps = partnerships::list(&state.db, ctx.jid(), &Filter::default()).await?;
    if f.hosts.is_empty() || !f.hosts.iter().all(|h| ps.iter().any(|p| p.id == *h)) {
        return Ok(Err(t.t("recruit-error-hosts")));
    }
    let mut hosts = f.hosts.clone();
    hosts.sort_unstable();
    hosts.dedup();
    let e = recruiting::create_event(
        &state.db,
        ctx.jid(),
        NewEvent {
            title: title.to_string(),
            kind: f.kind.clone(),
            place: place.to_string(),
            starts_at,
            description: f.description.trim().chars().take(4000).collect(),
            is_public: !f.private,
            hosts,
            created_by: ctx.user.as_ref().map(|u| u.id),
        },
    )
    .await?;
    ctx.audit(state, "recruiting.event.create", &format!("recruit_event:{}", e.id), "success", json!({})).await?;
    Ok(Ok(e))
}

/// `POST /recruiting/events`: records an event (recruiting staff).
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    require_staff(&state, &ctx).await?;
    let f = RecruitEventForm {
        title: field(&pairs, "title"),
        kind: field(&pairs, "kind"),
        place: field(&pairs, "place"),
        starts: field(&pairs, "starts"),
        description: field(&pairs, "description"),
        hosts: pairs.iter().filter(|(k, _)| k == "hosts").filter_map(|(_, v)| v.parse().ok()).collect(),
        private: !field(&pairs, "private").is_empty(),
    };
    match record(&state, &ctx, &f).await? {
        Ok(e) => Ok(Redirect::to(&format!("/recruiting/events/{}", e.id)).into_response()),
        Err(msg) => staff_page(&state, &ctx, Some(msg), None).await,
    }
}

/// `POST /recruiting/events/{id}/attendance`: records how many people came (recruiting staff).
pub async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    require_staff(&state, &ctx).await?;
    let e = recruiting::event_by_id(&state.db, ctx.jid(), id).await?;
    let t = ctx.tr();
    let Some(n) = field(&pairs, "attendance").parse::<i64>().ok().filter(|n| (0..=1_000_000).contains(n)) else {
        return staff_page(&state, &ctx, Some(t.t("recruit-error-attendance")), None).await;
    };
    recruiting::set_attendance(&state.db, ctx.jid(), e.id, n).await?;
    ctx.audit(&state, "recruiting.event.attendance", &format!("recruit_event:{}", e.id), "success", json!({"n": n}))
        .await?;
    staff_page(&state, &ctx, None, Some(t.t("recruit-attendance-saved"))).await
}
