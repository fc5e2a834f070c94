//! Commitments: promises made in meetings, their lifecycle, reminders, the promises-kept rate and the public
//! "we said / we did" timeline.
//!
//! Dates are civil (calendar) dates in the partnership's time zone; "today" is always passed in.

use crate::account::Side;
use jiff::civil::Date;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// Promised, not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Kept.
    Done,
    /// Given up, with a public reason.
    Dropped,
}

impl CommitmentStatus {
    /// All statuses, in display order.
    pub const ALL: [CommitmentStatus; 4] =
        [CommitmentStatus::Open, CommitmentStatus::InProgress, CommitmentStatus::Done, CommitmentStatus::Dropped];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "open",
            CommitmentStatus::InProgress => "in_progress",
            CommitmentStatus::Done => "done",
            CommitmentStatus::Dropped => "dropped",
        }
    }

    /// Whether the commitment is still to be kept (open or in progress).
    pub fn is_active(self) -> bool {
        matches!(self, CommitmentStatus::Open | CommitmentStatus::InProgress)
    }

    /// The statuses this one may move to (see [`transition`]).
    pub fn next(self) -> &'static [CommitmentStatus] {
        use CommitmentStatus::*;
        match self {
            Open => &[InProgress, Done, Dropped],
            InProgress => &[Done, Dropped, Open],
            Done => &[InProgress],
            Dropped => &[Open],
        }
    }
}

impl fmt::Display for CommitmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown commitment status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown commitment status {0:?}: expected open, in_progress, done or dropped")]
pub struct UnknownCommitmentStatus(pub String);

impl FromStr for CommitmentStatus {
    type Err = UnknownCommitmentStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        CommitmentStatus::ALL.into_iter().find(|x| x.as_str() == id).ok_or(UnknownCommitmentStatus(s.to_string()))
    }
}

/// Whether a commitment is owned by a person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// A partnership member, who sits on one side.
    Person,
    /// An organisation (a city department, a block club, a business), which sits on no side.
    Organisation,
}

impl OwnerKind {
    /// All kinds.
    pub const ALL: [OwnerKind; 2] = [OwnerKind::Person, OwnerKind::Organisation];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Person => "person",
            OwnerKind::Organisation => "organisation",
        }
    }
}

impl fmt::Display for OwnerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown owner kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown owner kind {0:?}: expected person or organisation")]
pub struct UnknownOwnerKind(pub String);

impl FromStr for OwnerKind {
    type Err = UnknownOwnerKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        OwnerKind::ALL.into_iter().find(|x| x.as_str() == id).ok_or(UnknownOwnerKind(s.to_string()))
    }
}

/// Who owns a commitment, as far as the rules care (the owner's id and name are stored elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Owner {
    /// A member, on one side of the partnership.
    Person {
        /// The member's side.
        side: Side,
    },
    /// An organisation, on neither side.
    Organisation,
}

/// A stored owner kind and side that do not fit together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OwnerError {
    /// A person owner must have a side.
    #[error("a person owning a commitment must have a side")]
    PersonWithoutSide,
    /// An organisation owner must not have a side.
    #[error("an organisation owning a commitment has no side (got {0})")]
    OrganisationWithSide(&'static str),
}

impl Owner {
    /// Rebuilds an owner from its stored kind and side.
    pub fn from_parts(kind: OwnerKind, side: Option<Side>) -> Result<Owner, OwnerError> {
        match (kind, side) {
            (OwnerKind::Person, Some(side)) => Ok(Owner::Person { side }),
            (OwnerKind::Person, None) => Err(OwnerError::PersonWithoutSide),
            (OwnerKind::Organisation, None) => Ok(Owner::Organisation),
            (OwnerKind::Organisation, Some(side)) => Err(OwnerError::OrganisationWithSide(side.as_str())),
        }
    }

    /// The kind of owner.
    pub fn kind(self) -> OwnerKind {
        match self {
            Owner::Person { .. } => OwnerKind::Person,
            Owner::Organisation => OwnerKind::Organisation,
        }
    }

    /// The side the commitment counts for: the person's side, `None` for an organisation.
    pub fn side(self) -> Option<Side> {
        match self {
            Owner::Person { side } => Some(side),
            Owner::Organisation => None,
        }
    }
}

