use super::*;
use crate::Side;
use proptest::prelude::*;

fn resp(side: Side, pairs: &[(&str, u8)]) -> Response {
    Response { side, answers: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect() }
}

#[test]
fn instrument_covers_every_dimension_in_both_languages() {
    for d in Dimension::ALL {
        let n = items_of(d).count();
        assert!((2..=3).contains(&n), "{d:?} has {n} items");
        assert_eq!(Dimension::parse(d.as_str()), Some(d));
    }
    let mut ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ITEMS.len(), "item ids are unique");
    for i in &ITEMS {
        assert!(!i.en.is_empty() && !i.es.is_empty() && i.en != i.es, "{}", i.id);
        assert_eq!(i.text(Locale::Es), i.es);
    }
    assert_eq!(Dimension::ProblemSolving.group(), Group::Keys);
    assert_eq!(Dimension::OrganisationalTransformation.group(), Group::CpSat);
    assert_eq!(Dimension::Trust.group(), Group::Essentials);
}

#[test]
fn forms_are_parsed_and_bad_answers_refused() {
    let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let (a, c) =
        parse_form(&f(&[("csrf_token", "x"), ("q_trust_honest", "4"), ("q_trust_rely", ""), ("comment", "  Good  ")]))
            .unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a["trust_honest"], 4);
    assert_eq!(c.as_deref(), Some("Good"));
    assert_eq!(parse_form(&f(&[("q_trust_honest", "6")])), Err(AnswerError::OutOfRange("trust_honest".into())));
    assert_eq!(parse_form(&f(&[("q_trust_honest", "0")])), Err(AnswerError::OutOfRange("trust_honest".into())));
    assert_eq!(parse_form(&f(&[("q_nope", "3")])), Err(AnswerError::UnknownItem("nope".into())));
    assert_eq!(parse_form(&f(&[("q_trust_honest", ""), ("comment", "hi")])), Err(AnswerError::Empty));
    let long = "x".repeat(MAX_COMMENT + 1);
    assert_eq!(parse_form(&f(&[("q_trust_honest", "3"), ("comment", &long)])), Err(AnswerError::CommentTooLong));
    assert!(check_answers(&a).is_ok());
    assert!(check_answers(&Answers::new()).is_err());
}

#[test]
fn hand_computed_round() {
    // Five officers answer trust_honest 5 and trust_respect 4 → (4.5 − 1) / 4 × 100 = 87.5.
    // Five residents answer trust_honest 2 and trust_respect 3 → (2.5 − 1) / 4 × 100 = 37.5. Gap 50.
    let mut rs: Vec<Response> =
        (0..5).map(|_| resp(Side::Police, &[("trust_honest", 5), ("trust_respect", 4)])).collect();
    rs.extend((0..5).map(|_| resp(Side::Community, &[("trust_honest", 2), ("trust_respect", 3)])));
    // Only four officers answered leadership → suppressed, and so is its gap; residents' score stays.
    for r in rs.iter_mut().take(4) {
        r.answers.insert("leadership_shared".into(), 5);
    }
    for r in rs.iter_mut().skip(5) {
        r.answers.insert("leadership_shared".into(), 1);
    }
    let out = score_round(&rs, DEFAULT_K);
    let trust = &out.dimensions[3];
    assert_eq!(trust.dimension, Some(Dimension::Trust));
    assert_eq!(trust.police.score, Some(87.5));
    assert_eq!(trust.community.score, Some(37.5));
    assert_eq!(trust.gap, Some(50.0));
    assert_eq!(trust.police.n, Some(5));
    let lead = &out.dimensions[5];
    assert!(lead.police.suppressed && lead.police.score.is_none() && lead.police.n.is_none());
    assert_eq!(lead.community.score, Some(0.0));
    assert!(lead.gap_suppressed && lead.gap.is_none());
    // Nobody answered formation: empty, not suppressed.
    assert_eq!(out.dimensions[0].police.n, Some(0));
    assert!(out.dimensions[0].gap.is_none() && !out.dimensions[0].gap_suppressed);
    // Overall: officers (5,4) → 87.5 for four of them with leadership 5 → mean(5,4,5)=14/3 → 91.67; one at 87.5.
    let p = (4.0 * ((14.0 / 3.0 - 1.0) / 4.0 * 100.0) + 87.5) / 5.0;
    assert!((out.overall.police.score.unwrap() - p).abs() < 1e-9);
    // Disagreement order: trust (50) first; suppressed gaps last.
    let order = out.by_disagreement();
    assert_eq!(order[0].dimension, Some(Dimension::Trust));
    assert!(order.last().unwrap().gap.is_none());
}

fn arb_response() -> impl Strategy<Value = Response> {
    (any::<bool>(), proptest::collection::btree_map(0..ITEMS.len(), 1u8..=5, 0..ITEMS.len())).prop_map(|(p, m)| {
        Response {
            side: if p { Side::Police } else { Side::Community },
            answers: m.into_iter().map(|(i, v)| (ITEMS[i].id.to_string(), v)).collect(),
        }
    })
}

fn swap(r: &Response) -> Response {
    let side = if r.side == Side::Police { Side::Community } else { Side::Police };
    Response { side, answers: r.answers.clone() }
}

proptest! {
    #[test]
    fn swapping_sides_negates_the_gap(rs in proptest::collection::vec(arb_response(), 0..40), k in 1usize..8) {
        let a = score_round(&rs, k);
        let b = score_round(&rs.iter().map(swap).collect::<Vec<_>>(), k);
        for (x, y) in a.dimensions.iter().chain([&a.overall]).zip(b.dimensions.iter().chain([&b.overall])) {
            prop_assert_eq!(x.police, y.community);
            prop_assert_eq!(x.community, y.police);
            match (x.gap, y.gap) {
                (Some(g), Some(h)) => prop_assert!((g + h).abs() < 1e-9),
                (None, None) => {}
                _ => prop_assert!(false, "gap shown on one side only"),
            }
        }
    }

    #[test]
    fn scores_are_bounded_and_small_sides_hidden(rs in proptest::collection::vec(arb_response(), 0..40), k in 1usize..8) {
        let out = score_round(&rs, k);
        for d in out.dimensions.iter().chain([&out.overall]) {
            for c in [d.police, d.community] {
                if let Some(s) = c.score {
                    prop_assert!((0.0..=100.0).contains(&s));
                    prop_assert!(c.n.unwrap() >= k);
                }
                if c.suppressed {
                    prop_assert!(c.score.is_none() && c.n.is_none());
                }
            }
            if let Some(g) = d.gap {
                prop_assert!((-100.0..=100.0).contains(&g));
            }
            if d.police.suppressed || d.community.suppressed {
                prop_assert!(d.gap.is_none() && d.gap_suppressed);
            }
        }
    }
}
