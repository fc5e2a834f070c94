//! Crime-incident imports: reading the rows of an agency's open-data export into [`Incident`]s.
//!
//! This module only parses; the `commonbeat import incidents FILE.csv --profile NAME [--mapping FILE.toml]`
//! command reads the file and hands each row to a [`RowParser`]. The steps are:
//!
//! 1. [`profile`] picks the column layout: a built-in one (`chicago`, `lapd`, `nypd`), optionally with a mapping
//!    file's changes, or `generic`, which a mapping file describes entirely.
//! 2. [`RowParser::new`] finds the profile's columns in the file's header row (by name, ignoring letter case and
//!    surrounding spaces; position and extra columns do not matter) and fails with
//!    [`IncidentError::MissingColumns`] naming every column it could not find.
//! 3. [`RowParser::parse`] turns each data row into an [`Incident`] or a [`Reject`] saying which column was wrong
//!    and why, with a stable [`RejectReason::key`] for counting.
//!
//! # Built-in profiles
//!
//! | profile   | file | id | occurred | offence (code, description, detail) | coordinates | block, location type | arrest |
//! |-----------|------|----|----------|-------------------------------------|-------------|----------------------|--------|
//! | `chicago` | City of Chicago "Crimes – 2001 to Present" | `ID` | `Date` | `IUCR`, `Primary Type`, `Description` | `Latitude`/`Longitude`, else `X Coordinate`/`Y Coordinate` (EPSG:3435) | `Block`, `Location Description` | `Arrest` = true |
//! | `lapd`    | LAPD "Crime Data from 2020 to Present" | `DR_NO` | `DATE OCC` (date part) + `TIME OCC` (HHMM) | `Crm Cd`, `Crm Cd Desc` | `LAT`/`LON` | `LOCATION`, `Premis Desc` | `Status Desc` = Adult Arrest or Juv Arrest |
//! | `nypd`    | NYPD "Complaint Data Historic" | `CMPLNT_NUM` | `CMPLNT_FR_DT` + `CMPLNT_FR_TM` | `KY_CD`, `OFNS_DESC`, `PD_DESC` (+ `LAW_CAT_CD`) | `Latitude`/`Longitude`, else `X_COORD_CD`/`Y_COORD_CD` (EPSG:2263) | none, `PREM_TYP_DESC` | none: always false |
//!
//! Sensitivity also reads Chicago `Domestic`, LAPD `Vict Age` and NYPD `VIC_AGE_GROUP`. [`CHICAGO_HEADER`],
//! [`LAPD_HEADER`] and [`NYPD_HEADER`] are the header lines of the three exports. Every column a profile names must
//! be present, except that one complete coordinate pair (lat/lon or x/y) is enough.
//!
//! # Row values
//!
//! - **Row numbers** are what the caller passes: by convention 1-based over the file's records with the header as
//!   row 1, so the first data row is row 2 (as a spreadsheet shows it).
//! - **Ids**: an empty id is rejected (`missing_id`).
//! - **Dates** are read with jiff's strptime format (`%m/%d/%Y %I:%M:%S %p` for Chicago). A separate time column
//!   supplies the time of day; a time format of exactly `%H%M` also reads LAPD's unpadded values (`5` is 00:05).
//!   A date without a time is local midnight. Unless the format reads an offset (`%z`), the value is civil time in
//!   the time zone given to [`RowParser::new`]; a time skipped by a daylight-saving change (02:30 on the spring
//!   forward day) is moved forward by the gap and a repeated one (01:30 on the fall back day) takes the earlier
//!   instant (jiff's "compatible" disambiguation, as RFC 5545 and Temporal do). Unreadable, empty or pre-1900
//!   dates are `bad_date`; more than a day after the `now` given to [`RowParser::new`] is `future_date`.
//! - **Coordinates**: latitude/longitude are used when present; when both are empty (or both 0, which LAPD writes
//!   for redacted locations) the x/y pair is projected from the profile's EPSG code (see [`Crs`]); when that is
//!   empty or 0/0 too the incident has no coordinates. A value that is not a number, or a pair with one half
//!   empty, is `bad_coordinates`; latitude outside −90…90 or longitude outside −180…180 (also after projecting)
//!   is `out_of_range_coordinates`.
//! - **Text** (offence, detail, block, location type) is trimmed with runs of spaces collapsed (LAPD pads
//!   addresses); bytes that are not UTF-8 are replaced with U+FFFD. Empty optional text is `None`. When the
//!   description is empty the detail stands in for it.
//! - **Arrest** is true when the arrest column equals one of the true values (letter case ignored).
//! - **Category and sensitivity**: see [`category`](self::category) for the taxonomy, the tables and the rules.
//!
//! # Mapping files
//!
//! A mapping file (TOML) describes a layout no profile knows, with `--profile generic`, or changes a built-in
//! profile (`--profile lapd --mapping FILE.toml`), in which case every key is optional and replaces just that
//! setting. Column names are matched like header names. For an optional column, an empty string `""` switches it
//! off in a built-in profile. Unknown keys are errors, so typos do not go unnoticed. `docs/IMPORT-INCIDENTS.md`
//! has the same reference and `docs/examples/incident-mapping.toml` a complete example.
//!
//! | key | meaning | generic |
//! |-----|---------|---------|
//! | `name` | a label for the layout, shown in error messages | optional |
//! | `id` | the column with the agency's unique incident number | required |
//! | `date.column` | the column with the date (or date and time) the incident occurred | required |
//! | `date.format` | its jiff strptime format, e.g. `%Y-%m-%d %H:%M:%S`, `%m/%d/%Y %I:%M %p`, `%Y-%m-%dT%H:%M:%S%z` | required |
//! | `date.time_column` | a separate column with the time of day | optional |
//! | `date.time_format` | its format, e.g. `%H:%M`, `%H%M` | with `time_column` |
//! | `offence.code` | the offence code column (UCR, NIBRS, local) | optional |
//! | `offence.description` | the offence description column | required |
//! | `offence.detail` | a second, more specific description column | optional |
//! | `coordinates.latitude`, `coordinates.longitude` | WGS84 (or NAD83) decimal degrees | optional, both or neither |
//! | `coordinates.x`, `coordinates.y`, `coordinates.epsg` | projected coordinates and their EPSG code (integer) | optional, all three or none |
//! | `location.block` | the block or address column | optional |
//! | `location.type` | the premises or location type column | optional |
//! | `arrest.column` | the column that says whether someone was arrested | optional |
//! | `arrest.true_values` | the values meaning yes (default `["true", "t", "y", "yes", "1"]`) | optional |
//! | `sensitivity.domestic` | a domestic-incident flag column | optional |
//! | `sensitivity.domestic_true_values` | its yes values (same default as arrest) | optional |
//! | `sensitivity.victim_age` | a victim age column (1–17 or `<18` means a child) | optional |
//! | `categories` | a table of offence code or description → category (`violent`, `property`, `drugs`, `disorder`, `weapons`, `sex_offences`, `other`) | optional |
//!
//! ```toml
//! name = "Metro PD records export"
//! id = "Incident Number"
//!
//! [date]
//! column = "Occurred Date"
//! format = "%m/%d/%Y"
//! time_column = "Occurred Time"
//! time_format = "%H:%M"
//!
//! [offence]
//! code = "NIBRS Code"
//! description = "Offense"
//!
//! [coordinates]
//! x = "X"
//! y = "Y"
//! epsg = 2229
//!
//! [location]
//! block = "Block Address"
//!
//! [arrest]
//! column = "Disposition"
//! true_values = ["Arrest", "Cleared by Arrest"]
//!
//! [categories]
//! "13A" = "violent"
//! "CATALYTIC CONVERTER THEFT" = "property"
//! ```

