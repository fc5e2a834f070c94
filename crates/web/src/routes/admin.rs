//! Administration: users (invite, role, disable), the audit log and the e-mail outbox. Administrators only.

use super::invites::send_invitation;
use super::pages::{Shell, render, render_status};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::timefmt::{format_datetime, iso_utc};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::{Email, PersonName, Role};
use commonbeat_store::repo::audit::{self, AuditFilter};
use commonbeat_store::repo::users::{self, Change, NewUser, role_of};
use commonbeat_store::repo::{outbox, sessions};
use serde::Deserialize;
use serde_json::json;

/// Admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", super::guarded(get(list_users).post(invite_user)))
        .route("/admin/users/{id}/role", super::guarded(post(set_role)))
        .route("/admin/users/{id}/disable", super::guarded(post(disable)))
        .route("/admin/users/{id}/enable", super::guarded(post(enable)))
        .route("/admin/audit", super::guarded(get(audit_log)))
        .route("/admin/outbox", super::guarded(get(outbox_list)))
        .route("/admin/outbox/{id}", super::guarded(get(outbox_message)))
}

struct UserRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    role_id: String,
    mfa: String,
    status: String,
    disabled: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    users: Vec<UserRow>,
    count: String,
    roles: Vec<(String, String)>,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<UsersPage> {
    let me = ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let list = users::list(&state.db, ctx.jid()).await?;
    let rows: Vec<UserRow> = list
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: t.t(&format!("role-{}", u.role)),
            role_id: u.role.clone(),
            mfa: t.t(if u.mfa_enabled { "mfa-on" } else { "mfa-off" }),
            status: t.t(if u.disabled {
                "status-disabled"
            } else if u.password_hash.is_none() {
                "status-invited"
            } else {
                "status-active"
            }),
            disabled: u.disabled,
            is_self: u.id == me.id,
            name: u.name,
            email: u.email,
        })
        .collect();
    Ok(UsersPage {
        shell: Shell::new(ctx, "admin-users-title"),
        error,
        notice,
        count: rows.len().to_string(),
        users: rows,
        roles: Role::ALL.iter().map(|r| (r.as_str().to_string(), t.t(&format!("role-{}", r.as_str())))).collect(),
    })
}

async fn list_users(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(&users_page(&state, &ctx, None, None).await?)
}

#[derive(Deserialize)]
struct InviteForm {
    name: String,
    email: String,
    role: String,
}

async fn invite_user(State(state): State<AppState>, ctx: Ctx, Form(f): Form<InviteForm>) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let fail = |msg: String| async {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &users_page(&state, &ctx, Some(msg), None).await?)
    };
    let Ok(name) = PersonName::parse(&f.name) else { return fail(t.t("invalid-name")).await };
    let Ok(email) = Email::parse(&f.email) else { return fail(t.t("login-bad-email")).await };
    let Ok(role) = f.role.parse::<Role>() else { return fail(t.t("invalid-role")).await };
    let created = users::create(
        &state.db,
        ctx.jid(),
        NewUser { email: email.clone(), name, role, password_hash: None, locale: ctx.locale },
    )
    .await;
    let u = match created {
        Ok(u) => u,
        Err(commonbeat_store::StoreError::Conflict { .. }) => {
            return render_status(
                StatusCode::CONFLICT,
                &users_page(&state, &ctx, Some(t.t("email-taken")), None).await?,
            );
        }
        Err(e) => return Err(e.into()),
    };
    ctx.audit(&state, "user.create", &format!("user:{}", u.id), "success", json!({"email": u.email, "role": u.role}))
        .await?;
    send_invitation(&state, &ctx.jurisdiction, &u, ctx.locale).await?;
    render(&users_page(&state, &ctx, None, Some(t.t1("admin-invite-sent", "email", email.as_str()))).await?)
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> AppResult<Response> {
    let me = ctx.require_role(&[Role::Admin])?;
    if me.id == id {
        return Err(AppError::invalid("role", "administrators cannot change their own role"));
    }
    let role: Role = f.role.parse().map_err(|_| AppError::invalid("role", "expected admin, police or community"))?;
    let target = users::by_id(&state.db, ctx.jid(), id).await?;
    users::update(&state.db, ctx.jid(), id, Change::Role(role)).await?;
    // A new role means new rights (and possibly an MFA duty): end the user's sessions.
    sessions::delete_for_user(&state.db, ctx.jid(), id).await?;
    commonbeat_store::repo::tokens::revoke_all_for_user(&state.db, ctx.jid(), id).await?;
    ctx.audit(&state, "user.role", &format!("user:{id}"), "success", json!({"from": target.role, "to": role.as_str()}))
        .await?;
    Ok(axum::response::IntoResponse::into_response(Redirect::to("/admin/users")))
}

async fn set_disabled(state: AppState, ctx: Ctx, id: i64, disabled: bool) -> AppResult<Response> {
    let me = ctx.require_role(&[Role::Admin])?;
    if me.id == id {
        return Err(AppError::invalid("user", "administrators cannot disable themselves"));
    }
    users::update(&state.db, ctx.jid(), id, Change::Disabled(disabled)).await?;
    if disabled {
        sessions::delete_for_user(&state.db, ctx.jid(), id).await?;
    }
    let action = if disabled { "user.disable" } else { "user.enable" };
    ctx.audit(&state, action, &format!("user:{id}"), "success", json!({})).await?;
    Ok(axum::response::IntoResponse::into_response(Redirect::to("/admin/users")))
}

