//! Decisions of a partnership: creation, one ballot per eligible voter (enforced by the database, even under
//! concurrent requests), closing, outcomes, threaded comments, and common-ground statements and votes.
//!
//! Ballot choices are stored as JSON in the shape the domain tally for the decision's kind expects; this layer
//! never interprets them.

use crate::entities::{ballot, cg_statement, cg_vote, decision, decision_comment, decision_voter, member_profile};
use crate::error::{StoreError, StoreResult};
use crate::{Backend, Db, now};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Created with a later opening time: members see it, nobody votes yet.
pub const SCHEDULED: &str = "scheduled";
/// Accepting ballots.
pub const OPEN: &str = "open";
/// Voting has ended.
pub const CLOSED: &str = "closed";

/// A decision to create.
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// The partnership deciding.
    pub partnership_id: i64,
    /// Domain kind id (`proposal`, `consent`, `poll_single`, …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Details (sanitised markdown source).
    pub body: String,
    /// Option labels (JSON array), if the kind has options.
    pub options: String,
    /// Settings (JSON object: quorum per side, who may vote, anonymity, visibility, …).
    pub settings: String,
    /// When voting opens (unix seconds). Later than now: the decision is created `scheduled` and [`open_scheduled`]
    /// opens it at that time; otherwise it is open at once.
    pub opens_at: i64,
    /// When voting closes.
    pub closes_at: i64,
    /// Hidden from the public decision log.
    pub is_private: bool,
    /// What the decision affects (free text or a reference such as `problem:12`).
    pub affects: String,
    /// Who created it.
    pub created_by: Option<i64>,
}

/// Creates a decision, open or (with a later opening time) scheduled, with its named voters when voting is
/// restricted to them.
pub async fn create(
    db: &Db,
    jurisdiction_id: i64,
    d: NewDecision,
    named_voters: &[i64],
) -> StoreResult<decision::Model> {
    let txn = db.begin_write().await?;
    let t = now();
    let scheduled = d.opens_at > t;
    let m = decision::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(d.partnership_id),
        kind: Set(d.kind),
        title: Set(d.title),
        body: Set(d.body),
        options: Set(d.options),
        settings: Set(d.settings),
        status: Set(if scheduled { SCHEDULED } else { OPEN }.into()),
        opens_at: Set(d.opens_at),
        opened_at: Set((!scheduled).then_some(t)),
        closes_at: Set(d.closes_at),
        outcome: Set(None),
        outcome_by: Set(None),
        review_at: Set(None),
        is_private: Set(d.is_private),
        affects: Set(d.affects),
        created_by: Set(d.created_by),
        created_at: Set(t),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for u in named_voters {
        decision_voter::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            decision_id: Set(m.id),
            user_id: Set(*u),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(m)
}

/// One decision of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<decision::Model> {
    decision::Entity::find_by_id(id)
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A partnership's decisions, newest first; private ones only when asked.
pub async fn for_partnership(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    include_private: bool,
) -> StoreResult<Vec<decision::Model>> {
    let mut q = decision::Entity::find()
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision::Column::PartnershipId.eq(partnership_id));
    if !include_private {
        q = q.filter(decision::Column::IsPrivate.eq(false));
    }
    Ok(q.order_by_desc(decision::Column::Id).all(&db.conn).await?)
}

/// The named voters of a decision (empty when every member may vote).
pub async fn named_voters(db: &Db, jurisdiction_id: i64, decision_id: i64) -> StoreResult<Vec<i64>> {
    Ok(decision_voter::Entity::find()
        .filter(decision_voter::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision_voter::Column::DecisionId.eq(decision_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|v| v.user_id)
        .collect())
}

/// What casting a ballot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cast {
    /// A first ballot.
    Created,
    /// An earlier ballot was replaced (its previous choice is returned for the audit log).
    Changed {
        /// The choice replaced.
        previous: String,
    },
}

/// A ballot to cast.
#[derive(Debug, Clone)]
pub struct NewBallot<'a> {
    /// The voter.
    pub user_id: i64,
    /// Their side at the time of voting.
    pub side: &'a str,
    /// The choice as JSON.
    pub choice: &'a str,
    /// Their reason (may be empty).
    pub reason: &'a str,
    /// Whether an earlier ballot may be replaced.
    pub changeable: bool,
}

