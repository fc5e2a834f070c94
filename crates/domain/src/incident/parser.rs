//! [`RowParser`]: one data row → [`Incident`] or [`Reject`], with the columns resolved once from the header.

use super::category::{self, OffenceText, SensitivityFacts, SensitivityRules, Table};
use super::fastdate::FastFormat;
use super::profiles::{FlagSpec, Profile};
use super::projection::Crs;
use super::{Category, Incident, IncidentError, Reject, RejectReason};
use csv::ByteRecord;
use jiff::civil::{Date, Time};
use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::borrow::Cow;

/// Dates before this year are treated as typing errors (`bad_date`): NYPD's historic file has years like 1015.
const EARLIEST_YEAR: i16 = 1900;

/// How far past the import's `now` an occurrence may lie (clock skew, time zones) before it is `future_date`.
const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_hours(24);

/// A column found in the header: its position and its name as the file spells it (for rejects).
#[derive(Debug, Clone)]
struct Col {
    index: usize,
    name: String,
}

#[derive(Debug, Clone)]
struct Flag {
    col: Col,
    true_values: Vec<String>,
}

/// Parses the data rows of one file. Build it once from the header row with [`RowParser::new`], then call
/// [`RowParser::parse`] for each record; it holds no per-row state, so it can be shared between threads.
#[derive(Debug, Clone)]
pub struct RowParser {
    table: Table,
    id: Col,
    date: Col,
    date_format: String,
    /// The date format compiled for the fast path, when it is a plain numeric layout with a complete date.
    fast_date: Option<FastFormat>,
    /// The time format compiled for the fast path.
    fast_time: Option<FastFormat>,
    /// Time column, its format, and whether the format is `%H%M` (unpadded values allowed).
    time: Option<(Col, String, bool)>,
    code: Option<Col>,
    description: Col,
    detail: Option<Col>,
    law_class: Option<Col>,
    lat_lon: Option<(Col, Col)>,
    xy: Option<(Col, Col, Crs)>,
    block: Option<Col>,
    location_type: Option<Col>,
    arrest: Option<Flag>,
    domestic: Option<Flag>,
    victim_age: Option<Col>,
    categories: Vec<(String, Category)>,
    tz: TimeZone,
    rules: SensitivityRules,
    latest: Timestamp,
}

/// Resolves column names against the header, collecting every name it cannot find.
struct Resolver<'h> {
    headers: Vec<Cow<'h, str>>,
    missing: Vec<String>,
}

impl Resolver<'_> {
    fn find(&self, name: &str) -> Option<Col> {
        let name = name.trim();
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name) || (!h.is_ascii() && h.to_lowercase() == name.to_lowercase()))
            .map(|index| Col { index, name: self.headers[index].to_string() })
    }

    fn require(&mut self, name: &str) -> Col {
        self.find(name).unwrap_or_else(|| {
            self.missing.push(name.to_owned());
            Col { index: usize::MAX, name: name.to_owned() }
        })
    }

    fn require_opt(&mut self, name: Option<&String>) -> Option<Col> {
        name.map(|n| self.require(n))
    }

    fn flag(&mut self, spec: Option<&FlagSpec>) -> Option<Flag> {
        spec.map(|f| Flag { col: self.require(&f.column), true_values: f.true_values.clone() })
    }
}

