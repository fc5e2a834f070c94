//! Proposals (agree / abstain / disagree / block), consent decisions and sense checks.

use super::{Ballot, Outcome, PerSide, Quorum, Reason, SIDES, SideWeights, no_ballot_reasons};
use serde::{Deserialize, Serialize};

/// A ballot on a proposal or sense check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalChoice {
    /// In favour.
    Agree,
    /// Takes part without taking a position; counts towards turnout and quorum only.
    Abstain,
    /// Against.
    Disagree,
    /// Against, and strongly enough to stop the proposal alone.
    Block,
}

impl ProposalChoice {
    /// All choices, in display order.
    pub const ALL: [ProposalChoice; 4] =
        [ProposalChoice::Agree, ProposalChoice::Abstain, ProposalChoice::Disagree, ProposalChoice::Block];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalChoice::Agree => "agree",
            ProposalChoice::Abstain => "abstain",
            ProposalChoice::Disagree => "disagree",
            ProposalChoice::Block => "block",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<ProposalChoice> {
        ProposalChoice::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// Ballots of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ProposalCounts {
    /// Agree ballots.
    pub agree: u64,
    /// Abstentions.
    pub abstain: u64,
    /// Disagree ballots.
    pub disagree: u64,
    /// Blocks.
    pub block: u64,
}

impl ProposalCounts {
    /// All ballots (the turnout).
    pub fn total(&self) -> u64 {
        self.agree + self.abstain + self.disagree + self.block
    }

    /// The votes against: disagree plus block.
    pub fn against(&self) -> u64 {
        self.disagree + self.block
    }

    /// Agree among agree, disagree and block; `None` without any of them.
    pub fn decisive_agree_share(&self) -> Option<f64> {
        let decisive = self.agree + self.against();
        (decisive > 0).then(|| self.agree as f64 / decisive as f64)
    }

    /// Whether agree has a strict majority over disagree plus block.
    pub fn has_majority(&self) -> bool {
        self.agree > self.against()
    }

    fn add(&mut self, choice: ProposalChoice) {
        match choice {
            ProposalChoice::Agree => self.agree += 1,
            ProposalChoice::Abstain => self.abstain += 1,
            ProposalChoice::Disagree => self.disagree += 1,
            ProposalChoice::Block => self.block += 1,
        }
    }

    fn shares(&self) -> Option<ProposalShares> {
        let n = self.total();
        (n > 0).then(|| {
            let s = |c: u64| c as f64 / n as f64;
            ProposalShares {
                agree: s(self.agree),
                abstain: s(self.abstain),
                disagree: s(self.disagree),
                block: s(self.block),
            }
        })
    }
}

/// The share of each kind of ballot among all ballots, abstentions included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProposalShares {
    /// Share agreeing.
    pub agree: f64,
    /// Share abstaining.
    pub abstain: f64,
    /// Share disagreeing.
    pub disagree: f64,
    /// Share blocking.
    pub block: f64,
}

/// One side's figures on a proposal or sense check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalSide {
    /// Ballots of each kind.
    pub counts: ProposalCounts,
    /// Voters of the side who cast any ballot.
    pub turnout: u64,
    /// Voters needed (0 = no quorum; always 0 for a sense check).
    pub quorum: u64,
    /// Whether the turnout reaches the quorum.
    pub quorum_met: bool,
    /// Shares among all the side's ballots; `None` when it has none.
    pub shares: Option<ProposalShares>,
    /// Agree among agree + disagree + block; `None` when the side has none of those.
    pub decisive_agree_share: Option<f64>,
    /// Whether agree has a strict majority over disagree + block within the side.
    pub majority: bool,
}

/// The combined (50/50) figures of a proposal or sense check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalCombined {
    /// `w_p·share_police + w_c·share_community` for every kind of ballot (weights of [`ProposalResult::weights`]);
    /// `None` without ballots.
    pub shares: Option<ProposalShares>,
    /// The combined decisive agree share. Its weights are ½/½ when both sides cast agree, disagree or block ballots
    /// and otherwise fall wholly on the side that did (a side that only abstained has no decisive share).
    pub decisive_agree_share: Option<f64>,
}

