//! A respondent's answers, checked against the instrument.
//!
//! Form fields: `q_<item id>` for each item (a number for 0–10 and 1–5 items, a choice id for single choice,
//! repeated choice ids for multiple choice, text for open items) and `d_<dimension>` for the demographics block
//! (`d_race`, `d_age`, `d_sex`, `d_tenure`, `d_income`, `d_language`), whose values are the census category ids
//! of [`crate::census::Dimension`] (survey respondents are adults, so `under-18` is not offered). Every answer
//! is optional; an empty field is no answer.

use super::{Instrument, ItemKind, MAX_ANSWER};
use crate::census::Dimension;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A 0–10 or 1–5 answer.
    Number(u8),
    /// A single choice id.
    Choice(String),
    /// Multiple choice ids.
    Choices(Vec<String>),
}

/// The optional demographics, as census category ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    /// Race/ethnicity.
    pub race: Option<String>,
    /// Age band.
    pub age: Option<String>,
    /// Sex.
    pub sex: Option<String>,
    /// Owner or renter.
    pub tenure: Option<String>,
    /// Household income band.
    pub income: Option<String>,
    /// Language spoken at home.
    pub language: Option<String>,
}

impl Demographics {
    /// The category of a dimension.
    pub fn get(&self, d: Dimension) -> Option<&str> {
        match d {
            Dimension::Race => self.race.as_deref(),
            Dimension::Age => self.age.as_deref(),
            Dimension::Sex => self.sex.as_deref(),
            Dimension::Tenure => self.tenure.as_deref(),
            Dimension::Income => self.income.as_deref(),
            Dimension::Language => self.language.as_deref(),
        }
    }

    fn slot(&mut self, d: Dimension) -> &mut Option<String> {
        match d {
            Dimension::Race => &mut self.race,
            Dimension::Age => &mut self.age,
            Dimension::Sex => &mut self.sex,
            Dimension::Tenure => &mut self.tenure,
            Dimension::Income => &mut self.income,
            Dimension::Language => &mut self.language,
        }
    }
}

/// The categories a respondent may choose for a dimension (census categories; adults only for age).
pub fn survey_categories(d: Dimension) -> Vec<&'static str> {
    d.categories().iter().copied().filter(|c| *c != "under-18").collect()
}

/// Checked answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Closed answers by item id.
    pub closed: BTreeMap<String, Answer>,
    /// Open answers by item id (trimmed, non-empty).
    pub open: BTreeMap<String, String>,
    /// Demographics (when the instrument asks them).
    pub demographics: Demographics,
}

impl Answers {
    /// The numeric answer to an item.
    pub fn number(&self, item: &str) -> Option<u8> {
        match self.closed.get(item) {
            Some(Answer::Number(n)) => Some(*n),
            _ => None,
        }
    }

    /// Whether nothing at all was answered.
    pub fn is_empty(&self) -> bool {
        self.closed.is_empty() && self.open.is_empty() && self.demographics == Demographics::default()
    }
}

/// A problem with an answer: the form field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    /// The form field (`q_trust`, `d_age`).
    pub field: String,
    /// What is wrong.
    pub reason: &'static str,
}

/// Checks a respondent's form fields against the instrument, reporting every problem. Unknown fields are
/// ignored (the page adds its own); an answer outside an item's scale or choices is refused.
pub fn parse_answers(inst: &Instrument, pairs: &[(String, String)]) -> Result<Answers, Vec<AnswerError>> {
    let mut out = Answers::default();
    let mut errs = Vec::new();
    let values = |name: &str| -> Vec<&str> {
        pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    };
    for it in &inst.items {
        let field = format!("q_{}", it.id);
        let vals = values(&field);
        match it.kind {
            ItemKind::Scale10 | ItemKind::Likert5 => {
                let (lo, hi) = if it.kind == ItemKind::Scale10 { (0, 10) } else { (1, 5) };
                match vals.as_slice() {
                    [] => {}
                    [v] => match v.parse::<u8>() {
                        Ok(n) if (lo..=hi).contains(&n) => {
                            out.closed.insert(it.id.clone(), Answer::Number(n));
                        }
                        _ => errs.push(AnswerError { field, reason: "outside the scale" }),
                    },
                    _ => errs.push(AnswerError { field, reason: "answered twice" }),
                }
            }
            ItemKind::Single => match vals.as_slice() {
                [] => {}
                [v] if it.choices.iter().any(|c| c.id == *v) => {
                    out.closed.insert(it.id.clone(), Answer::Choice(v.to_string()));
                }
                [_] => errs.push(AnswerError { field, reason: "not one of the choices" }),
                _ => errs.push(AnswerError { field, reason: "choose one" }),
            },
            ItemKind::Multiple => {
                if vals.is_empty() {
                    continue;
                }
                let mut chosen: Vec<String> = Vec::new();
                for v in vals {
                    if !it.choices.iter().any(|c| c.id == v) {
                        errs.push(AnswerError { field: field.clone(), reason: "not one of the choices" });
                    } else if !chosen.iter().any(|c| c == v) {
                        chosen.push(v.to_string());
                    }
                }
                out.closed.insert(it.id.clone(), Answer::Choices(chosen));
            }
            ItemKind::Text => {
                let text: String = vals.join("\n");
                if text.chars().count() > MAX_ANSWER {
                    errs.push(AnswerError { field, reason: "longer than 2000 characters" });
                } else if !text.is_empty() {
                    let clean: String = text.chars().filter(|c| !c.is_control() || *c == '\n').collect();
                    out.open.insert(it.id.clone(), clean);
                }
            }
            ItemKind::Demographics => {
                for d in Dimension::ALL {
                    let field = format!("d_{}", d.as_str());
                    match values(&field).as_slice() {
                        [] => {}
                        [v] => match d.category(v).filter(|c| *c != "under-18") {
                            Some(c) => *out.demographics.slot(d) = Some(c.to_string()),
                            None => errs.push(AnswerError { field, reason: "not one of the choices" }),
                        },
                        _ => errs.push(AnswerError { field, reason: "choose one" }),
                    }
                }
            }
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}
