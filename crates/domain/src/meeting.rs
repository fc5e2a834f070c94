//! Meetings: formats, the CAPS beat-meeting agenda, schedule and venue checks, and attendance by side.
//!
//! Everything here is pure: times are civil (wall-clock) values in the partnership's own time zone, and titles of
//! agenda sections are localised by the caller from their stable keys.

use crate::account::Side;
use jiff::civil;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How a meeting is attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Everyone meets at a physical place.
    InPerson,
    /// Everyone joins through a video or phone link.
    Online,
    /// A physical place with a link for those who cannot come.
    Hybrid,
}

impl Format {
    /// All formats, in display order.
    pub const ALL: [Format; 3] = [Format::InPerson, Format::Online, Format::Hybrid];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::InPerson => "in_person",
            Format::Online => "online",
            Format::Hybrid => "hybrid",
        }
    }

    /// Whether a meeting of this format needs a physical place (in person or hybrid).
    pub fn needs_place(self) -> bool {
        matches!(self, Format::InPerson | Format::Hybrid)
    }

    /// Whether a meeting of this format needs a link (online or hybrid).
    pub fn needs_link(self) -> bool {
        matches!(self, Format::Online | Format::Hybrid)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown meeting format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown meeting format {0:?}: expected in_person, online or hybrid")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        Format::ALL.into_iter().find(|x| x.as_str() == id).ok_or(UnknownFormat(s.to_string()))
    }
}

/// Where a meeting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Planned for a future date.
    Scheduled,
    /// Took place; attendance and minutes may be recorded.
    Held,
    /// Called off.
    Cancelled,
}

impl MeetingStatus {
    /// All statuses.
    pub const ALL: [MeetingStatus; 3] = [MeetingStatus::Scheduled, MeetingStatus::Held, MeetingStatus::Cancelled];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::Held => "held",
            MeetingStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown meeting status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown meeting status {0:?}: expected scheduled, held or cancelled")]
pub struct UnknownMeetingStatus(pub String);

impl FromStr for MeetingStatus {
    type Err = UnknownMeetingStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        MeetingStatus::ALL.into_iter().find(|x| x.as_str() == id).ok_or(UnknownMeetingStatus(s.to_string()))
    }
}

/// The sections of a CAPS (Chicago Alternative Policing Strategy) beat meeting, in agenda order.
///
/// Only stable keys live here; the user-facing titles are localised from [`AgendaSection::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum AgendaSection {
    /// Welcome and introductions.
    Welcome,
    /// Progress on problems identified earlier: keep, change or close each strategy.
    ProgressReport,
    /// Current crime conditions and newly identified chronic problems.
    CrimeConditions,
    /// Strategies for each problem, each with a community contact.
    Strategies,
    /// Date of the next meeting and the working groups until then.
    NextSteps,
}

impl AgendaSection {
    /// All sections, in agenda order.
    pub const ALL: [AgendaSection; 5] = [
        AgendaSection::Welcome,
        AgendaSection::ProgressReport,
        AgendaSection::CrimeConditions,
        AgendaSection::Strategies,
        AgendaSection::NextSteps,
    ];

    /// Stable key, used as the [`AgendaItem::key`] and to look up the localised title.
    pub fn key(self) -> &'static str {
        match self {
            AgendaSection::Welcome => "welcome",
            AgendaSection::ProgressReport => "progress",
            AgendaSection::CrimeConditions => "conditions",
            AgendaSection::Strategies => "strategies",
            AgendaSection::NextSteps => "next",
        }
    }

    /// The section with this key, if any.
    pub fn from_key(key: &str) -> Option<AgendaSection> {
        AgendaSection::ALL.into_iter().find(|s| s.key() == key.trim())
    }

    /// Planned minutes for the section in the default agenda (90 minutes in all).
    pub fn default_minutes(self) -> u16 {
        match self {
            AgendaSection::Welcome => 10,
            AgendaSection::ProgressReport => 20,
            AgendaSection::CrimeConditions => 20,
            AgendaSection::Strategies => 30,
            AgendaSection::NextSteps => 10,
        }
    }

    /// An agenda item for this section with the given (localised) title, no notes and the default minutes.
    pub fn item(self, title: impl Into<String>) -> AgendaItem {
        AgendaItem {
            key: self.key().to_string(),
            title: title.into(),
            notes: String::new(),
            minutes: self.default_minutes(),
        }
    }
}

