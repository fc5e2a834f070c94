//! Persistence for CommonBeat.
//!
//! One set of SeaORM entities and migrations serves SQLite (the embedded default) and PostgreSQL (the scale-out
//! backend); the backend is chosen at run time from the database URL ([`db::connect`]). The web layer calls the
//! repository functions in [`repo`]; every function that touches tenant-owned data takes the jurisdiction id and
//! filters by it, so no caller can forget to.
#![forbid(unsafe_code)]

pub mod backup;
pub mod db;
pub mod entities;
pub mod error;
pub mod migration;
pub mod repo;
pub mod secrets;

pub use db::{Backend, Db, DbUrl, connect};
pub use error::StoreError;
pub use sea_orm::DatabaseConnection;

/// Current time as unix seconds. All stored times are UTC unix seconds (`i64`).
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