pub mod category;
mod fastdate;
mod mapping;
mod parser;
mod profiles;
mod projection;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_profiles;

pub use category::{Category, KEYWORDS, SENSITIVE_KEYWORDS, Sensitivity, SensitivityRules};
pub use parser::RowParser;
pub use profiles::{CHICAGO_HEADER, LAPD_HEADER, NYPD_HEADER, PROFILES, Profile, profile};
pub use projection::Crs;

use std::fmt;

/// One incident read from a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The agency's incident number (Chicago `ID`, LAPD `DR_NO`, NYPD `CMPLNT_NUM`).
    pub source_id: String,
    /// When the incident occurred (its start, where the file has a range).
    pub occurred_at: jiff::Timestamp,
    /// The offence code (Chicago IUCR, LAPD crime code, NYPD offence key); empty when the layout has none.
    pub offence_code: String,
    /// The offence description (Chicago `Primary Type`, LAPD `Crm Cd Desc`, NYPD `OFNS_DESC`).
    pub offence: String,
    /// The more specific description, where the layout has one (Chicago `Description`, NYPD `PD_DESC`).
    pub offence_detail: Option<String>,
    /// The public category.
    pub category: Category,
    /// Why the exact location needs care, if it does.
    pub sensitive: Option<Sensitivity>,
    /// Longitude in WGS84 degrees, when the row has a location.
    pub lon: Option<f64>,
    /// Latitude in WGS84 degrees, when the row has a location.
    pub lat: Option<f64>,
    /// The block or address as published (agencies already generalise it to the hundred block).
    pub block: Option<String>,
    /// The kind of place (street, residence, parking lot…).
    pub location_type: Option<String>,
    /// Whether the file records an arrest; false where the layout has no arrest column (NYPD).
    pub arrest: bool,
}

