//! Open311 GeoReport v2 under `/open311/v2`: discovery, services (our report categories) and their definitions,
//! service requests (our community reports) to list, read and create, and tokens. Every response comes as JSON or
//! XML from one tree ([`format`]); errors are the spec's error list with the matching HTTP status.
//!
//! Public reads are block level: `lat`/`long` are the centre of the report's ~150 m cell, `address` is the hundred
//! block, and neither the reporter's details nor moderated text ever appear. Creating needs an `api_key` (issued
//! with `commonbeat open311 key add`, stored as SHA-256); that key, not a cookie, is the credential, so the POST
//! route takes no CSRF token. `jurisdiction_id` maps to our jurisdiction (its slug or id).

pub mod format;

use super::reports::service::{self, Submission, public_view};
use super::{capability, guarded};
use crate::AppState;
use crate::context::Ctx;
use crate::i18n::Tr;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use commonbeat_domain::Locale;
use commonbeat_domain::report::{Category, ReportStatus};
use commonbeat_store::entities::report as rmodel;
use commonbeat_store::repo::{open311_keys, reports};
use format::{Fmt, Node, error, opt_str, respond, split};
use serde_json::json;

/// Longest page of service requests.
pub const MAX_PAGE_SIZE: u64 = 1000;
/// Default window of a service request search, in days.
pub const DEFAULT_DAYS: i64 = 90;

/// Open311 routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", guarded(get(root_get)).merge(capability(post(create))))
        .route("/open311/v2/services/{file}", guarded(get(definition)))
        .route("/open311/v2/requests/{file}", guarded(get(one_request)))
        .route("/open311/v2/tokens/{file}", guarded(get(token)))
}

type Params = Vec<(String, String)>;

fn param<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// The translator: `locale` parameter, else the request's language.
fn tr(ctx: &Ctx, p: &Params) -> Tr {
    Tr::new(param(p, "locale").and_then(Locale::from_tag).unwrap_or(ctx.locale))
}

