//! Open311 API keys: issued by `commonbeat open311 key add`, shown once, stored as SHA-256, revocable.

use crate::entities::open311_key;
use crate::error::{StoreError, StoreResult};
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Prefix of every Open311 key, so leaked keys are recognisable.
pub const KEY_PREFIX: &str = "cbo_";

/// Issues a key. Returns the key (shown once) and its stored record.
pub async fn create(db: &Db, jid: i64, label: &str) -> StoreResult<(String, open311_key::Model)> {
    let key = format!("{KEY_PREFIX}{}", new_token());
    let m = open311_key::ActiveModel {
        jurisdiction_id: Set(jid),
        label: Set(label.to_string()),
        prefix: Set(key[..KEY_PREFIX.len() + 6].to_string()),
        key_hash: Set(hash_token(&key)),
        created_at: Set(now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok((key, m))
}

/// The live key record for a presented key in this jurisdiction.
pub async fn find(db: &Db, jid: i64, key: &str) -> StoreResult<Option<open311_key::Model>> {
    Ok(open311_key::Entity::find()
        .filter(open311_key::Column::KeyHash.eq(hash_token(key)))
        .filter(open311_key::Column::JurisdictionId.eq(jid))
        .filter(open311_key::Column::RevokedAt.is_null())
        .one(&db.conn)
        .await?)
}

/// Every key of the jurisdiction, newest first.
pub async fn list(db: &Db, jid: i64) -> StoreResult<Vec<open311_key::Model>> {
    Ok(open311_key::Entity::find()
        .filter(open311_key::Column::JurisdictionId.eq(jid))
        .order_by_desc(open311_key::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Revokes a key. `NotFound` if there is no live key with this id.
pub async fn revoke(db: &Db, jid: i64, id: i64) -> StoreResult<()> {
    let r = open311_key::Entity::update_many()
        .col_expr(open311_key::Column::RevokedAt, Expr::value(now()))
        .filter(open311_key::Column::Id.eq(id))
        .filter(open311_key::Column::JurisdictionId.eq(jid))
        .filter(open311_key::Column::RevokedAt.is_null())
        .exec(&db.conn)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
