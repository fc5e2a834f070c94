//! Changes to a problem: the stage (with its note), the analysis (triangle, questions, sources), response
//! strategies (each optionally with a tracked commitment), and the verdict with narrative and lessons learned.

use super::show::page;
use super::{Access, Refusal, can_work, load};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::commitments::{CommitmentForm, record as record_commitment};
use axum::extract::{Form, Path, State};
use axum::response::Response;
use commonbeat_domain::problem::{MAX_TEXT, Stage, StageFacts, StrategyInput, Triangle, Verdict, transition};
use commonbeat_store::entities::problem;
use commonbeat_store::repo::problems::{self, NewStrategy};
use serde::Deserialize;
use serde_json::json;

/// The facts the stage rules need.
pub async fn stage_facts(state: &AppState, p: &problem::Model) -> AppResult<StageFacts> {
    Ok(StageFacts {
        described: !p.description.trim().is_empty() || !p.evidence.trim().is_empty(),
        triangle: Triangle {
            offender: p.offender.clone(),
            target: p.victim.clone(),
            place: p.place_factor.clone(),
            handler: p.handler.clone(),
            guardian: p.guardian.clone(),
            manager: p.manager.clone(),
        },
        strategies: problems::strategies(&state.db, p.id).await?.len(),
        lessons: p.lessons.clone(),
        verdict: p.verdict.as_deref().and_then(Verdict::parse),
    })
}

/// A stage change (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StageForm {
    /// The stage to move to: `scanning`, `analysis`, `response`, `assessment` or `closed`.
    #[serde(default)]
    pub to: String,
    /// Why (required).
    #[serde(default)]
    pub note: String,
}

/// Moves a problem to another stage (co-chairs). `Ok(Err(refusal))` names the field.
pub async fn change_stage(
    state: &AppState,
    ctx: &Ctx,
    a: &Access,
    p: &problem::Model,
    f: &StageForm,
) -> AppResult<Result<problem::Model, Refusal>> {
    a.require_manage()?;
    let t = ctx.tr();
    let Ok(to) = f.to.trim().parse::<Stage>() else { return Ok(Err(("to", t.t("problem-error-stage-skips")))) };
    let from: Stage = p.stage.parse().unwrap_or(Stage::Scanning);
    let facts = stage_facts(state, p).await?;
    if let Err(e) = transition(from, to, &f.note, &facts) {
        let field = if matches!(e.key(), "note-required" | "note-too-long") { "note" } else { "to" };
        return Ok(Err((field, t.t(&format!("problem-error-stage-{}", e.key())))));
    }
    let moved = problems::change_stage(
        &state.db,
        p,
        to.as_str(),
        f.note.trim(),
        ctx.user.as_ref().map(|u| u.id),
        commonbeat_store::now(),
    )
    .await?;
    ctx.audit(
        state,
        "problem.stage",
        &format!("problem:{}", p.id),
        "success",
        json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    Ok(Ok(moved))
}

/// The stage form.
pub async fn stage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<StageForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    match change_stage(&state, &ctx, &a, &p, &f).await? {
        Ok(p) => page(&state, &ctx, &a, p, None, Some(ctx.tr().t("problem-stage-saved"))).await,
        Err((_, msg)) => page(&state, &ctx, &a, p, Some(msg), None).await,
    }
}

/// The analysis form: description, the triangle with its controllers, open questions and sources.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnalysisForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    offender: String,
    #[serde(default)]
    victim: String,
    #[serde(default)]
    place_factor: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    sources: String,
}

/// Saves the analysis (members and co-chairs).
pub async fn analysis(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<AnalysisForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    if !can_work(&a) {
        return Err(AppError::Forbidden);
    }
    let fields = [
        ("description", &f.description),
        ("offender", &f.offender),
        ("victim", &f.victim),
        ("place_factor", &f.place_factor),
        ("handler", &f.handler),
        ("guardian", &f.guardian),
        ("manager", &f.manager),
        ("questions", &f.questions),
        ("sources", &f.sources),
    ];
    if let Some((k, _)) = fields.iter().find(|(_, v)| v.chars().count() > MAX_TEXT) {
        let msg = ctx.tr().t1("problem-error-field-long", "field", &ctx.tr().t(&format!("problem-field-{k}")));
        return page(&state, &ctx, &a, p, Some(msg), None).await;
    }
    let mut m = p.clone();
    m.description = f.description.trim().to_string();
    m.offender = f.offender.trim().to_string();
    m.victim = f.victim.trim().to_string();
    m.place_factor = f.place_factor.trim().to_string();
    m.handler = f.handler.trim().to_string();
    m.guardian = f.guardian.trim().to_string();
    m.manager = f.manager.trim().to_string();
    m.questions = f.questions.trim().to_string();
    m.sources = f.sources.trim().to_string();
    let saved = problems::save(&state.db, m).await?;
    ctx.audit(&state, "problem.analysis", &format!("problem:{}", p.id), "success", json!({})).await?;
    page(&state, &ctx, &a, saved, None, Some(ctx.tr().t("problem-analysis-saved"))).await
}

