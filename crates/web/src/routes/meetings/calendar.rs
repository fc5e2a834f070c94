//! iCalendar (RFC 5545) for meetings: the invitation attached to e-mails, a public feed per partnership and a
//! private feed per member (a secret token URL that calendar programs can subscribe to without signing in).

use super::load_partnership_meetings;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use commonbeat_domain::ical::{Calendar, Event, EventStatus, Method, render};
use commonbeat_store::entities::{meeting, partnership};
use commonbeat_store::repo::{members, notify, partnerships};
use jiff::Timestamp;
use jiff::tz::TimeZone;

const PROD_ID: &str = "-//CommonBeat//Partnership meetings//EN";

/// A stable UID for a meeting, unique across deployments that use their public URL.
fn uid(state: &AppState, m: &meeting::Model) -> String {
    let host = state.config.public_url.split("://").nth(1).unwrap_or("commonbeat").trim_end_matches('/');
    format!("meeting-{}-{}@{}", m.jurisdiction_id, m.id, host.replace('/', "-"))
}

/// The calendar event of a meeting.
pub fn event(state: &AppState, p: &partnership::Model, m: &meeting::Model, zone: &TimeZone) -> Option<Event> {
    let local = |unix: i64| Timestamp::from_second(unix).ok().map(|t| t.to_zoned_datetime(zone.clone()).datetime());
    let mut e = Event::new(
        uid(state, m),
        Timestamp::from_second(m.updated_at).ok()?,
        local(m.starts_at)?,
        local(m.ends_at)?,
        format!("{} — {}", m.title, p.name),
    );
    e.sequence = m.sequence.max(0) as u32;
    e.last_modified = Timestamp::from_second(m.updated_at).ok();
    e.status = if m.status == "cancelled" { EventStatus::Cancelled } else { EventStatus::Confirmed };
    let place = match (m.place.is_empty(), m.online_url.is_empty()) {
        (false, false) => format!("{} / {}", m.place, m.online_url),
        (false, true) => m.place.clone(),
        _ => m.online_url.clone(),
    };
    e.location = Some(place).filter(|s| !s.is_empty());
    let url = format!("{}/partnerships/{}/meetings/{}", state.config.public_url, p.slug, m.id);
    let mut description = String::new();
    for (label, value) in [("Accessibility", &m.accessibility), ("Interpretation", &m.interpretation)] {
        if !value.is_empty() {
            description.push_str(&format!("{label}: {value}\n"));
        }
    }
    description.push_str(&url);
    e.description = Some(description);
    e.url = Some(url);
    e.organizer = Some((p.name.clone(), state.config.mail_from_address()));
    e.categories = vec!["CommonBeat".into()];
    Some(e)
}

fn calendar(tz: &str, method: Option<Method>, name: String, events: Vec<Event>) -> String {
    let mut cal = Calendar::new(PROD_ID, tz).unwrap_or_else(|_| Calendar::new(PROD_ID, "UTC").expect("UTC exists"));
    cal.method = method;
    cal.name = Some(name);
    cal.events = events;
    render(&cal)
}

/// The invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) sent with meeting e-mails.
pub fn invitation(state: &AppState, p: &partnership::Model, m: &meeting::Model, tz: &str, cancelled: bool) -> String {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    let method = if cancelled { Method::Cancel } else { Method::Request };
    calendar(tz, Some(method), p.name.clone(), event(state, p, m, &zone).into_iter().collect())
}

fn ics(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")], body)
        .into_response()
}

/// Strips the `.ics` suffix of a feed path segment.
fn without_ics(s: &str) -> AppResult<&str> {
    s.strip_suffix(".ics").ok_or(AppError::NotFound)
}

/// `GET /partnerships/{slug}/calendar.ics`: the partnership's meetings (public: beat meetings are open to all).
pub async fn partnership_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (p, ms) = load_partnership_meetings(&state, &ctx, &slug).await?;
    let zone = ctx.time_zone();
    let events = ms.iter().filter_map(|m| event(&state, &p, m, &zone)).collect();
    Ok(ics(calendar(&ctx.jurisdiction.time_zone, Some(Method::Publish), p.name.clone(), events)))
}

/// `GET /calendar/{token}.ics`: every meeting of every partnership the token's owner is an active member of.
pub async fn member_feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = without_ics(&file)?;
    let (jid, user_id) = notify::by_feed_token(&state.db, token).await.map_err(|_| AppError::NotFound)?;
    let j = commonbeat_store::repo::jurisdictions::by_id(&state.db, jid).await?;
    let u = commonbeat_store::repo::users::by_id(&state.db, jid, user_id).await?;
    if u.disabled {
        return Err(AppError::NotFound);
    }
    let zone = TimeZone::get(&j.time_zone).unwrap_or(TimeZone::UTC);
    let mut events = Vec::new();
    for ms in members::all_of_user(&state.db, jid, user_id).await? {
        if ms.status != members::ACTIVE {
            continue;
        }
        let p = partnerships::by_id(&state.db, jid, ms.partnership_id).await?;
        for m in commonbeat_store::repo::meetings::for_partnership(&state.db, jid, p.id).await? {
            events.extend(event(&state, &p, &m, &zone));
        }
    }
    Ok(ics(calendar(&j.time_zone, Some(Method::Publish), format!("CommonBeat — {}", u.name), events)))
}
