//! What the public may see of crime data, in one place:
//!
//! - never a precise point: grids of at least [`PUBLIC_MIN_CELL_M`] metres, area totals, blocks;
//! - sensitive incidents (sex offences, domestic, juvenile, human trafficking) only inside area totals,
//!   never in a grid, a map, a place list or a near-repeat table;
//! - nothing newer than the publication lag ([`PUBLICATION_LAG_DAYS`]);
//! - grid cells and place counts under [`PUBLIC_MIN_COUNT`] suppressed, with complementary suppression so a
//!   published total cannot reveal them.
//!
//! Police and administrators see precise data; reads of an incident's details are audited by the caller.

use super::columns::Selection;
use commonbeat_domain::Role;

/// Days between an incident and its publication.
pub const PUBLICATION_LAG_DAYS: i64 = 7;
/// Smallest count shown in a public cell.
pub const PUBLIC_MIN_COUNT: u64 = 3;
/// Smallest public grid cell, in metres.
pub const PUBLIC_MIN_CELL_M: f64 = 250.0;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Police and administrators: precise data.
    Police,
    /// Everyone else: the privacy-safe view.
    Public,
}

impl Audience {
    /// The audience of a caller with this role.
    pub fn of(role: Option<Role>) -> Audience {
        match role {
            Some(Role::Police | Role::Admin) => Audience::Police,
            _ => Audience::Public,
        }
    }

    /// Whether this is the public.
    pub fn is_public(self) -> bool {
        self == Audience::Public
    }
}

/// The latest instant the public may see (now minus the lag).
pub fn public_cutoff(now: i64) -> i64 {
    now - PUBLICATION_LAG_DAYS * 86_400
}

/// The selection adjusted for the audience: the public loses sensitive incidents and anything after the cut-off
/// (area totals that may include sensitive incidents use [`for_area_totals`]).
pub fn restrict(mut s: Selection, audience: Audience, now: i64) -> Selection {
    if audience.is_public() {
        s.include_sensitive = false;
        s.to = s.to.min(public_cutoff(now));
        s.from = s.from.min(s.to);
    }
    s
}

/// The selection for an area total: sensitive incidents count, the lag still applies to the public.
pub fn for_area_totals(mut s: Selection, audience: Audience, now: i64) -> Selection {
    s.include_sensitive = true;
    if audience.is_public() {
        s.to = s.to.min(public_cutoff(now));
        s.from = s.from.min(s.to);
    }
    s
}

/// The cell size the audience may ask for.
pub fn cell_size(asked: f64, audience: Audience) -> f64 {
    if audience.is_public() { asked.max(PUBLIC_MIN_CELL_M) } else { asked }
}

/// Which of `counts` the public must not see (under the minimum, plus complementary cells).
pub fn suppressed(counts: &[u64]) -> Vec<bool> {
    commonbeat_analysis::suppression::suppress_row(counts, PUBLIC_MIN_COUNT).into_iter().map(|shown| !shown).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel() -> Selection {
        Selection {
            from: 0,
            to: 100 * 86_400,
            category: None,
            areas: vec![],
            include_sensitive: true,
            with_point: true,
        }
    }

    #[test]
    fn the_public_loses_sensitive_incidents_and_the_last_week() {
        let now = 100 * 86_400;
        let s = restrict(sel(), Audience::Public, now);
        assert!(!s.include_sensitive);
        assert_eq!(s.to, 93 * 86_400);
        let p = restrict(sel(), Audience::Police, now);
        assert_eq!(p, sel());
        let t = for_area_totals(sel(), Audience::Public, now);
        assert!(t.include_sensitive);
        assert_eq!(t.to, 93 * 86_400);
    }

    #[test]
    fn public_cells_are_at_least_250_m_and_small_counts_are_hidden_with_a_complement() {
        assert_eq!(cell_size(100.0, Audience::Public), 250.0);
        assert_eq!(cell_size(100.0, Audience::Police), 100.0);
        let hidden = suppressed(&[10, 2, 7, 9]);
        assert!(hidden[1]);
        assert_eq!(hidden.iter().filter(|h| **h).count(), 2, "a lone hidden cell would be recoverable");
        assert_eq!(Audience::of(Some(Role::Community)), Audience::Public);
        assert_eq!(Audience::of(None), Audience::Public);
        assert_eq!(Audience::of(Some(Role::Police)), Audience::Police);
    }
}
