use super::evaluate::{median, trailing_declines};
use super::*;
use proptest::prelude::*;

fn healthy() -> Facts {
    Facts {
        status: "active".into(),
        expected_meetings: 6.0,
        meetings_held: 6,
        recent_community_attendance: vec![14, 12, 15, 16, 13, 17],
        attendance: SidePair { police: 30, community: 80 },
        promises_due: SidePair { police: 10, community: 8 },
        promises_kept: SidePair { police: 9, community: 7 },
        decisions_closed: 3,
        participation: SidePair { police: Some(0.8), community: Some(0.6) },
        problem_stage_days: vec![("response".into(), 40), ("analysis".into(), 12)],
        seats: vec![
            SeatFact { seat: "police_cochair".into(), vacant_days: None, term_ends_in_days: Some(200) },
            SeatFact { seat: "community_cochair".into(), vacant_days: None, term_ends_in_days: Some(300) },
        ],
        under_represented: vec![],
        members_active: 24,
        members_left: 2,
        report_response_days: vec![2.0, 3.0, 5.0],
        reports_waiting_days: vec![],
        trust: Some(TrustFact { latest: (64.0, 60.0, 68.0), previous: Some((62.0, 58.0, 66.0)) }),
    }
}

fn get(signals: &[Signal], key: SignalKey) -> &Signal {
    signals.iter().find(|s| s.key == key).expect("signal present")
}

#[test]
fn a_healthy_partnership_is_ok_everywhere() {
    let s = evaluate(&healthy(), &Thresholds::default());
    assert_eq!(s.len(), SignalKey::ALL.len());
    for sig in &s {
        assert_eq!(sig.level, Level::Ok, "{:?}", sig);
        assert_eq!(sig.suggestion, None);
    }
    assert_eq!(worst(&s), Level::Ok);
}

#[test]
fn expected_meetings_follow_cadence_and_age() {
    assert_eq!(expected_meetings(30, 1000), 6.0);
    assert_eq!(expected_meetings(14, 1000), 12.0);
    assert_eq!(expected_meetings(30, 65), 2.0);
    assert_eq!(expected_meetings(30, 10), 0.0);
    assert_eq!(expected_meetings(0, 1000), 0.0);
}

#[test]
fn meetings_behind_cadence_alert_with_a_suggestion() {
    let mut f = healthy();
    f.meetings_held = 2;
    let s = evaluate(&f, &Thresholds::default());
    let m = get(&s, SignalKey::Meetings);
    assert_eq!(m.level, Level::Alert);
    assert_eq!(m.suggestion, Some(Suggestion::ScheduleMeeting));
    assert!((m.value.unwrap() - 2.0 / 6.0).abs() < 1e-12);
    f.meetings_held = 4;
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Meetings).level, Level::Watch);
    f.expected_meetings = 0.0;
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Meetings).level, Level::NoData);
}

#[test]
fn three_falls_in_community_attendance_suggest_a_time_poll() {
    assert_eq!(trailing_declines(&[10, 12, 11, 9, 7]), 3);
    assert_eq!(trailing_declines(&[10, 9, 9]), 0);
    let mut f = healthy();
    f.recent_community_attendance = vec![18, 20, 15, 11, 8];
    let s = evaluate(&f, &Thresholds::default());
    let a = get(&s, SignalKey::CommunityAttendance);
    assert_eq!(a.level, Level::Alert);
    assert_eq!(a.suggestion, Some(Suggestion::RunTimePoll));
    assert_eq!(a.measures["from"], 20.0);
    assert_eq!(a.measures["last"], 8.0);
    f.recent_community_attendance = vec![18, 20, 15, 11];
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::CommunityAttendance).level, Level::Watch);
}

#[test]
fn promises_judge_the_weaker_side_only_with_enough_due() {
    let mut f = healthy();
    f.promises_kept.community = 3;
    let s = evaluate(&f, &Thresholds::default());
    let p = get(&s, SignalKey::PromisesKept);
    assert_eq!(p.level, Level::Alert);
    assert!((p.value.unwrap() - 3.0 / 8.0).abs() < 1e-12);
    f.promises_due = SidePair { police: 2, community: 2 };
    f.promises_kept = SidePair { police: 0, community: 0 };
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::PromisesKept).level, Level::NoData);
}

#[test]
fn a_seat_vacant_for_thirty_days_calls_for_an_election() {
    let mut f = healthy();
    f.seats[1] = SeatFact { seat: "community_cochair".into(), vacant_days: Some(45), term_ends_in_days: None };
    let s = evaluate(&f, &Thresholds::default());
    let l = get(&s, SignalKey::Leadership);
    assert_eq!((l.level, l.suggestion), (Level::Alert, Some(Suggestion::StartElection)));
    f.seats[1].vacant_days = Some(5);
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Leadership).level, Level::Watch);
    f.seats[1] = SeatFact { seat: "community_cochair".into(), vacant_days: None, term_ends_in_days: Some(20) };
    let l = evaluate(&f, &Thresholds::default());
    assert_eq!(get(&l, SignalKey::Leadership).suggestion, Some(Suggestion::PlanHandover));
}

#[test]
fn waiting_reports_count_with_their_age() {
    let mut f = healthy();
    f.reports_waiting_days = vec![40.0, 50.0, 60.0, 70.0];
    let r = evaluate(&f, &Thresholds::default());
    let r = get(&r, SignalKey::Reports);
    assert_eq!(r.level, Level::Alert);
    assert_eq!(r.measures["median_days"], 40.0);
    assert_eq!(median(&[1.0, 3.0]), Some(2.0));
    assert_eq!(median(&[]), None);
}

