//! Partnerships and areas in the JSON API (`/api/v1`). The public sees public fields; members see members;
//! co-chairs see contact details — the same rules as the pages.

use super::access::Access;
use super::service;
use super::view::{self, BalanceView, Representation};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use commonbeat_domain::Role;
use commonbeat_domain::partnership::{Charter, Goal, MemberRole, Seat, Status};
use commonbeat_store::entities::{area, partnership};
use commonbeat_store::repo::members;
use commonbeat_store::repo::{areas, partnerships};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// API routes for partnerships and areas.
pub fn router() -> Router<AppState> {
    use crate::routes::guarded;
    Router::new()
        .route("/api/v1/areas", guarded(get(list_areas)))
        .route("/api/v1/areas/{id}", guarded(get(get_area)))
        .route("/api/v1/partnerships", guarded(get(list_partnerships).post(create_partnership)))
        .route("/api/v1/partnerships/{slug}", guarded(get(get_partnership).put(update_partnership)))
        .route("/api/v1/partnerships/{slug}/invite", guarded(post(invite)))
        .route("/api/v1/partnerships/{slug}/members/{user_id}/{action}", guarded(post(member_action)))
        .route("/api/v1/partnerships/{slug}/seats", guarded(post(assign_seat)))
        .route("/api/v1/partnerships/{slug}/leave", guarded(post(leave)))
        .route("/api/v1/partnerships/{slug}/representation", guarded(get(get_representation)))
        .route("/api/v1/partnerships/{slug}/members", guarded(get(get_members)))
        .route("/api/v1/partnerships/{slug}/join", guarded(post(join)))
        .route("/api/v1/partnerships/{slug}/status", guarded(post(change_status)))
}

/// An area.
#[derive(Serialize, ToSchema)]
pub struct AreaOut {
    /// Id.
    pub id: i64,
    /// `beat`, `district` or `neighborhood`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Size in km².
    pub area_km2: f64,
    /// Bounding box [min lon, min lat, max lon, max lat] (WGS84).
    pub bbox: [f64; 4],
    /// GeoJSON MultiPolygon (only on the single-area endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<serde_json::Value>,
    /// Census counts: dimension → category → count (only on the single-area endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub demographics: Option<serde_json::Value>,
}

