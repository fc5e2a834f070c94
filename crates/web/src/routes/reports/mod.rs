//! Community reports: the public form (place by map pin, coordinates or address; category; description; optional
//! photo; contact optional where the category allows), the duplicate suggestion before submitting, the public
//! list and map (block level only), the report page with its public status notes and a follow-by-e-mail form,
//! the photo (served as an image only), staff triage ([`staff`]), the JSON API ([`api`]) and the four-week
//! follow-up ([`jobs`]).

pub mod api;
pub mod jobs;
pub mod map;
pub mod service;
pub mod staff;

use super::pages::{Shell, render, render_status};
use super::{capability, guarded};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use commonbeat_domain::photo::{ImageKind, MAX_PHOTO_BYTES};
use commonbeat_domain::report::{Category, ReportStatus};
use commonbeat_domain::{Email, Role};
use commonbeat_store::entities::report as rmodel;
use commonbeat_store::repo::{areas, reports};
use serde::Deserialize;
use service::{Submission, load_visible, public_view};

/// Body limit of the report form: the photo limit plus room for the other fields.
pub const FORM_LIMIT: usize = crate::middleware::PHOTO_FORM_LIMIT;
/// Reports per page of the public list.
pub const PAGE_SIZE: u64 = 50;

/// Report routes (pages, API, photo, follow-up).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", guarded(get(list).post(create)).layer(DefaultBodyLimit::max(FORM_LIMIT)))
        .route("/reports/new", guarded(get(new_form)))
        .route("/reports/map.geojson", guarded(get(map_geojson)))
        .route("/reports/triage", guarded(get(staff::queue)))
        .route("/reports/{id}", guarded(get(show)))
        .route("/reports/{id}/photo", guarded(get(photo)))
        .route("/reports/{id}/follow", guarded(post(follow)))
        .route("/reports/{id}/update", guarded(post(staff::update)))
        .route("/reports/{id}/triage", guarded(post(staff::triage)))
        .route("/reports/{id}/moderate", guarded(post(staff::moderate)))
        .route("/reports/{id}/follow-up/{token}", capability(get(jobs::follow_up_page).post(jobs::follow_up_answer)))
        .route("/api/v1/reports", guarded(get(api::api_list).post(api::api_create)))
        .route("/api/v1/reports/{id}", guarded(get(api::api_show)))
        .route("/api/v1/reports/{id}/triage", guarded(post(api::api_triage)))
}

/// Category choices, translated.
pub fn categories(t: &Tr) -> Vec<(String, String)> {
    Category::ALL.iter().map(|c| (c.as_str().to_string(), t.t(&format!("report-cat-{}", c.as_str())))).collect()
}

/// A report row of a list.
pub struct Row {
    id: i64,
    category: String,
    status: String,
    open: bool,
    place: String,
    created: String,
}

fn row(t: &Tr, ctx: &Ctx, r: &rmodel::Model) -> Row {
    let v = public_view(r);
    Row {
        id: r.id,
        category: t.t(&format!("report-cat-{}", r.category)),
        status: t.t(&format!("report-status-{}", r.status)),
        open: v.open,
        place: place_label(t, &v),
        created: crate::timefmt::format_datetime(r.created_at, &ctx.jurisdiction.time_zone, ctx.locale),
    }
}

/// How the public place of a report reads: the hundred block, or the cell centre's coordinates.
pub fn place_label(t: &Tr, v: &service::PublicReport) -> String {
    match (v.block_address.is_empty(), v.lat, v.lon) {
        (false, _, _) => v.block_address.clone(),
        (true, Some(lat), Some(lon)) => {
            t.t2("report-near", ("lat", &format!("{lat:.4}")), ("lon", &format!("{lon:.4}")))
        }
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    shell: Shell,
    notice: Option<String>,
    error: Option<String>,
    rows: Vec<Row>,
    svg: String,
    categories: Vec<(String, String)>,
    category: String,
    status: String,
    page_of: String,
    total: u64,
    prev: String,
    next: String,
    can_triage: bool,
}

/// List filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Category id.
    #[serde(default)]
    pub category: String,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: String,
    /// Page, from 1.
    pub page: Option<u64>,
}

