use super::*;
use CommitmentStatus::{Done, Dropped, InProgress, Open};
use jiff::civil::date;
use proptest::prelude::*;

#[test]
fn statuses_round_trip_and_name_bad_values() {
    for s in CommitmentStatus::ALL {
        assert_eq!(s.as_str().parse::<CommitmentStatus>(), Ok(s));
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
    }
    assert_eq!(" In_Progress ".parse::<CommitmentStatus>(), Ok(InProgress));
    let err = "closed".parse::<CommitmentStatus>().unwrap_err();
    assert_eq!(err, UnknownCommitmentStatus("closed".into()));
    assert!(err.to_string().contains("\"closed\""));
    assert!(Open.is_active() && InProgress.is_active() && !Done.is_active() && !Dropped.is_active());
}

#[test]
fn owners_carry_a_side_only_for_people() {
    assert_eq!(Owner::Person { side: Side::Police }.side(), Some(Side::Police));
    assert_eq!(Owner::Person { side: Side::Community }.kind(), OwnerKind::Person);
    assert_eq!(Owner::Organisation.side(), None);
    assert_eq!(Owner::Organisation.kind(), OwnerKind::Organisation);
    assert_eq!(
        Owner::from_parts(OwnerKind::Person, Some(Side::Community)),
        Ok(Owner::Person { side: Side::Community })
    );
    assert_eq!(Owner::from_parts(OwnerKind::Person, None), Err(OwnerError::PersonWithoutSide));
    assert_eq!(Owner::from_parts(OwnerKind::Organisation, None), Ok(Owner::Organisation));
    assert_eq!(
        Owner::from_parts(OwnerKind::Organisation, Some(Side::Police)),
        Err(OwnerError::OrganisationWithSide("police"))
    );
    for k in OwnerKind::ALL {
        assert_eq!(k.as_str().parse::<OwnerKind>(), Ok(k));
    }
    assert!("company".parse::<OwnerKind>().unwrap_err().to_string().contains("\"company\""));
    assert_eq!(
        serde_json::to_value(Owner::Person { side: Side::Police }).unwrap(),
        serde_json::json!({"kind": "person", "side": "police"})
    );
}

#[test]
fn allowed_transitions() {
    let allowed = [
        (Open, InProgress),
        (Open, Done),
        (Open, Dropped),
        (InProgress, Done),
        (InProgress, Dropped),
        (InProgress, Open),
        (Done, InProgress),
        (Dropped, Open),
    ];
    for from in CommitmentStatus::ALL {
        for to in CommitmentStatus::ALL {
            let got = transition(from, to, Some("because"));
            if from == to {
                assert_eq!(got, Err(TransitionError::SameStatus { status: from }));
            } else if allowed.contains(&(from, to)) {
                assert_eq!(got, Ok(()), "{from} -> {to}");
            } else {
                assert_eq!(got, Err(TransitionError::NotAllowed { from, to }), "{from} -> {to}");
            }
        }
    }
    // Done cannot be dropped nor go straight back to open; dropped cannot become done.
    assert!(transition(Done, Dropped, Some("x")).is_err());
    assert!(transition(Done, Open, None).is_err());
    assert!(transition(Dropped, Done, None).is_err());
}

#[test]
fn dropping_needs_a_short_reason() {
    assert_eq!(transition(Open, Dropped, None), Err(TransitionError::ReasonRequired));
    assert_eq!(transition(InProgress, Dropped, Some("  \n ")), Err(TransitionError::ReasonRequired));
    assert_eq!(transition(Open, Dropped, Some(&"é".repeat(500))), Ok(()));
    assert_eq!(transition(Open, Dropped, Some(&"é".repeat(501))), Err(TransitionError::ReasonTooLong { chars: 501 }));
    assert_eq!(transition(Open, Dropped, Some(&format!("  {}  ", "a".repeat(500)))), Ok(()));
    // Other moves need no reason, but one given is still bounded.
    assert_eq!(transition(Open, Done, None), Ok(()));
    assert_eq!(transition(Done, InProgress, Some("")), Ok(()));
    assert_eq!(
        transition(Done, InProgress, Some(&"a".repeat(501))),
        Err(TransitionError::ReasonTooLong { chars: 501 })
    );
    // Same status wins over a missing reason.
    assert_eq!(transition(Dropped, Dropped, None), Err(TransitionError::SameStatus { status: Dropped }));
    assert_eq!(TransitionError::ReasonRequired.to_string(), "dropping a commitment needs a reason");
}

