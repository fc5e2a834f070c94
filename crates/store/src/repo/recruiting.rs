//! Recruiting: outreach events with their host partnerships, candidates and every stage change, community
//! referrals awaiting the candidate's confirmation, and interview panels with their score sheets. The stage and
//! rubric rules live in `commonbeat_domain::recruit`; this module stores what they allowed. Who may read what is
//! the web layer's rule (recruiting staff only for candidates' personal data).

use crate::entities::{
    recruit_candidate as cand, recruit_event as event, recruit_event_host as host, recruit_panelist as panelist,
    recruit_referral as referral, recruit_score as score, recruit_stage_change as change,
};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// Setting key: comma-separated ids of police accounts who are recruiting staff (administrators always are).
pub const STAFF_SETTING: &str = "recruiting.staff";
/// Setting key: comma-separated stage ids of the pipeline (empty or unset = the default pipeline).
pub const STAGES_SETTING: &str = "recruiting.stages";
/// Setting key: days after a candidate's file is closed before it is deleted.
pub const RETENTION_SETTING: &str = "recruiting.retention_days";
/// Retention when the setting is absent: two years.
pub const DEFAULT_RETENTION_DAYS: i64 = 730;

/// An outreach event to record.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    /// Title.
    pub title: String,
    /// `fair`, `school`, `faith`, `ride_along` or `other`.
    pub kind: String,
    /// Where.
    pub place: String,
    /// When it starts (unix seconds).
    pub starts_at: i64,
    /// What it is.
    pub description: String,
    /// Shown on the public pages.
    pub is_public: bool,
    /// Co-hosting partnerships.
    pub hosts: Vec<i64>,
    /// Who recorded it.
    pub created_by: Option<i64>,
}

