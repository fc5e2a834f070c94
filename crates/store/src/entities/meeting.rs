//! Entity for the `meetings` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub title: String,
    pub format: String,
    pub status: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: String,
    pub accessibility: String,
    pub interpretation: String,
    pub online_url: String,
    pub recording_url: String,
    pub agenda: String,
    pub minutes: String,
    pub minutes_status: String,
    pub minutes_public: bool,
    pub minutes_approved_at: Option<i64>,
    pub sequence: i32,
    pub walk_ins_police: i32,
    pub walk_ins_community: i32,
    pub cancel_reason: String,
    pub from_decision_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
