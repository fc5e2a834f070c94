//! Shared by the CLI and browser tests: a fresh database (temp SQLite file or new PostgreSQL database) and a
//! way to run the real `commonbeat` binary against it.
#![allow(dead_code)]

use commonbeat_store::DbUrl;
use sea_orm::ConnectionTrait;
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_commonbeat");
pub const PW: &str = "lantern orchard velvet quarry";

/// A fresh database: a temp SQLite file or a new PostgreSQL database (dropped at the end).
pub struct Target {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

pub fn pg_admin() -> Option<String> {
    std::env::var("COMMONBEAT_TEST_POSTGRES").ok().filter(|v| !v.is_empty())
}

pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

impl Target {
    pub fn new() -> Target {
        let dir = tempfile::tempdir().unwrap();
        match pg_admin() {
            Some(admin) => {
                let name = format!(
                    "cb_cli_{}",
                    &commonbeat_store::secrets::hash_token(&commonbeat_store::secrets::new_token())[..16]
                );
                block(async {
                    let db = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await.unwrap();
                    db.conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
                });
                let base = admin.rsplit_once('/').unwrap().0.to_string();
                Target { url: format!("{base}/{name}"), dir, pg: Some((admin, name)) }
            }
            None => Target { url: format!("sqlite://{}/cb.db", dir.path().display()), dir, pg: None },
        }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_stdin(args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(BIN)
            .args(args)
            .env("COMMONBEAT_DATABASE_URL", &self.url)
            .env_remove("COMMONBEAT_SMTP_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    /// Rows of two text columns named `a` and `b` (`b` may be NULL).
    pub fn pairs(&self, sql: &str) -> Vec<(String, Option<String>)> {
        block(async {
            let db = commonbeat_store::connect(&DbUrl::parse(&self.url).unwrap()).await.unwrap();
            let rows = db.conn.query_all_raw(db.stmt(sql, vec![])).await.unwrap();
            db.conn.close().await.ok();
            rows.iter()
                .map(|r| (r.try_get::<String>("", "a").unwrap(), r.try_get::<Option<String>>("", "b").unwrap()))
                .collect()
        })
    }

    pub fn sql(&self, sql: &str) {
        block(async {
            let db = commonbeat_store::connect(&DbUrl::parse(&self.url).unwrap()).await.unwrap();
            db.conn.execute_unprepared(sql).await.unwrap();
            db.conn.close().await.ok();
        });
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            block(async {
                if let Ok(db) = commonbeat_store::connect(&DbUrl::parse(&admin).unwrap()).await {
                    let _ = db.conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        }
    }
}

pub fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
