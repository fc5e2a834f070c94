//! Community reports: creation (with an optional metadata-free photo and the reporter as first follower), the
//! filtered lists behind the public pages, the API and Open311, status changes with their notes in one
//! transaction, triage, moderation and the four-week follow-up answer.

use crate::entities::{report, report_follower, report_note, report_photo};
use crate::error::{StoreError, StoreResult};
use crate::secrets::{hash_token, new_token};
use crate::{Db, now};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A report to record.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    /// Category id.
    pub category: String,
    /// What the reporter saw.
    pub description: String,
    /// Attribute answers as a JSON object.
    pub attributes: String,
    /// Precise position (none when only an address was given).
    pub lat: Option<f64>,
    /// Precise position.
    pub lon: Option<f64>,
    /// Block-level position shown to the public.
    pub block_lat: Option<f64>,
    /// Block-level position shown to the public.
    pub block_lon: Option<f64>,
    /// The address the reporter gave (private).
    pub address: String,
    /// The block-level description shown to the public.
    pub block_address: String,
    /// Postal code, if given.
    pub zipcode: String,
    /// A photo's address given by an Open311 client (stored and returned, never fetched).
    pub media_url: Option<String>,
    /// Made without contact details.
    pub anonymous: bool,
    /// Reporter's name (private).
    pub contact_name: String,
    /// Reporter's e-mail (private).
    pub contact_email: String,
    /// Reporter's phone (private).
    pub contact_phone: String,
    /// `web`, `api`, `open311` or `demo`.
    pub source: String,
    /// The Open311 key it came through.
    pub open311_key_id: Option<i64>,
    /// The partnership it is assigned to.
    pub partnership_id: Option<i64>,
    /// Initial status (normally `received`).
    pub status: String,
    /// Creation time (normally now).
    pub created_at: i64,
}

/// A cleaned photo.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// The bytes, base64.
    pub data_b64: String,
}

