//! The partnership actions shared by the pages and the API, so both enforce the same rules. Each returns a
//! [`Refusal`] naming the field and a Fluent message key when a rule says no; the caller shows it its own way.

use super::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::mail;
use commonbeat_domain::partnership::{Charter, MemberRole, Seat, Status, transition_blockers};
use commonbeat_domain::{Email, Locale, PersonName, Role, Side};
use commonbeat_store::entities::{partnership, user};
use commonbeat_store::repo::leadership::{self, Assignment};
use commonbeat_store::repo::members::{self, Change};
use commonbeat_store::repo::partnerships;
use commonbeat_store::repo::users::{self, NewUser, role_of};
use serde_json::json;

/// A rule said no.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The field at fault.
    pub field: &'static str,
    /// Fluent key of the message.
    pub key: String,
}

impl Refusal {
    fn new(field: &'static str, key: impl Into<String>) -> Refusal {
        Refusal { field, key: key.into() }
    }

    /// As an API error (422 naming the field, message in the request's language).
    pub fn into_app_error(self, ctx: &Ctx) -> AppError {
        AppError::invalid(self.field, ctx.tr().t(&self.key))
    }
}

/// Outcome of an action: the app-level result, then the rule's verdict.
pub type Outcome<T> = AppResult<Result<T, Refusal>>;

/// Forms a partnership: the founder joins on the police side and holds the police co-chair seat for a year.
pub async fn form(state: &AppState, ctx: &Ctx, charter: &Charter, areas: &[i64]) -> AppResult<partnership::Model> {
    let u = ctx.require_role(&[Role::Police, Role::Admin])?.clone();
    let p = partnerships::create(&state.db, ctx.jid(), charter, areas, Some(u.id)).await.map_err(|e| match e {
        commonbeat_store::StoreError::Invalid(m) => AppError::invalid("areas", m),
        other => other.into(),
    })?;
    members::set_status(
        &state.db,
        ctx.jid(),
        p.id,
        Change {
            user_id: u.id,
            side: Side::Police,
            role: MemberRole::Member,
            status: members::ACTIVE,
            actor_id: Some(u.id),
            note: "",
        },
    )
    .await?;
    let now = commonbeat_store::now();
    leadership::assign(
        &state.db,
        ctx.jid(),
        p.id,
        Assignment {
            seat: Seat::PoliceChair,
            user_id: u.id,
            starts_at: now,
            ends_at: now + 365 * 86_400,
            actor_id: Some(u.id),
            handover_note: "",
        },
    )
    .await?;
    ctx.audit(
        state,
        "partnership.create",
        &format!("partnership:{}", p.id),
        "success",
        json!({"name": p.name, "areas": areas}),
    )
    .await?;
    Ok(p)
}

/// Replaces the charter and areas (managers only).
pub async fn update_charter(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    charter: &Charter,
    areas: &[i64],
) -> AppResult<()> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    partnerships::update_charter(&state.db, ctx.jid(), a.partnership.id, charter, areas, Some(u.id)).await.map_err(
        |e| match e {
            commonbeat_store::StoreError::Invalid(m) => AppError::invalid("areas", m),
            other => other.into(),
        },
    )?;
    ctx.audit(
        state,
        "partnership.update",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"areas": areas}),
    )
    .await?;
    Ok(())
}

/// Moves the partnership through its lifecycle (managers only).
pub async fn change_status(state: &AppState, ctx: &Ctx, a: &Access, to: Status, reason: &str) -> Outcome<()> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    if reason.trim().chars().count() < 3 || reason.chars().count() > 2000 {
        return Ok(Err(Refusal::new("reason", "status-reason-required")));
    }
    let from = partnerships::status_of(&a.partnership);
    let current = leadership::current(&state.db, ctx.jid(), a.partnership.id).await?;
    let now = commonbeat_store::now();
    let held = |s: Seat| current.iter().any(|c| c.term.seat == s.as_str() && c.term.ends_at > now);
    let balance = members::balance(&state.db, ctx.jid(), a.partnership.id).await?;
    if let Err(blockers) = transition_blockers(from, to, (held(Seat::PoliceChair), held(Seat::CommunityChair)), balance)
    {
        let key = match blockers.first() {
            None => "status-not-allowed".to_string(),
            Some(b) => format!(
                "blocker-{}",
                serde_json::to_value(b).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
            ),
        };
        return Ok(Err(Refusal::new("status", key)));
    }
    partnerships::set_status(&state.db, ctx.jid(), a.partnership.id, to, Some(u.id), reason.trim()).await?;
    ctx.audit(
        state,
        "partnership.status",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    Ok(Ok(()))
}

