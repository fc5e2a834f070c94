//! The partnership self-assessment (issue 9, part 3): co-chairs and administrators open a round, every active
//! member is invited (in-app and by their notification preference) and answers once, anonymously; members and
//! administrators see each closed round's scores per dimension and side, the police − community gap sorted by
//! size, and the trend across rounds. Small sides are suppressed (`commonbeat_domain::self_assessment::scoring`).
//!
//! Opening and closing are audited; answering is not: an audit entry with the member and the time, in the same
//! order as the anonymous response rows, would tell whose answers are whose. The participant row is the record.

pub mod api;
pub mod view;

use super::guarded;
use super::pages::{Shell, render_status};
use super::partnerships::access::Access;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::notify::{self, Letter};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commonbeat_domain::self_assessment::{AnswerError, DEFAULT_K, Dimension, ITEMS, items_of, parse_form};
use commonbeat_store::StoreError;
use commonbeat_store::repo::self_assessment as repo;
use serde::Deserialize;
use serde_json::json;
use view::{Row, Scored};

/// Default length of a round, in days.
pub const DEFAULT_DAYS: i64 = 21;

/// Self-assessment routes (pages; the JSON API is in [`api`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partnerships/{slug}/self-assessment", guarded(get(index).post(open)))
        .route("/partnerships/{slug}/self-assessment/{round}", guarded(get(show).post(answer)))
        .route("/partnerships/{slug}/self-assessment/{round}/close", guarded(post(close)))
        .merge(api::router())
}

/// Loads the partnership and requires a member, or a manager (co-chairs, deputies, administrators).
pub async fn member_access(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Access> {
    ctx.require_user()?;
    let a = Access::load(state, ctx, slug).await?;
    if a.sees_members() { Ok(a) } else { Err(AppError::Forbidden) }
}

/// A round as listed.
pub struct RoundLine {
    id: i64,
    number: usize,
    opened: String,
    closes: String,
    open: bool,
    turnout: String,
    can_answer: bool,
}

/// A closed round's results for the trend table.
pub struct TrendLine {
    label: String,
    police: String,
    community: String,
    gap: String,
}

#[derive(Template)]
#[template(path = "self_assessment/index.html")]
struct IndexPage {
    shell: Shell,
    slug: String,
    name: String,
    k: usize,
    manage: bool,
    open_round: Option<RoundLine>,
    rounds: Vec<RoundLine>,
    latest: Option<(String, Vec<Row>)>,
    chart: String,
    trend: Vec<TrendLine>,
    gaps_over_time: Vec<(String, Vec<String>)>,
    closed_labels: Vec<String>,
    default_days: i64,
    error: Option<String>,
    notice: Option<String>,
}

fn round_label(t: &Tr, number: usize) -> String {
    t.t1("sa-round", "number", &number.to_string())
}

fn turnout_text(t: &Tr, s: &Scored) -> String {
    let [pi, pa, ci, ca] = s.turnout;
    t.t2("sa-turnout-police", ("answered", &pa.to_string()), ("invited", &pi.to_string()))
        + " · "
        + &t.t2("sa-turnout-community", ("answered", &ca.to_string()), ("invited", &ci.to_string()))
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let tz = &ctx.jurisdiction.time_zone;
    let scored = view::load(state, ctx, a).await?;
    let me = ctx.user.as_ref().map(|u| u.id);
    let mut rounds = Vec::new();
    for (i, s) in scored.iter().enumerate() {
        let can_answer = match (s.open, me) {
            (true, Some(uid)) => {
                repo::participant(&state.db, ctx.jid(), s.round.id, uid).await?.is_some_and(|p| !p.answered)
            }
            _ => false,
        };
        rounds.push(RoundLine {
            id: s.round.id,
            number: i + 1,
            opened: crate::timefmt::format_datetime(s.round.opens_at, tz, ctx.locale),
            closes: crate::timefmt::format_datetime(s.round.closed_at.unwrap_or(s.round.closes_at), tz, ctx.locale),
            open: s.open,
            turnout: turnout_text(&t, s),
            can_answer,
        });
    }
    let open_round = rounds.iter().find(|r| r.open).map(|r| RoundLine {
        id: r.id,
        number: r.number,
        opened: r.opened.clone(),
        closes: r.closes.clone(),
        open: true,
        turnout: r.turnout.clone(),
        can_answer: r.can_answer,
    });
    let closed: Vec<(String, &commonbeat_domain::self_assessment::RoundResult)> =
        scored.iter().enumerate().filter_map(|(i, s)| s.result.as_ref().map(|r| (round_label(&t, i + 1), r))).collect();
    let latest = closed.last().map(|(l, r)| (l.clone(), view::disagreement_rows(&t, r)));
    let trend = closed
        .iter()
        .map(|(l, r)| {
            let row = view::row(&t, &r.overall);
            TrendLine { label: l.clone(), police: row.police, community: row.community, gap: row.gap }
        })
        .collect();
    let gaps_over_time = Dimension::ALL
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                t.t(&format!("sa-dim-{}", d.as_str())),
                closed.iter().map(|(_, r)| view::row(&t, &r.dimensions[i]).gap).collect(),
            )
        })
        .collect();
    let p = IndexPage {
        shell: Shell::titled(ctx, t.t1("sa-title", "partnership", &a.partnership.name)),
        slug: a.partnership.slug.clone(),
        name: a.partnership.name.clone(),
        k: DEFAULT_K,
        manage: a.can_manage(),
        open_round,
        rounds,
        chart: view::trend_chart(&t, &closed),
        closed_labels: closed.iter().map(|(l, _)| l.clone()).collect(),
        latest,
        trend,
        gaps_over_time,
        default_days: DEFAULT_DAYS,
        error,
        notice: None,
    };
    render_status(status, &p)
}