/// Casts (or, when allowed, changes) a ballot. Refused when the decision is not open at this moment (a scheduled
/// decision takes no ballot until the opening job has opened it). The unique
/// index on (decision, voter) and a single upsert make two simultaneous ballots of one voter count once; the
/// decision row is locked for the check, so ballots on one decision are cast one at a time and none slips in after a
/// concurrent close (PostgreSQL `FOR UPDATE`; SQLite serialises writers); that also makes "first ballot or a change"
/// exact for the audit log.
pub async fn cast(db: &Db, jurisdiction_id: i64, decision_id: i64, b: NewBallot<'_>) -> StoreResult<Cast> {
    let txn = db.begin_write().await?;
    let t = now();
    let lock = if db.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = txn
        .query_one_raw(db.stmt(
            &format!("SELECT status, opens_at, closes_at FROM decisions WHERE id = $1 AND jurisdiction_id = $2{lock}"),
            vec![decision_id.into(), jurisdiction_id.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    let status: String = row.try_get("", "status")?;
    let opens: i64 = row.try_get("", "opens_at")?;
    let closes: i64 = row.try_get("", "closes_at")?;
    if status != OPEN || t < opens || t >= closes {
        return Err(StoreError::Invalid("voting is not open".into()));
    }
    let previous = ballot::Entity::find()
        .filter(ballot::Column::DecisionId.eq(decision_id))
        .filter(ballot::Column::UserId.eq(b.user_id))
        .one(&txn)
        .await?;
    if previous.is_some() && !b.changeable {
        return Err(StoreError::Invalid("votes on this decision cannot be changed".into()));
    }
    let conflict = if b.changeable {
        "DO UPDATE SET choice = excluded.choice, reason = excluded.reason, updated_at = excluded.updated_at, revision = ballots.revision + 1"
    } else {
        "DO NOTHING"
    };
    let r = txn
        .execute_raw(db.stmt(
            &format!(
                "INSERT INTO ballots (jurisdiction_id, decision_id, user_id, side, choice, reason, revision, cast_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) ON CONFLICT (decision_id, user_id) {conflict}"
            ),
            vec![
                jurisdiction_id.into(),
                decision_id.into(),
                b.user_id.into(),
                b.side.into(),
                b.choice.into(),
                b.reason.into(),
                t.into(),
            ],
        ))
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Invalid("votes on this decision cannot be changed".into()));
    }
    txn.commit().await?;
    Ok(match previous {
        Some(p) => Cast::Changed { previous: p.choice },
        None => Cast::Created,
    })
}

/// Every ballot of a decision, in casting order.
pub async fn ballots(db: &Db, jurisdiction_id: i64, decision_id: i64) -> StoreResult<Vec<ballot::Model>> {
    Ok(ballot::Entity::find()
        .filter(ballot::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(ballot::Column::DecisionId.eq(decision_id))
        .order_by_asc(ballot::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Closes voting (idempotent); a scheduled decision closed before its opening time never opens. Returns whether
/// this call closed it.
pub async fn close(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<bool> {
    let r = decision::Entity::update_many()
        .col_expr(decision::Column::Status, Expr::value(CLOSED))
        .col_expr(decision::Column::ClosedAt, Expr::value(now()))
        .filter(decision::Column::Id.eq(id))
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision::Column::Status.is_in([OPEN, SCHEDULED]))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Opens a scheduled decision whose opening time has come (idempotent: one conditional update, so two workers
/// cannot both open it). Returns whether this call opened it; the caller then sends the "decision opened" notice.
pub async fn open_scheduled(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<bool> {
    let t = now();
    let r = decision::Entity::update_many()
        .col_expr(decision::Column::Status, Expr::value(OPEN))
        .col_expr(decision::Column::OpenedAt, Expr::value(t))
        .filter(decision::Column::Id.eq(id))
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision::Column::Status.eq(SCHEDULED))
        .filter(decision::Column::OpensAt.lte(t))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The answers of these users' private profiles (JSON objects, dimension → category) by user id. For aggregate
/// use only (common-ground groups of at least k voters): an individual's answers are never shown.
pub async fn voter_demographics(
    db: &Db,
    jurisdiction_id: i64,
    user_ids: &[i64],
) -> StoreResult<std::collections::BTreeMap<i64, String>> {
    if user_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(member_profile::Entity::find()
        .filter(member_profile::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(member_profile::Column::UserId.is_in(user_ids.to_vec()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p.demographics))
        .collect())
}

/// Open decisions whose closing time has passed (the job worker closes them).
pub async fn due_to_close(db: &Db) -> StoreResult<Vec<decision::Model>> {
    Ok(decision::Entity::find()
        .filter(decision::Column::Status.eq(OPEN))
        .filter(decision::Column::ClosesAt.lte(now()))
        .all(&db.conn)
        .await?)
}

/// Records the outcome statement of a closed decision, with an optional review date.
pub async fn set_outcome(
    db: &Db,
    jurisdiction_id: i64,
    id: i64,
    outcome: &str,
    by: i64,
    review_at: Option<i64>,
) -> StoreResult<()> {
    let r = decision::Entity::update_many()
        .col_expr(decision::Column::Outcome, Expr::value(outcome.to_string()))
        .col_expr(decision::Column::OutcomeBy, Expr::value(by))
        .col_expr(decision::Column::ReviewAt, Expr::value(review_at))
        .filter(decision::Column::Id.eq(id))
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision::Column::Status.eq(CLOSED))
        .exec(&db.conn)
        .await?;
    if r.rows_affected == 0 {
        Err(StoreError::Invalid("the outcome is written after the decision closes".into()))
    } else {
        Ok(())
    }
}

/// Adds a comment (a reply when `parent_id` is a comment of the same decision).
pub async fn add_comment(
    db: &Db,
    jurisdiction_id: i64,
    decision_id: i64,
    parent_id: Option<i64>,
    user_id: i64,
    body: &str,
) -> StoreResult<decision_comment::Model> {
    if let Some(p) = parent_id {
        decision_comment::Entity::find_by_id(p)
            .filter(decision_comment::Column::DecisionId.eq(decision_id))
            .filter(decision_comment::Column::JurisdictionId.eq(jurisdiction_id))
            .one(&db.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    Ok(decision_comment::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        decision_id: Set(decision_id),
        parent_id: Set(parent_id),
        user_id: Set(user_id),
        body: Set(body.to_string()),
        hidden: Set(false),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// A decision's comments in posting order.
pub async fn comments(db: &Db, jurisdiction_id: i64, decision_id: i64) -> StoreResult<Vec<decision_comment::Model>> {
    Ok(decision_comment::Entity::find()
        .filter(decision_comment::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision_comment::Column::DecisionId.eq(decision_id))
        .order_by_asc(decision_comment::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Submits a common-ground statement (pending moderation unless `approved`).
pub async fn add_statement(
    db: &Db,
    jurisdiction_id: i64,
    decision_id: i64,
    author_id: Option<i64>,
    body: &str,
    approved: bool,
) -> StoreResult<cg_statement::Model> {
    if body.trim().is_empty() || body.chars().count() > 280 {
        return Err(StoreError::Invalid("a statement is 1 to 280 characters".into()));
    }
    Ok(cg_statement::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        decision_id: Set(decision_id),
        author_id: Set(author_id),
        body: Set(body.trim().to_string()),
        status: Set(if approved { "approved" } else { "pending" }.into()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// Approves or rejects a statement.
pub async fn moderate_statement(db: &Db, jurisdiction_id: i64, statement_id: i64, approve: bool) -> StoreResult<()> {
    let r = cg_statement::Entity::update_many()
        .col_expr(cg_statement::Column::Status, Expr::value(if approve { "approved" } else { "rejected" }))
        .filter(cg_statement::Column::Id.eq(statement_id))
        .filter(cg_statement::Column::JurisdictionId.eq(jurisdiction_id))
        .exec(&db.conn)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// A statement's votes and the statements of a decision.
pub async fn statements(
    db: &Db,
    jurisdiction_id: i64,
    decision_id: i64,
    status: Option<&str>,
) -> StoreResult<Vec<cg_statement::Model>> {
    let mut q = cg_statement::Entity::find()
        .filter(cg_statement::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(cg_statement::Column::DecisionId.eq(decision_id));
    if let Some(s) = status {
        q = q.filter(cg_statement::Column::Status.eq(s));
    }
    Ok(q.order_by_asc(cg_statement::Column::Id).all(&db.conn).await?)
}

/// A vote on a statement by `voter_key` (a user id or a hashed anonymous link token): agree, disagree or pass.
/// A later vote by the same voter replaces the earlier one.
pub async fn vote_statement(
    db: &Db,
    jurisdiction_id: i64,
    statement_id: i64,
    voter_key: &str,
    side: Option<&str>,
    group: Option<&str>,
    vote: &str,
) -> StoreResult<()> {
    if !matches!(vote, "agree" | "disagree" | "pass") {
        return Err(StoreError::Invalid(format!("unknown vote {vote:?}")));
    }
    db.conn
        .execute_raw(db.stmt(
            "INSERT INTO cg_votes (jurisdiction_id, statement_id, voter_key, side, group_label, vote, cast_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM cg_statements WHERE id = $2 AND jurisdiction_id = $1 AND status = 'approved') \
             ON CONFLICT (statement_id, voter_key) DO UPDATE SET vote = excluded.vote, cast_at = excluded.cast_at",
            vec![
                jurisdiction_id.into(),
                statement_id.into(),
                voter_key.into(),
                side.map(String::from).into(),
                group.map(String::from).into(),
                vote.into(),
                now().into(),
            ],
        ))
        .await?;
    Ok(())
}

/// Every vote on a decision's statements.
pub async fn statement_votes(db: &Db, jurisdiction_id: i64, statement_ids: &[i64]) -> StoreResult<Vec<cg_vote::Model>> {
    Ok(cg_vote::Entity::find()
        .filter(cg_vote::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(cg_vote::Column::StatementId.is_in(statement_ids.to_vec()))
        .order_by_asc(cg_vote::Column::Id)
        .all(&db.conn)
        .await?)
}
