//! Partnerships: areas with census demographics, partnerships with charter and lifecycle, two-sided membership,
//! member self-descriptions (private), co-chair terms.

use super::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn double(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).double().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("areas"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("kind"))
                .col(text("name"))
                .col(text("geometry"))
                .col(double("min_lon"))
                .col(double("min_lat"))
                .col(double("max_lon"))
                .col(double("max_lat"))
                .col(double("area_m2"))
                .col(big("created_at"))
                .foreign_key(&mut fk("areas", "jurisdiction_id", "jurisdictions", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("areas", &["jurisdiction_id", "kind", "name"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("area_demographics"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("area_id"))
                .col(text("dimension"))
                .col(text("category"))
                .col(big("count"))
                .foreign_key(&mut fk("area_demographics", "area_id", "areas", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("area_demographics", &["area_id", "dimension", "category"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("partnerships"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(text("slug"))
                .col(text("name"))
                .col(text("status"))
                .col(text("mission"))
                .col(text("goals"))
                .col(text("founding_problem"))
                .col(text("cadence"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("partnerships", "jurisdiction_id", "jurisdictions", true))
                .foreign_key(&mut fk("partnerships", "created_by", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("partnerships", &["jurisdiction_id", "slug"], true)).await?;
        m.create_index(index("partnerships", &["jurisdiction_id", "status"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("partnership_areas"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(big("area_id"))
                .foreign_key(&mut fk("partnership_areas", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("partnership_areas", "area_id", "areas", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("partnership_areas", &["partnership_id", "area_id"], true)).await?;
        m.create_index(index("partnership_areas", &["area_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("partnership_events"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("kind"))
                .col(big_null("subject_id"))
                .col(text("from_value"))
                .col(text("to_value"))
                .col(big_null("actor_id"))
                .col(text("note"))
                .col(big("at"))
                .foreign_key(&mut fk("partnership_events", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("partnership_events", "actor_id", "users", false))
                .to_owned(),
        )
        .await?;
        m.create_index(index("partnership_events", &["partnership_id", "at"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("memberships"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(big("user_id"))
                .col(text("side"))
                .col(text("role"))
                .col(text("status"))
                .col(big_null("joined_at"))
                .col(big_null("left_at"))
                .col(big("created_at"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("memberships", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("memberships", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("memberships", &["partnership_id", "user_id"], true)).await?;
        m.create_index(index("memberships", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table(id("member_profiles"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("user_id"))
                .col(text("stakeholder_types"))
                .col(text("demographics"))
                .col(big("updated_at"))
                .foreign_key(&mut fk("member_profiles", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member_profiles", &["user_id"], true)).await?;

        m.create_table(
            Table::create()
                .table(id("leadership_terms"))
                .col(pk())
                .col(big("jurisdiction_id"))
                .col(big("partnership_id"))
                .col(text("seat"))
                .col(big("user_id"))
                .col(big("starts_at"))
                .col(big("ends_at"))
                .col(big_null("ended_at"))
                .col(text("handover_note"))
                .col(big_null("created_by"))
                .col(big("created_at"))
                .foreign_key(&mut fk("leadership_terms", "partnership_id", "partnerships", true))
                .foreign_key(&mut fk("leadership_terms", "user_id", "users", true))
                .to_owned(),
        )
        .await?;
        m.create_index(index("leadership_terms", &["partnership_id", "seat"], false)).await?;
        // At most one running term per seat, even when two co-chairs assign it at the same moment.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_leadership_terms_open_seat ON leadership_terms (partnership_id, seat) WHERE ended_at IS NULL",
            )
            .await?;
        Ok(())
    }
}
