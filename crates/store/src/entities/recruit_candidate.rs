//! Entity for the `recruit_candidates` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recruit_candidates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub stage: String,
    pub source: String,
    pub event_id: Option<i64>,
    pub partnership_id: Option<i64>,
    pub referrer_id: Option<i64>,
    pub race: String,
    pub sex: String,
    pub consent_at: i64,
    pub created_at: i64,
    pub stage_changed_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
