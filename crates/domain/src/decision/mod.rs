//! Decisions: the tally engine for every decision type a partnership can use, under the parity rule.
//!
//! The rule (shared/METHODS.md, "Decisions") is that neither side can outvote the other:
//! - a binding **proposal** passes iff each side (police, community) reaches its quorum and has a strict majority of
//!   agree among its agree and disagree votes (abstentions aside, a block counts as a disagree, and any block from
//!   either side fails the proposal on its own);
//! - a **consent** decision passes iff each side reaches its quorum and nobody on either side objects;
//! - every **combined** figure weights each side 50 %: `share(option) = ½·share_police + ½·share_community`,
//!   whatever the head-counts; ranked choice gives each ballot the weight `½ / n_side`.
//!
//! Results always carry the figures of each side and the combined figure, plus a list of [`Reason`]s: a structured,
//! language-neutral explanation that the web layer translates.
//!
//! Conventions shared by every tally:
//! - **An empty side** (no ballots at all) contributes weight 0 and the side that voted gets weight 1, so combined
//!   figures use only what exists; such a result is marked incomplete (`complete: false`) and carries a
//!   [`Reason::NoBallots`] for the side. The weights actually used are reported as [`SideWeights`]. With no ballots
//!   at all there is no combined figure (`None`). A proposal never passes on one side's votes alone: a side without
//!   ballots cannot have a majority. Consent treats silence as consent unless a quorum says otherwise
//!   ([`tally_consent`]).
//! - **Ties are exact.** Floating-point figures are for display; who wins, who is eliminated and how candidates rank
//!   are decided on exact integer cross-products of the counts, so two options with the same rational share always
//!   tie, whatever the rounding of their `f64` values.
//! - **Ballot indices** in errors are 0-based positions in the slice passed in.
//! - Nothing here checks that a person votes once: the caller passes one ballot per voter.
//!
//! Submodules: [`proposal`] (proposal, consent, sense check), [`poll`] (single and multiple choice polls, time
//! polls, question rounds), [`score`] (score and dot votes), [`ranked`] (instant run-off) and [`common_ground`]
//! (group-informed consensus).

pub mod common_ground;
mod error;
pub mod poll;
pub mod proposal;
pub mod ranked;
pub mod score;

#[cfg(test)]
mod tests;

pub use common_ground::{
    CommonGroundCard, CommonGroundResult, CommonGroundSettings, Group, GroupTally, MIN_GROUP_VOTERS, Stance,
    StatementResult, rank_common_ground,
};
pub use error::{BallotProblem, DecisionError, SettingsProblem};
pub(crate) use error::{check_length, check_option_set};
pub use poll::{
    Availability, PollResult, PollSettings, PollSide, QuestionRoundResult, TimePollResult, TimePollSide, tally_poll,
    tally_question_round, tally_time_poll,
};
pub use proposal::{
    ConsentChoice, ConsentResult, ConsentSide, ProposalChoice, ProposalCombined, ProposalCounts, ProposalResult,
    ProposalShares, ProposalSide, SenseCheckResult, tally_consent, tally_proposal, tally_sense_check,
};
pub use ranked::{Elimination, IrvRound, RankedChoiceResult, TieBreak, tally_ranked_choice};
pub use score::{
    DotSettings, DotSide, DotVoteResult, ScoreRange, ScoreResult, ScoreSettings, ScoreSide, tally_dot_vote, tally_score,
};

use crate::account::Side;
use serde::{Deserialize, Serialize};

/// The decision types a partnership can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Agree / abstain / disagree / block; binding under the parity rule.
    Proposal,
    /// Consent / objection; passes when nobody objects.
    Consent,
    /// Proposal ballots without pass or fail.
    SenseCheck,
    /// One option per ballot.
    SingleChoicePoll,
    /// Up to a maximum number of options per ballot.
    MultipleChoicePoll,
    /// Instant run-off on ranked ballots.
    RankedChoice,
    /// Every option scored within a range.
    Score,
    /// Dots distributed over options.
    DotVote,
    /// Yes / maybe / no per candidate time.
    TimePoll,
    /// Written responses only.
    QuestionRound,
    /// Agree / disagree / pass on statements, ranked by group-informed consensus.
    CommonGround,
}

impl DecisionKind {
    /// All kinds, in display order.
    pub const ALL: [DecisionKind; 11] = [
        DecisionKind::Proposal,
        DecisionKind::Consent,
        DecisionKind::SenseCheck,
        DecisionKind::SingleChoicePoll,
        DecisionKind::MultipleChoicePoll,
        DecisionKind::RankedChoice,
        DecisionKind::Score,
        DecisionKind::DotVote,
        DecisionKind::TimePoll,
        DecisionKind::QuestionRound,
        DecisionKind::CommonGround,
    ];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Proposal => "proposal",
            DecisionKind::Consent => "consent",
            DecisionKind::SenseCheck => "sense_check",
            DecisionKind::SingleChoicePoll => "single_choice_poll",
            DecisionKind::MultipleChoicePoll => "multiple_choice_poll",
            DecisionKind::RankedChoice => "ranked_choice",
            DecisionKind::Score => "score",
            DecisionKind::DotVote => "dot_vote",
            DecisionKind::TimePoll => "time_poll",
            DecisionKind::QuestionRound => "question_round",
            DecisionKind::CommonGround => "common_ground",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Whether the outcome binds the partnership (has pass or fail).
    pub fn is_binding(self) -> bool {
        matches!(self, DecisionKind::Proposal | DecisionKind::Consent)
    }
}

