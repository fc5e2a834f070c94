//! Invitations (single use, 7 days) and password resets (single use, 1 hour), both by e-mailed link.

use super::account::password_error_text;
use super::pages::{MessagePage, Shell, render, render_status};
use crate::AppState;
use crate::auth::password;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::mail;
use crate::middleware::rate_limit;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use commonbeat_domain::{Email, Locale, PersonName, check_password};
use commonbeat_store::entities::{jurisdiction, user};
use commonbeat_store::repo::tokens::{self, Purpose};
use commonbeat_store::repo::users::{self, Change};
use commonbeat_store::repo::{audit, sessions};
use serde::Deserialize;
use serde_json::json;

/// Invitation and reset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invite/{token}", super::guarded(get(invite_form).post(invite_accept)))
        .route("/password/forgot", super::guarded(get(forgot_form).post(forgot_submit)))
        .route("/password/reset/{token}", super::guarded(get(reset_form).post(reset_submit)))
}

/// Issues an invitation token and e-mails the link (in `locale`). Returns the link (the CLI prints it).
pub async fn send_invitation(
    state: &AppState,
    j: &jurisdiction::Model,
    u: &user::Model,
    locale: Locale,
) -> AppResult<String> {
    let token = tokens::issue_one_time(&state.db, j.id, u.id, Purpose::Invitation).await?;
    let link = format!("{}/invite/{token}", state.config.public_url);
    let t = Tr::new(locale);
    let body = format!(
        "{}\n\n{}\n\n{link}\n\n{}\n",
        t.t1("email-invite-greeting", "name", &u.name),
        t.t1("email-invite-body", "site", &j.name),
        t.t("email-invite-expiry")
    );
    mail::send_text(state, j.id, &u.email, t.t1("email-invite-subject", "site", &j.name), body).await?;
    Ok(link)
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    heading: String,
    intro: String,
    action: String,
    ask_name: bool,
    name: String,
}

fn expired(ctx: &Ctx) -> AppResult<Response> {
    let t = ctx.tr();
    render_status(
        StatusCode::GONE,
        &MessagePage {
            shell: Shell::new(ctx, "link-expired-title"),
            heading: t.t("link-expired-title"),
            message: t.t("link-expired"),
            kind: "warning",
            link: Some(("/password/forgot".into(), t.t("login-forgot"))),
        },
    )
}

async fn invite_form(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    let Some(uid) = tokens::peek_one_time(&state.db, ctx.jid(), &token, Purpose::Invitation).await? else {
        return expired(&ctx);
    };
    let u = users::by_id(&state.db, ctx.jid(), uid).await?;
    let t = ctx.tr();
    render(&SetPasswordPage {
        shell: Shell::new(&ctx, "invite-title"),
        error: None,
        notice: None,
        heading: t.t("invite-title"),
        intro: t.t1("invite-intro", "site", &ctx.jurisdiction.name),
        action: format!("/invite/{token}"),
        ask_name: true,
        name: u.name,
    })
}

#[derive(Deserialize)]
struct SetPasswordForm {
    name: Option<String>,
    new_password: String,
}

async fn invite_accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let Some(uid) = tokens::peek_one_time(&state.db, ctx.jid(), &token, Purpose::Invitation).await? else {
        return expired(&ctx);
    };
    let u = users::by_id(&state.db, ctx.jid(), uid).await?;
    let t = ctx.tr();
    let name = PersonName::parse(f.name.as_deref().unwrap_or(&u.name));
    let problem = match (&name, check_password(&f.new_password, &[&u.email, &u.name])) {
        (Err(_), _) => Some(t.t("invalid-name")),
        (_, Err(e)) => Some(password_error_text(&t, &e)),
        _ => None,
    };
    if let Some(msg) = problem {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetPasswordPage {
                shell: Shell::new(&ctx, "invite-title"),
                error: Some(msg),
                notice: None,
                heading: t.t("invite-title"),
                intro: t.t1("invite-intro", "site", &ctx.jurisdiction.name),
                action: format!("/invite/{token}"),
                ask_name: true,
                name: f.name.unwrap_or_default(),
            },
        );
    }
    if tokens::consume_one_time(&state.db, ctx.jid(), &token, Purpose::Invitation).await?.is_none() {
        return expired(&ctx);
    }
    let name = name.map_err(|_| AppError::invalid("name", "invalid"))?;
    users::update(&state.db, ctx.jid(), uid, Change::Name(name)).await?;
    users::update(&state.db, ctx.jid(), uid, Change::PasswordHash(password::hash(&f.new_password))).await?;
    audit_as(&state, &ctx, &u, "invitation.accept").await?;
    render(&MessagePage {
        shell: Shell::new(&ctx, "invite-title"),
        heading: t.t("invite-done-title"),
        message: t.t("invite-done"),
        kind: "success",
        link: Some(("/login".into(), t.t("nav-sign-in"))),
    })
}

