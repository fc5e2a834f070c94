//! Partnership health: the signals that show a partnership weakening before it dies quietly, each on its own
//! with its data and a suggested next step — never one opaque score.
//!
//! Pure: the caller gathers [`Facts`] (counts over a recent window) and [`evaluate`] turns them into
//! [`Signal`]s under configurable [`Thresholds`].

mod evaluate;
#[cfg(test)]
mod tests;
mod thresholds;

pub use evaluate::{evaluate, expected_meetings};
pub use thresholds::{Thresholds, ThresholdsError};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Length of the window most signals look back over, in days.
pub const WINDOW_DAYS: i64 = 180;

/// The signals, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKey {
    /// Meetings held against the charter's cadence.
    Meetings,
    /// Community attendance over the last meetings (a run of declines).
    CommunityAttendance,
    /// The smaller side's share of attendance.
    AttendanceBalance,
    /// Promises kept, by side (the weaker side counts).
    PromisesKept,
    /// Decisions made and participation by side.
    Decisions,
    /// The longest time an active problem has sat in its SARA stage.
    Problems,
    /// Co-chair vacancies and terms ending.
    Leadership,
    /// Groups under-represented among community members against the census.
    Representation,
    /// Members who left in the window, against those active.
    Churn,
    /// How long community reports wait for a first response.
    Reports,
    /// Trust in police in the partnership's area (survey), and its change.
    Trust,
}

impl SignalKey {
    /// Every signal, in display order.
    pub const ALL: [SignalKey; 11] = [
        SignalKey::Meetings,
        SignalKey::CommunityAttendance,
        SignalKey::AttendanceBalance,
        SignalKey::PromisesKept,
        SignalKey::Decisions,
        SignalKey::Problems,
        SignalKey::Leadership,
        SignalKey::Representation,
        SignalKey::Churn,
        SignalKey::Reports,
        SignalKey::Trust,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKey::Meetings => "meetings",
            SignalKey::CommunityAttendance => "community_attendance",
            SignalKey::AttendanceBalance => "attendance_balance",
            SignalKey::PromisesKept => "promises_kept",
            SignalKey::Decisions => "decisions",
            SignalKey::Problems => "problems",
            SignalKey::Leadership => "leadership",
            SignalKey::Representation => "representation",
            SignalKey::Churn => "churn",
            SignalKey::Reports => "reports",
            SignalKey::Trust => "trust",
        }
    }

    /// Parses an identifier.
    pub fn parse(s: &str) -> Option<SignalKey> {
        SignalKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Not enough data to judge (shown as such, never as good).
    NoData,
    /// Fine.
    Ok,
    /// Worth watching.
    Watch,
    /// Crossed its alert threshold: co-chairs and the coordinator are told.
    Alert,
}

impl Level {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NoData => "no_data",
            Level::Ok => "ok",
            Level::Watch => "watch",
            Level::Alert => "alert",
        }
    }

    /// Parses an identifier.
    pub fn parse(s: &str) -> Option<Level> {
        [Level::NoData, Level::Ok, Level::Watch, Level::Alert].into_iter().find(|l| l.as_str() == s)
    }
}

/// The next step suggested when a signal is at Watch or Alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suggestion {
    /// Schedule the next meeting (meetings behind cadence).
    ScheduleMeeting,
    /// Run a time poll for a new meeting time (community attendance falling).
    RunTimePoll,
    /// Invite members of the thinner side.
    InviteSide,
    /// Review overdue promises at the next meeting.
    ReviewPromises,
    /// Put a question to the members as a decision.
    OpenDecision,
    /// Review the stuck problem: move it on, loop back, or close it.
    ReviewProblem,
    /// Start an election for the vacant seat.
    StartElection,
    /// Plan the handover before a term ends.
    PlanHandover,
    /// Reach out to the under-represented groups.
    Outreach,
    /// Ask members who left why.
    ExitConversations,
    /// Triage the waiting community reports.
    TriageReports,
    /// Hold a listening session on trust.
    ListeningSession,
}