/// Records an event and its hosts.
pub async fn create_event(db: &Db, jurisdiction_id: i64, e: NewEvent) -> StoreResult<event::Model> {
    let txn = db.begin_write().await?;
    let m = event::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        title: Set(e.title),
        kind: Set(e.kind),
        place: Set(e.place),
        starts_at: Set(e.starts_at),
        description: Set(e.description),
        attendance: Set(0),
        is_public: Set(e.is_public),
        created_by: Set(e.created_by),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for p in e.hosts {
        host::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            event_id: Set(m.id),
            partnership_id: Set(p),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(m)
}

/// One event of this jurisdiction.
pub async fn event_by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<event::Model> {
    event::Entity::find_by_id(id)
        .filter(event::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The jurisdiction's events (only public ones when `public_only`), soonest first.
pub async fn events(db: &Db, jurisdiction_id: i64, public_only: bool) -> StoreResult<Vec<event::Model>> {
    let mut q = event::Entity::find().filter(event::Column::JurisdictionId.eq(jurisdiction_id));
    if public_only {
        q = q.filter(event::Column::IsPublic.eq(true));
    }
    Ok(q.order_by_asc(event::Column::StartsAt).order_by_asc(event::Column::Id).all(&db.conn).await?)
}

/// Every (event, partnership) hosting pair of the jurisdiction.
pub async fn hosts(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<host::Model>> {
    Ok(host::Entity::find().filter(host::Column::JurisdictionId.eq(jurisdiction_id)).all(&db.conn).await?)
}

/// Records how many people came to an event.
pub async fn set_attendance(db: &Db, jurisdiction_id: i64, id: i64, attendance: i64) -> StoreResult<()> {
    event::Entity::update_many()
        .col_expr(event::Column::Attendance, Expr::value(attendance))
        .filter(event::Column::Id.eq(id))
        .filter(event::Column::JurisdictionId.eq(jurisdiction_id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// A candidate to record (a lead from an event, a confirmed referral, an applicant).
#[derive(Debug, Clone, Default)]
pub struct NewCandidate {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone (optional).
    pub phone: String,
    /// `event`, `partnership`, `referral` or `direct`.
    pub source: String,
    /// The event they signed up at.
    pub event_id: Option<i64>,
    /// The partnership that brought them.
    pub partnership_id: Option<i64>,
    /// The member who referred them.
    pub referrer_id: Option<i64>,
    /// Self-described census race category id, or empty.
    pub race: String,
    /// Self-described sex (`female`, `male`), or empty.
    pub sex: String,
}

async fn insert_candidate<C: ConnectionTrait>(
    conn: &C,
    jurisdiction_id: i64,
    c: NewCandidate,
    stage: &str,
    t: i64,
) -> StoreResult<cand::Model> {
    let m = cand::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        name: Set(c.name),
        email: Set(c.email),
        phone: Set(c.phone),
        stage: Set(stage.to_string()),
        source: Set(c.source),
        event_id: Set(c.event_id),
        partnership_id: Set(c.partnership_id),
        referrer_id: Set(c.referrer_id),
        race: Set(c.race),
        sex: Set(c.sex),
        consent_at: Set(t),
        created_at: Set(t),
        stage_changed_at: Set(t),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    change::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        candidate_id: Set(m.id),
        from_stage: Set(String::new()),
        to_stage: Set(stage.to_string()),
        note: Set(String::new()),
        author_id: Set(None),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(m)
}

/// Records a candidate at `stage` (the pipeline's first stage), with consent given now.
pub async fn create_candidate(db: &Db, jurisdiction_id: i64, c: NewCandidate, stage: &str) -> StoreResult<cand::Model> {
    let txn = db.begin_write().await?;
    let m = insert_candidate(&txn, jurisdiction_id, c, stage, now()).await?;
    txn.commit().await?;
    Ok(m)
}

/// One candidate of this jurisdiction.
pub async fn candidate(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<cand::Model> {
    cand::Entity::find_by_id(id)
        .filter(cand::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Every candidate of the jurisdiction, newest first.
pub async fn candidates(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<cand::Model>> {
    Ok(cand::Entity::find()
        .filter(cand::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(cand::Column::CreatedAt)
        .order_by_desc(cand::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Moves a candidate to `to` (a move the domain rules allowed) at unix time `t`, recording the change, in one
/// transaction. A concurrent move (the stage is no longer the one read) is [`StoreError::Conflict`].
pub async fn change_stage(
    db: &Db,
    c: &cand::Model,
    to: &str,
    terminal: bool,
    note: &str,
    author_id: Option<i64>,
    t: i64,
) -> StoreResult<cand::Model> {
    let txn = db.begin_write().await?;
    let moved = cand::Entity::update_many()
        .col_expr(cand::Column::Stage, Expr::value(to))
        .col_expr(cand::Column::StageChangedAt, Expr::value(t))
        .col_expr(cand::Column::ClosedAt, Expr::value(if terminal { Some(t) } else { None::<i64> }))
        .filter(cand::Column::Id.eq(c.id))
        .filter(cand::Column::JurisdictionId.eq(c.jurisdiction_id))
        .filter(cand::Column::Stage.eq(c.stage.clone()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(StoreError::Conflict { field: "stage" });
    }
    change::ActiveModel {
        jurisdiction_id: Set(c.jurisdiction_id),
        candidate_id: Set(c.id),
        from_stage: Set(c.stage.clone()),
        to_stage: Set(to.to_string()),
        note: Set(note.to_string()),
        author_id: Set(author_id),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    candidate(db, c.jurisdiction_id, c.id).await
}

/// A candidate's stage changes, oldest first.
pub async fn stage_changes(db: &Db, jurisdiction_id: i64, candidate_id: i64) -> StoreResult<Vec<change::Model>> {
    Ok(change::Entity::find()
        .filter(change::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(change::Column::CandidateId.eq(candidate_id))
        .order_by_asc(change::Column::CreatedAt)
        .order_by_asc(change::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Every stage change of the jurisdiction, oldest first (for the reports).
pub async fn all_stage_changes(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<change::Model>> {
    Ok(change::Entity::find()
        .filter(change::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_asc(change::Column::CreatedAt)
        .order_by_asc(change::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Deletes the candidates whose file was closed (hired, withdrawn, not selected) before unix time `before`, with
/// their stage changes, panels and scores (cascade), and unlinks their referrals. Returns how many were deleted.
pub async fn purge_closed(db: &Db, jurisdiction_id: i64, before: i64) -> StoreResult<u64> {
    let txn = db.begin_write().await?;
    let old: Vec<i64> = cand::Entity::find()
        .filter(cand::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(cand::Column::ClosedAt.lt(before))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if old.is_empty() {
        return Ok(0);
    }
    referral::Entity::delete_many()
        .filter(referral::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(referral::Column::CandidateId.is_in(old.clone()))
        .exec(&txn)
        .await?;
    let n = cand::Entity::delete_many()
        .filter(cand::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(cand::Column::Id.is_in(old))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n)
}

/// A candidate with their whole history, for bulk loading (the demo).
#[derive(Debug, Clone, Default)]
pub struct ImportedCandidate {
    /// The candidate.
    pub candidate: NewCandidate,
    /// Stage changes in order: `(to_stage, at)`; the first is where they entered.
    pub path: Vec<(String, i64)>,
    /// Whether the last stage is final.
    pub closed: bool,
}

/// Loads candidates with their histories in one transaction; returns their ids in input order.
pub async fn import_candidates(db: &Db, jurisdiction_id: i64, list: Vec<ImportedCandidate>) -> StoreResult<Vec<i64>> {
    let txn = db.conn.begin().await?;
    let mut ids = Vec::with_capacity(list.len());
    for c in list {
        let (first, t0) = c.path.first().cloned().ok_or(StoreError::Invalid("empty path".into()))?;
        let m = insert_candidate(&txn, jurisdiction_id, c.candidate, &first, t0).await?;
        let mut rows = Vec::new();
        let mut from = first;
        for (to, t) in c.path.iter().skip(1) {
            rows.push(change::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                candidate_id: Set(m.id),
                from_stage: Set(from.clone()),
                to_stage: Set(to.clone()),
                note: Set(String::new()),
                author_id: Set(None),
                created_at: Set(*t),
                ..Default::default()
            });
            from = to.clone();
        }
        let (last, tl) = c.path.last().cloned().unwrap_or_default();
        if !rows.is_empty() {
            change::Entity::insert_many(rows).exec(&txn).await?;
        }
        cand::Entity::update_many()
            .col_expr(cand::Column::Stage, Expr::value(last))
            .col_expr(cand::Column::StageChangedAt, Expr::value(tl))
            .col_expr(cand::Column::ClosedAt, Expr::value(if c.closed { Some(tl) } else { None::<i64> }))
            .filter(cand::Column::Id.eq(m.id))
            .exec(&txn)
            .await?;
        ids.push(m.id);
    }
    txn.commit().await?;
    Ok(ids)
}

/// Records a referral: only the e-mail address and the SHA-256 of the confirmation token are kept.
pub async fn create_referral(
    db: &Db,
    jurisdiction_id: i64,
    referrer_id: i64,
    partnership_id: Option<i64>,
    email: &str,
    token_hash: &str,
    ttl_secs: i64,
) -> StoreResult<referral::Model> {
    let t = now();
    Ok(referral::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        referrer_id: Set(referrer_id),
        partnership_id: Set(partnership_id),
        email: Set(email.to_string()),
        token_hash: Set(token_hash.to_string()),
        status: Set("pending".into()),
        candidate_id: Set(None),
        created_at: Set(t),
        expires_at: Set(t + ttl_secs),
        confirmed_at: Set(None),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// A pending, unexpired referral by its token's hash.
pub async fn pending_referral(db: &Db, jurisdiction_id: i64, token_hash: &str) -> StoreResult<referral::Model> {
    referral::Entity::find()
        .filter(referral::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(referral::Column::TokenHash.eq(token_hash))
        .filter(referral::Column::Status.eq("pending"))
        .filter(referral::Column::ExpiresAt.gt(now()))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Confirms a referral: creates the candidate at `stage` and marks the referral used, once (a second use of the
/// token finds nothing: [`StoreError::NotFound`]).
pub async fn confirm_referral(db: &Db, r: &referral::Model, c: NewCandidate, stage: &str) -> StoreResult<cand::Model> {
    let t = now();
    let txn = db.begin_write().await?;
    let used = referral::Entity::update_many()
        .col_expr(referral::Column::Status, Expr::value("confirmed"))
        .col_expr(referral::Column::ConfirmedAt, Expr::value(t))
        .filter(referral::Column::Id.eq(r.id))
        .filter(referral::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(StoreError::NotFound);
    }
    let m = insert_candidate(&txn, r.jurisdiction_id, c, stage, t).await?;
    referral::Entity::update_many()
        .col_expr(referral::Column::CandidateId, Expr::value(m.id))
        .filter(referral::Column::Id.eq(r.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(m)
}

/// A member's referrals, newest first.
pub async fn referrals_of(db: &Db, jurisdiction_id: i64, referrer_id: i64) -> StoreResult<Vec<referral::Model>> {
    Ok(referral::Entity::find()
        .filter(referral::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(referral::Column::ReferrerId.eq(referrer_id))
        .order_by_desc(referral::Column::CreatedAt)
        .order_by_desc(referral::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Every referral of the jurisdiction.
pub async fn referrals(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<referral::Model>> {
    Ok(referral::Entity::find().filter(referral::Column::JurisdictionId.eq(jurisdiction_id)).all(&db.conn).await?)
}

/// Replaces a candidate's panel with `members` (`(user id, role)`); sheets already submitted by people who stay
/// on the panel are kept, others are deleted.
pub async fn set_panel(db: &Db, jurisdiction_id: i64, candidate_id: i64, members: &[(i64, String)]) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    panelist::Entity::delete_many()
        .filter(panelist::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(panelist::Column::CandidateId.eq(candidate_id))
        .exec(&txn)
        .await?;
    let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
    score::Entity::delete_many()
        .filter(score::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(score::Column::CandidateId.eq(candidate_id))
        .filter(score::Column::UserId.is_not_in(ids))
        .exec(&txn)
        .await?;
    let t = now();
    for (user_id, role) in members {
        panelist::ActiveModel {
            jurisdiction_id: Set(jurisdiction_id),
            candidate_id: Set(candidate_id),
            user_id: Set(*user_id),
            role: Set(role.clone()),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A candidate's panelists, in the order they were assigned.
pub async fn panel(db: &Db, jurisdiction_id: i64, candidate_id: i64) -> StoreResult<Vec<panelist::Model>> {
    Ok(panelist::Entity::find()
        .filter(panelist::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(panelist::Column::CandidateId.eq(candidate_id))
        .order_by_asc(panelist::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Every panel seat of the jurisdiction.
pub async fn all_panelists(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<panelist::Model>> {
    Ok(panelist::Entity::find().filter(panelist::Column::JurisdictionId.eq(jurisdiction_id)).all(&db.conn).await?)
}

/// The panel seats of one person.
pub async fn seats_of(db: &Db, jurisdiction_id: i64, user_id: i64) -> StoreResult<Vec<panelist::Model>> {
    Ok(panelist::Entity::find()
        .filter(panelist::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(panelist::Column::UserId.eq(user_id))
        .order_by_asc(panelist::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Stores a panelist's sheet (scores in rubric order); a second sheet from the same panelist is
/// [`StoreError::Conflict`] (sheets are final once submitted).
pub async fn submit_scores(
    db: &Db,
    jurisdiction_id: i64,
    candidate_id: i64,
    user_id: i64,
    scores: [i64; 5],
) -> StoreResult<score::Model> {
    score::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        candidate_id: Set(candidate_id),
        user_id: Set(user_id),
        communication: Set(scores[0]),
        empathy: Set(scores[1]),
        problem_solving: Set(scores[2]),
        cultural_competence: Set(scores[3]),
        service_motivation: Set(scores[4]),
        submitted_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .map_err(|e| StoreError::unique(e, "scores"))
}

/// A candidate's submitted sheets.
pub async fn scores(db: &Db, jurisdiction_id: i64, candidate_id: i64) -> StoreResult<Vec<score::Model>> {
    Ok(score::Entity::find()
        .filter(score::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(score::Column::CandidateId.eq(candidate_id))
        .order_by_asc(score::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Every sheet of the jurisdiction.
pub async fn all_scores(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<score::Model>> {
    Ok(score::Entity::find().filter(score::Column::JurisdictionId.eq(jurisdiction_id)).all(&db.conn).await?)
}

/// A panel to load in bulk: `(candidate id, [(user id, role)], [(user id, scores in rubric order)])`.
pub type ImportedPanel = (i64, Vec<(i64, String)>, Vec<(i64, [i64; 5])>);

/// Loads panels and sheets in bulk (the demo).
pub async fn import_panels(db: &Db, jurisdiction_id: i64, panels: Vec<ImportedPanel>) -> StoreResult<()> {
    let txn = db.conn.begin().await?;
    let t = now();
    for (candidate_id, members, sheets) in panels {
        let seats: Vec<panelist::ActiveModel> = members
            .into_iter()
            .map(|(user_id, role)| panelist::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                candidate_id: Set(candidate_id),
                user_id: Set(user_id),
                role: Set(role),
                created_at: Set(t),
                ..Default::default()
            })
            .collect();
        if !seats.is_empty() {
            panelist::Entity::insert_many(seats).exec(&txn).await?;
        }
        let rows: Vec<score::ActiveModel> = sheets
            .into_iter()
            .map(|(user_id, s)| score::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                candidate_id: Set(candidate_id),
                user_id: Set(user_id),
                communication: Set(s[0]),
                empathy: Set(s[1]),
                problem_solving: Set(s[2]),
                cultural_competence: Set(s[3]),
                service_motivation: Set(s[4]),
                submitted_at: Set(t),
                ..Default::default()
            })
            .collect();
        if !rows.is_empty() {
            score::Entity::insert_many(rows).exec(&txn).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Records an already confirmed referral of `candidate_id` made at unix time `at` (bulk loading: the demo).
pub async fn import_referral(
    db: &Db,
    jurisdiction_id: i64,
    referrer_id: i64,
    partnership_id: Option<i64>,
    candidate_id: i64,
    email: &str,
    at: i64,
) -> StoreResult<()> {
    referral::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        referrer_id: Set(referrer_id),
        partnership_id: Set(partnership_id),
        email: Set(email.to_string()),
        token_hash: Set(crate::secrets::hash_token(&crate::secrets::new_token())),
        status: Set("confirmed".into()),
        candidate_id: Set(Some(candidate_id)),
        created_at: Set(at),
        expires_at: Set(at + 14 * 86_400),
        confirmed_at: Set(Some(at + 86_400)),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?;
    Ok(())
}
