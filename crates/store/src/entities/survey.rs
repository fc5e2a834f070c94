//! Entity for the `surveys` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub title: String,
    pub template: String,
    pub status: String,
    pub results_public: bool,
    pub current_version: i32,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
