//! Announcements of a partnership (co-chairs post; members are notified by their preference), and the summary
//! of meetings, promises and news shown on the partnership page.

use super::commitments::{self as commitments_routes, kept_rate, visible_to};
use super::guarded;
use super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use commonbeat_domain::Side;
use commonbeat_store::repo::{commitments, meetings};
use serde::Deserialize;
use serde_json::json;

/// Announcement routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/partnerships/{slug}/announcements", guarded(post(create)))
}

/// What the partnership page shows about meetings, promises and news.
pub struct Summary {
    /// The next meeting: id, title, when.
    pub next_meeting: Option<(i64, String, String)>,
    /// The promises-kept sentence (empty when nothing fell due).
    pub rate: String,
    /// Newest announcements: title, safe HTML body, when.
    pub items: Vec<(String, String, String)>,
}

/// Builds the summary for the partnership page.
pub async fn summary(state: &AppState, ctx: &Ctx, a: &Access) -> AppResult<Summary> {
    let t = ctx.tr();
    let tz = &ctx.jurisdiction.time_zone;
    let now = commonbeat_store::now();
    let next = meetings::upcoming(&state.db, ctx.jid(), &[a.partnership.id], now, 5)
        .await?
        .into_iter()
        .find(|m| m.status == "scheduled")
        .map(|m| (m.id, m.title, crate::timefmt::format_datetime(m.starts_at, tz, ctx.locale)));
    let all = commitments::for_partnership(&state.db, ctx.jid(), a.partnership.id).await?;
    let facts: Vec<_> = all.iter().filter(|c| visible_to(a, c)).filter_map(commitments_routes::facts).collect();
    let today = commitments_routes::today(tz);
    let pct = |side| kept_rate(&facts, Some(side), today).rate.map(|r| format!("{:.0} %", r * 100.0));
    let rate = match (pct(Side::Police), pct(Side::Community)) {
        (None, None) => String::new(),
        (p, c) => t.t2(
            "talk-rate",
            ("police", &p.unwrap_or_else(|| "—".into())),
            ("community", &c.unwrap_or_else(|| "—".into())),
        ),
    };
    let items = commitments::announcements(&state.db, ctx.jid(), a.partnership.id, a.sees_members(), 3)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.title,
                commonbeat_domain::text::render(&n.body, &[]),
                crate::timefmt::format_datetime(n.created_at, tz, ctx.locale),
            )
        })
        .collect();
    Ok(Summary { next_meeting: next, rate, items })
}

#[derive(Deserialize)]
struct AnnouncementForm {
    title: String,
    body: String,
    private: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<AnnouncementForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let (title, body) = (f.title.trim(), f.body.trim());
    if title.chars().count() < 3 || title.chars().count() > 200 {
        return Err(crate::error::AppError::invalid("title", ctx.tr().t("announcement-error-title")));
    }
    if body.is_empty() || body.chars().count() > 10_000 {
        return Err(crate::error::AppError::invalid("body", ctx.tr().t("announcement-error-body")));
    }
    let n = commitments::announce(
        &state.db,
        ctx.jid(),
        a.partnership.id,
        title,
        body,
        f.private.is_none(),
        ctx.user.as_ref().map(|u| u.id),
    )
    .await?;
    let people = super::meetings::service::invitees(&state, ctx.jid(), a.partnership.id).await?;
    let link = format!("{}/partnerships/{slug}", state.config.public_url);
    let pname = a.partnership.name.clone();
    let sent = notify::notify(&state, ctx.jid(), &people, "announcements", |tr: &Tr, _| Letter {
        subject: tr.t2("email-announcement-subject", ("partnership", &pname), ("title", title)),
        text: format!("{body}\n\n{link}\n"),
        calendar: None,
    })
    .await?;
    ctx.audit(&state, "announcement.create", &format!("announcement:{}", n.id), "success", json!({"notified": sent}))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}#talk-h")).into_response())
}
