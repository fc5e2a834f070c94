//! Entity for the `commitments` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commitments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub meeting_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub strategy_id: Option<i64>,
    pub title: String,
    pub owner_user_id: Option<i64>,
    pub owner_side: Option<String>,
    pub owner_org: String,
    pub due_on: String,
    pub status: String,
    pub drop_reason: String,
    pub completed_on: Option<String>,
    pub is_public: bool,
    pub created_by: Option<i64>,
    pub created_on: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
