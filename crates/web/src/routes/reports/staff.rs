//! Staff triage: the queue (police and administrators see every report, co-chairs their partnerships'), status
//! changes with public or internal notes, assignment to a partnership and a problem, and moderation. Reading a
//! reporter's contact details is audited.

use super::service::{self, Update, load_visible, triage_scope};
use super::{Row, categories, row, show_page, statuses_for};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use commonbeat_domain::report::ReportStatus;
use commonbeat_store::entities::{report as rmodel, report_note};
use commonbeat_store::repo::reports::{self, Triage};
use commonbeat_store::repo::{partnerships, users};
use serde::Deserialize;
use serde_json::json;

/// What the report page adds for those who may triage.
pub struct StaffView {
    /// Reporter's name, e-mail and phone (reading them is audited).
    pub contact: Vec<(String, String)>,
    /// Anonymous report.
    pub anonymous: bool,
    /// Precise place as given.
    pub precise: String,
    /// Next statuses (id, label).
    pub next: Vec<(String, String)>,
    /// Partnerships (id, name, assigned) for assignment.
    pub partnerships: Vec<(i64, String, bool)>,
    /// Assigned partnership.
    pub partnership_id: Option<i64>,
    /// Linked problem id.
    pub problem_id: String,
    /// Problems to link (id, "partnership — title", linked): the open problems, and the linked one.
    pub problems: Vec<(i64, String, bool)>,
    /// Agency responsible.
    pub agency: String,
    /// Expected date (`YYYY-MM-DD`).
    pub expected_on: String,
    /// Hidden from the public.
    pub hidden: bool,
    /// Description hidden from the public.
    pub description_hidden: bool,
    /// Moderation reason.
    pub reason: String,
    /// Source (web, api, open311).
    pub source: String,
    /// The reporter's follow-up answer.
    pub follow_up: String,
    /// Note authors by note order (internal view).
    pub authors: Vec<String>,
}

/// Builds the staff part of a report page, auditing the read of contact details when there are any.
pub async fn view(
    state: &AppState,
    ctx: &Ctx,
    r: &rmodel::Model,
    notes: &[report_note::Model],
) -> AppResult<StaffView> {
    let t = ctx.tr();
    let mut contact = Vec::new();
    for (key, v) in
        [("report-name", &r.contact_name), ("report-email", &r.contact_email), ("report-phone", &r.contact_phone)]
    {
        if !v.is_empty() {
            contact.push((t.t(key), v.clone()));
        }
    }
    if !contact.is_empty() {
        ctx.audit(state, "report.contact.read", &format!("report:{}", r.id), "success", json!({})).await?;
    }
    let status: ReportStatus = r.status.parse().unwrap_or(ReportStatus::Received);
    let tz = ctx.time_zone();
    let mut authors = Vec::new();
    for n in notes {
        authors.push(match n.author_id {
            Some(id) => users::by_id(&state.db, ctx.jid(), id).await.map(|u| u.name).unwrap_or_default(),
            None => String::new(),
        });
    }
    let all_partnerships = partnerships::list(&state.db, ctx.jid(), &Default::default()).await?;
    let problems = commonbeat_store::repo::problems::all(&state.db, ctx.jid())
        .await?
        .into_iter()
        .filter(|p| p.stage != "closed" || r.problem_id == Some(p.id))
        .map(|p| {
            let pname = all_partnerships.iter().find(|x| x.id == p.partnership_id).map(|x| x.name.as_str());
            (p.id, format!("{} — {}", pname.unwrap_or_default(), p.title), r.problem_id == Some(p.id))
        })
        .collect();
    Ok(StaffView {
        contact,
        anonymous: r.anonymous,
        problems,
        precise: match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => format!("{lat:.6}, {lon:.6} {}", r.address),
            _ => r.address.clone(),
        },
        next: status
            .next()
            .into_iter()
            .map(|s| (s.as_str().to_string(), t.t(&format!("report-status-{}", s.as_str()))))
            .collect(),
        partnerships: all_partnerships.into_iter().map(|p| (p.id, p.name, r.partnership_id == Some(p.id))).collect(),
        partnership_id: r.partnership_id,
        problem_id: r.problem_id.map(|p| p.to_string()).unwrap_or_default(),
        agency: r.agency_responsible.clone(),
        expected_on: r
            .expected_at
            .and_then(|e| jiff::Timestamp::from_second(e).ok())
            .map(|ts| ts.to_zoned_datetime(tz.clone()).date().to_string())
            .unwrap_or_default(),
        hidden: r.hidden,
        description_hidden: r.description_hidden,
        reason: r.moderation_reason.clone(),
        source: r.source.clone(),
        follow_up: r.follow_up_answer.as_ref().map(|a| t.t(&format!("report-follow-up-{a}"))).unwrap_or_default(),
        authors,
    })
}

