//! iCalendar (RFC 5545) writer.
//!
//! Turns a [`Calendar`] of [`Event`]s into the text of a `VCALENDAR` object: escaped TEXT values, quoted parameter
//! values, lines folded at 75 octets and terminated by CRLF, and a `VTIMEZONE` built from the time zone database so
//! that event times written as local times (`DTSTART;TZID=...`) mean the same instant in every client.
//!
//! No I/O happens here. The only ambient input is the clock, read when a calendar has no events, to decide which
//! year the `VTIMEZONE` should describe.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

#[cfg(test)]
mod tests;

/// Maximum length of a physical line, in octets, not counting the CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The iTIP method of a calendar object (RFC 5546), written as `METHOD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `PUBLISH`: a feed or a download, no replies expected.
    Publish,
    /// `REQUEST`: an invitation (or an update of one) to the attendees.
    Request,
    /// `CANCEL`: the events are cancelled.
    Cancel,
}

impl Method {
    /// The value as written in the `METHOD` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// The status of an event, written as `STATUS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// `CONFIRMED`: the event takes place.
    #[default]
    Confirmed,
    /// `TENTATIVE`: the event is not settled yet.
    Tentative,
    /// `CANCELLED`: the event was called off.
    Cancelled,
}

impl EventStatus {
    /// The value as written in the `STATUS` property.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// One `VEVENT`.
///
/// `start` and `end` are local (wall-clock) times in the time zone of the [`Calendar`] the event belongs to; they are
/// written with a `TZID` parameter. Sub-second parts are dropped. The writer does not check that `end` follows
/// `start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Globally unique and stable identifier (`UID`), e.g. `meeting-42@commonbeat.example`.
    pub uid: String,
    /// Revision number (`SEQUENCE`); bump it whenever the time, place or status changes.
    pub sequence: u32,
    /// When this representation was created (`DTSTAMP`), written in UTC.
    pub dtstamp: Timestamp,
    /// Local start time in the calendar's time zone (`DTSTART;TZID=...`).
    pub start: DateTime,
    /// Local end time in the calendar's time zone (`DTEND;TZID=...`).
    pub end: DateTime,
    /// Title (`SUMMARY`).
    pub summary: String,
    /// Longer text (`DESCRIPTION`); newlines are kept.
    pub description: Option<String>,
    /// Where the event takes place (`LOCATION`).
    pub location: Option<String>,
    /// Link to the event's page (`URL`).
    pub url: Option<String>,
    /// Whether the event takes place (`STATUS`).
    pub status: EventStatus,
    /// Organizer as `(display name, email)` (`ORGANIZER;CN=...:mailto:...`).
    pub organizer: Option<(String, String)>,
    /// Attendees as `(display name, email)` (`ATTENDEE;CN=...:mailto:...`).
    pub attendees: Vec<(String, String)>,
    /// When the event was last changed (`LAST-MODIFIED`), written in UTC.
    pub last_modified: Option<Timestamp>,
    /// Free-form categories (`CATEGORIES`), written as one comma-separated list.
    pub categories: Vec<String>,
}

impl Event {
    /// An event with the required fields set, status [`EventStatus::Confirmed`], sequence 0 and nothing else.
    pub fn new(
        uid: impl Into<String>,
        dtstamp: Timestamp,
        start: DateTime,
        end: DateTime,
        summary: impl Into<String>,
    ) -> Event {
        Event {
            uid: uid.into(),
            sequence: 0,
            dtstamp,
            start,
            end,
            summary: summary.into(),
            description: None,
            location: None,
            url: None,
            status: EventStatus::Confirmed,
            organizer: None,
            attendees: Vec::new(),
            last_modified: None,
            categories: Vec::new(),
        }
    }
}

/// A `VCALENDAR` with a single time zone in which all of its events' local times are expressed.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// Product identifier (`PRODID`), e.g. `-//CommonBeat//CommonBeat 0.1//EN`.
    pub prod_id: String,
    /// iTIP method (`METHOD`), omitted when `None`.
    pub method: Option<Method>,
    /// Display name (`X-WR-CALNAME`), omitted when `None`.
    pub name: Option<String>,
    /// The zone events' local times are in; its transitions make up the `VTIMEZONE`.
    pub time_zone: TimeZone,
    /// IANA name of `time_zone` (e.g. `America/Chicago`), used as `TZID`.
    pub time_zone_name: String,
    /// The events, written in this order.
    pub events: Vec<Event>,
}

