//! Community reports: what residents report (a category, a place, a description), the status lifecycle staff move
//! them through, the duplicate suggestion shown before submitting, the block-level generalisation of their
//! locations for anything public, and the four-week "is it really fixed?" follow-up.
//!
//! Everything here is pure: "now" is always passed in.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[cfg(test)]
mod tests;

/// Radius within which an earlier report of the same category is suggested as a duplicate, in metres.
pub const DUPLICATE_RADIUS_M: f64 = 150.0;
/// How far back duplicates are looked for, in days.
pub const DUPLICATE_WINDOW_DAYS: i64 = 30;
/// Side of the public grid cell that locations are snapped to, in metres.
pub const PUBLIC_CELL_M: f64 = 150.0;
/// Days after closing when the reporter is asked whether it is really fixed.
pub const FOLLOW_UP_DAYS: i64 = 28;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 4000;
/// Shortest description, in characters.
pub const MIN_DESCRIPTION: usize = 10;
/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Where a report stands. The first four are open, the rest closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Just in; nobody has looked yet.
    Received,
    /// Someone is finding out what is going on.
    Investigating,
    /// Work is under way.
    InProgress,
    /// Action has a date.
    ActionScheduled,
    /// Dealt with.
    Fixed,
    /// Looked into; nothing more will be done.
    NoFurtherAction,
    /// Not something the police deal with.
    NotPoliceMatter,
    /// Same as an earlier report.
    Duplicate,
    /// Passed to another agency.
    Referred,
}

impl ReportStatus {
    /// Every status, open ones first.
    pub const ALL: [ReportStatus; 9] = [
        ReportStatus::Received,
        ReportStatus::Investigating,
        ReportStatus::InProgress,
        ReportStatus::ActionScheduled,
        ReportStatus::Fixed,
        ReportStatus::NoFurtherAction,
        ReportStatus::NotPoliceMatter,
        ReportStatus::Duplicate,
        ReportStatus::Referred,
    ];

    /// Stable id (stored, and used in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Investigating => "investigating",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::ActionScheduled => "action_scheduled",
            ReportStatus::Fixed => "fixed",
            ReportStatus::NoFurtherAction => "no_further_action",
            ReportStatus::NotPoliceMatter => "not_police_matter",
            ReportStatus::Duplicate => "duplicate",
            ReportStatus::Referred => "referred",
        }
    }

    /// Whether the report is still open (Open311 `open`); otherwise it is closed.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Received
                | ReportStatus::Investigating
                | ReportStatus::InProgress
                | ReportStatus::ActionScheduled
        )
    }

    /// The statuses this one may move to. Open reports move between the working states and to any closed one;
    /// a closed report can only be reopened (to `investigating`).
    pub fn next(self) -> Vec<ReportStatus> {
        use ReportStatus::*;
        match self {
            Received => vec![
                Investigating,
                InProgress,
                ActionScheduled,
                Fixed,
                NoFurtherAction,
                NotPoliceMatter,
                Duplicate,
                Referred,
            ],
            Investigating => {
                vec![InProgress, ActionScheduled, Fixed, NoFurtherAction, NotPoliceMatter, Duplicate, Referred]
            }
            InProgress => vec![Investigating, ActionScheduled, Fixed, NoFurtherAction, Referred],
            ActionScheduled => vec![InProgress, Fixed, NoFurtherAction, Referred],
            Fixed | NoFurtherAction | NotPoliceMatter | Duplicate | Referred => vec![Investigating],
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ReportStatus::ALL.into_iter().find(|x| x.as_str() == s).ok_or(())
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The move is not in [`ReportStatus::next`].
    #[error("a report cannot move from {from} to {to}")]
    NotAllowed {
        /// Current status.
        from: ReportStatus,
        /// Requested status.
        to: ReportStatus,
    },
    /// Closing needs a public status note explaining the outcome.
    #[error("closing a report needs a public status note")]
    NoteRequired,
}

/// Checks a status change. Closing (moving to a closed status) needs a non-blank public note.
pub fn transition(from: ReportStatus, to: ReportStatus, public_note: &str) -> Result<(), TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    if !to.is_open() && public_note.trim().is_empty() {
        return Err(TransitionError::NoteRequired);
    }
    Ok(())
}

/// The reporter's answer to the four-week follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpAnswer {
    /// It is really fixed.
    Fixed,
    /// It is not: the report is reopened.
    NotFixed,
}

/// The status after the reporter's answer: `Some(investigating)` when a closed report is reopened.
pub fn after_follow_up(status: ReportStatus, answer: FollowUpAnswer) -> Option<ReportStatus> {
    (answer == FollowUpAnswer::NotFixed && !status.is_open()).then_some(ReportStatus::Investigating)
}

/// Whether a follow-up is asked after closing with this status (not for duplicates or other agencies' matters).
pub fn asks_follow_up(status: ReportStatus) -> bool {
    matches!(status, ReportStatus::Fixed | ReportStatus::NoFurtherAction)
}