async fn disable(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_disabled(state, ctx, id, true).await
}

async fn enable(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_disabled(state, ctx, id, false).await
}

struct AuditRow {
    id: i64,
    at: String,
    iso: String,
    actor: String,
    action: String,
    object: String,
    outcome: String,
    source: String,
    details: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    shell: Shell,
    chain_status: String,
    entries: Vec<AuditRow>,
    total: String,
    f_action: String,
    f_actor: String,
    f_outcome: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    outcome: Option<String>,
    page: Option<u64>,
}

const AUDIT_PAGE: u64 = 50;

async fn audit_log(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let filter = AuditFilter {
        action: q.action.clone(),
        actor: q.actor.clone(),
        outcome: q.outcome.clone(),
        from: None,
        to: None,
    };
    let page = q.page.unwrap_or(0);
    ctx.audit(&state, "audit.read", "audit_log", "success", json!({"page": page})).await?;
    let (rows, total) = audit::list(&state.db, ctx.jid(), &filter, AUDIT_PAGE, page * AUDIT_PAGE).await?;
    let chain_status = match audit::verify(&state.db, ctx.jid()).await? {
        Ok(n) => t.t1("audit-chain-ok", "count", &n.to_string()),
        Err(b) => t.t1("audit-chain-broken", "id", &b.id.to_string()),
    };
    let tz = &ctx.jurisdiction.time_zone;
    let href = |p: u64| {
        let pairs = [
            ("action", q.action.clone().unwrap_or_default()),
            ("actor", q.actor.clone().unwrap_or_default()),
            ("outcome", q.outcome.clone().unwrap_or_default()),
            ("page", p.to_string()),
        ];
        format!("/admin/audit?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    };
    let entries = rows
        .into_iter()
        .map(|e| AuditRow {
            id: e.id,
            at: format_datetime(e.at, tz, ctx.locale),
            iso: iso_utc(e.at),
            actor: e.actor,
            action: e.action,
            object: e.object,
            outcome: e.outcome,
            source: e.source,
            details: e.details,
        })
        .collect();
    render(&AuditPage {
        shell: Shell::new(&ctx, "admin-audit-title"),
        chain_status,
        entries,
        total: total.to_string(),
        f_action: q.action.clone().unwrap_or_default(),
        f_actor: q.actor.clone().unwrap_or_default(),
        f_outcome: q.outcome.clone().unwrap_or_default(),
        prev_href: (page > 0).then(|| href(page - 1)),
        next_href: ((page + 1) * AUDIT_PAGE < total).then(|| href(page + 1)),
    })
}

struct OutboxRow {
    id: i64,
    created: String,
    to: String,
    subject: String,
    status: String,
    attempts: i32,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    shell: Shell,
    smtp_status: String,
    messages: Vec<OutboxRow>,
}

fn status_text(ctx: &Ctx, status: &str) -> String {
    ctx.tr().t(&format!("outbox-status-{status}"))
}

async fn outbox_list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let t = ctx.tr();
    let tz = &ctx.jurisdiction.time_zone;
    let messages = outbox::list(&state.db, ctx.jid(), 200)
        .await?
        .into_iter()
        .map(|m| OutboxRow {
            id: m.id,
            created: format_datetime(m.created_at, tz, ctx.locale),
            to: m.to_addr,
            subject: m.subject,
            status: status_text(&ctx, &m.status),
            attempts: m.attempts,
        })
        .collect();
    let smtp_status = t.t(if state.config.smtp_url.is_some() { "outbox-smtp-on" } else { "outbox-smtp-off" });
    render(&OutboxPage { shell: Shell::new(&ctx, "admin-outbox-title"), smtp_status, messages })
}

#[derive(Template)]
#[template(path = "admin_outbox_message.html")]
struct OutboxMessagePage {
    shell: Shell,
    subject: String,
    to: String,
    created: String,
    status: String,
    last_error: Option<String>,
    body: String,
}

async fn outbox_message(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require_role(&[Role::Admin])?;
    let m = outbox::by_id(&state.db, ctx.jid(), id).await?;
    // Messages can hold invitation and reset links: reading one is a sensitive read.
    ctx.audit(&state, "outbox.read", &format!("outbox:{id}"), "success", json!({})).await?;
    let tz = &ctx.jurisdiction.time_zone;
    render(&OutboxMessagePage {
        shell: Shell::titled(&ctx, m.subject.clone()),
        created: format_datetime(m.created_at, tz, ctx.locale),
        status: status_text(&ctx, &m.status),
        subject: m.subject,
        to: m.to_addr,
        last_error: m.last_error,
        body: m.body_text,
    })
}

/// Whether a user is an administrator (helper for other route modules).
pub fn is_admin(u: &commonbeat_store::entities::user::Model) -> bool {
    role_of(u) == Role::Admin
}
