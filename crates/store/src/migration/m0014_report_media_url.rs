//! `reports.media_url`: the address of a photo an Open311 client POSTed as `media_url` (GeoReport v2). It is
//! stored and returned as given, never fetched (the server makes no outbound requests); NULL when none was given.

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
        m.alter_table(Table::alter().table(id("reports")).add_column(text_null("media_url")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(id("reports")).drop_column(id("media_url")).to_owned()).await
    }
}
