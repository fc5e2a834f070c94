//! Recruiting with the community: outreach events and their host partnerships (`recruit_events`,
//! `recruit_event_hosts`), candidates with their consent and self-described groups (`recruit_candidates`), every
//! stage change (`recruit_stage_changes`), community referrals awaiting the candidate's confirmation
//! (`recruit_referrals`), and interview panels with their independent score sheets (`recruit_panelists`,
//! `recruit_scores`).

use super::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("recruit_events"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("title"))
                // fair, school, faith, ride_along, other
                .col(text("kind"))
                .col(text("place"))
                .col(big("starts_at"))
                .col(text("description"))
                .col(big("attendance"))
                .col(boolean("is_public", true))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .foreign_key(&mut fk("recruit_events", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_events", &["jurisdiction_id", "starts_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_event_hosts"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("event_id"))
                .col(big("partnership_id"))
                .foreign_key(&mut fk("recruit_event_hosts", "event_id", "recruit_events", true))
                .foreign_key(&mut fk("recruit_event_hosts", "partnership_id", "partnerships", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_event_hosts", &["event_id", "partnership_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_candidates"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("name"))
                .col(text("email"))
                .col(text("phone"))
                .col(text("stage"))
                // event, partnership, referral, direct
                .col(text("source"))
                .col(big_null("event_id"))
                .col(big_null("partnership_id"))
                .col(big_null("referrer_id"))
                // Self-described, optional: census race category id and sex ("" = not said).
                .col(text("race"))
                .col(text("sex"))
                .col(big("consent_at"))
                .col(big("created_at"))
                .col(big("stage_changed_at"))
                .col(big_null("closed_at"))
                .foreign_key(&mut fk("recruit_candidates", "event_id", "recruit_events", false))
                .foreign_key(&mut fk("recruit_candidates", "partnership_id", "partnerships", false))
                .foreign_key(&mut fk("recruit_candidates", "referrer_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_candidates", &["jurisdiction_id", "stage"], false)).await?;
        m.create_index(index("recruit_candidates", &["referrer_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_stage_changes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("candidate_id"))
                .col(text("from_stage"))
                .col(text("to_stage"))
                .col(text("note"))
                .col(big_null("author_id"))
                .col(big("created_at"))
                .foreign_key(&mut fk("recruit_stage_changes", "candidate_id", "recruit_candidates", true))
                .foreign_key(&mut fk("recruit_stage_changes", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_stage_changes", &["candidate_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_referrals"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("referrer_id"))
                .col(big_null("partnership_id"))
                // Only the e-mail is kept until the candidate confirms.
                .col(text("email"))
                .col(text("token_hash"))
                // pending, confirmed
                .col(text("status"))
                .col(big_null("candidate_id"))
                .col(big("created_at"))
                .col(big("expires_at"))
                .col(big_null("confirmed_at"))
                .foreign_key(&mut fk("recruit_referrals", "referrer_id", "users", true))
                .foreign_key(&mut fk("recruit_referrals", "partnership_id", "partnerships", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_referrals", &["token_hash"], true)).await?;
        m.create_index(index("recruit_referrals", &["referrer_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_panelists"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("candidate_id"))
                .col(big("user_id"))
                // resident, recruiting_staff, officer
                .col(text("role"))
                .col(big("created_at"))
                .foreign_key(&mut fk("recruit_panelists", "candidate_id", "recruit_candidates", true))
                .foreign_key(&mut fk("recruit_panelists", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_panelists", &["candidate_id", "user_id"], true)).await?;
        m.create_index(index("recruit_panelists", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("recruit_scores"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("candidate_id"))
                .col(big("user_id"))
                .col(big("communication"))
                .col(big("empathy"))
                .col(big("problem_solving"))
                .col(big("cultural_competence"))
                .col(big("service_motivation"))
                .col(big("submitted_at"))
                .foreign_key(&mut fk("recruit_scores", "candidate_id", "recruit_candidates", true))
                .foreign_key(&mut fk("recruit_scores", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("recruit_scores", &["candidate_id", "user_id"], true)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "recruit_scores",
            "recruit_panelists",
            "recruit_referrals",
            "recruit_stage_changes",
            "recruit_candidates",
            "recruit_event_hosts",
            "recruit_events",
        ] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