/// The default CAPS beat-meeting agenda: every [`AgendaSection`], in order.
pub fn caps_default_agenda() -> Vec<AgendaSection> {
    AgendaSection::ALL.to_vec()
}

/// One item of a meeting agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Stable id: an [`AgendaSection::key`] or a custom key (1–64 of `a-z`, `0-9`, `_`, `-`).
    pub key: String,
    /// Title shown to members (1–200 characters, no control characters).
    pub title: String,
    /// Free-text notes (at most 2000 characters).
    pub notes: String,
    /// Planned duration in minutes.
    pub minutes: u16,
}

/// Most items an agenda may have.
pub const MAX_AGENDA_ITEMS: usize = 40;
/// Longest item title, in characters.
pub const MAX_AGENDA_TITLE_CHARS: usize = 200;
/// Longest item notes, in characters.
pub const MAX_AGENDA_NOTES_CHARS: usize = 2000;
/// Longest item key, in characters.
pub const MAX_AGENDA_KEY_CHARS: usize = 64;
/// Longest planned agenda, in minutes (8 hours).
pub const MAX_AGENDA_MINUTES: u32 = 8 * 60;

/// Why an agenda was refused. Item numbers are 1-based, as people count them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AgendaError {
    /// More than [`MAX_AGENDA_ITEMS`] items.
    #[error("the agenda has {count} items; at most {MAX_AGENDA_ITEMS} are allowed")]
    TooManyItems {
        /// Number of items given.
        count: usize,
    },
    /// An item's key is empty, too long or contains characters other than `a-z`, `0-9`, `_`, `-`.
    #[error("item {item}: key {key:?} must be 1 to {MAX_AGENDA_KEY_CHARS} of a-z, 0-9, _ and -")]
    BadKey {
        /// 1-based item number.
        item: usize,
        /// The key given.
        key: String,
    },
    /// An item's title is empty or blank.
    #[error("item {item}: title is empty")]
    EmptyTitle {
        /// 1-based item number.
        item: usize,
    },
    /// An item's title is longer than [`MAX_AGENDA_TITLE_CHARS`].
    #[error("item {item}: title is {chars} characters; at most {MAX_AGENDA_TITLE_CHARS} are allowed")]
    TitleTooLong {
        /// 1-based item number.
        item: usize,
        /// Characters in the trimmed title.
        chars: usize,
    },
    /// An item's title contains control characters (line breaks included).
    #[error("item {item}: title contains control characters")]
    TitleControlCharacters {
        /// 1-based item number.
        item: usize,
    },
    /// An item's notes are longer than [`MAX_AGENDA_NOTES_CHARS`].
    #[error("item {item}: notes are {chars} characters; at most {MAX_AGENDA_NOTES_CHARS} are allowed")]
    NotesTooLong {
        /// 1-based item number.
        item: usize,
        /// Characters in the notes.
        chars: usize,
    },
    /// The planned minutes add up to more than [`MAX_AGENDA_MINUTES`]; `item` is the first one past the limit.
    #[error(
        "item {item}: minutes bring the agenda to {total_minutes} minutes; at most {MAX_AGENDA_MINUTES} are allowed"
    )]
    TooLong {
        /// 1-based number of the item at which the running total first exceeds the limit.
        item: usize,
        /// Total planned minutes of the whole agenda.
        total_minutes: u32,
    },
}

impl AgendaError {
    /// The 1-based item number the error is about, if it is about one item.
    pub fn item(&self) -> Option<usize> {
        match self {
            AgendaError::TooManyItems { .. } => None,
            AgendaError::BadKey { item, .. }
            | AgendaError::EmptyTitle { item }
            | AgendaError::TitleTooLong { item, .. }
            | AgendaError::TitleControlCharacters { item }
            | AgendaError::NotesTooLong { item, .. }
            | AgendaError::TooLong { item, .. } => Some(*item),
        }
    }

    /// The field at fault: `items`, `key`, `title`, `notes` or `minutes`.
    pub fn field(&self) -> &'static str {
        match self {
            AgendaError::TooManyItems { .. } => "items",
            AgendaError::BadKey { .. } => "key",
            AgendaError::EmptyTitle { .. }
            | AgendaError::TitleTooLong { .. }
            | AgendaError::TitleControlCharacters { .. } => "title",
            AgendaError::NotesTooLong { .. } => "notes",
            AgendaError::TooLong { .. } => "minutes",
        }
    }
}

