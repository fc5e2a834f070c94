//! Trust and safety surveys: surveys (`surveys`), every version of their instrument (`survey_versions`), waves
//! with their public link code (`survey_waves`), single-use invitation tokens and after-contact card codes
//! (`survey_tokens`, stored as SHA-256), anonymous responses (`survey_responses`: no IP address, no account,
//! the time rounded to the hour) and open answers with their moderation and theme (`survey_texts`).

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
                .table(id("surveys"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("title"))
                .col(text("template"))
                .col(text("status"))
                .col(boolean("results_public", false))
                .col(int("current_version", 1))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("surveys", "jurisdiction_id", "jurisdictions", true))
                .foreign_key(&mut fk("surveys", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("surveys", &["jurisdiction_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("survey_versions"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("survey_id"))
                .col(int("version", 1))
                // JSON: the instrument (commonbeat_domain::survey::Instrument).
                .col(text("instrument"))
                .col(big("created_at"))
                .foreign_key(&mut fk("survey_versions", "survey_id", "surveys", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_versions", &["survey_id", "version"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("survey_waves"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("survey_id"))
                .col(big("version_id"))
                .col(text("name"))
                .col(text("starts_on"))
                .col(text("ends_on"))
                // Comma-separated area ids.
                .col(text("area_ids"))
                .col(big("target_sample"))
                .col(text("code"))
                .col(boolean("open_link", true))
                .col(text("status"))
                .col(big("created_at"))
                .foreign_key(&mut fk("survey_waves", "survey_id", "surveys", true))
                .foreign_key(&mut fk("survey_waves", "version_id", "survey_versions", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_waves", &["code"], true)).await?;
        m.create_index(index("survey_waves", &["survey_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("survey_tokens"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("wave_id"))
                .col(text("token_hash"))
                .col(text("kind"))
                .col(big_null("area_id"))
                .col(big_null("used_at"))
                .col(big("created_at"))
                .foreign_key(&mut fk("survey_tokens", "wave_id", "survey_waves", true))
                .foreign_key(&mut fk("survey_tokens", "area_id", "areas", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_tokens", &["token_hash"], true)).await?;
        m.create_index(index("survey_tokens", &["wave_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("survey_responses"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("survey_id"))
                .col(big("wave_id"))
                .col(big("version_id"))
                .col(big_null("area_id"))
                // JSON: closed answers by item id.
                .col(text("answers"))
                .col(text("race"))
                .col(text("age"))
                .col(text("sex"))
                .col(text("tenure"))
                .col(text("income"))
                .col(text("language"))
                .col(text("locale"))
                .col(text("channel"))
                // Rounded down to the hour; never the IP address or an account.
                .col(big("created_at"))
                .foreign_key(&mut fk("survey_responses", "wave_id", "survey_waves", true))
                .foreign_key(&mut fk("survey_responses", "area_id", "areas", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_responses", &["wave_id", "area_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("survey_texts"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("survey_id"))
                .col(big("wave_id"))
                .col(big("response_id"))
                .col(text("item_id"))
                .col(boolean("top_issue", false))
                .col(big_null("area_id"))
                .col(text("body"))
                .col(text("status"))
                .col(text("theme"))
                .col(big_null("moderated_by"))
                .col(big("created_at"))
                .foreign_key(&mut fk("survey_texts", "response_id", "survey_responses", true))
                .foreign_key(&mut fk("survey_texts", "area_id", "areas", false))
                .foreign_key(&mut fk("survey_texts", "moderated_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_texts", &["survey_id", "status"], false)).await?;
        m.create_index(index("survey_texts", &["jurisdiction_id", "top_issue", "status"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["survey_texts", "survey_responses", "survey_tokens", "survey_waves", "survey_versions", "surveys"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
