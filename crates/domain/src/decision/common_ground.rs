//! Common ground: statements ranked by group-informed consensus, as in Polis (shared/METHODS.md, "Decisions").
//!
//! For a statement, each group `g` with `a_g` agrees among `n_g` votes (agree + disagree + pass) contributes the
//! factor `(a_g + 1) / (n_g + 2)` (Laplace's rule of succession: the chance the group's next voter agrees), and
//! `GIC = Π_g (a_g + 1) / (n_g + 2)`. A statement ranks high only when **every** group tends to agree, so no group
//! can carry it alone. GIC lies in (0, 1); a group that has not voted on the statement contributes ½.
//!
//! Groups:
//! - the two sides are always groups, even when one of them has not voted on the statement;
//! - demographic groups come from the labels on each voter's card (a voter may carry several; repeats count once)
//!   and take part in a statement only when at least `min_group_size` voters of the group voted on it. With
//!   `min_group_size = 0` every label seen on any card is a group of every statement. For groups drawn from
//!   members' private profiles the minimum is [`MIN_GROUP_VOTERS`] (k = 5): a smaller group is pooled with the
//!   voters who gave no answer, enters no product and is never reported, so it cannot change the ranking;
//! - with `pool_remainder` set, that pool (voters of the statement in no counted group) is itself kept at 0 or at
//!   least `min_group_size`: while it has 1 to `min_group_size − 1` voters the smallest counted group (fewest votes,
//!   then label order) joins it. Otherwise, subtracting the shown groups from the sides' totals would reveal the
//!   votes of a small pool (the small-cell rule of shared/METHODS.md: nothing that identifies individuals).
//!
//! Adding an agree vote never lowers GIC while the set of groups stays the same: `(a+2)/(n+3) ≥ (a+1)/(n+2)` since
//! `a ≤ n`. A vote that lifts a demographic group to `min_group_size` brings in a new factor below 1 and can lower
//! it: that is the price of keeping small groups out of view.
//!
//! Divisiveness is `|agree_share_police − agree_share_community|` with `agree_share = a/n` (pass votes included in
//! `n`); it is undefined while a side has not voted on the statement.
//!
//! Orderings are deterministic: by GIC (descending, as `f64`), by divisiveness (descending, exact, undefined last),
//! ties by statement index.

use super::{Ballot, BallotProblem, DecisionError, PerSide, SettingsProblem, ballots_per_side};
use crate::account::Side;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// A vote on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    /// Agrees.
    Agree,
    /// Disagrees.
    Disagree,
    /// Saw the statement and passed (unsure); counts in `n` but not in `a`.
    Pass,
}

impl Stance {
    /// All stances.
    pub const ALL: [Stance; 3] = [Stance::Agree, Stance::Disagree, Stance::Pass];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Agree => "agree",
            Stance::Disagree => "disagree",
            Stance::Pass => "pass",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// One voter's card: demographic group labels and a stance per statement (the voter's side is on the [`Ballot`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommonGroundCard {
    /// Demographic group labels (may be empty).
    pub groups: Vec<String>,
    /// Stance on each statement, in order; `None` (or a card shorter than the list) = not voted.
    pub stances: Vec<Option<Stance>>,
}

/// k, the voters a demographic group drawn from members' private profiles needs on a statement before it counts
/// in the statement's GIC and is shown (the small-cell rule; see the module documentation).
pub const MIN_GROUP_VOTERS: u64 = 5;

/// The settings of a common-ground ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonGroundSettings {
    /// Number of statements (indexed from 0).
    pub statements: usize,
    /// Voters a demographic group needs on a statement to count in its GIC (the sides always count).
    pub min_group_size: u64,
    /// Keep the pool of voters in no counted group at 0 or at least `min_group_size` on every statement, by
    /// pooling the smallest counted groups too (see the module documentation). Meant for labels that partition the
    /// voters, such as the answers to one demographic question.
    #[serde(default)]
    pub pool_remainder: bool,
}

