//! Page handlers for membership, leadership and lifecycle actions. The rules live in [`super::service`]; these
//! handlers only turn form input into calls and results into pages.

use super::access::Access;
use super::service::{self, Refusal, parse_date_end};
use super::show_page;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::partnership::{MemberRole, Seat, Status};
use serde::Deserialize;

fn back(slug: &str) -> Response {
    Redirect::to(&format!("/partnerships/{slug}")).into_response()
}

/// After an action: back to the page, or the page again with the refusal shown.
async fn done(state: &AppState, ctx: &Ctx, a: &Access, r: Result<(), Refusal>) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(back(&a.partnership.slug)),
        Err(refusal) => show_page(state, ctx, a, Some(ctx.tr().t(&refusal.key)), None).await,
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST …/status`.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let to = Status::parse(&f.status).ok_or_else(|| AppError::invalid("status", "unknown status"))?;
    let r = service::change_status(&state, &ctx, &a, to, &f.reason).await?;
    done(&state, &ctx, &a, r).await
}

/// `POST …/join` and `POST …/accept`.
pub async fn join(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let r = service::join(&state, &ctx, &a).await?.map(|_| ());
    done(&state, &ctx, &a, r).await
}

/// `POST …/leave`.
pub async fn leave(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    service::leave(&state, &ctx, &a).await?;
    Ok(back(&slug))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// `POST …/invite`.
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let role = MemberRole::parse(&f.role).unwrap_or(MemberRole::Member);
    match service::invite(&state, &ctx, &a, &f.email, &f.name, role).await? {
        Ok(u) => show_page(&state, &ctx, &a, None, Some(ctx.tr().t1("invite-sent", "email", &u.email))).await,
        Err(refusal) => show_page(&state, &ctx, &a, Some(ctx.tr().t(&refusal.key)), None).await,
    }
}

/// `POST …/members/{user_id}/{action}`.
pub async fn member_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id, action)): Path<(String, i64, String)>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let r = service::member_action(&state, &ctx, &a, user_id, &action).await?;
    done(&state, &ctx, &a, r).await
}

#[derive(Deserialize)]
pub struct SeatForm {
    seat: String,
    user_id: i64,
    /// Last day of the term, `YYYY-MM-DD`.
    ends_on: String,
    #[serde(default)]
    note: String,
}

/// `POST …/seats`.
pub async fn assign_seat(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<SeatForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let seat = Seat::parse(&f.seat).ok_or_else(|| AppError::invalid("seat", "unknown seat"))?;
    let ends = parse_date_end(&f.ends_on, &ctx.jurisdiction.time_zone);
    let r = service::assign_seat(&state, &ctx, &a, seat, f.user_id, ends, &f.note).await?;
    done(&state, &ctx, &a, r).await
}

#[derive(Deserialize)]
pub struct VacateForm {
    #[serde(default)]
    note: String,
}

/// `POST …/seats/{seat}/vacate`.
pub async fn vacate_seat(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, seat)): Path<(String, String)>,
    Form(f): Form<VacateForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    let seat = Seat::parse(&seat).ok_or(AppError::NotFound)?;
    service::vacate_seat(&state, &ctx, &a, seat, &f.note).await?;
    Ok(back(&slug))
}