async fn audit_as(state: &AppState, ctx: &Ctx, u: &user::Model, action: &str) -> AppResult<()> {
    audit::append(
        &state.db,
        ctx.jid(),
        audit::AuditEvent {
            actor_id: Some(u.id),
            actor: u.email.clone(),
            action: action.into(),
            object: format!("user:{}", u.id),
            outcome: "success".into(),
            source: ctx.source.clone(),
            details: json!({}).to_string(),
        },
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
}

async fn forgot_form(ctx: Ctx) -> AppResult<Response> {
    render(&ForgotPage { shell: Shell::new(&ctx, "forgot-title"), error: None, notice: None })
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

async fn forgot_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ForgotForm>) -> AppResult<Response> {
    rate_limit(&state, &format!("forgot:{}:{}", ctx.jid(), ctx.source), 10, 3600).await?;
    let t = ctx.tr();
    if let Ok(email) = Email::parse(&f.email)
        && let Some(u) =
            users::by_email(&state.db, ctx.jid(), &email).await?.filter(|u| !u.disabled && u.password_hash.is_some())
    {
        let token = tokens::issue_one_time(&state.db, ctx.jid(), u.id, Purpose::PasswordReset).await?;
        let link = format!("{}/password/reset/{token}", state.config.public_url);
        let ut = Tr::new(Locale::from_tag(&u.locale).unwrap_or(ctx.locale));
        let body = format!("{}\n\n{link}\n\n{}\n", ut.t("email-reset-body"), ut.t("email-reset-expiry"));
        mail::send_text(&state, ctx.jid(), &u.email, ut.t("email-reset-subject"), body).await?;
        audit_as(&state, &ctx, &u, "password.reset_requested").await?;
    }
    // Same answer whether or not the address exists: no account enumeration.
    render(&ForgotPage { shell: Shell::new(&ctx, "forgot-title"), error: None, notice: Some(t.t("forgot-sent")) })
}

async fn reset_form(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    if tokens::peek_one_time(&state.db, ctx.jid(), &token, Purpose::PasswordReset).await?.is_none() {
        return expired(&ctx);
    }
    let t = ctx.tr();
    render(&SetPasswordPage {
        shell: Shell::new(&ctx, "reset-title"),
        error: None,
        notice: None,
        heading: t.t("reset-title"),
        intro: t.t("reset-intro"),
        action: format!("/password/reset/{token}"),
        ask_name: false,
        name: String::new(),
    })
}

async fn reset_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let Some(uid) = tokens::peek_one_time(&state.db, ctx.jid(), &token, Purpose::PasswordReset).await? else {
        return expired(&ctx);
    };
    let u = users::by_id(&state.db, ctx.jid(), uid).await?;
    let t = ctx.tr();
    if let Err(e) = check_password(&f.new_password, &[&u.email, &u.name]) {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetPasswordPage {
                shell: Shell::new(&ctx, "reset-title"),
                error: Some(password_error_text(&t, &e)),
                notice: None,
                heading: t.t("reset-title"),
                intro: t.t("reset-intro"),
                action: format!("/password/reset/{token}"),
                ask_name: false,
                name: String::new(),
            },
        );
    }
    if tokens::consume_one_time(&state.db, ctx.jid(), &token, Purpose::PasswordReset).await?.is_none() {
        return expired(&ctx);
    }
    users::update(&state.db, ctx.jid(), uid, Change::PasswordHash(password::hash(&f.new_password))).await?;
    users::update(&state.db, ctx.jid(), uid, Change::LockedUntil(None)).await?;
    sessions::delete_for_user(&state.db, ctx.jid(), uid).await?;
    // Whoever reset the password may not be the one who made the tokens: they go too.
    tokens::revoke_all_for_user(&state.db, ctx.jid(), uid).await?;
    audit_as(&state, &ctx, &u, "password.reset").await?;
    render(&MessagePage {
        shell: Shell::new(&ctx, "reset-title"),
        heading: t.t("reset-done-title"),
        message: t.t("reset-done"),
        kind: "success",
        link: Some(("/login".into(), t.t("nav-sign-in"))),
    })
}
