//! The page's view of common ground across demographic groups: one column per group counted on at least one
//! statement (at least k = 5 of its members voted on it), a dash where it is not counted. Groups never counted are
//! never named.

use super::ranking::{CgGroupOut, Ranking};
use crate::i18n::Tr;
use crate::routes::partnerships::view::category_label;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::decision::MIN_GROUP_VOTERS;

/// The demographic table: headings and one row per statement (in rank order).
pub struct GroupTable {
    /// The dimension's label, e.g. "Race and ethnicity".
    pub dimension: String,
    /// The caption.
    pub caption: String,
    /// Column headings: the groups' labels.
    pub columns: Vec<String>,
    /// (rank, statement, cells).
    pub rows: Vec<(usize, String, Vec<String>)>,
    /// How groups are formed and why some are not shown.
    pub note: String,
}

/// A group's cell: `72.5 % (29 / 8 / 3)`.
pub fn cell(g: &CgGroupOut) -> String {
    let pct = g.agree_pct.map_or_else(|| "—".to_string(), |p| format!("{p} %"));
    format!("{pct} ({} / {} / {})", g.agree, g.disagree, g.pass)
}

/// The table, or `None` while no demographic group is counted on any statement.
pub fn table(t: &Tr, dim: Dimension, r: &Ranking) -> Option<GroupTable> {
    let shown: Vec<&str> = dim
        .categories()
        .iter()
        .copied()
        .filter(|c| r.statements.iter().any(|s| s.demographics.iter().any(|g| g.group == *c)))
        .collect();
    if shown.is_empty() {
        return None;
    }
    let label = t.t(&format!("dim-{}", dim.as_str()));
    let rows = r
        .statements
        .iter()
        .map(|s| {
            let cells = shown
                .iter()
                .map(|c| s.demographics.iter().find(|g| g.group == *c).map_or_else(|| "—".to_string(), cell))
                .collect();
            (s.rank, s.body.clone(), cells)
        })
        .collect();
    Some(GroupTable {
        caption: t.t1("cg-groups-caption", "dimension", &label),
        columns: shown.iter().map(|c| category_label(t, dim.as_str(), c)).collect(),
        rows,
        note: t.t1("cg-groups-note", "count", &MIN_GROUP_VOTERS.to_string()),
        dimension: label,
    })
}
