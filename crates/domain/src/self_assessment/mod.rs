//! The partnership self-assessment: a periodic, anonymous instrument that members of both sides answer about how
//! the partnership works. It covers the essentials of a partnership (formation, representation of stakeholders,
//! collaborative decision making, building trust, sustaining), the three keys (leadership, communication,
//! problem solving) and the COPS CP-SAT areas (community partnerships, problem solving — shared with the keys —
//! and organisational transformation).
//!
//! Every statement is answered on a 1–5 agreement scale; an answer may be skipped. [`scoring`] turns anonymous
//! responses into dimension scores (0–100) per side and the police − community gap, with small-cell suppression.

mod instrument;
pub mod scoring;

pub use instrument::{ITEMS, Item};
pub use scoring::{DEFAULT_K, DimensionResult, Response, RoundResult, score_round};

use crate::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest open comment kept, in characters.
pub const MAX_COMMENT: usize = 2000;

/// The framework a dimension comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The essentials of a partnership.
    Essentials,
    /// The three keys: leadership, communication, problem solving.
    Keys,
    /// The COPS Community Policing Self-Assessment Tool areas.
    CpSat,
}

impl Group {
    /// The stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Essentials => "essentials",
            Group::Keys => "keys",
            Group::CpSat => "cp_sat",
        }
    }
}

/// What the instrument measures. Problem solving is both one of the three keys and a CP-SAT area; it is asked
/// once and listed under the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// How the partnership was formed and whether its purpose is shared.
    Formation,
    /// Whether the right stakeholders are at the table.
    Representation,
    /// Whether decisions are made together.
    DecisionMaking,
    /// Whether members trust one another.
    Trust,
    /// Whether the partnership will last.
    Sustaining,
    /// Shared leadership.
    Leadership,
    /// Communication among members and with the public.
    Communication,
    /// Problem solving (SARA); also a CP-SAT area.
    ProblemSolving,
    /// CP-SAT: community partnerships.
    CommunityPartnerships,
    /// CP-SAT: organisational transformation.
    OrganisationalTransformation,
}

impl Dimension {
    /// Every dimension, in display order.
    pub const ALL: [Dimension; 10] = [
        Dimension::Formation,
        Dimension::Representation,
        Dimension::DecisionMaking,
        Dimension::Trust,
        Dimension::Sustaining,
        Dimension::Leadership,
        Dimension::Communication,
        Dimension::ProblemSolving,
        Dimension::CommunityPartnerships,
        Dimension::OrganisationalTransformation,
    ];

    /// The stable identifier (also the Fluent key suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Formation => "formation",
            Dimension::Representation => "representation",
            Dimension::DecisionMaking => "decision_making",
            Dimension::Trust => "trust",
            Dimension::Sustaining => "sustaining",
            Dimension::Leadership => "leadership",
            Dimension::Communication => "communication",
            Dimension::ProblemSolving => "problem_solving",
            Dimension::CommunityPartnerships => "community_partnerships",
            Dimension::OrganisationalTransformation => "organisational_transformation",
        }
    }

    /// Parses [`Dimension::as_str`].
    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The framework the dimension comes from.
    pub fn group(self) -> Group {
        match self {
            Dimension::Formation
            | Dimension::Representation
            | Dimension::DecisionMaking
            | Dimension::Trust
            | Dimension::Sustaining => Group::Essentials,
            Dimension::Leadership | Dimension::Communication | Dimension::ProblemSolving => Group::Keys,
            Dimension::CommunityPartnerships | Dimension::OrganisationalTransformation => Group::CpSat,
        }
    }
}

/// One member's answers: item id → agreement 1 (strongly disagree) to 5 (strongly agree). Skipped items are absent.
pub type Answers = BTreeMap<String, u8>;

/// Why a submitted form was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// A field named an item the instrument does not have.
    UnknownItem(String),
    /// An answer outside 1–5 or not a number.
    OutOfRange(String),
    /// Nothing was answered.
    Empty,
    /// The comment is longer than [`MAX_COMMENT`].
    CommentTooLong,
}

/// Reads a submitted form: `q_<item>` fields with `1`–`5` (an empty value skips the item) and an optional
/// `comment`. Other fields (such as the CSRF token) are ignored. Returns the answers and the trimmed comment.
pub fn parse_form(fields: &[(String, String)]) -> Result<(Answers, Option<String>), AnswerError> {
    let mut answers = Answers::new();
    let mut comment = None;
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("q_") {
            if !ITEMS.iter().any(|i| i.id == id) {
                return Err(AnswerError::UnknownItem(id.to_string()));
            }
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match v.parse::<u8>() {
                Ok(n @ 1..=5) => {
                    answers.insert(id.to_string(), n);
                }
                _ => return Err(AnswerError::OutOfRange(id.to_string())),
            }
        } else if k == "comment" {
            let c = v.trim();
            if c.chars().count() > MAX_COMMENT {
                return Err(AnswerError::CommentTooLong);
            }
            if !c.is_empty() {
                comment = Some(c.to_string());
            }
        }
    }
    if answers.is_empty() {
        return Err(AnswerError::Empty);
    }
    Ok((answers, comment))
}

/// Checks stored answers (from JSON) against the instrument: known items, values 1–5.
pub fn check_answers(answers: &Answers) -> Result<(), AnswerError> {
    for (id, v) in answers {
        if !ITEMS.iter().any(|i| i.id == id) {
            return Err(AnswerError::UnknownItem(id.clone()));
        }
        if !(1..=5).contains(v) {
            return Err(AnswerError::OutOfRange(id.clone()));
        }
    }
    if answers.is_empty() { Err(AnswerError::Empty) } else { Ok(()) }
}

/// The items of one dimension, in order.
pub fn items_of(d: Dimension) -> impl Iterator<Item = &'static Item> {
    ITEMS.iter().filter(move |i| i.dimension == d)
}

impl Item {
    /// The statement in `locale`.
    pub fn text(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.en,
            Locale::Es => self.es,
        }
    }
}

#[cfg(test)]
mod tests;
