//! `commonbeat open311 key add|list|revoke`: the API keys Open311 clients need to create service requests. A key
//! is printed once and stored only as its SHA-256; every change is audited with actor `cli`.

use crate::cli::{Global, Open311Command, Open311KeyCommand};
use crate::commands::{cli_audit, jurisdiction, open};
use commonbeat_store::repo::open311_keys;
use std::process::ExitCode;

/// Runs an `open311` subcommand.
pub async fn run(g: &Global, cmd: Open311Command) -> anyhow::Result<ExitCode> {
    let db = open(g, "./commonbeat-data").await?;
    let j = jurisdiction(&db, g).await?;
    match cmd {
        Open311Command::Key(Open311KeyCommand::Add { name }) => {
            let label = name.trim();
            anyhow::ensure!(!label.is_empty() && label.chars().count() <= 100, "--name: 1 to 100 characters");
            let (key, rec) = open311_keys::create(&db, j.id, label).await?;
            cli_audit(
                &db,
                j.id,
                "open311.key.create",
                &format!("open311_key:{}", rec.id),
                serde_json::json!({"label": label}),
            )
            .await?;
            println!("{key}");
            if !g.quiet {
                eprintln!(
                    "this key is shown once; it is stored hashed and can be revoked with `commonbeat open311 key revoke --id {}`",
                    rec.id
                );
            }
        }
        Open311Command::Key(Open311KeyCommand::List) => {
            for k in open311_keys::list(&db, j.id).await? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "live" };
                println!("{}\t{}\t{}…\t{state}", k.id, k.label, k.prefix);
            }
        }
        Open311Command::Key(Open311KeyCommand::Revoke { id }) => {
            open311_keys::revoke(&db, j.id, id).await?;
            cli_audit(&db, j.id, "open311.key.revoke", &format!("open311_key:{id}"), serde_json::json!({})).await?;
            if !g.quiet {
                eprintln!("revoked key {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
