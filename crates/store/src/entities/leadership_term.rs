//! Entity for the `leadership_terms` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "leadership_terms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub seat: String,
    pub user_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub ended_at: Option<i64>,
    pub handover_note: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
