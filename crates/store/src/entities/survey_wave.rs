//! Entity for the `survey_waves` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_waves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub survey_id: i64,
    pub version_id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub area_ids: String,
    pub target_sample: i64,
    pub code: String,
    pub open_link: bool,
    pub status: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
