//! Entity for the `health_alerts` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "health_alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub signal: String,
    pub level: String,
    pub suggestion: String,
    pub measures: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub action_note: String,
    pub action_by: Option<i64>,
    pub action_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
