//! Entity for the `survey_texts` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_texts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub survey_id: i64,
    pub wave_id: i64,
    pub response_id: i64,
    pub item_id: String,
    pub top_issue: bool,
    pub area_id: Option<i64>,
    pub body: String,
    pub status: String,
    pub theme: String,
    pub moderated_by: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