/// Asks to join, or accepts a pending invitation. Returns the membership status afterwards.
pub async fn join(state: &AppState, ctx: &Ctx, a: &Access) -> Outcome<String> {
    let u = ctx.require_user()?.clone();
    if partnerships::status_of(&a.partnership) == Status::Closed {
        return Ok(Err(Refusal::new("status", "join-closed")));
    }
    let current = a.membership.as_ref().map(|m| m.status.as_str()).unwrap_or("");
    let status = match current {
        members::ACTIVE | members::REQUESTED => return Ok(Ok(current.to_string())),
        members::INVITED => members::ACTIVE,
        _ => members::REQUESTED,
    };
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change {
            user_id: u.id,
            side: role_of(&u).side(),
            role: MemberRole::Member,
            status,
            actor_id: Some(u.id),
            note: "",
        },
    )
    .await?;
    ctx.audit(
        state,
        "membership.request",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"status": status}),
    )
    .await?;
    Ok(Ok(status.to_string()))
}

async fn vacate_seats_of(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    user_id: i64,
    actor: i64,
    note: &str,
) -> AppResult<()> {
    let current = leadership::current(&state.db, ctx.jid(), a.partnership.id).await?;
    for c in current.iter().filter(|c| c.user.id == user_id) {
        if let Some(seat) = Seat::parse(&c.term.seat) {
            leadership::vacate(&state.db, ctx.jid(), a.partnership.id, seat, Some(actor), note).await?;
        }
    }
    Ok(())
}

/// Leaves the partnership; any seat the member held becomes vacant.
pub async fn leave(state: &AppState, ctx: &Ctx, a: &Access) -> AppResult<()> {
    let u = ctx.require_user()?.clone();
    let m = a.membership.clone().filter(|m| m.status == members::ACTIVE).ok_or(AppError::NotFound)?;
    let role = MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change { user_id: u.id, side: role_of(&u).side(), role, status: members::LEFT, actor_id: Some(u.id), note: "" },
    )
    .await?;
    vacate_seats_of(state, ctx, a, u.id, u.id, "left the partnership").await?;
    ctx.audit(state, "membership.leave", &format!("partnership:{}", a.partnership.id), "success", json!({})).await?;
    Ok(())
}

/// Invites someone by e-mail (managers only). Someone without an account gets a community account invitation
/// too. Returns the invitee.
pub async fn invite(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    email: &str,
    name: &str,
    role: MemberRole,
) -> Outcome<user::Model> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    let Ok(email) = Email::parse(email) else { return Ok(Err(Refusal::new("email", "login-bad-email"))) };
    let invitee = match users::by_email(&state.db, ctx.jid(), &email).await? {
        Some(existing) => existing,
        None => {
            let fallback = email.as_str().split('@').next().unwrap_or("Member").to_string();
            let Ok(name) = PersonName::parse(if name.trim().is_empty() { &fallback } else { name }) else {
                return Ok(Err(Refusal::new("name", "invalid-name")));
            };
            let created = users::create(
                &state.db,
                ctx.jid(),
                NewUser { email: email.clone(), name, role: Role::Community, password_hash: None, locale: ctx.locale },
            )
            .await?;
            ctx.audit(
                state,
                "user.create",
                &format!("user:{}", created.id),
                "success",
                json!({"via": "partnership invitation"}),
            )
            .await?;
            crate::routes::invites::send_invitation(state, &ctx.jurisdiction, &created, ctx.locale).await?;
            created
        }
    };
    if members::of_user(&state.db, ctx.jid(), a.partnership.id, invitee.id)
        .await?
        .is_some_and(|m| m.status == members::ACTIVE)
    {
        return Ok(Err(Refusal::new("email", "invite-already-member-plain")));
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
    let tr = crate::i18n::Tr::new(Locale::from_tag(&invitee.locale).unwrap_or(Locale::En));
    let link = format!("{}/partnerships/{}", state.config.public_url, a.partnership.slug);
    let body = format!(
        "{}\n\n{}\n\n{link}\n",
        tr.t2("email-member-invite-body", ("inviter", &u.name), ("partnership", &a.partnership.name)),
        a.partnership.mission
    );
    mail::send_text(
        state,
        ctx.jid(),
        &invitee.email,
        tr.t1("email-member-invite-subject", "partnership", &a.partnership.name),
        body,
    )
    .await?;
    ctx.audit(
        state,
        "membership.invite",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"user": invitee.id}),
    )
    .await?;
    Ok(Ok(invitee))
}

