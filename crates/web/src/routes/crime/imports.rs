//! The analysts' import page: upload an incident file (CSV) with its profile, watch the progress, read the
//! reject report. Police and administrators only; every import is audited.

use crate::AppState;
use crate::context::Ctx;
use crate::crime::import::{self, ImportRequest, RejectOut, csv_cell, formula_safe};
use crate::error::{AppError, AppResult};
use crate::routes::pages::{Shell, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use commonbeat_store::entities::incident_import;
use commonbeat_store::repo::incidents;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;

use super::POLICE;

/// An import as listed.
pub struct ImportRow {
    id: i64,
    file: String,
    profile: String,
    status: String,
    status_key: String,
    started: String,
    rows: i64,
    created: i64,
    updated: i64,
    rejected: i64,
}

fn row(ctx: &Ctx, m: &incident_import::Model) -> ImportRow {
    let t = ctx.tr();
    ImportRow {
        id: m.id,
        file: m.file_name.clone(),
        profile: m.profile.clone(),
        status: t.t(&format!("crime-import-status-{}", m.status)),
        status_key: m.status.clone(),
        started: crate::timefmt::format_datetime(m.started_at, &ctx.jurisdiction.time_zone, ctx.locale),
        rows: m.rows_read,
        created: m.created,
        updated: m.updated,
        rejected: m.rejected,
    }
}

#[derive(Template)]
#[template(path = "crime/imports.html")]
struct ImportsPage {
    shell: Shell,
    error: Option<String>,
    notice: Option<String>,
    imports: Vec<ImportRow>,
    total: i64,
}

/// The import page.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require_role(POLICE)?;
    imports_page(&state, &ctx, None).await
}

async fn imports_page(state: &AppState, ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let list = incidents::recent_imports(&state.db, ctx.jid(), 20).await?;
    let page = ImportsPage {
        shell: Shell::new(ctx, "crime-imports-title"),
        error,
        notice: None,
        imports: list.iter().map(|m| row(ctx, m)).collect(),
        total: incidents::count(&state.db, ctx.jid()).await?,
    };
    if page.error.is_some() {
        return crate::routes::pages::render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    render(&page)
}

/// Receives an upload, records the import and runs it in the background; redirects to its progress page.
pub async fn upload(State(state): State<AppState>, ctx: Ctx, mut form: Multipart) -> AppResult<Response> {
    let user = ctx.require_role(POLICE)?.clone();
    let t = ctx.tr();
    let mut profile = String::new();
    let mut mapping = String::new();
    let mut file_name = String::new();
    let path = std::env::temp_dir().join(format!("commonbeat-upload-{}-{}.csv", std::process::id(), rand_suffix()));
    let mut got_file = false;
    let too_large = || AppError::invalid("file", "the file could not be received (larger than 512 MiB?)");
    while let Some(mut field) = form.next_field().await.map_err(|_| too_large())? {
        match field.name().unwrap_or("") {
            "profile" => profile = field.text().await.map_err(|_| too_large())?,
            "mapping" => mapping = field.text().await.map_err(|_| too_large())?,
            "file" => {
                file_name = field.file_name().unwrap_or("upload.csv").chars().take(200).collect();
                let mut out = std::fs::File::create(&path).map_err(|e| AppError::Internal(e.to_string()))?;
                while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                    out.write_all(&chunk).map_err(|e| AppError::Internal(e.to_string()))?;
                    got_file = true;
                }
            }
            _ => {}
        }
    }
    if !["chicago", "lapd", "nypd", "generic"].contains(&profile.as_str()) {
        let _ = std::fs::remove_file(&path);
        return imports_page(&state, &ctx, Some(t.t("crime-import-need-profile"))).await;
    }
    if !got_file {
        let _ = std::fs::remove_file(&path);
        return imports_page(&state, &ctx, Some(t.t("crime-import-need-file"))).await;
    }
    let jid = ctx.jid();
    let import_id = incidents::start_import(&state.db, jid, &profile, &file_name, Some(user.id)).await?;
    ctx.audit(
        &state,
        "import.incidents.start",
        &format!("incident_import:{import_id}"),
        "success",
        serde_json::json!({"file": file_name, "profile": profile}),
    )
    .await?;
    let progress = state.crime.track(import_id);
    let tz = ctx.time_zone();
    let req = ImportRequest {
        profile,
        mapping: Some(mapping).filter(|m| !m.trim().is_empty()),
        file_name,
        started_by: Some(user.id),
        rejects_csv: None,
    };
    let bg = state.clone();
    tokio::spawn(async move {
        let result = import::run_started(&bg.db, jid, import_id, tz, &path, req, progress).await;
        let _ = std::fs::remove_file(&path);
        if let Err(e) = &result {
            tracing::warn!(import_id, error = %e, "incident import failed");
        } else if let Err(e) = bg.crime.reload(&bg.db, jid).await {
            tracing::warn!(error = %e, "crime cache reload failed");
        }
        bg.crime.untrack(import_id);
    });
    Ok(Redirect::to(&format!("/crime/imports/{import_id}")).into_response())
}

fn rand_suffix() -> u64 {
    use rand::Rng;
    rand::thread_rng().r#gen()
}

/// `?fragment=1` returns only the status block (for polling).
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    fragment: Option<u8>,
    format: Option<String>,
}

macro_rules! status_template {
    ($name:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path)]
        struct $name {
            shell: Shell,
            import: ImportRow,
            running: bool,
            percent: u8,
            progress_rows: u64,
            error: String,
            reasons: Vec<(String, u64)>,
            rejects: Vec<RejectOut>,
        }
    };
}
status_template!(ShowPage, "crime/import_show.html");
status_template!(StatusFragment, "crime/import_fragment.html");

/// One import: progress while it runs, then its counts and reject report (`?format=csv` downloads the rejects,
/// formula-safe).
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    ctx.require_role(POLICE)?;
    let m = incidents::import_by_id(&state.db, ctx.jid(), id).await?;
    let rejects: Vec<RejectOut> = serde_json::from_str(&m.rejects_sample).unwrap_or_default();
    if q.format.as_deref() == Some("csv") {
        let mut body = String::from("row,field,reason\n");
        for r in &rejects {
            body.push_str(&format!(
                "{},{},{}\n",
                r.row,
                csv_cell(&formula_safe(&r.field)),
                csv_cell(&formula_safe(&r.reason))
            ));
        }
        ctx.audit(
            &state,
            "export.rejects",
            &format!("incident_import:{id}"),
            "success",
            serde_json::json!({"rows": rejects.len()}),
        )
        .await?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"rejects.csv\""),
            ],
            body,
        )
            .into_response());
    }
    let reasons: BTreeMap<String, u64> = serde_json::from_str(&m.rejects_by_reason).unwrap_or_default();
    let p = state.crime.progress(id);
    let running = m.status == incidents::STATUS_RUNNING;
    macro_rules! fill {
        ($t:ident) => {
            $t {
                shell: Shell::titled(&ctx, ctx.tr().t1("crime-import-title", "file", &m.file_name)),
                import: row(&ctx, &m),
                running,
                percent: p.as_ref().map(|p| p.percent()).unwrap_or(0),
                progress_rows: p.as_ref().map(|p| p.rows.load(std::sync::atomic::Ordering::Relaxed)).unwrap_or(0),
                error: m.error.clone(),
                reasons: reasons.into_iter().collect(),
                rejects: rejects.into_iter().take(100).collect(),
            }
        };
    }
    if q.fragment == Some(1) { render(&fill!(StatusFragment)) } else { render(&fill!(ShowPage)) }
}
