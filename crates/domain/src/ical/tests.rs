use super::*;
use ical::IcalParser;
use ical::parser::ical::component::{IcalCalendar, IcalEvent, IcalTimeZoneTransitionType};
use ical::property::Property;
use jiff::civil::datetime;
use proptest::prelude::*;

/// Inverse of [`escape_text`], for the tests: `\\`, `\;`, `\,`, `\n` and `\N`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits an escaped TEXT list on its unescaped commas, then unescapes each item.
fn split_list(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' => items.push(unescape(&std::mem::take(&mut current))),
            c => current.push(c),
        }
    }
    items.push(unescape(&current));
    items
}

fn unfold(s: &str) -> String {
    s.replace("\r\n ", "")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp")
}

fn parse(text: &str) -> IcalCalendar {
    let mut parser = IcalParser::new(text.as_bytes());
    let cal = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none(), "exactly one VCALENDAR");
    cal
}

fn prop<'a>(props: &'a [Property], name: &str) -> &'a Property {
    props.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("missing {name} in {props:#?}"))
}

fn value<'a>(props: &'a [Property], name: &str) -> &'a str {
    prop(props, name).value.as_deref().unwrap_or_else(|| panic!("{name} has no value"))
}

fn param<'a>(p: &'a Property, key: &str) -> &'a [String] {
    let params = p.params.as_ref().unwrap_or_else(|| panic!("{} has no params", p.name));
    &params.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("{} has no {key}", p.name)).1
}

fn event_props(e: &IcalEvent) -> &[Property] {
    &e.properties
}

const SUMMARY: &str = "Coffee with a cop; Ward 3, café \"Chez Ünal\"\nBring questions ☕🚓 — naïve façade";

fn chicago() -> Calendar {
    let mut cal = Calendar::new("-//CommonBeat//CommonBeat 0.1//EN", "America/Chicago").expect("zone exists");
    cal.method = Some(Method::Request);
    cal.name = Some("Ward 3, North; meetings".to_string());
    let mut first = Event::new(
        "meeting-1@commonbeat.example",
        ts("2026-01-15T12:30:00Z"),
        datetime(2026, 3, 10, 18, 30, 0, 0),
        datetime(2026, 3, 10, 20, 0, 0, 0),
        SUMMARY,
    );
    first.sequence = 3;
    first.description = Some(format!("Agenda:\n1. Traffic\\speeding\n2. {}", "Long line of text. ".repeat(12)));
    first.location = Some("Library, Room 2; 100 Main St.".to_string());
    first.url = Some("https://commonbeat.example/meetings/1?a=1,2;b=3".to_string());
    first.organizer = Some(("Doe, Jane".to_string(), "jane@example.org".to_string()));
    first.attendees = vec![
        ("Sgt. \"Ace\": Smith".to_string(), "ace@police.example".to_string()),
        ("Ana Lúcia".to_string(), "ana@example.org".to_string()),
        (String::new(), "anon@example.org".to_string()),
    ];
    first.last_modified = Some(ts("2026-01-14T08:05:09Z"));
    first.categories = vec!["Safety, Traffic".to_string(), "Youth; Schools".to_string(), "Parks".to_string()];
    let mut second = Event::new(
        "meeting-2@commonbeat.example",
        ts("2026-02-01T00:00:00Z"),
        datetime(2027, 11, 7, 1, 30, 0, 0),
        datetime(2027, 11, 7, 3, 0, 0, 0),
        "Cancelled walk",
    );
    second.status = EventStatus::Cancelled;
    cal.events = vec![first, second];
    cal
}

