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
        .route("/account/profile", super::guarded(post(save_profile)))
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
    about: Option<About>,
}

/// A choice in a form: (value, label, selected).
pub type Choice = (String, String, bool);

/// The optional, private self-description form (community members).
pub struct About {
    /// (id, label, checked) per stakeholder type.
    pub stakeholders: Vec<Choice>,
    /// Per dimension: (id, label, options).
    pub dims: Vec<(String, String, Vec<Choice>)>,
}

async fn about(state: &AppState, ctx: &Ctx, user_id: i64) -> AppResult<About> {
    let t = ctx.tr();
    let p = commonbeat_store::repo::members::profile(&state.db, ctx.jid(), user_id).await?;
    let types: Vec<String> =
        p.as_ref().map(|p| p.stakeholder_types.split(',').map(String::from).collect()).unwrap_or_default();
    let answers: std::collections::BTreeMap<String, String> =
        p.as_ref().and_then(|p| serde_json::from_str(&p.demographics).ok()).unwrap_or_default();
    Ok(About {
        stakeholders: commonbeat_domain::partnership::STAKEHOLDER_TYPES
            .iter()
            .map(|s| (s.to_string(), t.t(&format!("stakeholder-{s}")), types.iter().any(|x| x == s)))
            .collect(),
        dims: commonbeat_domain::census::Dimension::ALL
            .iter()
            .map(|d| {
                let chosen = answers.get(d.as_str()).cloned().unwrap_or_default();
                let opts = d
                    .categories()
                    .iter()
                    .map(|c| {
                        (c.to_string(), super::partnerships::view::category_label(&t, d.as_str(), c), chosen == *c)
                    })
                    .collect();
                (d.as_str().to_string(), t.t(&format!("dim-{}", d.as_str())), opts)
            })
            .collect(),
    })
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
        about: if u.role == "community" { Some(about(state, ctx, u.id).await?) } else { None },
    })
}

async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let mut types = Vec::new();
    let mut answers = std::collections::BTreeMap::new();
    for (k, v) in pairs {
        if k == "stakeholder" {
            if commonbeat_domain::partnership::STAKEHOLDER_TYPES.contains(&v.as_str()) && !types.contains(&v) {
                types.push(v);
            } else {
                return Err(AppError::invalid("stakeholder", format!("unknown stakeholder type {v:?}")));
            }
        } else if let Some(dim) = k.strip_prefix("dim_") {
            let d = commonbeat_domain::census::Dimension::parse(dim)
                .ok_or_else(|| AppError::invalid(&k, "unknown question"))?;
            if v.is_empty() {
                continue;
            }
            if !d.is_category(&v) {
                return Err(AppError::invalid(&k, format!("unknown answer {v:?}")));
            }
            answers.insert(d.as_str().to_string(), v);
        }
    }
    commonbeat_store::repo::members::save_profile(
        &state.db,
        ctx.jid(),
        u.id,
        &types.join(","),
        &serde_json::to_string(&answers).unwrap_or_default(),
    )
    .await?;
    // The answers themselves are never written to the audit log.
    ctx.audit(&state, "profile.update", &format!("user:{}", u.id), "success", json!({})).await?;
    let t = ctx.tr();
    render(&page(&state, &ctx, None, Some(t.t("about-saved")), None).await?)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> AppResult<Response> {
    // Only known notices are shown (no reflected text).
    let notice = q.notice.filter(|n| n == "password-changed").map(|n| ctx.tr().t(&n));
    render(&page(&state, &ctx, None, notice, None).await?)
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
    let _ = t;
    // Redirect rather than render: the page must carry the new session's CSRF token.
    let mut resp = axum::response::IntoResponse::into_response(Redirect::to("/account?notice=password-changed"));
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
