//! Property tests of the parity rule (the list (a)–(f), plus side symmetry).

use super::*;
use Side::{Community, Police};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Police), Just(Community)]
}

fn proposal_choice() -> impl Strategy<Value = ProposalChoice> {
    prop::sample::select(ProposalChoice::ALL.to_vec())
}

fn ballots<T: std::fmt::Debug>(choice: impl Strategy<Value = T>, max: usize) -> impl Strategy<Value = Vec<Ballot<T>>> {
    prop::collection::vec((side(), choice).prop_map(|(side, choice)| Ballot { side, choice }), 0..max)
}

/// Every ballot of `side` repeated `k` times, the others once.
fn scale_side<T: Clone>(ballots: &[Ballot<T>], side: Side, k: usize) -> Vec<Ballot<T>> {
    ballots.iter().flat_map(|b| std::iter::repeat_n(b.clone(), if b.side == side { k } else { 1 })).collect()
}

/// Both sides swapped.
fn swap_sides<T: Clone>(ballots: &[Ballot<T>]) -> Vec<Ballot<T>> {
    let other = |s| if s == Police { Community } else { Police };
    ballots.iter().map(|b| Ballot::new(other(b.side), b.choice.clone())).collect()
}

fn subset(k: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::sample::subsequence((0..k).collect::<Vec<_>>(), 1..=k).prop_shuffle()
}

/// A ranking of one or more of `k` options.
fn ranking(k: usize) -> impl Strategy<Value = Vec<usize>> {
    subset(k)
}

fn availability() -> impl Strategy<Value = Availability> {
    prop::sample::select(Availability::ALL.to_vec())
}

/// Ballots for every decision type over `k` options.
#[derive(Debug, Clone)]
struct Mixed {
    k: usize,
    proposal: Vec<Ballot<ProposalChoice>>,
    consent: Vec<Ballot<ConsentChoice>>,
    poll: Vec<Ballot<Vec<usize>>>,
    ranked: Vec<Ballot<Vec<usize>>>,
    score: Vec<Ballot<Vec<i32>>>,
    dots: Vec<Ballot<Vec<u64>>>,
    times: Vec<Ballot<Vec<Availability>>>,
}

fn mixed() -> impl Strategy<Value = Mixed> {
    (1usize..5).prop_flat_map(|k| {
        (
            ballots(proposal_choice(), 12),
            ballots(prop::sample::select(ConsentChoice::ALL.to_vec()), 12),
            ballots(subset(k), 12),
            ballots(ranking(k), 12),
            ballots(prop::collection::vec(0i32..=5, k), 12),
            ballots(prop::collection::vec(0u64..=2, k), 12),
            ballots(prop::collection::vec(availability(), k), 12),
        )
            .prop_map(move |(proposal, consent, poll, ranked, score, dots, times)| Mixed {
                k,
                proposal,
                consent,
                poll,
                ranked,
                score,
                dots,
                times,
            })
    })
}

/// Every combined figure (and every decision) of `m`, as comparable values.
fn combined_figures(m: &Mixed, transform: impl Fn(&Mixed) -> Mixed) -> Result<(), TestCaseError> {
    let t = transform(m);
    let k = m.k;
    let proposal = |m: &Mixed| {
        let r = tally_proposal(&m.proposal, Quorum::NONE);
        (r.combined, r.outcome)
    };
    prop_assert_eq!(proposal(m), proposal(&t));
    let consent = |m: &Mixed| tally_consent(&m.consent, Quorum::NONE).combined_consent_share;
    prop_assert_eq!(consent(m), consent(&t));
    let poll = |m: &Mixed| {
        let r = tally_poll(&PollSettings::multiple(k, k), &m.poll).unwrap();
        (r.combined, r.winners)
    };
    prop_assert_eq!(poll(m), poll(&t));
    let ranked = |m: &Mixed| {
        let r = tally_ranked_choice(k, &m.ranked).unwrap();
        let rounds: Vec<_> = r.rounds.iter().map(|r| (r.weights.clone(), r.remaining_weight, r.eliminated)).collect();
        (rounds, r.winner)
    };
    prop_assert_eq!(ranked(m), ranked(&t));
    let score = |m: &Mixed| {
        let r = tally_score(&ScoreSettings { options: k, range: ScoreRange::default() }, &m.score).unwrap();
        (r.combined, r.winners)
    };
    prop_assert_eq!(score(m), score(&t));
    let dots = |m: &Mixed| {
        let r = tally_dot_vote(&DotSettings { options: k, dots: 2 * k as u64 }, &m.dots).unwrap();
        (r.combined, r.winners)
    };
    prop_assert_eq!(dots(m), dots(&t));
    let times = |m: &Mixed| {
        let r = tally_time_poll(k, &m.times).unwrap();
        (r.combined_yes_share, r.combined_yes_or_maybe_share, r.ranking)
    };
    prop_assert_eq!(times(m), times(&t));
    Ok(())
}

