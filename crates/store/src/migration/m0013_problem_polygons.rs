//! A problem's location drawn on the map: `problems.polygon`, a GeoJSON Polygon in WGS 84 (one closed ring,
//! checked by `commonbeat_domain::geo::problem_polygon`), or NULL. When set it is the problem's target for the
//! data panels and the assessment; the point in `geometry`, if any, stays as the marker. (Numbers 11 and 12 are
//! taken by work on other branches.)

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
        m.alter_table(Table::alter().table(id("problems")).add_column(text_null("polygon")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(id("problems")).drop_column(id("polygon")).to_owned()).await
    }
}
