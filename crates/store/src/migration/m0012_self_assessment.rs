//! The partnership self-assessment: rounds (`self_assessment_rounds`), the members invited to a round and whether
//! they have answered (`self_assessment_participants`, written when the round opens, so answering only flips a
//! flag and adds no row whose order could be matched), and the anonymous answers (`self_assessment_responses`:
//! round, side and answers only — no user, no time).

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
                .table(id("self_assessment_rounds"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                // open, closed
                .col(text("status"))
                .col(big("opens_at"))
                .col(big("closes_at"))
                .col(big_null("closed_at"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .foreign_key(&mut fk("self_assessment_rounds", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("self_assessment_rounds", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("self_assessment_rounds", &["partnership_id", "opens_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("self_assessment_participants"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("round_id"))
                .col(big("user_id"))
                // police, community (the member's side when the round opened)
                .col(text("side"))
                .col(boolean("answered", false))
                .foreign_key(&mut fk("self_assessment_participants", "round_id", "self_assessment_rounds", true))
                .foreign_key(&mut fk("self_assessment_participants", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("self_assessment_participants", &["round_id", "user_id"], true)).await?;
        m.create_index(index("self_assessment_participants", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("self_assessment_responses"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("round_id"))
                .col(text("side"))
                // JSON object: item id → 1..5
                .col(text("answers"))
                .col(text_null("comment"))
                .foreign_key(&mut fk("self_assessment_responses", "round_id", "self_assessment_rounds", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("self_assessment_responses", &["round_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["self_assessment_responses", "self_assessment_participants", "self_assessment_rounds"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