/// The error response when a given `jurisdiction_id` is not this jurisdiction.
fn check_jurisdiction(ctx: &Ctx, p: &Params, fmt: Fmt) -> Option<Response> {
    match param(p, "jurisdiction_id") {
        Some(j) if j != ctx.jurisdiction.slug && j != ctx.jid().to_string() => {
            Some(error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found"))
        }
        _ => None,
    }
}

fn iso(ctx: &Ctx, t: i64) -> Node {
    match jiff::Timestamp::from_second(t) {
        Ok(ts) => Node::Str(ts.to_zoned_datetime(ctx.time_zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        Err(_) => Node::Null,
    }
}

async fn root_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let Some((name, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "not found") };
    if let Some(r) = check_jurisdiction(&ctx, &p, fmt) {
        return r;
    }
    match name {
        "discovery" => discovery(&state, fmt),
        "services" => services(&ctx, &p, fmt),
        "requests" => list_requests(&state, &ctx, &p, fmt).await,
        _ => error(fmt, StatusCode::NOT_FOUND, "not found"),
    }
}

fn discovery(state: &AppState, fmt: Fmt) -> Response {
    let url = format!("{}/open311/v2", state.config.public_url);
    let body = Node::Obj(vec![
        ("changeset", Node::Str("2026-11-26T00:00:00Z".into())),
        ("contact", Node::Str(format!("{}/reports", state.config.public_url))),
        ("key_service", Node::Str("Keys are issued by the deployment's administrators.".into())),
        (
            "endpoints",
            Node::List(
                "endpoint",
                vec![Node::Obj(vec![
                    ("specification", Node::Str("http://wiki.open311.org/GeoReport_v2".into())),
                    ("url", Node::Str(url)),
                    ("changeset", Node::Str("2026-11-26T00:00:00Z".into())),
                    ("type", Node::Str("production".into())),
                    (
                        "formats",
                        Node::List("format", vec![Node::Str("application/json".into()), Node::Str("text/xml".into())]),
                    ),
                ])],
            ),
        ),
    ]);
    respond(fmt, StatusCode::OK, "discovery", &body)
}

fn services(ctx: &Ctx, p: &Params, fmt: Fmt) -> Response {
    let t = tr(ctx, p);
    let list = Category::ALL
        .iter()
        .map(|c| {
            let code = c.as_str();
            Node::Obj(vec![
                ("service_code", Node::Str(code.into())),
                ("service_name", Node::Str(t.t(&format!("report-cat-{code}")))),
                ("description", Node::Str(t.t(&format!("report-cat-{code}-desc")))),
                ("metadata", Node::Bool(!c.attributes().is_empty())),
                ("type", Node::Str("realtime".into())),
                ("keywords", Node::Str(code.replace('_', ", "))),
                ("group", Node::Str(c.group().into())),
            ])
        })
        .collect();
    respond(fmt, StatusCode::OK, "services", &Node::List("service", list))
}

async fn definition(ctx: Ctx, Path(file): Path<String>, Query(p): Query<Params>) -> Response {
    let Some((code, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "not found") };
    if let Some(r) = check_jurisdiction(&ctx, &p, fmt) {
        return r;
    }
    let Ok(cat) = code.parse::<Category>() else {
        return error(fmt, StatusCode::NOT_FOUND, "service_code not found");
    };
    let t = tr(&ctx, &p);
    let attrs = cat
        .attributes()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Node::Obj(vec![
                ("variable", Node::Bool(true)),
                ("code", Node::Str(a.code.into())),
                ("datatype", Node::Str(a.datatype.as_str().into())),
                ("required", Node::Bool(a.required)),
                ("datatype_description", Node::Str(t.t(&format!("report-attr-{}-hint", a.code)))),
                ("order", Node::Int(i as i64 + 1)),
                ("description", Node::Str(t.t(&format!("report-attr-{}", a.code)))),
                (
                    "values",
                    Node::List(
                        "value",
                        a.values
                            .iter()
                            .map(|v| {
                                Node::Obj(vec![
                                    ("key", Node::Str((*v).into())),
                                    ("name", Node::Str(t.t(&format!("report-attr-{}-{v}", a.code)))),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    let body =
        Node::Obj(vec![("service_code", Node::Str(code.into())), ("attributes", Node::List("attribute", attrs))]);
    respond(fmt, StatusCode::OK, "service_definition", &body)
}

/// A service request as the public sees it.
fn request_node(state: &AppState, ctx: &Ctx, t: &Tr, r: &rmodel::Model, notes: &[(i64, String)]) -> Node {
    let v = public_view(r);
    let status = if v.open { "open" } else { "closed" };
    let note = notes.iter().find(|(id, _)| *id == r.id).map(|(_, n)| n.as_str()).unwrap_or("");
    let agency = if r.agency_responsible.is_empty() { &ctx.jurisdiction.name } else { &r.agency_responsible };
    Node::Obj(vec![
        ("service_request_id", Node::Str(r.id.to_string())),
        ("status", Node::Str(status.into())),
        ("status_notes", opt_str(note)),
        ("service_name", Node::Str(t.t(&format!("report-cat-{}", r.category)))),
        ("service_code", Node::Str(r.category.clone())),
        ("description", v.description.as_deref().map(opt_str).unwrap_or(Node::Null)),
        ("agency_responsible", Node::Str(agency.clone())),
        ("service_notice", Node::Str(t.t("open311-service-notice"))),
        ("requested_datetime", iso(ctx, r.created_at)),
        ("updated_datetime", iso(ctx, r.updated_at)),
        ("expected_datetime", r.expected_at.map(|e| iso(ctx, e)).unwrap_or(Node::Null)),
        ("address", opt_str(&v.block_address)),
        ("address_id", Node::Null),
        ("zipcode", opt_str(&r.zipcode)),
        ("lat", v.lat.map(Node::Num).unwrap_or(Node::Null)),
        ("long", v.lon.map(Node::Num).unwrap_or(Node::Null)),
        (
            "media_url",
            match (&v.media_url, v.has_photo) {
                (_, true) => Node::Str(format!("{}/reports/{}/photo", state.config.public_url, r.id)),
                (Some(url), false) => Node::Str(url.clone()),
                (None, false) => Node::Null,
            },
        ),
    ])
}

fn parse_time(ctx: &Ctx, s: &str) -> Option<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    let d = s.parse::<jiff::civil::Date>().ok()?;
    Some(d.at(0, 0, 0, 0).to_zoned_datetime(ctx.time_zone()).ok()?.timestamp().as_second())
}

fn bad(fmt: Fmt, what: &str) -> Response {
    error(fmt, StatusCode::BAD_REQUEST, what)
}

async fn list_requests(state: &AppState, ctx: &Ctx, p: &Params, fmt: Fmt) -> Response {
    let mut f = reports::Filter { public_only: true, ..Default::default() };
    if let Some(ids) = param(p, "service_request_id") {
        // Given ids override every other filter (the spec).
        let parsed: Result<Vec<i64>, _> = ids.split(',').map(|s| s.trim().parse::<i64>()).collect();
        let Ok(ids) = parsed else { return bad(fmt, "service_request_id must be a comma-separated list of ids") };
        f.ids = ids;
    } else {
        if let Some(codes) = param(p, "service_code") {
            for c in codes.split(',') {
                let Ok(cat) = c.trim().parse::<Category>() else { return bad(fmt, "unknown service_code") };
                f.categories.push(cat.as_str().into());
            }
        }
        let now = commonbeat_store::now();
        let end = match param(p, "end_date") {
            Some(s) => match parse_time(ctx, s) {
                Some(t) => t,
                None => return bad(fmt, "end_date must be an ISO 8601 date-time"),
            },
            None => now,
        };
        let start = match param(p, "start_date") {
            Some(s) => match parse_time(ctx, s) {
                Some(t) => t,
                None => return bad(fmt, "start_date must be an ISO 8601 date-time"),
            },
            None => end - DEFAULT_DAYS * 86_400,
        };
        if start > end {
            return bad(fmt, "start_date is after end_date");
        }
        (f.from, f.to) = (Some(start), Some(end));
        if let Some(st) = param(p, "status") {
            for s in st.split(',') {
                let open = match s.trim() {
                    "open" => true,
                    "closed" => false,
                    _ => return bad(fmt, "status must be open or closed"),
                };
                f.statuses
                    .extend(ReportStatus::ALL.iter().filter(|x| x.is_open() == open).map(|x| x.as_str().to_string()));
            }
        }
    }
    let page_size = match param(p, "page_size").map(str::parse::<u64>) {
        None => MAX_PAGE_SIZE,
        Some(Ok(n)) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
        Some(_) => return bad(fmt, "page_size must be between 1 and 1000"),
    };
    let page = match param(p, "page").map(str::parse::<u64>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return bad(fmt, "page must be 1 or more"),
    };
    f.offset = (page - 1) * page_size;
    f.limit = page_size;
    let rows = match reports::list(&state.db, ctx.jid(), &f).await {
        Ok(r) => r,
        Err(e) => return internal(fmt, e),
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let notes = match reports::latest_public_notes(&state.db, ctx.jid(), &ids).await {
        Ok(n) => n,
        Err(e) => return internal(fmt, e),
    };
    let t = tr(ctx, p);
    let items = rows.iter().map(|r| request_node(state, ctx, &t, r, &notes)).collect();
    respond(fmt, StatusCode::OK, "service_requests", &Node::List("request", items))
}

fn internal(fmt: Fmt, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "open311");
    error(fmt, StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

async fn one_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let Some((id, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "not found") };
    if let Some(r) = check_jurisdiction(&ctx, &p, fmt) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else { return error(fmt, StatusCode::NOT_FOUND, "service_request_id not found") };
    let r = match reports::by_id(&state.db, ctx.jid(), id).await {
        Ok(r) if !r.hidden => r,
        _ => return error(fmt, StatusCode::NOT_FOUND, "service_request_id not found"),
    };
    let notes = reports::latest_public_notes(&state.db, ctx.jid(), &[r.id]).await.unwrap_or_default();
    let t = tr(&ctx, &p);
    respond(
        fmt,
        StatusCode::OK,
        "service_requests",
        &Node::List("request", vec![request_node(&state, &ctx, &t, &r, &notes)]),
    )
}

async fn token(State(state): State<AppState>, ctx: Ctx, Path(file): Path<String>, Query(p): Query<Params>) -> Response {
    let Some((tok, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "not found") };
    if let Some(r) = check_jurisdiction(&ctx, &p, fmt) {
        return r;
    }
    let r = match reports::by_token(&state.db, ctx.jid(), tok).await {
        Ok(r) if !r.hidden => r,
        _ => return error(fmt, StatusCode::NOT_FOUND, "token not found"),
    };
    let body = Node::List(
        "request",
        vec![Node::Obj(vec![
            ("service_request_id", Node::Str(r.id.to_string())),
            ("token", Node::Str(tok.to_string())),
        ])],
    );
    respond(fmt, StatusCode::OK, "service_requests", &body)
}

/// `POST /open311/v2/requests.{json,xml}` (form-encoded).
async fn create(State(state): State<AppState>, ctx: Ctx, Path(file): Path<String>, Form(p): Form<Params>) -> Response {
    let fmt = match split(&file) {
        Some(("requests", fmt)) => fmt,
        Some((_, fmt)) => return error(fmt, StatusCode::NOT_FOUND, "not found"),
        None => return error(Fmt::Json, StatusCode::NOT_FOUND, "not found"),
    };
    if let Some(r) = check_jurisdiction(&ctx, &p, fmt) {
        return r;
    }
    let Some(key) = param(&p, "api_key") else {
        return error(fmt, StatusCode::UNAUTHORIZED, "api_key is required to create a service request");
    };
    let key = match open311_keys::find(&state.db, ctx.jid(), key).await {
        Ok(Some(k)) => k,
        Ok(None) => {
            return error(fmt, StatusCode::FORBIDDEN, "invalid api_key received -- can't proceed with create_request");
        }
        Err(e) => return internal(fmt, e),
    };
    let Some(code) = param(&p, "service_code") else { return bad(fmt, "service_code is required") };
    if code.parse::<Category>().is_err() {
        return error(fmt, StatusCode::NOT_FOUND, "service_code not found");
    }
    let coord = |k: &str| param(&p, k).map(|v| v.trim().parse::<f64>());
    let (lat, lon) = match (coord("lat"), coord("long")) {
        (Some(Ok(a)), Some(Ok(b))) => (Some(a), Some(b)),
        (None, None) => (None, None),
        _ => return bad(fmt, "lat and long must both be decimal degrees"),
    };
    let address = param(&p, "address_string").unwrap_or("").to_string();
    if lat.is_none() && address.is_empty() {
        return bad(fmt, "lat and long, or address_string, are required");
    }
    let attributes = p
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("attribute[")?.strip_suffix(']')?.to_string(), v.clone())))
        .collect();
    let name = [param(&p, "first_name").unwrap_or(""), param(&p, "last_name").unwrap_or("")].join(" ");
    let s = Submission {
        category: code.to_string(),
        description: param(&p, "description").unwrap_or("").to_string(),
        lat,
        lon,
        address,
        zipcode: param(&p, "zipcode").unwrap_or("").to_string(),
        attributes,
        name: name.trim().to_string(),
        email: param(&p, "email").unwrap_or("").to_string(),
        phone: param(&p, "phone").unwrap_or("").to_string(),
        source: "open311".into(),
        open311_key_id: Some(key.id),
        // `media_url` is stored and returned as given, never fetched: the server makes no outbound requests.
        media_url: param(&p, "media_url").unwrap_or("").to_string(),
        photo: None,
    };
    let t = tr(&ctx, &p);
    match service::submit(&state, &ctx, s).await {
        Ok(Ok(r)) => {
            if let Err(e) = ctx
                .audit(&state, "open311.create", &format!("report:{}", r.id), "success", json!({"key": key.prefix}))
                .await
            {
                return internal(fmt, format!("{e:?}"));
            }
            let body = Node::List(
                "request",
                vec![Node::Obj(vec![
                    ("service_request_id", Node::Str(r.id.to_string())),
                    ("token", Node::Str(r.token.clone())),
                    ("service_notice", Node::Str(t.t("open311-service-notice"))),
                    ("account_id", Node::Null),
                ])],
            );
            respond(fmt, StatusCode::OK, "service_requests", &body)
        }
        Ok(Err(refusal)) => bad(fmt, &format!("{}: {}", refusal.field, refusal.message)),
        Err(e) => internal(fmt, format!("{e:?}")),
    }
}