/// Records a report (and its photo, and the reporter's e-mail as a follower) in one transaction.
pub async fn create(db: &Db, jid: i64, r: NewReport, photo: Option<NewPhoto>) -> StoreResult<report::Model> {
    let txn = db.begin_write().await?;
    let created = if r.created_at > 0 { r.created_at } else { now() };
    let closed = r.status.parse::<commonbeat_domain::report::ReportStatus>().is_ok_and(|s| !s.is_open());
    let m = report::ActiveModel {
        jurisdiction_id: Set(jid),
        token: Set(new_token()),
        category: Set(r.category),
        status: Set(if r.status.is_empty() { "received".into() } else { r.status }),
        description: Set(r.description),
        attributes: Set(if r.attributes.is_empty() { "{}".into() } else { r.attributes }),
        lat: Set(r.lat),
        lon: Set(r.lon),
        block_lat: Set(r.block_lat),
        block_lon: Set(r.block_lon),
        address: Set(r.address),
        block_address: Set(r.block_address),
        zipcode: Set(r.zipcode),
        media_url: Set(r.media_url),
        anonymous: Set(r.anonymous),
        contact_name: Set(r.contact_name),
        contact_email: Set(r.contact_email.clone()),
        contact_phone: Set(r.contact_phone),
        source: Set(r.source),
        open311_key_id: Set(r.open311_key_id),
        partnership_id: Set(r.partnership_id),
        problem_id: Set(None),
        agency_responsible: Set(String::new()),
        expected_at: Set(None),
        hidden: Set(false),
        description_hidden: Set(false),
        moderation_reason: Set(String::new()),
        has_photo: Set(photo.is_some()),
        follow_up_hash: Set(None),
        follow_up_answer: Set(None),
        follow_up_answered_at: Set(None),
        closed_at: Set(closed.then_some(created)),
        created_at: Set(created),
        updated_at: Set(created),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(p) = photo {
        report_photo::ActiveModel {
            jurisdiction_id: Set(jid),
            report_id: Set(m.id),
            content_type: Set(p.content_type),
            data_b64: Set(p.data_b64),
            created_at: Set(created),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    if !r.contact_email.is_empty() {
        report_follower::ActiveModel {
            jurisdiction_id: Set(jid),
            report_id: Set(m.id),
            email: Set(r.contact_email.to_lowercase()),
            created_at: Set(created),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(m)
}

/// One report of this jurisdiction.
pub async fn by_id(db: &Db, jid: i64, id: i64) -> StoreResult<report::Model> {
    report::Entity::find_by_id(id)
        .filter(report::Column::JurisdictionId.eq(jid))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The report with this public token (Open311 `tokens/{token}`).
pub async fn by_token(db: &Db, jid: i64, token: &str) -> StoreResult<report::Model> {
    report::Entity::find()
        .filter(report::Column::JurisdictionId.eq(jid))
        .filter(report::Column::Token.eq(token))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Which reports a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these ids.
    pub ids: Vec<i64>,
    /// Only these categories.
    pub categories: Vec<String>,
    /// Only these statuses.
    pub statuses: Vec<String>,
    /// Made at or after (unix seconds).
    pub from: Option<i64>,
    /// Made at or before (unix seconds).
    pub to: Option<i64>,
    /// Leave out hidden reports (everything public).
    pub public_only: bool,
    /// Only reports assigned to one of these partnerships (`Some(vec![])` matches nothing).
    pub partnerships: Option<Vec<i64>>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return (0 = no limit).
    pub limit: u64,
}

fn condition(jid: i64, f: &Filter) -> Condition {
    use report::Column as C;
    let mut c = Condition::all().add(C::JurisdictionId.eq(jid));
    if !f.ids.is_empty() {
        c = c.add(C::Id.is_in(f.ids.clone()));
    }
    if !f.categories.is_empty() {
        c = c.add(C::Category.is_in(f.categories.clone()));
    }
    if !f.statuses.is_empty() {
        c = c.add(C::Status.is_in(f.statuses.clone()));
    }
    if let Some(t) = f.from {
        c = c.add(C::CreatedAt.gte(t));
    }
    if let Some(t) = f.to {
        c = c.add(C::CreatedAt.lte(t));
    }
    if f.public_only {
        c = c.add(C::Hidden.eq(false));
    }
    if let Some(p) = &f.partnerships {
        c = c.add(C::PartnershipId.is_in(p.clone()));
    }
    c
}

/// Reports matching the filter, newest first.
pub async fn list(db: &Db, jid: i64, f: &Filter) -> StoreResult<Vec<report::Model>> {
    let mut q = report::Entity::find()
        .filter(condition(jid, f))
        .order_by_desc(report::Column::CreatedAt)
        .order_by_desc(report::Column::Id);
    // SQLite accepts OFFSET only after a LIMIT: no limit means the largest one.
    if f.limit > 0 || f.offset > 0 {
        q = q.limit(if f.limit > 0 { f.limit } else { i64::MAX as u64 }).offset(f.offset);
    }
    Ok(q.all(&db.conn).await?)
}

/// How many reports match the filter (paging ignored).
pub async fn count(db: &Db, jid: i64, f: &Filter) -> StoreResult<u64> {
    Ok(report::Entity::find().filter(condition(jid, f)).count(&db.conn).await?)
}

/// Reports of a category made since `since` inside a bounding box (south, west, north, east): the candidates
/// for the duplicate check.
pub async fn near(
    db: &Db,
    jid: i64,
    category: &str,
    bbox: (f64, f64, f64, f64),
    since: i64,
) -> StoreResult<Vec<report::Model>> {
    use report::Column as C;
    Ok(report::Entity::find()
        .filter(C::JurisdictionId.eq(jid))
        .filter(C::Category.eq(category))
        .filter(C::CreatedAt.gte(since))
        .filter(C::Hidden.eq(false))
        .filter(C::Lat.between(bbox.0, bbox.2))
        .filter(C::Lon.between(bbox.1, bbox.3))
        .limit(200)
        .all(&db.conn)
        .await?)
}

/// A note on a report, optionally changing its status.
#[derive(Debug, Clone, Default)]
pub struct NoteIn {
    /// The text.
    pub body: String,
    /// Shown to the public (a status note) or internal.
    pub public: bool,
    /// New status, if it changes.
    pub status_to: Option<String>,
    /// Who wrote it.
    pub author_id: Option<i64>,
}

/// Adds a note and applies its status change in one transaction. Closing sets `closed_at`; reopening clears it
/// and the follow-up.
pub async fn add_note(db: &Db, r: report::Model, n: NoteIn) -> StoreResult<report::Model> {
    let txn = db.begin_write().await?;
    let t = now();
    report_note::ActiveModel {
        jurisdiction_id: Set(r.jurisdiction_id),
        report_id: Set(r.id),
        author_id: Set(n.author_id),
        public: Set(n.public),
        body: Set(n.body),
        status_from: Set(n.status_to.as_ref().map(|_| r.status.clone())),
        status_to: Set(n.status_to.clone()),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut a: report::ActiveModel = r.into();
    if let Some(s) = n.status_to {
        let open = s.parse::<commonbeat_domain::report::ReportStatus>().is_ok_and(|x| x.is_open());
        a.closed_at = Set(if open { None } else { Some(t) });
        if open {
            a.follow_up_hash = Set(None);
        }
        a.status = Set(s);
    }
    a.updated_at = Set(t);
    let m = a.update(&txn).await?;
    txn.commit().await?;
    Ok(m)
}

/// A report's notes, oldest first; public ones only unless `internal`.
pub async fn notes(db: &Db, jid: i64, report_id: i64, internal: bool) -> StoreResult<Vec<report_note::Model>> {
    let mut q = report_note::Entity::find()
        .filter(report_note::Column::JurisdictionId.eq(jid))
        .filter(report_note::Column::ReportId.eq(report_id));
    if !internal {
        q = q.filter(report_note::Column::Public.eq(true));
    }
    Ok(q.order_by_asc(report_note::Column::CreatedAt).order_by_asc(report_note::Column::Id).all(&db.conn).await?)
}

/// The latest public note of each report in `ids` (Open311 `status_notes`).
pub async fn latest_public_notes(db: &Db, jid: i64, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = report_note::Entity::find()
        .filter(report_note::Column::JurisdictionId.eq(jid))
        .filter(report_note::Column::ReportId.is_in(ids.to_vec()))
        .filter(report_note::Column::Public.eq(true))
        .order_by_asc(report_note::Column::Id)
        .all(&db.conn)
        .await?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for n in rows {
        match out.iter_mut().find(|(id, _)| *id == n.report_id) {
            Some(x) => x.1 = n.body,
            None => out.push((n.report_id, n.body)),
        }
    }
    Ok(out)
}

/// Triage: the partnership, the problem (a plain id until problems are wired), the responsible agency and the
/// expected date.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    /// Partnership.
    pub partnership_id: Option<i64>,
    /// Problem.
    pub problem_id: Option<i64>,
    /// Agency responsible.
    pub agency_responsible: String,
    /// Expected resolution time.
    pub expected_at: Option<i64>,
}

/// Applies a triage decision.
pub async fn triage(db: &Db, r: report::Model, t: Triage) -> StoreResult<report::Model> {
    let mut a: report::ActiveModel = r.into();
    a.partnership_id = Set(t.partnership_id);
    a.problem_id = Set(t.problem_id);
    a.agency_responsible = Set(t.agency_responsible);
    a.expected_at = Set(t.expected_at);
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// Hides (or shows again) a report or only its description, with the reason.
pub async fn moderate(
    db: &Db,
    r: report::Model,
    hidden: bool,
    description_hidden: bool,
    reason: &str,
) -> StoreResult<report::Model> {
    let mut a: report::ActiveModel = r.into();
    a.hidden = Set(hidden);
    a.description_hidden = Set(description_hidden);
    a.moderation_reason = Set(reason.to_string());
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// Adds a follower (an e-mail address); following twice is not an error.
pub async fn follow(db: &Db, jid: i64, report_id: i64, email: &str) -> StoreResult<()> {
    report_follower::Entity::insert(report_follower::ActiveModel {
        jurisdiction_id: Set(jid),
        report_id: Set(report_id),
        email: Set(email.to_lowercase()),
        created_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([report_follower::Column::ReportId, report_follower::Column::Email])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(())
}

/// The addresses following a report.
pub async fn followers(db: &Db, jid: i64, report_id: i64) -> StoreResult<Vec<String>> {
    Ok(report_follower::Entity::find()
        .filter(report_follower::Column::JurisdictionId.eq(jid))
        .filter(report_follower::Column::ReportId.eq(report_id))
        .order_by_asc(report_follower::Column::Id)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|f| f.email)
        .collect())
}

/// A report's photo.
pub async fn photo(db: &Db, jid: i64, report_id: i64) -> StoreResult<report_photo::Model> {
    report_photo::Entity::find()
        .filter(report_photo::Column::JurisdictionId.eq(jid))
        .filter(report_photo::Column::ReportId.eq(report_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Starts the follow-up of a closed report: stores the hash of a new answer token and returns the token.
pub async fn start_follow_up(db: &Db, r: &report::Model) -> StoreResult<String> {
    let token = new_token();
    report::Entity::update_many()
        .col_expr(report::Column::FollowUpHash, Expr::value(hash_token(&token)))
        .col_expr(report::Column::FollowUpAnswer, Expr::value(Option::<String>::None))
        .filter(report::Column::Id.eq(r.id))
        .filter(report::Column::JurisdictionId.eq(r.jurisdiction_id))
        .exec(&db.conn)
        .await?;
    Ok(token)
}

/// The report whose follow-up token this is (still unanswered or answered: the link keeps working).
pub async fn by_follow_up(db: &Db, jid: i64, id: i64, token: &str) -> StoreResult<report::Model> {
    report::Entity::find_by_id(id)
        .filter(report::Column::JurisdictionId.eq(jid))
        .filter(report::Column::FollowUpHash.eq(hash_token(token)))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Records the reporter's follow-up answer (`fixed` or `not_fixed`).
pub async fn answer_follow_up(db: &Db, r: report::Model, answer: &str) -> StoreResult<report::Model> {
    let mut a: report::ActiveModel = r.into();
    a.follow_up_answer = Set(Some(answer.to_string()));
    a.follow_up_answered_at = Set(Some(now()));
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// The partnerships in which the user holds a running co-chair or deputy seat (their triage queue).
pub async fn led_by(db: &Db, jid: i64, user_id: i64) -> StoreResult<Vec<i64>> {
    use crate::entities::leadership_term::{Column, Entity};
    let mut ids: Vec<i64> = Entity::find()
        .filter(Column::JurisdictionId.eq(jid))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::EndedAt.is_null())
        .filter(Column::EndsAt.gt(now()))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|t| t.partnership_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// One step of a seeded history (demo data): a note at a given time, optionally changing the status.
#[derive(Debug, Clone)]
pub struct HistoryStep {
    /// When.
    pub at: i64,
    /// Public or internal.
    pub public: bool,
    /// The note.
    pub body: String,
    /// Status before, when it changes.
    pub status_from: Option<String>,
    /// Status after, when it changes.
    pub status_to: Option<String>,
}

/// Writes a generated history for a report (demo data): its notes with their own times, and the report's
/// last-change and closing times.
pub async fn seed_history(
    db: &Db,
    r: &report::Model,
    steps: Vec<HistoryStep>,
    closed_at: Option<i64>,
    follow_up_answer: Option<String>,
) -> StoreResult<()> {
    let txn = db.begin_write().await?;
    let mut last = r.created_at;
    for s in steps {
        last = last.max(s.at);
        report_note::ActiveModel {
            jurisdiction_id: Set(r.jurisdiction_id),
            report_id: Set(r.id),
            author_id: Set(None),
            public: Set(s.public),
            body: Set(s.body),
            status_from: Set(s.status_from),
            status_to: Set(s.status_to),
            created_at: Set(s.at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    report::Entity::update_many()
        .col_expr(report::Column::UpdatedAt, Expr::value(last))
        .col_expr(report::Column::ClosedAt, Expr::value(closed_at))
        .col_expr(report::Column::FollowUpAnswer, Expr::value(follow_up_answer))
        .filter(report::Column::Id.eq(r.id))
        .filter(report::Column::JurisdictionId.eq(r.jurisdiction_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Links reports to the problem made from them (and to its partnership when they have none yet). Reports
/// assigned to another partnership are left alone.
pub async fn link_problem(db: &Db, jid: i64, ids: &[i64], problem_id: i64, partnership_id: i64) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let t = now();
    report::Entity::update_many()
        .col_expr(report::Column::ProblemId, sea_orm::sea_query::Expr::value(problem_id))
        .col_expr(report::Column::UpdatedAt, sea_orm::sea_query::Expr::value(t))
        .filter(report::Column::JurisdictionId.eq(jid))
        .filter(report::Column::Id.is_in(ids.to_vec()))
        .filter(
            sea_orm::Condition::any()
                .add(report::Column::PartnershipId.is_null())
                .add(report::Column::PartnershipId.eq(partnership_id)),
        )
        .exec(&db.conn)
        .await?;
    report::Entity::update_many()
        .col_expr(report::Column::PartnershipId, sea_orm::sea_query::Expr::value(partnership_id))
        .filter(report::Column::JurisdictionId.eq(jid))
        .filter(report::Column::Id.is_in(ids.to_vec()))
        .filter(report::Column::PartnershipId.is_null())
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// The reports linked to a problem, newest first (hidden ones only when asked).
pub async fn for_problem(db: &Db, jid: i64, problem_id: i64, include_hidden: bool) -> StoreResult<Vec<report::Model>> {
    let mut q = report::Entity::find()
        .filter(report::Column::JurisdictionId.eq(jid))
        .filter(report::Column::ProblemId.eq(problem_id));
    if !include_hidden {
        q = q.filter(report::Column::Hidden.eq(false));
    }
    Ok(q.order_by_desc(report::Column::CreatedAt).order_by_desc(report::Column::Id).all(&db.conn).await?)
}
