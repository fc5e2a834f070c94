//! Schema migrations: one set for both backends, one migration per file, each in a transaction.
//! Never edit a migration that has been released; add a new one.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_partnerships;
mod m0003_decisions;
mod m0004_meetings;
mod m0005_incidents;
mod m0006_decision_schedule;
mod m0007_problems;
mod m0008_reports;
mod m0009_surveys;
mod m0010_recruiting;
mod m0011_sustaining;
mod m0012_self_assessment;
mod m0013_problem_polygons;
mod m0014_report_media_url;
mod m0015_survey_zips;
mod schema;

/// Every table the application owns, parents before children. Backup and restore walk this list; a test checks
/// that it names every table the migrations create.
pub const TABLES: &[&str] = &[
    "jurisdictions",
    "settings",
    "users",
    "recovery_codes",
    "sessions",
    "login_failures",
    "api_tokens",
    "one_time_tokens",
    "audit_log",
    "outbox",
    "jobs",
    "rate_limits",
    "areas",
    "area_demographics",
    "partnerships",
    "partnership_areas",
    "partnership_events",
    "memberships",
    "member_profiles",
    "leadership_terms",
    "decisions",
    "decision_voters",
    "ballots",
    "decision_comments",
    "cg_statements",
    "cg_votes",
    "meetings",
    "meeting_rsvps",
    "meeting_attendance",
    "minutes_approvals",
    "agenda_templates",
    "commitments",
    "commitment_notes",
    "announcements",
    "notification_prefs",
    "user_keys",
    "digest_items",
    "incident_imports",
    "incidents",
    "problems",
    "problem_events",
    "problem_strategies",
    "open311_keys",
    "reports",
    "report_notes",
    "report_followers",
    "report_photos",
    "surveys",
    "survey_versions",
    "survey_waves",
    "survey_tokens",
    "survey_responses",
    "survey_texts",
    "recruit_events",
    "recruit_event_hosts",
    "recruit_candidates",
    "recruit_stage_changes",
    "recruit_referrals",
    "recruit_panelists",
    "recruit_scores",
    "health_snapshots",
    "health_alerts",
    "self_assessment_rounds",
    "self_assessment_participants",
    "self_assessment_responses",
    "area_zip_codes",
];

/// The migrator.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_partnerships::Migration),
            Box::new(m0003_decisions::Migration),
            Box::new(m0004_meetings::Migration),
            Box::new(m0005_incidents::Migration),
            Box::new(m0006_decision_schedule::Migration),
            Box::new(m0007_problems::Migration),
            Box::new(m0008_reports::Migration),
            Box::new(m0009_surveys::Migration),
            Box::new(m0010_recruiting::Migration),
            Box::new(m0011_sustaining::Migration),
            Box::new(m0012_self_assessment::Migration),
            Box::new(m0013_problem_polygons::Migration),
            Box::new(m0014_report_media_url::Migration),
            Box::new(m0015_survey_zips::Migration),
        ]
    }
}

/// Applies all pending migrations.
pub async fn migrate(db: &crate::Db) -> Result<(), DbErr> {
    Migrator::up(&db.conn, None).await
}

/// Number of migrations not yet applied.
pub async fn pending(db: &crate::Db) -> Result<usize, DbErr> {
    Ok(Migrator::get_pending_migrations(&db.conn).await?.len())
}
