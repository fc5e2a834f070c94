//! The e-mail outbox. Every message is stored first; a background job delivers it when SMTP is configured,
//! otherwise it is held for administrators to read. Nothing is lost either way.

use crate::entities::outbox_message::{self, Column, Entity, Model};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// Status of a message waiting for delivery.
pub const PENDING: &str = "pending";
/// Status of a message kept because no SMTP server is configured.
pub const HELD: &str = "held";
/// Status of a delivered message.
pub const SENT: &str = "sent";
/// Status of a message that failed every attempt.
pub const FAILED: &str = "failed";

/// A message to send.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body, if any.
    pub body_html: Option<String>,
    /// An iCalendar (text/calendar) part, if any.
    pub calendar: Option<String>,
    /// The one-click unsubscribe URL (RFC 8058) for notification mail, if any.
    pub list_unsubscribe: Option<String>,
}

/// Stores a message: `pending` when it will be delivered, `held` when there is no SMTP server.
pub async fn enqueue(db: &Db, jurisdiction_id: i64, msg: NewMessage, deliverable: bool) -> StoreResult<Model> {
    Ok(outbox_message::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        to_addr: Set(msg.to),
        subject: Set(msg.subject),
        body_text: Set(msg.body_text),
        body_html: Set(msg.body_html),
        calendar: Set(msg.calendar),
        list_unsubscribe: Set(msg.list_unsubscribe),
        status: Set(if deliverable { PENDING } else { HELD }.to_string()),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// The newest messages of the jurisdiction.
pub async fn list(db: &Db, jurisdiction_id: i64, limit: u64) -> StoreResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

/// One message of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<Model> {
    Entity::find_by_id(id)
        .filter(Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Marks a message delivered.
pub async fn mark_sent(db: &Db, id: i64) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(SENT))
        .col_expr(Column::SentAt, Expr::value(now()))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// Records a failed attempt; `give_up` marks it failed for good.
pub async fn mark_attempt_failed(db: &Db, id: i64, error: &str, give_up: bool) -> StoreResult<()> {
    let mut q = Entity::update_many()
        .col_expr(Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1));
    if give_up {
        q = q.col_expr(Column::Status, Expr::value(FAILED));
    }
    q.filter(Column::Id.eq(id)).exec(&db.conn).await?;
    Ok(())
}

/// Moves held messages to pending (when SMTP becomes configured) and returns their ids.
pub async fn release_held(db: &Db) -> StoreResult<Vec<(i64, i64)>> {
    let held = Entity::find().filter(Column::Status.eq(HELD)).all(&db.conn).await?;
    let mut released = Vec::with_capacity(held.len());
    for m in held {
        // Per message, so one stored meanwhile stays held (and is released next time) rather than lost.
        let r = Entity::update_many()
            .col_expr(Column::Status, Expr::value(PENDING))
            .filter(Column::Id.eq(m.id))
            .filter(Column::Status.eq(HELD))
            .exec(&db.conn)
            .await?;
        if r.rows_affected == 1 {
            released.push((m.jurisdiction_id, m.id));
        }
    }
    Ok(released)
}