fn statuses_for(which: &str) -> Vec<String> {
    ReportStatus::ALL
        .iter()
        .filter(|s| match which {
            "open" => s.is_open(),
            "closed" => !s.is_open(),
            _ => true,
        })
        .map(|s| s.as_str().to_string())
        .collect()
}

fn public_filter(q: &ListQuery) -> reports::Filter {
    reports::Filter {
        categories: q.category.parse::<Category>().map(|c| vec![c.as_str().to_string()]).unwrap_or_default(),
        statuses: if matches!(q.status.as_str(), "open" | "closed") { statuses_for(&q.status) } else { vec![] },
        public_only: true,
        ..Default::default()
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let t = ctx.tr();
    let mut f = public_filter(&q);
    let total = reports::count(&state.db, ctx.jid(), &f).await?;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    f.offset = (page - 1) * PAGE_SIZE;
    f.limit = PAGE_SIZE;
    let shown = reports::list(&state.db, ctx.jid(), &f).await?;
    let all_areas = areas::list(&state.db, ctx.jid(), Some("beat")).await?;
    let svg = map::svg(&all_areas, &shown, &t.t("reports-map-title"), &t.t("reports-map-desc"));
    let link = |p: u64| {
        let mut pairs = vec![("page", p.to_string())];
        if !q.category.is_empty() {
            pairs.push(("category", q.category.clone()));
        }
        if !q.status.is_empty() {
            pairs.push(("status", q.status.clone()));
        }
        format!("/reports?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let can_triage = ctx.user.is_some()
        && (service::is_staff(&ctx) || !service::triage_scope(&state, &ctx).await?.unwrap_or_default().is_empty());
    render(&ListPage {
        shell: Shell::new(&ctx, "reports-title"),
        notice: None,
        error: None,
        rows: shown.iter().map(|r| row(&t, &ctx, r)).collect(),
        svg,
        categories: categories(&t),
        category: q.category.clone(),
        status: q.status.clone(),
        page_of: t.t2("reports-page-of", ("page", &page.to_string()), ("pages", &pages.to_string())),
        total,
        prev: if page > 1 { link(page - 1) } else { String::new() },
        next: if page < pages { link(page + 1) } else { String::new() },
        can_triage,
    })
}

async fn map_geojson(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let t = ctx.tr();
    let mut f = public_filter(&q);
    f.limit = 2000;
    let shown = reports::list(&state.db, ctx.jid(), &f).await?;
    let all_areas = areas::list(&state.db, ctx.jid(), Some("beat")).await?;
    let fc = map::geojson(&all_areas, &shown, |o, c| {
        t.t2("reports-cell-label", ("open", &o.to_string()), ("closed", &c.to_string()))
    });
    Ok(axum::Json(fc).into_response())
}

/// The form's values, kept when it is shown again.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    category: String,
    description: String,
    address: String,
    lat: String,
    lon: String,
    name: String,
    email: String,
    phone: String,
    time_of_day: String,
    ongoing: String,
    vehicle_description: String,
    pole_number: String,
}

/// A suggested duplicate as shown on the form.
pub struct Dup {
    id: i64,
    status: String,
    place: String,
    created: String,
}

#[derive(Template)]
#[template(path = "reports/new.html")]
struct NewPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    v: FormValues,
    categories: Vec<(String, String)>,
    dups: Vec<Dup>,
    action: String,
    max_mb: usize,
    time_opts: Vec<(String, String)>,
    ongoing_opts: Vec<(String, String)>,
}

fn options(t: &Tr, attr: &str, keys: &[&str]) -> Vec<(String, String)> {
    keys.iter().map(|k| (k.to_string(), t.t(&format!("report-attr-{attr}-{k}")))).collect()
}

fn new_page(
    ctx: &Ctx,
    status: StatusCode,
    v: FormValues,
    error: Option<String>,
    dups: Vec<Dup>,
) -> AppResult<Response> {
    let t = ctx.tr();
    render_status(
        status,
        &NewPage {
            shell: Shell::new(ctx, "report-new-title"),
            error,
            notice: None,
            v,
            categories: categories(&t),
            dups,
            // Multipart bodies carry the CSRF token in the action URL (see `middleware::csrf_guard`).
            action: format!("/reports?csrf_token={}", ctx.csrf),
            max_mb: MAX_PHOTO_BYTES / (1024 * 1024),
            time_opts: options(&t, "time_of_day", &["morning", "afternoon", "evening", "night"]),
            ongoing_opts: options(&t, "ongoing", &["yes", "no"]),
        },
    )
}

async fn new_form(ctx: Ctx, Query(q): Query<std::collections::HashMap<String, String>>) -> AppResult<Response> {
    let v = FormValues { category: q.get("category").cloned().unwrap_or_default(), ..Default::default() };
    new_page(&ctx, StatusCode::OK, v, None, vec![])
}

async fn create(State(state): State<AppState>, ctx: Ctx, mut form: Multipart) -> AppResult<Response> {
    let t = ctx.tr();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut photo: Option<Vec<u8>> = None;
    let too_large = || AppError::invalid("photo", t.t("report-error-photo-size"));
    while let Some(mut field) = form.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photo" {
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                buf.extend_from_slice(&chunk);
                if buf.len() > MAX_PHOTO_BYTES {
                    break;
                }
            }
            photo = Some(buf).filter(|b| !b.is_empty());
        } else {
            fields.push((name, field.text().await.map_err(|_| too_large())?));
        }
    }
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let v = FormValues {
        category: get("category"),
        description: get("description"),
        address: get("address"),
        lat: get("lat"),
        lon: get("lon"),
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        time_of_day: get("time_of_day"),
        ongoing: get("ongoing"),
        vehicle_description: get("vehicle_description"),
        pole_number: get("pole_number"),
    };
    let coord = |s: &str| if s.trim().is_empty() { Ok(None) } else { s.trim().parse::<f64>().map(Some) };
    let (Ok(lat), Ok(lon)) = (coord(&v.lat), coord(&v.lon)) else {
        return new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, v, Some(t.t("report-error-location")), vec![]);
    };
    let sub = Submission {
        category: v.category.clone(),
        description: v.description.clone(),
        lat,
        lon,
        address: v.address.clone(),
        zipcode: String::new(),
        attributes: ["time_of_day", "ongoing", "vehicle_description", "pole_number"]
            .iter()
            .map(|k| (k.to_string(), get(k)))
            .collect(),
        name: v.name.clone(),
        email: v.email.clone(),
        phone: v.phone.clone(),
        source: "web".into(),
        open311_key_id: None,
        media_url: String::new(),
        photo,
    };
    // Before recording: suggest earlier reports of the same thing nearby, unless the reporter has seen them.
    if get("confirm_new").is_empty()
        && let Ok((cat, place, _)) = service::check_basics(&t, &sub)
        && let Some(p) = place.point
    {
        let found = service::duplicates_of(&state, ctx.jid(), cat, p).await?;
        if !found.is_empty() {
            let dups = found
                .iter()
                .map(|r| {
                    let pv = public_view(r);
                    Dup {
                        id: r.id,
                        status: t.t(&format!("report-status-{}", r.status)),
                        place: place_label(&t, &pv),
                        created: crate::timefmt::format_datetime(r.created_at, &ctx.jurisdiction.time_zone, ctx.locale),
                    }
                })
                .collect();
            return new_page(&ctx, StatusCode::OK, v, None, dups);
        }
    }
    match service::submit(&state, &ctx, sub).await? {
        Ok(r) => Ok(Redirect::to(&format!("/reports/{}?created=1", r.id)).into_response()),
        Err(refusal) => new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, v, Some(refusal.message), vec![]),
    }
}

