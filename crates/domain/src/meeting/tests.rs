use super::*;
use jiff::civil::{date, datetime};
use proptest::prelude::*;

fn item(key: &str, title: &str, minutes: u16) -> AgendaItem {
    AgendaItem { key: key.into(), title: title.into(), notes: String::new(), minutes }
}

#[test]
fn formats_round_trip_and_name_bad_values() {
    for f in Format::ALL {
        assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        assert_eq!(f.to_string(), f.as_str());
    }
    assert_eq!(" Hybrid ".parse::<Format>(), Ok(Format::Hybrid));
    let err = "zoom".parse::<Format>().unwrap_err();
    assert_eq!(err, UnknownFormat("zoom".into()));
    assert!(err.to_string().contains("\"zoom\""));
    assert_eq!(serde_json::to_string(&Format::InPerson).unwrap(), "\"in_person\"");
}

#[test]
fn formats_say_what_they_need() {
    assert!(Format::InPerson.needs_place() && !Format::InPerson.needs_link());
    assert!(!Format::Online.needs_place() && Format::Online.needs_link());
    assert!(Format::Hybrid.needs_place() && Format::Hybrid.needs_link());
}

#[test]
fn meeting_statuses_round_trip_and_name_bad_values() {
    for s in MeetingStatus::ALL {
        assert_eq!(s.as_str().parse::<MeetingStatus>(), Ok(s));
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
    }
    let err = "postponed".parse::<MeetingStatus>().unwrap_err();
    assert!(err.to_string().contains("\"postponed\""));
}

#[test]
fn caps_agenda_is_in_order_with_stable_keys() {
    let sections = caps_default_agenda();
    assert_eq!(
        sections,
        vec![
            AgendaSection::Welcome,
            AgendaSection::ProgressReport,
            AgendaSection::CrimeConditions,
            AgendaSection::Strategies,
            AgendaSection::NextSteps
        ]
    );
    let keys: Vec<_> = sections.iter().map(|s| s.key()).collect();
    assert_eq!(keys, ["welcome", "progress", "conditions", "strategies", "next"]);
    for s in sections {
        assert_eq!(AgendaSection::from_key(s.key()), Some(s));
        assert!(s.default_minutes() > 0);
    }
    assert_eq!(AgendaSection::from_key("other"), None);
    let total: u32 = AgendaSection::ALL.iter().map(|s| u32::from(s.default_minutes())).sum();
    assert_eq!(total, 90);
}

#[test]
fn default_agenda_builds_with_localised_titles() {
    let agenda = Agenda::caps_default(|s| format!("t:{}", s.key())).unwrap();
    assert_eq!(agenda.items().len(), 5);
    assert_eq!(agenda.items()[1], item("progress", "t:progress", 20));
    assert_eq!(agenda.total_minutes(), 90);
}

#[test]
fn agenda_accepts_valid_items_and_trims_titles() {
    let a = Agenda::new(vec![item("welcome", "  Hello  ", 10), item("custom-1_a", "Graffiti", 0)]).unwrap();
    assert_eq!(a.items()[0].title, "Hello");
    assert_eq!(a.total_minutes(), 10);
    assert!(Agenda::new(vec![]).unwrap().is_empty());
}

#[test]
fn agenda_names_item_and_field() {
    let e = Agenda::new(vec![item("welcome", "Hi", 5), item("x", "   ", 5)]).unwrap_err();
    assert_eq!(e, AgendaError::EmptyTitle { item: 2 });
    assert_eq!((e.item(), e.field()), (Some(2), "title"));
    assert!(e.to_string().starts_with("item 2:"));

    let long = "é".repeat(201);
    let e = Agenda::new(vec![item("a", &long, 5)]).unwrap_err();
    assert_eq!(e, AgendaError::TitleTooLong { item: 1, chars: 201 });
    assert!(Agenda::new(vec![item("a", &"é".repeat(200), 5)]).is_ok());

    let e = Agenda::new(vec![item("a", "x", 1), item("a", "x", 1), item("Bad Key", "x", 1)]).unwrap_err();
    assert_eq!((e.item(), e.field()), (Some(3), "key"));
    assert_eq!(Agenda::new(vec![item("", "x", 1)]).unwrap_err().field(), "key");
    assert_eq!(Agenda::new(vec![item(&"k".repeat(65), "x", 1)]).unwrap_err().field(), "key");

    let e = Agenda::new(vec![item("a", "two\nlines", 1)]).unwrap_err();
    assert_eq!(e, AgendaError::TitleControlCharacters { item: 1 });

    let mut notes = item("a", "x", 1);
    notes.notes = "n".repeat(2001);
    assert_eq!(Agenda::new(vec![notes]).unwrap_err(), AgendaError::NotesTooLong { item: 1, chars: 2001 });
}

