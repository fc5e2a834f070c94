//! The ZIP → area mapping of a jurisdiction (`area_zip_codes`): one area per ZIP, several ZIPs per area. Set by
//! administrators per area (a form) or from a file (`commonbeat import zips`); read by the survey form, where a
//! respondent may give a ZIP instead of choosing an area, and by the survey results' ZIP filter. Every call is
//! scoped to the jurisdiction, and writes are transactional: a rejected change changes nothing.

use crate::Db;
use crate::entities::{area, area_zip_code};
use crate::error::{StoreError, StoreResult};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;

/// The area a ZIP code (five digits) maps to, if any.
pub async fn area_of(db: &Db, jurisdiction_id: i64, zip: &str) -> StoreResult<Option<i64>> {
    Ok(area_zip_code::Entity::find()
        .filter(area_zip_code::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(area_zip_code::Column::Zip.eq(zip))
        .one(&db.conn)
        .await?
        .map(|m| m.area_id))
}

/// Every mapping of the jurisdiction: ZIP → area id, in ZIP order.
pub async fn all(db: &Db, jurisdiction_id: i64) -> StoreResult<BTreeMap<String, i64>> {
    Ok(area_zip_code::Entity::find()
        .filter(area_zip_code::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_asc(area_zip_code::Column::Zip)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.zip, m.area_id))
        .collect())
}

/// The ZIP codes of each area (area id → sorted ZIPs).
pub async fn by_area(db: &Db, jurisdiction_id: i64) -> StoreResult<BTreeMap<i64, Vec<String>>> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (zip, area) in all(db, jurisdiction_id).await? {
        out.entry(area).or_default().push(zip);
    }
    Ok(out)
}

async fn check_area<C: sea_orm::ConnectionTrait>(c: &C, jurisdiction_id: i64, area_id: i64) -> StoreResult<()> {
    area::Entity::find_by_id(area_id)
        .filter(area::Column::JurisdictionId.eq(jurisdiction_id))
        .one(c)
        .await?
        .ok_or(StoreError::NotFound)
        .map(|_| ())
}

/// Sets the ZIP codes of one area (five-digit strings, already checked), replacing its earlier list. A ZIP that
/// another area has is refused with `Invalid` naming the ZIP and that area, and nothing changes.
pub async fn set_for_area(db: &Db, jurisdiction_id: i64, area_id: i64, zips: &[String]) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    check_area(&txn, jurisdiction_id, area_id).await?;
    let taken = area_zip_code::Entity::find()
        .filter(area_zip_code::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(area_zip_code::Column::Zip.is_in(zips.to_vec()))
        .filter(area_zip_code::Column::AreaId.ne(area_id))
        .one(&txn)
        .await?;
    if let Some(t) = taken {
        let other = area::Entity::find_by_id(t.area_id).one(&txn).await?.map(|a| a.name).unwrap_or_default();
        return Err(StoreError::Invalid(format!("{} already belongs to {other}", t.zip)));
    }
    area_zip_code::Entity::delete_many()
        .filter(area_zip_code::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(area_zip_code::Column::AreaId.eq(area_id))
        .exec(&txn)
        .await?;
    insert(&txn, jurisdiction_id, zips.iter().map(|z| (z.clone(), area_id))).await?;
    txn.commit().await?;
    Ok(())
}

async fn insert<C: sea_orm::ConnectionTrait>(
    c: &C,
    jurisdiction_id: i64,
    rows: impl Iterator<Item = (String, i64)>,
) -> StoreResult<()> {
    let models: Vec<area_zip_code::ActiveModel> = rows
        .map(|(zip, area_id)| area_zip_code::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            zip: Set(zip),
            area_id: Set(area_id),
            ..Default::default()
        })
        .collect();
    for chunk in models.chunks(500) {
        area_zip_code::Entity::insert_many(chunk.to_vec()).exec(c).await.map_err(|e| StoreError::unique(e, "zip"))?;
    }
    Ok(())
}

/// Imports a mapping file's rows (ZIP, area id) in one transaction: each ZIP listed is (re)assigned to its area;
/// ZIPs not listed keep their areas unless `replace_all`, which makes the file the whole mapping. Returns how
/// many ZIPs were written.
pub async fn import(db: &Db, jurisdiction_id: i64, rows: &[(String, i64)], replace_all: bool) -> StoreResult<usize> {
    let txn = db.begin_write().await?;
    let mut areas: Vec<i64> = rows.iter().map(|r| r.1).collect();
    areas.sort_unstable();
    areas.dedup();
    for a in areas {
        check_area(&txn, jurisdiction_id, a).await?;
    }
    let mut del =
        area_zip_code::Entity::delete_many().filter(area_zip_code::Column::JurisdictionId.eq(jurisdiction_id));
    if !replace_all {
        del = del.filter(area_zip_code::Column::Zip.is_in(rows.iter().map(|r| r.0.clone())));
    }
    del.exec(&txn).await?;
    insert(&txn, jurisdiction_id, rows.iter().cloned()).await?;
    txn.commit().await?;
    Ok(rows.len())
}