/// What a report is about (the Open311 services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Drug dealing or use.
    DrugActivity,
    /// Graffiti and tagging.
    Graffiti,
    /// A vehicle left on the street.
    AbandonedVehicle,
    /// Street lights out.
    StreetLighting,
    /// Noise, parties.
    Noise,
    /// Loitering and disorder.
    Disorder,
    /// Speeding and dangerous driving.
    Traffic,
    /// Vacant or open buildings.
    VacantBuilding,
    /// Illegal dumping.
    IllegalDumping,
    /// Anything else.
    Other,
}

/// A service attribute's data type (Open311 `datatype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// One of a list of values.
    SingleValueList,
    /// Free text.
    String,
}

impl AttrType {
    /// The Open311 name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::SingleValueList => "singlevaluelist",
            AttrType::String => "string",
        }
    }
}

/// An extra question asked for a category (an Open311 attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    /// Code (`attribute[CODE]`).
    pub code: &'static str,
    /// Data type.
    pub datatype: AttrType,
    /// Whether it must be answered.
    pub required: bool,
    /// Allowed value keys for lists.
    pub values: &'static [&'static str],
}

const TIME_OF_DAY: Attribute = Attribute {
    code: "time_of_day",
    datatype: AttrType::SingleValueList,
    required: false,
    values: &["morning", "afternoon", "evening", "night"],
};
const ONGOING: Attribute =
    Attribute { code: "ongoing", datatype: AttrType::SingleValueList, required: false, values: &["yes", "no"] };
const VEHICLE: Attribute =
    Attribute { code: "vehicle_description", datatype: AttrType::String, required: false, values: &[] };
const POLE: Attribute = Attribute { code: "pole_number", datatype: AttrType::String, required: false, values: &[] };

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 10] = [
        Category::DrugActivity,
        Category::Graffiti,
        Category::AbandonedVehicle,
        Category::StreetLighting,
        Category::Noise,
        Category::Disorder,
        Category::Traffic,
        Category::VacantBuilding,
        Category::IllegalDumping,
        Category::Other,
    ];

    /// Stable id (stored, and the Open311 `service_code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::DrugActivity => "drug_activity",
            Category::Graffiti => "graffiti",
            Category::AbandonedVehicle => "abandoned_vehicle",
            Category::StreetLighting => "street_lighting",
            Category::Noise => "noise",
            Category::Disorder => "disorder",
            Category::Traffic => "traffic",
            Category::VacantBuilding => "vacant_building",
            Category::IllegalDumping => "illegal_dumping",
            Category::Other => "other",
        }
    }

    /// Whether a report may be made without any contact details. "Other" needs a way to ask what it is about.
    pub fn allows_anonymous(self) -> bool {
        self != Category::Other
    }

    /// The Open311 group the service belongs to.
    pub fn group(self) -> &'static str {
        match self {
            Category::DrugActivity | Category::Noise | Category::Disorder => "safety",
            Category::Traffic => "traffic",
            _ => "street",
        }
    }

    /// The extra questions asked for this category.
    pub fn attributes(self) -> Vec<Attribute> {
        match self {
            Category::AbandonedVehicle => vec![VEHICLE, ONGOING],
            Category::StreetLighting => vec![POLE, ONGOING],
            Category::Graffiti | Category::IllegalDumping | Category::VacantBuilding => vec![ONGOING],
            _ => vec![TIME_OF_DAY, ONGOING],
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Category::ALL.into_iter().find(|x| x.as_str() == s).ok_or(())
    }
}