/// A note as shown.
pub struct NoteRow {
    when: String,
    body: String,
    status: String,
    internal: bool,
    author: String,
}

#[derive(Template)]
#[template(path = "reports/show.html")]
struct ShowPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    id: i64,
    category: String,
    status: String,
    open: bool,
    description: Option<String>,
    place: String,
    created: String,
    expected: String,
    agency: String,
    attributes: Vec<(String, String)>,
    photo: bool,
    notes: Vec<NoteRow>,
    staff: Option<staff::StaffView>,
}

/// Shows a report; `notice`/`error` come from the form that led here.
pub async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    r: rmodel::Model,
    triage: bool,
    error: Option<String>,
    notice: Option<String>,
) -> AppResult<Response> {
    let t = ctx.tr();
    let v = public_view(&r);
    let tz = &ctx.jurisdiction.time_zone;
    let notes = reports::notes(&state.db, ctx.jid(), r.id, triage).await?;
    let staff = if triage { Some(staff::view(state, ctx, &r, &notes).await?) } else { None };
    let notes = notes
        .into_iter()
        .enumerate()
        .map(|(i, n)| NoteRow {
            when: crate::timefmt::format_datetime(n.created_at, tz, ctx.locale),
            body: n.body,
            status: n.status_to.map(|s| t.t(&format!("report-status-{s}"))).unwrap_or_default(),
            internal: !n.public,
            // Authors are named to those who triage only.
            author: staff.as_ref().and_then(|s| s.authors.get(i).cloned()).unwrap_or_default(),
        })
        .collect();
    let attrs: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&r.attributes).unwrap_or_default();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        status,
        &ShowPage {
            shell: Shell::titled(ctx, t.t1("report-title", "id", &r.id.to_string())),
            error,
            notice,
            id: r.id,
            category: t.t(&format!("report-cat-{}", r.category)),
            status: t.t(&format!("report-status-{}", r.status)),
            open: v.open,
            description: if triage { Some(r.description.clone()) } else { v.description.clone() },
            place: place_label(&t, &v),
            created: crate::timefmt::format_datetime(r.created_at, tz, ctx.locale),
            expected: r.expected_at.map(|e| crate::timefmt::format_datetime(e, tz, ctx.locale)).unwrap_or_default(),
            agency: r.agency_responsible.clone(),
            attributes: attrs
                .iter()
                .filter(|_| !r.description_hidden || triage)
                .map(|(k, val)| {
                    let val = val.as_str().unwrap_or("");
                    let shown = match k.as_str() {
                        "time_of_day" | "ongoing" => t.t(&format!("report-attr-{k}-{val}")),
                        _ => val.to_string(),
                    };
                    (t.t(&format!("report-attr-{k}")), shown)
                })
                .collect(),
            photo: v.has_photo || (triage && r.has_photo),
            notes,
            staff,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let (r, triage) = load_visible(&state, &ctx, id).await?;
    let notice = q.contains_key("created").then(|| ctx.tr().t("report-created-notice"));
    show_page(&state, &ctx, r, triage, None, notice).await
}

