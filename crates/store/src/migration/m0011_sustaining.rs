//! Sustaining partnerships (issue 9): daily health snapshots per partnership and the alerts raised when a signal
//! crosses its threshold.

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
                .table(id("health_snapshots"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("day"))
                .col(text("level"))
                .col(text("signals"))
                .col(big("computed_at"))
                .foreign_key(&mut fk("health_snapshots", "partnership_id", "partnerships", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("health_snapshots", &["partnership_id", "day"], true)).await?;
        m.create_index(index("health_snapshots", &["jurisdiction_id", "day"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("health_alerts"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("signal"))
                .col(text("level"))
                .col(text("suggestion"))
                .col(text("measures"))
                .col(big("opened_at"))
                .col(big_null("resolved_at"))
                .col(text("action_note"))
                .col(big_null("action_by"))
                .col(big_null("action_at"))
                .foreign_key(&mut fk("health_alerts", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("health_alerts", "action_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("health_alerts", &["partnership_id", "signal", "opened_at"], false)).await?;
        m.create_index(index("health_alerts", &["jurisdiction_id", "resolved_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(id("health_alerts")).to_owned()).await?;
        m.drop_table(Table::drop().table(id("health_snapshots")).to_owned()).await
    }
}