#[derive(Template)]
#[template(path = "reports/triage.html")]
struct QueuePage {
    shell: Shell,
    rows: Vec<Row>,
    categories: Vec<(String, String)>,
    category: String,
    status: String,
    unassigned: usize,
}

/// Queue filters.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// Category id.
    #[serde(default)]
    pub category: String,
    /// `open` (default), `closed` or `all`.
    #[serde(default)]
    pub status: String,
}

/// `GET /reports/triage`: the reports the caller may triage, newest first (hidden ones included).
pub async fn queue(State(state): State<AppState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> AppResult<Response> {
    let scope = triage_scope(&state, &ctx).await?;
    if scope.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden);
    }
    let t = ctx.tr();
    let status = if q.status.is_empty() { "open".to_string() } else { q.status.clone() };
    let f = reports::Filter {
        categories: q
            .category
            .parse::<commonbeat_domain::report::Category>()
            .map(|c| vec![c.as_str().into()])
            .unwrap_or_default(),
        statuses: if status == "all" { vec![] } else { statuses_for(&status) },
        partnerships: scope,
        limit: 200,
        ..Default::default()
    };
    let found = reports::list(&state.db, ctx.jid(), &f).await?;
    render(&QueuePage {
        shell: Shell::new(&ctx, "reports-triage-title"),
        unassigned: found.iter().filter(|r| r.partnership_id.is_none()).count(),
        rows: found.iter().map(|r| row(&t, &ctx, r)).collect(),
        categories: categories(&t),
        category: q.category,
        status,
    })
}