/// A group whose agreement counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Group {
    /// One of the two sides.
    Side(Side),
    /// A demographic group, by label.
    Label(String),
}

/// One group's votes on a statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTally {
    /// The group.
    pub group: Group,
    /// Agree votes (`a_g`).
    pub agree: u64,
    /// Disagree votes.
    pub disagree: u64,
    /// Pass votes.
    pub pass: u64,
    /// All votes (`n_g`).
    pub votes: u64,
    /// `a_g / n_g`; `None` without votes.
    pub agree_share: Option<f64>,
    /// The group's factor `(a_g + 1) / (n_g + 2)`.
    pub factor: f64,
}

/// The figures of one statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementResult {
    /// The statement (0-based).
    pub statement: usize,
    /// The groups counted, police then community, then labels in alphabetical order.
    pub groups: Vec<GroupTally>,
    /// Group-informed consensus, the product of the groups' factors.
    pub gic: f64,
    /// `|agree_share_police − agree_share_community|`; `None` while a side has no vote on it.
    pub divisiveness: Option<f64>,
}

/// The common-ground ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommonGroundResult {
    /// Every statement, in index order.
    pub statements: Vec<StatementResult>,
    /// Statement indices by GIC, highest first.
    pub by_consensus: Vec<usize>,
    /// Statement indices by divisiveness, most divisive first (undefined last).
    pub most_divisive: Vec<usize>,
    /// Voters (cards) per side.
    pub voters: PerSide<u64>,
    /// False when a side has no voter.
    pub complete: bool,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    agree: u64,
    disagree: u64,
    pass: u64,
}

impl Counts {
    fn add(&mut self, stance: Stance) {
        match stance {
            Stance::Agree => self.agree += 1,
            Stance::Disagree => self.disagree += 1,
            Stance::Pass => self.pass += 1,
        }
    }

    fn votes(&self) -> u64 {
        self.agree + self.disagree + self.pass
    }

    fn tally(&self, group: Group) -> GroupTally {
        let votes = self.votes();
        GroupTally {
            group,
            agree: self.agree,
            disagree: self.disagree,
            pass: self.pass,
            votes,
            agree_share: (votes > 0).then(|| self.agree as f64 / votes as f64),
            factor: (self.agree + 1) as f64 / (votes + 2) as f64,
        }
    }
}

