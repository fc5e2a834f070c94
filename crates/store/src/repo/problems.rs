//! Problems (SARA cases) of a partnership: the case itself, its stage changes with notes, and its response
//! strategies. Stage rules live in `commonbeat_domain::problem`; this module only stores what they allowed.

use crate::entities::{problem, problem_event, problem_strategy};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

/// A problem to record; it starts in Scanning.
#[derive(Debug, Clone, Default)]
pub struct NewProblem {
    /// The partnership.
    pub partnership_id: i64,
    /// Short title.
    pub title: String,
    /// Incident category key (`drugs`, `violent`, …) or `non_crime`.
    pub category: String,
    /// Goals served, comma-separated ids.
    pub goals: String,
    /// What the problem is, in the partnership's words.
    pub description: String,
    /// The area it is in, if it is a whole area.
    pub area_id: Option<i64>,
    /// A named place (corner, park, address block).
    pub place: String,
    /// GeoJSON Point or Polygon, or empty.
    pub geometry: String,
    /// `high`, `medium` or `low`.
    pub priority: String,
    /// Where it came from (`crime_rise`, `hotspot`, `reports`, `survey`, `member`).
    pub source: String,
    /// JSON evidence from scanning.
    pub evidence: String,
    /// Shown on the public pages.
    pub is_public: bool,
    /// The decision that approved it beyond the active limit.
    pub decision_id: Option<i64>,
    /// Who recorded it.
    pub created_by: Option<i64>,
}

