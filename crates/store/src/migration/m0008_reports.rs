//! Community reports and Open311: reports with their public and internal notes, followers, photos (stored
//! metadata-free, base64 text so both backends and the logical backup treat them alike) and Open311 API keys
//! (SHA-256 at rest). `problem_id` is a plain nullable integer: problems live in their own migration.

use super::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn double_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).double().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("open311_keys"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("label"))
                .col(text("prefix"))
                .col(text("key_hash"))
                .col(big("created_at"))
                .col(big_null("revoked_at"))
                .foreign_key(&mut fk("open311_keys", "jurisdiction_id", "jurisdictions", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("open311_keys", &["key_hash"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("reports"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("token"))
                .col(text("category"))
                .col(text("status"))
                .col(text("description"))
                .col(text("attributes"))
                .col(double_null("lat"))
                .col(double_null("lon"))
                .col(double_null("block_lat"))
                .col(double_null("block_lon"))
                .col(text("address"))
                .col(text("block_address"))
                .col(text("zipcode"))
                .col(boolean("anonymous", true))
                .col(text("contact_name"))
                .col(text("contact_email"))
                .col(text("contact_phone"))
                .col(text("source"))
                .col(big_null("open311_key_id"))
                .col(big_null("partnership_id"))
                .col(big_null("problem_id"))
                .col(text("agency_responsible"))
                .col(big_null("expected_at"))
                .col(boolean("hidden", false))
                .col(boolean("description_hidden", false))
                .col(text("moderation_reason"))
                .col(boolean("has_photo", false))
                .col(text_null("follow_up_hash"))
                .col(text_null("follow_up_answer"))
                .col(big_null("follow_up_answered_at"))
                .col(big_null("closed_at"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("reports", "jurisdiction_id", "jurisdictions", true))
                .foreign_key(&mut fk("reports", "partnership_id", "partnerships", false))
                .foreign_key(&mut fk("reports", "open311_key_id", "open311_keys", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("reports", &["jurisdiction_id", "created_at"], false)).await?;
        m.create_index(index("reports", &["jurisdiction_id", "category", "lat"], false)).await?;
        m.create_index(index("reports", &["token"], true)).await?;
        m.create_index(index("reports", &["partnership_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("report_notes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("report_id"))
                .col(big_null("author_id"))
                .col(boolean("public", true))
                .col(text("body"))
                .col(text_null("status_from"))
                .col(text_null("status_to"))
                .col(big("created_at"))
                .foreign_key(&mut fk("report_notes", "report_id", "reports", true))
                .foreign_key(&mut fk("report_notes", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("report_notes", &["report_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("report_followers"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("report_id"))
                .col(text("email"))
                .col(big("created_at"))
                .foreign_key(&mut fk("report_followers", "report_id", "reports", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("report_followers", &["report_id", "email"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("report_photos"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("report_id"))
                .col(text("content_type"))
                .col(text("data_b64"))
                .col(big("created_at"))
                .foreign_key(&mut fk("report_photos", "report_id", "reports", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("report_photos", &["report_id"], true)).await?;
        Ok(())
    }
}
