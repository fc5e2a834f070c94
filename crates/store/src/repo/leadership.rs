//! Co-chair seats: terms with end dates, handovers, and who currently leads.

use super::partnerships::{Event, record};
use crate::entities::{leadership_term, user};
use crate::error::StoreResult;
use crate::{Db, now};
use commonbeat_domain::partnership::Seat;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// A term with its holder.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term.
    pub term: leadership_term::Model,
    /// The holder.
    pub user: user::Model,
}

/// The current (not ended) term of each seat.
pub async fn current(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<Term>> {
    let terms = leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .filter(leadership_term::Column::EndedAt.is_null())
        .order_by_asc(leadership_term::Column::Id)
        .all(&db.conn)
        .await?;
    with_users(db, jurisdiction_id, terms).await
}

/// Every term, newest first (the handover record).
pub async fn history(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<Term>> {
    let terms = leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .order_by_desc(leadership_term::Column::Id)
        .all(&db.conn)
        .await?;
    with_users(db, jurisdiction_id, terms).await
}

async fn with_users(db: &Db, jurisdiction_id: i64, terms: Vec<leadership_term::Model>) -> StoreResult<Vec<Term>> {
    let ids: Vec<i64> = terms.iter().map(|t| t.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(user::Column::Id.is_in(ids))
        .all(&db.conn)
        .await?;
    Ok(terms
        .into_iter()
        .filter_map(|t| users.iter().find(|u| u.id == t.user_id).cloned().map(|u| Term { term: t, user: u }))
        .collect())
}

/// A new term for a seat.
#[derive(Debug, Clone)]
pub struct Assignment<'a> {
    /// The seat.
    pub seat: Seat,
    /// The new holder.
    pub user_id: i64,
    /// Term start (unix seconds).
    pub starts_at: i64,
    /// Term end (unix seconds).
    pub ends_at: i64,
    /// Who assigned it.
    pub actor_id: Option<i64>,
    /// Handover note recorded on the outgoing term.
    pub handover_note: &'a str,
}

/// Puts a new holder in a seat, ending the current holder's term with a handover note.
pub async fn assign(db: &Db, jurisdiction_id: i64, partnership_id: i64, a: Assignment<'_>) -> StoreResult<()> {
    let Assignment { seat, user_id, starts_at, ends_at, actor_id, handover_note } = a;
    let txn = db.begin_write().await?;
    let t = now();
    let previous = leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .filter(leadership_term::Column::Seat.eq(seat.as_str()))
        .filter(leadership_term::Column::EndedAt.is_null())
        .one(&txn)
        .await?;
    if let Some(p) = &previous {
        leadership_term::Entity::update_many()
            .col_expr(leadership_term::Column::EndedAt, Expr::value(t))
            .col_expr(leadership_term::Column::HandoverNote, Expr::value(handover_note.to_string()))
            .filter(leadership_term::Column::Id.eq(p.id))
            .exec(&txn)
            .await?;
    }
    leadership_term::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        seat: Set(seat.as_str().into()),
        user_id: Set(user_id),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        ended_at: Set(None),
        handover_note: Set(String::new()),
        created_by: Set(actor_id),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| crate::error::StoreError::unique(e, "seat"))?;
    let from = previous.map(|p| p.user_id.to_string()).unwrap_or_default();
    record(
        &txn,
        jurisdiction_id,
        partnership_id,
        Event {
            kind: "leadership",
            subject_id: Some(user_id),
            from: &from,
            to: seat.as_str(),
            actor_id,
            note: handover_note,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends the current term of `seat` (leaving it vacant), with a handover note.
pub async fn vacate(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    seat: Seat,
    actor_id: Option<i64>,
    note: &str,
) -> StoreResult<bool> {
    let txn = db.begin_write().await?;
    let r = leadership_term::Entity::update_many()
        .col_expr(leadership_term::Column::EndedAt, Expr::value(now()))
        .col_expr(leadership_term::Column::HandoverNote, Expr::value(note.to_string()))
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .filter(leadership_term::Column::Seat.eq(seat.as_str()))
        .filter(leadership_term::Column::EndedAt.is_null())
        .exec(&txn)
        .await?;
    if r.rows_affected > 0 {
        record(
            &txn,
            jurisdiction_id,
            partnership_id,
            Event { kind: "leadership", subject_id: None, from: seat.as_str(), to: "", actor_id, note },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(r.rows_affected > 0)
}

/// Whether the user currently holds any seat (co-chair or deputy) whose term has not run out.
pub async fn leads(db: &Db, jurisdiction_id: i64, partnership_id: i64, user_id: i64) -> StoreResult<bool> {
    Ok(leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .filter(leadership_term::Column::UserId.eq(user_id))
        .filter(leadership_term::Column::EndedAt.is_null())
        .filter(leadership_term::Column::EndsAt.gt(now()))
        .one(&db.conn)
        .await?
        .is_some())
}

/// Sets when the seat's most recently ended term ended (for imported history and the demo's backdated vacancy).
pub async fn set_ended_at(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    seat: Seat,
    ended_at: i64,
) -> StoreResult<u64> {
    let Some(last) = leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(leadership_term::Column::PartnershipId.eq(partnership_id))
        .filter(leadership_term::Column::Seat.eq(seat.as_str()))
        .filter(leadership_term::Column::EndedAt.is_not_null())
        .order_by_desc(leadership_term::Column::EndedAt)
        .one(&db.conn)
        .await?
    else {
        return Ok(0);
    };
    let r = leadership_term::Entity::update_many()
        .col_expr(leadership_term::Column::EndedAt, Expr::value(ended_at))
        .filter(leadership_term::Column::Id.eq(last.id))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}
