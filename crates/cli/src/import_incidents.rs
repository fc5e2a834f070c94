//! `commonbeat import incidents`: runs the shared import pipeline with a progress bar, prints the reject
//! summary, writes the reject report, and records the import in the audit log.

use commonbeat_store::Db;
use commonbeat_store::entities::jurisdiction;
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_web::crime::Progress;
use commonbeat_web::crime::import::{self, ImportError, ImportRequest};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::cli::Global;

/// Imports one incident file.
pub async fn run(
    g: &Global,
    db: &Db,
    j: &jurisdiction::Model,
    file: PathBuf,
    profile: String,
    mapping: Option<PathBuf>,
    rejects: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mapping = match &mapping {
        Some(p) => {
            Some(std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("cannot read mapping {}: {e}", p.display()))?)
        }
        None => None,
    };
    let rejects = rejects.unwrap_or_else(|| {
        let mut name = file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".rejects.csv");
        file.with_file_name(name)
    });
    let tz = jiff::tz::TimeZone::get(&j.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let progress = Arc::new(Progress::default());
    let bar = (!g.quiet).then(|| {
        let b = indicatif::ProgressBar::new(std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0));
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let ticker = bar.clone().map(|b| {
        let p = progress.clone();
        tokio::spawn(async move {
            loop {
                b.set_position(p.bytes.load(Ordering::Relaxed));
                b.set_message(format!(
                    "{} rows, {} rejected",
                    p.rows.load(Ordering::Relaxed),
                    p.rejected.load(Ordering::Relaxed)
                ));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });
    let req = ImportRequest {
        profile: profile.clone(),
        mapping,
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        started_by: None,
        rejects_csv: Some(rejects.clone()),
    };
    let started = std::time::Instant::now();
    let result = import::run(db, j.id, tz, &file, req, progress).await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        Err(ImportError::File(msg)) => {
            eprintln!("{}: {msg}", file.display());
            anyhow::bail!("nothing was imported from {}", file.display());
        }
        Err(e) => anyhow::bail!("{e}; nothing was imported from {}", file.display()),
    };
    if !g.quiet {
        println!(
            "imported {} incident(s) from {} in {:.2} s: {} new, {} updated, {} without a location; {} row(s) rejected",
            outcome.counts.accepted,
            file.display(),
            started.elapsed().as_secs_f64(),
            outcome.counts.created,
            outcome.counts.updated,
            outcome.counts.accepted as u64 - outcome.with_point.min(outcome.counts.accepted as u64),
            outcome.rejected
        );
        for (reason, n) in &outcome.by_reason {
            println!("  rejected {n}: {reason}");
        }
        for r in outcome.sample.iter().take(5) {
            println!("  row {}, field {}: {}", r.row, r.field, r.reason);
        }
        if outcome.rejected > 0 {
            println!("reject report: {}", rejects.display());
        }
    }
    audit::append(
        db,
        j.id,
        AuditEvent {
            actor: "cli".into(),
            action: "import.incidents".into(),
            object: format!("incident_import:{}", outcome.import_id),
            outcome: "success".into(),
            source: "cli".into(),
            details: serde_json::json!({
                "file": file.display().to_string(), "profile": profile, "rows": outcome.rows_read,
                "created": outcome.counts.created, "updated": outcome.counts.updated, "rejected": outcome.rejected,
            })
            .to_string(),
            ..Default::default()
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
