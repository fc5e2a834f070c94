//! Pure domain rules and types of CommonBeat.
//!
//! Nothing in this crate performs I/O, talks to a database or knows about HTTP. Input from the outside world is
//! parsed into the types defined here at the edge of the system ("parse, don't validate"), so code further in can
//! rely on their invariants.
#![forbid(unsafe_code)]

pub mod account;
pub mod audit;
pub mod census;
pub mod commitment;
pub mod decision;
pub mod geo;
pub mod geocode;
pub mod health;
pub mod ical;
pub mod incident;
pub mod locale;
pub mod meeting;
pub mod minutes;
pub mod partnership;
pub mod photo;
pub mod problem;
pub mod report;
pub mod self_assessment;
pub mod survey;
pub mod text;
pub mod zip;

pub use account::{Email, EmailError, PasswordError, PersonName, Role, Side, check_password};
pub use audit::{AuditRecord, ChainBreak, GENESIS_HASH, verify_chain};
pub use locale::Locale;
pub mod recruit;