async fn index(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let a = member_access(&state, &ctx, &slug).await?;
    page(&state, &ctx, &a, StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct OpenForm {
    days: Option<String>,
}

async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<OpenForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let days = match f.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_DAYS,
        Some(s) => match s.parse::<i64>() {
            Ok(d) if (3..=90).contains(&d) => d,
            _ => return page(&state, &ctx, &a, StatusCode::UNPROCESSABLE_ENTITY, Some(t.t("sa-error-days"))).await,
        },
    };
    let now = commonbeat_store::now();
    let by = ctx.user.as_ref().map(|u| u.id);
    let r = match repo::open_round(&state.db, ctx.jid(), a.partnership.id, now, now + days * 86_400, by).await {
        Ok(r) => r,
        Err(StoreError::Conflict { .. }) => {
            return page(&state, &ctx, &a, StatusCode::CONFLICT, Some(t.t("sa-error-running"))).await;
        }
        Err(e) => return Err(e.into()),
    };
    let people = super::meetings::service::invitees(&state, ctx.jid(), a.partnership.id).await?;
    let link = format!("{}/partnerships/{slug}/self-assessment/{}", state.config.public_url, r.id);
    let pname = a.partnership.name.clone();
    let tz = ctx.jurisdiction.time_zone.clone();
    let sent = notify::notify(&state, ctx.jid(), &people, "announcements", |tr: &Tr, u| Letter {
        subject: tr.t1("sa-email-subject", "partnership", &pname),
        text: format!(
            "{}\n\n{link}\n",
            tr.t1(
                "sa-email-body",
                "closes",
                &crate::timefmt::format_datetime(
                    r.closes_at,
                    &tz,
                    commonbeat_domain::Locale::from_tag(&u.locale).unwrap_or_default()
                )
            )
        ),
        calendar: None,
    })
    .await?;
    ctx.audit(
        &state,
        "self_assessment.open",
        &format!("self_assessment_round:{}", r.id),
        "success",
        json!({"partnership": a.partnership.id, "closes_at": r.closes_at, "notified": sent}),
    )
    .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/self-assessment")).into_response())
}

async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, round_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let r = repo::round(&state.db, ctx.jid(), a.partnership.id, round_id).await?;
    if !repo::close(&state.db, ctx.jid(), r.id, commonbeat_store::now()).await? {
        return Err(AppError::Conflict { field: "round".into() });
    }
    ctx.audit(&state, "self_assessment.close", &format!("self_assessment_round:{}", r.id), "success", json!({}))
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{slug}/self-assessment/{}", r.id)).into_response())
}

/// One statement on the form.
pub struct FormItem {
    id: &'static str,
    text: &'static str,
    chosen: u8,
}

