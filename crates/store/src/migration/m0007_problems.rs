//! Problem solving: SARA problems of a partnership (`problems`), every stage change with its note
//! (`problem_events`), response strategies (`problem_strategies`), and the link from a commitment to the
//! strategy it carries out (`commitments.strategy_id`; `commitments.problem_id` exists since m0004).

use super::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("problems"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("title"))
                .col(text("category"))
                .col(text("goals"))
                .col(text("description"))
                .col(big_null("area_id"))
                .col(text("place"))
                // GeoJSON Point or Polygon in WGS 84, or empty.
                .col(text("geometry"))
                .col(text("priority"))
                .col(text("stage"))
                .col(text("source"))
                // JSON: the scanning evidence the problem was made from.
                .col(text("evidence"))
                .col(text("offender"))
                .col(text("victim"))
                .col(text("place_factor"))
                .col(text("handler"))
                .col(text("guardian"))
                .col(text("manager"))
                .col(text("questions"))
                .col(text("sources"))
                // JSON: the assessment's inputs (buffer, control, periods) and its results.
                .col(text("assessment"))
                .col(text_null("verdict"))
                .col(text("narrative"))
                .col(text("lessons"))
                .col(boolean("is_public", true))
                .col(big_null("decision_id"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .col(big("stage_changed_at"))
                .col(big_null("closed_at"))
                .foreign_key(&mut fk("problems", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("problems", "area_id", "areas", false))
                .foreign_key(&mut fk("problems", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("problems", &["partnership_id", "stage"], false)).await?;
        m.create_index(index("problems", &["jurisdiction_id", "stage"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("problem_events"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("problem_id"))
                .col(text("from_stage"))
                .col(text("to_stage"))
                .col(text("note"))
                .col(big_null("author_id"))
                .col(big("created_at"))
                .foreign_key(&mut fk("problem_events", "problem_id", "problems", true))
                .foreign_key(&mut fk("problem_events", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("problem_events", &["problem_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("problem_strategies"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("problem_id"))
                .col(text("title"))
                .col(text("owner_side"))
                .col(text("contact"))
                .col(text("partners"))
                .col(text("starts_on"))
                .col(text("ends_on"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .foreign_key(&mut fk("problem_strategies", "problem_id", "problems", true))
                .foreign_key(&mut fk("problem_strategies", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("problem_strategies", &["problem_id"], false)).await?;

        m.alter_table(Table::alter().table(id("commitments")).add_column(big_null("strategy_id")).to_owned()).await?;
        m.create_index(index("commitments", &["problem_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_commitments_problem_id").table(id("commitments")).to_owned()).await?;
        m.alter_table(Table::alter().table(id("commitments")).drop_column(id("strategy_id")).to_owned()).await?;
        for t in ["problem_strategies", "problem_events", "problems"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
