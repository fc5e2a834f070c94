//! Areas (beats, districts, neighbourhoods) and their census demographics.

use crate::entities::{area, area_demographic};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;

/// An area to import.
#[derive(Debug, Clone)]
pub struct NewArea {
    /// Its name (unique per kind).
    pub name: String,
    /// GeoJSON MultiPolygon geometry (WGS84) as text.
    pub geometry: String,
    /// Bounding box (min lon, min lat, max lon, max lat).
    pub bbox: (f64, f64, f64, f64),
    /// Area in square metres.
    pub area_m2: f64,
}

/// Imports areas of one kind in one transaction: new names are created, existing ones get the new outline.
/// Returns (created, updated).
pub async fn import(db: &Db, jurisdiction_id: i64, kind: &str, areas: Vec<NewArea>) -> StoreResult<(usize, usize)> {
    let txn = db.begin_write().await?;
    let (mut created, mut updated) = (0, 0);
    for a in areas {
        let existing = area::Entity::find()
            .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
            .filter(area::Column::Kind.eq(kind))
            .filter(area::Column::Name.eq(a.name.as_str()))
            .one(&txn)
            .await?;
        match existing {
            Some(m) => {
                let mut am = m.into_active_model();
                am.geometry = Set(a.geometry);
                am.min_lon = Set(a.bbox.0);
                am.min_lat = Set(a.bbox.1);
                am.max_lon = Set(a.bbox.2);
                am.max_lat = Set(a.bbox.3);
                am.area_m2 = Set(a.area_m2);
                am.update(&txn).await?;
                updated += 1;
            }
            None => {
                area::ActiveModel {
                    jurisdiction_id: Set(jurisdiction_id),
                    kind: Set(kind.to_string()),
                    name: Set(a.name),
                    geometry: Set(a.geometry),
                    min_lon: Set(a.bbox.0),
                    min_lat: Set(a.bbox.1),
                    max_lon: Set(a.bbox.2),
                    max_lat: Set(a.bbox.3),
                    area_m2: Set(a.area_m2),
                    created_at: Set(now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                created += 1;
            }
        }
    }
    txn.commit().await?;
    Ok((created, updated))
}

/// Areas of the jurisdiction, optionally of one kind, by kind then name.
pub async fn list(db: &Db, jurisdiction_id: i64, kind: Option<&str>) -> StoreResult<Vec<area::Model>> {
    let mut q = area::Entity::find().filter(area::Column::JurisdictionId.eq(jurisdiction_id));
    if let Some(k) = kind {
        q = q.filter(area::Column::Kind.eq(k));
    }
    Ok(q.order_by_asc(area::Column::Kind).order_by_asc(area::Column::Name).all(&db.conn).await?)
}

/// One area of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<area::Model> {
    area::Entity::find_by_id(id)
        .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// One demographic count to store.
#[derive(Debug, Clone)]
pub struct DemographicCount {
    /// Area id (already resolved from the name).
    pub area_id: i64,
    /// Dimension id (race, age, …).
    pub dimension: String,
    /// Category id.
    pub category: String,
    /// Population or household count.
    pub count: i64,
}

/// Replaces the demographics of every area named in `rows`, in one transaction. Returns rows written.
pub async fn replace_demographics(db: &Db, jurisdiction_id: i64, rows: Vec<DemographicCount>) -> StoreResult<usize> {
    let txn = db.begin_write().await?;
    let mut areas: Vec<i64> = rows.iter().map(|r| r.area_id).collect();
    areas.sort_unstable();
    areas.dedup();
    for a in &areas {
        // The area must be this jurisdiction's.
        area::Entity::find_by_id(*a)
            .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        area_demographic::Entity::delete_many().filter(area_demographic::Column::AreaId.eq(*a)).exec(&txn).await?;
    }
    let n = rows.len();
    for r in rows {
        area_demographic::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            area_id: Set(r.area_id),
            dimension: Set(r.dimension),
            category: Set(r.category),
            count: Set(r.count),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Census counts summed over `area_ids`: dimension → category → count.
pub async fn demographics(
    db: &Db,
    jurisdiction_id: i64,
    area_ids: &[i64],
) -> StoreResult<BTreeMap<String, BTreeMap<String, i64>>> {
    let rows = area_demographic::Entity::find()
        .filter(area_demographic::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(area_demographic::Column::AreaId.is_in(area_ids.to_vec()))
        .all(&db.conn)
        .await?;
    let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for r in rows {
        *out.entry(r.dimension).or_default().entry(r.category).or_default() += r.count;
    }
    Ok(out)
}
