//! Community reports in the JSON API: the public list and report (block level, no contact, no moderated text),
//! creation by signed-in callers (bearer token or session with the CSRF header), and triage for staff and the
//! co-chairs of the report's partnership.

use super::service::{self, PublicReport, Submission, Update, load_visible, public_view};
use super::staff::{TriageForm, check_triage};
use super::statuses_for;
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use commonbeat_domain::report::Category;
use commonbeat_store::repo::reports;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The reports part of the OpenAPI document (merged into it by [`crate::openapi::document`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_list, api_show, api_create, api_triage),
    components(schemas(ReportList, ReportOut, PreciseOut, PublicReport, ReportIn, TriageIn)),
    tags((name = "reports", description = "Community reports: public at block level; creation by signed-in callers; triage for police, administrators and co-chairs. Anonymous and third-party reporting goes through Open311 at /open311/v2."))
)]
pub struct ReportsApi;

/// The list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ApiListQuery {
    /// Category id.
    pub category: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Rows per page (1–500, default 100).
    pub page_size: Option<u64>,
}

/// A page of reports.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportList {
    /// Matching reports in all pages.
    pub total: u64,
    /// This page.
    pub page: u64,
    /// Rows per page.
    pub page_size: u64,
    /// The reports (public view).
    pub reports: Vec<PublicReport>,
}

/// Community reports, newest first, at block level (never a precise point or a reporter).
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ApiListQuery),
    responses((status = 200, body = ReportList)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ApiListQuery>,
) -> AppResult<Json<ReportList>> {
    let page_size = q.page_size.unwrap_or(100).clamp(1, 500);
    let page = q.page.unwrap_or(1).max(1);
    let mut f = reports::Filter {
        categories: q
            .category
            .as_deref()
            .and_then(|c| c.parse::<Category>().ok())
            .map(|c| vec![c.as_str().into()])
            .unwrap_or_default(),
        statuses: q.status.as_deref().filter(|s| matches!(*s, "open" | "closed")).map(statuses_for).unwrap_or_default(),
        public_only: true,
        ..Default::default()
    };
    let total = reports::count(&state.db, ctx.jid(), &f).await?;
    f.offset = (page - 1) * page_size;
    f.limit = page_size;
    let rows = reports::list(&state.db, ctx.jid(), &f).await?;
    Ok(Json(ReportList { total, page, page_size, reports: rows.iter().map(public_view).collect() }))
}

/// One report. The public gets the block-level view; staff and the co-chairs of its partnership get the full
/// record (`precise`), and reading the reporter's contact details is audited.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    /// The public view.
    #[serde(flatten)]
    pub report: PublicReport,
    /// Public status notes, oldest first.
    pub status_notes: Vec<String>,
    /// Only for those who may triage.
    pub precise: Option<PreciseOut>,
}

/// What triage sees beyond the public view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreciseOut {
    /// Precise latitude.
    pub lat: Option<f64>,
    /// Precise longitude.
    pub lon: Option<f64>,
    /// Address as given.
    pub address: String,
    /// Description even when hidden from the public.
    pub description: String,
    /// Reporter's name.
    pub contact_name: String,
    /// Reporter's e-mail.
    pub contact_email: String,
    /// Reporter's phone.
    pub contact_phone: String,
    /// Assigned partnership.
    pub partnership_id: Option<i64>,
    /// Linked problem.
    pub problem_id: Option<i64>,
    /// Hidden from the public.
    pub hidden: bool,
    /// Description hidden from the public.
    pub description_hidden: bool,
    /// Internal notes.
    pub internal_notes: Vec<String>,
}

async fn report_out(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<ReportOut> {
    let (r, triage) = load_visible(state, ctx, id).await?;
    let notes = reports::notes(&state.db, ctx.jid(), r.id, triage).await?;
    let precise = if triage {
        if !(r.contact_name.is_empty() && r.contact_email.is_empty() && r.contact_phone.is_empty()) {
            ctx.audit(state, "report.contact.read", &format!("report:{}", r.id), "success", json!({"via": "api"}))
                .await?;
        }
        Some(PreciseOut {
            lat: r.lat,
            lon: r.lon,
            address: r.address.clone(),
            description: r.description.clone(),
            contact_name: r.contact_name.clone(),
            contact_email: r.contact_email.clone(),
            contact_phone: r.contact_phone.clone(),
            partnership_id: r.partnership_id,
            problem_id: r.problem_id,
            hidden: r.hidden,
            description_hidden: r.description_hidden,
            internal_notes: notes.iter().filter(|n| !n.public).map(|n| n.body.clone()).collect(),
        })
    } else {
        None
    };
    Ok(ReportOut {
        report: public_view(&r),
        status_notes: notes.iter().filter(|n| n.public && !n.body.is_empty()).map(|n| n.body.clone()).collect(),
        precise,
    })
}

/// One report (hidden ones are 404 except to triage).
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports",
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = ReportOut), (status = 404, body = crate::routes::api::ApiError)))]
pub async fn api_show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ReportOut>> {
    Ok(Json(report_out(&state, &ctx, id).await?))
}

