//! What each subcommand does.

use crate::cli::{AuditCommand, Cli, Command, Global, ServeArgs, UserCommand};
use anyhow::{Context, anyhow, bail};
use commonbeat_domain::{Email, Locale, PersonName, Role, check_password};
use commonbeat_store::repo::audit::{self, AuditEvent};
use commonbeat_store::repo::users::{self, Change, NewUser};
use commonbeat_store::repo::{jurisdictions, sessions, tokens};
use commonbeat_store::{Db, DbUrl, backup, migration};
use commonbeat_web::{AppState, WebConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs a parsed command line.
pub async fn run(args: Cli) -> anyhow::Result<ExitCode> {
    let g = args.global.clone();
    match args.command {
        Command::Serve(s) => serve(&g, s).await,
        Command::Demo(d) => crate::demo::run(&g, d).await,
        Command::Migrate => {
            let db = open(&g, "./commonbeat-data").await?;
            let pending = migration::pending(&db).await?;
            migration::migrate(&db).await?;
            say(&g, &format!("applied {pending} migration(s); database is up to date"));
            Ok(ExitCode::SUCCESS)
        }
        Command::User(u) => user(&g, u).await,
        Command::Backup { file } => {
            let db = open(&g, "./commonbeat-data").await?;
            let bar = spinner(&g, "backing up");
            let rows = backup::backup(&db, &file, &|t, n| bar.set_message(format!("{t}: {n} rows"))).await?;
            bar.finish_and_clear();
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            say(
                &g,
                &format!(
                    "backup written to {} ({size} bytes{})",
                    file.display(),
                    if rows > 0 { format!(", {rows} rows") } else { String::new() }
                ),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, force } => {
            let url = db_url(&g, "./commonbeat-data")?;
            let bar = spinner(&g, "restoring");
            let rows = backup::restore(&url, &file, force, &|t, n| bar.set_message(format!("{t}: {n} rows"))).await?;
            bar.finish_and_clear();
            say(
                &g,
                &format!(
                    "restored {} into {}{}",
                    file.display(),
                    url.redacted(),
                    if rows > 0 { format!(" ({rows} rows)") } else { String::new() }
                ),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(cmd) => crate::import::run(&g, cmd).await,
        Command::Open311(cmd) => crate::open311::run(&g, cmd).await,
        Command::Audit(AuditCommand::Verify) => {
            let db = open(&g, "./commonbeat-data").await?;
            let mut total = 0;
            for j in jurisdictions::list(&db).await? {
                match audit::verify(&db, j.id).await? {
                    Ok(n) => total += n,
                    Err(b) => {
                        eprintln!("audit chain of jurisdiction {:?} is broken at entry {}: {}", j.slug, b.id, b.reason);
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            say(&g, &format!("audit chain intact: {total} entries verified"));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn say(g: &Global, msg: &str) {
    if !g.quiet {
        println!("{msg}");
    }
}

fn spinner(g: &Global, what: &str) -> ProgressBar {
    if g.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The database URL from the flags: --database-url, else SQLite in --data-dir (or `default_dir`).
pub fn db_url(g: &Global, default_dir: &str) -> anyhow::Result<DbUrl> {
    match &g.database_url {
        Some(u) => Ok(DbUrl::parse(u)?),
        None => Ok(DbUrl::sqlite_in(&data_dir(g, default_dir))),
    }
}

/// The data directory.
pub fn data_dir(g: &Global, default_dir: &str) -> PathBuf {
    g.data_dir.clone().unwrap_or_else(|| PathBuf::from(default_dir))
}

/// Opens the database and applies migrations.
pub async fn open(g: &Global, default_dir: &str) -> anyhow::Result<Db> {
    let url = db_url(g, default_dir)?;
    let db = commonbeat_store::connect(&url).await.with_context(|| format!("cannot open {}", url.redacted()))?;
    migration::migrate(&db).await.context("migrating the database")?;
    Ok(db)
}

/// The jurisdiction a CLI command acts on.
pub async fn jurisdiction(db: &Db, g: &Global) -> anyhow::Result<commonbeat_store::entities::jurisdiction::Model> {
    match &g.jurisdiction {
        Some(slug) => jurisdictions::by_slug(db, slug).await.map_err(|_| anyhow!("no jurisdiction {slug:?}")),
        None => {
            let all = jurisdictions::list(db).await?;
            match all.len() {
                0 => Ok(jurisdictions::ensure_default(db, "CommonBeat", "America/Chicago").await?),
                1 => Ok(all.into_iter().next().expect("one")),
                _ => bail!("several jurisdictions exist; choose one with --jurisdiction SLUG"),
            }
        }
    }
}

pub async fn cli_audit(
    db: &Db,
    jid: i64,
    action: &str,
    object: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    audit::append(
        db,
        jid,
        AuditEvent {
            actor_id: None,
            actor: "cli".into(),
            action: action.into(),
            object: object.into(),
            outcome: "success".into(),
            source: "cli".into(),
            details: details.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Web configuration for a served or CLI-driven app.
pub fn web_config(s: &ServeArgs) -> anyhow::Result<WebConfig> {
    if !commonbeat_web::timefmt::valid_time_zone(&s.time_zone) {
        bail!("--time-zone {:?} is not an IANA time zone (e.g. America/Chicago)", s.time_zone);
    }
    let mut c = WebConfig::local(&s.public_url.clone().unwrap_or_else(|| format!("http://{}", s.bind)));
    c.smtp_url = s.smtp_url.clone();
    c.mail_from = s.mail_from.clone();
    c.time_zone = s.time_zone.clone();
    c.audit_retention_days = s.audit_retention_days;
    c.tile_url = s.tile_url.clone().filter(|t| !t.is_empty());
    Ok(c)
}

/// Binds and serves until Ctrl-C or SIGTERM.
pub async fn serve_with(db: Db, config: WebConfig, bind: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    // An import still `running` after an hour belonged to a process that died; nothing of it was committed.
    let stale = commonbeat_store::repo::incidents::mark_interrupted(&db, commonbeat_store::now() - 3600).await?;
    if stale > 0 {
        tracing::warn!(stale, "marked interrupted incident imports as failed");
    }
    let state = AppState::new(db, config);
    commonbeat_web::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn serve(g: &Global, s: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = web_config(&s)?;
    let url = db_url(g, "./commonbeat-data")?;
    let db = commonbeat_store::connect(&url).await.with_context(|| format!("cannot open {}", url.redacted()))?;
    if s.no_migrate {
        let pending = migration::pending(&db).await?;
        if pending > 0 {
            bail!("{pending} migration(s) pending; run `commonbeat migrate` or drop --no-migrate");
        }
    } else {
        migration::migrate(&db).await?;
    }
    jurisdictions::ensure_default(&db, &s.jurisdiction_name, &s.time_zone).await?;
    if users::count(&db, jurisdiction(&db, g).await?.id).await? == 0 {
        eprintln!(
            "no accounts yet: create the first administrator with `commonbeat user add --role admin --email … --name …`"
        );
    }
    say(g, &format!("CommonBeat listening on {} ({})", config.public_url, url.redacted()));
    serve_with(db, config, &s.bind).await?;
    Ok(ExitCode::SUCCESS)
}

async fn user(g: &Global, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let db = open(g, "./commonbeat-data").await?;
    let j = jurisdiction(&db, g).await?;
    match cmd {
        UserCommand::Add { email, name, role, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| anyhow!("--email: {e}"))?;
            let name = PersonName::parse(&name).map_err(|e| anyhow!("--name: {e}"))?;
            let role: Role = role.parse().map_err(|e| anyhow!("--role: {e}"))?;
            let password_hash = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                let pw = line.trim_end_matches(['\n', '\r']);
                check_password(pw, &[email.as_str(), name.as_str()]).map_err(|e| anyhow!("password: {e}"))?;
                Some(commonbeat_web::auth::password::hash(pw))
            } else {
                None
            };
            let has_pw = password_hash.is_some();
            let u = users::create(&db, j.id, NewUser { email, name, role, password_hash, locale: Locale::En })
                .await
                .map_err(|e| anyhow!("{e}"))?;
            cli_audit(
                &db,
                j.id,
                "user.create",
                &format!("user:{}", u.id),
                serde_json::json!({"email": u.email, "role": u.role}),
            )
            .await?;
            say(g, &format!("created {} account {} (id {})", u.role, u.email, u.id));
            if !has_pw {
                let state = AppState::new(
                    db.clone(),
                    WebConfig::local(
                        &std::env::var("COMMONBEAT_PUBLIC_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into()),
                    ),
                );
                let link = commonbeat_web::routes::invites::send_invitation(&state, &j, &u, Locale::En)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                println!("invitation link (single use, 7 days): {link}");
            }
            if role.requires_mfa() {
                say(g, "this role must set up two-step sign-in (TOTP) at first sign-in");
            }
        }
        UserCommand::List => {
            println!("{:<6} {:<36} {:<28} {:<10} {:<5} status", "id", "email", "name", "role", "mfa");
            for u in users::list(&db, j.id).await? {
                let status = if u.disabled {
                    "disabled"
                } else if u.password_hash.is_none() {
                    "invited"
                } else {
                    "active"
                };
                println!(
                    "{:<6} {:<36} {:<28} {:<10} {:<5} {status}",
                    u.id,
                    u.email,
                    u.name,
                    u.role,
                    if u.mfa_enabled { "yes" } else { "no" }
                );
            }
        }
        UserCommand::Disable { email } => {
            let u = find(&db, j.id, &email).await?;
            users::update(&db, j.id, u.id, Change::Disabled(true)).await?;
            let ended = sessions::delete_for_user(&db, j.id, u.id).await?;
            cli_audit(&db, j.id, "user.disable", &format!("user:{}", u.id), serde_json::json!({})).await?;
            say(g, &format!("disabled {} and ended {ended} session(s)", u.email));
        }
        UserCommand::Token { email, name } => {
            let u = find(&db, j.id, &email).await?;
            let (token, rec) = tokens::create_api_token(&db, j.id, u.id, &name).await?;
            cli_audit(
                &db,
                j.id,
                "token.create",
                &format!("api_token:{}", rec.id),
                serde_json::json!({"label": name, "user": u.id}),
            )
            .await?;
            println!("{token}");
            if !g.quiet {
                eprintln!("this token is shown once; it is stored hashed and can be revoked in account settings");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn find(db: &Db, jid: i64, email: &str) -> anyhow::Result<commonbeat_store::entities::user::Model> {
    let e = Email::parse(email).map_err(|e| anyhow!("--email: {e}"))?;
    users::by_email(db, jid, &e).await?.ok_or_else(|| anyhow!("no account with email {e}"))
}
