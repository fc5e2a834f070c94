//! The CommonBeat web application: server-rendered pages (USWDS + htmx), the JSON API under `/api/v1`, the
//! OpenAPI document, authentication (passwords, TOTP, sessions, API tokens), CSRF, security headers, i18n
//! (English and Spanish) and the background job worker.
#![forbid(unsafe_code)]

pub mod app;
pub mod assets;
pub mod auth;
pub mod config;
pub mod context;
pub mod crime;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod maps;
pub mod middleware;
pub mod notify;
pub mod openapi;
pub mod routes;
pub mod sustain;
pub mod timefmt;
pub mod transparency;

pub use app::{AppState, build_router, serve};
pub use config::WebConfig;