impl RowParser {
    /// Finds `profile`'s columns in `headers` (use `reader.byte_headers()`, or `headers.as_byte_record()` for a
    /// `StringRecord`). Civil times are read in `tz`; occurrences more than a day after `now` are rejected; `rules`
    /// says which sensitivity classes to mark. Fails with [`IncidentError::MissingColumns`] naming every column the
    /// profile needs that the header lacks (one complete coordinate pair is enough).
    pub fn new(
        profile: &Profile,
        headers: &ByteRecord,
        tz: TimeZone,
        rules: SensitivityRules,
        now: Timestamp,
    ) -> Result<Self, IncidentError> {
        let headers = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
                String::from_utf8_lossy(h.trim_ascii())
            })
            .collect();
        let mut r = Resolver { headers, missing: Vec::new() };

        let id = r.require(&profile.id);
        let date = r.require(&profile.date.column);
        let time = profile.date.time.as_ref().map(|(c, f)| (r.require(c), f.clone(), f == "%H%M"));
        let code = r.require_opt(profile.offence.code.as_ref());
        let description = r.require(&profile.offence.description);
        let detail = r.require_opt(profile.offence.detail.as_ref());
        let law_class = r.require_opt(profile.offence.law_class.as_ref());

        // One complete coordinate pair suffices; report the pairs' missing columns only if none is complete.
        let lat_lon = profile.lat_lon.as_ref().map(|[lat, lon]| (r.find(lat), r.find(lon)));
        let xy = profile.xy.as_ref().map(|xy| (r.find(&xy.x), r.find(&xy.y), xy.crs));
        let lat_lon = match lat_lon {
            Some((Some(lat), Some(lon))) => Some((lat, lon)),
            _ => None,
        };
        let xy = match xy {
            Some((Some(x), Some(y), crs)) => Some((x, y, crs)),
            _ => None,
        };
        if lat_lon.is_none() && xy.is_none() {
            let pairs = profile.lat_lon.iter().flatten().chain(profile.xy.iter().flat_map(|xy| [&xy.x, &xy.y]));
            for name in pairs {
                if r.find(name).is_none() {
                    r.missing.push(name.clone());
                }
            }
        }

        let block = r.require_opt(profile.block.as_ref());
        let location_type = r.require_opt(profile.location_type.as_ref());
        let arrest = r.flag(profile.arrest.as_ref());
        let domestic = r.flag(profile.domestic.as_ref());
        let victim_age = r.require_opt(profile.victim_age.as_ref());

        if !r.missing.is_empty() {
            return Err(IncidentError::MissingColumns { profile: profile.name.clone(), columns: r.missing });
        }
        Ok(RowParser {
            table: profile.table,
            id,
            date,
            date_format: profile.date.format.clone(),
            fast_date: FastFormat::compile(&profile.date.format).filter(FastFormat::has_date),
            fast_time: time.as_ref().and_then(|(_, f, _)| FastFormat::compile(f)).filter(|f| !f.has_date()),
            time,
            code,
            description,
            detail,
            law_class,
            lat_lon,
            xy,
            block,
            location_type,
            arrest,
            domestic,
            victim_age,
            categories: profile.categories.clone(),
            tz,
            rules,
            latest: now.checked_add(FUTURE_TOLERANCE).unwrap_or(Timestamp::MAX),
        })
    }

    /// Reads one data record. `row` is only echoed into a [`Reject`]; by convention it is the 1-based record number
    /// with the header as row 1 (the first data row is row 2). Fields missing from a short record read as empty.
    pub fn parse(&self, row: u64, record: &ByteRecord) -> Result<Incident, Reject> {
        let reject =
            |col: &Col, kind: RejectReason, reason: String| Reject { row, field: col.name.clone(), kind, reason };

        let id = field(record, &self.id);
        if id.is_empty() {
            return Err(reject(&self.id, RejectReason::MissingId, "the incident id is empty".to_owned()));
        }
        let occurred_at = self.occurred_at(record).map_err(|(col, kind, reason)| reject(col, kind, reason))?;
        let position = self.position(record).map_err(|(col, kind, reason)| reject(col, kind, reason))?;

        let code = text(field_opt(record, self.code.as_ref()));
        let description = text(field(record, &self.description));
        let detail = text(field_opt(record, self.detail.as_ref()));
        let law_class = text(field_opt(record, self.law_class.as_ref()));
        let offence = OffenceText { code: &code, description: &description, detail: &detail, law_class: &law_class };
        let category = category::classify(self.table, &offence, &self.categories);
        let facts = SensitivityFacts {
            domestic_flag: self.domestic.as_ref().is_some_and(|f| flag_is_set(record, f)),
            juvenile_victim: self
                .victim_age
                .as_ref()
                .is_some_and(|c| category::is_juvenile_age(&text(field(record, c)))),
        };
        let sensitive = category::sensitivity(category, &offence, facts, &self.rules);

        let (offence, offence_detail) = if description.is_empty() {
            (clean(&detail), None)
        } else {
            (clean(&description), (!detail.is_empty()).then(|| clean(&detail)))
        };
        Ok(Incident {
            source_id: clean(&text(id)),
            occurred_at,
            offence_code: clean(&code),
            offence,
            offence_detail,
            category,
            sensitive,
            lon: position.map(|(lon, _)| lon),
            lat: position.map(|(_, lat)| lat),
            block: optional_text(field_opt(record, self.block.as_ref())),
            location_type: optional_text(field_opt(record, self.location_type.as_ref())),
            arrest: self.arrest.as_ref().is_some_and(|f| flag_is_set(record, f)),
        })
    }

    fn occurred_at(&self, record: &ByteRecord) -> Result<Timestamp, Problem<'_>> {
        let (col, format) = (&self.date, self.date_format.as_str());
        let raw = field(record, col);
        // The fast path reads the exports' plain numeric layouts exactly as strptime would; anything else (and
        // every error message) goes through strptime.
        if let Some((Some(date), time)) = self.fast_date.as_ref().and_then(|f| f.parse(raw)) {
            let time = match &self.time {
                None => Some(time.unwrap_or(Time::midnight())),
                Some((time_col, _, hhmm)) => {
                    let time_raw = field(record, time_col);
                    let mut padded = [b'0'; 4];
                    let value = pad_hhmm(time_raw, *hhmm, &mut padded);
                    self.fast_time.as_ref().and_then(|f| f.parse(value)).and_then(|(_, t)| t)
                }
            };
            if let Some(time) = time {
                return self.instant(col, raw, date, time, None);
            }
        }
        let tm = strtime::parse(format, raw).map_err(|e| bad_date(col, raw, format, e))?;
        let date: Date = tm.to_date().map_err(|e| bad_date(col, raw, format, e))?;
        let time: Time = match &self.time {
            None => tm.to_time().map_err(|e| bad_date(col, raw, format, e))?,
            Some((time_col, time_format, hhmm)) => {
                let time_raw = field(record, time_col);
                let mut padded = [b'0'; 4];
                let value = pad_hhmm(time_raw, *hhmm, &mut padded);
                strtime::parse(time_format, value)
                    .and_then(|t| t.to_time())
                    .map_err(|e| bad_date(time_col, time_raw, time_format, e))?
            }
        };
        self.instant(col, raw, date, time, tm.offset())
    }

    /// The instant of a civil date and time read from `raw` (in the parser's time zone unless `offset` is given),
    /// checked against the earliest year and the latest allowed instant.
    fn instant<'c>(
        &self,
        col: &'c Col,
        raw: &[u8],
        date: Date,
        time: Time,
        offset: Option<jiff::tz::Offset>,
    ) -> Result<Timestamp, Problem<'c>> {
        if date.year() < EARLIEST_YEAR {
            return Err((col, RejectReason::BadDate, format!("{} is before {EARLIEST_YEAR}", quote(raw))));
        }
        let civil = date.to_datetime(time);
        let instant = match offset {
            Some(offset) => offset.to_timestamp(civil),
            None => self.tz.to_ambiguous_timestamp(civil).compatible(),
        }
        .map_err(|e| bad_date(col, raw, &self.date_format, e))?;
        if instant > self.latest {
            return Err((
                col,
                RejectReason::FutureDate,
                format!("{} is more than a day after the import time", quote(raw)),
            ));
        }
        Ok(instant)
    }

    /// `(lon, lat)` of the row, `None` when it has no location.
    fn position(&self, record: &ByteRecord) -> Result<Option<(f64, f64)>, Problem<'_>> {
        if let Some((lat_col, lon_col)) = &self.lat_lon
            && let Some((lat, lon)) = number_pair(record, lat_col, lon_col)?
        {
            check_range(lon_col, lon, lat_col, lat)?;
            return Ok(Some((lon, lat)));
        }
        if let Some((x_col, y_col, crs)) = &self.xy
            && let Some((x, y)) = number_pair(record, x_col, y_col)?
        {
            let Some((lon, lat)) = crs.to_lon_lat(x, y) else {
                return Err((x_col, RejectReason::OutOfRangeCoordinates, format!("x/y {x}, {y} cannot be projected")));
            };
            check_range(x_col, lon, x_col, lat)?;
            return Ok(Some((lon, lat)));
        }
        Ok(None)
    }
}