#[test]
fn round_trips_through_an_independent_parser() {
    let cal = chicago();
    let text = render(&cal);
    let parsed = parse(&text);

    assert_eq!(value(&parsed.properties, "VERSION"), "2.0");
    assert_eq!(value(&parsed.properties, "PRODID"), "-//CommonBeat//CommonBeat 0.1//EN");
    assert_eq!(value(&parsed.properties, "CALSCALE"), "GREGORIAN");
    assert_eq!(value(&parsed.properties, "METHOD"), "REQUEST");
    assert_eq!(unescape(value(&parsed.properties, "X-WR-CALNAME")), "Ward 3, North; meetings");
    assert_eq!(parsed.timezones.len(), 1);
    assert_eq!(value(&parsed.timezones[0].properties, "TZID"), "America/Chicago");
    assert_eq!(parsed.events.len(), 2);

    let e = event_props(&parsed.events[0]);
    let want = &cal.events[0];
    assert_eq!(unescape(value(e, "UID")), want.uid);
    assert_eq!(value(e, "SEQUENCE"), "3");
    assert_eq!(value(e, "DTSTAMP"), "20260115T123000Z");
    assert_eq!(value(e, "LAST-MODIFIED"), "20260114T080509Z");
    assert_eq!(value(e, "DTSTART"), "20260310T183000");
    assert_eq!(param(prop(e, "DTSTART"), "TZID"), ["America/Chicago"]);
    assert_eq!(value(e, "DTEND"), "20260310T200000");
    assert_eq!(param(prop(e, "DTEND"), "TZID"), ["America/Chicago"]);
    assert_eq!(unescape(value(e, "SUMMARY")), SUMMARY);
    assert_eq!(unescape(value(e, "DESCRIPTION")).trim_end(), want.description.as_deref().unwrap().trim_end());
    assert_eq!(unescape(value(e, "LOCATION")), "Library, Room 2; 100 Main St.");
    assert_eq!(value(e, "URL"), "https://commonbeat.example/meetings/1?a=1,2;b=3");
    assert_eq!(value(e, "STATUS"), "CONFIRMED");
    assert_eq!(value(e, "ORGANIZER"), "mailto:jane@example.org");
    assert_eq!(param(prop(e, "ORGANIZER"), "CN"), ["Doe, Jane"]);
    let attendees: Vec<_> = e.iter().filter(|p| p.name == "ATTENDEE").collect();
    assert_eq!(attendees.len(), 3);
    assert_eq!(param(attendees[0], "CN"), ["Sgt. Ace: Smith"]);
    assert_eq!(attendees[0].value.as_deref(), Some("mailto:ace@police.example"));
    assert_eq!(param(attendees[1], "CN"), ["Ana Lúcia"]);
    assert_eq!(attendees[2].params, None);
    assert_eq!(attendees[2].value.as_deref(), Some("mailto:anon@example.org"));
    assert_eq!(split_list(value(e, "CATEGORIES")), want.categories);

    let e = event_props(&parsed.events[1]);
    assert_eq!(value(e, "UID"), "meeting-2@commonbeat.example");
    assert_eq!(value(e, "SEQUENCE"), "0");
    assert_eq!(value(e, "STATUS"), "CANCELLED");
    assert_eq!(value(e, "DTSTART"), "20271107T013000");
    assert!(
        e.iter().all(|p| !["DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "CATEGORIES"].contains(&p.name.as_str()))
    );
}

#[test]
fn writes_quoted_params_and_escaped_text_literally() {
    let text = unfold(&render(&chicago()));
    assert!(text.contains("\r\nORGANIZER;CN=\"Doe, Jane\":mailto:jane@example.org\r\n"), "{text}");
    assert!(text.contains("\r\nATTENDEE;CN=\"Sgt. Ace: Smith\":mailto:ace@police.example\r\n"), "{text}");
    assert!(text.contains("\r\nATTENDEE;CN=Ana Lúcia:mailto:ana@example.org\r\n"), "{text}");
    assert!(text.contains("\r\nLOCATION:Library\\, Room 2\\; 100 Main St.\r\n"), "{text}");
    assert!(text.contains("\r\nCATEGORIES:Safety\\, Traffic,Youth\\; Schools,Parks\r\n"), "{text}");
    assert!(text.contains("\r\nDTSTART;TZID=America/Chicago:20260310T183000\r\n"), "{text}");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"), "{text}");
    assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"), "{text}");
    let vtimezone = text.find("BEGIN:VTIMEZONE").expect("has VTIMEZONE");
    assert!(vtimezone < text.find("BEGIN:VEVENT").expect("has VEVENT"));
}

#[test]
fn every_line_is_short_and_ends_with_crlf() {
    let mut cal = chicago();
    cal.events[0].description = Some("ééé—🚓, ;\\ ".repeat(40));
    cal.events[0].summary = "x".repeat(300);
    let text = render(&cal);
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.last(), Some(&""), "output ends with CRLF");
    assert!(lines.len() > 60, "long values were folded over many lines");
    for line in &lines[..lines.len() - 1] {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains(['\r', '\n']), "bare CR or LF in {line:?}");
    }
}

