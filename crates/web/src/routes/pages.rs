//! The page shell shared by every HTML page, rendering helpers, the public home page and error pages.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppResult, ErrorInfo};
use crate::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use commonbeat_domain::{Locale, Role};
use commonbeat_store::repo::users::role_of;

/// What the layout (`base.html`) needs: language, title, who is signed in, CSRF token, navigation state.
#[derive(Debug, Clone)]
pub struct Shell {
    /// Translator.
    pub t: Tr,
    /// Page title (already translated).
    pub title: String,
    /// Jurisdiction name.
    pub jurisdiction: String,
    /// Name of the signed-in user.
    pub user_name: Option<String>,
    /// Whether someone is fully signed in.
    pub signed_in: bool,
    /// Whether the user is an administrator.
    pub is_admin: bool,
    /// Whether the user is police or an administrator (analysts: surveys).
    pub is_police: bool,
    /// CSRF token for forms.
    pub csrf: String,
    /// Current path (for highlighting navigation).
    pub current: String,
    /// Link to this page in the other language.
    pub lang_href: String,
    /// The other language's tag.
    pub other_lang: &'static str,
    /// The other language's name, in that language.
    pub other_lang_label: &'static str,
}

impl Shell {
    /// The shell for a page titled by the Fluent key `title_key`.
    pub fn new(ctx: &Ctx, title_key: &str) -> Shell {
        let t = ctx.tr();
        Shell::titled(ctx, t.t(title_key))
    }

    /// The shell for a page with a ready-made title.
    pub fn titled(ctx: &Ctx, title: String) -> Shell {
        let t = ctx.tr();
        let (other, label) = match ctx.locale {
            Locale::En => (Locale::Es, "Español"),
            Locale::Es => (Locale::En, "English"),
        };
        let (path, query) = ctx.path.split_once('?').unwrap_or((ctx.path.as_str(), ""));
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        pairs.retain(|(k, _)| k != "lang");
        pairs.push(("lang".into(), other.tag().into()));
        // Query-only, so the link stays on this page whatever the path looks like.
        let lang_href = format!("?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default());
        Shell {
            t,
            title,
            jurisdiction: ctx.jurisdiction.name.clone(),
            user_name: ctx.user.as_ref().map(|u| u.name.clone()),
            signed_in: ctx.user.is_some() && !ctx.via_token,
            is_admin: ctx.user.as_ref().is_some_and(|u| role_of(u) == Role::Admin),
            is_police: ctx.user.as_ref().is_some_and(|u| matches!(role_of(u), Role::Admin | Role::Police)),
            csrf: ctx.csrf.clone(),
            current: path.to_string(),
            lang_href,
            other_lang: other.tag(),
            other_lang_label: label,
        }
    }
}

/// Renders a template to an HTML response.
pub fn render<T: Template>(tpl: &T) -> AppResult<Response> {
    Ok(Html(tpl.render()?).into_response())
}

/// Renders a template with a status code.
pub fn render_status<T: Template>(status: StatusCode, tpl: &T) -> AppResult<Response> {
    Ok((status, Html(tpl.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shell: Shell,
    heading: String,
    message: String,
    detail: Option<String>,
}

/// An error page for `status`, in the request's language.
pub fn render_error(ctx: &Ctx, status: StatusCode, info: &ErrorInfo) -> Response {
    let t = ctx.tr();
    let message = match &info.field {
        Some(f) => t.t1(info.key, "field", f),
        None => t.t(info.key),
    };
    let page = ErrorPage {
        shell: Shell::titled(ctx, t.t1("error-title", "status", status.as_str())),
        heading: t.t1("error-title", "status", status.as_str()),
        message,
        detail: info.detail.clone(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
/// A page with one message and an optional link.
pub struct MessagePage {
    /// Shell.
    pub shell: Shell,
    /// Heading.
    pub heading: String,
    /// Message.
    pub message: String,
    /// USWDS alert kind: success, info, warning.
    pub kind: &'static str,
    /// Optional (href, label).
    pub link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    goals: Vec<(String, String)>,
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    let t = ctx.tr();
    let goals = ["arrest", "prevent", "solve", "quality"]
        .iter()
        .map(|g| (t.t(&format!("goal-{g}")), t.t(&format!("goal-{g}-text"))))
        .collect();
    render(&HomePage { shell: Shell::new(&ctx, "home-title"), goals })
}

/// Public pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/", super::guarded(get(home)))
}