/// LAPD's unpadded `HHMM` times (`5` is 00:05) padded to four digits when `hhmm`; otherwise the value itself.
fn pad_hhmm<'a>(time_raw: &'a [u8], hhmm: bool, padded: &'a mut [u8; 4]) -> &'a [u8] {
    if hhmm && !time_raw.is_empty() && time_raw.len() < 4 && time_raw.iter().all(u8::is_ascii_digit) {
        padded[4 - time_raw.len()..].copy_from_slice(time_raw);
        &padded[..]
    } else {
        time_raw
    }
}

/// A rejected column, the reason and the sentence, before the row number is attached.
type Problem<'a> = (&'a Col, RejectReason, String);

fn bad_date<'c>(col: &'c Col, raw: &[u8], format: &str, why: jiff::Error) -> Problem<'c> {
    let reason = if raw.is_empty() {
        "the value is empty".to_owned()
    } else {
        format!("cannot read {} as {format}: {why}", quote(raw))
    };
    (col, RejectReason::BadDate, reason)
}

/// Both numbers of a coordinate pair; `None` when both fields are empty or both are 0 (a redacted location).
fn number_pair<'c>(record: &ByteRecord, a_col: &'c Col, b_col: &'c Col) -> Result<Option<(f64, f64)>, Problem<'c>> {
    let (a_raw, b_raw) = (field(record, a_col), field(record, b_col));
    if a_raw.is_empty() && b_raw.is_empty() {
        return Ok(None);
    }
    let (a, b) = (number(a_col, a_raw, b_col)?, number(b_col, b_raw, a_col)?);
    Ok((a != 0.0 || b != 0.0).then_some((a, b)))
}

