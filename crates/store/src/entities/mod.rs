//! SeaORM entities, one module per table. Relations are expressed as foreign keys in the migrations and
//! followed explicitly in the repositories.

pub mod api_token;
pub mod audit_entry;
pub mod job;
pub mod jurisdiction;
pub mod login_failure;
pub mod one_time_token;
pub mod outbox_message;
pub mod recovery_code;
pub mod session;
pub mod setting;
pub mod user;