/// The tally of a proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalResult {
    /// Whether it passed under the parity rule.
    pub outcome: Outcome,
    /// Each side's figures.
    pub sides: PerSide<ProposalSide>,
    /// Combined figures.
    pub combined: ProposalCombined,
    /// The side weights of the combined shares.
    pub weights: SideWeights,
    /// False when a side cast no ballot (its weight is then 0).
    pub complete: bool,
    /// Why: per side, police first — no ballots, quorum, majority — then any blocks.
    pub reasons: Vec<Reason>,
}

/// The tally of a sense check: the figures of a proposal, without pass or fail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SenseCheckResult {
    /// Each side's figures (quorum 0).
    pub sides: PerSide<ProposalSide>,
    /// Combined figures.
    pub combined: ProposalCombined,
    /// The side weights of the combined shares.
    pub weights: SideWeights,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// [`Reason::NotBinding`], then [`Reason::NoBallots`] for a silent side.
    pub reasons: Vec<Reason>,
}

fn proposal_figures(
    ballots: &[Ballot<ProposalChoice>],
    quorum: Quorum,
) -> (PerSide<ProposalSide>, ProposalCombined, SideWeights) {
    let mut counts = PerSide::<ProposalCounts>::default();
    for b in ballots {
        counts.get_mut(b.side).add(b.choice);
    }
    let sides = counts.map(|side, c| ProposalSide {
        counts: c,
        turnout: c.total(),
        quorum: quorum.of(side),
        quorum_met: c.total() >= quorum.of(side),
        shares: c.shares(),
        decisive_agree_share: c.decisive_agree_share(),
        majority: c.has_majority(),
    });
    let weights = SideWeights::for_presence(counts.police.total() > 0, counts.community.total() > 0);
    let (p, c) = (sides.police.shares, sides.community.shares);
    let field = |f: fn(&ProposalShares) -> f64| weights.combine(p.as_ref().map(f), c.as_ref().map(f));
    let shares = match (field(|s| s.agree), field(|s| s.abstain), field(|s| s.disagree), field(|s| s.block)) {
        (Some(agree), Some(abstain), Some(disagree), Some(block)) => {
            Some(ProposalShares { agree, abstain, disagree, block })
        }
        _ => None,
    };
    let (dp, dc) = (sides.police.decisive_agree_share, sides.community.decisive_agree_share);
    let decisive_agree_share = SideWeights::for_presence(dp.is_some(), dc.is_some()).combine(dp, dc);
    (sides, ProposalCombined { shares, decisive_agree_share }, weights)
}

/// Tallies a proposal under the parity rule: it passes iff each side reaches its quorum and has a strict majority
/// of agree over disagree + block, and nobody blocks. A side without ballots fails (no majority).
pub fn tally_proposal(ballots: &[Ballot<ProposalChoice>], quorum: Quorum) -> ProposalResult {
    let (sides, combined, weights) = proposal_figures(ballots, quorum);
    let mut reasons = Vec::new();
    let mut passed = true;
    for side in SIDES {
        let s = sides.get(side);
        if s.turnout == 0 {
            reasons.push(Reason::NoBallots { side });
            passed = false;
        }
        if s.quorum > 0 {
            let (turnout, quorum) = (s.turnout, s.quorum);
            reasons.push(if s.quorum_met {
                Reason::QuorumMet { side, turnout, quorum }
            } else {
                Reason::QuorumNotMet { side, turnout, quorum }
            });
            passed &= s.quorum_met;
        }
        if s.turnout > 0 {
            let (agree, against) = (s.counts.agree, s.counts.against());
            reasons.push(if s.majority {
                Reason::Majority { side, agree, against }
            } else {
                Reason::NoMajority { side, agree, against }
            });
        }
        passed &= s.majority;
    }
    for side in SIDES {
        let blocks = sides.get(side).counts.block;
        if blocks > 0 {
            reasons.push(Reason::Blocked { side, blocks });
            passed = false;
        }
    }
    let outcome = if passed { Outcome::Passed } else { Outcome::Failed };
    let complete = sides.police.turnout > 0 && sides.community.turnout > 0;
    ProposalResult { outcome, sides, combined, weights, complete, reasons }
}