#[test]
fn agenda_item_limit_is_forty() {
    let items = |n: usize| (0..n).map(|i| item("i", &format!("Item {i}"), 1)).collect::<Vec<_>>();
    assert!(Agenda::new(items(40)).is_ok());
    let e = Agenda::new(items(41)).unwrap_err();
    assert_eq!(e, AgendaError::TooManyItems { count: 41 });
    assert_eq!((e.item(), e.field()), (None, "items"));
}

#[test]
fn agenda_duration_limit_is_eight_hours() {
    assert!(Agenda::new(vec![item("a", "x", 240), item("b", "y", 240)]).is_ok());
    let e =
        Agenda::new(vec![item("a", "x", 240), item("b", "y", 240), item("c", "z", 1), item("d", "w", 9)]).unwrap_err();
    assert_eq!(e, AgendaError::TooLong { item: 3, total_minutes: 490 });
    assert_eq!(e.field(), "minutes");
    // u16::MAX minutes in one item must not overflow.
    let e = Agenda::new(vec![item("a", "x", u16::MAX), item("b", "y", u16::MAX)]).unwrap_err();
    assert_eq!(e, AgendaError::TooLong { item: 1, total_minutes: 2 * u32::from(u16::MAX) });
}

#[test]
fn agenda_serde_validates() {
    let a = Agenda::caps_default(|s| s.key().to_uppercase()).unwrap();
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.starts_with('['));
    assert_eq!(serde_json::from_str::<Agenda>(&json).unwrap(), a);
    let bad = r#"[{"key":"a","title":" ","notes":"","minutes":1}]"#;
    assert!(serde_json::from_str::<Agenda>(bad).unwrap_err().to_string().contains("item 1: title is empty"));
}

#[test]
fn meeting_times_need_end_after_start_and_at_most_twelve_hours() {
    let start = datetime(2025, 3, 4, 18, 30, 0, 0);
    let t = MeetingTimes::new(start, datetime(2025, 3, 4, 20, 0, 0, 0)).unwrap();
    assert_eq!((t.start(), t.end(), t.minutes()), (start, datetime(2025, 3, 4, 20, 0, 0, 0), 90));
    assert_eq!(MeetingTimes::new(start, start), Err(MeetingTimesError::EndNotAfterStart));
    assert_eq!(MeetingTimes::new(start, datetime(2025, 3, 4, 18, 29, 0, 0)), Err(MeetingTimesError::EndNotAfterStart));
    // Exactly twelve hours, across midnight, is allowed; one second more is not.
    assert_eq!(MeetingTimes::new(start, datetime(2025, 3, 5, 6, 30, 0, 0)).unwrap().minutes(), 720);
    assert_eq!(
        MeetingTimes::new(start, datetime(2025, 3, 5, 6, 30, 1, 0)),
        Err(MeetingTimesError::TooLong { minutes: 720 })
    );
    // Across a leap day.
    let t = MeetingTimes::new(datetime(2024, 2, 28, 22, 0, 0, 0), datetime(2024, 2, 29, 1, 0, 0, 0)).unwrap();
    assert_eq!(t.minutes(), 180);
}

