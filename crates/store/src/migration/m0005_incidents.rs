//! Crime incidents and their imports. Incidents keep the precise point (police and analysts only; the public
//! sees aggregates) and are keyed by the source's own id, so a re-import updates instead of duplicating.
//! An import is one transaction; the `incident_imports` row records its progress and reject report.

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
                .table(id("incident_imports"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("profile"))
                .col(text("file_name"))
                .col(text("status"))
                .col(big("rows_read"))
                .col(big("accepted"))
                .col(big("created"))
                .col(big("updated"))
                .col(big("rejected"))
                .col(text("rejects_by_reason"))
                .col(text("rejects_sample"))
                .col(text("error"))
                .col(big_null("started_by"))
                .col(big("started_at"))
                .col(big_null("finished_at"))
                .foreign_key(&mut fk("incident_imports", "started_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("incident_imports", &["jurisdiction_id", "started_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("incidents"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("source_id"))
                .col(big("occurred_at"))
                .col(text("offence_code"))
                .col(text("offence"))
                .col(text("category"))
                .col(text_null("sensitive"))
                .col(ColumnDef::new(id("lon")).double().null())
                .col(ColumnDef::new(id("lat")).double().null())
                .col(text_null("block"))
                .col(text_null("location_type"))
                .col(boolean("arrest", false))
                .col(big_null("import_id"))
                .col(big("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("incidents", &["jurisdiction_id", "source_id"], true)).await?;
        m.create_index(index("incidents", &["jurisdiction_id", "occurred_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(id("incidents")).to_owned()).await?;
        m.drop_table(Table::drop().table(id("incident_imports")).to_owned()).await?;
        Ok(())
    }
}