/// Why a row was rejected, as a stable short key for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// The id column is empty.
    MissingId,
    /// The date or time is empty, unreadable with the format, or before 1900.
    BadDate,
    /// The incident occurred more than a day after the import's `now`.
    FutureDate,
    /// A coordinate is not a number, or only half of a pair is present.
    BadCoordinates,
    /// A latitude outside −90…90 or a longitude outside −180…180.
    OutOfRangeCoordinates,
}

impl RejectReason {
    /// Every reason, in the order a report lists them.
    pub const ALL: [RejectReason; 5] = [
        RejectReason::MissingId,
        RejectReason::BadDate,
        RejectReason::FutureDate,
        RejectReason::BadCoordinates,
        RejectReason::OutOfRangeCoordinates,
    ];

    /// The stable key: `missing_id`, `bad_date`, `future_date`, `bad_coordinates`, `out_of_range_coordinates`.
    pub fn key(self) -> &'static str {
        match self {
            RejectReason::MissingId => "missing_id",
            RejectReason::BadDate => "bad_date",
            RejectReason::FutureDate => "future_date",
            RejectReason::BadCoordinates => "bad_coordinates",
            RejectReason::OutOfRangeCoordinates => "out_of_range_coordinates",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The row number the caller passed to [`RowParser::parse`].
    pub row: u64,
    /// The column at fault, spelled as in the file's header.
    pub field: String,
    /// The reason, for counting.
    pub kind: RejectReason,
    /// A sentence for people, quoting the offending value.
    pub reason: String,
}

impl Reject {
    /// The stable key of [`Reject::kind`], e.g. `bad_date`.
    pub fn reason_key(&self) -> &'static str {
        self.kind.key()
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}, column {}: {}", self.row, self.field, self.reason)
    }
}

impl std::error::Error for Reject {}

/// A problem with the whole import: the profile, the mapping file or the file's header row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The profile name is not one of [`PROFILES`].
    #[error("unknown import profile {0:?}; use one of chicago, lapd, nypd, generic")]
    UnknownProfile(String),
    /// `generic` was chosen without a mapping file.
    #[error("the generic profile needs a mapping file (--mapping FILE.toml)")]
    MappingRequired,
    /// The mapping file is not valid TOML.
    #[error("the mapping file is not valid TOML: {0}")]
    MappingSyntax(String),
    /// A key of the mapping file is missing, unknown or has a bad value.
    #[error("mapping file, key `{key}`: {message}")]
    Mapping {
        /// The dotted key, e.g. `date.format` or `categories."CATALYTIC CONVERTER THEFT"`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// The file's header row lacks columns the profile needs.
    #[error("the file lacks the column(s) {} that the {profile} profile needs", quote_list(columns))]
    MissingColumns {
        /// The profile's name.
        profile: String,
        /// The missing column names, as the profile spells them.
        columns: Vec<String>,
    },
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
}
