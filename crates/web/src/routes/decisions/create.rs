//! Opening a decision, from the form or the API: validation, an optional later opening time (the decision is
//! `scheduled` until then and the opening job opens it), and who may vote — all members, the co-chairs, or named
//! people picked from the partnership's active members (both sides must be named: the parity rule counts each side
//! on its own).

use super::results::{KINDS, Settings};
use super::{CLOSE_JOB, OPEN_JOB, REMIND_JOB, notices, options};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render_status};
use crate::routes::partnerships::access::Access;
use crate::routes::partnerships::service::parse_date_end;
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_domain::Side;
use commonbeat_domain::decision::missing_sides;
use commonbeat_store::entities::decision;
use commonbeat_store::repo::decisions::{self, NewDecision};
use commonbeat_store::repo::{jobs, members};
use serde::Deserialize;
use serde_json::json;

/// Slack for an opening time "now": a time up to a minute in the past opens the decision at once.
const OPEN_SLACK_SECONDS: i64 = 60;

/// A member who can be named as a voter: (user id, name).
pub(super) type Candidate = (i64, String);

#[derive(Template)]
#[template(path = "decisions/new.html")]
struct NewPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    slug: String,
    partnership: String,
    kinds: Vec<(String, String)>,
    /// The kind selected (`?kind=`, e.g. from a health suggestion), else the first.
    selected: String,
    /// Active full members who can be named, per side.
    police: Vec<Candidate>,
    community: Vec<Candidate>,
}

/// `?kind=` preselects a kind on the new-decision form.
#[derive(Deserialize)]
pub(super) struct KindQuery {
    kind: Option<String>,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<KindQuery>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let selected = q.kind.filter(|k| KINDS.contains(&k.as_str()));
    new_page(&state, &ctx, &a, None, StatusCode::OK, selected).await
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    error: Option<String>,
    status: StatusCode,
    selected: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let voters = voting_members(state, ctx.jid(), a.partnership.id).await?;
    let of_side =
        |side: Side| voters.iter().filter(|(_, s, _)| *s == side).map(|(id, _, n)| (*id, n.clone())).collect();
    render_status(
        status,
        &NewPage {
            shell: Shell::new(ctx, "decision-new-title"),
            error,
            notice: None,
            slug: a.partnership.slug.clone(),
            partnership: a.partnership.name.clone(),
            kinds: KINDS.iter().map(|k| (k.to_string(), t.t(&format!("kind-{k}")))).collect(),
            selected: selected.unwrap_or_else(|| KINDS[0].to_string()),
            police: of_side(Side::Police),
            community: of_side(Side::Community),
        },
    )
}

/// The partnership's active full members (who may vote), with their side, by name.
async fn voting_members(state: &AppState, jid: i64, partnership_id: i64) -> AppResult<Vec<(i64, Side, String)>> {
    Ok(members::list(&state.db, jid, partnership_id, Some(members::ACTIVE))
        .await?
        .into_iter()
        .filter(|m| m.membership.role == "member")
        .map(|m| {
            let side = if m.membership.side == Side::Police.as_str() { Side::Police } else { Side::Community };
            (m.user.id, side, m.user.name)
        })
        .collect())
}

/// A checkbox from a form (`on`) or a JSON boolean, read as "present and true".
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        B(bool),
        S(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        Some(Flag::B(true)) => Some("on".into()),
        Some(Flag::S(s)) if s == "on" || s == "true" => Some(s),
        _ => None,
    })
}

/// Who may vote, as sent: `members` (default), `cochairs`, `named` (the form, with its ticked boxes) or, in the API,
/// the list of named voters' user ids.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum VotersIn {
    /// `members`, `cochairs` or `named`.
    Who(String),
    /// Named voters' user ids.
    Named(Vec<i64>),
}

impl Default for VotersIn {
    fn default() -> VotersIn {
        VotersIn::Who(String::new())
    }
}

/// The fields of the decision form, also accepted as JSON by the API.
#[derive(Deserialize)]
pub struct NewForm {
    kind: String,
    title: String,
    #[serde(default)]
    body: String,
    /// When voting opens: empty for now; `YYYY-MM-DDTHH:MM` in the jurisdiction's time zone (the form), or an
    /// RFC 3339 time with its offset.
    #[serde(default)]
    opens_at: String,
    closes_on: String,
    #[serde(default)]
    quorum_police: u64,
    #[serde(default)]
    quorum_community: u64,
    #[serde(default, deserialize_with = "flag")]
    changeable: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    reason_required: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    anonymous: Option<String>,
    #[serde(default)]
    visibility: String,
    #[serde(default, deserialize_with = "flag")]
    is_private: Option<String>,
    #[serde(default)]
    affects: String,
    #[serde(default)]
    voters: VotersIn,
    /// Options, one per line (option kinds).
    #[serde(default)]
    options: String,
    #[serde(default)]
    max_choices: usize,
    #[serde(default)]
    score_min: Option<i32>,
    #[serde(default)]
    score_max: Option<i32>,
    #[serde(default)]
    dots: Option<u64>,
}