/// Why an attribute answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    /// A required attribute is missing.
    #[error("attribute {0} is required")]
    Missing(&'static str),
    /// A list attribute got a value not in the list.
    #[error("attribute {0} has an unknown value")]
    BadValue(&'static str),
    /// A text answer is over 200 characters.
    #[error("attribute {0} is too long")]
    TooLong(&'static str),
}

/// Checks attribute answers `(code, value)` against the category's attributes; unknown codes are dropped, blank
/// answers ignored. Returns the kept answers in the category's order.
pub fn check_attributes(cat: Category, given: &[(String, String)]) -> Result<Vec<(String, String)>, AttributeError> {
    let mut out = Vec::new();
    for a in cat.attributes() {
        let v = given.iter().find(|(k, _)| k == a.code).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        match v {
            None if a.required => return Err(AttributeError::Missing(a.code)),
            None => {}
            Some(v) if a.datatype == AttrType::SingleValueList && !a.values.contains(&v) => {
                return Err(AttributeError::BadValue(a.code));
            }
            Some(v) if v.chars().count() > 200 => return Err(AttributeError::TooLong(a.code)),
            Some(v) => out.push((a.code.to_string(), v.to_string())),
        }
    }
    Ok(out)
}

/// A checked WGS84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
}

impl Point {
    /// A position, if both numbers are finite and in range.
    pub fn new(lat: f64, lon: f64) -> Option<Point> {
        (lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some(Point { lat, lon })
    }
}

/// Great-circle distance in metres (haversine on the mean sphere).
pub fn distance_m(a: Point, b: Point) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The public cell a point falls in: rows of [`PUBLIC_CELL_M`] of latitude, and within each row columns of
/// [`PUBLIC_CELL_M`] of longitude at the row's central latitude.
pub fn cell_of(p: Point) -> (i64, i64) {
    let dlat = PUBLIC_CELL_M / M_PER_DEG;
    let row = (p.lat / dlat).floor() as i64;
    let centre_lat = (row as f64 + 0.5) * dlat;
    let dlon = PUBLIC_CELL_M / (M_PER_DEG * centre_lat.to_radians().cos().max(0.01));
    let col = (p.lon / dlon).floor() as i64;
    (row, col)
}

/// The centre of a public cell.
pub fn cell_centre(cell: (i64, i64)) -> Point {
    let dlat = PUBLIC_CELL_M / M_PER_DEG;
    let lat = (cell.0 as f64 + 0.5) * dlat;
    let dlon = PUBLIC_CELL_M / (M_PER_DEG * lat.to_radians().cos().max(0.01));
    let lon = (cell.1 as f64 + 0.5) * dlon;
    Point { lat: (lat * 1e6).round() / 1e6, lon: (lon * 1e6).round() / 1e6 }
}

/// The block-level position shown to the public: the centre of the point's ~150 m cell, never the point.
pub fn generalise(p: Point) -> Point {
    cell_centre(cell_of(p))
}

/// An earlier report, as the duplicate check sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Earlier {
    /// Its id.
    pub id: i64,
    /// Its category.
    pub category: Category,
    /// Where it is.
    pub at: Point,
    /// When it was made (unix seconds).
    pub created_at: i64,
    /// Its status.
    pub status: ReportStatus,
}

/// A suggested duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateSuggestion {
    /// The earlier report.
    pub id: i64,
    /// How far away it is, in metres.
    pub distance_m: f64,
}

/// Earlier reports of the same category within [`DUPLICATE_RADIUS_M`] made in the last
/// [`DUPLICATE_WINDOW_DAYS`] days (reports themselves marked duplicate are left out), nearest first.
pub fn duplicates(category: Category, at: Point, now: i64, earlier: &[Earlier]) -> Vec<DuplicateSuggestion> {
    let since = now - DUPLICATE_WINDOW_DAYS * 86_400;
    let mut out: Vec<DuplicateSuggestion> = earlier
        .iter()
        .filter(|e| e.category == category && e.created_at >= since && e.created_at <= now)
        .filter(|e| e.status != ReportStatus::Duplicate)
        .map(|e| DuplicateSuggestion { id: e.id, distance_m: distance_m(at, e.at) })
        .filter(|d| d.distance_m <= DUPLICATE_RADIUS_M)
        .collect();
    out.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.id.cmp(&b.id)));
    out
}

/// The bounding box (south, west, north, east) that holds every point within `radius_m` of `p`: a cheap
/// pre-filter for the database before [`duplicates`].
pub fn search_box(p: Point, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_m / M_PER_DEG * 1.01;
    let dlon = radius_m / (M_PER_DEG * p.lat.to_radians().cos().max(0.01)) * 1.01;
    (p.lat - dlat, p.lon - dlon, p.lat + dlat, p.lon + dlon)
}

/// Why a description was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// Fewer than [`MIN_DESCRIPTION`] characters.
    #[error("description too short")]
    TooShort,
    /// More than [`MAX_DESCRIPTION`] characters.
    #[error("description too long")]
    TooLong,
}

/// A trimmed description of acceptable length, control characters (other than line breaks and tabs) removed.
pub fn check_description(s: &str) -> Result<String, DescriptionError> {
    let clean: String = s.trim().chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    match clean.chars().count() {
        n if n < MIN_DESCRIPTION => Err(DescriptionError::TooShort),
        n if n > MAX_DESCRIPTION => Err(DescriptionError::TooLong),
        _ => Ok(clean),
    }
}

/// The public form of a street address: the house number rounded down to its hundred block ("1234 W Elm St" →
/// "1200 block of W Elm St"); an address without a leading number keeps only its street words after dropping any
/// digits, so no house number is ever shown.
pub fn block_of_address(address: &str) -> String {
    let a = address.split(',').next().unwrap_or("").trim();
    let mut words = a.split_whitespace();
    let first = words.next().unwrap_or("");
    let digits: String = first.chars().take_while(char::is_ascii_digit).collect();
    if let Ok(n) = digits.parse::<u64>() {
        let street: Vec<&str> = words.collect();
        return format!("{} block of {}", n / 100 * 100, street.join(" "));
    }
    a.split_whitespace().filter(|w| !w.chars().any(|c| c.is_ascii_digit())).collect::<Vec<_>>().join(" ")
}
