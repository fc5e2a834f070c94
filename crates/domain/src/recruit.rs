//! Recruiting: the hiring pipeline of candidates and the community interview panel.
//!
//! A candidate moves through a configurable, ordered list of stages ([`Pipeline`], by default lead → applied →
//! written test → physical → background → community interview → academy → hired), one stage forward at a time,
//! or leaves it from any stage not yet finished as withdrawn or not selected. Hired, withdrawn and not selected are
//! final.
//!
//! At the community interview a panel of residents and recruiting staff scores each candidate on an anchored
//! rubric of five [`Dimension`]s, 1–5 each ([`Score`], anchor texts in English and Spanish). Panelists score
//! independently before they discuss: a panelist sees only their own sheet and the panel's summary exists only
//! once every assigned panelist has submitted ([`Panel::status`], [`Panel::visible_sheets`]).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod balance;
mod panel;

pub use balance::{PanelWarning, panel_warnings};

pub use panel::{
    ANCHORS_EN, ANCHORS_ES, DIMENSION_LABELS_EN, DIMENSION_LABELS_ES, Dimension, Panel, PanelBalance, PanelError,
    PanelRole, PanelStatus, PanelSummary, Panelist, PanelistId, Score, ScoreError, ScoreSheet, SheetError,
};

/// A stage of the hiring pipeline, or the way a candidate left it.
///
/// `Ord` follows the declaration order (the default pipeline, then the exits), not a configured pipeline's order:
/// use [`Pipeline`] for that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Interested, not yet applied (met at an event, referred).
    Lead,
    /// Application received.
    Applied,
    /// Written examination.
    WrittenTest,
    /// Physical ability test.
    Physical,
    /// Background investigation.
    Background,
    /// Interview with a community panel.
    CommunityInterview,
    /// Police academy.
    Academy,
    /// Hired (final).
    Hired,
    /// Left the process of their own accord (final).
    Withdrawn,
    /// Not taken further by the department (final).
    NotSelected,
}

/// The default pipeline, in order.
pub const DEFAULT_STAGES: [Stage; 8] = [
    Stage::Lead,
    Stage::Applied,
    Stage::WrittenTest,
    Stage::Physical,
    Stage::Background,
    Stage::CommunityInterview,
    Stage::Academy,
    Stage::Hired,
];

impl Stage {
    /// All stages: the default pipeline, then the two exits.
    pub const ALL: [Stage; 10] = [
        Stage::Lead,
        Stage::Applied,
        Stage::WrittenTest,
        Stage::Physical,
        Stage::Background,
        Stage::CommunityInterview,
        Stage::Academy,
        Stage::Hired,
        Stage::Withdrawn,
        Stage::NotSelected,
    ];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Applied => "applied",
            Stage::WrittenTest => "written_test",
            Stage::Physical => "physical",
            Stage::Background => "background",
            Stage::CommunityInterview => "community_interview",
            Stage::Academy => "academy",
            Stage::Hired => "hired",
            Stage::Withdrawn => "withdrawn",
            Stage::NotSelected => "not_selected",
        }
    }

    /// Whether a candidate at this stage is done: hired, withdrawn or not selected.
    pub fn is_terminal(self) -> bool {
        matches!(self, Stage::Hired | Stage::Withdrawn | Stage::NotSelected)
    }

    /// Whether this is a way out of the pipeline (withdrawn, not selected), reachable from any stage not final.
    pub fn is_exit(self) -> bool {
        matches!(self, Stage::Withdrawn | Stage::NotSelected)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown stage id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown recruiting stage {0:?}")]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        Stage::ALL.into_iter().find(|x| x.as_str() == id).ok_or_else(|| UnknownStage(s.to_string()))
    }
}

/// Why a list of stages is not a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// No stages.
    #[error("the pipeline has no stages")]
    Empty,
    /// A stage id is not known.
    #[error(transparent)]
    Unknown(#[from] UnknownStage),
    /// A stage is listed twice.
    #[error("stage {0} is listed twice")]
    Duplicate(Stage),
    /// Withdrawn and not selected are ways out of the pipeline, not stages in it.
    #[error("{0} is a way out of the pipeline, not a stage in it")]
    Exit(Stage),
    /// The pipeline must end with hired.
    #[error("the pipeline must end with hired")]
    MustEndHired,
}