/// Records a problem in Scanning, with its first event.
pub async fn create(db: &Db, jurisdiction_id: i64, p: NewProblem, note: &str) -> StoreResult<problem::Model> {
    let t = now();
    let txn = db.begin_write().await?;
    let m = problem::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(p.partnership_id),
        title: Set(p.title),
        category: Set(p.category),
        goals: Set(p.goals),
        description: Set(p.description),
        area_id: Set(p.area_id),
        place: Set(p.place),
        geometry: Set(p.geometry),
        polygon: Set(None),
        priority: Set(p.priority),
        stage: Set("scanning".into()),
        source: Set(p.source),
        evidence: Set(p.evidence),
        offender: Set(String::new()),
        victim: Set(String::new()),
        place_factor: Set(String::new()),
        handler: Set(String::new()),
        guardian: Set(String::new()),
        manager: Set(String::new()),
        questions: Set(String::new()),
        sources: Set(String::new()),
        assessment: Set(String::new()),
        verdict: Set(None),
        narrative: Set(String::new()),
        lessons: Set(String::new()),
        is_public: Set(p.is_public),
        decision_id: Set(p.decision_id),
        created_by: Set(p.created_by),
        created_at: Set(t),
        updated_at: Set(t),
        stage_changed_at: Set(t),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    problem_event::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        problem_id: Set(m.id),
        from_stage: Set(String::new()),
        to_stage: Set("scanning".into()),
        note: Set(note.to_string()),
        author_id: Set(p.created_by),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// One problem of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<problem::Model> {
    problem::Entity::find_by_id(id)
        .filter(problem::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A partnership's problems, newest first.
pub async fn for_partnership(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<problem::Model>> {
    Ok(problem::Entity::find()
        .filter(problem::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(problem::Column::PartnershipId.eq(partnership_id))
        .order_by_desc(problem::Column::CreatedAt)
        .order_by_desc(problem::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Every problem of the jurisdiction (department view), newest first.
pub async fn all(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<problem::Model>> {
    Ok(problem::Entity::find()
        .filter(problem::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_desc(problem::Column::CreatedAt)
        .order_by_desc(problem::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Number of a partnership's problems that are not closed.
pub async fn count_active(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<u64> {
    Ok(problem::Entity::find()
        .filter(problem::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(problem::Column::PartnershipId.eq(partnership_id))
        .filter(problem::Column::Stage.ne("closed"))
        .count(&db.conn)
        .await?)
}

/// Writes every field of an edited problem (title, triangle, assessment, narrative, …) and bumps `updated_at`.
/// The stage is changed only through [`change_stage`].
pub async fn save(db: &Db, mut p: problem::Model) -> StoreResult<problem::Model> {
    let stored = by_id(db, p.jurisdiction_id, p.id).await?;
    p.stage = stored.stage;
    p.stage_changed_at = stored.stage_changed_at;
    p.closed_at = stored.closed_at;
    p.updated_at = now();
    let a: problem::ActiveModel = p.into();
    Ok(a.reset_all().update(&db.conn).await?)
}

/// A stage change the domain rules allowed, made at unix time `t`: records the event and moves the problem, in
/// one transaction. A concurrent change (the stage is no longer `from`) is refused with [`StoreError::Conflict`].
pub async fn change_stage(
    db: &Db,
    p: &problem::Model,
    to: &str,
    note: &str,
    author_id: Option<i64>,
    t: i64,
) -> StoreResult<problem::Model> {
    let txn = db.begin_write().await?;
    let moved = problem::Entity::update_many()
        .col_expr(problem::Column::Stage, sea_orm::sea_query::Expr::value(to))
        .col_expr(problem::Column::StageChangedAt, sea_orm::sea_query::Expr::value(t))
        .col_expr(problem::Column::UpdatedAt, sea_orm::sea_query::Expr::value(t))
        .col_expr(
            problem::Column::ClosedAt,
            sea_orm::sea_query::Expr::value(if to == "closed" { Some(t) } else { None::<i64> }),
        )
        .filter(problem::Column::Id.eq(p.id))
        .filter(problem::Column::Stage.eq(p.stage.clone()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(StoreError::Conflict { field: "stage" });
    }
    problem_event::ActiveModel {
        jurisdiction_id: Set(p.jurisdiction_id),
        problem_id: Set(p.id),
        from_stage: Set(p.stage.clone()),
        to_stage: Set(to.to_string()),
        note: Set(note.to_string()),
        author_id: Set(author_id),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    by_id(db, p.jurisdiction_id, p.id).await
}

/// Backdates a problem's creation and its first event (the demo tells a history with it).
pub async fn backdate_created(db: &Db, p: &problem::Model, at: i64) -> StoreResult<()> {
    problem::Entity::update_many()
        .col_expr(problem::Column::CreatedAt, sea_orm::sea_query::Expr::value(at))
        .col_expr(problem::Column::StageChangedAt, sea_orm::sea_query::Expr::value(at))
        .filter(problem::Column::Id.eq(p.id))
        .exec(&db.conn)
        .await?;
    problem_event::Entity::update_many()
        .col_expr(problem_event::Column::CreatedAt, sea_orm::sea_query::Expr::value(at))
        .filter(problem_event::Column::ProblemId.eq(p.id))
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// A problem's stage changes, oldest first.
pub async fn events(db: &Db, problem_id: i64) -> StoreResult<Vec<problem_event::Model>> {
    Ok(problem_event::Entity::find()
        .filter(problem_event::Column::ProblemId.eq(problem_id))
        .order_by_asc(problem_event::Column::CreatedAt)
        .order_by_asc(problem_event::Column::Id)
        .all(&db.conn)
        .await?)
}

/// A response strategy to record.
#[derive(Debug, Clone, Default)]
pub struct NewStrategy {
    /// What will be done.
    pub title: String,
    /// `police`, `community` or `both`.
    pub owner_side: String,
    /// The named community contact.
    pub contact: String,
    /// Partner organisations.
    pub partners: String,
    /// Start `YYYY-MM-DD`.
    pub starts_on: String,
    /// End `YYYY-MM-DD` or empty.
    pub ends_on: String,
    /// Who recorded it.
    pub created_by: Option<i64>,
}

/// Adds a response strategy to a problem.
pub async fn add_strategy(
    db: &Db,
    jurisdiction_id: i64,
    problem_id: i64,
    s: NewStrategy,
) -> StoreResult<problem_strategy::Model> {
    Ok(problem_strategy::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        problem_id: Set(problem_id),
        title: Set(s.title),
        owner_side: Set(s.owner_side),
        contact: Set(s.contact),
        partners: Set(s.partners),
        starts_on: Set(s.starts_on),
        ends_on: Set(s.ends_on),
        created_by: Set(s.created_by),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// A problem's strategies, in the order they start.
pub async fn strategies(db: &Db, problem_id: i64) -> StoreResult<Vec<problem_strategy::Model>> {
    Ok(problem_strategy::Entity::find()
        .filter(problem_strategy::Column::ProblemId.eq(problem_id))
        .order_by_asc(problem_strategy::Column::StartsOn)
        .order_by_asc(problem_strategy::Column::Id)
        .all(&db.conn)
        .await?)
}