/// Longest reason for a status change, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransitionError {
    /// The commitment already has this status.
    #[error("the commitment is already {status}")]
    SameStatus {
        /// The status.
        status: CommitmentStatus,
    },
    /// The move is not one of [`CommitmentStatus::next`].
    #[error("a commitment cannot go from {from} to {to}")]
    NotAllowed {
        /// Current status.
        from: CommitmentStatus,
        /// Requested status.
        to: CommitmentStatus,
    },
    /// Dropping a commitment needs a reason, which is shown publicly.
    #[error("dropping a commitment needs a reason")]
    ReasonRequired,
    /// The reason is longer than [`MAX_REASON_CHARS`].
    #[error("the reason is {chars} characters; at most {MAX_REASON_CHARS} are allowed")]
    ReasonTooLong {
        /// Characters in the trimmed reason.
        chars: usize,
    },
}

/// Checks a status change.
///
/// Allowed: open → in progress, done or dropped; in progress → done, dropped or open; done → in progress
/// (reopening); dropped → open. Staying in the same status is an error. Moving to dropped needs a non-blank
/// reason; any reason given (for any move) must be at most [`MAX_REASON_CHARS`] characters once trimmed.
pub fn transition(from: CommitmentStatus, to: CommitmentStatus, reason: Option<&str>) -> Result<(), TransitionError> {
    if from == to {
        return Err(TransitionError::SameStatus { status: from });
    }
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        let chars = r.chars().count();
        if chars > MAX_REASON_CHARS {
            return Err(TransitionError::ReasonTooLong { chars });
        }
    }
    if to == CommitmentStatus::Dropped && reason.is_none() {
        return Err(TransitionError::ReasonRequired);
    }
    Ok(())
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Date, to: Date) -> i64 {
    // Civil dates have no time zone, so every day is exactly 86 400 seconds.
    from.duration_until(to).as_secs() / 86_400
}

/// Whether a commitment is overdue: still open or in progress and `today` is after the due date. A commitment due
/// today is not overdue yet.
pub fn is_overdue(status: CommitmentStatus, due: Date, today: Date) -> bool {
    status.is_active() && today > due
}

/// How many days an overdue commitment is late (at least 1), or `None` when it is not overdue.
pub fn days_overdue(status: CommitmentStatus, due: Date, today: Date) -> Option<i64> {
    is_overdue(status, due, today).then(|| days_between(due, today))
}

/// Days before the due date from which the owner is reminded.
pub const REMINDER_DAYS: u32 = 3;

/// Whether a reminder is due: the commitment is open or in progress and `0 <= due - today <= within_days`
/// (so a commitment due today is still "due soon"; an overdue one is not).
pub fn due_soon(status: CommitmentStatus, due: Date, today: Date, within_days: u32) -> bool {
    let left = days_between(today, due);
    status.is_active() && (0..=i64::from(within_days)).contains(&left)
}

/// What the rate and timeline need to know about one commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitmentFacts {
    /// Commitment id.
    pub id: i64,
    /// Side of the owner ([`Owner::side`]); `None` for organisations.
    pub side: Option<Side>,
    /// When the promise was made.
    pub created_on: Date,
    /// When it is due.
    pub due: Date,
    /// Current status.
    pub status: CommitmentStatus,
    /// When it was marked done, if it is done.
    pub completed_on: Option<Date>,
}

/// How a commitment that is done counts: on time when completed on or before the due date, late otherwise. A done
/// commitment without a completion date cannot be shown to be on time, so it counts as late.
fn kept_on_time(f: &CommitmentFacts) -> bool {
    f.status == CommitmentStatus::Done && f.completed_on.is_some_and(|d| d <= f.due)
}

/// z for a two-sided 95% interval.
pub const Z_95: f64 = 1.959964;

/// The Wilson score interval for `successes` out of `trials` at the given `z`, clamped to [0, 1]; `None` when
/// `trials` is 0. `successes` above `trials` is treated as `trials`.
pub fn wilson_interval(successes: u32, trials: u32, z: f64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    let k = successes.min(trials);
    let n = f64::from(trials);
    let p = f64::from(k) / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At the extremes the bound is exactly 0 or 1; rounding must not push it past p̂.
    let lo = if k == 0 { 0.0 } else { (centre - half).clamp(0.0, p) };
    let hi = if k == trials { 1.0 } else { (centre + half).clamp(p, 1.0) };
    Some((lo, hi))
}

