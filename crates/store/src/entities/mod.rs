//! SeaORM entities, one module per table. Relations are expressed as foreign keys in the migrations and
//! followed explicitly in the repositories.

pub mod api_token;
pub mod area;
pub mod area_demographic;
pub mod audit_entry;
pub mod ballot;
pub mod cg_statement;
pub mod cg_vote;
pub mod decision;
pub mod decision_comment;
pub mod decision_voter;
pub mod job;
pub mod jurisdiction;
pub mod leadership_term;
pub mod login_failure;
pub mod member_profile;
pub mod membership;
pub mod one_time_token;
pub mod outbox_message;
pub mod partnership;
pub mod partnership_area;
pub mod partnership_event;
pub mod recovery_code;
pub mod session;
pub mod setting;
pub mod user;
