//! Sign-in with password, the MFA challenge, MFA enrolment and sign-out.
//!
//! Flow: a correct password for an account that needs MFA gives a *pending* session (new id) that can only reach
//! the challenge or enrolment page; a correct code gives a full session (new id again). Five failures (password
//! or code) within 15 minutes lock the account for 15 minutes.

use super::pages::{Shell, render, render_status};
use super::safe_next;
use crate::AppState;
use crate::auth::{password, totp};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::middleware::{SESSION_COOKIE, rate_limit, set_cookie};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::Email;
use commonbeat_store::entities::user;
use commonbeat_store::now;
use commonbeat_store::repo::throttle::{self, LOCK_WINDOW_SECS, MAX_FAILURES};
use commonbeat_store::repo::users::{self, Change, role_of};
use commonbeat_store::repo::{sessions, tokens};
use serde::Deserialize;
use serde_json::json;

/// Sign-in routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", super::guarded(get(login_form).post(login)))
        .route("/login/mfa", super::guarded(get(mfa_form).post(mfa_submit)))
        .route("/mfa/setup", super::guarded(get(setup_form).post(setup_submit)))
        .route("/logout", super::guarded(post(logout)))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    email: String,
    next: String,
    demo_accounts: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn demo_accounts(state: &AppState, ctx: &Ctx) -> Vec<(String, String, String)> {
    if !state.config.demo_mode {
        return Vec::new();
    }
    let t = ctx.tr();
    let Ok(Some(raw)) = commonbeat_store::repo::settings::get(&state.db, ctx.jid(), "demo.accounts").await else {
        return Vec::new();
    };
    serde_json::from_str::<Vec<(String, String, String)>>(&raw)
        .unwrap_or_default()
        .into_iter()
        .map(|(role, email, pw)| (t.t(&format!("role-{role}")), email, pw))
        .collect()
}

async fn login_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    error: Option<String>,
    email: &str,
    next: &str,
) -> AppResult<Response> {
    let page = LoginPage {
        shell: Shell::new(ctx, "login-title"),
        error,
        notice: None,
        email: email.to_string(),
        next: next.to_string(),
        demo_accounts: demo_accounts(state, ctx).await,
    };
    render_status(status, &page)
}

async fn login_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    login_page(&state, &ctx, StatusCode::OK, None, "", q.next.as_deref().unwrap_or("")).await
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Starts a new session (always a new id) and returns the cookie header; the old session, if any, ends.
async fn start_session(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    mfa_pending: bool,
) -> AppResult<axum::http::HeaderValue> {
    Ok(start_session_with_csrf(state, ctx, user_id, mfa_pending).await?.0)
}

/// Like [`start_session`], also returning the new session's CSRF token for a page rendered in the same response.
async fn start_session_with_csrf(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    mfa_pending: bool,
) -> AppResult<(axum::http::HeaderValue, String)> {
    if let Some(old) = &ctx.session {
        sessions::delete(&state.db, old.id).await?;
    }
    let (token, m) = sessions::create(&state.db, ctx.jid(), Some(user_id), mfa_pending, &ctx.source).await?;
    Ok((set_cookie(state, SESSION_COOKIE, &token, None), m.csrf_token))
}

/// Counts a failure for the account and locks it at the fifth within 15 minutes.
async fn register_failure(
    state: &AppState,
    ctx: &Ctx,
    u: Option<&user::Model>,
    email: &str,
    why: &str,
) -> AppResult<()> {
    // Attempts against an already locked account are audited but do not extend the lock, so nobody can keep
    // someone else's account locked by trying once every 15 minutes.
    let n = if u.is_some_and(is_locked) {
        0
    } else {
        throttle::record_failure(&state.db, ctx.jid(), u.map(|u| u.id), email, &ctx.source).await?
    };
    let mut details = json!({"email": email, "reason": why, "failures": n});
    if let Some(u) = u
        && n >= MAX_FAILURES
    {
        users::update(&state.db, ctx.jid(), u.id, Change::LockedUntil(Some(now() + LOCK_WINDOW_SECS))).await?;
        details["locked"] = true.into();
    }
    let (actor_id, actor) = match u {
        Some(u) => (Some(u.id), u.email.clone()),
        None => (None, email.to_string()),
    };
    commonbeat_store::repo::audit::append(
        &state.db,
        ctx.jid(),
        commonbeat_store::repo::audit::AuditEvent {
            actor_id,
            actor,
            action: "login".into(),
            object: u.map_or_else(|| "user:unknown".into(), |u| format!("user:{}", u.id)),
            outcome: "failure".into(),
            source: ctx.source.clone(),
            details: details.to_string(),
        },
    )
    .await?;
    Ok(())
}

