//! Connecting to the database chosen by URL, with the SQLite settings the project relies on.

use crate::error::{StoreError, StoreResult};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The two supported backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (default).
    Sqlite,
    /// PostgreSQL (scale-out).
    Postgres,
}

/// A database URL that has been checked to name a supported backend.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    url: String,
    backend: Backend,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a password embedded in the URL.
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl DbUrl {
    /// Parses a URL: `sqlite://PATH` / `sqlite:PATH` or `postgres://…` / `postgresql://…`. Anything else is refused.
    pub fn parse(url: &str) -> StoreResult<DbUrl> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            let scheme = url.split(':').next().unwrap_or("");
            return Err(StoreError::Url(format!(
                "unsupported database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DB"
            )));
        };
        Ok(DbUrl { url: url.to_string(), backend })
    }

    /// The default SQLite URL inside a data directory.
    pub fn sqlite_in(data_dir: &Path) -> DbUrl {
        DbUrl { url: format!("sqlite://{}", data_dir.join("commonbeat.db").display()), backend: Backend::Sqlite }
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The SQLite file path, for SQLite URLs.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self.url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        Some(PathBuf::from(path))
    }

    /// The URL with any password replaced by `***`, for logs and messages.
    pub fn redacted(&self) -> String {
        match (self.url.find("://"), self.url.find('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &self.url[s + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!("{}{}:***{}", &self.url[..s + 3], user, &self.url[at..]),
                    None => self.url.clone(),
                }
            }
            _ => self.url.clone(),
        }
    }
}

/// A database handle: the connection pool plus what the repositories need to know about it.
#[derive(Clone, Debug)]
pub struct Db {
    /// The SeaORM connection pool.
    pub conn: DatabaseConnection,
    /// Which backend it talks to.
    pub backend: Backend,
    /// The URL it was opened with.
    pub url: DbUrl,
    /// Serialises audit appends within this process (the database serialises across processes on PostgreSQL).
    pub(crate) audit_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Db {
    /// SeaORM's backend tag, for building raw statements.
    pub fn db_backend(&self) -> DbBackend {
        match self.backend {
            Backend::Sqlite => DbBackend::Sqlite,
            Backend::Postgres => DbBackend::Postgres,
        }
    }

    /// A raw statement with `$1`-style placeholders for this backend.
    pub fn stmt(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(self.db_backend(), sql, values)
    }

    /// Starts a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken at the
    /// start and a busy database is waited for (busy timeout) instead of failing mid-transaction with
    /// `SQLITE_BUSY` when a read has to be upgraded to a write.
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        self.conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// Whether the database answers a trivial query (for `/healthz`).
    pub async fn ping(&self) -> bool {
        self.conn.execute_unprepared("SELECT 1").await.is_ok()
    }
}

/// Opens (creating, for SQLite) the database at `url`.
///
/// SQLite gets WAL, `synchronous=NORMAL`, a busy timeout and foreign keys, set through the connect options so
/// every pooled connection has them.
pub async fn connect(url: &DbUrl) -> StoreResult<Db> {
    let mut opts = ConnectOptions::new(url.as_str().to_string());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    match url.backend() {
        Backend::Sqlite => {
            if let Some(path) = url.sqlite_path()
                && let Some(parent) = path.parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)?;
            }
            opts.max_connections(8).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        }
        Backend::Postgres => {
            opts.max_connections(16).min_connections(1);
        }
    }
    let conn = Database::connect(opts).await?;
    Ok(Db { conn, backend: url.backend(), url: url.clone(), audit_lock: Arc::new(tokio::sync::Mutex::new(())) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_backends_and_refuse_others() {
        assert_eq!(DbUrl::parse("sqlite://x/y.db").unwrap().backend(), Backend::Sqlite);
        assert_eq!(DbUrl::parse("sqlite://x/y.db?mode=rwc").unwrap().sqlite_path().unwrap(), PathBuf::from("x/y.db"));
        assert_eq!(DbUrl::parse("postgresql://u@h/db").unwrap().backend(), Backend::Postgres);
        let err = DbUrl::parse("mysql://root@localhost/x").unwrap_err().to_string();
        assert!(err.contains("\"mysql\""), "{err}");
        assert!(DbUrl::parse("commonbeat.db").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        let u = DbUrl::parse("postgres://app:s3cret@db.example.org/cb").unwrap();
        assert_eq!(u.redacted(), "postgres://app:***@db.example.org/cb");
        assert!(!format!("{u:?}").contains("s3cret"));
    }
}
