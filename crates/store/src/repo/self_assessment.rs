//! The partnership self-assessment: rounds, the members invited to each, and their anonymous answers.
//!
//! Anonymity is kept by the schema: a response row holds the round, the side and the answers — no user and no time.
//! Who may still answer is a participant row per (round, member) written for every active member when the round
//! opens; answering flips its `answered` flag and inserts the response in one transaction, so a member answers
//! once and nothing records which response is whose (the participant rows' order is the opening order, not the
//! answering order). The web layer writes no per-answer audit entry for the same reason.

use crate::entities::{
    membership, self_assessment_participant as participant, self_assessment_response as response,
    self_assessment_round as round,
};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Round status: answers are taken (until `closes_at`).
pub const OPEN: &str = "open";
/// Round status: closed by a co-chair (or past `closes_at`).
pub const CLOSED: &str = "closed";

/// Whether a round takes answers at `t`.
pub fn is_open(r: &round::Model, t: i64) -> bool {
    r.status == OPEN && t < r.closes_at
}

/// Opens a round for a partnership, inviting every active member on their current side. Fails with
/// `Conflict { field: "round" }` while another round of the partnership is open.
pub async fn open_round(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    opens_at: i64,
    closes_at: i64,
    created_by: Option<i64>,
) -> StoreResult<round::Model> {
    if closes_at <= opens_at {
        return Err(StoreError::Invalid("a round must close after it opens".into()));
    }
    let txn = db.begin_write().await?;
    let running = round::Entity::find()
        .filter(round::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(round::Column::PartnershipId.eq(partnership_id))
        .filter(round::Column::Status.eq(OPEN))
        .all(&txn)
        .await?;
    if running.iter().any(|r| is_open(r, opens_at)) {
        return Err(StoreError::Conflict { field: "round" });
    }
    // A round left open past its closing time is closed now.
    for r in running {
        round::Entity::update_many()
            .col_expr(round::Column::Status, Expr::value(CLOSED))
            .col_expr(round::Column::ClosedAt, Expr::value(Some(r.closes_at)))
            .filter(round::Column::Id.eq(r.id))
            .exec(&txn)
            .await?;
    }
    let r = round::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        status: Set(OPEN.into()),
        opens_at: Set(opens_at),
        closes_at: Set(closes_at),
        closed_at: Set(None),
        created_by: Set(created_by),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let members = membership::Entity::find()
        .filter(membership::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(membership::Column::PartnershipId.eq(partnership_id))
        .filter(membership::Column::Status.eq(super::members::ACTIVE))
        .order_by_asc(membership::Column::UserId)
        .all(&txn)
        .await?;
    for m in members {
        participant::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            round_id: Set(r.id),
            user_id: Set(m.user_id),
            side: Set(m.side),
            answered: Set(false),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(r)
}

/// A partnership's rounds, oldest first.
pub async fn rounds(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<round::Model>> {
    Ok(round::Entity::find()
        .filter(round::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(round::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(round::Column::OpensAt)
        .order_by_asc(round::Column::Id)
        .all(&db.conn)
        .await?)
}

/// One round of a partnership (404 for another partnership's or jurisdiction's).
pub async fn round(db: &Db, jurisdiction_id: i64, partnership_id: i64, round_id: i64) -> StoreResult<round::Model> {
    round::Entity::find_by_id(round_id)
        .filter(round::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(round::Column::PartnershipId.eq(partnership_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Closes an open round at `at`. Returns whether it was open.
pub async fn close(db: &Db, jurisdiction_id: i64, round_id: i64, at: i64) -> StoreResult<bool> {
    let res = round::Entity::update_many()
        .col_expr(round::Column::Status, Expr::value(CLOSED))
        .col_expr(round::Column::ClosedAt, Expr::value(Some(at)))
        .filter(round::Column::Id.eq(round_id))
        .filter(round::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(round::Column::Status.eq(OPEN))
        .exec(&db.conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The caller's invitation to a round, if they were an active member when it opened.
pub async fn participant(
    db: &Db,
    jurisdiction_id: i64,
    round_id: i64,
    user_id: i64,
) -> StoreResult<Option<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(participant::Column::RoundId.eq(round_id))
        .filter(participant::Column::UserId.eq(user_id))
        .one(&db.conn)
        .await?)
}

/// The members invited to a round (for the notice when it opens).
pub async fn participants(db: &Db, jurisdiction_id: i64, round_id: i64) -> StoreResult<Vec<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(participant::Column::RoundId.eq(round_id))
        .order_by_asc(participant::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Stores a member's anonymous answers (`answers` is the JSON object item → 1..5). In one transaction: the round
/// must be open at `at`, the member's participant row must not be answered yet (it is flipped), and the response is
/// inserted with the participant's side only. A second answer is `Conflict { field: "answered" }`; a member who was
/// not invited is `NotFound`; a closed round is `Invalid`.
pub async fn answer(
    db: &Db,
    jurisdiction_id: i64,
    round_id: i64,
    user_id: i64,
    answers: &str,
    comment: Option<&str>,
    at: i64,
) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    let r = round::Entity::find_by_id(round_id)
        .filter(round::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !is_open(&r, at) {
        return Err(StoreError::Invalid("the round is closed".into()));
    }
    let p = participant::Entity::find()
        .filter(participant::Column::RoundId.eq(round_id))
        .filter(participant::Column::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let flipped = participant::Entity::update_many()
        .col_expr(participant::Column::Answered, Expr::value(true))
        .filter(participant::Column::Id.eq(p.id))
        .filter(participant::Column::Answered.eq(false))
        .exec(&txn)
        .await?;
    if flipped.rows_affected != 1 {
        return Err(StoreError::Conflict { field: "answered" });
    }
    response::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        round_id: Set(round_id),
        side: Set(p.side),
        answers: Set(answers.to_string()),
        comment: Set(comment.map(str::to_string)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A round's anonymous responses.
pub async fn responses(db: &Db, jurisdiction_id: i64, round_id: i64) -> StoreResult<Vec<response::Model>> {
    Ok(response::Entity::find()
        .filter(response::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(response::Column::RoundId.eq(round_id))
        .all(&db.conn)
        .await?)
}

/// Invited and answered members per side: `(police invited, police answered, community invited, community
/// answered)`.
pub async fn turnout(db: &Db, jurisdiction_id: i64, round_id: i64) -> StoreResult<[usize; 4]> {
    let mut out = [0; 4];
    for p in participants(db, jurisdiction_id, round_id).await? {
        let base = if p.side == "police" { 0 } else { 2 };
        out[base] += 1;
        if p.answered {
            out[base + 1] += 1;
        }
    }
    Ok(out)
}