/// The follow form.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    /// Address to notify.
    #[serde(default)]
    pub email: String,
}

async fn follow(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FollowForm>,
) -> AppResult<Response> {
    let (r, triage) = load_visible(&state, &ctx, id).await?;
    let t = ctx.tr();
    let Ok(email) = Email::parse(f.email.trim()) else {
        return show_page(&state, &ctx, r, triage, Some(t.t("report-error-email")), None).await;
    };
    reports::follow(&state.db, ctx.jid(), r.id, email.as_str()).await?;
    ctx.audit(&state, "report.follow", &format!("report:{}", r.id), "success", serde_json::json!({})).await?;
    show_page(&state, &ctx, r, triage, None, Some(t.t("report-followed"))).await
}

/// `GET /reports/{id}/photo`: the cleaned photo, only ever as an image (its sniffed type, `nosniff`, a
/// private cache), and not at all when the report or its description is hidden from the caller.
async fn photo(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (r, triage) = load_visible(&state, &ctx, id).await?;
    if !r.has_photo || (r.description_hidden && !triage) {
        return Err(AppError::NotFound);
    }
    let p = reports::photo(&state.db, ctx.jid(), r.id).await?;
    let kind = ImageKind::from_content_type(&p.content_type).ok_or(AppError::NotFound)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(p.data_b64.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, kind.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"report-{}.{}\"", r.id, kind.ext())),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Whether a role is one of the staff roles (for templates and tests).
pub fn staff_role(r: Role) -> bool {
    service::STAFF.contains(&r)
}
