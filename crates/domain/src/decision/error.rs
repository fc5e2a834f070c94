//! Errors in a decision's settings or ballots, and the checks shared by the tallies.

use serde::Serialize;

/// Why a decision's settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SettingsProblem {
    /// The decision has no options (or candidate times, or statements).
    #[error("there are no options")]
    NoOptions,
    /// A poll must allow at least one choice.
    #[error("the maximum number of choices must be at least 1")]
    NoChoicesAllowed,
    /// A score range must have `min < max`.
    #[error("the score range {min}..={max} is empty or a single value")]
    EmptyScoreRange {
        /// Lowest score.
        min: i32,
        /// Highest score.
        max: i32,
    },
    /// A dot vote must hand out at least one dot.
    #[error("voters must have at least one dot")]
    NoDots,
}

/// What is wrong with a ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BallotProblem {
    /// The ballot chooses or ranks nothing.
    #[error("chooses nothing")]
    NoChoice,
    /// An option index is not one of the options.
    #[error("option {option} does not exist (there are {options} options)")]
    OptionOutOfRange {
        /// The index given (0-based).
        option: usize,
        /// Number of options.
        options: usize,
    },
    /// The same option appears twice.
    #[error("option {option} appears more than once")]
    DuplicateOption {
        /// The repeated option (0-based).
        option: usize,
    },
    /// More options chosen than the poll allows.
    #[error("chooses {chosen} options but at most {max} are allowed")]
    TooManyChoices {
        /// Options chosen.
        chosen: usize,
        /// Maximum allowed.
        max: usize,
    },
    /// The ballot must hold one entry per option.
    #[error("has {got} entries but there are {expected} options")]
    WrongLength {
        /// Number of options.
        expected: usize,
        /// Entries on the ballot.
        got: usize,
    },
    /// A score outside the allowed range.
    #[error("scores option {option} with {score}, outside {min}..={max}")]
    ScoreOutOfRange {
        /// The option (0-based).
        option: usize,
        /// The score given.
        score: i32,
        /// Lowest allowed.
        min: i32,
        /// Highest allowed.
        max: i32,
    },
    /// More dots placed than each voter has.
    #[error("places {used} dots but each voter has {allowed}")]
    TooManyDots {
        /// Dots placed.
        used: u64,
        /// Dots each voter has.
        allowed: u64,
    },
    /// A demographic group label that is empty.
    #[error("has an empty group label")]
    EmptyGroupLabel,
}

/// Why a tally could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionError {
    /// The decision's settings are unusable.
    #[error("invalid settings: {problem}")]
    Settings {
        /// What is wrong.
        problem: SettingsProblem,
    },
    /// A ballot is invalid; the first invalid ballot is reported.
    #[error("ballot {index}: {problem}")]
    Ballot {
        /// Position of the ballot in the input (0-based).
        index: usize,
        /// What is wrong.
        problem: BallotProblem,
    },
}

impl DecisionError {
    pub(crate) fn settings(problem: SettingsProblem) -> DecisionError {
        DecisionError::Settings { problem }
    }

    pub(crate) fn ballot(index: usize, problem: BallotProblem) -> DecisionError {
        DecisionError::Ballot { index, problem }
    }
}

/// Checks that a set of option indices is in range and has no repeats.
pub(crate) fn check_option_set(options: usize, chosen: &[usize]) -> Result<(), BallotProblem> {
    if chosen.is_empty() {
        return Err(BallotProblem::NoChoice);
    }
    let mut seen = vec![false; options];
    for &option in chosen {
        if option >= options {
            return Err(BallotProblem::OptionOutOfRange { option, options });
        }
        if std::mem::replace(&mut seen[option], true) {
            return Err(BallotProblem::DuplicateOption { option });
        }
    }
    Ok(())
}

/// Checks that a ballot has one entry per option.
pub(crate) fn check_length(expected: usize, got: usize) -> Result<(), BallotProblem> {
    if expected == got { Ok(()) } else { Err(BallotProblem::WrongLength { expected, got }) }
}
