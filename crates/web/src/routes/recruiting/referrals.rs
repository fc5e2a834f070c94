//! Community referrals: a signed-in member names a potential candidate by e-mail only; the candidate confirms
//! through a single-use link (sent through the outbox) and only then gives a name and the rest. The referrer
//! afterwards sees the stage each referral has reached, never the candidate's data.

use super::events::check_person;
use super::{field, first_stage, group_options, pipeline, stage_label};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{MessagePage, Shell, render, render_status};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_domain::Email;
use commonbeat_store::entities::recruit_referral;
use commonbeat_store::repo::recruiting;
use commonbeat_store::repo::{members, partnerships};
use commonbeat_store::secrets;
use serde_json::json;

/// How long a referral link stays valid: 14 days.
pub const REFERRAL_TTL_SECS: i64 = 14 * 86_400;

/// A referral as its referrer sees it: when, and how far it got.
pub struct ReferralRow {
    /// Date referred.
    pub when: String,
    /// Status, translated (waiting for the candidate, confirmed, expired).
    pub status: String,
    /// The candidate's stage, translated (empty until confirmed).
    pub stage: String,
}

#[derive(Template)]
#[template(path = "recruiting/refer.html")]
struct ReferPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    partnerships: Vec<(i64, String)>,
    referrals: Vec<ReferralRow>,
}

async fn refer_page(state: &AppState, ctx: &Ctx, error: Option<String>, notice: Option<String>) -> AppResult<Response> {
    let u = ctx.require_user()?;
    let t = ctx.tr();
    let mine = recruiting::referrals_of(&state.db, ctx.jid(), u.id).await?;
    let now = commonbeat_store::now();
    let mut referrals = Vec::new();
    for r in &mine {
        let stage = match r.candidate_id {
            Some(id) => match recruiting::candidate(&state.db, ctx.jid(), id).await {
                Ok(c) => stage_label(&t, &c.stage),
                Err(_) => t.t("recruit-referral-closed"),
            },
            None => String::new(),
        };
        let status = match (r.status.as_str(), r.expires_at > now) {
            ("confirmed", _) => t.t("recruit-referral-confirmed"),
            (_, true) => t.t("recruit-referral-pending"),
            _ => t.t("recruit-referral-expired"),
        };
        referrals.push(ReferralRow {
            when: crate::timefmt::format_datetime(r.created_at, &ctx.jurisdiction.time_zone, ctx.locale),
            status,
            stage,
        });
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &ReferPage {
            shell: Shell::new(ctx, "recruit-refer-title"),
            error,
            notice,
            partnerships: my_partnerships(state, ctx, u.id).await?,
            referrals,
        },
    )
}

async fn my_partnerships(state: &AppState, ctx: &Ctx, user_id: i64) -> AppResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for m in members::all_of_user(&state.db, ctx.jid(), user_id).await? {
        if m.status == members::ACTIVE {
            let p = partnerships::by_id(&state.db, ctx.jid(), m.partnership_id).await?;
            out.push((p.id, p.name));
        }
    }
    Ok(out)
}

/// `GET /recruiting/refer`: the referral form and the caller's referrals (signed-in members).
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    refer_page(&state, &ctx, None, None).await
}

/// `POST /recruiting/refer`: refers someone by e-mail; they get a single-use confirmation link.
pub async fn refer(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let u = ctx.require_user()?.clone();
    let t = ctx.tr();
    let Ok(email) = Email::parse(&field(&form, "email")) else {
        return refer_page(&state, &ctx, Some(t.t("recruit-error-email")), None).await;
    };
    let mine = my_partnerships(&state, &ctx, u.id).await?;
    let partnership_id: Option<i64> =
        field(&form, "partnership_id").parse().ok().filter(|p| mine.iter().any(|m| m.0 == *p));
    let token = secrets::new_token();
    let r = recruiting::create_referral(
        &state.db,
        ctx.jid(),
        u.id,
        partnership_id,
        email.as_str(),
        &secrets::hash_token(&token),
        REFERRAL_TTL_SECS,
    )
    .await?;
    let link = format!("{}/recruiting/confirm/{token}", state.config.public_url);
    crate::mail::send_text(
        &state,
        ctx.jid(),
        email.as_str(),
        t.t1("recruit-referral-email-subject", "jurisdiction", &ctx.jurisdiction.name),
        format!(
            "{}\n\n{link}\n\n{}\n",
            t.t2("recruit-referral-email-body", ("name", &u.name), ("jurisdiction", &ctx.jurisdiction.name)),
            t.t("recruit-referral-email-ignore")
        ),
    )
    .await?;
    ctx.audit(&state, "recruiting.referral.create", &format!("recruit_referral:{}", r.id), "success", json!({}))
        .await?;
    refer_page(&state, &ctx, None, Some(t.t("recruit-referral-sent"))).await
}

#[derive(Template)]
#[template(path = "recruiting/confirm.html")]
struct ConfirmPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    email: String,
    action: String,
    races: Vec<(String, String)>,
    sexes: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

impl ConfirmPage {
    fn value(&self, k: &str) -> String {
        field(&self.form, k)
    }
}

async fn load(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<recruit_referral::Model> {
    recruiting::pending_referral(&state.db, ctx.jid(), &secrets::hash_token(token))
        .await
        .map_err(|_| AppError::NotFound)
}

fn confirm_view(
    ctx: &Ctx,
    r: &recruit_referral::Model,
    token: &str,
    error: Option<String>,
    form: Vec<(String, String)>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let (races, sexes) = group_options(&t);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &ConfirmPage {
            shell: Shell::new(ctx, "recruit-confirm-title"),
            error,
            notice: None,
            email: r.email.clone(),
            action: format!("/recruiting/confirm/{token}"),
            races,
            sexes,
            form,
        },
    )
}

/// `GET /recruiting/confirm/{token}`: the candidate's confirmation form.
pub async fn confirm_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    let r = load(&state, &ctx, &token).await?;
    confirm_view(&ctx, &r, &token, None, Vec::new())
}

/// `POST /recruiting/confirm/{token}`: the candidate confirms with consent; the link is then used up.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = load(&state, &ctx, &token).await?;
    let t = ctx.tr();
    let mut c = match check_person(&t, &form, Some(&r.email)) {
        Ok(c) => c,
        Err(msg) => return confirm_view(&ctx, &r, &token, Some(msg), form),
    };
    c.source = "referral".into();
    c.referrer_id = Some(r.referrer_id);
    c.partnership_id = r.partnership_id;
    let stage = first_stage(&pipeline(&state, ctx.jid()).await?);
    let m = recruiting::confirm_referral(&state.db, &r, c, stage.as_str()).await.map_err(|_| AppError::NotFound)?;
    ctx.audit(
        &state,
        "recruiting.referral.confirm",
        &format!("candidate:{}", m.id),
        "success",
        json!({"referral": r.id}),
    )
    .await?;
    render(&MessagePage {
        shell: Shell::new(&ctx, "recruit-confirm-title"),
        heading: t.t("recruit-confirm-title"),
        message: t.t("recruit-confirm-thanks"),
        kind: "success",
        link: Some(("/recruiting".into(), t.t("recruit-public-title"))),
    })
}
