//! Reading a TOML mapping file into a [`Profile`] (the format is documented on the parent module).
//!
//! The file is walked key by key rather than deserialised, so every error names the dotted key at fault.

use super::IncidentError;
use super::category::Category;
use super::profiles::{DEFAULT_TRUE_VALUES, DateSpec, FlagSpec, Profile, XySpec, generic_base};
use super::projection::Crs;
use jiff::fmt::strtime;
use toml::{Table, Value};

/// Every key a mapping file may contain, by section ("" for the top level); used to refuse unknown keys and by the
/// test that keeps `docs/IMPORT-INCIDENTS.md` complete.
pub(crate) const KEYS: &[(&str, &[&str])] = &[
    ("", &["name", "id", "date", "offence", "coordinates", "location", "arrest", "sensitivity", "categories"]),
    ("date", &["column", "format", "time_column", "time_format"]),
    ("offence", &["code", "description", "detail"]),
    ("coordinates", &["latitude", "longitude", "x", "y", "epsg"]),
    ("location", &["block", "type"]),
    ("arrest", &["column", "true_values"]),
    ("sensitivity", &["domestic", "domestic_true_values", "victim_age"]),
];

/// `base` (a built-in profile, or `None` for `generic`) changed by the mapping `text`.
pub(crate) fn apply(base: Option<Profile>, text: &str) -> Result<Profile, IncidentError> {
    let generic = base.is_none();
    let mut p = base.unwrap_or_else(generic_base);
    let root: Table = toml::from_str(text).map_err(|e| IncidentError::MappingSyntax(e.to_string()))?;
    let root = Section { path: "", table: &root };
    root.check_keys()?;

    if let Some(name) = root.string("name")? {
        p.name = nonempty(&root, "name", name)?;
    }
    if let Some(id) = root.string("id")? {
        p.id = nonempty(&root, "id", id)?;
    }

    let date = root.section("date")?;
    if let Some(date) = &date {
        if let Some(column) = date.string("column")? {
            p.date.column = nonempty(date, "column", column)?;
        }
        if let Some(format) = date.string("format")? {
            check_format(&date.key("format"), format, false)?;
            p.date.format = format.to_owned();
        }
        apply_time(date, &mut p.date)?;
    }

    if let Some(offence) = root.section("offence")? {
        if let Some(code) = offence.string("code")? {
            p.offence.code = optional(code);
        }
        if let Some(description) = offence.string("description")? {
            p.offence.description = nonempty(&offence, "description", description)?;
        }
        if let Some(detail) = offence.string("detail")? {
            p.offence.detail = optional(detail);
        }
    }

    if let Some(coordinates) = root.section("coordinates")? {
        apply_coordinates(&coordinates, &mut p)?;
    }

    if let Some(location) = root.section("location")? {
        if let Some(block) = location.string("block")? {
            p.block = optional(block);
        }
        if let Some(kind) = location.string("type")? {
            p.location_type = optional(kind);
        }
    }

    if let Some(arrest) = root.section("arrest")? {
        p.arrest = apply_flag(&arrest, "column", "true_values", p.arrest.take())?;
    }

    if let Some(sensitivity) = root.section("sensitivity")? {
        p.domestic = apply_flag(&sensitivity, "domestic", "domestic_true_values", p.domestic.take())?;
        if let Some(age) = sensitivity.string("victim_age")? {
            p.victim_age = optional(age);
        }
    }

    if let Some(categories) = root.table.get("categories") {
        let Value::Table(categories) = categories else {
            return Err(err("categories", "expected a table of offence code or description = category"));
        };
        p.categories = Vec::with_capacity(categories.len());
        for (offence, category) in categories {
            let key = format!("categories.{}", quote_key(offence));
            let Value::String(category) = category else {
                return Err(err(&key, format!("expected a category name, found {}", category.type_str())));
            };
            let category = Category::parse(category).ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                err(&key, format!("unknown category {category:?}; use one of {}", names.join(", ")))
            })?;
            let offence = offence.trim();
            if offence.is_empty() {
                return Err(err(&key, "the offence code or description must not be empty"));
            }
            p.categories.push((offence.to_owned(), category));
        }
    }

    if generic {
        for (key, value) in [
            ("id", &p.id),
            ("date.column", &p.date.column),
            ("date.format", &p.date.format),
            ("offence.description", &p.offence.description),
        ] {
            if value.is_empty() {
                return Err(err(key, "required for the generic profile"));
            }
        }
    }
    Ok(p)
}