async fn load_for_triage(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<rmodel::Model> {
    ctx.require_user()?;
    let (r, triage) = load_visible(state, ctx, id).await?;
    if !triage {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

/// The update form.
#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    /// New status (empty keeps it).
    #[serde(default)]
    pub status: String,
    /// The note.
    #[serde(default)]
    pub note: String,
    /// `public` or `internal`.
    #[serde(default)]
    pub visibility: String,
}

/// `POST /reports/{id}/update`: a status change and/or a note.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UpdateForm>,
) -> AppResult<Response> {
    let r = load_for_triage(&state, &ctx, id).await?;
    let before = r.clone();
    let u = Update { status: f.status, note: f.note, public: f.visibility != "internal" };
    match service::update(&state, &ctx, r, &u).await? {
        Ok(r) => show_page(&state, &ctx, r, true, None, Some(ctx.tr().t("report-updated"))).await,
        Err(msg) => show_page(&state, &ctx, before, true, Some(msg), None).await,
    }
}

/// The triage form.
#[derive(Debug, Deserialize)]
pub struct TriageForm {
    /// Partnership id (empty: none).
    #[serde(default)]
    pub partnership_id: String,
    /// Problem id (empty: none).
    #[serde(default)]
    pub problem_id: String,
    /// Agency responsible.
    #[serde(default)]
    pub agency: String,
    /// Expected date, `YYYY-MM-DD`.
    #[serde(default)]
    pub expected_on: String,
}

/// Checks a triage decision. `Err` is a translated message.
pub async fn check_triage(state: &AppState, ctx: &Ctx, f: &TriageForm) -> AppResult<Result<Triage, String>> {
    let t = ctx.tr();
    let partnership_id = match f.partnership_id.trim() {
        "" => None,
        s => {
            let Ok(id) = s.parse::<i64>() else { return Ok(Err(t.t("report-error-partnership"))) };
            if partnerships::by_id(&state.db, ctx.jid(), id).await.is_err() {
                return Ok(Err(t.t("report-error-partnership")));
            }
            // Co-chairs may only assign to partnerships they lead.
            if let Some(scope) = triage_scope(state, ctx).await?
                && !scope.contains(&id)
            {
                return Ok(Err(t.t("report-error-partnership")));
            }
            Some(id)
        }
    };
    let problem_id = match f.problem_id.trim() {
        "" => None,
        s => {
            // The problem must be this jurisdiction's, and the assigned partnership's when one is given.
            let Ok(id) = s.parse::<i64>() else { return Ok(Err(t.t("report-error-problem"))) };
            match commonbeat_store::repo::problems::by_id(&state.db, ctx.jid(), id).await {
                Ok(p) if partnership_id.is_none_or(|pid| pid == p.partnership_id) => Some(id),
                _ => return Ok(Err(t.t("report-error-problem"))),
            }
        }
    };
    let agency = f.agency.trim().to_string();
    if agency.chars().count() > 200 {
        return Ok(Err(t.t("report-error-agency")));
    }
    let expected_at = match f.expected_on.trim() {
        "" => None,
        s => match s
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.at(17, 0, 0, 0).to_zoned_datetime(ctx.time_zone()).ok())
        {
            Some(z) => Some(z.timestamp().as_second()),
            None => return Ok(Err(t.t("report-error-expected"))),
        },
    };
    Ok(Ok(Triage { partnership_id, problem_id, agency_responsible: agency, expected_at }))
}

/// `POST /reports/{id}/triage`: partnership, problem, agency, expected date.
pub async fn triage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TriageForm>,
) -> AppResult<Response> {
    let r = load_for_triage(&state, &ctx, id).await?;
    match check_triage(&state, &ctx, &f).await? {
        Ok(tr) => {
            let audit = json!({"partnership": tr.partnership_id, "problem": tr.problem_id});
            let r = reports::triage(&state.db, r, tr).await?;
            ctx.audit(&state, "report.triage", &format!("report:{}", r.id), "success", audit).await?;
            show_page(&state, &ctx, r, true, None, Some(ctx.tr().t("report-updated"))).await
        }
        Err(msg) => show_page(&state, &ctx, r, true, Some(msg), None).await,
    }
}

/// The moderation form.
#[derive(Debug, Deserialize)]
pub struct ModerateForm {
    /// Hide the whole report from the public.
    #[serde(default)]
    pub hidden: Option<String>,
    /// Hide only the description (and photo).
    #[serde(default)]
    pub description_hidden: Option<String>,
    /// Why (required when hiding anything).
    #[serde(default)]
    pub reason: String,
}

/// `POST /reports/{id}/moderate`: hide or show again, with a reason; audited.
pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModerateForm>,
) -> AppResult<Response> {
    let r = load_for_triage(&state, &ctx, id).await?;
    let (hidden, desc) = (f.hidden.is_some(), f.description_hidden.is_some());
    let reason = f.reason.trim();
    if (hidden || desc) && (reason.is_empty() || reason.chars().count() > 500) {
        return show_page(&state, &ctx, r, true, Some(ctx.tr().t("report-error-reason")), None).await;
    }
    let r = reports::moderate(&state.db, r, hidden, desc, reason).await?;
    ctx.audit(
        &state,
        "report.moderate",
        &format!("report:{}", r.id),
        "success",
        json!({"hidden": hidden, "description_hidden": desc, "reason": reason}),
    )
    .await?;
    show_page(&state, &ctx, r, true, None, Some(ctx.tr().t("report-updated"))).await
}
