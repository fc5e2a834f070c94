//! Editing an instrument's items in place: moving an item up or down, and changing an item's texts, choices,
//! scale and "number one issue" flag while its id and kind stay (answers already given refer to them). The result
//! is checked with [`Instrument::validate`] by the caller before it is saved; saving a fielded version makes a new
//! version (see [`super::edit_needs_new_version`]).

use super::{Choice, Instrument, ItemKind};
use std::fmt;

/// Which way an item moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards the start.
    Up,
    /// Towards the end.
    Down,
}

impl Direction {
    /// From a form value: `up` or `down`.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim() {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// There is no item at this index (0-based) among `count` items.
    NoItem {
        /// The index asked for.
        index: usize,
        /// How many items the instrument has.
        count: usize,
    },
    /// The first item cannot move up, nor the last one down.
    AtEdge {
        /// The item's index.
        index: usize,
        /// The direction asked for.
        direction: Direction,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NoItem { index, count } => {
                write!(f, "there is no item {} (the instrument has {count})", index + 1)
            }
            EditError::AtEdge { index, direction: Direction::Up } => {
                write!(f, "item {} is the first and cannot move up", index + 1)
            }
            EditError::AtEdge { index, direction: Direction::Down } => {
                write!(f, "item {} is the last and cannot move down", index + 1)
            }
        }
    }
}

/// New texts and options for an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemEdit {
    /// English text (ignored for the demographics block, whose text is fixed).
    pub en: String,
    /// Spanish text (ignored for the demographics block).
    pub es: String,
    /// Choices (kept only for single and multiple choice items).
    pub choices: Vec<Choice>,
    /// Scale name, or none.
    pub scale: Option<String>,
    /// Whether the item is the "number one issue" question.
    pub top_issue: bool,
}

/// Choices from text, one per line: `id | English | Spanish` (blank lines skipped, parts trimmed).
pub fn parse_choices(text: &str) -> Vec<Choice> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut p = l.split('|').map(str::trim);
            Choice {
                id: p.next().unwrap_or_default().to_string(),
                en: p.next().unwrap_or_default().to_string(),
                es: p.next().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The text form of choices that [`parse_choices`] reads back.
pub fn choices_text(choices: &[Choice]) -> String {
    choices.iter().map(|c| format!("{} | {} | {}", c.id, c.en, c.es)).collect::<Vec<_>>().join("\n")
}

impl Instrument {
    /// Moves the item at `index` one place up or down.
    pub fn move_item(&mut self, index: usize, direction: Direction) -> Result<(), EditError> {
        let count = self.items.len();
        if index >= count {
            return Err(EditError::NoItem { index, count });
        }
        let other = match direction {
            Direction::Up if index > 0 => index - 1,
            Direction::Down if index + 1 < count => index + 1,
            _ => return Err(EditError::AtEdge { index, direction }),
        };
        self.items.swap(index, other);
        Ok(())
    }

    /// Replaces the texts and options of the item at `index`, keeping its id and kind. The caller validates the
    /// result (both languages, choices, scale kinds).
    pub fn edit_item(&mut self, index: usize, edit: ItemEdit) -> Result<(), EditError> {
        let count = self.items.len();
        let it = self.items.get_mut(index).ok_or(EditError::NoItem { index, count })?;
        if it.kind != ItemKind::Demographics {
            it.en = edit.en.trim().to_string();
            it.es = edit.es.trim().to_string();
        }
        it.choices = if it.kind.has_choices() { edit.choices } else { Vec::new() };
        it.scale = edit.scale.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        it.top_issue = edit.top_issue;
        Ok(())
    }
}