/// A validated, ordered list of stages: no duplicates, no exits, ending with [`Stage::Hired`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline(Vec<Stage>);

impl Default for Pipeline {
    /// [`DEFAULT_STAGES`].
    fn default() -> Self {
        Pipeline(DEFAULT_STAGES.to_vec())
    }
}

impl Pipeline {
    /// Validates an ordered list of stages (e.g. a department without a physical test drops it).
    pub fn new(stages: Vec<Stage>) -> Result<Pipeline, PipelineError> {
        if stages.is_empty() {
            return Err(PipelineError::Empty);
        }
        for (i, s) in stages.iter().enumerate() {
            if s.is_exit() {
                return Err(PipelineError::Exit(*s));
            }
            if stages[..i].contains(s) {
                return Err(PipelineError::Duplicate(*s));
            }
        }
        if stages.last() != Some(&Stage::Hired) {
            return Err(PipelineError::MustEndHired);
        }
        Ok(Pipeline(stages))
    }

    /// Parses and validates stage ids, e.g. from configuration.
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<Pipeline, PipelineError> {
        Pipeline::new(ids.into_iter().map(str::parse).collect::<Result<_, _>>()?)
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.0
    }

    /// Whether `stage` is part of this pipeline (exits never are).
    pub fn contains(&self, stage: Stage) -> bool {
        self.0.contains(&stage)
    }

    /// The stage after `stage`; `None` for hired, exits and stages not in the pipeline.
    pub fn next(&self, stage: Stage) -> Option<Stage> {
        let i = self.0.iter().position(|s| *s == stage)?;
        self.0.get(i + 1).copied()
    }

    /// Where a candidate at `from` may go: the next stage and the two exits; nothing from a final stage or from a
    /// stage not in the pipeline.
    pub fn allowed(&self, from: Stage) -> Vec<Stage> {
        if from.is_terminal() || !self.contains(from) {
            return Vec::new();
        }
        self.next(from).into_iter().chain([Stage::Withdrawn, Stage::NotSelected]).collect()
    }

    /// Checks a move from `from` to `to`, returning `to` when it is allowed.
    pub fn transition(&self, from: Stage, to: Stage) -> Result<Stage, TransitionError> {
        if from.is_terminal() {
            return Err(TransitionError::Final { from });
        }
        for s in [from, to] {
            if !s.is_exit() && !self.contains(s) {
                return Err(TransitionError::NotInPipeline(s));
            }
        }
        if to.is_exit() {
            return Ok(to);
        }
        let position = |s: Stage| self.0.iter().position(|x| *x == s).unwrap_or(0);
        let (i, j) = (position(from), position(to));
        if j == i + 1 {
            Ok(to)
        } else if j == i {
            Err(TransitionError::Unchanged(from))
        } else if j < i {
            Err(TransitionError::Backward { from, to })
        } else {
            Err(TransitionError::Skip { from, to, next: self.0[i + 1] })
        }
    }
}

/// Why a candidate cannot move between two stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Hired, withdrawn and not selected are final.
    #[error("a candidate who is {from} cannot move to another stage")]
    Final {
        /// The final stage.
        from: Stage,
    },
    /// The stage is not used by this pipeline.
    #[error("stage {0} is not part of this pipeline")]
    NotInPipeline(Stage),
    /// The candidate is already at that stage.
    #[error("the candidate is already at {0}")]
    Unchanged(Stage),
    /// Stages are never repeated.
    #[error("a candidate cannot go back from {from} to {to}")]
    Backward {
        /// The current stage.
        from: Stage,
        /// The earlier stage asked for.
        to: Stage,
    },
    /// Stages are never skipped.
    #[error("a candidate at {from} must pass {next} before {to}")]
    Skip {
        /// The current stage.
        from: Stage,
        /// The later stage asked for.
        to: Stage,
        /// The stage that comes next.
        next: Stage,
    },
}

#[cfg(test)]
mod tests;
