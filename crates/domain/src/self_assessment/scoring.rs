//! Scoring a round: dimension scores 0–100 per side, the police − community gap, and small-cell suppression.
//!
//! A respondent's score on a dimension is the mean of the items they answered in it, rescaled from 1–5 to 0–100
//! (`(mean − 1) / 4 × 100`), as METHODS.md rescales agreement items. A side's score is the mean of its
//! respondents' scores over those who answered at least one item of the dimension (`n`). The overall index does
//! the same over every item. A side's cell with fewer than `k` respondents (default [`DEFAULT_K`] = 5) is
//! suppressed, and the gap is suppressed with it (complementary suppression: with one side and the gap shown, the
//! hidden side would follow by subtraction). No score combining both sides is published, so a hidden side cannot
//! be recovered from a total either.

use super::{Answers, Dimension, ITEMS};
use crate::Side;
use serde::Serialize;

/// Fewest respondents of a side whose score is shown.
pub const DEFAULT_K: usize = 5;

/// One anonymous response: the respondent's side and answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The respondent's side in the partnership.
    pub side: Side,
    /// Item id → 1–5.
    pub answers: Answers,
}

/// One side's cell: its score (None when suppressed or nobody answered) and how many answered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    /// 0–100, or None when suppressed or empty.
    pub score: Option<f64>,
    /// Respondents who answered at least one item; None when suppressed.
    pub n: Option<usize>,
    /// Hidden because fewer than k answered.
    pub suppressed: bool,
}

/// A dimension's (or the overall index's) result for a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    /// The dimension (None for the overall index).
    pub dimension: Option<Dimension>,
    /// Police side.
    pub police: Cell,
    /// Community side.
    pub community: Cell,
    /// Police − community in points; None when either side is suppressed or empty.
    pub gap: Option<f64>,
    /// The gap is hidden because a side is suppressed.
    pub gap_suppressed: bool,
}

/// A scored round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundResult {
    /// The suppression threshold used.
    pub k: usize,
    /// The overall index (all items).
    pub overall: DimensionResult,
    /// One result per dimension, in [`Dimension::ALL`] order.
    pub dimensions: Vec<DimensionResult>,
}

impl RoundResult {
    /// The dimensions with a shown gap, largest absolute gap first ("where officers and residents disagree"),
    /// then the suppressed ones in their usual order.
    pub fn by_disagreement(&self) -> Vec<&DimensionResult> {
        let mut v: Vec<&DimensionResult> = self.dimensions.iter().collect();
        v.sort_by(|a, b| match (a.gap, b.gap) {
            (Some(x), Some(y)) => y.abs().total_cmp(&x.abs()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        v
    }
}

/// A respondent's 0–100 score over the items selected by `keep`, or None if they answered none of them.
fn respondent_score(answers: &Answers, keep: impl Fn(Dimension) -> bool) -> Option<f64> {
    let vals: Vec<f64> = ITEMS
        .iter()
        .filter(|i| keep(i.dimension))
        .filter_map(|i| answers.get(i.id))
        .map(|&v| f64::from(v.clamp(1, 5)))
        .collect();
    if vals.is_empty() {
        return None;
    }
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    Some((mean - 1.0) / 4.0 * 100.0)
}

fn cell(scores: &[f64], k: usize) -> Cell {
    let n = scores.len();
    if n == 0 {
        return Cell { score: None, n: Some(0), suppressed: false };
    }
    if n < k {
        return Cell { score: None, n: None, suppressed: true };
    }
    Cell { score: Some(scores.iter().sum::<f64>() / n as f64), n: Some(n), suppressed: false }
}

fn result(responses: &[Response], k: usize, dimension: Option<Dimension>) -> DimensionResult {
    let keep = |d: Dimension| dimension.is_none_or(|x| x == d);
    let side_scores = |side: Side| -> Vec<f64> {
        responses.iter().filter(|r| r.side == side).filter_map(|r| respondent_score(&r.answers, keep)).collect()
    };
    let police = cell(&side_scores(Side::Police), k);
    let community = cell(&side_scores(Side::Community), k);
    let gap_suppressed = police.suppressed || community.suppressed;
    let gap = match (police.score, community.score) {
        (Some(p), Some(c)) if !gap_suppressed => Some(p - c),
        _ => None,
    };
    DimensionResult { dimension, police, community, gap, gap_suppressed }
}

/// Scores a round's responses with suppression threshold `k` (at least 1).
pub fn score_round(responses: &[Response], k: usize) -> RoundResult {
    let k = k.max(1);
    RoundResult {
        k,
        overall: result(responses, k, None),
        dimensions: Dimension::ALL.iter().map(|&d| result(responses, k, Some(d))).collect(),
    }
}
