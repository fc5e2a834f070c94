//! The built-in column layouts (Chicago, LAPD, NYPD) and [`profile`], which picks one and applies a mapping file.

use super::IncidentError;
use super::category::{Category, Table};
use super::mapping;
use super::projection::Crs;

/// The header line of the City of Chicago "Crimes – 2001 to Present" CSV export.
pub const CHICAGO_HEADER: &str = "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,\
Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,\
Longitude,Location";

/// The header line of the LAPD "Crime Data from 2020 to Present" CSV export.
pub const LAPD_HEADER: &str = "DR_NO,Date Rptd,DATE OCC,TIME OCC,AREA,AREA NAME,Rpt Dist No,Part 1-2,Crm Cd,\
Crm Cd Desc,Mocodes,Vict Age,Vict Sex,Vict Descent,Premis Cd,Premis Desc,Weapon Used Cd,Weapon Desc,Status,\
Status Desc,Crm Cd 1,Crm Cd 2,Crm Cd 3,Crm Cd 4,LOCATION,Cross Street,LAT,LON";

/// The header line of the NYPD "Complaint Data Historic" CSV export.
pub const NYPD_HEADER: &str = "CMPLNT_NUM,CMPLNT_FR_DT,CMPLNT_FR_TM,CMPLNT_TO_DT,CMPLNT_TO_TM,ADDR_PCT_CD,RPT_DT,\
KY_CD,OFNS_DESC,PD_CD,PD_DESC,CRM_ATPT_CPTD_CD,LAW_CAT_CD,BORO_NM,LOC_OF_OCCUR_DESC,PREM_TYP_DESC,JURIS_DESC,\
JURISDICTION_CODE,PARKS_NM,HADEVELOPT,HOUSING_PSA,X_COORD_CD,Y_COORD_CD,SUSP_AGE_GROUP,SUSP_RACE,SUSP_SEX,\
TRANSIT_DISTRICT,Latitude,Longitude,Lat_Lon,PATROL_BORO,STATION_NAME,VIC_AGE_GROUP,VIC_RACE,VIC_SEX";

/// The profile names [`profile`] accepts.
pub const PROFILES: [&str; 4] = ["chicago", "lapd", "nypd", "generic"];

/// The values a yes/no column counts as yes unless a mapping says otherwise (letter case ignored).
pub(crate) const DEFAULT_TRUE_VALUES: [&str; 5] = ["true", "t", "y", "yes", "1"];

/// A column layout: which column holds what, how dates are written and which offence table applies. Built by
/// [`profile`]; used by [`RowParser::new`](super::RowParser::new).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub(crate) name: String,
    pub(crate) table: Table,
    pub(crate) id: String,
    pub(crate) date: DateSpec,
    pub(crate) offence: OffenceSpec,
    /// `[latitude, longitude]` column names.
    pub(crate) lat_lon: Option<[String; 2]>,
    pub(crate) xy: Option<XySpec>,
    pub(crate) block: Option<String>,
    pub(crate) location_type: Option<String>,
    pub(crate) arrest: Option<FlagSpec>,
    pub(crate) domestic: Option<FlagSpec>,
    pub(crate) victim_age: Option<String>,
    /// Mapping overrides: offence code or description (trimmed) → category.
    pub(crate) categories: Vec<(String, Category)>,
}

/// Where the occurrence date and time are.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateSpec {
    pub column: String,
    pub format: String,
    /// `(column, format)` of a separate time-of-day column.
    pub time: Option<(String, String)>,
}

/// Where the offence is described.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OffenceSpec {
    pub code: Option<String>,
    pub description: String,
    pub detail: Option<String>,
    /// NYPD `LAW_CAT_CD`, used by the NYPD table only.
    pub law_class: Option<String>,
}

/// Projected coordinate columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct XySpec {
    pub x: String,
    pub y: String,
    pub crs: Crs,
}

/// A yes/no column and the values that mean yes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FlagSpec {
    pub column: String,
    pub true_values: Vec<String>,
}

impl Profile {
    /// The profile's name (`chicago`, `lapd`, `nypd`, or the mapping's `name`, else `generic`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every column name the profile reads, in a fixed order (id, dates, offence, coordinates, location, flags).
    pub fn columns(&self) -> Vec<&str> {
        let mut out = vec![self.id.as_str(), self.date.column.as_str()];
        out.extend(self.date.time.as_ref().map(|(c, _)| c.as_str()));
        out.extend(self.offence.code.as_deref());
        out.push(&self.offence.description);
        out.extend(self.offence.detail.as_deref());
        out.extend(self.offence.law_class.as_deref());
        if let Some([lat, lon]) = &self.lat_lon {
            out.extend([lat.as_str(), lon.as_str()]);
        }
        if let Some(xy) = &self.xy {
            out.extend([xy.x.as_str(), xy.y.as_str()]);
        }
        out.extend(self.block.as_deref());
        out.extend(self.location_type.as_deref());
        out.extend(self.arrest.as_ref().map(|f| f.column.as_str()));
        out.extend(self.domestic.as_ref().map(|f| f.column.as_str()));
        out.extend(self.victim_age.as_deref());
        out
    }

