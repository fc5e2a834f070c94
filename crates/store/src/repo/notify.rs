//! Notification preferences per member and category, the per-member keys used in unsubscribe links and private
//! calendar feed URLs, and the items waiting for a member's daily digest.

use crate::entities::{digest_item, notification_pref, user_key};
use crate::error::{StoreError, StoreResult};
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// A member's chosen delivery mode per category (categories without a row use the default, `immediate`).
pub async fn prefs(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Vec<(String, String)>> {
    Ok(notification_pref::Entity::find()
        .filter(notification_pref::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(notification_pref::Column::UserId.eq(user_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|p| (p.category, p.mode))
        .collect())
}

/// Sets the delivery mode of one category.
pub async fn set_pref(db: &Db, jurisdiction_id: i64, user_id: i64, category: &str, mode: &str) -> StoreResult<()> {
    notification_pref::Entity::insert(notification_pref::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        category: Set(category.to_string()),
        mode: Set(mode.to_string()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([notification_pref::Column::UserId, notification_pref::Column::Category])
            .update_column(notification_pref::Column::Mode)
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(())
}

/// The member's keys, created on first use.
pub async fn keys(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<user_key::Model> {
    if let Some(k) = user_key::Entity::find().filter(user_key::Column::UserId.eq(user_id)).one(&db.conn).await? {
        return Ok(k);
    }
    user_key::Entity::insert(user_key::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        unsubscribe_key: Set(new_token()),
        feed_token_hash: Set(None),
        created_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(user_key::Column::UserId).do_nothing().to_owned())
    .exec_without_returning(&db.conn)
    .await?;
    user_key::Entity::find()
        .filter(user_key::Column::UserId.eq(user_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The member an unsubscribe key belongs to: (jurisdiction, user).
pub async fn by_unsubscribe_key(db: &Db, key: &str) -> StoreResult<(i64, i64)> {
    user_key::Entity::find()
        .filter(user_key::Column::UnsubscribeKey.eq(key))
        .one(&db.conn)
        .await?
        .map(|k| (k.jurisdiction_id, k.user_id))
        .ok_or(StoreError::NotFound)
}

/// Issues a new private calendar feed token (replacing any earlier one) and returns it; only its hash is kept.
pub async fn new_feed_token(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<String> {
    let k = keys(db, jurisdiction_id, user_id).await?;
    let token = new_token();
    let mut a: user_key::ActiveModel = k.into();
    a.feed_token_hash = Set(Some(hash_token(&token)));
    a.update(&db.conn).await?;
    Ok(token)
}

/// The member a calendar feed token belongs to: (jurisdiction, user).
pub async fn by_feed_token(db: &Db, token: &str) -> StoreResult<(i64, i64)> {
    user_key::Entity::find()
        .filter(user_key::Column::FeedTokenHash.eq(hash_token(token)))
        .one(&db.conn)
        .await?
        .map(|k| (k.jurisdiction_id, k.user_id))
        .ok_or(StoreError::NotFound)
}

/// Queues an item for the member's daily digest. Returns true when it is the first unsent item (so the caller
/// schedules the digest).
pub async fn queue_digest(
    db: &Db,
    jurisdiction_id: i64,
    user_id: i64,
    category: &str,
    subject: &str,
    body: &str,
) -> StoreResult<bool> {
    let txn = db.begin_write().await?;
    let waiting = digest_item::Entity::find()
        .filter(digest_item::Column::UserId.eq(user_id))
        .filter(digest_item::Column::SentAt.is_null())
        .one(&txn)
        .await?
        .is_some();
    digest_item::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        user_id: Set(user_id),
        category: Set(category.to_string()),
        subject: Set(subject.to_string()),
        body: Set(body.to_string()),
        created_at: Set(now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(!waiting)
}

/// Takes the member's unsent digest items (marking them sent) in the order they arrived.
pub async fn take_digest(db: &Db, user_id: i64) -> StoreResult<Vec<digest_item::Model>> {
    let txn = db.begin_write().await?;
    let items = digest_item::Entity::find()
        .filter(digest_item::Column::UserId.eq(user_id))
        .filter(digest_item::Column::SentAt.is_null())
        .order_by_asc(digest_item::Column::Id)
        .all(&txn)
        .await?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    digest_item::Entity::update_many()
        .col_expr(digest_item::Column::SentAt, now().into())
        .filter(digest_item::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(items)
}