/// A validated, ordered meeting agenda. An empty agenda is valid (none planned yet).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<AgendaItem>", into = "Vec<AgendaItem>")]
pub struct Agenda(Vec<AgendaItem>);

fn valid_key(key: &str) -> bool {
    (1..=MAX_AGENDA_KEY_CHARS).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Agenda {
    /// Validates items in order, trimming titles, and reports the first problem found.
    pub fn new(items: Vec<AgendaItem>) -> Result<Agenda, AgendaError> {
        if items.len() > MAX_AGENDA_ITEMS {
            return Err(AgendaError::TooManyItems { count: items.len() });
        }
        let total_minutes: u32 = items.iter().map(|i| u32::from(i.minutes)).sum();
        let mut running = 0u32;
        let mut out = Vec::with_capacity(items.len());
        for (n, mut it) in items.into_iter().enumerate() {
            let item = n + 1;
            if !valid_key(&it.key) {
                return Err(AgendaError::BadKey { item, key: it.key });
            }
            let title = it.title.trim();
            let chars = title.chars().count();
            if chars == 0 {
                return Err(AgendaError::EmptyTitle { item });
            }
            if chars > MAX_AGENDA_TITLE_CHARS {
                return Err(AgendaError::TitleTooLong { item, chars });
            }
            if title.chars().any(char::is_control) {
                return Err(AgendaError::TitleControlCharacters { item });
            }
            let notes_chars = it.notes.chars().count();
            if notes_chars > MAX_AGENDA_NOTES_CHARS {
                return Err(AgendaError::NotesTooLong { item, chars: notes_chars });
            }
            running += u32::from(it.minutes);
            if running > MAX_AGENDA_MINUTES {
                return Err(AgendaError::TooLong { item, total_minutes });
            }
            it.title = title.to_string();
            out.push(it);
        }
        Ok(Agenda(out))
    }

    /// The default CAPS agenda, with titles supplied (localised) by `title_of`.
    pub fn caps_default(title_of: impl Fn(AgendaSection) -> String) -> Result<Agenda, AgendaError> {
        Agenda::new(caps_default_agenda().into_iter().map(|s| s.item(title_of(s))).collect())
    }

    /// The items, in order.
    pub fn items(&self) -> &[AgendaItem] {
        &self.0
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Total planned minutes.
    pub fn total_minutes(&self) -> u32 {
        self.0.iter().map(|i| u32::from(i.minutes)).sum()
    }

    /// The items, consumed.
    pub fn into_items(self) -> Vec<AgendaItem> {
        self.0
    }
}

impl TryFrom<Vec<AgendaItem>> for Agenda {
    type Error = AgendaError;

    fn try_from(items: Vec<AgendaItem>) -> Result<Self, Self::Error> {
        Agenda::new(items)
    }
}

impl From<Agenda> for Vec<AgendaItem> {
    fn from(a: Agenda) -> Self {
        a.0
    }
}

/// Longest meeting, in minutes (12 hours).
pub const MAX_MEETING_MINUTES: i64 = 12 * 60;

/// Why a meeting's start and end were refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MeetingTimesError {
    /// The end is at or before the start.
    #[error("the meeting must end after it starts")]
    EndNotAfterStart,
    /// The meeting lasts longer than [`MAX_MEETING_MINUTES`].
    #[error("the meeting lasts {minutes} minutes; at most {MAX_MEETING_MINUTES} are allowed")]
    TooLong {
        /// Whole minutes between start and end.
        minutes: i64,
    },
}

/// A meeting's start and end in wall-clock (civil) time: the end is after the start and at most 12 hours later.
///
/// The duration is measured on the wall clock, so a meeting spanning a daylight-saving change is an hour off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingTimes {
    start: civil::DateTime,
    end: civil::DateTime,
}

