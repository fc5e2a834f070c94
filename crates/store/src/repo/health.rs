//! Partnership health: the rows the signals are computed from (read jurisdiction-wide in a handful of queries,
//! so a whole department is one pass), daily snapshots of the computed signals, and alerts.

use crate::entities::{
    ballot, commitment, decision, health_alert, health_snapshot, leadership_term, meeting, meeting_attendance,
    membership, partnership, problem, report, report_note,
};
use crate::error::{StoreError, StoreResult};
use crate::{Db, now};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Everything one jurisdiction's health signals need, read at once.
#[derive(Debug, Default)]
pub struct Rows {
    /// Every partnership.
    pub partnerships: Vec<partnership::Model>,
    /// Meetings that started in the window (up to now).
    pub meetings: Vec<meeting::Model>,
    /// Sign-ins at those meetings: meeting id and side.
    pub attendance: Vec<(i64, String)>,
    /// Every commitment.
    pub commitments: Vec<commitment::Model>,
    /// Decisions closed in the window.
    pub decisions: Vec<decision::Model>,
    /// Ballots on those decisions: decision id and side.
    pub ballots: Vec<(i64, String)>,
    /// Problems not closed.
    pub problems: Vec<problem::Model>,
    /// Every leadership term.
    pub terms: Vec<leadership_term::Model>,
    /// Every membership.
    pub memberships: Vec<membership::Model>,
    /// Reports assigned to a partnership, created in the window.
    pub reports: Vec<report::Model>,
    /// The first staff note on each of those reports: report id and when.
    pub first_notes: Vec<(i64, i64)>,
}

fn chunks(ids: &[i64]) -> impl Iterator<Item = Vec<i64>> + '_ {
    ids.chunks(2000).map(<[i64]>::to_vec)
}

