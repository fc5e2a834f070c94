//! The ranking of a common-ground activity: stored votes become one card per voter and go through the domain's
//! [`rank_common_ground`]. The engine only knows ballots that sit on a side, so the sides are ranked from members'
//! cards, and the public (no side) in a second pass as a labelled group, which the engine counts on a statement only
//! once `min_group_size` of the public voted on it; the public's factor then joins the product of the sides'.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use commonbeat_domain::Side;
use commonbeat_domain::decision::{
    Ballot, CommonGroundCard, CommonGroundSettings, DecisionError, Group, GroupTally, Stance, rank_common_ground,
};
use commonbeat_store::entities::{cg_statement, cg_vote, decision};
use commonbeat_store::repo::decisions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The label of the public's group.
pub const PUBLIC: &str = "public";

/// Settings stored with an activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CgSettings {
    /// Public voters a statement needs before the public counts as a group on it.
    #[serde(default = "default_min_group")]
    pub min_group_size: u64,
}

fn default_min_group() -> u64 {
    5
}

impl Default for CgSettings {
    fn default() -> CgSettings {
        CgSettings { min_group_size: default_min_group() }
    }
}

impl CgSettings {
    /// From a stored activity (five when unset).
    pub fn of(d: &decision::Model) -> CgSettings {
        serde_json::from_str(&d.settings).unwrap_or_default()
    }
}

/// One group's votes on a statement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CgGroupOut {
    /// `police`, `community` or `public`.
    pub group: String,
    /// Agree votes.
    pub agree: u64,
    /// Disagree votes.
    pub disagree: u64,
    /// Pass votes.
    pub pass: u64,
    /// All votes (agree + disagree + pass).
    pub votes: u64,
    /// Percent of the group's votes that agree (pass votes count in the total); null without votes.
    pub agree_pct: Option<f64>,
}

/// A ranked statement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CgStatementOut {
    /// Statement id.
    pub id: i64,
    /// The statement.
    pub body: String,
    /// Place by GIC, from 1.
    pub rank: usize,
    /// Group-informed consensus: the product over the groups of (agree + 1) / (votes + 2).
    pub gic: f64,
    /// |police agree share − community agree share| (0 to 1); null while a side has not voted on it.
    pub divisiveness: Option<f64>,
    /// The groups counted: police, community, then the public once enough of it voted.
    pub groups: Vec<CgGroupOut>,
}

/// Voters per group.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CgVoters {
    /// Police-side members who voted.
    pub police: u64,
    /// Community-side members who voted.
    pub community: u64,
    /// Members of the public who voted.
    pub public: u64,
}

/// The ranking of an activity's approved statements.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// In GIC order, highest first.
    pub statements: Vec<CgStatementOut>,
    /// Ids by divisiveness, most divisive first (only statements with a defined, non-zero divisiveness).
    pub divisive: Vec<i64>,
    /// Voters per group.
    pub voters: CgVoters,
}

fn pct(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 1000.0).round() / 10.0)
}

fn group_out(name: &str, g: &GroupTally) -> CgGroupOut {
    CgGroupOut {
        group: name.into(),
        agree: g.agree,
        disagree: g.disagree,
        pass: g.pass,
        votes: g.votes,
        agree_pct: pct(g.agree_share),
    }
}

/// Ranks approved statements by GIC from their votes (see the module documentation for the public's group).
pub fn rank(statements: &[cg_statement::Model], votes: &[cg_vote::Model], min_group_size: u64) -> AppResult<Ranking> {
    let n = statements.len();
    if n == 0 {
        return Ok(Ranking::default());
    }
    let index: BTreeMap<i64, usize> = statements.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    // One card per voter key; the side of the voter's latest vote.
    let mut cards: BTreeMap<&str, (Option<Side>, Vec<Option<Stance>>)> = BTreeMap::new();
    for v in votes {
        let (Some(i), Some(stance)) = (index.get(&v.statement_id), Stance::parse(&v.vote)) else { continue };
        let side = match v.side.as_deref() {
            Some("police") => Some(Side::Police),
            Some("community") => Some(Side::Community),
            _ => None,
        };
        let card = cards.entry(v.voter_key.as_str()).or_insert_with(|| (side, vec![None; n]));
        card.0 = side;
        card.1[*i] = Some(stance);
    }
    let mut voters = CgVoters::default();
    let (mut members, mut public) = (Vec::new(), Vec::new());
    for (side, stances) in cards.into_values() {
        match side {
            Some(s) => {
                *(if s == Side::Police { &mut voters.police } else { &mut voters.community }) += 1;
                members.push(Ballot::new(s, CommonGroundCard { groups: Vec::new(), stances }));
            }
            None => {
                voters.public += 1;
                // The side is a placeholder: only the public's label group is read from this pass.
                public.push(Ballot::new(Side::Community, CommonGroundCard { groups: vec![PUBLIC.into()], stances }));
            }
        }
    }
    let settings = CommonGroundSettings { statements: n, min_group_size };
    let internal = |e: DecisionError| AppError::Internal(format!("common ground: {e:?}"));
    let sides = rank_common_ground(&settings, &members).map_err(internal)?;
    let public_groups = if public.is_empty() {
        vec![None; n]
    } else {
        let r = rank_common_ground(&settings, &public).map_err(internal)?;
        r.statements
            .into_iter()
            .map(|s| s.groups.into_iter().find(|g| g.group == Group::Label(PUBLIC.into())))
            .collect()
    };
    let out: Vec<CgStatementOut> = sides
        .statements
        .iter()
        .zip(public_groups)
        .map(|(r, p)| {
            let mut groups = vec![group_out("police", &r.groups[0]), group_out("community", &r.groups[1])];
            let mut gic = r.gic;
            if let Some(p) = p {
                gic *= p.factor;
                groups.push(group_out(PUBLIC, &p));
            }
            let s = &statements[r.statement];
            CgStatementOut { id: s.id, body: s.body.clone(), rank: 0, gic, divisiveness: r.divisiveness, groups }
        })
        .collect();
    let divisive = sides
        .most_divisive
        .iter()
        .filter(|i| out[**i].divisiveness.is_some_and(|d| d > 0.0))
        .map(|i| out[*i].id)
        .collect();
    // The domain's order: GIC descending, ties by statement order.
    let mut indexed: Vec<(usize, CgStatementOut)> = out.into_iter().enumerate().collect();
    indexed.sort_by(|(a, x), (b, y)| y.gic.total_cmp(&x.gic).then(a.cmp(b)));
    let ranked =
        indexed.into_iter().enumerate().map(|(place, (_, s))| CgStatementOut { rank: place + 1, ..s }).collect();
    Ok(Ranking { statements: ranked, divisive, voters })
}

