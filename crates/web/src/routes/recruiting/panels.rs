//! Community interview panels: a panelist's assigned candidates and the scoring sheet on the anchored rubric.
//! Each panelist scores independently: until every panelist has submitted, a panelist sees only their own sheet
//! and nobody sees the panel's scores; afterwards the panel sees every sheet, the means and Krippendorff's alpha
//! (interval) over the five dimensions. A panelist sees the candidate's name and nothing else of their file.

use super::is_staff_user;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::pages::{Shell, render, render_status};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonbeat_analysis::agreement::{Level, krippendorff_alpha};
use commonbeat_domain::Role;
use commonbeat_domain::recruit::{
    Dimension, Panel, PanelRole, PanelStatus, PanelSummary, Panelist, ScoreSheet, SheetError, panel_warnings,
};
use commonbeat_store::StoreError;
use commonbeat_store::entities::{recruit_panelist, recruit_score, user};
use commonbeat_store::repo::{members, recruiting, users};
use serde_json::json;

/// A panel role's stable id.
pub fn role_id(r: PanelRole) -> &'static str {
    match r {
        PanelRole::Resident => "resident",
        PanelRole::RecruitingStaff => "recruiting_staff",
        PanelRole::Officer => "officer",
    }
}

/// A stored panel role.
pub fn role_from(s: &str) -> PanelRole {
    match s {
        "resident" => PanelRole::Resident,
        "recruiting_staff" => PanelRole::RecruitingStaff,
        _ => PanelRole::Officer,
    }
}

/// The role someone sits on a panel as: community accounts as residents, recruiting staff as such, other police.
pub async fn panelist_role(state: &AppState, jid: i64, u: &user::Model) -> AppResult<&'static str> {
    Ok(if users::role_of(u) == Role::Community {
        role_id(PanelRole::Resident)
    } else if is_staff_user(state, jid, u).await? {
        role_id(PanelRole::RecruitingStaff)
    } else {
        role_id(PanelRole::Officer)
    })
}

/// The domain panel of stored seats (`None` when nobody is assigned).
pub fn panel_of(seats: &[recruit_panelist::Model]) -> Option<Panel> {
    Panel::new(seats.iter().map(|s| Panelist { id: s.user_id, role: role_from(&s.role) }).collect()).ok()
}

/// Stored sheets as domain sheets (rows with a score outside 1–5 are skipped).
pub fn sheets_of(rows: &[recruit_score::Model]) -> Vec<ScoreSheet> {
    rows.iter()
        .filter_map(|r| {
            let v = [r.communication, r.empathy, r.problem_solving, r.cultural_competence, r.service_motivation];
            let pairs: Vec<(Dimension, i64)> = Dimension::ALL.iter().copied().zip(v).collect();
            ScoreSheet::from_pairs(r.user_id, &pairs).ok()
        })
        .collect()
}

/// Where a panel's scoring stands (`None` if a stored sheet is not from the panel).
pub fn status(panel: &Panel, rows: &[recruit_score::Model]) -> Option<PanelStatus> {
    let sheets: Vec<ScoreSheet> = sheets_of(rows).into_iter().filter(|s| panel.contains(s.panelist)).collect();
    panel.status(&sheets).ok()
}

/// Krippendorff's alpha (interval) of sheets: panelists are the raters, the five dimensions the units.
pub fn alpha_of(sheets: &[ScoreSheet]) -> Option<f64> {
    let data: Vec<Vec<Option<f64>>> =
        sheets.iter().map(|s| s.scores.iter().map(|x| Some(f64::from(x.get()))).collect()).collect();
    krippendorff_alpha(&data, Level::Interval)
}

/// A completed panel as shown.
pub struct SummaryView {
    /// `(dimension, mean)`.
    pub means: Vec<(String, String)>,
    /// Overall mean.
    pub overall: String,
    /// Alpha (interval), or a note that it is undefined.
    pub alpha: String,
    /// `(panelist, scores in rubric order)`.
    pub sheets: Vec<(String, Vec<u8>)>,
}

/// The view of a completed panel.
pub fn summary_view(t: &Tr, s: &PanelSummary, everyone: &[user::Model]) -> SummaryView {
    SummaryView {
        means: s.means.iter().map(|(d, m)| (d.label(t.locale).to_string(), format!("{m:.2}"))).collect(),
        overall: format!("{:.2}", s.overall_mean),
        alpha: alpha_of(&s.sheets).map(|a| format!("{a:.2}")).unwrap_or_else(|| t.t("recruit-alpha-undefined")),
        sheets: s
            .sheets
            .iter()
            .map(|sh| {
                let name = everyone.iter().find(|u| u.id == sh.panelist).map(|u| u.name.clone()).unwrap_or_default();
                (name, sh.scores.iter().map(|x| x.get()).collect())
            })
            .collect(),
    }
}

/// The balance warnings of a panel, translated (groups from panelists' private self-descriptions, race only).
pub async fn warnings(state: &AppState, ctx: &Ctx, panel: &Panel) -> AppResult<Vec<String>> {
    let t = ctx.tr();
    let mut groups: Vec<(i64, Option<String>)> = Vec::new();
    for p in panel.panelists() {
        let race = members::profile(&state.db, ctx.jid(), p.id).await?.and_then(|pr| {
            serde_json::from_str::<serde_json::Value>(&pr.demographics)
                .ok()
                .and_then(|v| v.get("race").and_then(|r| r.as_str()).map(str::to_string))
        });
        groups.push((p.id, race));
    }
    let borrowed: Vec<(i64, Option<&str>)> = groups.iter().map(|(id, g)| (*id, g.as_deref())).collect();
    Ok(panel_warnings(panel, &borrowed).into_iter().map(|w| t.t(&format!("recruit-warning-{}", w.as_str()))).collect())
}

