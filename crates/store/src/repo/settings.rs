//! Per-jurisdiction settings as key/value text.

use crate::Db;
use crate::entities::setting::{self, Column, Entity};
use crate::error::StoreResult;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

/// A setting's value, if set.
pub async fn get(db: &Db, jurisdiction_id: i64, key: &str) -> StoreResult<Option<String>> {
    Ok(Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Key.eq(key))
        .one(&db.conn)
        .await?
        .map(|s| s.value))
}

/// Sets (inserts or replaces) a setting.
pub async fn set(db: &Db, jurisdiction_id: i64, key: &str, value: &str) -> StoreResult<()> {
    let existing = Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .filter(Column::Key.eq(key))
        .one(&db.conn)
        .await?;
    match existing {
        Some(s) => {
            let mut am = s.into_active_model();
            am.value = Set(value.to_string());
            am.update(&db.conn).await?;
        }
        None => {
            setting::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                key: Set(key.to_string()),
                value: Set(value.to_string()),
                ..Default::default()
            }
            .insert(&db.conn)
            .await?;
        }
    }
    Ok(())
}
