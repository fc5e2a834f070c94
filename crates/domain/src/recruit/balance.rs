//! Whether an interview panel is balanced: by side (residents and recruiting staff both present, sides within
//! one seat of each other) and, where panelists have described themselves, by demographic group. A check that
//! warns; it never stops a panel from being formed.

use super::{Panel, PanelistId};
use serde::Serialize;

/// Something to look at in a panel's make-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelWarning {
    /// No resident sits on the panel.
    NoResident,
    /// No member of recruiting staff sits on the panel.
    NoRecruitingStaff,
    /// One side has two or more seats more than the other.
    SidesUneven,
    /// Every panelist who described themselves is in the same group (at least two did).
    SingleGroup,
    /// Fewer than two panelists described themselves, so demographic balance cannot be checked.
    GroupsUnknown,
}

impl PanelWarning {
    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            PanelWarning::NoResident => "no_resident",
            PanelWarning::NoRecruitingStaff => "no_recruiting_staff",
            PanelWarning::SidesUneven => "sides_uneven",
            PanelWarning::SingleGroup => "single_group",
            PanelWarning::GroupsUnknown => "groups_unknown",
        }
    }
}

/// The warnings for `panel`, given each panelist's self-described group (`None` = not described; panelists
/// missing from `groups` count as not described), in the order of [`PanelWarning`].
pub fn panel_warnings(panel: &Panel, groups: &[(PanelistId, Option<&str>)]) -> Vec<PanelWarning> {
    let b = panel.balance();
    let mut out = Vec::new();
    if b.residents == 0 {
        out.push(PanelWarning::NoResident);
    }
    if b.recruiting_staff == 0 {
        out.push(PanelWarning::NoRecruitingStaff);
    }
    if b.community_side.abs_diff(b.police_side) > 1 {
        out.push(PanelWarning::SidesUneven);
    }
    let declared: Vec<&str> = panel
        .panelists()
        .iter()
        .filter_map(|p| groups.iter().find(|(id, _)| *id == p.id).and_then(|(_, g)| *g))
        .filter(|g| !g.is_empty())
        .collect();
    if declared.len() < 2 {
        out.push(PanelWarning::GroupsUnknown);
    } else if declared.iter().all(|g| *g == declared[0]) {
        out.push(PanelWarning::SingleGroup);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recruit::{PanelRole, Panelist};

    fn panel(roles: &[PanelRole]) -> Panel {
        Panel::new(roles.iter().enumerate().map(|(i, r)| Panelist { id: i as i64 + 1, role: *r }).collect()).unwrap()
    }

    #[test]
    fn a_mixed_panel_with_mixed_groups_has_no_warnings() {
        let p = panel(&[PanelRole::Resident, PanelRole::Resident, PanelRole::RecruitingStaff, PanelRole::Officer]);
        let groups = [(1, Some("hispanic")), (2, Some("black")), (3, None)];
        assert!(panel_warnings(&p, &groups).is_empty());
    }

    #[test]
    fn sides_and_groups_are_warned_about() {
        let p = panel(&[PanelRole::RecruitingStaff, PanelRole::Officer, PanelRole::Officer]);
        assert_eq!(
            panel_warnings(&p, &[(1, Some("white")), (2, Some("white"))]),
            vec![PanelWarning::NoResident, PanelWarning::SidesUneven, PanelWarning::SingleGroup]
        );
        let p = panel(&[PanelRole::Resident]);
        assert_eq!(
            panel_warnings(&p, &[(1, Some("white")), (9, Some("black"))]),
            vec![PanelWarning::NoRecruitingStaff, PanelWarning::GroupsUnknown]
        );
    }
}
