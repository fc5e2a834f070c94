//! Polls (single and multiple choice), time polls and question rounds.

use super::{
    Ballot, BallotProblem, DecisionError, PerSide, Reason, Scale, SettingsProblem, SideWeights, ballots_per_side,
    check_length, check_option_set, no_ballot_reasons, shares, top, winner_reasons,
};
use crate::account::Side;
use serde::{Deserialize, Serialize};

/// The settings of a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSettings {
    /// Number of options (indexed from 0).
    pub options: usize,
    /// Most options one ballot may choose: 1 for a single-choice poll.
    pub max_choices: usize,
}

impl PollSettings {
    /// A single-choice poll.
    pub fn single(options: usize) -> PollSettings {
        PollSettings { options, max_choices: 1 }
    }

    /// A multiple-choice poll allowing up to `max_choices` options per ballot.
    pub fn multiple(options: usize, max_choices: usize) -> PollSettings {
        PollSettings { options, max_choices }
    }
}

/// One side's figures on a poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollSide {
    /// Ballots cast by the side.
    pub ballots: u64,
    /// Ballots choosing each option.
    pub counts: Vec<u64>,
    /// Share of the side's ballots choosing each option; `None` without ballots. In a multiple-choice poll these
    /// may sum to more than 1.
    pub shares: Option<Vec<f64>>,
}

/// The tally of a poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollResult {
    /// Each side's figures.
    pub sides: PerSide<PollSide>,
    /// Combined share of each option; `None` without ballots.
    pub combined: Option<Vec<f64>>,
    /// The side weights of the combined shares.
    pub weights: SideWeights,
    /// The options with the highest combined share (several on a tie, none without ballots).
    pub winners: Vec<usize>,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// [`Reason::NoBallots`] per silent side, then [`Reason::Winner`] or [`Reason::Tie`].
    pub reasons: Vec<Reason>,
}

/// Counts per option for each side, with each side's denominator, reduced to shares, combined shares and winners.
pub(crate) struct OptionCounts {
    pub(crate) counts: PerSide<Vec<u64>>,
    pub(crate) denominators: PerSide<u64>,
}

impl OptionCounts {
    pub(crate) fn new(options: usize) -> OptionCounts {
        OptionCounts {
            counts: PerSide { police: vec![0; options], community: vec![0; options] },
            denominators: PerSide::default(),
        }
    }

    pub(crate) fn shares(&self) -> PerSide<Option<Vec<f64>>> {
        PerSide {
            police: shares(&self.counts.police, self.denominators.police),
            community: shares(&self.counts.community, self.denominators.community),
        }
    }

    pub(crate) fn weights(&self) -> SideWeights {
        SideWeights::for_presence(self.denominators.police > 0, self.denominators.community > 0)
    }

    /// Exact keys ordering the options by combined share.
    pub(crate) fn keys(&self) -> Vec<i128> {
        let scale = Scale::new(self.denominators.police, self.denominators.community);
        let (p, c) = (&self.counts.police, &self.counts.community);
        p.iter().zip(c).map(|(p, c)| scale.key(i128::from(*p), i128::from(*c))).collect()
    }

    pub(crate) fn combined(&self, shares: &PerSide<Option<Vec<f64>>>) -> Option<Vec<f64>> {
        let len = self.counts.police.len();
        self.weights().combine_all(shares.police.as_deref(), shares.community.as_deref(), len)
    }

    /// The options with the highest combined share; none when no side has a denominator.
    pub(crate) fn winners(&self) -> Vec<usize> {
        if self.denominators.police == 0 && self.denominators.community == 0 {
            return Vec::new();
        }
        top(&self.keys())
    }
}

/// Tallies a poll. Each ballot is the set of options chosen (at least one, at most `max_choices`, no repeats).
pub fn tally_poll(settings: &PollSettings, ballots: &[Ballot<Vec<usize>>]) -> Result<PollResult, DecisionError> {
    if settings.options == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoOptions));
    }
    if settings.max_choices == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoChoicesAllowed));
    }
    let mut tally = OptionCounts::new(settings.options);
    for (index, b) in ballots.iter().enumerate() {
        check_option_set(settings.options, &b.choice).map_err(|p| DecisionError::ballot(index, p))?;
        if b.choice.len() > settings.max_choices {
            let problem = BallotProblem::TooManyChoices { chosen: b.choice.len(), max: settings.max_choices };
            return Err(DecisionError::ballot(index, problem));
        }
        *tally.denominators.get_mut(b.side) += 1;
        let counts = tally.counts.get_mut(b.side);
        for &o in &b.choice {
            counts[o] += 1;
        }
    }
    let shares = tally.shares();
    let combined = tally.combined(&shares);
    let winners = tally.winners();
    let mut reasons = no_ballot_reasons(tally.denominators);
    reasons.extend(winner_reasons(&winners));
    let n = tally.denominators;
    let sides = PerSide {
        police: PollSide { ballots: n.police, counts: tally.counts.police, shares: shares.police },
        community: PollSide { ballots: n.community, counts: tally.counts.community, shares: shares.community },
    };
    let weights = SideWeights::for_presence(n.police > 0, n.community > 0);
    Ok(PollResult { sides, combined, weights, winners, complete: n.police > 0 && n.community > 0, reasons })
}

