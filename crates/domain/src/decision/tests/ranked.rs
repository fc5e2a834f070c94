use super::*;
use Side::{Community, Police};

fn b(side: Side, ranking: &[usize]) -> Ballot<Vec<usize>> {
    Ballot::new(side, ranking.to_vec())
}

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
const D: usize = 3;

#[test]
fn run_off_weights_ballots_by_side() {
    // Police ballots weigh ¼ (2 ballots), community ballots ⅛ (4 ballots). First preferences tie 2-2-2 by heads.
    let ballots = vec![
        b(Police, &[A, B]),
        b(Police, &[C, B]),
        b(Community, &[B, A]),
        b(Community, &[B]),
        b(Community, &[C, A]),
        b(Community, &[A]),
    ];
    let r = tally_ranked_choice(3, &ballots).unwrap();
    assert_eq!(r.ballot_weight, PerSide { police: Some(0.25), community: Some(0.125) });
    assert_eq!(r.rounds.len(), 2);
    let r1 = &r.rounds[0];
    assert_eq!(r1.weights, vec![Some(0.375), Some(0.25), Some(0.375)]);
    assert_eq!(r1.ballots, PerSide { police: vec![1, 0, 1], community: vec![1, 2, 1] });
    assert_eq!((r1.exhausted_weight, r1.remaining_weight), (0.0, 1.0));
    assert_eq!(r1.eliminated, Some(Elimination { option: B, tie_break: None }));
    let r2 = &r.rounds[1];
    assert_eq!(r2.weights, vec![Some(0.5), None, Some(0.375)]);
    assert_eq!(r2.exhausted, PerSide { police: 0, community: 1 });
    assert_eq!((r2.exhausted_weight, r2.remaining_weight), (0.125, 0.875));
    assert_eq!(r2.eliminated, None);
    assert_eq!(r.winner, Some(A));
    assert_eq!(
        r.reasons,
        vec![
            Reason::Eliminated { round: 1, option: B, tie_break: None },
            Reason::MajorityReached { round: 2, option: A },
            Reason::Winner { option: A },
        ]
    );
}

#[test]
fn ties_for_last_place_go_to_first_preferences_then_the_lower_index() {
    // Every ballot weighs ⅛. Round 1: A ⅜, B ¼, C ¼, D ⅛. Round 2: C takes D's ballot. Round 3: A and C tie at ½
    // (not more than half); C had fewer first preferences and goes.
    let ballots = vec![
        b(Police, &[A]),
        b(Police, &[A]),
        b(Police, &[B, A]),
        b(Police, &[C]),
        b(Community, &[A]),
        b(Community, &[B, C]),
        b(Community, &[C]),
        b(Community, &[D, C]),
    ];
    let r = tally_ranked_choice(4, &ballots).unwrap();
    let eliminated: Vec<_> = r.rounds.iter().filter_map(|r| r.eliminated).collect();
    assert_eq!(
        eliminated,
        vec![
            Elimination { option: D, tie_break: None },
            Elimination { option: B, tie_break: None },
            Elimination { option: C, tie_break: Some(TieBreak::FirstPreference) },
        ]
    );
    assert_eq!(r.rounds[2].weights, vec![Some(0.5), None, Some(0.5), None]);
    let last = r.final_round().unwrap();
    assert_eq!(last.round, 4);
    assert_eq!((last.weights[A], last.remaining_weight, last.exhausted_weight), (Some(0.5), 0.5, 0.5));
    assert_eq!(r.winner, Some(A));

    // Tied now and on first preferences: the lower index goes.
    let r = tally_ranked_choice(4, &[b(Police, &[A]), b(Community, &[B]), b(Community, &[C]), b(Community, &[D, C])])
        .unwrap();
    assert_eq!(r.rounds[0].weights, vec![Some(0.5), Some(1.0 / 6.0), Some(1.0 / 6.0), Some(1.0 / 6.0)]);
    assert_eq!(r.rounds[0].eliminated, Some(Elimination { option: B, tie_break: Some(TieBreak::LowerIndex) }));
    // Round 2: B's ballot is exhausted; A holds ½ of the remaining ⅚.
    assert_eq!(r.rounds.len(), 2);
    close(r.rounds[1].remaining_weight, 5.0 / 6.0);
    assert_eq!(r.winner, Some(A));
    assert_eq!(r.weight_of_ballot(Community), Some(0.5 / 3.0));
}

#[test]
fn exactly_half_is_not_a_majority() {
    let r = tally_ranked_choice(2, &[b(Police, &[A]), b(Community, &[B])]).unwrap();
    assert_eq!(r.rounds[0].weights, vec![Some(0.5), Some(0.5)]);
    assert_eq!(r.rounds[0].eliminated, Some(Elimination { option: A, tie_break: Some(TieBreak::LowerIndex) }));
    assert_eq!(r.winner, Some(B));
}

#[test]
fn run_off_with_one_silent_side_or_none() {
    let r = tally_ranked_choice(2, &[b(Police, &[B, A]), b(Police, &[A]), b(Police, &[B])]).unwrap();
    assert!(!r.complete);
    assert_eq!(r.ballot_weight, PerSide { police: Some(1.0 / 3.0), community: None });
    assert_eq!(r.winner, Some(B));
    assert_eq!(r.reasons[0], Reason::NoBallots { side: Community });
    let r = tally_ranked_choice(2, &[]).unwrap();
    assert_eq!((r.rounds.len(), r.winner), (0, None));
}

#[test]
fn invalid_rankings() {
    let e = tally_ranked_choice(3, &[b(Police, &[A]), b(Community, &[C, A, C])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 1, problem: BallotProblem::DuplicateOption { option: C } });
    let e = tally_ranked_choice(3, &[b(Police, &[D])]).unwrap_err();
    assert_eq!(
        e,
        DecisionError::Ballot { index: 0, problem: BallotProblem::OptionOutOfRange { option: D, options: 3 } }
    );
    let e = tally_ranked_choice(3, &[b(Police, &[])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::NoChoice });
}