/// Why a decision cannot be opened: the field at fault and a message in the caller's language.
pub struct Refusal {
    /// The form or API field.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Refusal {
    fn new(field: &'static str, message: String) -> Refusal {
        Refusal { field, message }
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawForm(raw): RawForm,
) -> AppResult<Response> {
    ctx.require_user()?;
    let a = Access::load(&state, &ctx, &slug).await?;
    a.require_manage()?;
    let mut f = serde_urlencoded::from_bytes::<NewForm>(&raw).map_err(|e| AppError::invalid("form", e.to_string()))?;
    // The ticked boxes of the named-voter picker (a repeated field).
    if matches!(&f.voters, VotersIn::Who(w) if w == "named") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
        f.voters = VotersIn::Named(
            pairs.iter().filter(|(k, _)| k == "named_voter").filter_map(|(_, v)| v.parse().ok()).collect(),
        );
    }
    let kind = Some(f.kind.clone()).filter(|k| KINDS.contains(&k.as_str()));
    match open(&state, &ctx, &a, f).await? {
        Ok(d) => Ok(Redirect::to(&format!("/partnerships/{slug}/decisions/{}", d.id)).into_response()),
        Err(r) => new_page(&state, &ctx, &a, Some(r.message), StatusCode::UNPROCESSABLE_ENTITY, kind).await,
    }
}

/// An opening time: RFC 3339 with an offset, or a local `YYYY-MM-DDTHH:MM[:SS]` in the zone `tz`.
pub(super) fn parse_opens_at(s: &str, tz: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    let dt: jiff::civil::DateTime = s.parse().ok()?;
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    Some(dt.to_zoned_datetime(zone).ok()?.timestamp().as_second())
}

/// Who may vote: `(setting, named user ids)`; no ids means every active member.
async fn named_voters(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    t: &Tr,
    voters: &VotersIn,
) -> AppResult<Result<(&'static str, Vec<i64>), Refusal>> {
    let ids = match voters {
        VotersIn::Who(w) if w == "cochairs" => {
            // The seat holders at the time the decision is opened.
            let chairs: Vec<i64> = commonbeat_store::repo::leadership::current(&state.db, ctx.jid(), a.partnership.id)
                .await?
                .iter()
                .map(|c| c.user.id)
                .collect();
            if chairs.is_empty() {
                return Ok(Err(Refusal::new("voters", t.t("decision-no-cochairs"))));
            }
            return Ok(Ok(("cochairs", chairs)));
        }
        VotersIn::Who(w) if w == "named" => Vec::new(),
        VotersIn::Who(_) => return Ok(Ok(("members", Vec::new()))),
        VotersIn::Named(ids) => ids.clone(),
    };
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let eligible = voting_members(state, ctx.jid(), a.partnership.id).await?;
    let unknown: Vec<String> =
        ids.iter().filter(|id| !eligible.iter().any(|(u, ..)| u == *id)).map(i64::to_string).collect();
    if !unknown.is_empty() {
        return Ok(Err(Refusal::new("voters", t.t1("decision-voters-not-members", "ids", &unknown.join(", ")))));
    }
    let sides: Vec<Side> = eligible.iter().filter(|(u, ..)| ids.contains(u)).map(|(_, s, _)| *s).collect();
    if let Some(missing) = missing_sides(&sides).first() {
        let side = t.t(&format!("side-{}", missing.as_str()));
        return Ok(Err(Refusal::new("voters", t.t1("decision-voters-both-sides", "side", &side))));
    }
    Ok(Ok(("named", ids)))
}

