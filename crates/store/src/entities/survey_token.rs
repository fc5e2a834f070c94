//! Entity for the `survey_tokens` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub wave_id: i64,
    pub token_hash: String,
    pub kind: String,
    pub area_id: Option<i64>,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
