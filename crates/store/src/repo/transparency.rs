//! Public aggregates for the transparency dashboard and the annual report: one `GROUP BY` query per table for a
//! whole jurisdiction (or one partnership), never a query per partnership. Only public records count: public
//! problems and commitments, decisions that are not private, held meetings.

use crate::Db;
use crate::error::StoreResult;
use sea_orm::{ConnectionTrait, QueryResult, Value};
use std::collections::BTreeMap;

/// The period an aggregate covers: instants `[from, to)` in unix seconds and the same days `[from_day, to_day]`
/// (`YYYY-MM-DD`, inclusive) for date columns such as commitments' due dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Start, inclusive (unix seconds).
    pub from: i64,
    /// End, exclusive (unix seconds).
    pub to: i64,
    /// First day, inclusive.
    pub from_day: String,
    /// Last day, inclusive.
    pub to_day: String,
}

/// Public problems of one partnership in one stage with one verdict (or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemCount {
    /// Partnership id.
    pub partnership_id: i64,
    /// SARA stage.
    pub stage: String,
    /// Assessment verdict.
    pub verdict: Option<String>,
    /// Problems.
    pub n: i64,
}

/// Public commitments of one partnership that fell due in the window, by owner side, status and punctuality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentCount {
    /// Partnership id.
    pub partnership_id: i64,
    /// `police`, `community`, or `None` for an organisation.
    pub side: Option<String>,
    /// `open`, `in_progress`, `done`, `dropped`.
    pub status: String,
    /// Completed on or before the due date.
    pub on_time: bool,
    /// Commitments.
    pub n: i64,
}

/// Commitments made (created) in the window, by partnership and owner side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeCount {
    /// Partnership id.
    pub partnership_id: i64,
    /// Owner side (`None` for an organisation).
    pub side: Option<String>,
    /// Commitments.
    pub n: i64,
}

/// Held meetings of a partnership in the window with attendance by side (sign-ins plus walk-ins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingCount {
    /// Meetings held.
    pub held: i64,
    /// Police-side attendances.
    pub police: i64,
    /// Community-side attendances.
    pub community: i64,
}

/// Everything the dashboard needs from the database, keyed by partnership id.
#[derive(Debug, Clone, Default)]
pub struct Aggregates {
    /// Problems by stage and verdict.
    pub problems: Vec<ProblemCount>,
    /// Commitments due in the window.
    pub commitments: Vec<CommitmentCount>,
    /// Commitments made in the window.
    pub made: Vec<MadeCount>,
    /// Meetings and attendance.
    pub meetings: BTreeMap<i64, MeetingCount>,
    /// Public decisions closed in the window.
    pub decisions: BTreeMap<i64, i64>,
    /// Areas of each partnership.
    pub areas: BTreeMap<i64, Vec<i64>>,
}

fn scope(sql: &str, partnership: Option<i64>, col: &str, next: usize, vals: &mut Vec<Value>) -> String {
    match partnership {
        Some(p) => {
            vals.push(p.into());
            sql.replace("{P}", &format!("AND {col} = ${next}"))
        }
        None => sql.replace("{P}", ""),
    }
}

async fn rows(db: &Db, sql: String, vals: Vec<Value>) -> StoreResult<Vec<QueryResult>> {
    Ok(db.conn.query_all_raw(db.stmt(&sql, vals)).await?)
}

fn int(r: &QueryResult, col: &str) -> StoreResult<i64> {
    Ok(r.try_get::<i64>("", col)?)
}