/// Validates and opens (or schedules) a decision (managers only). `Ok(Err(_))` says what is wrong.
pub(super) async fn open(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    f: NewForm,
) -> AppResult<Result<decision::Model, Refusal>> {
    let u = ctx.require_user()?.clone();
    a.require_manage()?;
    let t = ctx.tr();
    let refuse = |field: &'static str, key: &str| Ok(Err(Refusal::new(field, t.t(key))));
    let title = f.title.trim();
    if !KINDS.contains(&f.kind.as_str()) {
        return refuse("kind", "decision-bad-kind");
    }
    if title.chars().count() < 3 || title.chars().count() > 200 || f.body.chars().count() > 10_000 {
        return refuse("title", "decision-bad-title");
    }
    let now = commonbeat_store::now();
    let tz = &ctx.jurisdiction.time_zone;
    let Some(closes_at) = parse_date_end(&f.closes_on, tz).filter(|c| *c > now) else {
        return refuse("closes_on", "decision-bad-close");
    };
    let opens_at = if f.opens_at.trim().is_empty() {
        now
    } else {
        let Some(at) = parse_opens_at(&f.opens_at, tz) else { return refuse("opens_at", "decision-bad-open") };
        if at < now - OPEN_SLACK_SECONDS {
            return refuse("opens_at", "decision-open-past");
        }
        if at >= closes_at {
            return refuse("opens_at", "decision-open-after-close");
        }
        at.max(now)
    };
    if f.quorum_police > 500 || f.quorum_community > 500 {
        return refuse("quorum_police", "decision-bad-quorum");
    }
    let labels: Vec<String> =
        f.options.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| l.chars().take(200).collect()).collect();
    let needs_options = options::OPTION_KINDS.contains(&f.kind.as_str());
    if needs_options && !(2..=20).contains(&labels.len()) {
        return refuse("options", "decision-bad-options");
    }
    let (score_min, score_max) = (f.score_min.unwrap_or(0), f.score_max.unwrap_or(5));
    if f.kind == "score" && !(score_min < score_max && score_min >= -100 && score_max <= 100) {
        return refuse("score_min", "decision-bad-score");
    }
    let dots = f.dots.unwrap_or(5);
    if f.kind == "dot" && !(1..=100).contains(&dots) {
        return refuse("dots", "decision-bad-dots");
    }
    let (who, named) = match named_voters(state, ctx, a, &t, &f.voters).await? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let visibility = if ["always", "after_vote", "after_close"].contains(&f.visibility.as_str()) {
        f.visibility.clone()
    } else {
        "after_vote".into()
    };
    let settings = Settings {
        quorum_police: f.quorum_police,
        quorum_community: f.quorum_community,
        changeable: f.changeable.is_some(),
        reason_required: f.reason_required.is_some(),
        visibility,
        anonymous: f.anonymous.is_some(),
        voters: who.into(),
    };
    let mut settings = serde_json::to_value(&settings).unwrap_or_default();
    let extra = options::OptionSettings {
        max_choices: f.max_choices.clamp(1, labels.len().max(1)),
        score_min,
        score_max,
        dots,
    };
    if let (Some(o), Ok(serde_json::Value::Object(e))) = (settings.as_object_mut(), serde_json::to_value(extra)) {
        o.extend(e);
    }
    let d = decisions::create(
        &state.db,
        ctx.jid(),
        NewDecision {
            partnership_id: a.partnership.id,
            kind: f.kind.clone(),
            title: title.to_string(),
            body: f.body.trim().to_string(),
            options: serde_json::to_string(&if needs_options { labels.clone() } else { Vec::new() })
                .unwrap_or_default(),
            settings: settings.to_string(),
            opens_at,
            closes_at,
            is_private: f.is_private.is_some(),
            affects: f.affects.chars().take(200).collect(),
            created_by: Some(u.id),
        },
        &named,
    )
    .await?;
    // Voting closes by itself; members who have not voted get a reminder a day before (if it is open by then).
    let (jid, payload) = (ctx.jid(), d.id.to_string());
    jobs::enqueue(&state.db, jid, CLOSE_JOB, &payload, d.closes_at).await?;
    if d.closes_at - 86_400 > opens_at.max(now) {
        jobs::enqueue(&state.db, jid, REMIND_JOB, &payload, d.closes_at - 86_400).await?;
    }
    // A scheduled decision opens, and its notice goes out, at its opening time.
    if d.status == decisions::SCHEDULED {
        jobs::enqueue(&state.db, jid, OPEN_JOB, &payload, d.opens_at).await?;
    } else {
        notices::opened(state, jid, &a.partnership, &d, &named).await?;
    }
    let details = json!({"kind": d.kind, "partnership": a.partnership.id, "status": d.status, "voters": who});
    ctx.audit(state, "decision.create", &format!("decision:{}", d.id), "success", details).await?;
    Ok(Ok(d))
}
