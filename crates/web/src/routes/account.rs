//! Account settings: language, password, recovery codes and API tokens. Signed-in users only, their own account.

use super::pages::{Shell, render, render_status};
use crate::AppState;
use crate::auth::{password, totp};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::timefmt::format_datetime;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::{Locale, PasswordError, check_password};
use commonbeat_store::repo::users::{self, Change};
use commonbeat_store::repo::{sessions, tokens};
use serde::Deserialize;
use serde_json::json;

/// Account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", super::guarded(get(show)))
        .route("/account/locale", super::guarded(post(set_locale)))
        .route("/account/password", super::guarded(post(change_password)))
        .route("/account/recovery-codes", super::guarded(post(new_recovery_codes)))
        .route("/account/tokens", super::guarded(post(create_token)))
        .route("/account/tokens/{id}/revoke", super::guarded(post(revoke_token)))
}

/// One API token as listed.
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// Label.
    pub label: String,
    /// First characters, for recognition.
    pub prefix: String,
    /// Created (formatted).
    pub created: String,
    /// Last used (formatted or "never").
    pub last_used: String,
    /// Revoked.
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    name: String,
    email: String,
    role: String,
    locale: String,
    mfa_enabled: bool,
    mfa_status: String,
    recovery_left: String,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

/// The translated message for a refused password.
pub fn password_error_text(t: &Tr, e: &PasswordError) -> String {
    match e {
        PasswordError::TooShort => t.t("password-too-short"),
        PasswordError::TooLong => t.t("password-too-long"),
        PasswordError::TooWeak { .. } => t.t("password-too-weak"),
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    error: Option<String>,
    notice: Option<String>,
    new_token: Option<String>,
) -> AppResult<AccountPage> {
    let u = ctx.require_user()?;
    let t = ctx.tr();
    let tz = &ctx.jurisdiction.time_zone;
    let tokens = tokens::list_api_tokens(&state.db, ctx.jid(), u.id)
        .await?
        .into_iter()
        .map(|k| TokenRow {
            id: k.id,
            label: k.label,
            prefix: k.prefix,
            created: format_datetime(k.created_at, tz, ctx.locale),
            last_used: k.last_used_at.map_or_else(|| t.t("never"), |x| format_datetime(x, tz, ctx.locale)),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let left = tokens::recovery_codes_left(&state.db, ctx.jid(), u.id).await?;
    Ok(AccountPage {
        shell: Shell::new(ctx, "account-title"),
        error,
        notice,
        name: u.name.clone(),
        email: u.email.clone(),
        role: t.t(&format!("role-{}", u.role)),
        locale: u.locale.clone(),
        mfa_enabled: u.mfa_enabled,
        mfa_status: t.t(if u.mfa_enabled { "mfa-on" } else { "mfa-off" }),
        recovery_left: left.to_string(),
        tokens,
        new_token,
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(&page(&state, &ctx, None, None, None).await?)
}

#[derive(Deserialize)]
struct LocaleForm {
    locale: String,
}

async fn set_locale(State(state): State<AppState>, mut ctx: Ctx, Form(f): Form<LocaleForm>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let l = Locale::from_tag(&f.locale).ok_or_else(|| AppError::invalid("locale", "expected en or es"))?;
    users::update(&state.db, ctx.jid(), u.id, Change::Locale(l)).await?;
    ctx.audit(
        &state,
        "user.update",
        &format!("user:{}", u.id),
        "success",
        json!({"field": "locale", "value": l.tag()}),
    )
    .await?;
    ctx.locale = l;
    Ok(axum::response::IntoResponse::into_response((
        [(
            axum::http::header::SET_COOKIE,
            crate::middleware::set_cookie(&state, crate::middleware::LANG_COOKIE, l.tag(), Some(365 * 86_400)),
        )],
        Redirect::to("/account"),
    )))
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn change_password(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PasswordForm>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let t = ctx.tr();
    if !u.password_hash.as_deref().is_some_and(|h| password::verify(&f.current_password, h)) {
        ctx.audit(
            &state,
            "user.password",
            &format!("user:{}", u.id),
            "failure",
            json!({"reason": "current password wrong"}),
        )
        .await?;
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &ctx, Some(t.t("password-current-wrong")), None, None).await?,
        );
    }
    if let Err(e) = check_password(&f.new_password, &[&u.email, &u.name]) {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &ctx, Some(password_error_text(&t, &e)), None, None).await?,
        );
    }
    users::update(&state.db, ctx.jid(), u.id, Change::PasswordHash(password::hash(&f.new_password))).await?;
    // Other sessions of this user end; this one continues.
    let keep = ctx.session.as_ref().map(|s| s.id);
    sessions::delete_for_user(&state.db, ctx.jid(), u.id).await?;
    let mut resp = render(&page(&state, &ctx, None, Some(t.t("password-changed")), None).await?)?;
    if keep.is_some() {
        let (token, _) = sessions::create(&state.db, ctx.jid(), Some(u.id), false, &ctx.source).await?;
        resp.headers_mut().insert(
            axum::http::header::SET_COOKIE,
            crate::middleware::set_cookie(&state, crate::middleware::SESSION_COOKIE, &token, None),
        );
    }
    ctx.audit(&state, "user.password", &format!("user:{}", u.id), "success", json!({})).await?;
    Ok(resp)
}

async fn new_recovery_codes(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    if !u.mfa_enabled {
        return Err(AppError::invalid("mfa", "multi-factor authentication is not enabled"));
    }
    let (codes, hashes) = totp::new_recovery_codes();
    tokens::replace_recovery_codes(&state.db, ctx.jid(), u.id, &hashes).await?;
    ctx.audit(&state, "mfa.recovery_codes", &format!("user:{}", u.id), "success", json!({})).await?;
    #[derive(Template)]
    #[template(path = "mfa_codes.html")]
    struct CodesPage {
        shell: Shell,
        codes: Vec<String>,
        next: String,
    }
    render(&CodesPage { shell: Shell::new(&ctx, "mfa-codes-title"), codes, next: "/account".into() })
}

#[derive(Deserialize)]
struct TokenForm {
    label: String,
}

async fn create_token(State(state): State<AppState>, ctx: Ctx, Form(f): Form<TokenForm>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let label = f.label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        let t = ctx.tr();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &ctx, Some(t.t("tokens-label-invalid")), None, None).await?,
        );
    }
    let (token, rec) = tokens::create_api_token(&state.db, ctx.jid(), u.id, label).await?;
    ctx.audit(&state, "token.create", &format!("api_token:{}", rec.id), "success", json!({"label": label})).await?;
    render(&page(&state, &ctx, None, None, Some(token)).await?)
}

async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    tokens::revoke_api_token(&state.db, ctx.jid(), u.id, id).await?;
    ctx.audit(&state, "token.revoke", &format!("api_token:{id}"), "success", json!({})).await?;
    Ok(axum::response::IntoResponse::into_response(Redirect::to("/account#tokens")))
}
