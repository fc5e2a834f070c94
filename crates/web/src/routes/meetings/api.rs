//! Meetings in the JSON API: list, schedule, show, record attendance.

use super::load;
use super::service::{self, MeetingForm};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::partnerships::access::Access;
use crate::timefmt::iso_utc;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonbeat_store::entities::meeting;
use commonbeat_store::repo::{meetings, members};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A meeting as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingOut {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// `in_person`, `online` or `hybrid`.
    pub format: String,
    /// `scheduled`, `held` or `cancelled`.
    pub status: String,
    /// Start (RFC 3339, UTC).
    pub starts_at: String,
    /// End (RFC 3339, UTC).
    pub ends_at: String,
    /// Place.
    pub place: String,
    /// Accessibility notes.
    pub accessibility: String,
    /// Interpretation offered.
    pub interpretation: String,
    /// Link to join online.
    pub online_url: String,
    /// Recording link.
    pub recording_url: String,
    /// Agenda items: title, minutes, notes.
    pub agenda: Vec<AgendaOut>,
    /// Attendance: police side (members and walk-ins).
    pub attendance_police: u64,
    /// Attendance: community side (members and walk-ins).
    pub attendance_community: u64,
    /// iCalendar SEQUENCE (changes with every update).
    pub sequence: i32,
    /// Minutes (only when approved and public, or for members).
    pub minutes: Option<String>,
}

/// One agenda item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgendaOut {
    /// Stable key (CAPS sections: welcome, progress, conditions, strategies, next).
    pub key: String,
    /// Title.
    pub title: String,
    /// Planned minutes.
    pub minutes: u16,
    /// Notes.
    pub notes: String,
}

async fn out(state: &AppState, a: &Access, m: meeting::Model) -> AppResult<MeetingOut> {
    let c = service::attendance_count(state, &m).await?;
    let show_minutes = (m.minutes_status == meetings::MINUTES_APPROVED && m.minutes_public) || a.sees_members();
    Ok(MeetingOut {
        id: m.id,
        title: m.title.clone(),
        format: m.format.clone(),
        status: m.status.clone(),
        starts_at: iso_utc(m.starts_at),
        ends_at: iso_utc(m.ends_at),
        place: m.place.clone(),
        accessibility: m.accessibility.clone(),
        interpretation: m.interpretation.clone(),
        online_url: m.online_url.clone(),
        recording_url: m.recording_url.clone(),
        agenda: service::agenda_of(&m)
            .into_iter()
            .map(|i| AgendaOut { key: i.key, title: i.title, minutes: i.minutes, notes: i.notes })
            .collect(),
        attendance_police: c.by_side(commonbeat_domain::Side::Police),
        attendance_community: c.by_side(commonbeat_domain::Side::Community),
        sequence: m.sequence,
        minutes: (show_minutes && !m.minutes.is_empty()).then(|| m.minutes.clone()),
    })
}

/// A partnership's meetings, in time order (public).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/meetings", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = Vec<MeetingOut>), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<MeetingOut>>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let mut v = Vec::new();
    for m in meetings::for_partnership(&state.db, ctx.jid(), a.partnership.id).await? {
        v.push(out(&state, &a, m).await?);
    }
    Ok(Json(v))
}

/// One meeting (public).
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/meetings/{id}", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Json<MeetingOut>> {
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    Ok(Json(out(&state, &a, m).await?))
}

/// Schedules a meeting (co-chairs and administrators) and invites the members. Times are local to the
/// jurisdiction: `starts` = `YYYY-MM-DDTHH:MM`, `ends` = `HH:MM`; an empty agenda gets the CAPS default.
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/meetings", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug")),
    request_body = MeetingForm,
    responses((status = 201, body = MeetingOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(f): Json<MeetingForm>,
) -> AppResult<(StatusCode, Json<MeetingOut>)> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    match service::schedule(&state, &ctx, &a, &f).await? {
        Ok(m) => Ok((StatusCode::CREATED, Json(out(&state, &a, m).await?))),
        Err((field, msg)) => Err(AppError::invalid(&field, msg)),
    }
}

/// Attendance to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AttendanceIn {
    /// Members present (user ids; each counts once).
    #[serde(default)]
    pub present: Vec<i64>,
    /// Police walk-ins.
    #[serde(default)]
    pub walk_ins_police: i32,
    /// Community walk-ins.
    #[serde(default)]
    pub walk_ins_community: i32,
    /// Recording link.
    #[serde(default)]
    pub recording_url: String,
}

/// Records attendance and marks the meeting held (co-chairs and administrators).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/meetings/{id}/attendance", tag = "meetings",
    params(("slug" = String, Path, description = "Partnership slug"), ("id" = i64, Path, description = "Meeting id")),
    request_body = AttendanceIn,
    responses((status = 200, body = MeetingOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Json(f): Json<AttendanceIn>,
) -> AppResult<Json<MeetingOut>> {
    ctx.require_user()?;
    let (a, m) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    if !(0..=5000).contains(&f.walk_ins_police) || !(0..=5000).contains(&f.walk_ins_community) {
        return Err(AppError::invalid("walk_ins", "0 to 5000"));
    }
    if m.status == "cancelled" || m.starts_at > commonbeat_store::now() + 3600 {
        return Err(AppError::invalid("meeting", ctx.tr().t("meeting-error-not-yet")));
    }
    let active = members::list(&state.db, ctx.jid(), a.partnership.id, Some(members::ACTIVE)).await?;
    // Every id is checked before anything is written: a refused request records nobody.
    let mut present = Vec::new();
    for id in &f.present {
        let Some(x) = active.iter().find(|x| x.user.id == *id) else {
            return Err(AppError::invalid("present", format!("user {id} is not an active member")));
        };
        present.push(x);
    }
    for x in present {
        meetings::sign_in(&state.db, &m, x.user.id, &x.membership.side).await?;
    }
    let m =
        meetings::record_held(&state.db, m, (f.walk_ins_police, f.walk_ins_community), f.recording_url.trim()).await?;
    ctx.audit(
        &state,
        "meeting.attendance",
        &format!("meeting:{}", m.id),
        "success",
        json!({"present": f.present.len()}),
    )
    .await?;
    Ok(Json(out(&state, &a, m).await?))
}