impl Calendar {
    /// An empty calendar for the IANA time zone `time_zone_name`, looked up in the bundled time zone database.
    ///
    /// # Errors
    /// When the database has no zone by that name.
    pub fn new(prod_id: impl Into<String>, time_zone_name: &str) -> Result<Calendar, jiff::Error> {
        let time_zone = TimeZone::get(time_zone_name)?;
        Ok(Calendar {
            prod_id: prod_id.into(),
            method: None,
            name: None,
            time_zone,
            time_zone_name: time_zone_name.to_string(),
            events: Vec::new(),
        })
    }
}

/// Renders `cal` as an iCalendar object: every line folded to at most 75 octets and terminated by CRLF.
pub fn render(cal: &Calendar) -> String {
    let mut w = Writer::default();
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.text("PRODID", &cal.prod_id);
    w.line("CALSCALE:GREGORIAN");
    if let Some(method) = cal.method {
        w.line(&format!("METHOD:{}", method.as_str()));
    }
    if let Some(name) = &cal.name {
        w.text("X-WR-CALNAME", name);
    }
    write_timezone(&mut w, cal);
    let tzid = param_value(&cal.time_zone_name);
    for event in &cal.events {
        write_event(&mut w, event, &tzid);
    }
    w.line("END:VCALENDAR");
    w.out
}

/// Folds one content line (given without its CRLF) so that no physical line exceeds 75 octets: breaks are a CRLF
/// followed by a single space, which counts towards the next line's 75 octets. UTF-8 characters are never split.
/// No CRLF is appended after the last physical line.
///
/// Where it fits, whitespace (spaces, tabs, other Unicode white space) just before a break is carried over to the next physical line, because some parsers
/// trim trailing whitespace off each physical line before unfolding.
///
/// The input is expected not to contain CR or LF itself (escaped values never do); unfolding the output (removing
/// every CRLF followed by a space) gives the input back.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3);
    // Byte index in `out` where the current physical line begins (at its leading space, for continuation lines).
    let mut line_start = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if out.len() - line_start + n > MAX_LINE_OCTETS {
            let content_start = if line_start == 0 { 0 } else { line_start + 1 };
            let current = &out[content_start..];
            let kept = current.trim_end_matches(char::is_whitespace).len();
            let trailing = current.len() - kept;
            let at = if kept > 0 && 1 + trailing + n <= MAX_LINE_OCTETS { content_start + kept } else { out.len() };
            out.insert_str(at, "\r\n ");
            line_start = at + 2;
        }
        out.push(c);
    }
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash, a newline becomes
/// `\n`, CR and every other control character except horizontal tab are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Makes a parameter value (RFC 5545 §3.1): DQUOTE and control characters (except horizontal tab) are dropped,
/// and the value is put in double quotes when it contains `:`, `;` or `,`.
fn param_value(s: &str) -> String {
    let clean: String = s.chars().filter(|&c| c != '"' && (c == '\t' || !c.is_control())).collect();
    if clean.contains([':', ';', ',']) { format!("\"{clean}\"") } else { clean }
}

/// Drops control characters from a URI value; URIs are not TEXT and are not backslash-escaped.
fn uri_value(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Accumulates folded, CRLF-terminated lines.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// Writes one unfolded content line.
    fn line(&mut self, line: &str) {
        self.out.push_str(&fold_line(line));
        self.out.push_str("\r\n");
    }

    /// Writes `NAME:value` with `value` escaped as TEXT.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }

    /// Writes `NAME;CN=...:mailto:...` for a calendar user; the `CN` parameter is omitted when the name is empty.
    fn person(&mut self, name: &str, (cn, email): &(String, String)) {
        let cn = param_value(cn);
        let address = uri_value(email);
        if cn.is_empty() {
            self.line(&format!("{name}:mailto:{address}"));
        } else {
            self.line(&format!("{name};CN={cn}:mailto:{address}"));
        }
    }
}

fn write_event(w: &mut Writer, e: &Event, tzid: &str) {
    w.line("BEGIN:VEVENT");
    w.text("UID", &e.uid);
    w.line(&format!("SEQUENCE:{}", e.sequence));
    w.line(&format!("DTSTAMP:{}", format_utc(e.dtstamp)));
    w.line(&format!("DTSTART;TZID={tzid}:{}", format_local(e.start)));
    w.line(&format!("DTEND;TZID={tzid}:{}", format_local(e.end)));
    w.text("SUMMARY", &e.summary);
    if let Some(description) = &e.description {
        w.text("DESCRIPTION", description);
    }
    if let Some(location) = &e.location {
        w.text("LOCATION", location);
    }
    if let Some(url) = &e.url {
        w.line(&format!("URL:{}", uri_value(url)));
    }
    w.line(&format!("STATUS:{}", e.status.as_str()));
    if let Some(organizer) = &e.organizer {
        w.person("ORGANIZER", organizer);
    }
    for attendee in &e.attendees {
        w.person("ATTENDEE", attendee);
    }
    if let Some(modified) = e.last_modified {
        w.line(&format!("LAST-MODIFIED:{}", format_utc(modified)));
    }
    if !e.categories.is_empty() {
        let list: Vec<String> = e.categories.iter().map(|c| escape_text(c)).collect();
        w.line(&format!("CATEGORIES:{}", list.join(",")));
    }
    w.line("END:VEVENT");
}