/// Ranks statements by group-informed consensus and by divisiveness.
pub fn rank_common_ground(
    settings: &CommonGroundSettings,
    cards: &[Ballot<CommonGroundCard>],
) -> Result<CommonGroundResult, DecisionError> {
    let statements = settings.statements;
    if statements == 0 {
        return Err(DecisionError::settings(SettingsProblem::NoOptions));
    }
    let mut labels = BTreeSet::new();
    for (index, card) in cards.iter().enumerate() {
        let problem = if card.choice.stances.len() > statements {
            Some(BallotProblem::WrongLength { expected: statements, got: card.choice.stances.len() })
        } else if card.choice.groups.iter().any(|g| g.trim().is_empty()) {
            Some(BallotProblem::EmptyGroupLabel)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(DecisionError::ballot(index, problem));
        }
        labels.extend(card.choice.groups.iter().map(String::as_str));
    }
    let labels: Vec<&str> = labels.into_iter().collect();
    // Each card's labels as indices into `labels`, without repeats.
    let card_labels: Vec<BTreeSet<usize>> = cards
        .iter()
        .map(|c| c.choice.groups.iter().filter_map(|g| labels.binary_search(&g.as_str()).ok()).collect())
        .collect();
    let mut sides = vec![PerSide::<Counts>::default(); statements];
    let mut by_label = vec![vec![Counts::default(); labels.len()]; statements];
    for (card, own) in cards.iter().zip(&card_labels) {
        for (s, stance) in card.choice.stances.iter().enumerate() {
            let Some(stance) = *stance else { continue };
            sides[s].get_mut(card.side).add(stance);
            for l in own {
                by_label[s][*l].add(stance);
            }
        }
    }
    let results: Vec<StatementResult> = (0..statements)
        .map(|statement| {
            let side = sides[statement];
            let mut groups =
                vec![side.police.tally(Group::Side(Side::Police)), side.community.tally(Group::Side(Side::Community))];
            let counted = counted_labels(settings, statement, &by_label[statement], cards, &card_labels);
            for (l, counts) in by_label[statement].iter().enumerate() {
                if counted[l] {
                    groups.push(counts.tally(Group::Label(labels[l].to_owned())));
                }
            }
            let gic = groups.iter().map(|g| g.factor).product();
            let divisiveness = match (groups[0].agree_share, groups[1].agree_share) {
                (Some(p), Some(c)) => Some((p - c).abs()),
                _ => None,
            };
            StatementResult { statement, groups, gic, divisiveness }
        })
        .collect();
    let mut by_consensus: Vec<usize> = (0..statements).collect();
    by_consensus.sort_by(|a, b| results[*b].gic.total_cmp(&results[*a].gic).then(a.cmp(b)));
    let mut most_divisive: Vec<usize> = (0..statements).collect();
    most_divisive.sort_by(|a, b| compare_divisiveness(&sides[*b], &sides[*a]).then(a.cmp(b)));
    let voters = ballots_per_side(cards);
    let complete = voters.police > 0 && voters.community > 0;
    Ok(CommonGroundResult { statements: results, by_consensus, most_divisive, voters, complete })
}

/// Which labels count on a statement: those with at least `min_group_size` votes on it, less the smallest ones
/// pooled to keep the remainder at 0 or at least `min_group_size` when `pool_remainder` is set.
fn counted_labels(
    settings: &CommonGroundSettings,
    statement: usize,
    counts: &[Counts],
    cards: &[Ballot<CommonGroundCard>],
    card_labels: &[BTreeSet<usize>],
) -> Vec<bool> {
    let min = settings.min_group_size;
    let mut counted: Vec<bool> = counts.iter().map(|c| c.votes() >= min).collect();
    if !settings.pool_remainder {
        return counted;
    }
    // Voters of this statement, by their labels.
    let voted: Vec<&BTreeSet<usize>> = cards
        .iter()
        .zip(card_labels)
        .filter(|(c, _)| c.choice.stances.get(statement).is_some_and(Option::is_some))
        .map(|(_, own)| own)
        .collect();
    loop {
        let remainder = voted.iter().filter(|own| !own.iter().any(|l| counted[*l])).count() as u64;
        if remainder == 0 || remainder >= min {
            return counted;
        }
        // The smallest counted group joins the pool (fewest votes, then label order).
        let Some(smallest) = (0..counts.len()).filter(|l| counted[*l]).min_by_key(|l| (counts[*l].votes(), *l)) else {
            return counted;
        };
        counted[smallest] = false;
    }
}

/// Exact divisiveness `|a_p·n_c − a_c·n_p| / (n_p·n_c)` as a fraction; `None` while a side has no vote.
fn divisiveness_fraction(side: &PerSide<Counts>) -> Option<(u128, u128)> {
    let (p, c) = (&side.police, &side.community);
    let (np, nc) = (u128::from(p.votes()), u128::from(c.votes()));
    (np > 0 && nc > 0).then(|| (u128::from(p.agree) * nc).abs_diff(u128::from(c.agree) * np)).map(|d| (d, np * nc))
}

/// Orders by exact divisiveness, undefined lowest.
fn compare_divisiveness(a: &PerSide<Counts>, b: &PerSide<Counts>) -> Ordering {
    match (divisiveness_fraction(a), divisiveness_fraction(b)) {
        (Some((x, y)), Some((u, v))) => (x * v).cmp(&(u * y)),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}