#[test]
fn venue_needs_what_the_format_needs() {
    assert_eq!(validate_meeting(Format::InPerson, Some("Library, 2nd floor"), None), Ok(()));
    assert_eq!(
        validate_meeting(Format::InPerson, Some("  "), None),
        Err(vec![VenueError::Missing { field: "place", format: Format::InPerson }])
    );
    assert_eq!(validate_meeting(Format::Online, None, Some("https://meet.example.org/beat-1432")), Ok(()));
    let e = validate_meeting(Format::Online, Some("Library"), None).unwrap_err();
    assert_eq!(e, vec![VenueError::Missing { field: "link", format: Format::Online }]);
    assert_eq!(e[0].to_string(), "a meeting of format online needs a link");
    let e = validate_meeting(Format::Hybrid, None, None).unwrap_err();
    assert_eq!(e.iter().map(VenueError::field).collect::<Vec<_>>(), ["place", "link"]);
    assert_eq!(validate_meeting(Format::Hybrid, Some("Park"), Some("http://example.org")), Ok(()));
}

#[test]
fn links_must_be_web_addresses() {
    for ok in ["https://a.example", "http://a.example/x?y=1", "HTTPS://A.EXAMPLE", " https://a.example "] {
        assert_eq!(validate_meeting(Format::Online, None, Some(ok)), Ok(()), "{ok}");
    }
    for bad in ["a.example", "ftp://a.example", "https://", "https:///path", "javascript:alert(1)", "https://a b"] {
        let e = validate_meeting(Format::Online, None, Some(bad)).unwrap_err();
        assert_eq!(e, vec![VenueError::BadLink { link: bad.trim().to_string() }], "{bad}");
    }
    // A link given to an in-person meeting is still checked.
    assert_eq!(validate_meeting(Format::InPerson, Some("Park"), Some("www.x")).unwrap_err().len(), 1);
}

#[test]
fn venue_fields_have_length_limits() {
    let place = "p".repeat(301);
    let e = validate_meeting(Format::InPerson, Some(&place), None).unwrap_err();
    assert_eq!(e, vec![VenueError::TooLong { field: "place", chars: 301, max: 300 }]);
    let link = format!("https://{}", "a".repeat(2000));
    assert_eq!(validate_meeting(Format::Online, None, Some(&link)).unwrap_err()[0].field(), "link");
}

fn count(pm: u32, cm: u32, pw: u32, cw: u32) -> AttendanceCount {
    AttendanceCount { police_members: pm, community_members: cm, police_walk_ins: pw, community_walk_ins: cw }
}

#[test]
fn attendance_counts_by_side() {
    let c = count(2, 10, 1, 7);
    assert_eq!(c.total(), 20);
    assert_eq!(c.by_side(Side::Police), 3);
    assert_eq!(c.by_side(Side::Community), 17);
    assert_eq!(c.community_share(), Some(0.85));
    assert_eq!(AttendanceCount::default().community_share(), None);
    let big = count(u32::MAX, u32::MAX, u32::MAX, u32::MAX);
    assert_eq!(big.total(), 4 * u64::from(u32::MAX));
}

#[test]
fn imbalance_rule() {
    // Typical CAPS room: few officers, many residents.
    assert_eq!(count(2, 15, 1, 10).imbalance(), None);
    // Exactly half community is fine.
    assert_eq!(count(3, 3, 0, 0).imbalance(), None);
    assert_eq!(count(4, 3, 0, 0).imbalance(), Some(Imbalance::CommunityMinority));
    assert_eq!(count(0, 12, 0, 5).imbalance(), Some(Imbalance::NoPolice));
    // Police walk-ins count as police presence.
    assert_eq!(count(0, 12, 1, 0).imbalance(), None);
    assert_eq!(count(0, 0, 0, 0).imbalance(), None);
    assert!(!AttendanceCount::default().unbalanced());
    assert_eq!(Imbalance::NoPolice.as_str(), "no_police");
}