fn is_locked(u: &user::Model) -> bool {
    u.locked_until.is_some_and(|t| t > now())
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> AppResult<Response> {
    rate_limit(&state, &format!("login:{}:{}", ctx.jid(), ctx.source), 30, 300).await?;
    let t = ctx.tr();
    let next = f.next.clone().unwrap_or_default();
    let Ok(email) = Email::parse(&f.email) else {
        return login_page(
            &state,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.t("login-bad-email")),
            &f.email,
            &next,
        )
        .await;
    };
    let found = users::by_email(&state.db, ctx.jid(), &email).await?.filter(|u| !u.disabled);
    let Some(u) = found else {
        password::verify_dummy(&f.password);
        register_failure(&state, &ctx, None, email.as_str(), "unknown account").await?;
        return login_page(&state, &ctx, StatusCode::UNAUTHORIZED, Some(t.t("login-failed")), email.as_str(), &next)
            .await;
    };
    // Same work and the same answer whether the account is locked, invited (no password yet) or the password is
    // wrong, so none of those can be told apart; the lock is revealed only to someone who knows the password.
    let ok = match u.password_hash.as_deref() {
        Some(h) => password::verify(&f.password, h),
        None => {
            password::verify_dummy(&f.password);
            false
        }
    };
    if is_locked(&u) {
        register_failure(&state, &ctx, Some(&u), email.as_str(), "locked").await?;
        let (status, msg) = if ok {
            (StatusCode::TOO_MANY_REQUESTS, "login-locked")
        } else {
            (StatusCode::UNAUTHORIZED, "login-failed")
        };
        return login_page(&state, &ctx, status, Some(t.t(msg)), email.as_str(), &next).await;
    }
    if !ok {
        register_failure(&state, &ctx, Some(&u), email.as_str(), "wrong password").await?;
        return login_page(&state, &ctx, StatusCode::UNAUTHORIZED, Some(t.t("login-failed")), email.as_str(), &next)
            .await;
    }
    let needs_mfa = role_of(&u).requires_mfa();
    let cookie = start_session(&state, &ctx, u.id, needs_mfa).await?;
    let next_q = serde_urlencoded::to_string([("next", safe_next(Some(&next)))]).unwrap_or_default();
    let target = if !needs_mfa {
        throttle::clear_failures(&state.db, ctx.jid(), email.as_str()).await?;
        let mut c = ctx.clone();
        c.user = Some(u.clone());
        c.audit(&state, "login", &format!("user:{}", u.id), "success", json!({"mfa": false})).await?;
        safe_next(Some(&next))
    } else if u.mfa_enabled {
        format!("/login/mfa?{next_q}")
    } else {
        format!("/mfa/setup?{next_q}")
    };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    next: String,
    demo_code: Option<String>,
}

fn demo_code(state: &AppState, u: &user::Model) -> Option<String> {
    if !state.config.demo_mode {
        return None;
    }
    u.totp_secret.as_deref().and_then(totp::current_code)
}

fn pending(ctx: &Ctx) -> AppResult<&user::Model> {
    ctx.pending_user.as_ref().ok_or(AppError::Unauthenticated)
}

async fn mfa_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    let u = pending(&ctx)?;
    if !u.mfa_enabled {
        return Ok(Redirect::to("/mfa/setup").into_response());
    }
    render(&MfaPage {
        shell: Shell::new(&ctx, "mfa-title"),
        error: None,
        notice: None,
        next: q.next.unwrap_or_default(),
        demo_code: demo_code(&state, u),
    })
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    next: Option<String>,
}

async fn mfa_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CodeForm>) -> AppResult<Response> {
    rate_limit(&state, &format!("mfa:{}:{}", ctx.jid(), ctx.source), 30, 300).await?;
    let u = pending(&ctx)?.clone();
    let t = ctx.tr();
    if is_locked(&u) {
        return Err(AppError::RateLimited(LOCK_WINDOW_SECS));
    }
    let secret = u.totp_secret.clone().unwrap_or_default();
    let code = f.code.trim();
    let step = if u.mfa_enabled { totp::matching_step(&secret, code, now() as u64) } else { None };
    // A code counts once: its time step is claimed atomically, so a replayed code fails.
    let by_totp = match step {
        Some(step) => users::claim_totp_step(&state.db, ctx.jid(), u.id, step).await?,
        None => false,
    };
    let by_recovery = !by_totp
        && code.len() >= 12
        && tokens::use_recovery_code(&state.db, ctx.jid(), u.id, &totp::recovery_code_hash(code)).await?;
    if !(by_totp || by_recovery) {
        register_failure(&state, &ctx, Some(&u), &u.email, "wrong MFA code").await?;
        let page = MfaPage {
            shell: Shell::new(&ctx, "mfa-title"),
            error: Some(t.t("mfa-failed")),
            notice: None,
            next: f.next.unwrap_or_default(),
            demo_code: demo_code(&state, &u),
        };
        return render_status(StatusCode::UNAUTHORIZED, &page);
    }
    throttle::clear_failures(&state.db, ctx.jid(), &u.email).await?;
    let cookie = start_session(&state, &ctx, u.id, false).await?;
    let mut c = ctx.clone();
    c.user = Some(u.clone());
    c.audit(
        &state,
        "login",
        &format!("user:{}", u.id),
        "success",
        json!({"mfa": if by_totp {"totp"} else {"recovery_code"}}),
    )
    .await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(f.next.as_deref()))).into_response())
}