impl CgStatementOut {
    /// A group's agree percentage, if it counts on this statement and has votes.
    pub fn share(&self, group: &str) -> Option<f64> {
        self.groups.iter().find(|g| g.group == group).and_then(|g| g.agree_pct)
    }

    /// At least `pct` percent of each side agree (exact, on the counts).
    pub fn both_sides_agree(&self, pct: u64) -> bool {
        self.groups.iter().take(2).all(|g| g.votes > 0 && 100 * g.agree >= pct * g.votes)
    }
}

/// Approved statements, their votes and the ranking.
pub async fn ranking(
    state: &AppState,
    ctx: &Ctx,
    d: &decision::Model,
) -> AppResult<(Vec<cg_statement::Model>, Vec<cg_vote::Model>, Ranking)> {
    let approved = decisions::statements(&state.db, ctx.jid(), d.id, Some("approved")).await?;
    let ids: Vec<i64> = approved.iter().map(|s| s.id).collect();
    let votes = decisions::statement_votes(&state.db, ctx.jid(), &ids).await?;
    let r = rank(&approved, &votes, CgSettings::of(d).min_group_size)?;
    Ok((approved, votes, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: i64) -> cg_statement::Model {
        cg_statement::Model {
            id,
            jurisdiction_id: 1,
            decision_id: 1,
            author_id: None,
            body: format!("s{id}"),
            status: "approved".into(),
            created_at: 0,
        }
    }

    fn vote(statement_id: i64, voter: &str, side: Option<&str>, vote: &str) -> cg_vote::Model {
        cg_vote::Model {
            id: 0,
            jurisdiction_id: 1,
            statement_id,
            voter_key: voter.into(),
            side: side.map(String::from),
            group_label: None,
            vote: vote.into(),
            cast_at: 0,
        }
    }

    #[test]
    fn sides_always_count_and_the_public_only_from_the_minimum() {
        let statements = [statement(10), statement(11)];
        let mut votes = vec![
            vote(10, "user:1", Some("police"), "agree"),
            vote(10, "user:2", Some("community"), "pass"),
            vote(11, "user:1", Some("police"), "agree"),
            vote(11, "user:2", Some("community"), "agree"),
        ];
        // Two of the public on statement 10: below a minimum of 3, so no public group.
        votes.extend((0..2).map(|i| vote(10, &format!("anon:{i}"), None, "disagree")));
        let r = rank(&statements, &votes, 3).unwrap();
        // 11: (2/3)·(2/3) = 4/9; 10: (2/3)·(1/3) = 2/9.
        assert_eq!(r.statements.iter().map(|s| (s.id, s.rank)).collect::<Vec<_>>(), [(11, 1), (10, 2)]);
        assert!((r.statements[0].gic - 4.0 / 9.0).abs() < 1e-12);
        assert!((r.statements[1].gic - 2.0 / 9.0).abs() < 1e-12);
        assert_eq!(r.statements[1].groups.len(), 2);
        assert_eq!((r.voters.police, r.voters.community, r.voters.public), (1, 1, 2));
        assert_eq!(r.divisive, vec![10], "statement 11 has divisiveness 0");
        assert!(r.statements[0].both_sides_agree(60) && !r.statements[1].both_sides_agree(60));
        // A third member of the public reaches the minimum: factor (0 + 1)/(3 + 2) joins statement 10.
        votes.push(vote(10, "anon:x", None, "disagree"));
        let r = rank(&statements, &votes, 3).unwrap();
        let s10 = r.statements.iter().find(|s| s.id == 10).unwrap();
        assert_eq!((s10.groups.len(), s10.groups[2].group.as_str(), s10.groups[2].disagree), (3, PUBLIC, 3));
        assert!((s10.gic - 2.0 / 9.0 / 5.0).abs() < 1e-12);
    }

    #[test]
    fn no_statements_rank_empty_and_an_empty_side_counts_half() {
        assert!(rank(&[], &[], 5).unwrap().statements.is_empty());
        let r = rank(&[statement(1)], &[vote(1, "user:1", Some("police"), "agree")], 0).unwrap();
        assert!((r.statements[0].gic - 2.0 / 3.0 * 0.5).abs() < 1e-12, "a side without votes contributes ½");
        assert_eq!(r.statements[0].divisiveness, None);
    }
}
