use super::*;
use Stage::{Analysis, Assessment, Closed, Response, Scanning};
use proptest::prelude::*;

fn full() -> StageFacts {
    StageFacts {
        described: true,
        triangle: Triangle {
            offender: "Two dealers from outside the beat".into(),
            target: "Buyers driving in; residents on the corner".into(),
            place: "Vacant lot at Armitage & Kostner".into(),
            ..Default::default()
        },
        strategies: 1,
        lessons: "Lighting and the owner's fence mattered most.".into(),
        verdict: Some(Verdict::Reduced),
    }
}

#[test]
fn stages_round_trip_and_order() {
    for (i, s) in Stage::ALL.iter().enumerate() {
        assert_eq!(s.as_str().parse::<Stage>(), Ok(*s));
        assert_eq!(s.index(), i);
    }
    assert!("done".parse::<Stage>().is_err());
    assert!(Scanning.is_active() && Assessment.is_active() && !Closed.is_active());
}

#[test]
fn forward_one_step_back_any_and_close_from_anywhere() {
    assert_eq!(Scanning.next(), vec![Analysis, Closed]);
    assert_eq!(Analysis.next(), vec![Scanning, Response, Closed]);
    assert_eq!(Assessment.next(), vec![Scanning, Analysis, Response, Closed]);
    assert_eq!(Closed.next(), vec![Scanning, Analysis, Response, Assessment]);
    let f = full();
    assert_eq!(transition(Scanning, Response, "go", &f), Err(StageError::Skips { from: Scanning, to: Response }));
    assert_eq!(transition(Response, Response, "go", &f), Err(StageError::Same));
    assert_eq!(transition(Response, Scanning, "the wrong problem", &StageFacts::default()), Ok(()));
}

#[test]
fn every_change_needs_a_note() {
    let f = full();
    assert_eq!(transition(Scanning, Analysis, "  ", &f), Err(StageError::NoteRequired));
    assert_eq!(transition(Scanning, Analysis, &"x".repeat(MAX_TEXT + 1), &f), Err(StageError::NoteTooLong));
    assert_eq!(transition(Scanning, Analysis, &"x".repeat(MAX_TEXT), &f), Ok(()));
}

#[test]
fn each_stage_needs_its_work_done() {
    let f = full();
    let without = |g: fn(&mut StageFacts)| {
        let mut x = f.clone();
        g(&mut x);
        x
    };
    assert_eq!(
        transition(Scanning, Analysis, "n", &without(|x| x.described = false)),
        Err(StageError::NeedsDescription)
    );
    assert_eq!(
        transition(Analysis, Response, "n", &without(|x| x.triangle.place = " ".into())),
        Err(StageError::NeedsTriangle)
    );
    assert_eq!(transition(Response, Assessment, "n", &without(|x| x.strategies = 0)), Err(StageError::NeedsStrategy));
    assert_eq!(transition(Assessment, Closed, "n", &without(|x| x.lessons.clear())), Err(StageError::NeedsLessons));
    assert_eq!(transition(Assessment, Closed, "n", &without(|x| x.verdict = None)), Err(StageError::NeedsVerdict));
    // An abandoned problem closes without a verdict, but not without lessons.
    assert_eq!(transition(Analysis, Closed, "n", &without(|x| x.verdict = None)), Ok(()));
    // Reopening a closed problem checks the target stage's needs.
    assert_eq!(transition(Closed, Assessment, "n", &without(|x| x.strategies = 0)), Err(StageError::NeedsStrategy));
    for s in [Analysis, Response, Assessment, Closed] {
        let from = Stage::ALL[s.index() - 1];
        assert_eq!(transition(from, s, "ok", &f), Ok(()), "{from} → {s}");
    }
}

#[test]
fn active_limit_needs_a_decision_beyond_it() {
    assert_eq!(check_active_limit(2, 3, false), Ok(()));
    assert_eq!(check_active_limit(3, 3, false), Err(OverLimit { active: 3, limit: 3 }));
    assert_eq!(check_active_limit(3, 3, true), Ok(()));
    assert_eq!(check_active_limit(0, 0, false), Err(OverLimit { active: 0, limit: 0 }));
}

#[test]
fn triangle_completeness_and_length() {
    let mut t = full().triangle;
    assert!(t.is_complete());
    assert_eq!(t.too_long(), None);
    t.manager = "m".repeat(MAX_TEXT + 1);
    assert_eq!(t.too_long(), Some("manager"));
    t.offender.clear();
    assert!(!t.is_complete());
}

