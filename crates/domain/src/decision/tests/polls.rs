use super::*;
use Side::{Community, Police};

fn b<T>(side: Side, choice: T) -> Ballot<T> {
    Ballot::new(side, choice)
}

#[test]
fn single_choice_poll_weights_sides_equally() {
    // Police 2:1 for option 0, one community voter for option 2: by heads option 0 leads, by parity option 2.
    let ballots = vec![b(Police, vec![0]), b(Police, vec![0]), b(Police, vec![1]), b(Community, vec![2])];
    let r = tally_poll(&PollSettings::single(3), &ballots).unwrap();
    assert_eq!(r.sides.police.counts, vec![2, 1, 0]);
    assert_eq!(r.sides.police.ballots, 3);
    close_all(r.sides.police.shares.as_ref().unwrap(), &[2.0 / 3.0, 1.0 / 3.0, 0.0]);
    close_all(r.sides.community.shares.as_ref().unwrap(), &[0.0, 0.0, 1.0]);
    close_all(r.combined.as_ref().unwrap(), &[1.0 / 3.0, 1.0 / 6.0, 0.5]);
    assert_eq!(r.winners, vec![2]);
    assert_eq!(r.reasons, vec![Reason::Winner { option: 2 }]);
    assert!(r.complete);
}

#[test]
fn poll_ties_are_exact() {
    // Police n = 3, community n = 6: option 0 gets ½·0/3 + ½·5/6 and option 1 gets ½·2/3 + ½·1/6, both 5/12,
    // although their f64 values differ in the last bit.
    let mut ballots = vec![b(Police, vec![1]), b(Police, vec![1]), b(Police, vec![2])];
    ballots.extend(many(Community, vec![0], 5));
    ballots.push(b(Community, vec![1]));
    let r = tally_poll(&PollSettings::single(3), &ballots).unwrap();
    let c = r.combined.unwrap();
    assert_ne!(c[0], c[1], "the example should exercise rounding");
    close(c[0], 5.0 / 12.0);
    assert_eq!(r.winners, vec![0, 1]);
    assert_eq!(r.reasons, vec![Reason::Tie { options: vec![0, 1] }]);
}

#[test]
fn multiple_choice_poll() {
    let ballots = vec![b(Police, vec![0, 1]), b(Police, vec![0]), b(Community, vec![2, 1])];
    let r = tally_poll(&PollSettings::multiple(3, 2), &ballots).unwrap();
    close_all(r.sides.police.shares.as_ref().unwrap(), &[1.0, 0.5, 0.0]);
    close_all(r.sides.community.shares.as_ref().unwrap(), &[0.0, 1.0, 1.0]);
    close_all(r.combined.as_ref().unwrap(), &[0.5, 0.75, 0.5]);
    assert_eq!(r.winners, vec![1]);
}

#[test]
fn poll_with_one_silent_side() {
    let r = tally_poll(&PollSettings::single(2), &[b(Community, vec![1])]).unwrap();
    assert!(!r.complete);
    assert_eq!(r.sides.police.shares, None);
    close_all(r.combined.as_ref().unwrap(), &[0.0, 1.0]);
    assert_eq!(r.reasons, vec![Reason::NoBallots { side: Police }, Reason::Winner { option: 1 }]);
    let r = tally_poll(&PollSettings::single(2), &[]).unwrap();
    assert_eq!((r.combined, r.winners), (None, vec![]));
}

#[test]
fn invalid_polls_name_the_ballot_and_problem() {
    let ok = b(Police, vec![0]);
    let cases: Vec<(PollSettings, Ballot<Vec<usize>>, DecisionError)> = vec![
        (
            PollSettings::single(3),
            b(Community, vec![3]),
            DecisionError::Ballot { index: 1, problem: BallotProblem::OptionOutOfRange { option: 3, options: 3 } },
        ),
        (
            PollSettings::multiple(3, 3),
            b(Community, vec![1, 1]),
            DecisionError::Ballot { index: 1, problem: BallotProblem::DuplicateOption { option: 1 } },
        ),
        (
            PollSettings::multiple(3, 2),
            b(Community, vec![0, 1, 2]),
            DecisionError::Ballot { index: 1, problem: BallotProblem::TooManyChoices { chosen: 3, max: 2 } },
        ),
        (
            PollSettings::single(3),
            b(Community, vec![]),
            DecisionError::Ballot { index: 1, problem: BallotProblem::NoChoice },
        ),
        (
            PollSettings::single(0),
            b(Community, vec![0]),
            DecisionError::Settings { problem: SettingsProblem::NoOptions },
        ),
        (
            PollSettings::multiple(2, 0),
            b(Community, vec![0]),
            DecisionError::Settings { problem: SettingsProblem::NoChoicesAllowed },
        ),
    ];
    for (settings, bad, want) in cases {
        assert_eq!(tally_poll(&settings, &[ok.clone(), bad]).unwrap_err(), want);
    }
    let e = tally_poll(&PollSettings::single(3), &[ok, b(Police, vec![0]), b(Community, vec![5])]).unwrap_err();
    assert_eq!(e.to_string(), "ballot 2: option 5 does not exist (there are 3 options)");
}

