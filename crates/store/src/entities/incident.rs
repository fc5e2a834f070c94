//! Entity for the `incidents` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub source_id: String,
    pub occurred_at: i64,
    pub offence_code: String,
    pub offence: String,
    pub category: String,
    pub sensitive: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub block: Option<String>,
    pub location_type: Option<String>,
    pub arrest: bool,
    pub import_id: Option<i64>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