#[test]
fn strategies_name_the_field_at_fault() {
    let ok = StrategyInput {
        title: "Fence and light the vacant lot".into(),
        owner_side: "both".into(),
        contact: "Rosa Martínez, block club".into(),
        partners: "Streets & Sanitation".into(),
        starts_on: "2026-03-01".into(),
        ends_on: "2026-05-01".into(),
    };
    let s = ok.parse().unwrap();
    assert_eq!(s.owner_side, None);
    assert_eq!(s.ends_on, Some(jiff::civil::date(2026, 5, 1)));
    let bad = |g: fn(&mut StrategyInput)| {
        let mut x = ok.clone();
        g(&mut x);
        x.parse().unwrap_err().field()
    };
    assert_eq!(bad(|x| x.title = "ab".into()), "title");
    assert_eq!(bad(|x| x.owner_side = "mayor".into()), "owner_side");
    assert_eq!(bad(|x| x.contact = "".into()), "contact");
    assert_eq!(bad(|x| x.starts_on = "March".into()), "starts_on");
    assert_eq!(bad(|x| x.ends_on = "2026-02-01".into()), "ends_on");
    let mut police = ok.clone();
    police.owner_side = "police".into();
    police.ends_on.clear();
    assert_eq!(police.parse().unwrap().owner_side, Some(Side::Police));
}

fn facts(before: u64, after: u64, sm: Option<f64>, wdq: Option<f64>, wdd_hi: f64, p: f64) -> AssessmentFacts {
    AssessmentFacts {
        target_before: before,
        target_after: after,
        success_measure: sm,
        wdq,
        wdd_ci_high: wdd_hi,
        target_p: p,
    }
}

#[test]
fn verdicts_follow_the_numbers() {
    assert_eq!(suggest_verdict(&facts(60, 4, Some(-0.5), Some(0.3), -20.0, 1e-9)), Verdict::Solved);
    assert_eq!(suggest_verdict(&facts(60, 30, Some(-0.3), Some(0.2), -5.0, 0.001)), Verdict::Reduced);
    assert_eq!(suggest_verdict(&facts(60, 30, Some(-0.3), Some(-0.9), 4.0, 0.001)), Verdict::Displaced);
    assert_eq!(suggest_verdict(&facts(60, 58, Some(0.1), None, 12.0, 0.8)), Verdict::NoEffect);
    // Displacement that still leaves a significant net reduction is a reduction.
    assert_eq!(suggest_verdict(&facts(60, 30, Some(-0.3), Some(-0.2), -3.0, 0.001)), Verdict::Reduced);
    for v in Verdict::ALL {
        assert_eq!(Verdict::parse(v.as_str()), Some(v));
    }
}

#[test]
fn candidate_rises_need_significance_size_and_direction() {
    let r = |recent, year_before, p| Rise { recent, year_before, p };
    assert!(is_candidate_rise(&r(30, 12, 0.001), 0.05, 5));
    assert!(!is_candidate_rise(&r(12, 30, 0.001), 0.05, 5), "a fall is not a rise");
    assert!(!is_candidate_rise(&r(3, 0, 0.01), 0.05, 5), "too few to matter");
    assert!(!is_candidate_rise(&r(30, 25, 0.4), 0.05, 5), "not significant");
}

proptest! {
    /// Going back is always allowed with a note; a transition is never allowed without one.
    #[test]
    fn back_with_a_note_is_always_allowed(from in 0usize..5, to in 0usize..5, note in "[a-z ]{0,20}") {
        let (from, to) = (Stage::ALL[from], Stage::ALL[to]);
        let r = transition(from, to, &note, &StageFacts::default());
        if note.trim().is_empty() {
            prop_assert!(r.is_err());
        } else if to.index() < from.index() && from != Stage::Closed {
            prop_assert_eq!(r, Ok(()));
        }
        prop_assert_eq!(from.next().contains(&to), transition(from, to, "n", &full()).is_ok());
    }

    /// The verdict never claims success when the target did not fall.
    #[test]
    fn no_success_without_a_fall(before in 0u64..200, after in 0u64..200, hi in -50.0f64..50.0, p in 0.0f64..1.0) {
        let v = suggest_verdict(&facts(before, after, Some(-0.1), Some(0.5), hi, p));
        if after >= before {
            prop_assert_ne!(v, Verdict::Solved);
        }
        if hi >= 0.0 {
            prop_assert!(v == Verdict::NoEffect || v == Verdict::Displaced || hi < 0.0);
        }
    }
}
