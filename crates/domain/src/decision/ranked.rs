//! Ranked choice: instant run-off with each ballot weighted `½ / n_side`.
//!
//! Every ballot ranks one or more options (most preferred first, no repeats; it need not rank them all). A ballot of
//! a side with `n_side` ballots weighs `½ / n_side`, so each side holds half of the weight whatever its head-count
//! (with one side silent, the other side's ballots weigh `1 / n_side`). Each round, a ballot counts for its most
//! preferred option still in the running; a ballot whose ranked options are all eliminated is exhausted and drops
//! out. An option with **more than half of the weight still in play** (the remaining weight: all weight minus the
//! exhausted weight) wins. Otherwise the option with the least weight is eliminated; a tie for last place goes to
//! the option with the lower first-preference combined weight (its weight in round 1), and if that ties too, to the
//! option with the **lower index**. Options are eliminated one per round, zero-weight options included, so every
//! round is reported. There is a winner whenever there is a ballot: the last option in the running holds all the
//! weight still in play.
//!
//! All comparisons are exact (integer cross-products of the counts); the `f64` weights are for display.

use super::{Ballot, DecisionError, PerSide, Reason, SIDES, Scale, SideWeights, ballots_per_side, check_option_set};
use crate::account::Side;
use serde::{Deserialize, Serialize};

/// How a tie for last place was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The tied option with the lower first-preference combined weight was eliminated.
    FirstPreference,
    /// The tied options also tied on first preferences; the one with the lower index was eliminated.
    LowerIndex,
}

/// An option eliminated at the end of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Elimination {
    /// The option (0-based).
    pub option: usize,
    /// How a tie for last place was broken, if there was one.
    pub tie_break: Option<TieBreak>,
}

/// One round of the run-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrvRound {
    /// Round number, from 1.
    pub round: usize,
    /// Ballots of each side counting for each option this round (0 for eliminated options).
    pub ballots: PerSide<Vec<u64>>,
    /// Combined weight of each option still in the running; `None` once eliminated.
    pub weights: Vec<Option<f64>>,
    /// Exhausted ballots of each side.
    pub exhausted: PerSide<u64>,
    /// Weight of the exhausted ballots.
    pub exhausted_weight: f64,
    /// Weight still in play (total weight minus the exhausted weight).
    pub remaining_weight: f64,
    /// The option eliminated at the end of this round (none in the final round).
    pub eliminated: Option<Elimination>,
}

/// The tally of a ranked-choice decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedChoiceResult {
    /// Ballots cast by each side.
    pub ballots: PerSide<u64>,
    /// Weight of one ballot of each side (`w_side / n_side`); `None` for a side without ballots.
    pub ballot_weight: PerSide<Option<f64>>,
    /// The weight of each side.
    pub weights: SideWeights,
    /// Every round, in order (none without ballots).
    pub rounds: Vec<IrvRound>,
    /// The option with more than half of the remaining weight in the final round, if any.
    pub winner: Option<usize>,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// [`Reason::NoBallots`] per silent side, each [`Reason::Eliminated`], then [`Reason::MajorityReached`] and
    /// [`Reason::Winner`].
    pub reasons: Vec<Reason>,
}

