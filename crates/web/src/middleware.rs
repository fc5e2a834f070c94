//! Request middleware: security headers, the request context, CSRF, rate limits and error pages.

use crate::app::AppState;
use crate::context::Ctx;
use crate::error::{AppError, ErrorInfo};
use crate::routes::pages::render_error;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use commonbeat_domain::Locale;
use commonbeat_store::repo::{jurisdictions, sessions, throttle, tokens, users};
use commonbeat_store::secrets::new_token;
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cb_session";
/// Name of the anonymous CSRF cookie (double-submit, before sign-in).
pub const CSRF_COOKIE: &str = "cb_csrf";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "cb_lang";
/// Largest request body accepted (2 MiB); uploads get their own limits.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Largest upload accepted on [`UPLOAD_PATHS`] (incident files).
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;
/// Paths that accept large uploads.
pub const UPLOAD_PATHS: &[&str] = &["/crime/imports"];
/// Paths whose multipart form carries a photo (report form): [`PHOTO_FORM_LIMIT`], CSRF token in the action URL.
pub const PHOTO_PATHS: &[&str] = &["/reports"];
/// Largest body accepted on [`PHOTO_PATHS`]: the 5 MiB photo cap plus the form's other fields.
pub const PHOTO_FORM_LIMIT: usize = 5 * 1024 * 1024 + 256 * 1024;

/// Limits every request body: [`BODY_LIMIT`], or [`UPLOAD_LIMIT`] on the upload paths. A body over the limit is
/// refused with 413 before it is read (declared length) or as soon as it passes the limit (streamed).
pub async fn body_limit(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limit = if UPLOAD_PATHS.contains(&path) {
        UPLOAD_LIMIT
    } else if PHOTO_PATHS.contains(&path) {
        PHOTO_FORM_LIMIT
    } else {
        BODY_LIMIT
    };
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    let (parts, body) = req.into_parts();
    next.run(Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// The `Content-Security-Policy`: no inline script or style, nothing from other origins, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Marks a response other sites may show in a frame (the embeddable transparency view only): its CSP allows any
/// `frame-ancestors` and it carries no `X-Frame-Options`; every other directive stays.
#[derive(Debug, Clone, Copy)]
pub struct Embeddable;

/// Adds the security headers to every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let embeddable = resp.extensions().get::<Embeddable>().is_some();
    let h = resp.headers_mut();
    let mut csp = match state.config.tile_origin() {
        // Map tiles, when configured, are the only thing loaded from another origin.
        Some(origin) => CSP.replace("img-src 'self' data:", &format!("img-src 'self' data: {origin}")),
        None => CSP.to_string(),
    };
    if embeddable {
        csp = csp.replace("frame-ancestors 'none'", "frame-ancestors *");
    }
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !embeddable {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(self)"));
    if state.config.is_https() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// A `Set-Cookie` value with the project's defaults (HttpOnly, SameSite=Lax, Path=/, Secure under https).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn query_param(uri: &axum::http::Uri, key: &str) -> Option<String> {
    let q = uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok()?.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn source_of(req: &Request) -> String {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map_or_else(|| "unknown".into(), |c| c.0.ip().to_string())
}

/// Builds the [`Ctx`] (jurisdiction, language, session or API token, user, CSRF token) and sets the cookies it
/// needs on the way out.
pub async fn load_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let source = source_of(&req);
    let headers = req.headers().clone();
    let uri = req.uri().clone();
    match build_context(&state, &headers, &uri, source).await {
        Ok((ctx, set_cookies)) => {
            req.extensions_mut().insert(ctx);
            let mut resp = next.run(req).await;
            for c in set_cookies {
                resp.headers_mut().append(header::SET_COOKIE, c);
            }
            resp
        }
        Err(resp) => resp,
    }
}

async fn build_context(
    state: &AppState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    source: String,
) -> Result<(Ctx, Vec<HeaderValue>), Response> {
    let internal = |e: commonbeat_store::StoreError| {
        tracing::error!(error = %e, "context");
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let Some(jurisdiction) = jurisdictions::for_host(&state.db, host).await.map_err(internal)? else {
        return Err((StatusCode::NOT_FOUND, "no CommonBeat site at this host name").into_response());
    };
    let jid = jurisdiction.id;
    let mut set_cookies = Vec::new();

    let mut session = None;
    let mut user = None;
    let mut pending_user = None;
    let mut via_token = false;
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").unwrap_or("").trim();
        let found = tokens::find_api_token(&state.db, jid, token).await.map_err(internal)?;
        let u = match found {
            // A token is never a way around MFA: police and admin tokens work only once MFA is enrolled.
            Some(t) => users::by_id(&state.db, jid, t.user_id)
                .await
                .ok()
                .filter(|u| !u.disabled && (u.mfa_enabled || !users::role_of(u).requires_mfa())),
            None => None,
        };
        match u {
            Some(u) => {
                user = Some(u);
                via_token = true;
            }
            None => {
                return Err((
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    axum::Json(serde_json::json!({"error": "invalid or revoked API token"})),
                )
                    .into_response());
            }
        }
    } else if let Some(tok) = cookie(headers, SESSION_COOKIE) {
        match sessions::find_live(&state.db, jid, &tok).await.map_err(internal)? {
            Some(s) => {
                if let Some(uid) = s.user_id {
                    match users::by_id(&state.db, jid, uid).await.ok().filter(|u| !u.disabled) {
                        Some(u) if s.mfa_pending => pending_user = Some(u),
                        Some(u) => user = Some(u),
                        None => {}
                    }
                }
                session = Some(s);
            }
            None => set_cookies.push(set_cookie(state, SESSION_COOKIE, "", Some(0))),
        }
    }

    let from_query = query_param(uri, "lang").and_then(|l| Locale::from_tag(&l));
    if let Some(l) = from_query {
        set_cookies.push(set_cookie(state, LANG_COOKIE, l.tag(), Some(365 * 86_400)));
    }
    let locale = from_query
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(|l| Locale::from_tag(&l)))
        .or_else(|| user.as_ref().and_then(|u| Locale::from_tag(&u.locale)))
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();

    let csrf = match &session {
        Some(s) => s.csrf_token.clone(),
        None => match cookie(headers, CSRF_COOKIE).filter(|c| c.len() >= 32) {
            Some(c) => c,
            None => {
                let c = new_token();
                set_cookies.push(set_cookie(state, CSRF_COOKIE, &c, None));
                c
            }
        },
    };
    let path = uri.path_and_query().map_or_else(|| "/".into(), |p| p.as_str().to_string());
    Ok((Ctx { jurisdiction, locale, session, user, pending_user, via_token, source, csrf, path }, set_cookies))
}

/// Refuses state-changing requests (POST, PUT, PATCH, DELETE) without the right CSRF token, given as the form
/// field `csrf_token` or the `X-CSRF-Token` header. Requests authenticated by a bearer token carry no cookies and
/// are exempt.
pub async fn csrf_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return AppError::Internal("no context".into()).into_response();
    };
    if ctx.via_token {
        return checked(next.run(req).await);
    }
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_eq(h, &ctx.csrf) { checked(next.run(req).await) } else { AppError::Csrf.into_response() };
    }
    // File uploads are multipart and too large to buffer for a form field: their form carries the token in the
    // action URL instead (same session-bound token; the page is same-origin and sends no Referer elsewhere).
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart && (UPLOAD_PATHS.contains(&req.uri().path()) || PHOTO_PATHS.contains(&req.uri().path())) {
        let token = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v));
        return match token {
            Some(t) if constant_eq(&t, &ctx.csrf) => checked(next.run(req).await),
            _ => AppError::Csrf.into_response(),
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return AppError::Csrf.into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v));
    match token {
        Some(t) if constant_eq(&t, &ctx.csrf) => checked(next.run(Request::from_parts(parts, Body::from(bytes))).await),
        _ => AppError::Csrf.into_response(),
    }
}

