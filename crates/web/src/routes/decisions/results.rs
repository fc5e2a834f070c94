//! Tallies a decision's stored ballots with the domain engine and turns the result into what pages and the API
//! show: per side, combined (each side weighs half), and a plain-language explanation.

use crate::i18n::Tr;
use commonbeat_domain::Side;
use commonbeat_domain::decision::{
    Ballot, ConsentChoice, Outcome, ProposalChoice, Quorum, Reason, tally_consent, tally_proposal, tally_sense_check,
};
use commonbeat_store::entities::{ballot, decision};
use serde::Serialize;
use utoipa::ToSchema;

/// Every kind a co-chair can open from the decision form (common ground has its own pages).
pub const KINDS: [&str; 10] = [
    "proposal",
    "consent",
    "sense_check",
    "poll_single",
    "poll_multi",
    "ranked",
    "score",
    "dot",
    "time_poll",
    "question",
];

/// Settings stored with a decision.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default)]
pub struct Settings {
    /// Police voters needed.
    #[serde(default)]
    pub quorum_police: u64,
    /// Community voters needed.
    #[serde(default)]
    pub quorum_community: u64,
    /// Ballots can be changed until close.
    #[serde(default)]
    pub changeable: bool,
    /// A reason must be given with every ballot.
    #[serde(default)]
    pub reason_required: bool,
    /// `always`, `after_vote` or `after_close`.
    #[serde(default)]
    pub visibility: String,
    /// Voters' names are never shown (cannot be switched off once on).
    #[serde(default)]
    pub anonymous: bool,
    /// Who may vote: `members` (every active member; also when unset), `cochairs` or `named` (the decision's
    /// named voters).
    #[serde(default)]
    pub voters: String,
}

impl Settings {
    /// From a stored decision.
    pub fn of(d: &decision::Model) -> Settings {
        serde_json::from_str(&d.settings).unwrap_or_default()
    }
}

/// One option's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionRow {
    /// Option id.
    pub option: String,
    /// Label.
    pub label: String,
    /// Police votes.
    pub police: u64,
    /// Community votes.
    pub community: u64,
    /// Police share, percent of police ballots.
    pub police_pct: Option<f64>,
    /// Community share, percent of community ballots.
    pub community_pct: Option<f64>,
    /// Combined share, percent: each side weighs half whatever its head-count.
    pub combined_pct: Option<f64>,
}

/// A tallied decision as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    /// `passed`, `failed`, or null for non-binding kinds.
    pub outcome: Option<String>,
    /// The outcome in words.
    pub outcome_label: Option<String>,
    /// Ballots per side.
    pub turnout_police: u64,
    /// Ballots per side.
    pub turnout_community: u64,
    /// Per-option figures.
    pub options: Vec<OptionRow>,
    /// Why it passed or failed, one sentence per reason, in the request's language.
    pub explanation: Vec<String>,
    /// Both sides voted.
    pub complete: bool,
    /// Unit of the figures: `%` for shares, empty for mean scores.
    pub unit: String,
}

fn pct(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 1000.0).round() / 10.0)
}

fn side_label(t: &Tr, s: Side) -> String {
    t.t(if s == Side::Police { "side-police" } else { "side-community" })
}

/// One sentence per reason.
pub fn explain(t: &Tr, r: &Reason) -> String {
    let n = |x: u64| x.to_string();
    match r {
        Reason::NoBallots { side } => t.t1("reason-no-ballots", "side", &side_label(t, *side)),
        Reason::QuorumMet { side, turnout, quorum } => {
            format!(
                "{}: {}",
                side_label(t, *side),
                t.t2("reason-quorum-met", ("turnout", &n(*turnout)), ("quorum", &n(*quorum)))
            )
        }
        Reason::QuorumNotMet { side, turnout, quorum } => {
            format!(
                "{}: {}",
                side_label(t, *side),
                t.t2("reason-quorum-not-met", ("turnout", &n(*turnout)), ("quorum", &n(*quorum)))
            )
        }
        Reason::Majority { side, agree, against } => {
            format!(
                "{}: {}",
                side_label(t, *side),
                t.t2("reason-majority", ("agree", &n(*agree)), ("against", &n(*against)))
            )
        }
        Reason::NoMajority { side, agree, against } => {
            format!(
                "{}: {}",
                side_label(t, *side),
                t.t2("reason-no-majority", ("agree", &n(*agree)), ("against", &n(*against)))
            )
        }
        Reason::Blocked { side, blocks } => {
            format!("{}: {}", side_label(t, *side), t.t1("reason-blocked", "count", &n(*blocks)))
        }
        Reason::NoObjection { side } => format!("{}: {}", side_label(t, *side), t.t("reason-no-objection")),
        Reason::Objected { side, objections } => {
            format!("{}: {}", side_label(t, *side), t.t1("reason-objected", "count", &n(*objections)))
        }
        Reason::NotBinding => t.t("reason-not-binding"),
        other => format!("{other:?}"),
    }
}

