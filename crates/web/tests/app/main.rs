//! Integration tests of the web application against a real server and a real database (SQLite by default,
//! PostgreSQL when `COMMONBEAT_TEST_POSTGRES` is set).

mod support;

mod accounts;
mod admin;
mod api;
mod auth;
mod common_ground;
mod crime;
mod decisions;
mod decisions_access;
mod email;
mod geocoding;
mod isolation;
mod meetings;
mod open311;
mod partnerships;
mod problem_location;
mod problems;
mod recruiting;
mod reports;
mod security;
mod self_assessment;
mod survey_items;
mod survey_zips;
mod surveys;
mod sustaining;
mod transparency;

#[tokio::test]
async fn backend_in_use_is_reported() {
    let db = support::TestDb::new();
    if db.is_postgres() {
        println!("integration suite running on PostgreSQL");
    } else {
        println!(
            "integration suite running on SQLite; PostgreSQL suite skipped (set COMMONBEAT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres to run it)"
        );
    }
    assert_eq!(db.is_postgres(), std::env::var("COMMONBEAT_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()));
}