fn area_out(a: &area::Model) -> AreaOut {
    AreaOut {
        id: a.id,
        kind: a.kind.clone(),
        name: a.name.clone(),
        area_km2: a.area_m2 / 1e6,
        bbox: [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
        geometry: None,
        demographics: None,
    }
}

/// Lists the jurisdiction's areas. Public.
#[utoipa::path(get, path = "/api/v1/areas", tag = "partnerships", responses((status = 200, body = [AreaOut])))]
pub async fn list_areas(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<AreaOut>>> {
    Ok(Json(areas::list(&state.db, ctx.jid(), None).await?.iter().map(area_out).collect()))
}

/// One area with its outline and census counts. Public.
#[utoipa::path(get, path = "/api/v1/areas/{id}", tag = "partnerships", params(("id" = i64, Path, description = "Area id")),
    responses((status = 200, body = AreaOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn get_area(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<AreaOut>> {
    let a = areas::by_id(&state.db, ctx.jid(), id).await?;
    let mut out = area_out(&a);
    out.geometry = serde_json::from_str(&a.geometry).ok();
    out.demographics =
        Some(serde_json::to_value(areas::demographics(&state.db, ctx.jid(), &[a.id]).await?).unwrap_or_default());
    Ok(Json(out))
}

/// A co-chair seat holder.
#[derive(Serialize, ToSchema)]
pub struct SeatOut {
    /// Seat id.
    pub seat: String,
    /// Holder's name, or null when vacant.
    pub holder: Option<String>,
}

/// A partnership's public fields.
#[derive(Serialize, ToSchema)]
pub struct PartnershipOut {
    /// URL slug (the id used in paths).
    pub slug: String,
    /// Name.
    pub name: String,
    /// `forming`, `active`, `dormant` or `closed`.
    pub status: String,
    /// Mission.
    pub mission: String,
    /// Goal ids.
    pub goals: Vec<String>,
    /// The founding problem.
    pub founding_problem: String,
    /// Meeting cadence id.
    pub cadence: String,
    /// Area ids and names.
    pub areas: Vec<AreaRef>,
    /// Members per side.
    pub balance: BalanceView,
    /// Leadership seats.
    pub seats: Vec<SeatOut>,
}

/// An area reference.
#[derive(Serialize, ToSchema)]
pub struct AreaRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

async fn partnership_out(state: &AppState, ctx: &Ctx, p: &partnership::Model) -> AppResult<PartnershipOut> {
    let pa = partnerships::areas_of(&state.db, ctx.jid(), p.id).await?;
    let (seats, _) = view::seats(state, ctx, p).await?;
    Ok(PartnershipOut {
        slug: p.slug.clone(),
        name: p.name.clone(),
        status: p.status.clone(),
        mission: p.mission.clone(),
        goals: p.goals.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        founding_problem: p.founding_problem.clone(),
        cadence: p.cadence.clone(),
        areas: pa.iter().map(|a| AreaRef { id: a.id, name: a.name.clone() }).collect(),
        balance: BalanceView::of(members::balance(&state.db, ctx.jid(), p.id).await?),
        seats: seats.into_iter().map(|s| SeatOut { seat: s.seat, holder: s.holder }).collect(),
    })
}

/// Directory filters.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only this status.
    pub status: Option<String>,
    /// Only this goal.
    pub goal: Option<String>,
    /// Only partnerships covering this area id.
    pub area: Option<i64>,
}

/// The directory of partnerships. Public.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "partnerships", params(ListQuery), responses((status = 200, body = [PartnershipOut])))]
pub async fn list_partnerships(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<PartnershipOut>>> {
    let filter = partnerships::Filter {
        status: match q.status.as_deref() {
            Some(s) => Some(
                Status::parse(s)
                    .ok_or_else(|| AppError::invalid("status", "expected forming, active, dormant or closed"))?,
            ),
            None => None,
        },
        goal: match q.goal.as_deref() {
            Some(g) => Some(
                Goal::parse(g)
                    .ok_or_else(|| AppError::invalid("goal", "expected arrest, prevent, solve or quality"))?,
            ),
            None => None,
        },
        area_id: q.area,
    };
    let mut out = Vec::new();
    for p in partnerships::list(&state.db, ctx.jid(), &filter).await? {
        out.push(partnership_out(&state, &ctx, &p).await?);
    }
    Ok(Json(out))
}

/// A new partnership.
#[derive(Deserialize, ToSchema)]
pub struct NewPartnership {
    /// Name (3–120 characters).
    pub name: String,
    /// Mission (10–2000 characters).
    pub mission: String,
    /// Goal ids (`arrest`, `prevent`, `solve`, `quality`), at least one.
    pub goals: Vec<String>,
    /// The founding problem (5–500 characters).
    pub founding_problem: String,
    /// `weekly`, `biweekly`, `monthly`, `bimonthly` or `quarterly`.
    pub cadence: String,
    /// Area ids.
    #[serde(default)]
    pub areas: Vec<i64>,
}

/// Forms a partnership (police and administrators). The caller becomes its police co-chair for a year.
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "partnerships", request_body = NewPartnership,
    responses((status = 201, body = PartnershipOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(body): Json<NewPartnership>,
) -> AppResult<(StatusCode, Json<PartnershipOut>)> {
    ctx.require_role(&[Role::Police, Role::Admin])?;
    let charter = charter_of(&body)?;
    let p = service::form(&state, &ctx, &charter, &body.areas).await?;
    Ok((StatusCode::CREATED, Json(partnership_out(&state, &ctx, &p).await?)))
}

fn charter_of(body: &NewPartnership) -> AppResult<Charter> {
    Charter::parse(&body.name, &body.mission, &body.goals.join(","), &body.founding_problem, &body.cadence).map_err(
        |errs| {
            AppError::invalid(
                errs[0].field,
                errs.iter().map(|e| format!("{}: {}", e.field, e.reason)).collect::<Vec<_>>().join("; "),
            )
        },
    )
}

/// Replaces the charter and areas (co-chairs and administrators).
#[utoipa::path(put, path = "/api/v1/partnerships/{slug}", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")), request_body = NewPartnership,
    responses((status = 200, body = PartnershipOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(body): Json<NewPartnership>,
) -> AppResult<Json<PartnershipOut>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let charter = charter_of(&body)?;
    service::update_charter(&state, &ctx, &a, &charter, &body.areas).await?;
    let p = partnerships::by_id(&state.db, ctx.jid(), a.partnership.id).await?;
    Ok(Json(partnership_out(&state, &ctx, &p).await?))
}

/// One partnership's public fields.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = PartnershipOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn get_partnership(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<PartnershipOut>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    Ok(Json(partnership_out(&state, &ctx, &a.partnership).await?))
}

/// The representation report (aggregates only, small cells suppressed). Public.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/representation", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = Representation), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn get_representation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Representation>> {
    let a = Access::load(&state, &ctx, &slug).await?;
    let ids: Vec<i64> =
        partnerships::areas_of(&state.db, ctx.jid(), a.partnership.id).await?.iter().map(|x| x.id).collect();
    Ok(Json(view::representation(&state, &ctx, &a.partnership, &ids).await?))
}

/// A member as the API lists them.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// `police` or `community`.
    pub side: String,
    /// `member` or `observer`.
    pub role: String,
    /// Membership status.
    pub status: String,
    /// E-mail address — co-chairs and administrators only.
    pub email: Option<String>,
}

/// Members of a partnership: members see active members; co-chairs also see requests, invitations and e-mails.
#[utoipa::path(get, path = "/api/v1/partnerships/{slug}/members", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = [MemberOut]), (status = 401, body = crate::routes::api::ApiError), (status = 403, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<MemberOut>>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    if !a.sees_members() {
        return Err(AppError::Forbidden);
    }
    let list = members::list(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        if a.can_manage() { None } else { Some(members::ACTIVE) },
    )
    .await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MemberOut {
                user_id: m.user.id,
                name: m.user.name,
                side: m.membership.side,
                role: m.membership.role,
                status: m.membership.status,
                email: a.can_manage().then_some(m.user.email),
            })
            .collect(),
    ))
}