/// Reads every aggregate of the jurisdiction (or of one partnership) for the window in six grouped queries.
pub async fn aggregates(
    db: &Db,
    jurisdiction_id: i64,
    partnership: Option<i64>,
    w: &Window,
) -> StoreResult<Aggregates> {
    let mut out = Aggregates::default();
    let jid: Value = jurisdiction_id.into();

    let mut v = vec![jid.clone(), true.into()];
    let sql = scope(
        "SELECT partnership_id, stage, verdict, COUNT(*) AS n FROM problems WHERE jurisdiction_id = $1 \
         AND is_public = $2 {P} GROUP BY partnership_id, stage, verdict",
        partnership,
        "partnership_id",
        3,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        out.problems.push(ProblemCount {
            partnership_id: int(&r, "partnership_id")?,
            stage: r.try_get("", "stage")?,
            verdict: r.try_get("", "verdict")?,
            n: int(&r, "n")?,
        });
    }

    let mut v = vec![jid.clone(), true.into(), w.from_day.clone().into(), w.to_day.clone().into()];
    let sql = scope(
        "SELECT partnership_id, owner_side, status, \
         CAST(CASE WHEN completed_on IS NOT NULL AND completed_on <= due_on THEN 1 ELSE 0 END AS BIGINT) AS on_time, \
         COUNT(*) AS n FROM commitments WHERE jurisdiction_id = $1 AND is_public = $2 AND due_on >= $3 \
         AND due_on <= $4 {P} GROUP BY partnership_id, owner_side, status, \
         CAST(CASE WHEN completed_on IS NOT NULL AND completed_on <= due_on THEN 1 ELSE 0 END AS BIGINT)",
        partnership,
        "partnership_id",
        5,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        out.commitments.push(CommitmentCount {
            partnership_id: int(&r, "partnership_id")?,
            side: r.try_get("", "owner_side")?,
            status: r.try_get("", "status")?,
            on_time: int(&r, "on_time")? == 1,
            n: int(&r, "n")?,
        });
    }

    let mut v = vec![jid.clone(), true.into(), w.from_day.clone().into(), w.to_day.clone().into()];
    let sql = scope(
        "SELECT partnership_id, owner_side, COUNT(*) AS n FROM commitments WHERE jurisdiction_id = $1 \
         AND is_public = $2 AND created_on >= $3 AND created_on <= $4 {P} GROUP BY partnership_id, owner_side",
        partnership,
        "partnership_id",
        5,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        out.made.push(MadeCount {
            partnership_id: int(&r, "partnership_id")?,
            side: r.try_get("", "owner_side")?,
            n: int(&r, "n")?,
        });
    }

    let mut v = vec![jid.clone(), "held".into(), w.from.into(), w.to.into()];
    let sql = scope(
        "SELECT partnership_id, COUNT(*) AS n, CAST(COALESCE(SUM(walk_ins_police), 0) AS BIGINT) AS wp, \
         CAST(COALESCE(SUM(walk_ins_community), 0) AS BIGINT) AS wc FROM meetings WHERE jurisdiction_id = $1 \
         AND status = $2 AND starts_at >= $3 AND starts_at < $4 {P} GROUP BY partnership_id",
        partnership,
        "partnership_id",
        5,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        let m = out.meetings.entry(int(&r, "partnership_id")?).or_default();
        m.held = int(&r, "n")?;
        m.police += int(&r, "wp")?;
        m.community += int(&r, "wc")?;
    }

    let mut v = vec![jid.clone(), "held".into(), w.from.into(), w.to.into()];
    let sql = scope(
        "SELECT m.partnership_id AS partnership_id, a.side AS side, COUNT(*) AS n FROM meeting_attendance a \
         JOIN meetings m ON m.id = a.meeting_id WHERE m.jurisdiction_id = $1 AND m.status = $2 \
         AND m.starts_at >= $3 AND m.starts_at < $4 {P} GROUP BY m.partnership_id, a.side",
        partnership,
        "m.partnership_id",
        5,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        let m = out.meetings.entry(int(&r, "partnership_id")?).or_default();
        let side: String = r.try_get("", "side")?;
        if side == "police" {
            m.police += int(&r, "n")?;
        } else {
            m.community += int(&r, "n")?;
        }
    }

    let mut v = vec![jid.clone(), false.into(), "closed".into(), w.from.into(), w.to.into()];
    let sql = scope(
        "SELECT partnership_id, COUNT(*) AS n FROM decisions WHERE jurisdiction_id = $1 AND is_private = $2 \
         AND status = $3 AND closed_at >= $4 AND closed_at < $5 {P} GROUP BY partnership_id",
        partnership,
        "partnership_id",
        6,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        out.decisions.insert(int(&r, "partnership_id")?, int(&r, "n")?);
    }

    let mut v = vec![jid];
    let sql = scope(
        "SELECT partnership_id, area_id FROM partnership_areas WHERE jurisdiction_id = $1 {P} ORDER BY area_id",
        partnership,
        "partnership_id",
        2,
        &mut v,
    );
    for r in rows(db, sql, v).await? {
        out.areas.entry(int(&r, "partnership_id")?).or_default().push(int(&r, "area_id")?);
    }
    Ok(out)
}

/// A version stamp of the jurisdiction's survey data and census figures: changes when a response, a wave or a
/// census count is added or removed, so cached survey estimates keyed by it are never stale.
pub async fn survey_stamp(db: &Db, jurisdiction_id: i64) -> StoreResult<[i64; 5]> {
    let sql = "SELECT (SELECT COUNT(*) FROM survey_responses WHERE jurisdiction_id = $1) AS rn, \
               (SELECT COALESCE(MAX(id), 0) FROM survey_responses WHERE jurisdiction_id = $1) AS rm, \
               (SELECT COUNT(*) FROM survey_waves WHERE jurisdiction_id = $1) AS wn, \
               (SELECT COALESCE(MAX(id), 0) FROM survey_waves WHERE jurisdiction_id = $1) AS wm, \
               (SELECT COUNT(*) FROM area_demographics WHERE jurisdiction_id = $1) AS dn";
    let r =
        db.conn.query_one_raw(db.stmt(sql, vec![jurisdiction_id.into()])).await?.ok_or(crate::StoreError::NotFound)?;
    Ok([int(&r, "rn")?, int(&r, "rm")?, int(&r, "wn")?, int(&r, "wm")?, int(&r, "dn")?])
}
