//! Meetings of a partnership: scheduling and updates (each change bumps the iCalendar SEQUENCE), RSVPs,
//! attendance (members sign in once; walk-ins are counted by side), minutes with co-chair approvals, and agenda
//! templates. Agendas are stored as JSON in the shape the web layer's agenda editor uses.

use crate::entities::{agenda_template, meeting, meeting_attendance, meeting_rsvp, minutes_approval};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// Minutes not written yet.
pub const MINUTES_NONE: &str = "none";
/// Minutes written, waiting for the co-chairs.
pub const MINUTES_DRAFT: &str = "draft";
/// Minutes approved by the co-chairs.
pub const MINUTES_APPROVED: &str = "approved";

/// The editable details of a meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingDetails {
    /// Title.
    pub title: String,
    /// `in_person`, `online` or `hybrid`.
    pub format: String,
    /// Start (unix seconds).
    pub starts_at: i64,
    /// End (unix seconds).
    pub ends_at: i64,
    /// Address or room (empty when online).
    pub place: String,
    /// Accessibility notes (step-free access, hearing loop, …).
    pub accessibility: String,
    /// Interpretation offered (languages).
    pub interpretation: String,
    /// Link to join online (empty when in person).
    pub online_url: String,
    /// Agenda (JSON array of items).
    pub agenda: String,
}

/// Schedules a meeting.
pub async fn create(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    d: MeetingDetails,
    created_by: Option<i64>,
    from_decision_id: Option<i64>,
) -> StoreResult<meeting::Model> {
    let t = now();
    Ok(meeting::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        title: Set(d.title),
        format: Set(d.format),
        status: Set("scheduled".into()),
        starts_at: Set(d.starts_at),
        ends_at: Set(d.ends_at),
        place: Set(d.place),
        accessibility: Set(d.accessibility),
        interpretation: Set(d.interpretation),
        online_url: Set(d.online_url),
        recording_url: Set(String::new()),
        agenda: Set(d.agenda),
        minutes: Set(String::new()),
        minutes_status: Set(MINUTES_NONE.into()),
        minutes_public: Set(true),
        minutes_approved_at: Set(None),
        sequence: Set(0),
        walk_ins_police: Set(0),
        walk_ins_community: Set(0),
        cancel_reason: Set(String::new()),
        from_decision_id: Set(from_decision_id),
        created_by: Set(created_by),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
    .insert(&db.conn)
    .await?)
}

