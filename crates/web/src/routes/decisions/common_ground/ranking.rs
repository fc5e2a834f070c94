//! The ranking of a common-ground activity: stored votes become one card per voter and go through the domain's
//! [`rank_common_ground`]. The engine only knows ballots that sit on a side, so the sides are ranked from members'
//! cards, and the public (no side) in a second pass as a labelled group, which the engine counts on a statement only
//! once `min_group_size` of the public voted on it; the public's factor then joins the product of the sides'.
//!
//! Members' cards carry their answer to the activity's demographic question (its `dimension`, race and ethnicity
//! unless chosen otherwise) from their optional private profiles. A demographic group counts in a statement's GIC,
//! and is shown, only once [`MIN_GROUP_VOTERS`] (k = 5) of its members voted on the statement; smaller groups are
//! pooled with the members who gave no answer, and that pool is kept empty or at least k (the domain's
//! `pool_remainder`), so subtracting the shown groups from the sides' totals never singles anyone out. Answers are
//! read here, in aggregate, and never leave this module one by one.

use crate::AppState;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use commonbeat_domain::Side;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::decision::{
    Ballot, CommonGroundCard, CommonGroundSettings, DecisionError, Group, GroupTally, MIN_GROUP_VOTERS, Stance,
    rank_common_ground,
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
    /// The demographic question whose answers form groups (a census dimension id; race and ethnicity by default).
    #[serde(default = "default_dimension")]
    pub dimension: String,
}

fn default_min_group() -> u64 {
    5
}

fn default_dimension() -> String {
    Dimension::Race.as_str().into()
}

