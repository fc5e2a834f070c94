//! Collaborative decisions: proposals and polls of every kind with their settings, one ballot per eligible member,
//! named voters, threaded comments, and common-ground statements with their votes.

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
                .table(id("decisions"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("kind"))
                .col(text("title"))
                .col(text("body"))
                .col(text("options"))
                .col(text("settings"))
                .col(text("status"))
                .col(big("opens_at"))
                .col(big("closes_at"))
                .col(text_null("outcome"))
                .col(big_null("outcome_by"))
                .col(big_null("review_at"))
                .col(boolean("is_private", false))
                .col(text("affects"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .col(big_null("closed_at"))
                .foreign_key(&mut fk("decisions", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("decisions", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("decisions", &["partnership_id", "status"], false)).await?;
        m.create_index(index("decisions", &["jurisdiction_id", "closes_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("decision_voters"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("decision_id"))
                .col(big("user_id"))
                .foreign_key(&mut fk("decision_voters", "decision_id", "decisions", true))
                .foreign_key(&mut fk("decision_voters", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("decision_voters", &["decision_id", "user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("ballots"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("decision_id"))
                .col(big("user_id"))
                .col(text("side"))
                .col(text("choice"))
                .col(text("reason"))
                .col(int("revision", 1))
                .col(big("cast_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("ballots", "decision_id", "decisions", true))
                .foreign_key(&mut fk("ballots", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        // One ballot per voter per decision, enforced by the database even under concurrent requests.
        m.create_index(index("ballots", &["decision_id", "user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("decision_comments"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("decision_id"))
                .col(big_null("parent_id"))
                .col(big("user_id"))
                .col(text("body"))
                .col(boolean("hidden", false))
                .col(big("created_at"))
                .foreign_key(&mut fk("decision_comments", "decision_id", "decisions", true))
                .foreign_key(&mut fk("decision_comments", "parent_id", "decision_comments", true))
                .foreign_key(&mut fk("decision_comments", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("decision_comments", &["decision_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("cg_statements"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("decision_id"))
                .col(big_null("author_id"))
                .col(text("body"))
                .col(text("status"))
                .col(big("created_at"))
                .foreign_key(&mut fk("cg_statements", "decision_id", "decisions", true))
                .foreign_key(&mut fk("cg_statements", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("cg_statements", &["decision_id", "status"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("cg_votes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("statement_id"))
                .col(text("voter_key"))
                .col(text_null("side"))
                .col(text_null("group_label"))
                .col(text("vote"))
                .col(big("cast_at"))
                .foreign_key(&mut fk("cg_votes", "statement_id", "cg_statements", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("cg_votes", &["statement_id", "voter_key"], true)).await?;
        Ok(())
    }
}
