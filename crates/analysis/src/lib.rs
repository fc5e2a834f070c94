//! Pure statistics and geometry for CommonBeat. Works on slices and columns; no I/O.
//!
//! The foundation provides small-cell suppression, which every public table of counts goes through. Later
//! modules (time series, Gi*, KDE, Knox, WDQ/WDD, raking) follow the definitions in the project's METHODS.md.
#![forbid(unsafe_code)]

pub mod agreement;
pub mod assessment;
pub mod etest;
pub mod fairness;
pub mod grid;
pub mod hotspot;
pub mod kde;
pub mod moran;
pub mod near_repeat;
pub mod normal;
pub mod places;
pub mod projection;
pub mod raking;
pub mod representation;
pub mod student_t;
pub mod suppression;
pub mod survey;
pub mod trend;
