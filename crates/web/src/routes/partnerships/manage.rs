//! Membership and leadership actions: join requests, invitations, approvals, leaving, removing, co-chair seats
//! and lifecycle changes. Each checks the caller's standing through [`Access`] and is audited.

use super::access::Access;
use super::show_page;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::mail;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::partnership::{MemberRole, Seat, Status, transition_blockers};
use commonbeat_domain::{Email, Locale, PersonName, Role};
use commonbeat_store::repo::leadership::{self, Assignment};
use commonbeat_store::repo::members::{self, Change};
use commonbeat_store::repo::outbox::NewMessage;
use commonbeat_store::repo::partnerships;
use commonbeat_store::repo::users::{self, NewUser, role_of};
use serde::Deserialize;
use serde_json::json;

fn back(slug: &str) -> Response {
    Redirect::to(&format!("/partnerships/{slug}")).into_response()
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST …/status` — co-chairs move the partnership through its lifecycle; becoming active needs both co-chairs
/// and members on both sides.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let to = Status::parse(&f.status).ok_or_else(|| AppError::invalid("status", "unknown status"))?;
    let from = partnerships::status_of(&a.partnership);
    let current = leadership::current(&state.db, ctx.jid(), a.partnership.id).await?;
    let now = commonbeat_store::now();
    let held = |s: Seat| current.iter().any(|c| c.term.seat == s.as_str() && c.term.ends_at > now);
    let balance = members::balance(&state.db, ctx.jid(), a.partnership.id).await?;
    if f.reason.trim().chars().count() < 3 {
        return show_page(&state, &ctx, &a, Some(t.t("status-reason-required")), None).await;
    }
    if let Err(blockers) = transition_blockers(from, to, (held(Seat::PoliceChair), held(Seat::CommunityChair)), balance)
    {
        let msg = if blockers.is_empty() {
            t.t("status-not-allowed")
        } else {
            blockers
                .iter()
                .map(|b| {
                    t.t(&format!(
                        "blocker-{}",
                        serde_json::to_value(b).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
                    ))
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        return show_page(&state, &ctx, &a, Some(msg), None).await;
    }
    partnerships::set_status(&state.db, ctx.jid(), a.partnership.id, to, Some(u.id), f.reason.trim()).await?;
    ctx.audit(
        &state,
        "partnership.status",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    Ok(back(&slug))
}

/// `POST …/join` — a signed-in person asks to join; co-chairs approve. Closed partnerships take nobody.
pub async fn join(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    if partnerships::status_of(&a.partnership) == Status::Closed {
        return Err(AppError::invalid("status", "this partnership is closed"));
    }
    if let Some(m) = &a.membership
        && (m.status == members::ACTIVE || m.status == members::REQUESTED)
    {
        return Ok(back(&slug));
    }
    // An invitation already made is simply accepted.
    let status = if a.membership.as_ref().is_some_and(|m| m.status == members::INVITED) {
        members::ACTIVE
    } else {
        members::REQUESTED
    };
    let side = role_of(&u).side();
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change { user_id: u.id, side, role: MemberRole::Member, status, actor_id: Some(u.id), note: "" },
    )
    .await?;
    ctx.audit(
        &state,
        "membership.request",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"status": status}),
    )
    .await?;
    Ok(back(&slug))
}

/// `POST …/accept` — accept an invitation.
pub async fn accept(state: State<AppState>, ctx: Ctx, slug: Path<String>) -> AppResult<Response> {
    join(state, ctx, slug).await
}

/// `POST …/leave`.
pub async fn leave(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    let m = a.membership.clone().ok_or(AppError::NotFound)?;
    let role = MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
    let side = role_of(&u).side();
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change { user_id: u.id, side, role, status: members::LEFT, actor_id: Some(u.id), note: "" },
    )
    .await?;
    // Leaving ends any seat the member held (a handover the co-chairs see as a vacancy).
    for seat in Seat::ALL {
        let current = leadership::current(&state.db, ctx.jid(), a.partnership.id).await?;
        if current.iter().any(|c| c.term.seat == seat.as_str() && c.user.id == u.id) {
            leadership::vacate(&state.db, ctx.jid(), a.partnership.id, seat, Some(u.id), "left the partnership")
                .await?;
        }
    }
    ctx.audit(&state, "membership.leave", &format!("partnership:{}", a.partnership.id), "success", json!({})).await?;
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

/// `POST …/invite` — co-chairs invite by e-mail. Someone without an account gets a community account invitation
/// too; the membership waits for them to accept.
pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<InviteForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let Ok(email) = Email::parse(&f.email) else {
        return show_page(&state, &ctx, &a, Some(t.t("login-bad-email")), None).await;
    };
    let role = MemberRole::parse(&f.role).unwrap_or(MemberRole::Member);
    let invitee = match users::by_email(&state.db, ctx.jid(), &email).await? {
        Some(existing) => existing,
        None => {
            let name = PersonName::parse(if f.name.trim().is_empty() {
                email.as_str().split('@').next().unwrap_or("Member")
            } else {
                &f.name
            })
            .map_err(|_| AppError::invalid("name", "1 to 100 characters"))?;
            let created = users::create(
                &state.db,
                ctx.jid(),
                NewUser { email: email.clone(), name, role: Role::Community, password_hash: None, locale: ctx.locale },
            )
            .await?;
            ctx.audit(
                &state,
                "user.create",
                &format!("user:{}", created.id),
                "success",
                json!({"via": "partnership invitation"}),
            )
            .await?;
            crate::routes::invites::send_invitation(&state, &ctx.jurisdiction, &created, ctx.locale).await?;
            created
        }
    };
    if members::of_user(&state.db, ctx.jid(), a.partnership.id, invitee.id)
        .await?
        .is_some_and(|m| m.status == members::ACTIVE)
    {
        return show_page(&state, &ctx, &a, None, Some(t.t1("invite-already-member", "name", &invitee.name))).await;
    }
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change {
            user_id: invitee.id,
            side: role_of(&invitee).side(),
            role,
            status: members::INVITED,
            actor_id: Some(u.id),
            note: "",
        },
    )
    .await?;
    let it = commonbeat_domain::Locale::from_tag(&invitee.locale).unwrap_or(Locale::En);
    let tr = crate::i18n::Tr::new(it);
    let link = format!("{}/partnerships/{slug}", state.config.public_url);
    let body = format!(
        "{}\n\n{}\n\n{link}\n",
        tr.t2("email-member-invite-body", ("inviter", &u.name), ("partnership", &a.partnership.name)),
        a.partnership.mission
    );
    mail::send(
        &state,
        ctx.jid(),
        NewMessage {
            to: invitee.email.clone(),
            subject: tr.t1("email-member-invite-subject", "partnership", &a.partnership.name),
            body_text: body,
            body_html: None,
            calendar: None,
        },
    )
    .await?;
    ctx.audit(
        &state,
        "membership.invite",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"user": invitee.id}),
    )
    .await?;
    show_page(&state, &ctx, &a, None, Some(t.t1("invite-sent", "email", email.as_str()))).await
}

/// `POST …/members/{user_id}/{approve|decline|remove|observer|member}` — co-chairs manage requests and members.
pub async fn member_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id, action)): Path<(String, i64, String)>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let m = members::require(&state.db, ctx.jid(), a.partnership.id, user_id).await?;
    let side = if m.side == "police" { commonbeat_domain::Side::Police } else { commonbeat_domain::Side::Community };
    let role = MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
    let (status, role) = match action.as_str() {
        "approve" if m.status == members::REQUESTED => (members::ACTIVE, role),
        "decline" if m.status == members::REQUESTED || m.status == members::INVITED => (members::DECLINED, role),
        "remove" if m.status == members::ACTIVE => (members::REMOVED, role),
        "observer" if m.status == members::ACTIVE => (members::ACTIVE, MemberRole::Observer),
        "member" if m.status == members::ACTIVE => (members::ACTIVE, MemberRole::Member),
        _ => return Err(AppError::invalid("action", format!("cannot {action} a membership that is {}", m.status))),
    };
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change { user_id, side, role, status, actor_id: Some(u.id), note: "" },
    )
    .await?;
    if status == members::REMOVED {
        for seat in Seat::ALL {
            let current = leadership::current(&state.db, ctx.jid(), a.partnership.id).await?;
            if current.iter().any(|c| c.term.seat == seat.as_str() && c.user.id == user_id) {
                leadership::vacate(
                    &state.db,
                    ctx.jid(),
                    a.partnership.id,
                    seat,
                    Some(u.id),
                    "removed from the partnership",
                )
                .await?;
            }
        }
    }
    ctx.audit(
        &state,
        &format!("membership.{action}"),
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"user": user_id}),
    )
    .await?;
    Ok(back(&slug))
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

/// `POST …/seats` — assign a seat to an active member of the right side, with a term end and a handover note.
pub async fn assign_seat(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<SeatForm>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let seat = Seat::parse(&f.seat).ok_or_else(|| AppError::invalid("seat", "unknown seat"))?;
    let m = members::require(&state.db, ctx.jid(), a.partnership.id, f.user_id).await?;
    if m.status != members::ACTIVE {
        return show_page(&state, &ctx, &a, Some(t.t("seat-needs-member")), None).await;
    }
    if m.side != seat.side().as_str() {
        return show_page(&state, &ctx, &a, Some(t.t("seat-wrong-side")), None).await;
    }
    let Some(ends_at) = parse_date_end(&f.ends_on, &ctx.jurisdiction.time_zone) else {
        return show_page(&state, &ctx, &a, Some(t.t("seat-bad-date")), None).await;
    };
    let now = commonbeat_store::now();
    if ends_at <= now {
        return show_page(&state, &ctx, &a, Some(t.t("seat-bad-date")), None).await;
    }
    leadership::assign(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Assignment {
            seat,
            user_id: f.user_id,
            starts_at: now,
            ends_at,
            actor_id: Some(u.id),
            handover_note: f.note.trim(),
        },
    )
    .await?;
    ctx.audit(
        &state,
        "partnership.seat",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"seat": seat.as_str(), "user": f.user_id}),
    )
    .await?;
    Ok(back(&slug))
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
    let u = ctx.require_user()?.clone();
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let seat = Seat::parse(&seat).ok_or(AppError::NotFound)?;
    leadership::vacate(&state.db, ctx.jid(), a.partnership.id, seat, Some(u.id), f.note.trim()).await?;
    ctx.audit(
        &state,
        "partnership.seat_vacate",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"seat": seat.as_str()}),
    )
    .await?;
    Ok(back(&slug))
}

/// The end of the given day (23:59:59) in the jurisdiction's time zone, as unix seconds.
pub fn parse_date_end(date: &str, tz: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    let dt = d.at(23, 59, 59, 0);
    Some(dt.to_zoned_datetime(zone).ok()?.timestamp().as_second())
}
