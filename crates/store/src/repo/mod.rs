//! Repository functions: the only way the web layer reads or writes the database.
//!
//! Every function on tenant-owned data takes `jurisdiction_id` and filters by it.

pub mod areas;
pub mod audit;
pub mod commitments;
pub mod decisions;
pub mod health;
pub mod incidents;
pub mod incidents_bulk_pg;
pub mod incidents_bulk_sqlite;
pub mod jobs;
pub mod jurisdictions;
pub mod leadership;
pub mod meetings;
pub mod members;
pub mod notify;
pub mod open311_keys;
pub mod outbox;
pub mod partnerships;
pub mod problems;
pub mod recruiting;
pub mod reports;
pub mod self_assessment;
pub mod sessions;
pub mod settings;
pub mod survey_columns;
pub mod surveys;
pub mod throttle;
pub mod tokens;
pub mod transparency;
pub mod users;
pub mod zips;
