//! Meetings and communication: meetings with agenda, RSVPs, attendance by side, minutes approved by the
//! co-chairs; commitments with progress notes; agenda templates; announcements; notification preferences,
//! daily digests and private calendar feeds; and the one-click unsubscribe header on outgoing mail.

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
                .table(id("meetings"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("title"))
                .col(text("format"))
                .col(text("status"))
                .col(big("starts_at"))
                .col(big("ends_at"))
                .col(text("place"))
                .col(text("accessibility"))
                .col(text("interpretation"))
                .col(text("online_url"))
                .col(text("recording_url"))
                .col(text("agenda"))
                .col(text("minutes"))
                .col(text("minutes_status"))
                .col(boolean("minutes_public", true))
                .col(big_null("minutes_approved_at"))
                .col(int("sequence", 0))
                .col(int("walk_ins_police", 0))
                .col(int("walk_ins_community", 0))
                .col(text("cancel_reason"))
                .col(big_null("from_decision_id"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("meetings", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("meetings", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meetings", &["partnership_id", "starts_at"], false)).await?;
        m.create_index(index("meetings", &["jurisdiction_id", "starts_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("meeting_rsvps"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("meeting_id"))
                .col(big("user_id"))
                .col(text("response"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("meeting_rsvps", "meeting_id", "meetings", true))
                .foreign_key(&mut fk("meeting_rsvps", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_rsvps", &["meeting_id", "user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("meeting_attendance"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("meeting_id"))
                .col(big("user_id"))
                .col(text("side"))
                .col(big("signed_at"))
                .foreign_key(&mut fk("meeting_attendance", "meeting_id", "meetings", true))
                .foreign_key(&mut fk("meeting_attendance", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_attendance", &["meeting_id", "user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("minutes_approvals"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("meeting_id"))
                .col(big("user_id"))
                .col(text("side"))
                .col(big("approved_at"))
                .foreign_key(&mut fk("minutes_approvals", "meeting_id", "meetings", true))
                .foreign_key(&mut fk("minutes_approvals", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("minutes_approvals", &["meeting_id", "user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("agenda_templates"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("name"))
                .col(text("items"))
                .col(big("created_at"))
                .foreign_key(&mut fk("agenda_templates", "partnership_id", "partnerships", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("agenda_templates", &["partnership_id", "name"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("commitments"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(big_null("meeting_id"))
                .col(big_null("decision_id"))
                // The problem a commitment works on; the problems table arrives with problem solving.
                .col(big_null("problem_id"))
                .col(text("title"))
                .col(big_null("owner_user_id"))
                .col(text_null("owner_side"))
                .col(text("owner_org"))
                .col(text("due_on"))
                .col(text("status"))
                .col(text("drop_reason"))
                .col(text_null("completed_on"))
                .col(boolean("is_public", true))
                .col(big_null("created_by"))
                .col(text("created_on"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("commitments", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("commitments", "meeting_id", "meetings", false))
                .foreign_key(&mut fk("commitments", "decision_id", "decisions", false))
                .foreign_key(&mut fk("commitments", "owner_user_id", "users", false))
                .foreign_key(&mut fk("commitments", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("commitments", &["partnership_id", "due_on"], false)).await?;
        m.create_index(index("commitments", &["owner_user_id", "status"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("commitment_notes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("commitment_id"))
                .col(big_null("author_id"))
                .col(text("body"))
                .col(text("evidence_url"))
                .col(text_null("status_to"))
                .col(big("created_at"))
                .foreign_key(&mut fk("commitment_notes", "commitment_id", "commitments", true))
                .foreign_key(&mut fk("commitment_notes", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("commitment_notes", &["commitment_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("announcements"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("title"))
                .col(text("body"))
                .col(boolean("is_public", true))
                .col(big_null("author_id"))
                .col(big("created_at"))
                .foreign_key(&mut fk("announcements", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("announcements", "author_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("announcements", &["partnership_id", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("notification_prefs"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("category"))
                .col(text("mode"))
                .foreign_key(&mut fk("notification_prefs", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notification_prefs", &["user_id", "category"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("user_keys"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                // Random key in unsubscribe links: it can only turn a category of mail off.
                .col(text("unsubscribe_key"))
                // SHA-256 of the private calendar feed token (the token itself is shown once).
                .col(text_null("feed_token_hash"))
                .col(big("created_at"))
                .foreign_key(&mut fk("user_keys", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("user_keys", &["user_id"], true)).await?;
        m.create_index(index("user_keys", &["unsubscribe_key"], true)).await?;
        m.create_index(index("user_keys", &["feed_token_hash"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("digest_items"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("category"))
                .col(text("subject"))
                .col(text("body"))
                .col(big("created_at"))
                .col(big_null("sent_at"))
                .foreign_key(&mut fk("digest_items", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("digest_items", &["user_id", "sent_at"], false)).await?;

        m.alter_table(Table::alter().table(id("outbox")).add_column(text_null("list_unsubscribe")).to_owned()).await?;
        Ok(())
    }
}