#[test]
fn trend_sorts_and_flags() {
    let trend = AttendanceTrend::new([
        (date(2025, 3, 1), count(1, 10, 0, 0)),
        (date(2025, 1, 1), count(5, 2, 0, 0)),
        (date(2025, 2, 1), count(0, 8, 0, 0)),
    ]);
    let dates: Vec<_> = trend.meetings().iter().map(|m| m.date).collect();
    assert_eq!(dates, [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]);
    let flags: Vec<_> = trend.meetings().iter().map(|m| m.unbalanced).collect();
    assert_eq!(flags, [true, true, false]);
    assert_eq!(trend.meetings()[0].community_share, Some(2.0 / 7.0));
    assert_eq!(trend.meetings()[1].imbalance, Some(Imbalance::NoPolice));
    let json = serde_json::to_value(&trend).unwrap();
    assert_eq!(json["meetings"][0]["date"], "2025-01-01");
}

#[test]
fn representation_alert_needs_the_last_three_flagged() {
    let bad = count(0, 5, 0, 0);
    let good = count(1, 5, 0, 0);
    let d = |m| date(2025, m, 1);
    let alert = |v: Vec<(civil::Date, AttendanceCount)>| AttendanceTrend::new(v).representation_alert(3);
    assert!(alert(vec![(d(1), good), (d(2), bad), (d(3), bad), (d(4), bad)]));
    assert!(!alert(vec![(d(1), bad), (d(2), bad), (d(3), bad), (d(4), good)]));
    assert!(!alert(vec![(d(1), bad), (d(2), bad)]));
    assert!(!alert(vec![]));
    // Unrecorded (zero) meetings are skipped rather than breaking or completing the run.
    assert!(alert(vec![(d(1), bad), (d(2), bad), (d(3), AttendanceCount::default()), (d(4), bad)]));
    assert!(!alert(vec![(d(1), bad), (d(2), AttendanceCount::default()), (d(3), bad)]));
    // Input order does not matter: the latest dates decide.
    assert!(!alert(vec![(d(6), good), (d(2), bad), (d(3), bad), (d(4), bad)]));
    assert!(!AttendanceTrend::new(vec![(d(1), bad)]).representation_alert(0));
    assert!(AttendanceTrend::new(vec![(d(1), bad)]).representation_alert(1));
    assert_eq!(REPRESENTATION_ALERT_MEETINGS, 3);
}

proptest! {
    #[test]
    fn share_is_a_fraction_and_sides_add_up(pm in 0u32..1000, cm in 0u32..1000, pw in 0u32..1000, cw in 0u32..1000) {
        let c = count(pm, cm, pw, cw);
        prop_assert_eq!(c.by_side(Side::Police) + c.by_side(Side::Community), c.total());
        match c.community_share() {
            None => prop_assert_eq!(c.total(), 0),
            Some(s) => {
                prop_assert!((0.0..=1.0).contains(&s));
                prop_assert_eq!(c.unbalanced(), s < MIN_COMMUNITY_SHARE || pm + pw == 0);
            }
        }
    }

    #[test]
    fn agenda_within_limits_is_accepted(minutes in proptest::collection::vec(0u16..=12, 0..=40)) {
        let items: Vec<_> = minutes.iter().enumerate().map(|(i, m)| item("k", &format!("Item {i}"), *m)).collect();
        let a = Agenda::new(items).unwrap();
        prop_assert_eq!(a.total_minutes(), minutes.iter().map(|m| u32::from(*m)).sum::<u32>());
    }

    #[test]
    fn venue_errors_match_format_needs(f in 0usize..3, place in proptest::option::of("[a-z ]{0,5}"), https in any::<bool>()) {
        let format = Format::ALL[f];
        let link = https.then_some("https://x.example");
        let errs = validate_meeting(format, place.as_deref(), link).err().unwrap_or_default();
        let place_missing = place.as_deref().is_none_or(|p| p.trim().is_empty());
        prop_assert_eq!(errs.iter().any(|e| e.field() == "place"), format.needs_place() && place_missing);
        prop_assert_eq!(errs.iter().any(|e| e.field() == "link"), format.needs_link() && !https);
    }
}