/// For routes whose secret URL is the only credential (one-click unsubscribe, RFC 8058): no cookie or session is
/// used, so a forged cross-site request can do nothing the URL's holder could not; mail programs POST without a
/// form token. Marks the response as checked.
pub async fn capability_url(req: Request, next: Next) -> Response {
    checked(next.run(req).await)
}

/// Marks a response as having passed the CSRF guard.
#[derive(Clone, Copy, Debug)]
struct CsrfChecked;

fn checked(mut resp: Response) -> Response {
    resp.extensions_mut().insert(CsrfChecked);
    resp
}

/// Safety net: a state-changing request that succeeded without passing [`csrf_guard`] (a route declared without
/// `routes::guarded`) is turned into a 500 and logged, so the omission cannot ship unnoticed.
pub async fn require_csrf_checked(req: Request, next: Next) -> Response {
    let state_changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    let ok = resp.status().is_success() || resp.status().is_redirection();
    if state_changing && ok && resp.extensions().get::<CsrfChecked>().is_none() {
        return AppError::Internal("state-changing route without CSRF guard".into()).into_response();
    }
    resp
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Turns error responses carrying [`ErrorInfo`] into a localised page (or JSON under `/api`), and sends
/// unauthenticated page requests to the sign-in page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/open311/");
    let resp = next.run(req).await;
    let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() else { return resp };
    let Some(ctx) = ctx else { return resp };
    let status = resp.status();
    let tr = ctx.tr();
    if is_api {
        let message = match &info.field {
            Some(f) => tr.t1(info.key, "field", f),
            None => tr.t(info.key),
        };
        let mut body = serde_json::json!({"error": message});
        if let Some(f) = &info.field {
            body["field"] = f.clone().into();
        }
        if let Some(d) = &info.detail {
            body["detail"] = d.clone().into();
        }
        let mut out = (status, axum::Json(body)).into_response();
        if let Some(ra) = resp.headers().get(header::RETRY_AFTER) {
            out.headers_mut().insert(header::RETRY_AFTER, ra.clone());
        }
        return out;
    }
    if status == StatusCode::UNAUTHORIZED {
        let next = serde_urlencoded::to_string([("next", ctx.path.as_str())]).unwrap_or_default();
        return axum::response::Redirect::to(&format!("/login?{next}")).into_response();
    }
    let mut out = render_error(&ctx, status, &info);
    if let Some(ra) = resp.headers().get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, ra.clone());
    }
    out
}

/// Rate-limits anonymous use of the public API (`/api/`, `/open311/`): 300 requests a minute per address.
/// Signed-in and token-authenticated callers are limited by their own accounts' behaviour, not here.
pub async fn public_api_rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let public_api = path.starts_with("/api/v1/") || path.starts_with("/open311/");
    if public_api
        && let Some(ctx) = req.extensions().get::<Ctx>()
        && ctx.user.is_none()
    {
        let bucket = format!("api:{}:{}", ctx.jid(), ctx.source);
        if let Err(e) = rate_limit(&state, &bucket, 300, 60).await {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// Counts a hit for `bucket` and fails with 429 when more than `limit` fall in the `window_secs` window.
pub async fn rate_limit(state: &AppState, bucket: &str, limit: i64, window_secs: i64) -> Result<(), AppError> {
    let hits = throttle::hit(&state.db, bucket, window_secs).await?;
    if hits > limit { Err(AppError::RateLimited(window_secs)) } else { Ok(()) }
}