#[derive(Template)]
#[template(path = "mfa_setup.html")]
struct SetupPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    qr_svg: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "mfa_codes.html")]
struct CodesPage {
    shell: Shell,
    codes: Vec<String>,
    next: String,
}

/// The user enrolling: a pending user (first sign-in of a police or admin account), or a signed-in user adding MFA.
fn enrolling(ctx: &Ctx) -> AppResult<&user::Model> {
    ctx.pending_user.as_ref().or(ctx.user.as_ref()).ok_or(AppError::Unauthenticated)
}

fn setup_page(ctx: &Ctx, u: &user::Model, secret: &str, error: Option<String>) -> AppResult<SetupPage> {
    let url = totp::otpauth_url(secret, &u.email, &format!("CommonBeat {}", ctx.jurisdiction.name))
        .ok_or_else(|| AppError::Internal("otpauth url".into()))?;
    let svg = totp::qr_svg(&url).ok_or_else(|| AppError::Internal("qr".into()))?;
    let svg = svg.split_once("?>").map_or(svg.as_str(), |(_, rest)| rest).trim().replacen(
        "<svg",
        "<svg aria-hidden=\"true\" focusable=\"false\"",
        1,
    );
    Ok(SetupPage {
        shell: Shell::new(ctx, "mfa-setup-title"),
        error,
        notice: None,
        qr_svg: svg,
        secret: secret.to_string(),
    })
}

async fn setup_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let u = enrolling(&ctx)?;
    if u.mfa_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    // Keep the secret shown until it is confirmed, so reloading the page does not invalidate a scanned code.
    let secret = match &u.totp_secret {
        Some(s) => s.clone(),
        None => {
            let s = totp::new_secret();
            users::update(&state.db, ctx.jid(), u.id, Change::Totp(Some(s.clone()), false)).await?;
            s
        }
    };
    render(&setup_page(&ctx, u, &secret, None)?)
}

async fn setup_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let u = enrolling(&ctx)?.clone();
    if u.mfa_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    let secret = u.totp_secret.clone().ok_or_else(|| AppError::invalid("code", "start enrolment first"))?;
    let step = totp::matching_step(&secret, &f.code, now() as u64);
    if step.is_none() {
        let t = ctx.tr();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&ctx, &u, &secret, Some(t.t("mfa-failed")))?,
        );
    }
    users::update(&state.db, ctx.jid(), u.id, Change::Totp(Some(secret), true)).await?;
    if let Some(step) = step {
        users::claim_totp_step(&state.db, ctx.jid(), u.id, step).await?;
    }
    let (codes, hashes) = totp::new_recovery_codes();
    tokens::replace_recovery_codes(&state.db, ctx.jid(), u.id, &hashes).await?;
    let (cookie, new_csrf) = start_session_with_csrf(&state, &ctx, u.id, false).await?;
    let mut c = ctx.clone();
    c.user = Some(u.clone());
    c.audit(&state, "mfa.enrol", &format!("user:{}", u.id), "success", json!({})).await?;
    c.audit(&state, "login", &format!("user:{}", u.id), "success", json!({"mfa": "enrolment"})).await?;
    let mut shell = Shell::new(&c, "mfa-codes-title");
    shell.signed_in = true;
    shell.user_name = Some(u.name.clone());
    shell.csrf = new_csrf;
    let next = safe_next(q.next.as_deref().or(f.next.as_deref()));
    let page = CodesPage { shell, codes, next };
    let mut resp = render(&page)?;
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        sessions::delete(&state.db, s.id).await?;
        if ctx.user.is_some() || ctx.pending_user.is_some() {
            ctx.audit(&state, "logout", "session", "success", json!({})).await?;
        }
    }
    Ok(([(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", Some(0)))], Redirect::to("/")).into_response())
}