/// One meeting of this jurisdiction.
pub async fn by_id(db: &Db, jurisdiction_id: i64, id: i64) -> StoreResult<meeting::Model> {
    meeting::Entity::find_by_id(id)
        .filter(meeting::Column::JurisdictionId.eq(jurisdiction_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A partnership's meetings in time order.
pub async fn for_partnership(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<meeting::Model>> {
    Ok(meeting::Entity::find()
        .filter(meeting::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(meeting::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(meeting::Column::StartsAt)
        .all(&db.conn)
        .await?)
}

/// Meetings of the given partnerships starting at or after `from` (unix seconds), soonest first.
pub async fn upcoming(
    db: &Db,
    jurisdiction_id: i64,
    partnership_ids: &[i64],
    from: i64,
    limit: u64,
) -> StoreResult<Vec<meeting::Model>> {
    Ok(meeting::Entity::find()
        .filter(meeting::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(meeting::Column::PartnershipId.is_in(partnership_ids.to_vec()))
        .filter(meeting::Column::EndsAt.gte(from))
        .order_by_asc(meeting::Column::StartsAt)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

/// Changes the details of a meeting and bumps its SEQUENCE so calendar programs take the update.
pub async fn update_details(db: &Db, m: meeting::Model, d: MeetingDetails) -> StoreResult<meeting::Model> {
    let seq = m.sequence + 1;
    let mut a: meeting::ActiveModel = m.into();
    a.title = Set(d.title);
    a.format = Set(d.format);
    a.starts_at = Set(d.starts_at);
    a.ends_at = Set(d.ends_at);
    a.place = Set(d.place);
    a.accessibility = Set(d.accessibility);
    a.interpretation = Set(d.interpretation);
    a.online_url = Set(d.online_url);
    a.agenda = Set(d.agenda);
    a.sequence = Set(seq);
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// Cancels a meeting (kept, with its reason, so calendars receive the cancellation).
pub async fn cancel(db: &Db, m: meeting::Model, reason: &str) -> StoreResult<meeting::Model> {
    let seq = m.sequence + 1;
    let mut a: meeting::ActiveModel = m.into();
    a.status = Set("cancelled".into());
    a.cancel_reason = Set(reason.to_string());
    a.sequence = Set(seq);
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// Records what happened: held, walk-ins by side and the recording link.
pub async fn record_held(
    db: &Db,
    m: meeting::Model,
    walk_ins: (i32, i32),
    recording_url: &str,
) -> StoreResult<meeting::Model> {
    let mut a: meeting::ActiveModel = m.into();
    a.status = Set("held".into());
    a.walk_ins_police = Set(walk_ins.0.max(0));
    a.walk_ins_community = Set(walk_ins.1.max(0));
    a.recording_url = Set(recording_url.to_string());
    a.updated_at = Set(now());
    Ok(a.update(&db.conn).await?)
}

/// Saves minutes as a draft; any earlier approvals are withdrawn because the text changed.
pub async fn save_minutes(db: &Db, m: meeting::Model, minutes: &str, public: bool) -> StoreResult<meeting::Model> {
    let txn = db.begin_write().await?;
    minutes_approval::Entity::delete_many().filter(minutes_approval::Column::MeetingId.eq(m.id)).exec(&txn).await?;
    let mut a: meeting::ActiveModel = m.into();
    a.minutes = Set(minutes.to_string());
    a.minutes_public = Set(public);
    a.minutes_status = Set(if minutes.trim().is_empty() { MINUTES_NONE } else { MINUTES_DRAFT }.into());
    a.minutes_approved_at = Set(None);
    a.updated_at = Set(now());
    let m = a.update(&txn).await?;
    txn.commit().await?;
    Ok(m)
}

/// Records one co-chair's approval of the minutes. Returns the sides that have approved so far.
pub async fn approve_minutes(db: &Db, m: &meeting::Model, user_id: i64, side: &str) -> StoreResult<Vec<String>> {
    minutes_approval::Entity::insert(minutes_approval::ActiveModel {
        jurisdiction_id: Set(m.jurisdiction_id),
        meeting_id: Set(m.id),
        user_id: Set(user_id),
        side: Set(side.to_string()),
        approved_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([minutes_approval::Column::MeetingId, minutes_approval::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    let mut sides: Vec<String> = approvals(db, m.id).await?.into_iter().map(|a| a.side).collect();
    sides.sort();
    sides.dedup();
    Ok(sides)
}

/// The approvals of a meeting's minutes.
pub async fn approvals(db: &Db, meeting_id: i64) -> StoreResult<Vec<minutes_approval::Model>> {
    Ok(minutes_approval::Entity::find()
        .filter(minutes_approval::Column::MeetingId.eq(meeting_id))
        .order_by_asc(minutes_approval::Column::ApprovedAt)
        .all(&db.conn)
        .await?)
}

/// Marks the minutes approved. Returns false when they already were (so action items become commitments once).
pub async fn mark_minutes_approved(db: &Db, m: &meeting::Model) -> StoreResult<bool> {
    let r = meeting::Entity::update_many()
        .col_expr(meeting::Column::MinutesStatus, MINUTES_APPROVED.into())
        .col_expr(meeting::Column::MinutesApprovedAt, now().into())
        .filter(meeting::Column::Id.eq(m.id))
        .filter(meeting::Column::MinutesStatus.eq(MINUTES_DRAFT))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Sets a member's RSVP (`yes`, `no` or `maybe`).
pub async fn rsvp(db: &Db, m: &meeting::Model, user_id: i64, response: &str) -> StoreResult<()> {
    meeting_rsvp::Entity::insert(meeting_rsvp::ActiveModel {
        jurisdiction_id: Set(m.jurisdiction_id),
        meeting_id: Set(m.id),
        user_id: Set(user_id),
        response: Set(response.to_string()),
        updated_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([meeting_rsvp::Column::MeetingId, meeting_rsvp::Column::UserId])
            .update_columns([meeting_rsvp::Column::Response, meeting_rsvp::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(())
}

/// The RSVPs of a meeting.
pub async fn rsvps(db: &Db, meeting_id: i64) -> StoreResult<Vec<meeting_rsvp::Model>> {
    Ok(meeting_rsvp::Entity::find().filter(meeting_rsvp::Column::MeetingId.eq(meeting_id)).all(&db.conn).await?)
}

/// Signs a member in (once; signing in again changes nothing). Returns whether this was a new sign-in.
pub async fn sign_in(db: &Db, m: &meeting::Model, user_id: i64, side: &str) -> StoreResult<bool> {
    let r = meeting_attendance::Entity::insert(meeting_attendance::ActiveModel {
        jurisdiction_id: Set(m.jurisdiction_id),
        meeting_id: Set(m.id),
        user_id: Set(user_id),
        side: Set(side.to_string()),
        signed_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([meeting_attendance::Column::MeetingId, meeting_attendance::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(r == 1)
}

/// Removes the sign-ins of the given members (attendance corrected by a co-chair). Returns how many were removed.
pub async fn remove_attendance(db: &Db, meeting_id: i64, user_ids: &[i64]) -> StoreResult<u64> {
    if user_ids.is_empty() {
        return Ok(0);
    }
    Ok(meeting_attendance::Entity::delete_many()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .filter(meeting_attendance::Column::UserId.is_in(user_ids.to_vec()))
        .exec(&db.conn)
        .await?
        .rows_affected)
}

/// Members signed in at a meeting.
pub async fn attendance(db: &Db, meeting_id: i64) -> StoreResult<Vec<meeting_attendance::Model>> {
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .order_by_asc(meeting_attendance::Column::SignedAt)
        .all(&db.conn)
        .await?)
}

/// Member sign-ins of many meetings at once (for attendance over time).
pub async fn attendance_of(db: &Db, meeting_ids: &[i64]) -> StoreResult<Vec<meeting_attendance::Model>> {
    Ok(meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(meeting_ids.to_vec()))
        .all(&db.conn)
        .await?)
}

/// Saves (creates or replaces) a named agenda template of a partnership.
pub async fn save_template(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    name: &str,
    items: &str,
) -> StoreResult<()> {
    agenda_template::Entity::insert(agenda_template::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        name: Set(name.to_string()),
        items: Set(items.to_string()),
        created_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([agenda_template::Column::PartnershipId, agenda_template::Column::Name])
            .update_columns([agenda_template::Column::Items, agenda_template::Column::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(())
}

/// A partnership's agenda templates by name.
pub async fn templates(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<agenda_template::Model>> {
    Ok(agenda_template::Entity::find()
        .filter(agenda_template::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(agenda_template::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(agenda_template::Column::Name)
        .all(&db.conn)
        .await?)
}