#[derive(Template)]
#[template(path = "self_assessment/round.html")]
struct RoundPage {
    shell: Shell,
    slug: String,
    name: String,
    round_id: i64,
    k: usize,
    /// open and may answer / answered / not invited / closed
    state: &'static str,
    closes: String,
    sections: Vec<(String, Vec<FormItem>)>,
    comment: String,
    rows: Vec<Row>,
    comments: Vec<String>,
    turnout: String,
    manage: bool,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct ShowQuery {
    answered: Option<String>,
}

async fn round_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    round_id: i64,
    filled: Option<(&commonbeat_domain::self_assessment::Answers, &str)>,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let scored = view::load(state, ctx, a).await?;
    let (idx, s) = scored.iter().enumerate().find(|(_, s)| s.round.id == round_id).ok_or(AppError::NotFound)?;
    let me = ctx.require_user()?.id;
    let part = repo::participant(&state.db, ctx.jid(), round_id, me).await?;
    let st = match (&s.result, &part) {
        (Some(_), _) => "closed",
        (None, Some(p)) if !p.answered => "form",
        (None, Some(_)) => "answered",
        (None, None) => "not_invited",
    };
    let sections = Dimension::ALL
        .iter()
        .map(|d| {
            let items = items_of(*d)
                .map(|i| FormItem {
                    id: i.id,
                    text: i.text(ctx.locale),
                    chosen: filled.and_then(|(ans, _)| ans.get(i.id).copied()).unwrap_or(0),
                })
                .collect();
            (t.t(&format!("sa-dim-{}", d.as_str())), items)
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let label = round_label(&t, idx + 1);
    let p = RoundPage {
        shell: Shell::titled(ctx, format!("{} — {}", t.t("sa-heading"), label)),
        slug: a.partnership.slug.clone(),
        name: a.partnership.name.clone(),
        round_id,
        k: DEFAULT_K,
        state: st,
        closes: crate::timefmt::format_datetime(
            s.round.closed_at.unwrap_or(s.round.closes_at),
            &ctx.jurisdiction.time_zone,
            ctx.locale,
        ),
        sections,
        comment: filled.map(|(_, c)| c.to_string()).unwrap_or_default(),
        rows: s.result.as_ref().map(|r| view::disagreement_rows(&t, r)).unwrap_or_default(),
        comments: s.comments.clone(),
        turnout: turnout_text(&t, s),
        manage: a.can_manage() && s.open,
        error,
        notice,
    };
    render_status(status, &p)
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, round_id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let a = member_access(&state, &ctx, &slug).await?;
    let notice = q.answered.map(|_| ctx.tr().t("sa-thanks"));
    round_page(&state, &ctx, &a, round_id, None, None, notice).await
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, round_id)): Path<(String, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let a = member_access(&state, &ctx, &slug).await?;
    let uid = ctx.require_user()?.id;
    let t = ctx.tr();
    let r = repo::round(&state.db, ctx.jid(), a.partnership.id, round_id).await?;
    if repo::participant(&state.db, ctx.jid(), r.id, uid).await?.is_none() {
        return Err(AppError::Forbidden);
    }
    let (answers, comment) = match parse_form(&fields) {
        Ok(x) => x,
        Err(e) => {
            let mut partial = commonbeat_domain::self_assessment::Answers::new();
            for (k, v) in &fields {
                if let (Some(id), Ok(n @ 1..=5)) = (k.strip_prefix("q_"), v.trim().parse::<u8>())
                    && ITEMS.iter().any(|i| i.id == id)
                {
                    partial.insert(id.to_string(), n);
                }
            }
            let comment = fields.iter().find(|(k, _)| k == "comment").map(|(_, v)| v.as_str()).unwrap_or("");
            let key = match e {
                AnswerError::Empty => "sa-error-empty",
                AnswerError::CommentTooLong => "sa-error-comment",
                AnswerError::UnknownItem(_) | AnswerError::OutOfRange(_) => "sa-error-value",
            };
            return round_page(&state, &ctx, &a, r.id, Some((&partial, comment)), Some(t.t(key)), None).await;
        }
    };
    let json = serde_json::to_string(&answers).map_err(|e| AppError::Internal(e.to_string()))?;
    match repo::answer(&state.db, ctx.jid(), r.id, uid, &json, comment.as_deref(), commonbeat_store::now()).await {
        Ok(()) => {}
        Err(StoreError::Invalid(_)) => {
            return Err(AppError::invalid("round", t.t("sa-error-closed")));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/partnerships/{slug}/self-assessment/{}?answered=1", r.id)).into_response())
}
