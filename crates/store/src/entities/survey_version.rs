//! Entity for the `survey_versions` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub survey_id: i64,
    pub version: i32,
    pub instrument: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