/// Runs the instant run-off. Each ballot ranks at least one option, most preferred first, without repeats.
pub fn tally_ranked_choice(
    options: usize,
    ballots: &[Ballot<Vec<usize>>],
) -> Result<RankedChoiceResult, DecisionError> {
    if options == 0 {
        return Err(DecisionError::settings(super::SettingsProblem::NoOptions));
    }
    for (index, b) in ballots.iter().enumerate() {
        check_option_set(options, &b.choice).map_err(|p| DecisionError::ballot(index, p))?;
    }
    let n = ballots_per_side(ballots);
    let weights = SideWeights::for_presence(n.police > 0, n.community > 0);
    let scale = Scale::new(n.police, n.community);
    let ballot_weight = n.map(|side, n| (n > 0).then(|| weights.of(side) / n as f64));
    // The combined weight of `police` and `community` ballots.
    let weight_of = |police: u64, community: u64| {
        let share = |count: u64, n: u64| (n > 0).then(|| count as f64 / n as f64);
        weights.combine(share(police, n.police), share(community, n.community)).unwrap_or(0.0)
    };
    let mut reasons: Vec<Reason> =
        SIDES.into_iter().filter(|s| *n.get(*s) == 0).map(|side| Reason::NoBallots { side }).collect();
    let mut rounds = Vec::new();
    let mut winner = None;
    let mut continuing = vec![true; options];
    let mut first_preference: Option<Vec<i128>> = None;
    // Position, in each ballot's ranking, of its most preferred option still in the running.
    let mut cursor = vec![0usize; ballots.len()];
    while !ballots.is_empty() {
        let round = rounds.len() + 1;
        let mut counts = PerSide { police: vec![0u64; options], community: vec![0u64; options] };
        let mut exhausted = PerSide::<u64>::default();
        for (b, at) in ballots.iter().zip(cursor.iter_mut()) {
            while *at < b.choice.len() && !continuing[b.choice[*at]] {
                *at += 1;
            }
            match b.choice.get(*at) {
                Some(&option) => counts.get_mut(b.side)[option] += 1,
                None => *exhausted.get_mut(b.side) += 1,
            }
        }
        let keys: Vec<i128> =
            (0..options).map(|o| scale.key(i128::from(counts.police[o]), i128::from(counts.community[o]))).collect();
        let first = first_preference.get_or_insert_with(|| keys.clone());
        let live = || (0..options).filter(|o| continuing[*o]);
        let remaining: i128 = live().map(|o| keys[o]).sum();
        let mut report = IrvRound {
            round,
            weights: (0..options)
                .map(|o| continuing[o].then(|| weight_of(counts.police[o], counts.community[o])))
                .collect(),
            ballots: counts,
            exhausted_weight: weight_of(exhausted.police, exhausted.community),
            remaining_weight: weight_of(n.police - exhausted.police, n.community - exhausted.community),
            exhausted,
            eliminated: None,
        };
        if remaining == 0 {
            // Unreachable with validated ballots: an option in the running keeps the ballots that rank it, and the
            // last one left holds all the remaining weight. Kept so the loop can never run out of options.
            rounds.push(report);
            break;
        }
        // The most preferred option: if it has more than half, it is the only one that does.
        let leader = live().max_by(|a, b| keys[*a].cmp(&keys[*b]).then(b.cmp(a))).unwrap_or(0);
        if 2 * keys[leader] > remaining {
            reasons.push(Reason::MajorityReached { round, option: leader });
            reasons.push(Reason::Winner { option: leader });
            winner = Some(leader);
            rounds.push(report);
            break;
        }
        let elimination = eliminate(live().collect(), &keys, first);
        continuing[elimination.option] = false;
        reasons.push(Reason::Eliminated { round, option: elimination.option, tie_break: elimination.tie_break });
        report.eliminated = Some(elimination);
        rounds.push(report);
    }
    let complete = n.police > 0 && n.community > 0;
    Ok(RankedChoiceResult { ballots: n, ballot_weight, weights, rounds, winner, complete, reasons })
}

/// Chooses the option to eliminate among `live` (non-empty): least weight, then least first-preference weight, then
/// lowest index.
fn eliminate(live: Vec<usize>, keys: &[i128], first: &[i128]) -> Elimination {
    let least = live.iter().map(|o| keys[*o]).min().unwrap_or(0);
    let last: Vec<usize> = live.into_iter().filter(|o| keys[*o] == least).collect();
    if let [option] = last[..] {
        return Elimination { option, tie_break: None };
    }
    let least_first = last.iter().map(|o| first[*o]).min().unwrap_or(0);
    let last: Vec<usize> = last.into_iter().filter(|o| first[*o] == least_first).collect();
    match last[..] {
        [option] => Elimination { option, tie_break: Some(TieBreak::FirstPreference) },
        _ => Elimination { option: last[0], tie_break: Some(TieBreak::LowerIndex) },
    }
}

impl RankedChoiceResult {
    /// The final round, if any.
    pub fn final_round(&self) -> Option<&IrvRound> {
        self.rounds.last()
    }

    /// The weight of one ballot of `side`, if it cast any.
    pub fn weight_of_ballot(&self, side: Side) -> Option<f64> {
        *self.ballot_weight.get(side)
    }
}