/// Tallies the ballots of any kind.
pub fn tally(t: &Tr, d: &decision::Model, ballots: &[ballot::Model]) -> Results {
    if !matches!(d.kind.as_str(), "proposal" | "consent" | "sense_check") {
        return super::options::tally(t, d, ballots);
    }
    let s = Settings::of(d);
    let quorum = Quorum { police: s.quorum_police, community: s.quorum_community };
    let side_of = |b: &ballot::Model| if b.side == "police" { Side::Police } else { Side::Community };
    let choice = |b: &ballot::Model| serde_json::from_str::<String>(&b.choice).unwrap_or_default();
    let turnout = |side: Side| ballots.iter().filter(|b| side_of(b) == side).count() as u64;
    let count =
        |side: Side, opt: &str| ballots.iter().filter(|b| side_of(b) == side && choice(b) == opt).count() as u64;
    let (outcome, reasons, complete, ids): (Option<Outcome>, Vec<Reason>, bool, Vec<&str>) = if d.kind == "consent" {
        let bs: Vec<Ballot<ConsentChoice>> = ballots
            .iter()
            .filter_map(|b| ConsentChoice::parse(&choice(b)).map(|c| Ballot::new(side_of(b), c)))
            .collect();
        let r = tally_consent(&bs, quorum);
        (Some(r.outcome), r.reasons, r.complete, ConsentChoice::ALL.iter().map(|c| c.as_str()).collect())
    } else {
        let bs: Vec<Ballot<ProposalChoice>> = ballots
            .iter()
            .filter_map(|b| ProposalChoice::parse(&choice(b)).map(|c| Ballot::new(side_of(b), c)))
            .collect();
        if d.kind == "sense_check" {
            let r = tally_sense_check(&bs);
            (None, r.reasons, r.complete, ProposalChoice::ALL.iter().map(|c| c.as_str()).collect())
        } else {
            let r = tally_proposal(&bs, quorum);
            (Some(r.outcome), r.reasons, r.complete, ProposalChoice::ALL.iter().map(|c| c.as_str()).collect())
        }
    };
    let (tp, tc) = (turnout(Side::Police), turnout(Side::Community));
    let share = |c: u64, t: u64| (t > 0).then(|| c as f64 / t as f64);
    let options = ids
        .iter()
        .map(|id| {
            let (p, c) = (count(Side::Police, id), count(Side::Community, id));
            let (sp, sc) = (share(p, tp), share(c, tc));
            let combined = match (sp, sc) {
                (Some(a), Some(b)) => Some(0.5 * a + 0.5 * b),
                (Some(a), None) | (None, Some(a)) => Some(a),
                (None, None) => None,
            };
            OptionRow {
                option: id.to_string(),
                label: t.t(&format!("choice-{id}")),
                police: p,
                community: c,
                police_pct: pct(sp),
                community_pct: pct(sc),
                combined_pct: pct(combined),
            }
        })
        .collect();
    let mut explanation: Vec<String> = reasons.iter().map(|r| explain(t, r)).collect();
    if let Some(o) = outcome {
        explanation
            .insert(0, t.t(if o == Outcome::Passed { "outcome-passed-sentence" } else { "outcome-failed-sentence" }));
    }
    Results {
        outcome: outcome.map(|o| if o == Outcome::Passed { "passed".into() } else { "failed".into() }),
        outcome_label: outcome.map(|o| t.t(if o == Outcome::Passed { "result-passed" } else { "result-failed" })),
        turnout_police: tp,
        turnout_community: tc,
        options,
        explanation,
        complete,
        unit: "%".into(),
    }
}