#[test]
fn overdue_starts_the_day_after_the_due_date() {
    let due = date(2025, 6, 10);
    assert!(!is_overdue(Open, due, date(2025, 6, 9)));
    assert!(!is_overdue(Open, due, due));
    assert!(is_overdue(Open, due, date(2025, 6, 11)));
    assert!(is_overdue(InProgress, due, date(2025, 6, 11)));
    assert!(!is_overdue(Done, due, date(2025, 7, 1)));
    assert!(!is_overdue(Dropped, due, date(2025, 7, 1)));
    assert_eq!(days_overdue(Open, due, due), None);
    assert_eq!(days_overdue(Open, due, date(2025, 6, 11)), Some(1));
    assert_eq!(days_overdue(InProgress, due, date(2025, 7, 10)), Some(30));
    assert_eq!(days_overdue(Done, due, date(2025, 7, 10)), None);
    // Across a year end.
    assert_eq!(days_overdue(Open, date(2024, 12, 31), date(2025, 1, 2)), Some(2));
}

#[test]
fn overdue_counts_leap_days() {
    assert_eq!(days_overdue(Open, date(2024, 2, 28), date(2024, 3, 1)), Some(2));
    assert_eq!(days_overdue(Open, date(2023, 2, 28), date(2023, 3, 1)), Some(1));
    assert_eq!(days_overdue(Open, date(2024, 2, 29), date(2025, 2, 28)), Some(365));
    assert_eq!(days_overdue(Open, date(2024, 1, 1), date(2025, 1, 1)), Some(366));
    assert_eq!(days_overdue(Open, date(2100, 2, 28), date(2100, 3, 1)), Some(1));
    assert_eq!(days_overdue(Open, date(2000, 2, 28), date(2000, 3, 1)), Some(2));
}

#[test]
fn due_soon_is_a_closed_window_before_the_due_date() {
    let due = date(2025, 6, 10);
    assert!(due_soon(Open, due, date(2025, 6, 7), REMINDER_DAYS));
    assert!(!due_soon(Open, due, date(2025, 6, 6), REMINDER_DAYS));
    assert!(due_soon(InProgress, due, due, REMINDER_DAYS));
    assert!(!due_soon(Open, due, date(2025, 6, 11), REMINDER_DAYS));
    assert!(!due_soon(Done, due, date(2025, 6, 8), REMINDER_DAYS));
    assert!(!due_soon(Dropped, due, date(2025, 6, 8), REMINDER_DAYS));
    assert!(due_soon(Open, due, due, 0));
    assert!(!due_soon(Open, due, date(2025, 6, 9), 0));
    // Leap years: three days before 1 March is 27 Feb in 2024, 26 Feb in 2023.
    assert!(due_soon(Open, date(2024, 3, 1), date(2024, 2, 27), 3));
    assert!(!due_soon(Open, date(2024, 3, 1), date(2024, 2, 26), 3));
    assert!(due_soon(Open, date(2023, 3, 1), date(2023, 2, 26), 3));
    assert!(!due_soon(Open, date(2023, 3, 1), date(2023, 2, 25), 3));
}

fn fact(
    id: i64,
    side: Option<Side>,
    due: Date,
    status: CommitmentStatus,
    completed_on: Option<Date>,
) -> CommitmentFacts {
    CommitmentFacts { id, side, created_on: date(2025, 1, 1), due, status, completed_on }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-5
}

#[test]
fn wilson_matches_reference_values() {
    let (lo, hi) = wilson_interval(8, 10, Z_95).unwrap();
    assert!(close(lo, 0.4902) && close(hi, 0.9433), "{lo} {hi}");
    let (lo, hi) = wilson_interval(0, 10, Z_95).unwrap();
    assert!(lo == 0.0 && close(hi, 0.2775), "{lo} {hi}");
    let (lo, hi) = wilson_interval(10, 10, Z_95).unwrap();
    assert!(close(lo, 0.7225) && hi == 1.0, "{lo} {hi}");
    let (lo, hi) = wilson_interval(1, 2, Z_95).unwrap();
    assert!(close(lo, 0.0945) && close(hi, 0.9055), "{lo} {hi}");
    assert_eq!(wilson_interval(0, 0, Z_95), None);
    assert_eq!(wilson_interval(12, 10, Z_95), wilson_interval(10, 10, Z_95));
}