/// Membership status after a join request.
#[derive(Serialize, ToSchema)]
pub struct JoinOut {
    /// `requested`, or `active` when an invitation was waiting.
    pub status: String,
}

/// Asks to join (or accepts a pending invitation).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/join", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 200, body = JoinOut), (status = 401, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn join(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Json<JoinOut>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let status = service::join(&state, &ctx, &a).await?.map_err(|r| r.into_app_error(&ctx))?;
    Ok(Json(JoinOut { status }))
}

/// A lifecycle change.
#[derive(Deserialize, ToSchema)]
pub struct StatusChange {
    /// The new status.
    pub status: String,
    /// Why (recorded in the history).
    pub reason: String,
}

/// Moves the partnership through its lifecycle (co-chairs and administrators).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/status", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")), request_body = StatusChange,
    responses((status = 200, body = PartnershipOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(body): Json<StatusChange>,
) -> AppResult<Json<PartnershipOut>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let to = Status::parse(&body.status)
        .ok_or_else(|| AppError::invalid("status", "expected forming, active, dormant or closed"))?;
    service::change_status(&state, &ctx, &a, to, &body.reason).await?.map_err(|r| r.into_app_error(&ctx))?;
    let p = partnerships::by_id(&state.db, ctx.jid(), a.partnership.id).await?;
    Ok(Json(partnership_out(&state, &ctx, &p).await?))
}

/// An invitation.
#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    /// E-mail address.
    pub email: String,
    /// Name, for someone without an account yet.
    #[serde(default)]
    pub name: String,
    /// `member` (default) or `observer`.
    #[serde(default)]
    pub role: Option<String>,
}

/// Invites someone by e-mail (co-chairs and administrators).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/invite", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")), request_body = InviteIn,
    responses((status = 200, body = MemberOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(body): Json<InviteIn>,
) -> AppResult<Json<MemberOut>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let role = MemberRole::parse(body.role.as_deref().unwrap_or("member"))
        .ok_or_else(|| AppError::invalid("role", "expected member or observer"))?;
    let u =
        service::invite(&state, &ctx, &a, &body.email, &body.name, role).await?.map_err(|r| r.into_app_error(&ctx))?;
    Ok(Json(MemberOut {
        user_id: u.id,
        name: u.name,
        side: role_of_str(&u.role),
        role: role.as_str().into(),
        status: members::INVITED.into(),
        email: Some(u.email),
    }))
}

fn role_of_str(role: &str) -> String {
    if role == "community" { "community".into() } else { "police".into() }
}

/// Answers a join request or manages a member: `approve`, `decline`, `remove`, `observer`, `member`
/// (co-chairs and administrators).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/members/{user_id}/{action}", tag = "partnerships",
    params(("slug" = String, Path, description = "Partnership slug"), ("user_id" = i64, Path, description = "Member's user id"), ("action" = String, Path, description = "approve, decline, remove, observer or member")),
    responses((status = 204, description = "Done"), (status = 403, body = crate::routes::api::ApiError), (status = 404, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn member_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id, action)): Path<(String, i64, String)>,
) -> AppResult<StatusCode> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    service::member_action(&state, &ctx, &a, user_id, &action).await?.map_err(|r| r.into_app_error(&ctx))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A seat assignment.
#[derive(Deserialize, ToSchema)]
pub struct SeatIn {
    /// `police_chair`, `community_chair`, `police_deputy` or `community_deputy`.
    pub seat: String,
    /// The new holder (an active member of the seat's side).
    pub user_id: i64,
    /// Last day of the term, `YYYY-MM-DD`, in the jurisdiction's time zone.
    pub ends_on: String,
    /// Handover note recorded on the outgoing term.
    #[serde(default)]
    pub note: String,
}

/// Assigns a leadership seat (co-chairs and administrators).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/seats", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")), request_body = SeatIn,
    responses((status = 200, body = PartnershipOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn assign_seat(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Json(body): Json<SeatIn>,
) -> AppResult<Json<PartnershipOut>> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let seat = Seat::parse(&body.seat).ok_or_else(|| {
        AppError::invalid("seat", "expected police_chair, community_chair, police_deputy or community_deputy")
    })?;
    let ends = service::parse_date_end(&body.ends_on, &ctx.jurisdiction.time_zone);
    service::assign_seat(&state, &ctx, &a, seat, body.user_id, ends, &body.note)
        .await?
        .map_err(|r| r.into_app_error(&ctx))?;
    Ok(Json(partnership_out(&state, &ctx, &a.partnership).await?))
}

/// Leaves the partnership (any seat held becomes vacant).
#[utoipa::path(post, path = "/api/v1/partnerships/{slug}/leave", tag = "partnerships", params(("slug" = String, Path, description = "Partnership slug")),
    responses((status = 204, description = "Left"), (status = 404, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn leave(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<StatusCode> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    service::leave(&state, &ctx, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}