/// A response strategy, optionally with the commitment that carries it out.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StrategyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner_side: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    partners: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    /// Member who owns the commitment (co-chairs only), with `due_on`.
    #[serde(default)]
    owner_user_id: String,
    #[serde(default)]
    due_on: String,
}

/// Adds a strategy (members and co-chairs); co-chairs may attach a commitment with an owner and due date.
pub async fn strategy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<StrategyForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    if !can_work(&a) {
        return Err(AppError::Forbidden);
    }
    let t = ctx.tr();
    let input = StrategyInput {
        title: f.title.clone(),
        owner_side: f.owner_side.clone(),
        contact: f.contact.clone(),
        partners: f.partners.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
    };
    let s = match input.parse() {
        Ok(s) => s,
        Err(e) => {
            let msg = t.t(&format!("problem-error-strategy-{}", e.field()));
            return page(&state, &ctx, &a, p, Some(msg), None).await;
        }
    };
    let wants_commitment = !f.due_on.trim().is_empty() || !f.owner_user_id.trim().is_empty();
    if wants_commitment && !a.can_manage() {
        return Err(AppError::Forbidden);
    }
    // The commitment first: if its owner or date is refused, nothing is saved.
    let mut commitment_id = None;
    if wants_commitment {
        let form = CommitmentForm {
            title: s.title.clone(),
            owner_user_id: f.owner_user_id.trim().parse().ok(),
            owner_org: String::new(),
            due_on: f.due_on.clone(),
            private: (!p.is_public).then(|| "on".to_string()),
        };
        match record_commitment(&state, &ctx, &a, &form).await? {
            Ok(c) => commitment_id = Some(c.id),
            Err(msg) => return page(&state, &ctx, &a, p, Some(msg), None).await,
        }
    }
    let saved = problems::add_strategy(
        &state.db,
        ctx.jid(),
        p.id,
        NewStrategy {
            title: s.title.clone(),
            owner_side: s.owner_side.map(|x| x.as_str().to_string()).unwrap_or_else(|| "both".into()),
            contact: s.contact,
            partners: s.partners,
            starts_on: s.starts_on.to_string(),
            ends_on: s.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            created_by: ctx.user.as_ref().map(|u| u.id),
        },
    )
    .await?;
    ctx.audit(&state, "problem.strategy", &format!("problem:{}", p.id), "success", json!({"strategy": saved.id}))
        .await?;
    if let Some(c) = commitment_id {
        commonbeat_store::repo::commitments::link_problem(&state.db, c, p.id, saved.id).await?;
    }
    page(&state, &ctx, &a, p, None, Some(t.t("problem-strategy-saved"))).await
}

/// The verdict, the narrative and the lessons learned.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    narrative: String,
    #[serde(default)]
    lessons: String,
}

/// Saves the verdict, narrative and lessons (co-chairs).
pub async fn verdict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<VerdictForm>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (a, p) = load(&state, &ctx, &slug, id).await?;
    a.require_manage()?;
    let t = ctx.tr();
    let verdict = match f.verdict.trim() {
        "" => None,
        v => match Verdict::parse(v) {
            Some(v) => Some(v.as_str().to_string()),
            None => return page(&state, &ctx, &a, p, Some(t.t("problem-error-verdict")), None).await,
        },
    };
    if f.narrative.chars().count() > MAX_TEXT || f.lessons.chars().count() > MAX_TEXT {
        return page(&state, &ctx, &a, p, Some(t.t("problem-error-too-long")), None).await;
    }
    let mut m = p.clone();
    m.verdict = verdict;
    m.narrative = f.narrative.trim().to_string();
    m.lessons = f.lessons.trim().to_string();
    let saved = problems::save(&state.db, m).await?;
    ctx.audit(&state, "problem.verdict", &format!("problem:{}", p.id), "success", json!({"verdict": saved.verdict}))
        .await?;
    page(&state, &ctx, &a, saved, None, Some(t.t("problem-verdict-saved"))).await
}
