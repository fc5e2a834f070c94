//! Surveys, issue 8 follow-up: `area_zip_codes` maps a ZIP code to an area of the jurisdiction (one area per ZIP,
//! set by administrators; the survey form's ZIP field and the results use it), and an index on
//! `survey_responses (jurisdiction_id, wave_id)` so the results cache's stamp (count and latest id of a wave's
//! responses) is an index-only read.

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
                .table(id("area_zip_codes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                // Five digits.
                .col(text("zip"))
                .col(big("area_id"))
                .foreign_key(&mut fk("area_zip_codes", "area_id", "areas", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("area_zip_codes", &["jurisdiction_id", "zip"], true)).await?;
        m.create_index(index("area_zip_codes", &["area_id"], false)).await?;
        m.create_index(index("survey_responses", &["jurisdiction_id", "wave_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop().name("ix_survey_responses_jurisdiction_id_wave_id").table(id("survey_responses")).to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(id("area_zip_codes")).to_owned()).await
    }
}