#[test]
fn trust_alerts_only_on_a_drop_beyond_the_intervals() {
    let mut f = healthy();
    f.trust = Some(TrustFact { latest: (55.0, 52.0, 58.0), previous: Some((66.0, 63.0, 69.0)) });
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Trust).level, Level::Alert);
    f.trust = Some(TrustFact { latest: (60.0, 55.0, 65.0), previous: Some((64.0, 61.0, 67.0)) });
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Trust).level, Level::Ok);
    f.trust = Some(TrustFact { latest: (45.0, 40.0, 50.0), previous: None });
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Trust).level, Level::Watch);
}

#[test]
fn closed_partnerships_have_nothing_to_judge() {
    let mut f = healthy();
    f.status = "closed".into();
    f.meetings_held = 0;
    let s = evaluate(&f, &Thresholds::default());
    assert!(s.iter().all(|s| s.level == Level::NoData));
    assert_eq!(worst(&s), Level::NoData);
}

#[test]
fn a_forming_partnership_is_watched_not_alarmed() {
    let mut f = healthy();
    f.status = "forming".into();
    f.meetings_held = 0;
    let s = evaluate(&f, &Thresholds::default());
    let m = get(&s, SignalKey::Meetings);
    assert_eq!((m.level, m.suggestion), (Level::Watch, Some(Suggestion::ScheduleMeeting)));
    assert_eq!(worst(&s), Level::Watch);
}

#[test]
fn an_active_partnership_without_problems_is_watched() {
    let mut f = healthy();
    f.problem_stage_days.clear();
    let s = evaluate(&f, &Thresholds::default());
    assert_eq!(get(&s, SignalKey::Problems).level, Level::Watch);
    f.problem_stage_days = vec![("analysis".into(), 200)];
    assert_eq!(get(&evaluate(&f, &Thresholds::default()), SignalKey::Problems).level, Level::Alert);
}

#[test]
fn thresholds_parse_with_defaults_and_name_the_bad_field() {
    let t = Thresholds::parse(r#"{"meetings_watch": 0.9}"#).unwrap();
    assert_eq!(t.meetings_watch, 0.9);
    assert_eq!(t.promises_alert, Thresholds::default().promises_alert);
    let e = Thresholds::parse(r#"{"meetings_alert": 0.95}"#).unwrap_err();
    assert_eq!(e.field, "meetings_alert");
    let e = Thresholds::parse(r#"{"churn_watch": 1.5}"#).unwrap_err();
    assert_eq!(e.field, "churn_watch");
    let e = Thresholds::parse(r#"{"no_such": 1}"#).unwrap_err();
    assert!(e.reason.contains("no_such"), "{}", e.reason);
    assert!(Thresholds::default().validate().is_ok());
}

#[test]
fn identifiers_round_trip() {
    for k in SignalKey::ALL {
        assert_eq!(SignalKey::parse(k.as_str()), Some(k));
    }
    for l in [Level::NoData, Level::Ok, Level::Watch, Level::Alert] {
        assert_eq!(Level::parse(l.as_str()), Some(l));
    }
}

proptest! {
    /// Holding more meetings never makes the meetings signal worse.
    #[test]
    fn more_meetings_never_worse(held in 0u32..20, extra in 0u32..5, expected in 1u32..12) {
        let mut f = healthy();
        f.expected_meetings = f64::from(expected);
        f.meetings_held = held;
        let t = Thresholds::default();
        let a = get(&evaluate(&f, &t), SignalKey::Meetings).level;
        f.meetings_held = held + extra;
        let b = get(&evaluate(&f, &t), SignalKey::Meetings).level;
        prop_assert!(b <= a);
    }

    /// Keeping one more promise never makes the promises signal worse; swapping sides changes nothing.
    #[test]
    fn promises_monotone_and_side_symmetric(due_p in 0u32..15, due_c in 0u32..15, kp in 0u32..15, kc in 0u32..15) {
        let t = Thresholds::default();
        let mut f = healthy();
        f.promises_due = SidePair { police: due_p, community: due_c };
        f.promises_kept = SidePair { police: kp.min(due_p), community: kc.min(due_c) };
        let a = get(&evaluate(&f, &t), SignalKey::PromisesKept).clone();
        let mut swapped = f.clone();
        swapped.promises_due = SidePair { police: due_c, community: due_p };
        swapped.promises_kept = SidePair { police: f.promises_kept.community, community: f.promises_kept.police };
        let b = get(&evaluate(&swapped, &t), SignalKey::PromisesKept).clone();
        prop_assert_eq!(a.level, b.level);
        prop_assert_eq!(a.value, b.value);
        if f.promises_kept.police < due_p {
            let mut better = f.clone();
            better.promises_kept.police += 1;
            let c = get(&evaluate(&better, &t), SignalKey::PromisesKept).level;
            prop_assert!(c <= a.level || a.level == Level::NoData);
        }
    }

    /// Every Watch or Alert comes with a suggestion; Ok and NoData never do.
    #[test]
    fn suggestions_exactly_when_needed(held in 0u32..8, left in 0u32..20, vac in proptest::option::of(0i64..90)) {
        let mut f = healthy();
        f.meetings_held = held;
        f.members_left = left;
        f.seats[0].vacant_days = vac;
        for s in evaluate(&f, &Thresholds::default()) {
            prop_assert_eq!(s.suggestion.is_some(), matches!(s.level, Level::Watch | Level::Alert));
        }
    }
}