/// A new report.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportIn {
    /// Category id (see Open311 `services.json`).
    pub category: String,
    /// What is going on (10–4000 characters).
    pub description: String,
    /// Latitude (with `lon`), or give `address`.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Street address.
    #[serde(default)]
    pub address: String,
    /// Attribute answers by code.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
    /// Contact name (optional).
    #[serde(default)]
    pub name: String,
    /// Contact e-mail (optional; it also follows the report).
    #[serde(default)]
    pub email: String,
    /// Contact phone (optional).
    #[serde(default)]
    pub phone: String,
}

/// Records a report (signed-in callers; the public form and Open311 serve everyone else).
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportIn,
    responses((status = 201, body = ReportOut), (status = 401, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ReportIn>,
) -> AppResult<(StatusCode, Json<ReportOut>)> {
    ctx.require_user()?;
    let s = Submission {
        category: b.category,
        description: b.description,
        lat: b.lat,
        lon: b.lon,
        address: b.address,
        attributes: b.attributes.into_iter().collect(),
        name: b.name,
        email: b.email,
        phone: b.phone,
        source: "api".into(),
        ..Default::default()
    };
    match service::submit(&state, &ctx, s).await? {
        Ok(r) => Ok((StatusCode::CREATED, Json(report_out(&state, &ctx, r.id).await?))),
        Err(refusal) => Err(AppError::invalid(refusal.field, refusal.message)),
    }
}

/// A triage decision: any of a status change with a note, an assignment, a problem link.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TriageIn {
    /// New status id (empty keeps it). Closing needs a public note.
    #[serde(default)]
    pub status: String,
    /// A note.
    #[serde(default)]
    pub note: String,
    /// Whether the note is public (default) or internal.
    pub public: Option<bool>,
    /// Assign to this partnership (omit to keep).
    pub partnership_id: Option<i64>,
    /// Link to this problem (omit to keep).
    pub problem_id: Option<i64>,
    /// Agency responsible (omit to keep).
    pub agency_responsible: Option<String>,
}

/// Triage a report (police, administrators, co-chairs of its partnership).
#[utoipa::path(post, path = "/api/v1/reports/{id}/triage", tag = "reports",
    params(("id" = i64, Path, description = "Report id")), request_body = TriageIn,
    responses((status = 200, body = ReportOut), (status = 403, body = crate::routes::api::ApiError), (status = 422, body = crate::routes::api::ApiError)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api_triage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TriageIn>,
) -> AppResult<Json<ReportOut>> {
    ctx.require_user()?;
    let (r, triage) = load_visible(&state, &ctx, id).await?;
    if !triage {
        return Err(AppError::Forbidden);
    }
    let r = if b.partnership_id.is_some() || b.problem_id.is_some() || b.agency_responsible.is_some() {
        let f = TriageForm {
            partnership_id: b.partnership_id.or(r.partnership_id).map(|p| p.to_string()).unwrap_or_default(),
            problem_id: b.problem_id.or(r.problem_id).map(|p| p.to_string()).unwrap_or_default(),
            agency: b.agency_responsible.clone().unwrap_or_else(|| r.agency_responsible.clone()),
            expected_on: String::new(),
        };
        let mut tr = check_triage(&state, &ctx, &f).await?.map_err(|m| AppError::invalid("triage", m))?;
        tr.expected_at = r.expected_at;
        let audit = json!({"partnership": tr.partnership_id, "problem": tr.problem_id});
        let r = reports::triage(&state.db, r, tr).await?;
        ctx.audit(&state, "report.triage", &format!("report:{}", r.id), "success", audit).await?;
        r
    } else {
        r
    };
    if !b.status.is_empty() || !b.note.is_empty() {
        let u = Update { status: b.status, note: b.note, public: b.public.unwrap_or(true) };
        service::update(&state, &ctx, r, &u).await?.map_err(|m| AppError::invalid("status", m))?;
    }
    Ok(Json(report_out(&state, &ctx, id).await?))
}