#[test]
fn method_and_name_are_omitted_when_unset() {
    let mut cal = chicago();
    cal.method = None;
    cal.name = None;
    let parsed = parse(&render(&cal));
    assert!(parsed.properties.iter().all(|p| p.name != "METHOD" && p.name != "X-WR-CALNAME"));

    cal.method = Some(Method::Cancel);
    assert_eq!(value(&parse(&render(&cal)).properties, "METHOD"), "CANCEL");
    cal.method = Some(Method::Publish);
    assert_eq!(value(&parse(&render(&cal)).properties, "METHOD"), "PUBLISH");
}

/// `(DAYLIGHT?, DTSTART, TZOFFSETFROM, TZOFFSETTO, TZNAME)` of each observance of the only VTIMEZONE.
fn observances_of(text: &str) -> Vec<(bool, String, String, String, String)> {
    let parsed = parse(text);
    assert_eq!(parsed.timezones.len(), 1);
    parsed.timezones[0]
        .transitions
        .iter()
        .map(|t| {
            let p = &t.properties;
            (
                matches!(t.transition, IcalTimeZoneTransitionType::DAYLIGHT),
                value(p, "DTSTART").to_string(),
                value(p, "TZOFFSETFROM").to_string(),
                value(p, "TZOFFSETTO").to_string(),
                value(p, "TZNAME").to_string(),
            )
        })
        .collect()
}

fn obs(daylight: bool, start: &str, from: &str, to: &str, name: &str) -> (bool, String, String, String, String) {
    (daylight, start.to_string(), from.to_string(), to.to_string(), name.to_string())
}

#[test]
fn chicago_vtimezone_has_the_transitions_around_the_events() {
    // Events in 2026 and 2027: observances from the one in force on 2025-01-01 through the end of 2028.
    let got = observances_of(&render(&chicago()));
    let want = vec![
        obs(false, "20241103T020000", "-0500", "-0600", "CST"),
        obs(true, "20250309T020000", "-0600", "-0500", "CDT"),
        obs(false, "20251102T020000", "-0500", "-0600", "CST"),
        obs(true, "20260308T020000", "-0600", "-0500", "CDT"),
        obs(false, "20261101T020000", "-0500", "-0600", "CST"),
        obs(true, "20270314T020000", "-0600", "-0500", "CDT"),
        obs(false, "20271107T020000", "-0500", "-0600", "CST"),
        obs(true, "20280312T020000", "-0600", "-0500", "CDT"),
        obs(false, "20281105T020000", "-0500", "-0600", "CST"),
    ];
    assert_eq!(got, want);
}

#[test]
fn zone_without_transitions_gets_one_standard_observance() {
    let mut cal = chicago();
    cal.time_zone = TimeZone::UTC;
    cal.time_zone_name = "UTC".to_string();
    let text = render(&cal);
    assert_eq!(observances_of(&text), vec![obs(false, "19700101T000000", "+0000", "+0000", "UTC")]);
    assert!(unfold(&text).contains("\r\nDTSTART;TZID=UTC:20260310T183000\r\n"));

    // Tokyo has had no transition since 1951.
    let mut cal = chicago();
    cal.time_zone = TimeZone::get("Asia/Tokyo").unwrap();
    cal.time_zone_name = "Asia/Tokyo".to_string();
    assert_eq!(observances_of(&render(&cal)), vec![obs(false, "19700101T000000", "+0900", "+0900", "JST")]);

    let mut cal = chicago();
    cal.time_zone = TimeZone::fixed(Offset::from_seconds(-(4 * 3600 + 56 * 60 + 2)).unwrap());
    cal.time_zone_name = "Custom/Fixed".to_string();
    let got = observances_of(&render(&cal));
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].1.as_str(), got[0].2.as_str(), got[0].3.as_str()), ("19700101T000000", "-045602", "-045602"));
}

#[test]
fn southern_hemisphere_and_half_hour_zones() {
    let mut cal = chicago();
    cal.time_zone = TimeZone::get("Australia/Adelaide").unwrap();
    cal.time_zone_name = "Australia/Adelaide".to_string();
    cal.events.truncate(1); // 2026 only: window 2025..=2027
    let got = observances_of(&render(&cal));
    assert!(got.contains(&obs(false, "20260405T030000", "+1030", "+0930", "ACST")), "{got:?}");
    assert!(got.contains(&obs(true, "20261004T020000", "+0930", "+1030", "ACDT")), "{got:?}");
    assert_eq!(got.first().map(|o| o.1.as_str()), Some("20241006T020000"));
    assert_eq!(got.last().map(|o| o.1.as_str()), Some("20271003T020000"));
}

