//! Partnerships: charter, areas, lifecycle and their event history.

use crate::entities::{area, partnership, partnership_area, partnership_event};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use commonbeat_domain::partnership::{Charter, Goal, Status, slugify};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

/// A history entry to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// `created`, `status`, `charter`, `areas`, `membership`, `leadership`.
    pub kind: &'a str,
    /// The user the event is about (a member, a seat holder), if any.
    pub subject_id: Option<i64>,
    /// Value before.
    pub from: &'a str,
    /// Value after.
    pub to: &'a str,
    /// Who did it.
    pub actor_id: Option<i64>,
    /// Why, in their words.
    pub note: &'a str,
}

/// Appends to a partnership's history (in the caller's transaction or connection).
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    jurisdiction_id: i64,
    partnership_id: i64,
    e: Event<'_>,
) -> StoreResult<()> {
    partnership_event::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        kind: Set(e.kind.to_string()),
        subject_id: Set(e.subject_id),
        from_value: Set(e.from.to_string()),
        to_value: Set(e.to.to_string()),
        actor_id: Set(e.actor_id),
        note: Set(e.note.chars().take(2000).collect()),
        at: Set(now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Creates a partnership in `forming` with a unique slug, linked to its areas.
pub async fn create(
    db: &Db,
    jurisdiction_id: i64,
    charter: &Charter,
    area_ids: &[i64],
    created_by: Option<i64>,
) -> StoreResult<partnership::Model> {
    let txn = db.begin_write().await?;
    let base = slugify(&charter.name);
    let mut slug = base.clone();
    for n in 2.. {
        let taken = partnership::Entity::find()
            .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
            .filter(partnership::Column::Slug.eq(slug.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if !taken {
            break;
        }
        slug = format!("{base}-{n}");
    }
    let t = now();
    let p = partnership::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        slug: Set(slug),
        name: Set(charter.name.clone()),
        status: Set(Status::Forming.as_str().into()),
        mission: Set(charter.mission.clone()),
        goals: Set(Goal::join(&charter.goals)),
        founding_problem: Set(charter.founding_problem.clone()),
        cadence: Set(charter.cadence.as_str().into()),
        created_by: Set(created_by),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    link_areas(&txn, jurisdiction_id, p.id, area_ids).await?;
    record(
        &txn,
        jurisdiction_id,
        p.id,
        Event { kind: "created", subject_id: None, from: "", to: "forming", actor_id: created_by, note: "" },
    )
    .await?;
    txn.commit().await?;
    Ok(p)
}

async fn link_areas<C: ConnectionTrait>(
    conn: &C,
    jurisdiction_id: i64,
    partnership_id: i64,
    area_ids: &[i64],
) -> StoreResult<()> {
    partnership_area::Entity::delete_many()
        .filter(partnership_area::Column::PartnershipId.eq(partnership_id))
        .exec(conn)
        .await?;
    let mut ids = area_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for a in ids {
        area::Entity::find_by_id(a)
            .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
            .one(conn)
            .await?
            .ok_or(StoreError::Invalid(format!("area {a} does not exist")))?;
        partnership_area::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            partnership_id: Set(partnership_id),
            area_id: Set(a),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Replaces the charter and areas.
pub async fn update_charter(
    db: &Db,
    jurisdiction_id: i64,
    id: i64,
    charter: &Charter,
    area_ids: &[i64],
    actor_id: Option<i64>,
) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    let p = partnership::Entity::find_by_id(id)
        .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am = p.into_active_model();
    am.name = Set(charter.name.clone());
    am.mission = Set(charter.mission.clone());
    am.goals = Set(Goal::join(&charter.goals));
    am.founding_problem = Set(charter.founding_problem.clone());
    am.cadence = Set(charter.cadence.as_str().into());
    am.updated_at = Set(now());
    am.update(&txn).await?;
    link_areas(&txn, jurisdiction_id, id, area_ids).await?;
    record(
        &txn,
        jurisdiction_id,
        id,
        Event { kind: "charter", subject_id: None, from: "", to: "", actor_id, note: "" },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a partnership to `to`, recording who and why. The caller has checked the transition is allowed.
pub async fn set_status(
    db: &Db,
    jurisdiction_id: i64,
    id: i64,
    to: Status,
    actor_id: Option<i64>,
    reason: &str,
) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    let p = partnership::Entity::find_by_id(id)
        .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let from = p.status.clone();
    let mut am = p.into_active_model();
    am.status = Set(to.as_str().into());
    am.updated_at = Set(now());
    am.update(&txn).await?;
    record(
        &txn,
        jurisdiction_id,
        id,
        Event { kind: "status", subject_id: None, from: &from, to: to.as_str(), actor_id, note: reason },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Filters for the directory.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only partnerships pursuing this goal.
    pub goal: Option<Goal>,
    /// Only partnerships covering this area.
    pub area_id: Option<i64>,
}

/// Partnerships of the jurisdiction matching the filter, by name.
pub async fn list(db: &Db, jurisdiction_id: i64, f: &Filter) -> StoreResult<Vec<partnership::Model>> {
    let mut q = partnership::Entity::find().filter(partnership::Column::JurisdictionId.eq(jurisdiction_id));
    if let Some(s) = f.status {
        q = q.filter(partnership::Column::Status.eq(s.as_str()));
    }
    if let Some(a) = f.area_id {
        let ids: Vec<i64> = partnership_area::Entity::find()
            .filter(partnership_area::Column::JurisdictionId.eq(jurisdiction_id))
            .filter(partnership_area::Column::AreaId.eq(a))
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|pa| pa.partnership_id)
            .collect();
        q = q.filter(partnership::Column::Id.is_in(ids));
    }
    let mut rows = q.order_by_asc(partnership::Column::Name).all(&db.conn).await?;
    if let Some(g) = f.goal {
        rows.retain(|p| p.goals.split(',').any(|x| x == g.as_str()));
    }
    Ok(rows)
}

/// One partnership by id.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<partnership::Model> {
    partnership::Entity::find_by_id(id)
        .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// One partnership by slug.
pub async fn by_slug(db: &Db, jurisdiction_id: i64, slug: &str) -> StoreResult<partnership::Model> {
    partnership::Entity::find()
        .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(partnership::Column::Slug.eq(slug))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The areas a partnership covers.
pub async fn areas_of(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<area::Model>> {
    let ids: Vec<i64> = partnership_area::Entity::find()
        .filter(partnership_area::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(partnership_area::Column::PartnershipId.eq(partnership_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|pa| pa.area_id)
        .collect();
    Ok(area::Entity::find()
        .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(area::Column::Id.is_in(ids))
        .order_by_asc(area::Column::Name)
        .all(&db.conn)
        .await?)
}

/// A partnership's history, newest first.
pub async fn events(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<partnership_event::Model>> {
    Ok(partnership_event::Entity::find()
        .filter(partnership_event::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(partnership_event::Column::PartnershipId.eq(partnership_id))
        .order_by_desc(partnership_event::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Parses a stored status (unknown values read as forming).
pub fn status_of(p: &partnership::Model) -> Status {
    Status::parse(&p.status).unwrap_or(Status::Forming)
}