/// One `STANDARD` or `DAYLIGHT` sub-component of a `VTIMEZONE`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Observance {
    daylight: bool,
    /// Onset as local time in the offset in effect before it (`from`).
    start: DateTime,
    from: Offset,
    to: Offset,
    name: String,
}

fn write_timezone(w: &mut Writer, cal: &Calendar) {
    // A year either side of the events; just the current year for a calendar without events.
    let (first, last) = match year_span(cal) {
        Some((first, last)) => (first.saturating_sub(1), last.saturating_add(1)),
        None => {
            let year = cal.time_zone.to_datetime(Timestamp::now()).year();
            (year, year)
        }
    };
    w.line("BEGIN:VTIMEZONE");
    w.line(&format!("TZID:{}", cal.time_zone_name.chars().filter(|c| !c.is_control()).collect::<String>()));
    for o in observances(&cal.time_zone, first, last) {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        w.line(&format!("BEGIN:{kind}"));
        w.line(&format!("DTSTART:{}", format_local(o.start)));
        w.line(&format!("TZOFFSETFROM:{}", format_offset(o.from)));
        w.line(&format!("TZOFFSETTO:{}", format_offset(o.to)));
        w.text("TZNAME", &o.name);
        w.line(&format!("END:{kind}"));
    }
    w.line("END:VTIMEZONE");
}

/// The earliest start year and latest end year over the calendar's events, or `None` without events.
fn year_span(cal: &Calendar) -> Option<(i16, i16)> {
    let first = cal.events.iter().map(|e| e.start.year().min(e.end.year())).min()?;
    let last = cal.events.iter().map(|e| e.start.year().max(e.end.year())).max()?;
    Some((first, last))
}

/// The observances describing `tz` from the start of year `first` to the end of year `last`.
///
/// Every transition in that window gets its own observance, plus the transition in effect when the window opens so
/// that its start is covered too. Without any transition in the window, a single `STANDARD` observance carries the
/// zone's offset from 1970-01-01.
fn observances(tz: &TimeZone, first: i16, last: i16) -> Vec<Observance> {
    let window_start = utc_year_start(first.clamp(1, 9999)).unwrap_or(Timestamp::MIN);
    let window_end = utc_year_start(last.saturating_add(1).clamp(1, 9999)).unwrap_or(Timestamp::MAX);
    // `following` is strictly after its argument; step back so a transition exactly at the window start counts.
    let from = window_start.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(window_start);
    let mut found: Vec<_> = tz.following(from).take_while(|t| t.timestamp() < window_end).collect();
    if found.is_empty() {
        let info = tz.to_offset_info(window_start);
        return vec![Observance {
            daylight: false,
            start: jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0),
            from: info.offset(),
            to: info.offset(),
            name: info.abbreviation().to_string(),
        }];
    }
    if let Some(before) = tz.preceding(from).next() {
        found.insert(0, before);
    }
    found
        .iter()
        .filter_map(|t| {
            let at = t.timestamp();
            let old = tz.to_offset(at.checked_sub(SignedDuration::from_nanos(1)).ok()?);
            let start = old.to_datetime(at);
            (1..=9999).contains(&start.year()).then(|| Observance {
                daylight: t.dst().is_dst(),
                start,
                from: old,
                to: t.offset(),
                name: t.abbreviation().to_string(),
            })
        })
        .collect()
}

fn utc_year_start(year: i16) -> Option<Timestamp> {
    let date = Date::new(year, 1, 1).ok()?;
    TimeZone::UTC.to_timestamp(date.at(0, 0, 0, 0)).ok()
}

/// `YYYYMMDDTHHMMSS`, a floating or `TZID`-qualified local time.
fn format_local(dt: DateTime) -> String {
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
}

/// `YYYYMMDDTHHMMSSZ`, a UTC time.
fn format_utc(ts: Timestamp) -> String {
    format!("{}Z", format_local(Offset::UTC.to_datetime(ts)))
}

/// `±HHMM`, or `±HHMMSS` when the offset has seconds (RFC 5545 §3.3.14).
fn format_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let abs = total.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if s == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{s:02}") }
}