/// Tallies a sense check: the proposal figures, with no quorum and no outcome.
pub fn tally_sense_check(ballots: &[Ballot<ProposalChoice>]) -> SenseCheckResult {
    let (sides, combined, weights) = proposal_figures(ballots, Quorum::NONE);
    let complete = sides.police.turnout > 0 && sides.community.turnout > 0;
    let mut reasons = vec![Reason::NotBinding];
    reasons.extend(no_ballot_reasons(PerSide { police: sides.police.turnout, community: sides.community.turnout }));
    SenseCheckResult { sides, combined, weights, complete, reasons }
}

/// A ballot on a consent decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentChoice {
    /// Can live with it.
    Consent,
    /// Cannot: one objection stops the decision.
    Objection,
}

impl ConsentChoice {
    /// All choices.
    pub const ALL: [ConsentChoice; 2] = [ConsentChoice::Consent, ConsentChoice::Objection];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentChoice::Consent => "consent",
            ConsentChoice::Objection => "objection",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<ConsentChoice> {
        ConsentChoice::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// One side's figures on a consent decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentSide {
    /// Consent ballots.
    pub consents: u64,
    /// Objections.
    pub objections: u64,
    /// Voters of the side who cast a ballot.
    pub turnout: u64,
    /// Voters needed (0 = no quorum).
    pub quorum: u64,
    /// Whether the turnout reaches the quorum.
    pub quorum_met: bool,
    /// Consents among the side's ballots; `None` when it has none.
    pub consent_share: Option<f64>,
}

/// The tally of a consent decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentResult {
    /// Whether it passed.
    pub outcome: Outcome,
    /// Each side's figures.
    pub sides: PerSide<ConsentSide>,
    /// The combined consent share; `None` without ballots.
    pub combined_consent_share: Option<f64>,
    /// The side weights of the combined share.
    pub weights: SideWeights,
    /// False when a side cast no ballot.
    pub complete: bool,
    /// Why: per side, police first — no ballots, quorum, objections or none.
    pub reasons: Vec<Reason>,
}

/// Tallies a consent decision: it passes iff each side reaches its quorum and nobody on either side objects.
///
/// Silence is consent: a side that cast no ballot has no objection, so with a quorum of 0 for that side the decision
/// can pass on the other side's consent alone. The result is then marked incomplete and explains
/// [`Reason::NoBallots`]; partnerships that want both sides heard set a quorum of at least 1 per side.
pub fn tally_consent(ballots: &[Ballot<ConsentChoice>], quorum: Quorum) -> ConsentResult {
    let mut counts = PerSide::<(u64, u64)>::default();
    for b in ballots {
        let c = counts.get_mut(b.side);
        match b.choice {
            ConsentChoice::Consent => c.0 += 1,
            ConsentChoice::Objection => c.1 += 1,
        }
    }
    let sides = counts.map(|side, (consents, objections)| {
        let turnout = consents + objections;
        ConsentSide {
            consents,
            objections,
            turnout,
            quorum: quorum.of(side),
            quorum_met: turnout >= quorum.of(side),
            consent_share: (turnout > 0).then(|| consents as f64 / turnout as f64),
        }
    });
    let mut reasons = Vec::new();
    let mut passed = true;
    for side in SIDES {
        let s = sides.get(side);
        if s.turnout == 0 {
            reasons.push(Reason::NoBallots { side });
        }
        if s.quorum > 0 {
            let (turnout, quorum) = (s.turnout, s.quorum);
            reasons.push(if s.quorum_met {
                Reason::QuorumMet { side, turnout, quorum }
            } else {
                Reason::QuorumNotMet { side, turnout, quorum }
            });
            passed &= s.quorum_met;
        }
        if s.objections > 0 {
            reasons.push(Reason::Objected { side, objections: s.objections });
            passed = false;
        } else {
            reasons.push(Reason::NoObjection { side });
        }
    }
    let weights = SideWeights::for_presence(sides.police.turnout > 0, sides.community.turnout > 0);
    let combined_consent_share = weights.combine(sides.police.consent_share, sides.community.consent_share);
    let complete = sides.police.turnout > 0 && sides.community.turnout > 0;
    let outcome = if passed { Outcome::Passed } else { Outcome::Failed };
    ConsentResult { outcome, sides, combined_consent_share, weights, complete, reasons }
}