/// One voter's ballot: the side the voter sits on and what they chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot<T> {
    /// The voter's side.
    pub side: Side,
    /// The choice; its type depends on the decision type.
    pub choice: T,
}

impl<T> Ballot<T> {
    /// A ballot.
    pub fn new(side: Side, choice: T) -> Self {
        Ballot { side, choice }
    }
}

/// One value per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PerSide<T> {
    /// The police side's value.
    pub police: T,
    /// The community side's value.
    pub community: T,
}

impl<T> PerSide<T> {
    /// The value of one side.
    pub fn get(&self, side: Side) -> &T {
        match side {
            Side::Police => &self.police,
            Side::Community => &self.community,
        }
    }

    /// The value of one side, mutably.
    pub fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Police => &mut self.police,
            Side::Community => &mut self.community,
        }
    }

    /// Applies `f` to both values.
    pub fn map<U>(self, mut f: impl FnMut(Side, T) -> U) -> PerSide<U> {
        PerSide { police: f(Side::Police, self.police), community: f(Side::Community, self.community) }
    }
}

/// Both sides, police first (the order of every per-side report).
pub const SIDES: [Side; 2] = [Side::Police, Side::Community];

/// The sides with nobody in a list of named voters (police first); empty when both sides are there.
///
/// The parity rule counts each side on its own: a side without voters can never reach a majority, so a binding
/// decision could not pass, and every combined figure would be the other side's alone. A decision restricted to
/// named people therefore names at least one voter of each side.
pub fn missing_sides(voters: &[Side]) -> Vec<Side> {
    SIDES.into_iter().filter(|s| !voters.contains(s)).collect()
}

/// The minimum number of voters of each side who must cast a ballot (of any kind, abstentions included); 0 means
/// no quorum for that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Quorum {
    /// Police voters needed.
    pub police: u64,
    /// Community voters needed.
    pub community: u64,
}

impl Quorum {
    /// No quorum on either side.
    pub const NONE: Quorum = Quorum { police: 0, community: 0 };

    /// The same quorum for both sides.
    pub fn each(n: u64) -> Quorum {
        Quorum { police: n, community: n }
    }

    /// The quorum of one side.
    pub fn of(&self, side: Side) -> u64 {
        match side {
            Side::Police => self.police,
            Side::Community => self.community,
        }
    }
}

/// The weight each side's figures carry in a combined figure: ½ and ½ when both sides contribute, 1 and 0 when only
/// one does, 0 and 0 when neither does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideWeights {
    /// Weight of the police side.
    pub police: f64,
    /// Weight of the community side.
    pub community: f64,
}

impl SideWeights {
    /// The weights for the sides that contribute.
    pub fn for_presence(police: bool, community: bool) -> SideWeights {
        match (police, community) {
            (true, true) => SideWeights { police: 0.5, community: 0.5 },
            (true, false) => SideWeights { police: 1.0, community: 0.0 },
            (false, true) => SideWeights { police: 0.0, community: 1.0 },
            (false, false) => SideWeights { police: 0.0, community: 0.0 },
        }
    }

    /// The weight of one side.
    pub fn of(&self, side: Side) -> f64 {
        match side {
            Side::Police => self.police,
            Side::Community => self.community,
        }
    }

    /// `w_police·police + w_community·community`; `None` when neither side contributes. A side without a value must
    /// have weight 0.
    pub fn combine(&self, police: Option<f64>, community: Option<f64>) -> Option<f64> {
        if self.police == 0.0 && self.community == 0.0 {
            return None;
        }
        Some(self.police * police.unwrap_or(0.0) + self.community * community.unwrap_or(0.0))
    }

    /// [`SideWeights::combine`] element-wise over per-option figures.
    pub fn combine_all(&self, police: Option<&[f64]>, community: Option<&[f64]>, len: usize) -> Option<Vec<f64>> {
        if self.police == 0.0 && self.community == 0.0 {
            return None;
        }
        let at = |v: Option<&[f64]>, i: usize| v.map(|v| v[i]);
        (0..len).map(|i| self.combine(at(police, i), at(community, i))).collect()
    }
}

/// Exact comparison of combined figures. A combined figure `½·x_p/n_p + ½·x_c/n_c` equals
/// `(x_p·n_c + x_c·n_p) / (2·n_p·n_c)`; within one tally the denominator is common, so the integer
/// `x_p·n_c + x_c·n_p` orders options exactly. With one side empty the key is that side's `x`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    police: i128,
    community: i128,
}