fn number<'c>(col: &'c Col, raw: &[u8], other: &Col) -> Result<f64, Problem<'c>> {
    if raw.is_empty() {
        return Err((col, RejectReason::BadCoordinates, format!("empty while {} has a value", other.name)));
    }
    std::str::from_utf8(raw)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| (col, RejectReason::BadCoordinates, format!("{} is not a number", quote(raw))))
}

fn check_range<'c>(lon_col: &'c Col, lon: f64, lat_col: &'c Col, lat: f64) -> Result<(), Problem<'c>> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err((lat_col, RejectReason::OutOfRangeCoordinates, format!("latitude {lat} is outside -90..90")));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err((lon_col, RejectReason::OutOfRangeCoordinates, format!("longitude {lon} is outside -180..180")));
    }
    Ok(())
}

/// The trimmed bytes of a column; empty if the record is short or the value is `(null)` (NYPD's mark for no value).
fn field<'r>(record: &'r ByteRecord, col: &Col) -> &'r [u8] {
    let value = record.get(col.index).unwrap_or_default().trim_ascii();
    if value.eq_ignore_ascii_case(b"(null)") { &[] } else { value }
}

fn field_opt<'r>(record: &'r ByteRecord, col: Option<&Col>) -> &'r [u8] {
    col.map_or(&[][..], |c| field(record, c))
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn flag_is_set(record: &ByteRecord, flag: &Flag) -> bool {
    let value = field(record, &flag.col);
    !value.is_empty() && flag.true_values.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(value))
}

/// Owned text with runs of whitespace collapsed to one space (the input is already trimmed).
fn clean(s: &str) -> String {
    let bytes = s.as_bytes();
    let tidy = bytes.iter().enumerate().all(|(i, &b)| {
        !b.is_ascii_whitespace() || (b == b' ' && !bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace))
    });
    if tidy {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn optional_text(bytes: &[u8]) -> Option<String> {
    (!bytes.is_empty()).then(|| clean(&text(bytes)))
}

/// A field value quoted for a message, cut to 60 characters.
fn quote(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}