#[test]
fn empty_calendar_describes_the_current_year() {
    let mut cal = chicago();
    cal.events.clear();
    let text = render(&cal);
    let year = TimeZone::get("America/Chicago").unwrap().to_datetime(Timestamp::now()).year();
    let got = observances_of(&text);
    assert!(got.iter().any(|o| o.0 && o.1.starts_with(&format!("{year}03"))), "{got:?}");
    assert!(got.iter().any(|o| !o.0 && o.1.starts_with(&format!("{year}11"))), "{got:?}");
    assert!(got.iter().all(|o| o.1[..4].parse::<i16>().unwrap() >= year - 1));
    assert!(parse(&text).events.is_empty());
}

#[test]
fn offsets_are_formatted_with_sign_and_optional_seconds() {
    let f = |s: i32| format_offset(Offset::from_seconds(s).unwrap());
    assert_eq!(f(0), "+0000");
    assert_eq!(f(-6 * 3600), "-0600");
    assert_eq!(f(5 * 3600 + 45 * 60), "+0545");
    assert_eq!(f(-(3600 + 2)), "-010002");
    assert_eq!(f(-30 * 60), "-0030");
}

#[test]
fn utc_times_drop_subseconds() {
    assert_eq!(format_utc(ts("2026-07-04T23:59:58.999Z")), "20260704T235958Z");
    assert_eq!(format_local(datetime(2026, 1, 2, 3, 4, 5, 600)), "20260102T030405");
}

#[test]
fn escape_text_examples() {
    assert_eq!(escape_text("a\\b;c,d\ne\r\nf\u{7}g\th\u{7f}\u{85}i"), "a\\\\b\\;c\\,d\\ne\\nfg\thi");
    assert_eq!(escape_text("Ünal ☕ 🚓"), "Ünal ☕ 🚓");
    assert_eq!(escape_text(""), "");
}

#[test]
fn fold_line_examples() {
    let a75 = "a".repeat(75);
    assert_eq!(fold_line(&a75), a75);
    assert_eq!(fold_line(&"a".repeat(76)), format!("{a75}\r\n a"));
    assert_eq!(fold_line(&"a".repeat(75 + 74 + 1)), format!("{a75}\r\n {}\r\n a", "a".repeat(74)));
    // A two-octet character that would straddle octet 75 moves to the next line whole.
    let s = format!("{}é", "a".repeat(74));
    assert_eq!(fold_line(&s), format!("{}\r\n é", "a".repeat(74)));
    // Whitespace before a break is carried over so no physical line ends with it.
    let s = format!("{} {}", "a".repeat(74), "b".repeat(5));
    assert_eq!(fold_line(&s), format!("{}\r\n  bbbbb", "a".repeat(74)));
    // A line that is all whitespace still folds.
    let spaces = " ".repeat(80);
    assert_eq!(unfold(&fold_line(&spaces)), spaces);
    assert_eq!(fold_line(""), "");
}

/// Strings as `escape_text` leaves them, minus escaping: control characters other than LF and HTAB removed.
fn printable(s: &str) -> String {
    s.chars().filter(|&c| c == '\n' || c == '\t' || !c.is_control()).collect()
}

proptest! {
    #[test]
    fn fold_line_unfolds_to_its_input(s in "[^\r\n]{0,400}") {
        let folded = fold_line(&s);
        prop_assert_eq!(unfold(&folded), s.clone());
        for line in folded.split("\r\n") {
            prop_assert!(line.len() <= 75, "{} octets: {:?}", line.len(), line);
            prop_assert!(!line.contains(['\r', '\n']));
        }
        for line in folded.split("\r\n").skip(1) {
            prop_assert!(line.starts_with(' '));
        }
    }

    #[test]
    fn fold_line_breaks_long_ascii_lines(s in "[ -~]{76,300}") {
        prop_assert!(fold_line(&s).contains("\r\n "));
    }

    #[test]
    fn escape_then_unescape_round_trips(s in any::<String>()) {
        let escaped = escape_text(&s);
        prop_assert!(escaped.chars().all(|c| c == '\t' || !c.is_control()), "{:?}", escaped);
        prop_assert_eq!(unescape(&escaped), printable(&s));
    }

    #[test]
    fn arbitrary_summaries_round_trip_through_the_parser(s in "[^\\s:\\pC]\\PC{0,150}[^\\s\\pC]") {
        let mut cal = chicago();
        cal.events[0].summary = s.clone();
        let parsed = parse(&render(&cal));
        prop_assert_eq!(unescape(value(&parsed.events[0].properties, "SUMMARY")), printable(&s));
    }
}
