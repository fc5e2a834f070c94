//! Entity for the `problems` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub partnership_id: i64,
    pub title: String,
    pub category: String,
    pub goals: String,
    pub description: String,
    pub area_id: Option<i64>,
    pub place: String,
    pub geometry: String,
    /// GeoJSON Polygon drawn on the map (m0013), the target when set.
    pub polygon: Option<String>,
    pub priority: String,
    pub stage: String,
    pub source: String,
    pub evidence: String,
    pub offender: String,
    pub victim: String,
    pub place_factor: String,
    pub handler: String,
    pub guardian: String,
    pub manager: String,
    pub questions: String,
    pub sources: String,
    pub assessment: String,
    pub verdict: Option<String>,
    pub narrative: String,
    pub lessons: String,
    pub is_public: bool,
    pub decision_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub stage_changed_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
