//! Entity for the `survey_responses` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub survey_id: i64,
    pub wave_id: i64,
    pub version_id: i64,
    pub area_id: Option<i64>,
    pub answers: String,
    pub race: String,
    pub age: String,
    pub sex: String,
    pub tenure: String,
    pub income: String,
    pub language: String,
    pub locale: String,
    pub channel: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