impl MeetingTimes {
    /// Checks that `end` is after `start` and at most [`MAX_MEETING_MINUTES`] later (exactly 12 hours is allowed).
    pub fn new(start: civil::DateTime, end: civil::DateTime) -> Result<MeetingTimes, MeetingTimesError> {
        if end <= start {
            return Err(MeetingTimesError::EndNotAfterStart);
        }
        let length = start.duration_until(end);
        if length > jiff::SignedDuration::from_mins(MAX_MEETING_MINUTES) {
            return Err(MeetingTimesError::TooLong { minutes: length.as_mins() });
        }
        Ok(MeetingTimes { start, end })
    }

    /// When it starts.
    pub fn start(&self) -> civil::DateTime {
        self.start
    }

    /// When it ends.
    pub fn end(&self) -> civil::DateTime {
        self.end
    }

    /// Whole minutes from start to end.
    pub fn minutes(&self) -> i64 {
        self.start.duration_until(self.end).as_mins()
    }
}

/// Longest place description, in characters.
pub const MAX_PLACE_CHARS: usize = 300;
/// Longest meeting link, in characters.
pub const MAX_LINK_CHARS: usize = 2000;

/// Something wrong with where a meeting happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VenueError {
    /// The format needs this field (`place` or `link`) and it is missing or blank.
    #[error("a meeting of format {format} needs a {field}")]
    Missing {
        /// `place` or `link`.
        field: &'static str,
        /// The meeting's format.
        format: Format,
    },
    /// The link is not an `http://` or `https://` address.
    #[error("link {link:?} must be an address starting with https:// or http://")]
    BadLink {
        /// The link given (trimmed).
        link: String,
    },
    /// The field (`place` or `link`) is longer than allowed.
    #[error("{field} is {chars} characters; at most {max} are allowed")]
    TooLong {
        /// `place` or `link`.
        field: &'static str,
        /// Characters given.
        chars: usize,
        /// Most allowed.
        max: usize,
    },
}

impl VenueError {
    /// The field at fault: `place` or `link`.
    pub fn field(&self) -> &'static str {
        match self {
            VenueError::Missing { field, .. } | VenueError::TooLong { field, .. } => field,
            VenueError::BadLink { .. } => "link",
        }
    }
}

fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            !rest.is_empty() && !rest.starts_with('/') && !link.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Checks a meeting's place and link against its format, reporting every problem (place first, then link).
///
/// An in-person meeting needs a place, an online one a link, a hybrid one both; blank counts as missing. A link,
/// when given, must be an `https://` or `http://` address with a host and no spaces, even if the format does not
/// need one.
pub fn validate_meeting(format: Format, place: Option<&str>, link: Option<&str>) -> Result<(), Vec<VenueError>> {
    let mut errors = Vec::new();
    let place = place.map(str::trim).filter(|p| !p.is_empty());
    let link = link.map(str::trim).filter(|l| !l.is_empty());
    match place {
        None if format.needs_place() => errors.push(VenueError::Missing { field: "place", format }),
        Some(p) if p.chars().count() > MAX_PLACE_CHARS => {
            errors.push(VenueError::TooLong { field: "place", chars: p.chars().count(), max: MAX_PLACE_CHARS })
        }
        _ => {}
    }
    match link {
        None if format.needs_link() => errors.push(VenueError::Missing { field: "link", format }),
        Some(l) if l.chars().count() > MAX_LINK_CHARS => {
            errors.push(VenueError::TooLong { field: "link", chars: l.chars().count(), max: MAX_LINK_CHARS })
        }
        Some(l) if !is_web_link(l) => errors.push(VenueError::BadLink { link: l.to_string() }),
        _ => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Head count at one meeting, split by side and by whether people are partnership members or walk-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttendanceCount {
    /// Police-side partnership members present.
    pub police_members: u32,
    /// Community-side partnership members present.
    pub community_members: u32,
    /// Police who came without being members (e.g. beat officers on shift).
    pub police_walk_ins: u32,
    /// Residents and other stakeholders who came without being members.
    pub community_walk_ins: u32,
}

/// A meeting is flagged when community attendees are less than this share of everyone present.
pub const MIN_COMMUNITY_SHARE: f64 = 0.5;

/// Consecutive flagged meetings that raise a representation alert.
pub const REPRESENTATION_ALERT_MEETINGS: usize = 3;

/// Why a meeting's attendance is flagged as unbalanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Imbalance {
    /// Nobody from the police side came: the partnership is not a partnership that night.
    NoPolice,
    /// Community attendees were less than [`MIN_COMMUNITY_SHARE`] of the room.
    CommunityMinority,
}

impl Imbalance {
    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Imbalance::NoPolice => "no_police",
            Imbalance::CommunityMinority => "community_minority",
        }
    }
}