    /// The EPSG code of the projected x/y columns, if the profile has them.
    pub fn xy_epsg(&self) -> Option<u32> {
        self.xy.as_ref().map(|xy| xy.crs.epsg())
    }
}

/// The profile called `name` (`chicago`, `lapd`, `nypd` or `generic`, letter case ignored), changed by the TOML
/// mapping text if one is given. `generic` requires a mapping. Errors name the unknown profile or the mapping key at
/// fault.
pub fn profile(name: &str, mapping: Option<&str>) -> Result<Profile, IncidentError> {
    let base = match name.trim().to_ascii_lowercase().as_str() {
        "chicago" => Some(chicago()),
        "lapd" => Some(lapd()),
        "nypd" => Some(nypd()),
        "generic" => None,
        _ => return Err(IncidentError::UnknownProfile(name.to_owned())),
    };
    match (base, mapping) {
        (Some(base), None) => Ok(base),
        (None, None) => Err(IncidentError::MappingRequired),
        (base, Some(text)) => mapping::apply(base, text),
    }
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn flag(column: &str, true_values: &[&str]) -> Option<FlagSpec> {
    Some(FlagSpec { column: s(column), true_values: true_values.iter().map(|v| s(v)).collect() })
}

fn chicago() -> Profile {
    Profile {
        name: s("chicago"),
        table: Table::Chicago,
        id: s("ID"),
        date: DateSpec { column: s("Date"), format: s("%m/%d/%Y %I:%M:%S %p"), time: None },
        offence: OffenceSpec {
            code: Some(s("IUCR")),
            description: s("Primary Type"),
            detail: Some(s("Description")),
            law_class: None,
        },
        lat_lon: Some([s("Latitude"), s("Longitude")]),
        xy: Some(XySpec {
            x: s("X Coordinate"),
            y: s("Y Coordinate"),
            crs: Crs::from_epsg(3435).expect("EPSG:3435 is supported"),
        }),
        block: Some(s("Block")),
        location_type: Some(s("Location Description")),
        arrest: flag("Arrest", &DEFAULT_TRUE_VALUES),
        domestic: flag("Domestic", &DEFAULT_TRUE_VALUES),
        victim_age: None,
        categories: Vec::new(),
    }
}

fn lapd() -> Profile {
    Profile {
        name: s("lapd"),
        table: Table::Lapd,
        id: s("DR_NO"),
        // DATE OCC carries a meaningless 12:00:00 AM; the time of day is in TIME OCC.
        date: DateSpec {
            column: s("DATE OCC"),
            format: s("%m/%d/%Y %I:%M:%S %p"),
            time: Some((s("TIME OCC"), s("%H%M"))),
        },
        offence: OffenceSpec { code: Some(s("Crm Cd")), description: s("Crm Cd Desc"), detail: None, law_class: None },
        lat_lon: Some([s("LAT"), s("LON")]),
        xy: None,
        block: Some(s("LOCATION")),
        location_type: Some(s("Premis Desc")),
        arrest: flag("Status Desc", &["Adult Arrest", "Juv Arrest"]),
        domestic: None,
        victim_age: Some(s("Vict Age")),
        categories: Vec::new(),
    }
}

fn nypd() -> Profile {
    Profile {
        name: s("nypd"),
        table: Table::Nypd,
        id: s("CMPLNT_NUM"),
        date: DateSpec {
            column: s("CMPLNT_FR_DT"),
            format: s("%m/%d/%Y"),
            time: Some((s("CMPLNT_FR_TM"), s("%H:%M:%S"))),
        },
        offence: OffenceSpec {
            code: Some(s("KY_CD")),
            description: s("OFNS_DESC"),
            detail: Some(s("PD_DESC")),
            law_class: Some(s("LAW_CAT_CD")),
        },
        lat_lon: Some([s("Latitude"), s("Longitude")]),
        xy: Some(XySpec {
            x: s("X_COORD_CD"),
            y: s("Y_COORD_CD"),
            crs: Crs::from_epsg(2263).expect("EPSG:2263 is supported"),
        }),
        block: None,
        location_type: Some(s("PREM_TYP_DESC")),
        arrest: None,
        domestic: None,
        victim_age: Some(s("VIC_AGE_GROUP")),
        categories: Vec::new(),
    }
}

/// The empty layout a `generic` mapping fills in (its required keys are checked afterwards).
pub(crate) fn generic_base() -> Profile {
    Profile {
        name: s("generic"),
        table: Table::Generic,
        id: String::new(),
        date: DateSpec { column: String::new(), format: String::new(), time: None },
        offence: OffenceSpec { code: None, description: String::new(), detail: None, law_class: None },
        lat_lon: None,
        xy: None,
        block: None,
        location_type: None,
        arrest: None,
        domestic: None,
        victim_age: None,
        categories: Vec::new(),
    }
}
