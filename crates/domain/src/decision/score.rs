//! Score votes (every option scored within a range) and dot votes (dots distributed over options).

use super::poll::OptionCounts;
use super::{
    Ballot, BallotProblem, DecisionError, PerSide, Reason, SIDES, Scale, SettingsProblem, SideWeights,
    ballots_per_side, check_length, no_ballot_reasons, top, winner_reasons,
};
use crate::account::Side;
use serde::{Deserialize, Serialize};

/// The inclusive range of scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRange {
    /// Lowest score.
    pub min: i32,
    /// Highest score.
    pub max: i32,
}

impl Default for ScoreRange {
    /// 0 to 5.
    fn default() -> Self {
        ScoreRange { min: 0, max: 5 }
    }
}

impl ScoreRange {
    /// Whether `score` lies in the range.
    pub fn contains(&self, score: i32) -> bool {
        (self.min..=self.max).contains(&score)
    }
}

/// The settings of a score vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSettings {
    /// Number of options (indexed from 0).
    pub options: usize,
    /// Allowed scores (default 0–5).
    pub range: ScoreRange,
}

/// One side's figures on a score vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSide {
    /// Ballots cast by the side.
    pub ballots: u64,
    /// Sum of the side's scores per option.
    pub sums: Vec<i64>,
    /// Mean score per option; `None` without ballots.
    pub means: Option<Vec<f64>>,
}

/// The tally of a score vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreResult {
    /// Each side's figures.
    pub sides: PerSide<ScoreSide>,
    /// `½·mean_police + ½·mean_community` per option; `None` without ballots.
    pub combined: Option<Vec<f64>>,
    /// The side weights of the combined means.
    pub weights: SideWeights,
    /// The options with the highest combined mean (several on a tie, none without ballots).
    pub winners: Vec<usize>,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// [`Reason::NoBallots`] per silent side, then [`Reason::Winner`] or [`Reason::Tie`].
    pub reasons: Vec<Reason>,
}

/// Tallies a score vote. Each ballot holds one score per option, in order, each within the range.
pub fn tally_score(settings: &ScoreSettings, ballots: &[Ballot<Vec<i32>>]) -> Result<ScoreResult, DecisionError> {
    let ScoreSettings { options, range } = *settings;
    if options == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoOptions));
    }
    if range.min >= range.max {
        return Err(DecisionError::settings(SettingsProblem::EmptyScoreRange { min: range.min, max: range.max }));
    }
    let mut sums = PerSide { police: vec![0i64; options], community: vec![0i64; options] };
    for (index, b) in ballots.iter().enumerate() {
        check_length(options, b.choice.len()).map_err(|p| DecisionError::ballot(index, p))?;
        if let Some((option, &score)) = b.choice.iter().enumerate().find(|(_, s)| !range.contains(**s)) {
            let problem = BallotProblem::ScoreOutOfRange { option, score, min: range.min, max: range.max };
            return Err(DecisionError::ballot(index, problem));
        }
        for (sum, score) in sums.get_mut(b.side).iter_mut().zip(&b.choice) {
            *sum += i64::from(*score);
        }
    }
    let n = ballots_per_side(ballots);
    let means = |s: &[i64], n: u64| (n > 0).then(|| s.iter().map(|x| *x as f64 / n as f64).collect::<Vec<_>>());
    let sides = sums.map(|side, sums| ScoreSide { ballots: *n.get(side), means: means(&sums, *n.get(side)), sums });
    let weights = SideWeights::for_presence(n.police > 0, n.community > 0);
    let combined = weights.combine_all(sides.police.means.as_deref(), sides.community.means.as_deref(), options);
    let winners = if n.police + n.community == 0 {
        Vec::new()
    } else {
        let scale = Scale::new(n.police, n.community);
        let keys: Vec<i128> = (0..options)
            .map(|o| scale.key(i128::from(sides.police.sums[o]), i128::from(sides.community.sums[o])))
            .collect();
        top(&keys)
    };
    let mut reasons = no_ballot_reasons(n);
    reasons.extend(winner_reasons(&winners));
    Ok(ScoreResult { sides, combined, weights, winners, complete: n.police > 0 && n.community > 0, reasons })
}

/// The settings of a dot vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DotSettings {
    /// Number of options (indexed from 0).
    pub options: usize,
    /// Dots each voter may place (at most; unused dots are allowed).
    pub dots: u64,
}

/// One side's figures on a dot vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotSide {
    /// Ballots cast by the side.
    pub ballots: u64,
    /// Dots the side placed on each option.
    pub dots: Vec<u64>,
    /// All dots the side placed.
    pub total_dots: u64,
    /// Share of the side's dots on each option; `None` when the side placed no dots.
    pub shares: Option<Vec<f64>>,
}

/// The tally of a dot vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotVoteResult {
    /// Each side's figures.
    pub sides: PerSide<DotSide>,
    /// Combined share of the dots per option; `None` when nobody placed a dot.
    pub combined: Option<Vec<f64>>,
    /// The side weights of the combined shares: a side that placed no dots has weight 0.
    pub weights: SideWeights,
    /// The options with the highest combined share (several on a tie, none without dots).
    pub winners: Vec<usize>,
    /// False when a side placed no dots.
    pub complete: bool,
    /// [`Reason::NoBallots`] or [`Reason::NoDots`] per side without dots, then [`Reason::Winner`] or
    /// [`Reason::Tie`].
    pub reasons: Vec<Reason>,
}

/// Tallies a dot vote. Each ballot holds the dots placed on each option, in order, summing to at most `dots`.
pub fn tally_dot_vote(settings: &DotSettings, ballots: &[Ballot<Vec<u64>>]) -> Result<DotVoteResult, DecisionError> {
    let DotSettings { options, dots } = *settings;
    if options == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoOptions));
    }
    if dots == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoDots));
    }
    let mut tally = OptionCounts::new(options);
    for (index, b) in ballots.iter().enumerate() {
        check_length(options, b.choice.len()).map_err(|p| DecisionError::ballot(index, p))?;
        let used = b.choice.iter().try_fold(0u64, |acc, d| acc.checked_add(*d)).unwrap_or(u64::MAX);
        if used > dots {
            return Err(DecisionError::ballot(index, BallotProblem::TooManyDots { used, allowed: dots }));
        }
        *tally.denominators.get_mut(b.side) += used;
        for (sum, d) in tally.counts.get_mut(b.side).iter_mut().zip(&b.choice) {
            *sum += d;
        }
    }
    let n = ballots_per_side(ballots);
    let shares = tally.shares();
    let combined = tally.combined(&shares);
    let winners = tally.winners();
    let mut reasons = Vec::new();
    for side in SIDES {
        if *n.get(side) == 0 {
            reasons.push(Reason::NoBallots { side });
        } else if *tally.denominators.get(side) == 0 {
            reasons.push(Reason::NoDots { side });
        }
    }
    reasons.extend(winner_reasons(&winners));
    let weights = tally.weights();
    let complete = tally.denominators.police > 0 && tally.denominators.community > 0;
    let side = |s: Side| DotSide {
        ballots: *n.get(s),
        dots: tally.counts.get(s).clone(),
        total_dots: *tally.denominators.get(s),
        shares: shares.get(s).clone(),
    };
    let sides = PerSide { police: side(Side::Police), community: side(Side::Community) };
    Ok(DotVoteResult { sides, combined, weights, winners, complete, reasons })
}