impl Suggestion {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Suggestion::ScheduleMeeting => "schedule_meeting",
            Suggestion::RunTimePoll => "run_time_poll",
            Suggestion::InviteSide => "invite_side",
            Suggestion::ReviewPromises => "review_promises",
            Suggestion::OpenDecision => "open_decision",
            Suggestion::ReviewProblem => "review_problem",
            Suggestion::StartElection => "start_election",
            Suggestion::PlanHandover => "plan_handover",
            Suggestion::Outreach => "outreach",
            Suggestion::ExitConversations => "exit_conversations",
            Suggestion::TriageReports => "triage_reports",
            Suggestion::ListeningSession => "listening_session",
        }
    }
}

/// Counts for one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SidePair<T> {
    /// Police side.
    pub police: T,
    /// Community side.
    pub community: T,
}

/// A co-chair seat's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatFact {
    /// Seat id (e.g. `police_cochair`).
    pub seat: String,
    /// Days the seat has been vacant (`None` when held).
    pub vacant_days: Option<i64>,
    /// Days until the holder's term ends (`None` when vacant).
    pub term_ends_in_days: Option<i64>,
}

/// Trust in police for the partnership's area from the latest survey wave, and the wave before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrustFact {
    /// Latest estimate (0–100) and its 95 % CI.
    pub latest: (f64, f64, f64),
    /// The previous wave's estimate and CI, when there is one.
    pub previous: Option<(f64, f64, f64)>,
}

/// What the signals are computed from; the caller counts these over the last [`WINDOW_DAYS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Partnership status (`forming`, `active`, `dormant`, `closed`).
    pub status: String,
    /// Meetings the charter's cadence expects in the window (see [`expected_meetings`]).
    pub expected_meetings: f64,
    /// Meetings held in the window.
    pub meetings_held: u32,
    /// Community attendance at the last held meetings, oldest first (at most six).
    pub recent_community_attendance: Vec<u32>,
    /// Attendance by side over the window.
    pub attendance: SidePair<u32>,
    /// Promises that fell due (up to yesterday) in the last year, by side.
    pub promises_due: SidePair<u32>,
    /// Of those, kept.
    pub promises_kept: SidePair<u32>,
    /// Decisions closed in the window.
    pub decisions_closed: u32,
    /// Mean share of eligible members who voted, by side, over decisions closed in the window.
    pub participation: SidePair<Option<f64>>,
    /// Days each active problem has been in its current stage, with the stage.
    pub problem_stage_days: Vec<(String, i64)>,
    /// Co-chair seats.
    pub seats: Vec<SeatFact>,
    /// Census groups flagged as under-represented among community members (dimensions with declared answers).
    pub under_represented: Vec<String>,
    /// Active members now.
    pub members_active: u32,
    /// Members who left in the window.
    pub members_left: u32,
    /// Days to first response for reports assigned to the partnership in the window (closed or updated).
    pub report_response_days: Vec<f64>,
    /// Reports assigned in the window still waiting for any response, with their age in days.
    pub reports_waiting_days: Vec<f64>,
    /// Trust in the area.
    pub trust: Option<TrustFact>,
}

/// One signal's verdict with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Which signal.
    pub key: SignalKey,
    /// How it stands.
    pub level: Level,
    /// The headline value the trend follows (its unit depends on the signal), when there is one.
    pub value: Option<f64>,
    /// The numbers behind it, by name (shown in the signal's sentence).
    pub measures: BTreeMap<String, f64>,
    /// The suggested next step at Watch or Alert.
    pub suggestion: Option<Suggestion>,
}

/// The worst level among signals (NoData counts as nothing).
pub fn worst(signals: &[Signal]) -> Level {
    signals.iter().map(|s| s.level).filter(|l| *l != Level::NoData).max().unwrap_or(Level::NoData)
}