/// An assigned candidate as a panelist sees it.
pub struct SeatView {
    /// Candidate id.
    pub id: i64,
    /// Candidate name.
    pub name: String,
    /// Whether this panelist has submitted.
    pub submitted: bool,
}

#[derive(Template)]
#[template(path = "recruiting/panels.html")]
struct ListPage {
    shell: Shell,
    seats: Vec<SeatView>,
}

/// `GET /recruiting/panels`: the candidates the caller interviews (names only).
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let u = ctx.require_user()?;
    let mut seats = Vec::new();
    for s in recruiting::seats_of(&state.db, ctx.jid(), u.id).await? {
        let c = recruiting::candidate(&state.db, ctx.jid(), s.candidate_id).await?;
        let sheets = recruiting::scores(&state.db, ctx.jid(), c.id).await?;
        seats.push(SeatView { id: c.id, name: c.name, submitted: sheets.iter().any(|x| x.user_id == u.id) });
    }
    render(&ListPage { shell: Shell::new(&ctx, "recruit-panels-title"), seats })
}

/// One dimension of the scoring form.
pub struct DimensionView {
    /// Field name (the dimension id).
    pub id: &'static str,
    /// Name.
    pub label: &'static str,
    /// `(score, anchor)` for 1–5.
    pub anchors: Vec<(u8, &'static str)>,
    /// This panelist's score, once submitted.
    pub mine: Option<u8>,
}

#[derive(Template)]
#[template(path = "recruiting/score.html")]
struct SheetPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    candidate_id: i64,
    dimensions: Vec<DimensionView>,
    submitted: bool,
    waiting: usize,
    summary: Option<SummaryView>,
}

/// The caller's seat on a candidate's panel and the panel; 404 for anyone not on it.
async fn seat(state: &AppState, ctx: &Ctx, candidate_id: i64) -> AppResult<(i64, Panel)> {
    let u = ctx.require_user()?;
    let seats = recruiting::panel(&state.db, ctx.jid(), candidate_id).await?;
    if !seats.iter().any(|s| s.user_id == u.id) {
        return Err(AppError::NotFound);
    }
    Ok((u.id, panel_of(&seats).ok_or(AppError::NotFound)?))
}

async fn sheet_page(
    state: &AppState,
    ctx: &Ctx,
    candidate_id: i64,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let (me, panel) = seat(state, ctx, candidate_id).await?;
    let c = recruiting::candidate(&state.db, ctx.jid(), candidate_id).await?;
    ctx.audit(state, "recruiting.panel.read", &format!("candidate:{}", c.id), "success", json!({})).await?;
    let rows = recruiting::scores(&state.db, ctx.jid(), c.id).await?;
    let sheets: Vec<ScoreSheet> = sheets_of(&rows).into_iter().filter(|s| panel.contains(s.panelist)).collect();
    let visible = panel.visible_sheets(me, &sheets).map_err(|e| AppError::Internal(e.to_string()))?;
    let mine = visible.iter().find(|s| s.panelist == me).copied();
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| DimensionView {
            id: d.as_str(),
            label: d.label(ctx.locale),
            anchors: d.anchors(ctx.locale).iter().enumerate().map(|(i, a)| (i as u8 + 1, *a)).collect(),
            mine: mine.map(|s| s.score(*d).get()),
        })
        .collect();
    let (waiting, summary) = match panel.status(&sheets).map_err(|e| AppError::Internal(e.to_string()))? {
        PanelStatus::Scoring { waiting_for, .. } => (waiting_for.len(), None),
        PanelStatus::Complete(s) => {
            let everyone = users::list(&state.db, ctx.jid()).await?;
            (0, Some(summary_view(&t, &s, &everyone)))
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &SheetPage {
            shell: Shell::titled(ctx, t.t1("recruit-score-title", "name", &c.name)),
            error,
            notice,
            candidate_id: c.id,
            dimensions,
            submitted: mine.is_some(),
            waiting,
            summary,
        },
    )
}

/// `GET /recruiting/panels/{id}`: the scoring sheet (panelists of that candidate only).
pub async fn sheet(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    sheet_page(&state, &ctx, id, None, None).await
}

/// `POST /recruiting/panels/{id}`: submits the caller's sheet (final once submitted).
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (me, _) = seat(&state, &ctx, id).await?;
    let t = ctx.tr();
    let mut pairs = Vec::new();
    for d in Dimension::ALL {
        if let Some(v) = form.iter().find(|(k, _)| k == d.as_str()).and_then(|(_, v)| v.trim().parse::<i64>().ok()) {
            pairs.push((d, v));
        }
    }
    let sheet = match ScoreSheet::from_pairs(me, &pairs) {
        Ok(s) => s,
        Err(SheetError::Missing(d) | SheetError::Duplicate(d) | SheetError::Score(d, _)) => {
            let msg = t.t1("recruit-error-score", "dimension", d.label(ctx.locale));
            return sheet_page(&state, &ctx, id, Some(msg), None).await;
        }
    };
    let scores = sheet.scores.map(|s| i64::from(s.get()));
    match recruiting::submit_scores(&state.db, ctx.jid(), id, me, scores).await {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            return sheet_page(&state, &ctx, id, Some(t.t("recruit-error-already-scored")), None).await;
        }
        Err(e) => return Err(e.into()),
    }
    ctx.audit(&state, "recruiting.panel.score", &format!("candidate:{id}"), "success", json!({})).await?;
    sheet_page(&state, &ctx, id, None, Some(t.t("recruit-score-saved"))).await
}