impl Default for CgSettings {
    fn default() -> CgSettings {
        CgSettings { min_group_size: default_min_group(), dimension: default_dimension() }
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
    /// `police`, `community` or `public`; for a demographic group, its category id (e.g. `hispanic`).
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
    /// Group-informed consensus: the product over the counted groups (`groups` and `demographics`) of
    /// (agree + 1) / (votes + 2).
    pub gic: f64,
    /// |police agree share − community agree share| (0 to 1); null while a side has not voted on it.
    pub divisiveness: Option<f64>,
    /// The groups counted: police, community, then the public once enough of it voted.
    pub groups: Vec<CgGroupOut>,
    /// Demographic groups of members (answers to the activity's `dimension`) counted on this statement: only
    /// those with at least k (5) voters on it, in the dimension's category order. They count in `gic` too.
    pub demographics: Vec<CgGroupOut>,
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
/// `labels` maps a member's voter key to their demographic group; `order` lists the groups in display order.
pub fn rank(
    statements: &[cg_statement::Model],
    votes: &[cg_vote::Model],
    min_group_size: u64,
    labels: &BTreeMap<String, String>,
    order: &[&str],
) -> AppResult<Ranking> {
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
    for (key, (side, stances)) in cards {
        match side {
            Some(s) => {
                *(if s == Side::Police { &mut voters.police } else { &mut voters.community }) += 1;
                let groups = labels.get(key).cloned().into_iter().collect();
                members.push(Ballot::new(s, CommonGroundCard { groups, stances }));
            }
            None => {
                voters.public += 1;
                // The side is a placeholder: only the public's label group is read from this pass.
                public.push(Ballot::new(Side::Community, CommonGroundCard { groups: vec![PUBLIC.into()], stances }));
            }
        }
    }
    let internal = |e: DecisionError| AppError::Internal(format!("common ground: {e:?}"));
    let settings = CommonGroundSettings { statements: n, min_group_size: MIN_GROUP_VOTERS, pool_remainder: true };
    let sides = rank_common_ground(&settings, &members).map_err(internal)?;
    let public_groups = if public.is_empty() {
        vec![None; n]
    } else {
        let settings = CommonGroundSettings { statements: n, min_group_size, pool_remainder: false };
        let r = rank_common_ground(&settings, &public).map_err(internal)?;
        r.statements
            .into_iter()
            .map(|s| s.groups.into_iter().find(|g| g.group == Group::Label(PUBLIC.into())))
            .collect()
    };
    let place = |label: &str| order.iter().position(|o| *o == label).unwrap_or(order.len());
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
            let mut demographics: Vec<CgGroupOut> = r.groups[2..]
                .iter()
                .filter_map(|g| match &g.group {
                    Group::Label(l) => Some(group_out(l, g)),
                    Group::Side(_) => None,
                })
                .collect();
            demographics.sort_by_key(|g| place(&g.group));
            let s = &statements[r.statement];
            CgStatementOut {
                id: s.id,
                body: s.body.clone(),
                rank: 0,
                gic,
                divisiveness: r.divisiveness,
                groups,
                demographics,
            }
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

/// The activity's demographic dimension (race and ethnicity when unset or unknown).
pub fn dimension(d: &decision::Model) -> Dimension {
    Dimension::parse(&CgSettings::of(d).dimension).unwrap_or(Dimension::Race)
}

/// Each voting member's group on `dim`, by voter key (`user:{id}`), from their private profile; members who gave
/// no (valid) answer have none.
async fn member_labels(
    state: &AppState,
    ctx: &Ctx,
    votes: &[cg_vote::Model],
    dim: Dimension,
) -> AppResult<BTreeMap<String, String>> {
    let mut ids: Vec<i64> = votes
        .iter()
        .filter(|v| v.side.is_some())
        .filter_map(|v| v.voter_key.strip_prefix("user:")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let answers = decisions::voter_demographics(&state.db, ctx.jid(), &ids).await?;
    Ok(answers
        .into_iter()
        .filter_map(|(id, json)| {
            let map: BTreeMap<String, String> = serde_json::from_str(&json).ok()?;
            let cat = map.get(dim.as_str()).and_then(|c| dim.category(c))?;
            Some((format!("user:{id}"), cat.to_string()))
        })
        .collect())
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
    let dim = dimension(d);
    let labels = member_labels(state, ctx, &votes, dim).await?;
    let r = rank(&approved, &votes, CgSettings::of(d).min_group_size, &labels, dim.categories())?;
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
        let r = rank(&statements, &votes, 3, &BTreeMap::new(), &[]).unwrap();
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
        let r = rank(&statements, &votes, 3, &BTreeMap::new(), &[]).unwrap();
        let s10 = r.statements.iter().find(|s| s.id == 10).unwrap();
        assert_eq!((s10.groups.len(), s10.groups[2].group.as_str(), s10.groups[2].disagree), (3, PUBLIC, 3));
        assert!((s10.gic - 2.0 / 9.0 / 5.0).abs() < 1e-12);
    }

    #[test]
    fn no_statements_rank_empty_and_an_empty_side_counts_half() {
        assert!(rank(&[], &[], 5, &BTreeMap::new(), &[]).unwrap().statements.is_empty());
        let r = rank(&[statement(1)], &[vote(1, "user:1", Some("police"), "agree")], 0, &BTreeMap::new(), &[]).unwrap();
        assert!((r.statements[0].gic - 2.0 / 3.0 * 0.5).abs() < 1e-12, "a side without votes contributes ½");
        assert_eq!(r.statements[0].divisiveness, None);
    }

    #[test]
    fn members_demographic_groups_count_from_k_voters_and_the_public_has_none() {
        let statements = [statement(1)];
        let mut votes = Vec::new();
        let mut labels = BTreeMap::new();
        // Five renters agree, four owners disagree, and five members of the public (no profile) pass.
        for i in 0..9 {
            let key = format!("user:{i}");
            labels.insert(key.clone(), if i < 5 { "renter" } else { "owner" }.to_string());
            let side = if i % 2 == 0 { "community" } else { "police" };
            votes.push(vote(1, &key, Some(side), if i < 5 { "agree" } else { "disagree" }));
        }
        for i in 0..5 {
            let key = format!("user:{}", 100 + i);
            labels.insert(key.clone(), "renter".into());
            votes.push(vote(1, &key, None, "pass"));
        }
        let r = rank(&statements, &votes, 5, &labels, &["owner", "renter"]).unwrap();
        let s = &r.statements[0];
        // Owners (4) are below k and are the whole pool: 4 < k, so renters are pooled too and nothing is shown.
        assert!(s.demographics.is_empty());
        // A fifth owner: both groups have k voters and the pool is empty.
        labels.insert("user:9".into(), "owner".into());
        votes.push(vote(1, "user:9", Some("police"), "disagree"));
        let r = rank(&statements, &votes, 5, &labels, &["owner", "renter"]).unwrap();
        let s = &r.statements[0];
        let groups: Vec<(&str, u64, u64)> =
            s.demographics.iter().map(|g| (g.group.as_str(), g.agree, g.votes)).collect();
        assert_eq!(groups, [("owner", 0, 5), ("renter", 5, 5)], "members only, in the given order");
        // Police 2 of 5 (users 1, 3 agree), community 3 of 5, owners 0 of 5, renters 5 of 5, public 0 of 5.
        let want = (3.0 / 7.0) * (4.0 / 7.0) * (1.0 / 7.0) * (6.0 / 7.0) * (1.0 / 7.0);
        assert!((s.gic - want).abs() < 1e-12, "{} vs {want}", s.gic);
    }
}
