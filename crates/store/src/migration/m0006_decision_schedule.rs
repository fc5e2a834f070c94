//! Scheduled decisions: `decisions.opened_at` records when a decision actually opened for votes (its "decision
//! opened" notice went out then). A decision created with a later opening time (`opens_at`, already in
//! `m0003_decisions`) is `scheduled` with `opened_at` NULL until the opening job opens it. Decisions created before
//! this migration opened when they were created, so they take their `opens_at`.

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
        m.alter_table(Table::alter().table(id("decisions")).add_column(big_null("opened_at")).to_owned()).await?;
        m.exec_stmt(
            Query::update()
                .table(id("decisions"))
                .value(id("opened_at"), Expr::col(id("opens_at")))
                .and_where(Expr::col(id("status")).ne("scheduled"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(id("decisions")).drop_column(id("opened_at")).to_owned()).await
    }
}