/// The promises-kept rate over a window of due dates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct KeptRate {
    /// Commitments that fell due in the window (the denominator).
    pub due: u32,
    /// Done on or before the due date.
    pub kept_on_time: u32,
    /// Done after the due date (or with no completion date recorded).
    pub kept_late: u32,
    /// Dropped.
    pub dropped: u32,
    /// Still open or in progress.
    pub still_open: u32,
    /// `kept_on_time / due`, `None` when nothing fell due.
    pub rate: Option<f64>,
    /// 95% Wilson score interval for the rate, `None` when nothing fell due.
    pub wilson_95: Option<(f64, f64)>,
}

/// The promises-kept rate for one side (`Some`) or for everyone, organisations included (`None`).
///
/// The window is the `window_days` days ending on `window_end` (normally today), both by due date: a commitment
/// counts when `window_end - window_days < due <= window_end`. With `window_days == 0` the window is empty.
/// Organisation commitments have no side, so they count only when `side` is `None`.
///
/// Only commitments kept on time count as kept. Everything else that fell due counts against the rate: late ones,
/// dropped ones (a dropped promise is a promise not kept, however good the reason), and ones still open —
/// including one due on `window_end` itself that may yet be done today.
pub fn promises_kept(facts: &[CommitmentFacts], side: Option<Side>, window_end: Date, window_days: u32) -> KeptRate {
    let mut r = KeptRate::default();
    for f in facts {
        if side.is_some() && f.side != side {
            continue;
        }
        let age = days_between(f.due, window_end);
        if !(0..i64::from(window_days)).contains(&age) {
            continue;
        }
        r.due += 1;
        match f.status {
            CommitmentStatus::Done if kept_on_time(f) => r.kept_on_time += 1,
            CommitmentStatus::Done => r.kept_late += 1,
            CommitmentStatus::Dropped => r.dropped += 1,
            CommitmentStatus::Open | CommitmentStatus::InProgress => r.still_open += 1,
        }
    }
    if r.due > 0 {
        r.rate = Some(f64::from(r.kept_on_time) / f64::from(r.due));
        r.wilson_95 = wilson_interval(r.kept_on_time, r.due, Z_95);
    }
    r
}

/// How a commitment turned out, for the public timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done on or before the due date.
    Kept,
    /// Done after the due date (or with no completion date recorded).
    KeptLate,
    /// Dropped.
    Dropped,
    /// Open or in progress, not yet due (or due today).
    Open,
    /// Open or in progress and past the due date.
    Overdue,
}

impl Outcome {
    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Kept => "kept",
            Outcome::KeptLate => "kept_late",
            Outcome::Dropped => "dropped",
            Outcome::Open => "open",
            Outcome::Overdue => "overdue",
        }
    }

    /// The outcome of a commitment as of `today`.
    pub fn of(facts: &CommitmentFacts, today: Date) -> Outcome {
        match facts.status {
            CommitmentStatus::Done if kept_on_time(facts) => Outcome::Kept,
            CommitmentStatus::Done => Outcome::KeptLate,
            CommitmentStatus::Dropped => Outcome::Dropped,
            s if is_overdue(s, facts.due, today) => Outcome::Overdue,
            _ => Outcome::Open,
        }
    }
}

fn serialize_date<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

fn serialize_opt_date<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// One line of the public "we said / we did" view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Commitment id.
    pub id: i64,
    /// When the promise was made (serialised as `YYYY-MM-DD`).
    #[serde(serialize_with = "serialize_date")]
    pub said_on: Date,
    /// When it was due (serialised as `YYYY-MM-DD`).
    #[serde(serialize_with = "serialize_date")]
    pub due: Date,
    /// When it was done, if it is done (serialised as `YYYY-MM-DD` or null).
    #[serde(serialize_with = "serialize_opt_date")]
    pub completed_on: Option<Date>,
    /// How it turned out as of today.
    pub outcome: Outcome,
}

/// The "we said / we did" timeline as of `today`: newest promise first (same day: higher id first).
pub fn timeline(facts: &[CommitmentFacts], today: Date) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = facts
        .iter()
        .map(|f| TimelineEntry {
            id: f.id,
            said_on: f.created_on,
            due: f.due,
            completed_on: if f.status == CommitmentStatus::Done { f.completed_on } else { None },
            outcome: Outcome::of(f, today),
        })
        .collect();
    out.sort_by(|a, b| b.said_on.cmp(&a.said_on).then(b.id.cmp(&a.id)));
    out
}

#[cfg(test)]
mod tests;