impl Scale {
    /// The scale for side denominators `n_police` and `n_community`.
    pub(crate) fn new(n_police: u64, n_community: u64) -> Scale {
        match (n_police > 0, n_community > 0) {
            (true, true) => Scale { police: i128::from(n_community), community: i128::from(n_police) },
            (true, false) => Scale { police: 1, community: 0 },
            (false, true) => Scale { police: 0, community: 1 },
            (false, false) => Scale { police: 0, community: 0 },
        }
    }

    /// The exact ordering key of a combined figure with side numerators `police` and `community`.
    pub(crate) fn key(&self, police: i128, community: i128) -> i128 {
        police * self.police + community * self.community
    }
}

/// The indices holding the largest key (several on a tie); empty when `keys` is.
pub(crate) fn top(keys: &[i128]) -> Vec<usize> {
    let Some(max) = keys.iter().max() else { return Vec::new() };
    keys.iter().enumerate().filter(|(_, k)| *k == max).map(|(i, _)| i).collect()
}

/// `count / n` for every count, or `None` when `n` is 0.
pub(crate) fn shares(counts: &[u64], n: u64) -> Option<Vec<f64>> {
    (n > 0).then(|| counts.iter().map(|c| *c as f64 / n as f64).collect())
}

/// Counts the ballots of each side.
pub(crate) fn ballots_per_side<T>(ballots: &[Ballot<T>]) -> PerSide<u64> {
    let mut n = PerSide::<u64>::default();
    for b in ballots {
        *n.get_mut(b.side) += 1;
    }
    n
}

/// [`Reason::NoBallots`] for every side with no ballots.
pub(crate) fn no_ballot_reasons(n: PerSide<u64>) -> Vec<Reason> {
    SIDES.into_iter().filter(|s| *n.get(*s) == 0).map(|side| Reason::NoBallots { side }).collect()
}

/// The reasons for the winners of a plurality-style tally.
pub(crate) fn winner_reasons(winners: &[usize]) -> Vec<Reason> {
    match winners {
        [] => Vec::new(),
        [option] => vec![Reason::Winner { option: *option }],
        options => vec![Reason::Tie { options: options.to_vec() }],
    }
}

/// The outcome of a binding decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Carried.
    Passed,
    /// Not carried.
    Failed,
}

/// One step of the explanation of a result. The web layer renders each as a sentence in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The side cast no ballots: its figures are missing, combined figures use the other side only and the result is
    /// incomplete. A proposal fails because that side cannot have a majority.
    NoBallots {
        /// The silent side.
        side: Side,
    },
    /// The side reached its quorum.
    QuorumMet {
        /// The side.
        side: Side,
        /// Voters of the side who cast a ballot.
        turnout: u64,
        /// Voters needed.
        quorum: u64,
    },
    /// The side did not reach its quorum, so the decision fails.
    QuorumNotMet {
        /// The side.
        side: Side,
        /// Voters of the side who cast a ballot.
        turnout: u64,
        /// Voters needed.
        quorum: u64,
    },
    /// More of the side agreed than disagreed (blocks count as disagree; abstentions aside).
    Majority {
        /// The side.
        side: Side,
        /// Agree votes.
        agree: u64,
        /// Disagree votes plus blocks.
        against: u64,
    },
    /// The side has no strict majority of agree (a tie is no majority), so the proposal fails: the other side cannot
    /// outvote it.
    NoMajority {
        /// The side.
        side: Side,
        /// Agree votes.
        agree: u64,
        /// Disagree votes plus blocks.
        against: u64,
    },
    /// Members of the side blocked: a single block fails a proposal, whatever the majorities.
    Blocked {
        /// The side.
        side: Side,
        /// Number of blocks.
        blocks: u64,
    },
    /// Nobody on the side objected.
    NoObjection {
        /// The side.
        side: Side,
    },
    /// Members of the side objected: a single objection fails a consent decision.
    Objected {
        /// The side.
        side: Side,
        /// Number of objections.
        objections: u64,
    },
    /// A sense check is a temperature reading and binds nobody.
    NotBinding,
    /// The side's ballots hold no dots at all, so it has no shares (dot vote).
    NoDots {
        /// The side.
        side: Side,
    },
    /// The option (0-based) has the highest combined figure (or won the run-off).
    Winner {
        /// The winning option.
        option: usize,
    },
    /// These options (0-based) share the highest combined figure.
    Tie {
        /// The tied options.
        options: Vec<usize>,
    },
    /// Instant run-off: the option was eliminated in this round (1-based).
    Eliminated {
        /// Round.
        round: usize,
        /// The option.
        option: usize,
        /// How a tie for last place was broken, if there was one.
        tie_break: Option<TieBreak>,
    },
    /// Instant run-off: the winner has more than half of the weight still in play in this round (1-based).
    MajorityReached {
        /// Round.
        round: usize,
        /// The winner.
        option: usize,
    },
}
