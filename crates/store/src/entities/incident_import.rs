//! Entity for the `incident_imports` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub profile: String,
    pub file_name: String,
    pub status: String,
    pub rows_read: i64,
    pub accepted: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
    pub rejects_by_reason: String,
    pub rejects_sample: String,
    pub error: String,
    pub started_by: Option<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
