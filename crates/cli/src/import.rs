//! `commonbeat import areas|demographics|zips`: validate the whole file first (every problem reported with its feature
//! index or line and field), then write it in one transaction — a bad file changes nothing.

use crate::cli::{Global, ImportCommand};
use crate::commands::open;
use anyhow::{Context, anyhow, bail};
use commonbeat_domain::{census, geo};
use commonbeat_store::repo::areas::{self, DemographicCount, NewArea};
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_store::repo::zips;
use std::process::ExitCode;

/// Runs an import.
pub async fn run(g: &Global, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let db = open(g, "./commonbeat-data").await?;
    let j = crate::commands::jurisdiction(&db, g).await?;
    let (action, details) = match cmd {
        ImportCommand::Areas { file, kind, name_property } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let features = match geo::parse_areas(&text, &name_property) {
                Ok(f) => f,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    bail!("{} problem(s) in {}; nothing was imported", errors.len(), file.display());
                }
            };
            let rows: Vec<NewArea> = features
                .iter()
                .map(|f| NewArea {
                    name: f.name.clone(),
                    geometry: f.geometry.to_geojson().to_string(),
                    bbox: f.geometry.bbox(),
                    area_m2: f.geometry.area_m2(),
                })
                .collect();
            let (created, updated) = areas::import(&db, j.id, &kind, rows).await?;
            if !g.quiet {
                println!(
                    "imported {} {kind} area(s) from {}: {created} new, {updated} updated",
                    features.len(),
                    file.display()
                );
            }
            (
                "import.areas",
                serde_json::json!({"file": file.display().to_string(), "kind": kind, "created": created, "updated": updated}),
            )
        }
        ImportCommand::Zips { file, replace } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let known = areas::list(&db, j.id, None).await?;
            let rows = match zip_rows(&text, &known) {
                Ok(r) => r,
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{}: {p}", file.display());
                    }
                    bail!("{} problem(s) in {}; nothing was imported", problems.len(), file.display());
                }
            };
            let n = zips::import(&db, j.id, &rows, replace).await.map_err(|e| anyhow!("{e}"))?;
            if !g.quiet {
                println!("imported {n} ZIP code(s) from {}", file.display());
            }
            ("import.zips", serde_json::json!({"file": file.display().to_string(), "rows": n, "replace": replace}))
        }
        ImportCommand::Incidents { file, profile, mapping, rejects } => {
            return crate::import_incidents::run(g, &db, &j, file, profile, mapping, rejects).await;
        }
        ImportCommand::Demographics { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = match census::parse_demographics_csv(&text) {
                Ok(r) => r,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    bail!("{} problem(s) in {}; nothing was imported", errors.len(), file.display());
                }
            };
            let known = areas::list(&db, j.id, None).await?;
            let mut out = Vec::with_capacity(rows.len());
            let mut problems = Vec::new();
            for r in &rows {
                let matches: Vec<_> = known.iter().filter(|a| a.name == r.area).collect();
                match matches.as_slice() {
                    [a] => out.push(DemographicCount {
                        area_id: a.id,
                        dimension: r.dimension.as_str().into(),
                        category: r.category.into(),
                        count: r.count as i64,
                    }),
                    [] => problems
                        .push(format!("line {}, field area: no area named {:?} (import areas first)", r.line, r.area)),
                    _ => {
                        problems.push(format!("line {}, field area: {:?} names areas of several kinds", r.line, r.area))
                    }
                }
            }
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{}: {p}", file.display());
                }
                bail!("{} problem(s) in {}; nothing was imported", problems.len(), file.display());
            }
            let n = areas::replace_demographics(&db, j.id, out).await.map_err(|e| anyhow!("{e}"))?;
            if !g.quiet {
                println!("imported {n} census count(s) from {}", file.display());
            }
            ("import.demographics", serde_json::json!({"file": file.display().to_string(), "rows": n}))
        }
    };
    audit::append(
        &db,
        j.id,
        AuditEvent {
            actor: "cli".into(),
            action: action.into(),
            object: "areas".into(),
            outcome: "success".into(),
            source: "cli".into(),
            details: details.to_string(),
            ..Default::default()
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The rows of a ZIP mapping file with their area ids, or every problem (line and field): the file's own and areas
/// that do not exist or whose name is ambiguous.
fn zip_rows(text: &str, known: &[commonbeat_store::entities::area::Model]) -> Result<Vec<(String, i64)>, Vec<String>> {
    let rows = commonbeat_domain::zip::parse_zip_csv(text)
        .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let mut out = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    for r in rows {
        let by_id = r.area.parse::<i64>().ok().and_then(|id| known.iter().find(|a| a.id == id));
        let matches: Vec<_> = match by_id {
            Some(a) => vec![a],
            None => known.iter().filter(|a| a.name.eq_ignore_ascii_case(&r.area)).collect(),
        };
        match matches.as_slice() {
            [a] => out.push((r.zip.as_str().to_string(), a.id)),
            [] => {
                problems.push(format!("line {}, field area: no area named {:?} (import areas first)", r.line, r.area))
            }
            _ => {
                problems.push(format!("line {}, field area: {:?} names several areas; use the area id", r.line, r.area))
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}
