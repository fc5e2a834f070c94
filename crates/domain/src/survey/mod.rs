//! Trust and safety surveys: instruments (questionnaires), their validation, and the checking of a respondent's
//! answers. Built-in instruments are in [`templates`]; answers in [`answers`].
//!
//! An [`Instrument`] is a list of [`Item`]s, each with its text in English and Spanish. Numeric items (0–10 scale
//! and 1–5 agreement) may belong to a named *scale* (e.g. `trust`); a respondent's scale score is the mean of
//! the scale's answered items rescaled to 0–100 (METHODS.md, Surveys). A fielded instrument is never edited in
//! place: the store keeps every version and waves point at the version they fielded.

pub mod answers;
pub mod editing;
pub mod templates;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// Most items in one instrument.
pub const MAX_ITEMS: usize = 60;
/// Most choices of a choice item.
pub const MAX_CHOICES: usize = 20;
/// Longest item or choice text (characters).
pub const MAX_TEXT: usize = 500;
/// Longest open answer (characters).
pub const MAX_ANSWER: usize = 2000;

/// The kind of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 0–10 scale.
    Scale10,
    /// 1–5 agreement (strongly disagree … strongly agree).
    Likert5,
    /// One of the choices.
    Single,
    /// Any of the choices.
    Multiple,
    /// Open text.
    Text,
    /// The optional demographics block (race/ethnicity, age band, sex, tenure, income band, language, area).
    Demographics,
}

impl ItemKind {
    /// Every kind, in display order.
    pub const ALL: [ItemKind; 6] =
        [Self::Scale10, Self::Likert5, Self::Single, Self::Multiple, Self::Text, Self::Demographics];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scale10 => "scale10",
            Self::Likert5 => "likert5",
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Text => "text",
            Self::Demographics => "demographics",
        }
    }

    /// Reads an id.
    pub fn parse(s: &str) -> Option<ItemKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Numeric items (they can belong to a scale).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Scale10 | Self::Likert5)
    }

    /// Items with choices.
    pub fn has_choices(self) -> bool {
        matches!(self, Self::Single | Self::Multiple)
    }
}

/// One choice of a choice item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Stable id (`[a-z0-9_]`, 1–40 characters).
    pub id: String,
    /// English label.
    pub en: String,
    /// Spanish label.
    pub es: String,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id within the instrument (`[a-z0-9_]`, 1–40 characters).
    pub id: String,
    /// What kind of answer it takes.
    pub kind: ItemKind,
    /// English text.
    pub en: String,
    /// Spanish text.
    pub es: String,
    /// Choices (choice items only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// The scale a numeric item counts towards (`[a-z0-9_]`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    /// Whether the item is the "number one issue" question whose answers feed problem scanning.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub top_issue: bool,
}

impl Item {
    /// The text in the language `es` (Spanish) or English.
    pub fn text(&self, es: bool) -> &str {
        if es { &self.es } else { &self.en }
    }
}

/// A questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    /// English title.
    pub title_en: String,
    /// Spanish title.
    pub title_es: String,
    /// English introduction shown above the questions.
    #[serde(default)]
    pub intro_en: String,
    /// Spanish introduction.
    #[serde(default)]
    pub intro_es: String,
    /// The questions, in order.
    pub items: Vec<Item>,
}

/// A problem with an instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentError {
    /// The item's index, or `None` for the instrument as a whole.
    pub item: Option<usize>,
    /// The field at fault (`title_en`, `id`, `es`, `choices`, `scale`, …).
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(i) => write!(f, "item {}, {}: {}", i + 1, self.field, self.reason),
            None => write!(f, "{}: {}", self.field, self.reason),
        }
    }
}

/// Whether `s` is a stable id: 1–40 of `a-z`, `0-9`, `_`, starting with a letter.
pub fn is_id(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn text_ok(s: &str) -> Option<&'static str> {
    let s = s.trim();
    if s.is_empty() {
        Some("is empty; every text needs English and Spanish")
    } else if s.chars().count() > MAX_TEXT {
        Some("is longer than 500 characters")
    } else if s.chars().any(|c| c.is_control() && c != '\n') {
        Some("contains control characters")
    } else {
        None
    }
}

