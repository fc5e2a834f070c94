//! Entity for the `decisions` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub options: String,
    pub settings: String,
    pub status: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub outcome: Option<String>,
    pub outcome_by: Option<i64>,
    pub review_at: Option<i64>,
    pub is_private: bool,
    pub affects: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub opened_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
