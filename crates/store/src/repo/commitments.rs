//! Commitments (tracked promises) of a partnership, their progress notes, and announcements. Dates are stored as
//! ISO `YYYY-MM-DD` text in the deployment's time zone, so "due on" means the same day to everyone.

use crate::entities::{announcement, commitment, commitment_note};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// A commitment to record.
#[derive(Debug, Clone, Default)]
pub struct NewCommitment {
    /// The partnership.
    pub partnership_id: i64,
    /// The meeting whose minutes it came from.
    pub meeting_id: Option<i64>,
    /// The decision it carries out.
    pub decision_id: Option<i64>,
    /// The problem it works on.
    pub problem_id: Option<i64>,
    /// The response strategy of that problem it carries out.
    pub strategy_id: Option<i64>,
    /// What was promised.
    pub title: String,
    /// The member who owns it.
    pub owner_user_id: Option<i64>,
    /// Their side (`police` or `community`); none for an organisation.
    pub owner_side: Option<String>,
    /// An organisation that owns it (city department, school, …), when not a member.
    pub owner_org: String,
    /// Due date (`YYYY-MM-DD`).
    pub due_on: String,
    /// Shown on the public "we said / we did" timeline.
    pub is_public: bool,
    /// Who recorded it.
    pub created_by: Option<i64>,
    /// The local date it was made (`YYYY-MM-DD`).
    pub created_on: String,
}

/// Records an open commitment.
pub async fn create(db: &Db, jurisdiction_id: i64, c: NewCommitment) -> StoreResult<commitment::Model> {
    let t = now();
    Ok(commitment::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(c.partnership_id),
        meeting_id: Set(c.meeting_id),
        decision_id: Set(c.decision_id),
        problem_id: Set(c.problem_id),
        strategy_id: Set(c.strategy_id),
        title: Set(c.title),
        owner_user_id: Set(c.owner_user_id),
        owner_side: Set(c.owner_side),
        owner_org: Set(c.owner_org),
        due_on: Set(c.due_on),
        status: Set("open".into()),
        drop_reason: Set(String::new()),
        completed_on: Set(None),
        is_public: Set(c.is_public),
        created_by: Set(c.created_by),
        created_on: Set(c.created_on),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// One commitment of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<commitment::Model> {
    commitment::Entity::find_by_id(id)
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A partnership's commitments, soonest due first.
pub async fn for_partnership(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
) -> StoreResult<Vec<commitment::Model>> {
    Ok(commitment::Entity::find()
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(commitment::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(commitment::Column::DueOn)
        .order_by_asc(commitment::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Commitments that work on one problem (its response strategies' commitments among them).
pub async fn for_problem(db: &Db, jurisdiction_id: i64, problem_id: i64) -> StoreResult<Vec<commitment::Model>> {
    Ok(commitment::Entity::find()
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(commitment::Column::ProblemId.eq(problem_id))
        .order_by_asc(commitment::Column::DueOn)
        .order_by_asc(commitment::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Commitments that came from one meeting.
pub async fn for_meeting(db: &Db, jurisdiction_id: i64, meeting_id: i64) -> StoreResult<Vec<commitment::Model>> {
    Ok(commitment::Entity::find()
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(commitment::Column::MeetingId.eq(meeting_id))
        .order_by_asc(commitment::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Commitments a member owns that are still open or in progress.
pub async fn open_for_owner(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Vec<commitment::Model>> {
    Ok(commitment::Entity::find()
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(commitment::Column::OwnerUserId.eq(user_id))
        .filter(commitment::Column::Status.is_in(["open", "in_progress"]))
        .order_by_asc(commitment::Column::DueOn)
        .all(&db.conn)
        .await?)
}

/// A status change with its note.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// New status, if it changes.
    pub status_to: Option<String>,
    /// Reason for dropping.
    pub drop_reason: String,
    /// The local date it was completed, when it becomes done.
    pub completed_on: Option<String>,
    /// The note.
    pub body: String,
    /// A link to evidence (photo, report, work order).
    pub evidence_url: String,
    /// Who wrote it.
    pub author_id: Option<i64>,
}

/// Adds a progress note and applies its status change in one transaction.
pub async fn progress(db: &Db, c: commitment::Model, p: Progress) -> StoreResult<commitment::Model> {
    let txn = db.begin_write().await?;
    commitment_note::ActiveModel {
        jurisdiction_id: Set(c.jurisdiction_id),
        commitment_id: Set(c.id),
        author_id: Set(p.author_id),
        body: Set(p.body),
        evidence_url: Set(p.evidence_url),
        status_to: Set(p.status_to.clone()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut a: commitment::ActiveModel = c.into();
    if let Some(s) = p.status_to {
        a.completed_on = Set(if s == "done" { p.completed_on } else { None });
        a.drop_reason = Set(if s == "dropped" { p.drop_reason } else { String::new() });
        a.status = Set(s);
    }
    a.updated_at = Set(now());
    let c = a.update(&txn).await?;
    txn.commit().await?;
    Ok(c)
}

/// The progress notes of a commitment, oldest first.
pub async fn notes(db: &Db, commitment_id: i64) -> StoreResult<Vec<commitment_note::Model>> {
    Ok(commitment_note::Entity::find()
        .filter(commitment_note::Column::CommitmentId.eq(commitment_id))
        .order_by_asc(commitment_note::Column::CreatedAt)
        .order_by_asc(commitment_note::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Posts an announcement.
pub async fn announce(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    title: &str,
    body: &str,
    is_public: bool,
    author_id: Option<i64>,
) -> StoreResult<announcement::Model> {
    Ok(announcement::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        title: Set(title.to_string()),
        body: Set(body.to_string()),
        is_public: Set(is_public),
        author_id: Set(author_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// A partnership's newest announcements; private ones only when asked.
pub async fn announcements(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    include_private: bool,
    limit: u64,
) -> StoreResult<Vec<announcement::Model>> {
    let mut q = announcement::Entity::find()
        .filter(announcement::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(announcement::Column::PartnershipId.eq(partnership_id));
    if !include_private {
        q = q.filter(announcement::Column::IsPublic.eq(true));
    }
    Ok(q.order_by_desc(announcement::Column::CreatedAt)
        .order_by_desc(announcement::Column::Id)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

/// Links a commitment to the problem and response strategy it carries out.
pub async fn link_problem(db: &Db, commitment_id: i64, problem_id: i64, strategy_id: i64) -> StoreResult<()> {
    commitment::Entity::update_many()
        .col_expr(commitment::Column::ProblemId, sea_orm::sea_query::Expr::value(problem_id))
        .col_expr(commitment::Column::StrategyId, sea_orm::sea_query::Expr::value(strategy_id))
        .filter(commitment::Column::Id.eq(commitment_id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// Reopens a side's completed commitments of a partnership (a correction when completions were recorded in
/// error; the demo uses it to show promises slipping). Returns how many.
pub async fn reopen_done(db: &Db, jurisdiction_id: i64, partnership_id: i64, side: &str) -> StoreResult<u64> {
    use sea_orm::sea_query::Expr;
    let r = commitment::Entity::update_many()
        .col_expr(commitment::Column::Status, Expr::value("open"))
        .col_expr(commitment::Column::CompletedOn, Expr::value(Option::<String>::None))
        .filter(commitment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(commitment::Column::PartnershipId.eq(partnership_id))
        .filter(commitment::Column::OwnerSide.eq(side))
        .filter(commitment::Column::Status.eq("done"))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}
