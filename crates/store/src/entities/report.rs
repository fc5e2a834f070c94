//! Entity for the `reports` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub token: String,
    pub category: String,
    pub status: String,
    pub description: String,
    pub attributes: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub block_lat: Option<f64>,
    pub block_lon: Option<f64>,
    pub address: String,
    pub block_address: String,
    pub zipcode: String,
    pub media_url: Option<String>,
    pub anonymous: bool,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub source: String,
    pub open311_key_id: Option<i64>,
    pub partnership_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub agency_responsible: String,
    pub expected_at: Option<i64>,
    pub hidden: bool,
    pub description_hidden: bool,
    pub moderation_reason: String,
    pub has_photo: bool,
    pub follow_up_hash: Option<String>,
    pub follow_up_answer: Option<String>,
    pub follow_up_answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