/// Managers answer requests and manage members: `approve`, `decline`, `remove`, `observer`, `member`.
pub async fn member_action(state: &AppState, ctx: &Ctx, a: &Access, user_id: i64, action: &str) -> Outcome<()> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    let m = members::require(&state.db, ctx.jid(), a.partnership.id, user_id).await?;
    let side = if m.side == Side::Police.as_str() { Side::Police } else { Side::Community };
    let role = MemberRole::parse(&m.role).unwrap_or(MemberRole::Member);
    let (status, role) = match action {
        "approve" if m.status == members::REQUESTED => (members::ACTIVE, role),
        "decline" if m.status == members::REQUESTED || m.status == members::INVITED => (members::DECLINED, role),
        "remove" if m.status == members::ACTIVE => (members::REMOVED, role),
        "observer" if m.status == members::ACTIVE => (members::ACTIVE, MemberRole::Observer),
        "member" if m.status == members::ACTIVE => (members::ACTIVE, MemberRole::Member),
        "approve" | "decline" | "remove" | "observer" | "member" => {
            return Ok(Err(Refusal::new("action", "member-action-not-now")));
        }
        _ => return Err(AppError::NotFound),
    };
    members::set_status(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Change { user_id, side, role, status, actor_id: Some(u.id), note: "" },
    )
    .await?;
    if status == members::REMOVED {
        vacate_seats_of(state, ctx, a, user_id, u.id, "removed from the partnership").await?;
    }
    ctx.audit(
        state,
        &format!("membership.{action}"),
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"user": user_id}),
    )
    .await?;
    Ok(Ok(()))
}

/// Puts an active member of the seat's side in a seat until `ends_at` (managers only).
pub async fn assign_seat(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    seat: Seat,
    user_id: i64,
    ends_at: Option<i64>,
    note: &str,
) -> Outcome<()> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    let Some(m) = members::of_user(&state.db, ctx.jid(), a.partnership.id, user_id)
        .await?
        .filter(|m| m.status == members::ACTIVE)
    else {
        return Ok(Err(Refusal::new("user_id", "seat-needs-member")));
    };
    if m.side != seat.side().as_str() {
        return Ok(Err(Refusal::new("user_id", "seat-wrong-side")));
    }
    if note.chars().count() > 2000 {
        return Ok(Err(Refusal::new("note", "note-too-long")));
    }
    let now = commonbeat_store::now();
    let Some(ends_at) = ends_at.filter(|e| *e > now) else { return Ok(Err(Refusal::new("ends_on", "seat-bad-date"))) };
    leadership::assign(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        Assignment { seat, user_id, starts_at: now, ends_at, actor_id: Some(u.id), handover_note: note.trim() },
    )
    .await?;
    ctx.audit(
        state,
        "partnership.seat",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"seat": seat.as_str(), "user": user_id}),
    )
    .await?;
    Ok(Ok(()))
}

/// Ends the current term of a seat (managers only).
pub async fn vacate_seat(state: &AppState, ctx: &Ctx, a: &Access, seat: Seat, note: &str) -> AppResult<()> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    if note.chars().count() > 2000 {
        return Err(AppError::invalid("note", "at most 2000 characters"));
    }
    leadership::vacate(&state.db, ctx.jid(), a.partnership.id, seat, Some(u.id), note.trim()).await?;
    ctx.audit(
        state,
        "partnership.seat_vacate",
        &format!("partnership:{}", a.partnership.id),
        "success",
        json!({"seat": seat.as_str()}),
    )
    .await?;
    Ok(())
}

/// The end of the given day (23:59:59) in the jurisdiction's time zone, as unix seconds.
pub fn parse_date_end(date: &str, tz: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    Some(d.at(23, 59, 59, 0).to_zoned_datetime(zone).ok()?.timestamp().as_second())
}