/// Whether a voter can make a candidate time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    /// Can come.
    Yes,
    /// Could come if need be.
    Maybe,
    /// Cannot come.
    No,
}

impl Availability {
    /// All answers.
    pub const ALL: [Availability; 3] = [Availability::Yes, Availability::Maybe, Availability::No];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Yes => "yes",
            Availability::Maybe => "maybe",
            Availability::No => "no",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Availability> {
        Availability::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// One side's figures on a time poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePollSide {
    /// Ballots cast by the side.
    pub ballots: u64,
    /// Yes answers per candidate.
    pub yes: Vec<u64>,
    /// Maybe answers per candidate.
    pub maybe: Vec<u64>,
    /// No answers per candidate.
    pub no: Vec<u64>,
    /// Share of the side answering yes, per candidate; `None` without ballots.
    pub yes_share: Option<Vec<f64>>,
    /// Share of the side answering yes or maybe, per candidate; `None` without ballots.
    pub yes_or_maybe_share: Option<Vec<f64>>,
}

/// The tally of a time poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePollResult {
    /// Each side's figures.
    pub sides: PerSide<TimePollSide>,
    /// Combined yes share per candidate; `None` without ballots.
    pub combined_yes_share: Option<Vec<f64>>,
    /// Combined yes-or-maybe share per candidate; `None` without ballots.
    pub combined_yes_or_maybe_share: Option<Vec<f64>>,
    /// The side weights of the combined shares.
    pub weights: SideWeights,
    /// Every candidate, best first: by combined yes share, then combined yes-or-maybe share (both descending), then
    /// by index. Empty without ballots.
    pub ranking: Vec<usize>,
    /// The candidates tied for first place on both shares (empty without ballots).
    pub best: Vec<usize>,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// [`Reason::NoBallots`] per silent side, then [`Reason::Winner`] or [`Reason::Tie`] for the best times.
    pub reasons: Vec<Reason>,
}

/// Tallies a time poll. Each ballot answers every candidate time, in order.
pub fn tally_time_poll(
    candidates: usize,
    ballots: &[Ballot<Vec<Availability>>],
) -> Result<TimePollResult, DecisionError> {
    if candidates == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoOptions));
    }
    let mut yes = OptionCounts::new(candidates);
    let mut either = OptionCounts::new(candidates);
    let mut maybe = PerSide { police: vec![0u64; candidates], community: vec![0u64; candidates] };
    let mut no = maybe.clone();
    for (index, b) in ballots.iter().enumerate() {
        check_length(candidates, b.choice.len()).map_err(|p| DecisionError::ballot(index, p))?;
        for (i, a) in b.choice.iter().enumerate() {
            match a {
                Availability::Yes => yes.counts.get_mut(b.side)[i] += 1,
                Availability::Maybe => maybe.get_mut(b.side)[i] += 1,
                Availability::No => no.get_mut(b.side)[i] += 1,
            }
            if *a != Availability::No {
                either.counts.get_mut(b.side)[i] += 1;
            }
        }
    }
    let n = ballots_per_side(ballots);
    yes.denominators = n;
    either.denominators = n;
    let (yes_shares, either_shares) = (yes.shares(), either.shares());
    let combined_yes_share = yes.combined(&yes_shares);
    let combined_yes_or_maybe_share = either.combined(&either_shares);
    let (ranking, best) = if n.police + n.community == 0 {
        (Vec::new(), Vec::new())
    } else {
        let keys: Vec<(i128, i128)> = yes.keys().into_iter().zip(either.keys()).collect();
        let mut ranking: Vec<usize> = (0..candidates).collect();
        ranking.sort_by(|a, b| keys[*b].cmp(&keys[*a]).then(a.cmp(b)));
        let best = ranking.iter().copied().filter(|c| keys[*c] == keys[ranking[0]]).collect();
        (ranking, best)
    };
    let mut reasons = no_ballot_reasons(n);
    reasons.extend(winner_reasons(&best));
    let side = |s: Side| TimePollSide {
        ballots: *n.get(s),
        yes: yes.counts.get(s).clone(),
        maybe: maybe.get(s).clone(),
        no: no.get(s).clone(),
        yes_share: yes_shares.get(s).clone(),
        yes_or_maybe_share: either_shares.get(s).clone(),
    };
    let sides = PerSide { police: side(Side::Police), community: side(Side::Community) };
    Ok(TimePollResult {
        sides,
        combined_yes_share,
        combined_yes_or_maybe_share,
        weights: yes.weights(),
        ranking,
        best,
        complete: n.police > 0 && n.community > 0,
        reasons,
    })
}

/// The tally of a question round: responses only, no figures to combine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionRoundResult {
    /// Responses from each side.
    pub responses: PerSide<u64>,
    /// All responses.
    pub total: u64,
    /// False when a side gave no response.
    pub complete: bool,
    /// [`Reason::NoBallots`] per silent side.
    pub reasons: Vec<Reason>,
}

/// Counts the responses to a question round per side; the responses themselves can be of any type.
pub fn tally_question_round<T>(responses: &[Ballot<T>]) -> QuestionRoundResult {
    let n = ballots_per_side(responses);
    QuestionRoundResult {
        responses: n,
        total: n.police + n.community,
        complete: n.police > 0 && n.community > 0,
        reasons: no_ballot_reasons(n),
    }
}