#[test]
fn time_polls_rank_by_yes_then_maybe() {
    use Availability::{Maybe as M, No as N, Yes as Y};
    let ballots = vec![
        b(Police, vec![Y, M, N]),
        b(Police, vec![Y, Y, N]),
        b(Community, vec![N, Y, M]),
        b(Community, vec![M, Y, Y]),
    ];
    let r = tally_time_poll(3, &ballots).unwrap();
    let p = &r.sides.police;
    assert_eq!((p.yes.clone(), p.maybe.clone(), p.no.clone()), (vec![2, 1, 0], vec![0, 1, 0], vec![0, 0, 2]));
    close_all(p.yes_share.as_ref().unwrap(), &[1.0, 0.5, 0.0]);
    close_all(r.sides.community.yes_or_maybe_share.as_ref().unwrap(), &[0.5, 1.0, 1.0]);
    close_all(r.combined_yes_share.as_ref().unwrap(), &[0.5, 0.75, 0.25]);
    close_all(r.combined_yes_or_maybe_share.as_ref().unwrap(), &[0.75, 1.0, 0.5]);
    assert_eq!((r.ranking, r.best), (vec![1, 0, 2], vec![1]));

    // Equal yes shares: maybe decides; equal on both: a tie, listed by index.
    let r = tally_time_poll(3, &[b(Police, vec![Y, Y, Y]), b(Community, vec![N, M, M])]).unwrap();
    assert_eq!((r.ranking, r.best.clone()), (vec![1, 2, 0], vec![1, 2]));
    assert_eq!(r.reasons, vec![Reason::Tie { options: vec![1, 2] }]);

    let e = tally_time_poll(3, &[b(Police, vec![Y, Y])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::WrongLength { expected: 3, got: 2 } });
    assert!(tally_time_poll(2, &[]).unwrap().ranking.is_empty());
}

#[test]
fn score_means_per_side_and_combined() {
    let settings = ScoreSettings { options: 2, range: ScoreRange::default() };
    let ballots = vec![b(Police, vec![5, 0]), b(Police, vec![3, 2]), b(Community, vec![1, 4])];
    let r = tally_score(&settings, &ballots).unwrap();
    assert_eq!(r.sides.police.sums, vec![8, 2]);
    close_all(r.sides.police.means.as_ref().unwrap(), &[4.0, 1.0]);
    close_all(r.sides.community.means.as_ref().unwrap(), &[1.0, 4.0]);
    close_all(r.combined.as_ref().unwrap(), &[2.5, 2.5]);
    assert_eq!(r.winners, vec![0, 1]);

    let custom = ScoreSettings { options: 2, range: ScoreRange { min: -2, max: 2 } };
    let r = tally_score(&custom, &[b(Police, vec![-2, 2]), b(Community, vec![-1, 0])]).unwrap();
    close_all(r.combined.as_ref().unwrap(), &[-1.5, 1.0]);
    assert_eq!(r.winners, vec![1]);
}

#[test]
fn invalid_scores() {
    let custom = ScoreSettings { options: 2, range: ScoreRange { min: -2, max: 2 } };
    let e = tally_score(&custom, &[b(Police, vec![0, 0]), b(Community, vec![0, 3])]).unwrap_err();
    let problem = BallotProblem::ScoreOutOfRange { option: 1, score: 3, min: -2, max: 2 };
    assert_eq!(e, DecisionError::Ballot { index: 1, problem });
    assert_eq!(e.to_string(), "ballot 1: scores option 1 with 3, outside -2..=2");
    let e = tally_score(&custom, &[b(Police, vec![0])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::WrongLength { expected: 2, got: 1 } });
    let empty = ScoreSettings { options: 2, range: ScoreRange { min: 3, max: 3 } };
    assert_eq!(
        tally_score(&empty, &[]).unwrap_err(),
        DecisionError::Settings { problem: SettingsProblem::EmptyScoreRange { min: 3, max: 3 } }
    );
}

#[test]
fn dot_votes_share_each_sides_dots() {
    let settings = DotSettings { options: 3, dots: 5 };
    let ballots = vec![b(Police, vec![3, 2, 0]), b(Police, vec![5, 0, 0]), b(Community, vec![0, 1, 4])];
    let r = tally_dot_vote(&settings, &ballots).unwrap();
    assert_eq!((r.sides.police.dots.clone(), r.sides.police.total_dots), (vec![8, 2, 0], 10));
    close_all(r.sides.police.shares.as_ref().unwrap(), &[0.8, 0.2, 0.0]);
    close_all(r.sides.community.shares.as_ref().unwrap(), &[0.0, 0.2, 0.8]);
    close_all(r.combined.as_ref().unwrap(), &[0.4, 0.2, 0.4]);
    assert_eq!(r.winners, vec![0, 2]);

    // A side whose voters placed no dots has no shares and no weight.
    let r = tally_dot_vote(&settings, &[b(Police, vec![1, 0, 0]), b(Community, vec![0, 0, 0])]).unwrap();
    assert!(!r.complete);
    assert_eq!(r.weights, SideWeights { police: 1.0, community: 0.0 });
    assert_eq!(r.reasons, vec![Reason::NoDots { side: Community }, Reason::Winner { option: 0 }]);

    let e = tally_dot_vote(&settings, &[b(Community, vec![3, 3, 0])]).unwrap_err();
    assert_eq!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::TooManyDots { used: 6, allowed: 5 } });
    let e = tally_dot_vote(&settings, &[b(Community, vec![u64::MAX, 1, 0])]).unwrap_err();
    assert!(matches!(e, DecisionError::Ballot { index: 0, problem: BallotProblem::TooManyDots { .. } }));
    let none = DotSettings { options: 3, dots: 0 };
    assert_eq!(tally_dot_vote(&none, &[]).unwrap_err(), DecisionError::Settings { problem: SettingsProblem::NoDots });
}

#[test]
fn question_rounds_count_responses() {
    let r = tally_question_round(&[b(Police, "Why?"), b(Police, "When?")]);
    assert_eq!(r.responses, PerSide { police: 2, community: 0 });
    assert_eq!(r.total, 2);
    assert!(!r.complete);
    assert_eq!(r.reasons, vec![Reason::NoBallots { side: Community }]);
    let r = tally_question_round(&[b(Police, ()), b(Community, ())]);
    assert!(r.complete && r.reasons.is_empty());
}