#[test]
fn rate_counts_each_outcome() {
    let end = date(2025, 6, 30);
    let due = date(2025, 6, 15);
    let facts = [
        fact(1, Some(Side::Police), due, Done, Some(date(2025, 6, 15))),
        fact(2, Some(Side::Police), due, Done, Some(date(2025, 6, 1))),
        fact(3, Some(Side::Community), due, Done, Some(date(2025, 6, 16))),
        fact(4, Some(Side::Community), due, Done, None),
        fact(5, Some(Side::Police), due, Dropped, None),
        fact(6, None, due, Open, None),
        fact(7, None, due, InProgress, None),
        fact(8, None, due, Done, Some(due)),
    ];
    let all = promises_kept(&facts, None, end, 30);
    assert_eq!((all.due, all.kept_on_time, all.kept_late, all.dropped, all.still_open), (8, 3, 2, 1, 2));
    assert_eq!(all.rate, Some(3.0 / 8.0));
    let (lo, hi) = all.wilson_95.unwrap();
    assert!(lo < 0.375 && 0.375 < hi);

    let police = promises_kept(&facts, Some(Side::Police), end, 30);
    assert_eq!((police.due, police.kept_on_time, police.dropped), (3, 2, 1));
    let community = promises_kept(&facts, Some(Side::Community), end, 30);
    assert_eq!((community.due, community.kept_on_time, community.kept_late), (2, 0, 2));
    assert_eq!(community.rate, Some(0.0));
}

#[test]
fn rate_window_is_open_at_the_start_and_closed_at_the_end() {
    let end = date(2025, 6, 30);
    let at = |d| [fact(1, None, d, Done, Some(d))];
    assert_eq!(promises_kept(&at(end), None, end, 30).due, 1);
    assert_eq!(promises_kept(&at(date(2025, 6, 1)), None, end, 30).due, 1);
    assert_eq!(promises_kept(&at(date(2025, 5, 31)), None, end, 30).due, 0);
    assert_eq!(promises_kept(&at(date(2025, 7, 1)), None, end, 30).due, 0);
    assert_eq!(promises_kept(&at(end), None, end, 1).due, 1);
    assert_eq!(promises_kept(&at(end), None, end, 0).due, 0);
    // Across a leap day: the two days ending 1 March 2024 are 29 Feb and 1 March.
    let end = date(2024, 3, 1);
    assert_eq!(promises_kept(&at(date(2024, 2, 29)), None, end, 2).due, 1);
    assert_eq!(promises_kept(&at(date(2024, 2, 28)), None, end, 2).due, 0);
    assert_eq!(promises_kept(&at(date(2023, 2, 28)), None, date(2023, 3, 1), 2).due, 1);
}

#[test]
fn nothing_due_gives_no_rate() {
    let r = promises_kept(&[], None, date(2025, 1, 1), 90);
    assert_eq!(r, KeptRate::default());
    assert_eq!((r.rate, r.wilson_95), (None, None));
    // An open commitment due today already counts (against the rate) until it is done.
    let today = date(2025, 1, 1);
    let r = promises_kept(&[fact(1, None, today, Open, None)], None, today, 90);
    assert_eq!((r.due, r.still_open, r.rate), (1, 1, Some(0.0)));
}

#[test]
fn timeline_outcomes_and_order() {
    let today = date(2025, 6, 30);
    let mut f = [
        fact(1, None, date(2025, 6, 10), Done, Some(date(2025, 6, 10))),
        fact(2, None, date(2025, 6, 10), Done, Some(date(2025, 6, 12))),
        fact(3, None, date(2025, 6, 10), Dropped, Some(date(2025, 6, 1))),
        fact(4, None, date(2025, 6, 30), Open, None),
        fact(5, None, date(2025, 6, 29), InProgress, None),
        fact(6, None, date(2025, 6, 10), Done, None),
    ];
    f[0].created_on = date(2025, 5, 1);
    f[1].created_on = date(2025, 6, 1);
    f[3].created_on = date(2025, 6, 1);
    let t = timeline(&f, today);
    let got: Vec<_> = t.iter().map(|e| (e.id, e.outcome)).collect();
    assert_eq!(
        got,
        [
            (4, Outcome::Open),
            (2, Outcome::KeptLate),
            (1, Outcome::Kept),
            (6, Outcome::KeptLate),
            (5, Outcome::Overdue),
            (3, Outcome::Dropped),
        ]
    );
    assert_eq!(t[1].said_on, date(2025, 6, 1));
    assert_eq!(t[1].completed_on, Some(date(2025, 6, 12)));
    // A stale completion date on a dropped commitment is not shown.
    assert_eq!(t[5].completed_on, None);
    let json = serde_json::to_value(t[1]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": 2, "said_on": "2025-06-01", "due": "2025-06-10", "completed_on": "2025-06-12",
            "outcome": "kept_late"})
    );
    assert_eq!(serde_json::to_value(t[0]).unwrap()["completed_on"], serde_json::Value::Null);
    assert!(timeline(&[], today).is_empty());
    assert_eq!(Outcome::KeptLate.as_str(), "kept_late");
}

