//! Entity for the `recruit_scores` table.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recruit_scores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub jurisdiction_id: i64,
    pub candidate_id: i64,
    pub user_id: i64,
    pub communication: i64,
    pub empathy: i64,
    pub problem_solving: i64,
    pub cultural_competence: i64,
    pub service_motivation: i64,
    pub submitted_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