/// Reads the rows for the window `[since, until]`.
pub async fn rows(db: &Db, jurisdiction_id: i64, since: i64, until: i64) -> StoreResult<Rows> {
    let c = &db.conn;
    let partnerships = partnership::Entity::find()
        .filter(partnership::Column::JurisdictionId.eq(jurisdiction_id))
        .order_by_asc(partnership::Column::Name)
        .all(c)
        .await?;
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(meeting::Column::StartsAt.gte(since))
        .filter(meeting::Column::StartsAt.lte(until))
        .order_by_asc(meeting::Column::StartsAt)
        .all(c)
        .await?;
    let ids: Vec<i64> = meetings.iter().map(|m| m.id).collect();
    let mut attendance = Vec::new();
    for part in chunks(&ids) {
        attendance.extend(
            meeting_attendance::Entity::find()
                .filter(meeting_attendance::Column::MeetingId.is_in(part))
                .all(c)
                .await?
                .into_iter()
                .map(|a| (a.meeting_id, a.side)),
        );
    }
    let commitments =
        commitment::Entity::find().filter(commitment::Column::JurisdictionId.eq(jurisdiction_id)).all(c).await?;
    let decisions = decision::Entity::find()
        .filter(decision::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(decision::Column::ClosedAt.gte(since))
        .filter(decision::Column::ClosedAt.lte(until))
        .all(c)
        .await?;
    let ids: Vec<i64> = decisions.iter().map(|d| d.id).collect();
    let mut ballots = Vec::new();
    for part in chunks(&ids) {
        ballots.extend(
            ballot::Entity::find()
                .filter(ballot::Column::DecisionId.is_in(part))
                .all(c)
                .await?
                .into_iter()
                .map(|b| (b.decision_id, b.side)),
        );
    }
    let problems = problem::Entity::find()
        .filter(problem::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(problem::Column::ClosedAt.is_null())
        .all(c)
        .await?;
    let terms = leadership_term::Entity::find()
        .filter(leadership_term::Column::JurisdictionId.eq(jurisdiction_id))
        .all(c)
        .await?;
    let memberships =
        membership::Entity::find().filter(membership::Column::JurisdictionId.eq(jurisdiction_id)).all(c).await?;
    let reports = report::Entity::find()
        .filter(report::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(report::Column::PartnershipId.is_not_null())
        .filter(report::Column::CreatedAt.gte(since))
        .filter(report::Column::CreatedAt.lte(until))
        .all(c)
        .await?;
    let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let mut first: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for part in chunks(&ids) {
        for n in report_note::Entity::find()
            .filter(report_note::Column::ReportId.is_in(part))
            .filter(report_note::Column::AuthorId.is_not_null())
            .all(c)
            .await?
        {
            let e = first.entry(n.report_id).or_insert(n.created_at);
            *e = (*e).min(n.created_at);
        }
    }
    Ok(Rows {
        partnerships,
        meetings,
        attendance,
        commitments,
        decisions,
        ballots,
        problems,
        terms,
        memberships,
        reports,
        first_notes: first.into_iter().collect(),
    })
}

/// Stores the day's snapshot of a partnership (replacing an earlier one of the same day).
pub async fn save_snapshot(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    day: &str,
    level: &str,
    signals: &str,
) -> StoreResult<()> {
    health_snapshot::Entity::insert(health_snapshot::ActiveModel {
        jurisdiction_id: Set(jurisdiction_id),
        partnership_id: Set(partnership_id),
        day: Set(day.to_string()),
        level: Set(level.to_string()),
        signals: Set(signals.to_string()),
        computed_at: Set(now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([health_snapshot::Column::PartnershipId, health_snapshot::Column::Day])
            .update_columns([
                health_snapshot::Column::Level,
                health_snapshot::Column::Signals,
                health_snapshot::Column::ComputedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&db.conn)
    .await?;
    Ok(())
}

/// A jurisdiction's snapshots from `since_day` on (ISO dates), oldest first.
pub async fn snapshots_since(
    db: &Db,
    jurisdiction_id: i64,
    since_day: &str,
) -> StoreResult<Vec<health_snapshot::Model>> {
    Ok(health_snapshot::Entity::find()
        .filter(health_snapshot::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_snapshot::Column::Day.gte(since_day))
        .order_by_asc(health_snapshot::Column::Day)
        .all(&db.conn)
        .await?)
}

/// One partnership's snapshots, oldest first.
pub async fn history(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<health_snapshot::Model>> {
    Ok(health_snapshot::Entity::find()
        .filter(health_snapshot::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_snapshot::Column::PartnershipId.eq(partnership_id))
        .order_by_asc(health_snapshot::Column::Day)
        .all(&db.conn)
        .await?)
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// The partnership.
    pub partnership_id: i64,
    /// Signal id.
    pub signal: &'a str,
    /// Level id.
    pub level: &'a str,
    /// Suggestion id.
    pub suggestion: &'a str,
    /// The measures as JSON.
    pub measures: &'a str,
}

/// Raises an alert unless one is already open for the partnership and signal (then its level and measures are
/// brought up to date). Returns the alert when it is new — the caller notifies people only then.
pub async fn raise(
    db: &Db,
    jurisdiction_id: i64,
    a: NewAlert<'_>,
    at: i64,
) -> StoreResult<Option<health_alert::Model>> {
    let txn = db.begin_write().await?;
    let open = health_alert::Entity::find()
        .filter(health_alert::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_alert::Column::PartnershipId.eq(a.partnership_id))
        .filter(health_alert::Column::Signal.eq(a.signal))
        .filter(health_alert::Column::ResolvedAt.is_null())
        .one(&txn)
        .await?;
    let out = match open {
        Some(existing) => {
            let mut m: health_alert::ActiveModel = existing.into();
            m.level = Set(a.level.to_string());
            m.suggestion = Set(a.suggestion.to_string());
            m.measures = Set(a.measures.to_string());
            m.update(&txn).await?;
            None
        }
        None => Some(
            health_alert::ActiveModel {
                jurisdiction_id: Set(jurisdiction_id),
                partnership_id: Set(a.partnership_id),
                signal: Set(a.signal.to_string()),
                level: Set(a.level.to_string()),
                suggestion: Set(a.suggestion.to_string()),
                measures: Set(a.measures.to_string()),
                opened_at: Set(at),
                resolved_at: Set(None),
                action_note: Set(String::new()),
                action_by: Set(None),
                action_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
    };
    txn.commit().await?;
    Ok(out)
}

/// Resolves the partnership's open alerts whose signal is not in `still_alerting`. Returns how many.
pub async fn resolve_except(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    still_alerting: &[&str],
    at: i64,
) -> StoreResult<u64> {
    let keep: Vec<String> = still_alerting.iter().map(|s| s.to_string()).collect();
    let r = health_alert::Entity::update_many()
        .col_expr(health_alert::Column::ResolvedAt, at.into())
        .filter(health_alert::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_alert::Column::PartnershipId.eq(partnership_id))
        .filter(health_alert::Column::ResolvedAt.is_null())
        .filter(health_alert::Column::Signal.is_not_in(keep))
        .exec(&db.conn)
        .await?;
    Ok(r.rows_affected)
}

/// A jurisdiction's alerts: open ones (when `open_only`) or all, newest first.
pub async fn alerts(db: &Db, jurisdiction_id: i64, open_only: bool) -> StoreResult<Vec<health_alert::Model>> {
    let mut q = health_alert::Entity::find().filter(health_alert::Column::JurisdictionId.eq(jurisdiction_id));
    if open_only {
        q = q.filter(health_alert::Column::ResolvedAt.is_null());
    }
    Ok(q.order_by_desc(health_alert::Column::OpenedAt).order_by_desc(health_alert::Column::Id).all(&db.conn).await?)
}

/// One partnership's alerts, newest first.
pub async fn alerts_of(db: &Db, jurisdiction_id: i64, partnership_id: i64) -> StoreResult<Vec<health_alert::Model>> {
    Ok(health_alert::Entity::find()
        .filter(health_alert::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_alert::Column::PartnershipId.eq(partnership_id))
        .order_by_desc(health_alert::Column::OpenedAt)
        .order_by_desc(health_alert::Column::Id)
        .all(&db.conn)
        .await?)
}

/// Records what was done about an alert.
pub async fn record_action(
    db: &Db,
    jurisdiction_id: i64,
    partnership_id: i64,
    alert_id: i64,
    user_id: i64,
    note: &str,
) -> StoreResult<health_alert::Model> {
    let a = health_alert::Entity::find_by_id(alert_id)
        .filter(health_alert::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_alert::Column::PartnershipId.eq(partnership_id))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut m: health_alert::ActiveModel = a.into();
    m.action_note = Set(note.to_string());
    m.action_by = Set(Some(user_id));
    m.action_at = Set(Some(now()));
    Ok(m.update(&db.conn).await?)
}

/// A jurisdiction's snapshots on the given days (ISO dates), oldest first: trends read a sample of days, not
/// every day of the year.
pub async fn snapshots_on(db: &Db, jurisdiction_id: i64, days: &[String]) -> StoreResult<Vec<health_snapshot::Model>> {
    Ok(health_snapshot::Entity::find()
        .filter(health_snapshot::Column::JurisdictionId.eq(jurisdiction_id))
        .filter(health_snapshot::Column::Day.is_in(days.to_vec()))
        .order_by_asc(health_snapshot::Column::Day)
        .all(&db.conn)
        .await?)
}

/// Every (partnership id, area id) pair of the jurisdiction.
pub async fn partnership_areas(db: &Db, jurisdiction_id: i64) -> StoreResult<Vec<(i64, i64)>> {
    use crate::entities::partnership_area;
    Ok(partnership_area::Entity::find()
        .filter(partnership_area::Column::JurisdictionId.eq(jurisdiction_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|pa| (pa.partnership_id, pa.area_id))
        .collect())
}