impl Instrument {
    /// Checks the instrument, reporting every problem: both titles; 1–60 items with unique ids; both languages on
    /// every item and choice; 2–20 uniquely identified choices on choice items and none elsewhere; scales only on
    /// numeric items, one kind per scale; at most one demographics block and one "number one issue" item (an
    /// open-text item).
    pub fn validate(&self) -> Result<(), Vec<InstrumentError>> {
        let mut errs = Vec::new();
        let mut push = |item: Option<usize>, field: &'static str, reason: &str| {
            errs.push(InstrumentError { item, field, reason: reason.to_string() })
        };
        for (field, v) in [("title_en", &self.title_en), ("title_es", &self.title_es)] {
            if let Some(r) = text_ok(v) {
                push(None, field, r);
            }
        }
        for (field, v) in [("intro_en", &self.intro_en), ("intro_es", &self.intro_es)] {
            if v.chars().count() > 2000 {
                push(None, field, "is longer than 2000 characters");
            }
        }
        if self.items.is_empty() {
            push(None, "items", "add at least one item");
        }
        if self.items.len() > MAX_ITEMS {
            push(None, "items", "at most 60 items");
        }
        let mut ids = HashSet::new();
        let mut scales: Vec<(&str, ItemKind)> = Vec::new();
        let (mut demographics, mut top_issue) = (0, 0);
        for (i, it) in self.items.iter().enumerate() {
            let at = Some(i);
            if !is_id(&it.id) {
                push(at, "id", "use 1–40 lower-case letters, digits or _ starting with a letter");
            } else if !ids.insert(it.id.as_str()) {
                push(at, "id", "another item has this id");
            }
            if it.kind != ItemKind::Demographics {
                for (field, v) in [("en", &it.en), ("es", &it.es)] {
                    if let Some(r) = text_ok(v) {
                        push(at, field, r);
                    }
                }
            }
            if it.kind.has_choices() {
                if !(2..=MAX_CHOICES).contains(&it.choices.len()) {
                    push(at, "choices", "give 2–20 choices");
                }
                let mut seen = HashSet::new();
                for c in &it.choices {
                    if !is_id(&c.id) {
                        push(at, "choices", "a choice id must be 1–40 lower-case letters, digits or _");
                    } else if !seen.insert(c.id.as_str()) {
                        push(at, "choices", "two choices have the same id");
                    }
                    if text_ok(&c.en).is_some() || text_ok(&c.es).is_some() {
                        push(at, "choices", "every choice needs an English and a Spanish label");
                    }
                }
            } else if !it.choices.is_empty() {
                push(at, "choices", "only single and multiple choice items have choices");
            }
            if let Some(s) = &it.scale {
                if !it.kind.is_numeric() {
                    push(at, "scale", "only 0–10 and 1–5 items belong to a scale");
                } else if !is_id(s) {
                    push(at, "scale", "a scale name must be 1–40 lower-case letters, digits or _");
                } else if let Some((_, k)) = scales.iter().find(|(n, _)| *n == s) {
                    if *k != it.kind {
                        push(at, "scale", "all items of a scale must use the same answer scale");
                    }
                } else {
                    scales.push((s, it.kind));
                }
            }
            if it.kind == ItemKind::Demographics {
                demographics += 1;
            }
            if it.top_issue {
                top_issue += 1;
                if it.kind != ItemKind::Text {
                    push(at, "top_issue", "the number one issue question must be open text");
                }
            }
        }
        if demographics > 1 {
            push(None, "items", "at most one demographics block");
        }
        if top_issue > 1 {
            push(None, "items", "at most one number one issue question");
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// The title in the language `es` (Spanish) or English.
    pub fn title(&self, es: bool) -> &str {
        if es { &self.title_es } else { &self.title_en }
    }

    /// The introduction in the language `es` (Spanish) or English.
    pub fn intro(&self, es: bool) -> &str {
        if es { &self.intro_es } else { &self.intro_en }
    }

    /// The scales, in order of first appearance, with their answer scale and item ids.
    pub fn scales(&self) -> Vec<Scale> {
        let mut out: Vec<Scale> = Vec::new();
        for it in &self.items {
            let Some(s) = &it.scale else { continue };
            match out.iter_mut().find(|x| &x.name == s) {
                Some(x) => x.items.push(it.id.clone()),
                None => out.push(Scale { name: s.clone(), kind: it.kind, items: vec![it.id.clone()] }),
            }
        }
        out
    }

    /// Whether the instrument asks the demographics block.
    pub fn has_demographics(&self) -> bool {
        self.items.iter().any(|i| i.kind == ItemKind::Demographics)
    }

    /// The "number one issue" item, if any.
    pub fn top_issue_item(&self) -> Option<&Item> {
        self.items.iter().find(|i| i.top_issue)
    }

    /// Reads an instrument from its stored JSON and validates it.
    pub fn from_json(s: &str) -> Result<Instrument, Vec<InstrumentError>> {
        let i: Instrument = serde_json::from_str(s)
            .map_err(|e| vec![InstrumentError { item: None, field: "json", reason: e.to_string() }])?;
        i.validate()?;
        Ok(i)
    }

    /// The JSON stored for this instrument.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A scale of an instrument: numeric items scored together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    /// The scale's name (`trust`, `safety`, `procedural_justice`…).
    pub name: String,
    /// The items' answer scale.
    pub kind: ItemKind,
    /// Ids of its items, in order.
    pub items: Vec<String>,
}

/// Lifecycle of a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    /// Being prepared; no wave open.
    Draft,
    /// Has fielded at least one wave.
    Fielded,
    /// No more waves.
    Archived,
}

impl SurveyStatus {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Fielded => "fielded",
            Self::Archived => "archived",
        }
    }
}

/// Whether an edit must make a new version: once any wave has fielded the current version, it is frozen.
pub fn edit_needs_new_version(current_version_fielded: bool) -> bool {
    current_version_fielded
}

/// Checks a wave's plan: a name (1–100 characters), `starts_on ≤ ends_on` (ISO dates), a target sample of
/// 1–1,000,000 and at least one area. Returns the field at fault.
pub fn check_wave(name: &str, starts_on: &str, ends_on: &str, target: i64, areas: usize) -> Result<(), &'static str> {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        return Err("name");
    }
    let s: jiff::civil::Date = starts_on.trim().parse().map_err(|_| "starts_on")?;
    let e: jiff::civil::Date = ends_on.trim().parse().map_err(|_| "ends_on")?;
    if e < s {
        return Err("ends_on");
    }
    if !(1..=1_000_000).contains(&target) {
        return Err("target_sample");
    }
    if areas == 0 {
        return Err("areas");
    }
    Ok(())
}

/// The alphabet of after-contact card codes: no look-alikes (0/O, 1/I/L).
pub const CARD_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Normalises a card code typed by a person: letters upper-cased, spaces and dashes dropped; `None` unless it is
/// 8 characters of [`CARD_ALPHABET`].
pub fn normalise_card_code(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (c.len() == 8 && c.bytes().all(|b| CARD_ALPHABET.contains(&b))).then_some(c)
}