/// One table of the mapping file, with its dotted path for error messages.
struct Section<'a> {
    path: &'static str,
    table: &'a Table,
}

impl<'a> Section<'a> {
    fn key(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_owned() } else { format!("{}.{name}", self.path) }
    }

    fn check_keys(&self) -> Result<(), IncidentError> {
        let allowed = KEYS.iter().find(|(path, _)| *path == self.path).map_or(&[][..], |(_, keys)| keys);
        match self.table.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => {
                Err(err(&self.key(&quote_key(unknown)), format!("unknown key; expected one of {}", allowed.join(", "))))
            }
            None => Ok(()),
        }
    }

    fn string(&self, name: &str) -> Result<Option<&'a str>, IncidentError> {
        match self.table.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(err(&self.key(name), format!("expected a string, found {}", other.type_str()))),
        }
    }

    fn section(&self, name: &'static str) -> Result<Option<Section<'a>>, IncidentError> {
        match self.table.get(name) {
            None => Ok(None),
            Some(Value::Table(table)) => {
                let section = Section { path: name, table };
                section.check_keys()?;
                Ok(Some(section))
            }
            Some(other) => Err(err(name, format!("expected a table ([{name}]), found {}", other.type_str()))),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, IncidentError> {
        let key = self.key(name);
        match self.table.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let values = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
                        Value::String(_) => Err(err(&key, "values must not be empty")),
                        other => Err(err(&key, format!("expected strings, found {}", other.type_str()))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if values.is_empty() {
                    return Err(err(&key, "expected at least one value"));
                }
                Ok(Some(values))
            }
            Some(other) => Err(err(&key, format!("expected an array of strings, found {}", other.type_str()))),
        }
    }
}

fn err(key: &str, message: impl Into<String>) -> IncidentError {
    IncidentError::Mapping { key: key.to_owned(), message: message.into() }
}

/// A key as TOML would need it written in a dotted path.
fn quote_key(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn nonempty(section: &Section<'_>, name: &str, value: &str) -> Result<String, IncidentError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(err(&section.key(name), "must name a column"));
    }
    Ok(value.to_owned())
}

/// An optional column: `""` switches it off.
fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn apply_time(date: &Section<'_>, spec: &mut DateSpec) -> Result<(), IncidentError> {
    let column = date.string("time_column")?;
    let format = date.string("time_format")?;
    if let Some(format) = format {
        check_format(&date.key("time_format"), format, true)?;
    }
    let column = match column {
        Some(c) => optional(c),
        None => spec.time.as_ref().map(|(c, _)| c.clone()),
    };
    let format = format.map(str::to_owned).or_else(|| spec.time.as_ref().map(|(_, f)| f.clone()));
    spec.time = match (column, format) {
        (Some(column), Some(format)) => Some((column, format)),
        (Some(_), None) => return Err(err("date.time_format", "required with date.time_column")),
        (None, Some(_)) if date.table.contains_key("time_format") => {
            return Err(err("date.time_format", "needs date.time_column"));
        }
        (None, _) => None,
    };
    Ok(())
}

fn apply_coordinates(section: &Section<'_>, p: &mut Profile) -> Result<(), IncidentError> {
    let (base_lat, base_lon) = match p.lat_lon.take() {
        Some([lat, lon]) => (Some(lat), Some(lon)),
        None => (None, None),
    };
    let lat = section.string("latitude")?.map_or(base_lat, optional);
    let lon = section.string("longitude")?.map_or(base_lon, optional);
    p.lat_lon = match (lat, lon) {
        (Some(lat), Some(lon)) => Some([lat, lon]),
        (None, None) => None,
        (Some(_), None) => return Err(err("coordinates.longitude", "needed together with coordinates.latitude")),
        (None, Some(_)) => return Err(err("coordinates.latitude", "needed together with coordinates.longitude")),
    };

    let base = p.xy.take();
    let x = section.string("x")?.map_or_else(|| base.as_ref().map(|b| b.x.clone()), optional);
    let y = section.string("y")?.map_or_else(|| base.as_ref().map(|b| b.y.clone()), optional);
    let crs = match section.table.get("epsg") {
        None => base.map(|b| b.crs),
        Some(value) => Some(parse_epsg(value)?),
    };
    p.xy = match (x, y, crs) {
        (Some(x), Some(y), Some(crs)) => Some(XySpec { x, y, crs }),
        (None, None, _) => None,
        (Some(_), Some(_), None) => return Err(err("coordinates.epsg", "needed with coordinates.x and y")),
        (Some(_), None, _) => return Err(err("coordinates.y", "needed together with coordinates.x")),
        (None, Some(_), _) => return Err(err("coordinates.x", "needed together with coordinates.y")),
    };
    Ok(())
}

fn parse_epsg(value: &Value) -> Result<Crs, IncidentError> {
    let code = match value {
        Value::Integer(n) => u32::try_from(*n).ok(),
        Value::String(s) => {
            let s = s.trim();
            let digits = s.get(..5).filter(|p| p.eq_ignore_ascii_case("EPSG:")).map_or(s, |_| &s[5..]);
            digits.trim().parse::<u32>().ok()
        }
        other => return Err(err("coordinates.epsg", format!("expected an EPSG code, found {}", other.type_str()))),
    };
    code.and_then(Crs::from_epsg).ok_or_else(|| {
        let shown = match value {
            Value::String(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            other => other.type_str().to_owned(),
        };
        err("coordinates.epsg", format!("unsupported EPSG code {shown}; supported: {}", Crs::SUPPORTED))
    })
}

fn apply_flag(
    section: &Section<'_>,
    column_key: &str,
    values_key: &str,
    base: Option<FlagSpec>,
) -> Result<Option<FlagSpec>, IncidentError> {
    let column = section.string(column_key)?.map_or_else(|| base.as_ref().map(|b| b.column.clone()), optional);
    let values = section.strings(values_key)?;
    match column {
        Some(column) => {
            let true_values = values
                .or_else(|| base.map(|b| b.true_values))
                .unwrap_or_else(|| DEFAULT_TRUE_VALUES.iter().map(|v| (*v).to_owned()).collect());
            Ok(Some(FlagSpec { column, true_values }))
        }
        None if values.is_some() => Err(err(&section.key(values_key), format!("needs {}", section.key(column_key)))),
        None => Ok(None),
    }
}

/// Checks that `format` can read back what it writes and yields a date (or, for a time column, an hour).
fn check_format(key: &str, format: &str, time_only: bool) -> Result<(), IncidentError> {
    if format.trim().is_empty() {
        return Err(err(key, "must not be empty"));
    }
    let sample = jiff::civil::date(2024, 7, 15)
        .at(16, 24, 59, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_err(|e| err(key, e.to_string()))?;
    let written = strtime::format(format, &sample).map_err(|e| err(key, format!("not a usable format: {e}")))?;
    let read = strtime::parse(format, &written)
        .map_err(|e| err(key, format!("cannot read back what it writes ({written:?}): {e}")))?;
    if time_only {
        if read.hour().is_none() {
            return Err(err(key, "a time format needs an hour (%H or %I with %p)"));
        }
        read.to_time().map_err(|e| err(key, e.to_string()))?;
    } else {
        read.to_date().map_err(|e| err(key, format!("does not give a full date: {e}")))?;
    }
    Ok(())
}
