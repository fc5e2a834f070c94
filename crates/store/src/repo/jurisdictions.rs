//! Jurisdictions: a police department and the city it serves. Every tenant-owned record belongs to one.

use crate::entities::jurisdiction::{self, Column, Entity, Model};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

/// Creates a jurisdiction. `host` selects it when several share one deployment.
pub async fn create(db: &Db, slug: &str, name: &str, host: Option<&str>, time_zone: &str) -> StoreResult<Model> {
    jurisdiction::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set(name.to_string()),
        host: Set(host.map(|h| h.to_ascii_lowercase())),
        time_zone: Set(time_zone.to_string()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .map_err(|e| StoreError::unique(e, "slug"))
}

/// All jurisdictions, oldest first.
pub async fn list(db: &Db) -> StoreResult<Vec<Model>> {
    Ok(Entity::find().order_by_asc(Column::Id).all(&db.conn).await?)
}

/// Number of jurisdictions.
pub async fn count(db: &Db) -> StoreResult<u64> {
    Ok(Entity::find().count(&db.conn).await?)
}

/// One jurisdiction by id.
pub async fn by_id(db: &Db, id: i64) -> StoreResult<Model> {
    Entity::find_by_id(id).one(&db.conn).await?.ok_or(StoreError::NotFound)
}

/// One jurisdiction by slug.
pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Model> {
    Entity::find().filter(Column::Slug.eq(slug)).one(&db.conn).await?.ok_or(StoreError::NotFound)
}

/// The jurisdiction a request's `Host` selects: with a single jurisdiction always that one; with several, the one
/// whose host matches (port ignored, case-insensitive). `None` when nothing matches.
pub async fn for_host(db: &Db, host: Option<&str>) -> StoreResult<Option<Model>> {
    let all = list(db).await?;
    if all.len() == 1 {
        return Ok(all.into_iter().next());
    }
    let Some(host) = host else { return Ok(None) };
    let bare =
        host.rsplit_once(':').map_or(host, |(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    let bare = bare.to_ascii_lowercase();
    Ok(all.into_iter().find(|j| j.host.as_deref() == Some(bare.as_str())))
}

/// Creates the first jurisdiction when there is none, so a single-department deployment needs no configuration.
pub async fn ensure_default(db: &Db, name: &str, time_zone: &str) -> StoreResult<Model> {
    if let Some(first) = list(db).await?.into_iter().next() {
        return Ok(first);
    }
    match create(db, "default", name, None, time_zone).await {
        // Another instance starting at the same moment created it first.
        Err(StoreError::Conflict { .. }) => list(db).await?.into_iter().next().ok_or(StoreError::NotFound),
        other => other,
    }
}
