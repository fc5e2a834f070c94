//! Foundation: jurisdictions, accounts, sessions, throttling, tokens, audit log, outbox, jobs, rate limits.

use super::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn create(m: &SchemaManager<'_>, t: &mut TableCreateStatement) -> Result<(), DbErr> {
    m.create_table(t.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            Table::create()
                .table(id("jurisdictions"))
                .col(pk())
                .col(text("slug"))
                .col(text("name"))
                .col(text_null("host"))
                .col(text("time_zone"))
                .col(big("created_at")),
        )
        .await?;
        m.create_index(index("jurisdictions", &["slug"], true)).await?;
        m.create_index(index("jurisdictions", &["host"], true)).await?;

        create(
            m,
            Table::create()
                .table(id("settings"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("key"))
                .col(text("value"))
                .foreign_key(&mut fk("settings", "jurisdiction_id", "jurisdictions", true)),
        )
        .await?;
        m.create_index(index("settings", &["jurisdiction_id", "key"], true)).await?;

        create(
            m,
            Table::create()
                .table(id("users"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("email"))
                .col(text("name"))
                .col(text("role"))
                .col(text_null("password_hash"))
                .col(text_null("totp_secret"))
                .col(boolean("mfa_enabled", false))
                .col(big_null("totp_last_step"))
                .col(boolean("disabled", false))
                .col(text("locale"))
                .col(big_null("locked_until"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("users", "jurisdiction_id", "jurisdictions", false)),
        )
        .await?;
        m.create_index(index("users", &["jurisdiction_id", "email"], true)).await?;

        create(
            m,
            Table::create()
                .table(id("recovery_codes"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("code_hash"))
                .col(big_null("used_at"))
                .foreign_key(&mut fk("recovery_codes", "user_id", "users", true)),
        )
        .await?;
        m.create_index(index("recovery_codes", &["user_id"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("sessions"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("token_hash"))
                .col(big_null("user_id"))
                .col(boolean("mfa_pending", false))
                .col(text("csrf_token"))
                .col(big("created_at"))
                .col(big("last_seen_at"))
                .col(text("source"))
                .foreign_key(&mut fk("sessions", "user_id", "users", true))
                .foreign_key(&mut fk("sessions", "jurisdiction_id", "jurisdictions", true)),
        )
        .await?;
        m.create_index(index("sessions", &["token_hash"], true)).await?;
        m.create_index(index("sessions", &["user_id"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("login_failures"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big_null("user_id"))
                .col(text("email"))
                .col(big("at"))
                .col(text("source"))
                .foreign_key(&mut fk("login_failures", "user_id", "users", true)),
        )
        .await?;
        m.create_index(index("login_failures", &["jurisdiction_id", "email", "at"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("api_tokens"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("label"))
                .col(text("prefix"))
                .col(text("token_hash"))
                .col(big("created_at"))
                .col(big_null("last_used_at"))
                .col(big_null("revoked_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users", true)),
        )
        .await?;
        m.create_index(index("api_tokens", &["token_hash"], true)).await?;
        m.create_index(index("api_tokens", &["user_id"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("one_time_tokens"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("purpose"))
                .col(text("token_hash"))
                .col(big("created_at"))
                .col(big("expires_at"))
                .col(big_null("used_at"))
                .foreign_key(&mut fk("one_time_tokens", "user_id", "users", true)),
        )
        .await?;
        m.create_index(index("one_time_tokens", &["token_hash"], true)).await?;

        create(
            m,
            Table::create()
                .table(id("audit_log"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("at"))
                .col(big_null("actor_id"))
                .col(text("actor"))
                .col(text("action"))
                .col(text("object"))
                .col(text("outcome"))
                .col(text("source"))
                .col(text("details"))
                .col(text("prev_hash"))
                .col(text("hash"))
                .foreign_key(&mut fk("audit_log", "jurisdiction_id", "jurisdictions", false)),
        )
        .await?;
        m.create_index(index("audit_log", &["jurisdiction_id", "at"], false)).await?;
        m.create_index(index("audit_log", &["jurisdiction_id", "action"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("outbox"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("to_addr"))
                .col(text("subject"))
                .col(text("body_text"))
                .col(text_null("body_html"))
                .col(text_null("calendar"))
                .col(text("status"))
                .col(int("attempts", 0))
                .col(text_null("last_error"))
                .col(big("created_at"))
                .col(big_null("sent_at"))
                .foreign_key(&mut fk("outbox", "jurisdiction_id", "jurisdictions", true)),
        )
        .await?;
        m.create_index(index("outbox", &["jurisdiction_id", "status"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("jobs"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("kind"))
                .col(text("payload"))
                .col(big("run_at"))
                .col(int("attempts", 0))
                .col(int("max_attempts", 5))
                .col(big_null("locked_until"))
                .col(text_null("last_error"))
                .col(big_null("done_at"))
                .col(big("created_at"))
                .foreign_key(&mut fk("jobs", "jurisdiction_id", "jurisdictions", true)),
        )
        .await?;
        m.create_index(index("jobs", &["done_at", "run_at"], false)).await?;

        create(
            m,
            Table::create()
                .table(id("rate_limits"))
                .col(pk())
                .col(text("bucket"))
                .col(big("window_start"))
                .col(int("hits", 0)),
        )
        .await?;
        m.create_index(index("rate_limits", &["bucket", "window_start"], true)).await?;
        Ok(())
    }
}