impl AttendanceCount {
    /// Everyone present.
    pub fn total(&self) -> u64 {
        self.by_side(Side::Police) + self.by_side(Side::Community)
    }

    /// Everyone present from one side, members and walk-ins.
    pub fn by_side(&self, side: Side) -> u64 {
        match side {
            Side::Police => u64::from(self.police_members) + u64::from(self.police_walk_ins),
            Side::Community => u64::from(self.community_members) + u64::from(self.community_walk_ins),
        }
    }

    /// The community side's share of everyone present (0–1), or `None` when nobody was counted.
    pub fn community_share(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| self.by_side(Side::Community) as f64 / t as f64)
    }

    /// Why this meeting is unbalanced, if it is.
    ///
    /// The rule: in CAPS beat meetings the police are usually a handful of officers and the room is meant to be
    /// mostly residents, so a plain 50/50 head count would be the wrong test. A meeting is flagged when
    /// no police attended at all ([`Imbalance::NoPolice`]) or when community attendees are fewer than half of
    /// everyone present ([`Imbalance::CommunityMinority`]; exactly half is fine). The two cannot both hold. A
    /// meeting with nobody counted is treated as unrecorded and never flagged.
    pub fn imbalance(&self) -> Option<Imbalance> {
        let share = self.community_share()?;
        if self.by_side(Side::Police) == 0 {
            Some(Imbalance::NoPolice)
        } else if share < MIN_COMMUNITY_SHARE {
            Some(Imbalance::CommunityMinority)
        } else {
            None
        }
    }

    /// Whether [`AttendanceCount::imbalance`] flags this meeting.
    pub fn unbalanced(&self) -> bool {
        self.imbalance().is_some()
    }
}

fn serialize_date<S: Serializer>(date: &civil::Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

/// Attendance at one held meeting, with its share and flag worked out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeetingAttendance {
    /// Date of the meeting (serialised as `YYYY-MM-DD`).
    #[serde(serialize_with = "serialize_date")]
    pub date: civil::Date,
    /// The head count.
    pub count: AttendanceCount,
    /// Community share of everyone present, `None` when nobody was counted.
    pub community_share: Option<f64>,
    /// Whether the meeting is flagged (see [`AttendanceCount::imbalance`] for the rule).
    pub unbalanced: bool,
    /// Why it is flagged.
    pub imbalance: Option<Imbalance>,
}

/// Attendance over a partnership's held meetings, oldest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AttendanceTrend {
    meetings: Vec<MeetingAttendance>,
}

impl AttendanceTrend {
    /// Works out share and flag for each held meeting, sorted by date (meetings on the same date keep their order).
    /// Cancelled or scheduled meetings should not be passed in.
    pub fn new(meetings: impl IntoIterator<Item = (civil::Date, AttendanceCount)>) -> AttendanceTrend {
        let mut meetings: Vec<MeetingAttendance> = meetings
            .into_iter()
            .map(|(date, count)| MeetingAttendance {
                date,
                count,
                community_share: count.community_share(),
                unbalanced: count.unbalanced(),
                imbalance: count.imbalance(),
            })
            .collect();
        meetings.sort_by_key(|m| m.date);
        AttendanceTrend { meetings }
    }

    /// Meetings, oldest first.
    pub fn meetings(&self) -> &[MeetingAttendance] {
        &self.meetings
    }

    /// Whether the last `last_n` meetings with recorded attendance (total above zero) are all flagged.
    ///
    /// Meetings with nobody counted are skipped as unrecorded. Fewer than `last_n` recorded meetings, or
    /// `last_n == 0`, never raise the alert. The product uses [`REPRESENTATION_ALERT_MEETINGS`] (3).
    pub fn representation_alert(&self, last_n: usize) -> bool {
        if last_n == 0 {
            return false;
        }
        let recent: Vec<_> = self.meetings.iter().rev().filter(|m| m.count.total() > 0).take(last_n).collect();
        recent.len() == last_n && recent.iter().all(|m| m.unbalanced)
    }
}

#[cfg(test)]
mod tests;