fn arb_status() -> impl Strategy<Value = CommitmentStatus> {
    prop::sample::select(CommitmentStatus::ALL.to_vec())
}

fn arb_side() -> impl Strategy<Value = Option<Side>> {
    prop::sample::select(vec![None, Some(Side::Police), Some(Side::Community)])
}

prop_compose! {
    fn arb_fact()(id in 0i64..1000, side in arb_side(), created in -400i64..400, due in -400i64..400,
                  status in arb_status(), done in proptest::option::of(-400i64..400)) -> CommitmentFacts {
        let base = date(2024, 1, 1);
        let d = |n: i64| base.checked_add(jiff::Span::new().days(n)).unwrap();
        CommitmentFacts { id, side, created_on: d(created), due: d(due), status, completed_on: done.map(d) }
    }
}

proptest! {
    #[test]
    fn rate_is_consistent(facts in proptest::collection::vec(arb_fact(), 0..60), side in arb_side(),
                          end in -400i64..400, days in 0u32..500) {
        let end = date(2024, 1, 1).checked_add(jiff::Span::new().days(end)).unwrap();
        let r = promises_kept(&facts, side, end, days);
        prop_assert_eq!(r.kept_on_time + r.kept_late + r.dropped + r.still_open, r.due);
        match (r.rate, r.wilson_95) {
            (None, None) => prop_assert_eq!(r.due, 0),
            (Some(rate), Some((lo, hi))) => {
                prop_assert!((0.0..=1.0).contains(&rate));
                prop_assert!(0.0 <= lo && lo <= rate && rate <= hi && hi <= 1.0, "{} {} {}", lo, rate, hi);
            }
            other => prop_assert!(false, "rate and interval disagree: {:?}", other),
        }
        // Sides plus organisations make up the whole.
        if side.is_none() {
            let p = promises_kept(&facts, Some(Side::Police), end, days);
            let c = promises_kept(&facts, Some(Side::Community), end, days);
            prop_assert!(p.due + c.due <= r.due);
            prop_assert!(p.kept_on_time + c.kept_on_time <= r.kept_on_time);
        }
    }

    #[test]
    fn wilson_contains_the_estimate(k in 0u32..500, extra in 0u32..500) {
        let n = k + extra;
        prop_assume!(n > 0);
        let (lo, hi) = wilson_interval(k, n, Z_95).unwrap();
        let p = f64::from(k) / f64::from(n);
        prop_assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0);
        prop_assert!(lo < hi);
    }

    #[test]
    fn wilson_narrows_with_more_trials(k in 0u32..200, extra in 0u32..200, m in 2u32..20) {
        let n = k + extra;
        prop_assume!(n > 0);
        let (lo1, hi1) = wilson_interval(k, n, Z_95).unwrap();
        let (lo2, hi2) = wilson_interval(k * m, n * m, Z_95).unwrap();
        prop_assert!(hi2 - lo2 < hi1 - lo1, "n={} width {} vs n={} width {}", n, hi1 - lo1, n * m, hi2 - lo2);
    }

    #[test]
    fn overdue_and_due_soon_never_overlap(status in arb_status(), due in -60i64..60, within in 0u32..10) {
        let today = date(2024, 2, 29);
        let due = today.checked_add(jiff::Span::new().days(due)).unwrap();
        prop_assert!(!(is_overdue(status, due, today) && due_soon(status, due, today, within)));
        prop_assert_eq!(days_overdue(status, due, today).is_some(), is_overdue(status, due, today));
        if let Some(d) = days_overdue(status, due, today) {
            prop_assert!(d >= 1);
        }
    }

    #[test]
    fn transitions_are_reversible_paths(from in arb_status(), to in arb_status()) {
        // Every allowed move is listed in next(), and every status can get back to open.
        let ok = transition(from, to, Some("reason")).is_ok();
        prop_assert_eq!(ok, from.next().contains(&to));
        let back_to_open = from == Open || from.next().contains(&Open) || from.next().iter().any(|s| s.next().contains(&Open));
        prop_assert!(back_to_open);
    }

    #[test]
    fn timeline_is_sorted_and_complete(facts in proptest::collection::vec(arb_fact(), 0..40)) {
        let t = timeline(&facts, date(2024, 6, 1));
        prop_assert_eq!(t.len(), facts.len());
        prop_assert!(t.windows(2).all(|w| (w[0].said_on, w[0].id) >= (w[1].said_on, w[1].id)));
    }
}