fn map_all(m: &Mixed, f: &dyn Fn(&[Ballot<()>]) -> Vec<usize>) -> Mixed {
    // Applies a re-indexing (which input ballots, in which order, possibly repeated) uniformly to every list.
    fn pick<T: Clone>(v: &[Ballot<T>], f: &dyn Fn(&[Ballot<()>]) -> Vec<usize>) -> Vec<Ballot<T>> {
        let shape: Vec<Ballot<()>> = v.iter().map(|b| Ballot::new(b.side, ())).collect();
        f(&shape).into_iter().map(|i| v[i].clone()).collect()
    }
    Mixed {
        k: m.k,
        proposal: pick(&m.proposal, f),
        consent: pick(&m.consent, f),
        poll: pick(&m.poll, f),
        ranked: pick(&m.ranked, f),
        score: pick(&m.score, f),
        dots: pick(&m.dots, f),
        times: pick(&m.times, f),
    }
}

fn scaled(m: &Mixed, side: Side, k: usize) -> Mixed {
    map_all(m, &|shape| {
        let idx: Vec<usize> = (0..shape.len()).collect();
        let tagged: Vec<Ballot<usize>> = shape.iter().zip(idx).map(|(b, i)| Ballot::new(b.side, i)).collect();
        scale_side(&tagged, side, k).into_iter().map(|b| b.choice).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// (a) Adding police voters who vote like the police majority never flips a proposal's outcome (police quorum
    /// already met or none; the community quorum is anything).
    #[test]
    fn a_reinforcing_the_police_majority_never_flips_a_proposal(
        police in prop::collection::vec(proposal_choice(), 0..12),
        community in prop::collection::vec(proposal_choice(), 0..12),
        police_quorum in 0u64..6,
        community_quorum in 0u64..6,
        extra in 1usize..10,
    ) {
        let mut ballots: Vec<_> = police.iter().map(|c| Ballot::new(Police, *c)).collect();
        ballots.extend(community.iter().map(|c| Ballot::new(Community, *c)));
        let quorum = Quorum { police: police_quorum.min(police.len() as u64), community: community_quorum };
        let before = tally_proposal(&ballots, quorum);
        let counts = before.sides.police.counts;
        let like = if counts.has_majority() { ProposalChoice::Agree } else { ProposalChoice::Disagree };
        ballots.extend(many(Police, like, extra));
        let after = tally_proposal(&ballots, quorum);
        prop_assert_eq!(before.outcome, after.outcome);
        // And a pass always means both sides carried it.
        if after.outcome == Outcome::Passed {
            prop_assert!(after.sides.police.majority && after.sides.community.majority);
            prop_assert!(after.sides.police.counts.block + after.sides.community.counts.block == 0);
        }
    }

    /// (b) Duplicating every community ballot leaves every combined figure (and every decision) unchanged.
    #[test]
    fn b_duplicating_community_ballots_changes_nothing_combined(m in mixed()) {
        combined_figures(&m, |m| scaled(m, Community, 2))?;
    }

    /// (c) Head-counts never matter when within-side shares are equal: scaling one side's ballots by any integer.
    #[test]
    fn c_scaling_a_side_changes_nothing_combined(m in mixed(), side in side(), k in 2usize..5) {
        combined_figures(&m, |m| scaled(m, side, k))?;
    }

    /// Parity is symmetric: swapping the sides leaves every combined figure unchanged.
    #[test]
    fn swapping_sides_changes_nothing_combined(m in mixed()) {
        combined_figures(&m, |m| Mixed {
            k: m.k,
            proposal: swap_sides(&m.proposal),
            consent: swap_sides(&m.consent),
            poll: swap_sides(&m.poll),
            ranked: swap_sides(&m.ranked),
            score: swap_sides(&m.score),
            dots: swap_sides(&m.dots),
            times: swap_sides(&m.times),
        })?;
    }

    /// (d) The combined shares of a single-choice poll sum to 1 when both sides have ballots.
    #[test]
    fn d_single_choice_shares_sum_to_one(
        k in 1usize..6,
        choices in prop::collection::vec((side(), 0usize..6), 0..30),
        first in (0usize..6, 0usize..6),
    ) {
        let mut ballots = vec![Ballot::new(Police, vec![first.0 % k]), Ballot::new(Community, vec![first.1 % k])];
        ballots.extend(choices.into_iter().map(|(s, o)| Ballot::new(s, vec![o % k])));
        let r = tally_poll(&PollSettings::single(k), &ballots).unwrap();
        let sum: f64 = r.combined.unwrap().iter().sum();
        prop_assert!((sum - 1.0).abs() < 1e-12, "sum {}", sum);
        prop_assert!(!r.winners.is_empty());
    }

    /// (e) The run-off winner has more than half of the remaining weight in the final round; weight is conserved.
    #[test]
    fn e_run_off_winner_has_a_majority_of_the_remaining_weight(m in mixed()) {
        let r = tally_ranked_choice(m.k, &m.ranked).unwrap();
        if m.ranked.is_empty() {
            prop_assert!(r.winner.is_none() && r.rounds.is_empty());
        } else {
            let winner = r.winner.expect("a winner whenever there are ballots");
            let last = r.final_round().unwrap();
            prop_assert!(last.weights[winner].unwrap() > 0.5 * last.remaining_weight);
            prop_assert_eq!(r.rounds.len() - 1, r.rounds.iter().filter(|r| r.eliminated.is_some()).count());
            for round in &r.rounds {
                let live: f64 = round.weights.iter().flatten().sum();
                prop_assert!((live - round.remaining_weight).abs() < 1e-9);
                prop_assert!((round.remaining_weight + round.exhausted_weight - 1.0).abs() < 1e-9);
            }
        }
    }

    /// (f) GIC lies in (0, 1] and an extra agree vote, from any group, never lowers a statement's GIC (the set of
    /// groups fixed: `min_group_size` 0 and known labels, or the sides alone with any minimum).
    #[test]
    fn f_gic_is_bounded_and_agreeing_never_lowers_it(
        statements in 1usize..4,
        cards in prop::collection::vec(
            (side(), prop::sample::subsequence(vec!["a", "b", "c"], 0..=3),
             prop::collection::vec(prop::option::of(prop::sample::select(Stance::ALL.to_vec())), 0..4)),
            1..15),
        pick in any::<prop::sample::Index>(),
        statement in 0usize..4,
        new_voter in any::<bool>(),
        new_side in side(),
        min_group_size in 0u64..4,
    ) {
        let statement = statement % statements;
        let mut cards: Vec<_> = cards
            .into_iter()
            .map(|(side, groups, mut stances)| {
                stances.truncate(statements);
                Ballot::new(side, CommonGroundCard { groups: groups.iter().map(|g| g.to_string()).collect(), stances })
            })
            .collect();
        let labels = cards.iter().any(|c| !c.choice.groups.is_empty());
        let settings = CommonGroundSettings { statements, min_group_size: if labels { 0 } else { min_group_size }, pool_remainder: false };
        let before = rank_common_ground(&settings, &cards).unwrap();
        for s in &before.statements {
            prop_assert!(s.gic > 0.0 && s.gic <= 1.0, "gic {}", s.gic);
        }
        let i = pick.index(cards.len());
        if new_voter {
            // A new voter carrying labels already seen.
            let groups = cards[i].choice.groups.clone();
            let mut stances = vec![None; statements];
            stances[statement] = Some(Stance::Agree);
            cards.push(Ballot::new(new_side, CommonGroundCard { groups, stances }));
        } else {
            let stances = &mut cards[i].choice.stances;
            if stances.len() <= statement {
                stances.resize(statement + 1, None);
            }
            if stances[statement].is_some() {
                return Ok(());
            }
            stances[statement] = Some(Stance::Agree);
        }
        let after = rank_common_ground(&settings, &cards).unwrap();
        prop_assert!(after.statements[statement].gic >= before.statements[statement].gic);
        for s in &after.statements {
            prop_assert!(s.gic > 0.0 && s.gic <= 1.0);
        }
    }

    /// Orderings are permutations and follow their keys.
    #[test]
    fn common_ground_orderings_follow_their_keys(
        cards in prop::collection::vec(
            (side(), prop::collection::vec(prop::option::of(prop::sample::select(Stance::ALL.to_vec())), 3)),
            0..15),
    ) {
        let cards: Vec<_> = cards
            .into_iter()
            .map(|(side, stances)| Ballot::new(side, CommonGroundCard { groups: vec![], stances }))
            .collect();
        let r = rank_common_ground(&CommonGroundSettings { statements: 3, min_group_size: 0, pool_remainder: false }, &cards).unwrap();
        let gic: Vec<f64> = r.by_consensus.iter().map(|s| r.statements[*s].gic).collect();
        prop_assert!(gic.windows(2).all(|w| w[0] >= w[1]));
        let div: Vec<f64> =
            r.most_divisive.iter().map(|s| r.statements[*s].divisiveness.unwrap_or(-1.0)).collect();
        prop_assert!(div.windows(2).all(|w| w[0] >= w[1] - 1e-12));
    }
}
