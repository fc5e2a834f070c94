//! Partnerships: charter, lifecycle, membership roles, co-chair seats, the 50/50 balance and leadership alerts.

use crate::account::Side;
use serde::{Deserialize, Serialize};

/// The four goals a partnership may pursue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// Arrest offenders.
    Arrest,
    /// Prevent crime.
    Prevent,
    /// Solve ongoing problems.
    Solve,
    /// Improve quality of life.
    Quality,
}

impl Goal {
    /// All goals in display order.
    pub const ALL: [Goal; 4] = [Goal::Arrest, Goal::Prevent, Goal::Solve, Goal::Quality];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Arrest => "arrest",
            Goal::Prevent => "prevent",
            Goal::Solve => "solve",
            Goal::Quality => "quality",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Goal> {
        Goal::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }

    /// Parses a comma-separated list, ignoring duplicates; unknown ids are an error naming them.
    pub fn parse_list(s: &str) -> Result<Vec<Goal>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let g = Goal::parse(part).ok_or_else(|| format!("unknown goal {part:?}"))?;
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Comma-separated ids.
    pub fn join(goals: &[Goal]) -> String {
        goals.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// Lifecycle of a partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being set up: charter, members, co-chairs.
    Forming,
    /// Meeting and working.
    Active,
    /// Not meeting; can be revived.
    Dormant,
    /// Ended for good.
    Closed,
}

impl Status {
    /// All statuses.
    pub const ALL: [Status; 4] = [Status::Forming, Status::Active, Status::Dormant, Status::Closed];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Forming => "forming",
            Status::Active => "active",
            Status::Dormant => "dormant",
            Status::Closed => "closed",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Forming => &[Status::Active, Status::Closed],
            Status::Active => &[Status::Dormant, Status::Closed],
            Status::Dormant => &[Status::Active, Status::Closed],
            Status::Closed => &[],
        }
    }
}

/// How often the partnership means to meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    /// Every week.
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// Every month (CAPS beat meetings are typically monthly or bimonthly).
    Monthly,
    /// Every other month.
    Bimonthly,
    /// Every three months.
    Quarterly,
}

impl Cadence {
    /// All cadences.
    pub const ALL: [Cadence; 5] =
        [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly, Cadence::Bimonthly, Cadence::Quarterly];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
            Cadence::Bimonthly => "bimonthly",
            Cadence::Quarterly => "quarterly",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// Nominal days between meetings.
    pub fn days(self) -> u32 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Biweekly => 14,
            Cadence::Monthly => 30,
            Cadence::Bimonthly => 61,
            Cadence::Quarterly => 91,
        }
    }
}

/// A validated charter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charter {
    /// Partnership name (3–120 characters).
    pub name: String,
    /// Mission statement (10–2000 characters).
    pub mission: String,
    /// Goals pursued (at least one).
    pub goals: Vec<Goal>,
    /// The one major problem it forms around (5–500 characters).
    pub founding_problem: String,
    /// Meeting cadence.
    pub cadence: Cadence,
}

/// A charter field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharterError {
    /// The field.
    pub field: &'static str,
    /// Why.
    pub reason: String,
}

fn bounded(field: &'static str, value: &str, min: usize, max: usize) -> Result<String, CharterError> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min || n > max {
        return Err(CharterError { field, reason: format!("must be {min} to {max} characters (got {n})") });
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(CharterError { field, reason: "contains control characters".into() });
    }
    Ok(v.to_string())
}

impl Charter {
    /// Parses raw form or API input into a charter, reporting every invalid field.
    pub fn parse(
        name: &str,
        mission: &str,
        goals: &str,
        founding_problem: &str,
        cadence: &str,
    ) -> Result<Charter, Vec<CharterError>> {
        let mut errors = Vec::new();
        let name = bounded("name", name, 3, 120).map_err(|e| errors.push(e)).ok();
        let mission = bounded("mission", mission, 10, 2000).map_err(|e| errors.push(e)).ok();
        let founding_problem = bounded("founding_problem", founding_problem, 5, 500).map_err(|e| errors.push(e)).ok();
        let goals = match Goal::parse_list(goals) {
            Ok(g) if g.is_empty() => {
                errors.push(CharterError { field: "goals", reason: "choose at least one goal".into() });
                None
            }
            Ok(g) => Some(g),
            Err(reason) => {
                errors.push(CharterError { field: "goals", reason });
                None
            }
        };
        let cadence = Cadence::parse(cadence)
            .ok_or_else(|| {
                errors.push(CharterError { field: "cadence", reason: format!("unknown cadence {cadence:?}") })
            })
            .ok();
        match (name, mission, goals, founding_problem, cadence) {
            (Some(name), Some(mission), Some(goals), Some(founding_problem), Some(cadence)) if errors.is_empty() => {
                Ok(Charter { name, mission, goals, founding_problem, cadence })
            }
            _ => Err(errors),
        }
    }
}

/// A URL-safe slug from a name: lower-case ASCII letters, digits and single hyphens.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' | 'Á' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Í' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'Ó' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(60).collect::<String>();
    if out.is_empty() { "partnership".into() } else { out }
}

/// A member's role in a partnership (leadership is held through [`Seat`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Full member: votes, takes on commitments.
    Member,
    /// Follows along without voting.
    Observer,
}

impl MemberRole {
    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Observer => "observer",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<MemberRole> {
        match s.trim() {
            "member" => Some(MemberRole::Member),
            "observer" => Some(MemberRole::Observer),
            _ => None,
        }
    }
}

/// Leadership seats: one co-chair per side, with optional deputies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    /// Police co-chair.
    PoliceChair,
    /// Community co-chair.
    CommunityChair,
    /// Police deputy co-chair.
    PoliceDeputy,
    /// Community deputy co-chair.
    CommunityDeputy,
}

impl Seat {
    /// All seats.
    pub const ALL: [Seat; 4] = [Seat::PoliceChair, Seat::CommunityChair, Seat::PoliceDeputy, Seat::CommunityDeputy];

    /// Stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Seat::PoliceChair => "police_chair",
            Seat::CommunityChair => "community_chair",
            Seat::PoliceDeputy => "police_deputy",
            Seat::CommunityDeputy => "community_deputy",
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Option<Seat> {
        Seat::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// The side whose member must hold this seat.
    pub fn side(self) -> Side {
        match self {
            Seat::PoliceChair | Seat::PoliceDeputy => Side::Police,
            Seat::CommunityChair | Seat::CommunityDeputy => Side::Community,
        }
    }

    /// Whether the seat is a co-chair (required) rather than a deputy (optional).
    pub fn is_chair(self) -> bool {
        matches!(self, Seat::PoliceChair | Seat::CommunityChair)
    }
}

/// Members per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Balance {
    /// Police-side count.
    pub police: u64,
    /// Community-side count.
    pub community: u64,
}

/// A side with less than this share of the total is flagged as under-weighted.
pub const IMBALANCE_THRESHOLD: f64 = 0.4;

impl Balance {
    /// Total.
    pub fn total(&self) -> u64 {
        self.police + self.community
    }

    /// The community side's share (0–1), or `None` when empty.
    pub fn community_share(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| self.community as f64 / t as f64)
    }

    /// The side that holds less than [`IMBALANCE_THRESHOLD`] of the total, if any (an empty side always counts).
    pub fn underweighted_side(&self) -> Option<Side> {
        let share = self.community_share()?;
        if share < IMBALANCE_THRESHOLD {
            Some(Side::Community)
        } else if 1.0 - share < IMBALANCE_THRESHOLD {
            Some(Side::Police)
        } else {
            None
        }
    }
}

/// Why a partnership cannot become active yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationBlocker {
    /// No police co-chair.
    NoPoliceChair,
    /// No community co-chair.
    NoCommunityChair,
    /// No active community member.
    NoCommunityMembers,
    /// No active police member.
    NoPoliceMembers,
}

/// What stops a move to `to`. Becoming active needs both co-chairs and members on both sides.
pub fn transition_blockers(
    from: Status,
    to: Status,
    chairs: (bool, bool),
    members: Balance,
) -> Result<(), Vec<ActivationBlocker>> {
    if !from.next().contains(&to) {
        return Err(Vec::new());
    }
    if to != Status::Active {
        return Ok(());
    }
    let mut b = Vec::new();
    if !chairs.0 {
        b.push(ActivationBlocker::NoPoliceChair);
    }
    if !chairs.1 {
        b.push(ActivationBlocker::NoCommunityChair);
    }
    if members.police == 0 {
        b.push(ActivationBlocker::NoPoliceMembers);
    }
    if members.community == 0 {
        b.push(ActivationBlocker::NoCommunityMembers);
    }
    if b.is_empty() { Ok(()) } else { Err(b) }
}

/// Something leadership must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SeatAlert {
    /// A co-chair seat has nobody in it.
    Vacant {
        /// The seat.
        seat: Seat,
    },
    /// The holder's term ends within the warning window.
    TermEnding {
        /// The seat.
        seat: Seat,
        /// Whole days left.
        days_left: i64,
    },
}

/// Days before a term's end from which it is flagged.
pub const TERM_WARNING_DAYS: i64 = 30;

/// Alerts for the seats given as (seat, end of the current holder's term, if held). Deputy seats are optional:
/// only their ending terms are flagged, not their vacancy.
pub fn seat_alerts(seats: &[(Seat, Option<i64>)], now: i64) -> Vec<SeatAlert> {
    let mut out = Vec::new();
    for seat in Seat::ALL {
        let held = seats.iter().find(|(s, _)| *s == seat).and_then(|(_, end)| *end);
        // A term that has run out leaves the seat as empty as no holder at all.
        let live = held.filter(|end| *end > now);
        match live {
            None if seat.is_chair() => out.push(SeatAlert::Vacant { seat }),
            None => {}
            Some(end) => {
                let days_left = (end - now) / 86_400;
                if days_left < TERM_WARNING_DAYS {
                    out.push(SeatAlert::TermEnding { seat, days_left });
                }
            }
        }
    }
    out
}

/// Stakeholder types a community member may declare.
pub const STAKEHOLDER_TYPES: [&str; 9] =
    ["resident", "business", "faith", "school", "youth", "social_services", "nonprofit", "tenant_association", "other"];

/// The stakeholder types nobody has declared (the representation report lists them).
pub fn missing_stakeholder_types(declared: &[String]) -> Vec<&'static str> {
    STAKEHOLDER_TYPES.into_iter().filter(|t| *t != "other" && !declared.iter().any(|d| d == t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn charters_report_every_bad_field() {
        let ok = Charter::parse(
            "Beat 1432 Partnership",
            "Make the Pulaski corridor safe at night.",
            "prevent, quality",
            "Open-air drug market at Pulaski & Armitage",
            "monthly",
        )
        .unwrap();
        assert_eq!(ok.goals, vec![Goal::Prevent, Goal::Quality]);
        let errs = Charter::parse("B", "short", "", "x", "daily").unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "mission", "founding_problem", "goals", "cadence"]);
        assert!(
            Charter::parse("Beat", "A long enough mission", "arrest,party", "A problem", "weekly").unwrap_err()[0]
                .reason
                .contains("party")
        );
    }

    #[test]
    fn lifecycle_moves_and_activation_needs_both_sides() {
        let full = Balance { police: 3, community: 5 };
        assert_eq!(transition_blockers(Status::Forming, Status::Active, (true, true), full), Ok(()));
        assert_eq!(
            transition_blockers(Status::Forming, Status::Active, (true, false), Balance { police: 2, community: 0 }),
            Err(vec![ActivationBlocker::NoCommunityChair, ActivationBlocker::NoCommunityMembers])
        );
        assert_eq!(transition_blockers(Status::Closed, Status::Active, (true, true), full), Err(vec![]));
        assert_eq!(transition_blockers(Status::Active, Status::Dormant, (false, false), Balance::default()), Ok(()));
        assert!(Status::Dormant.next().contains(&Status::Active));
    }

    #[test]
    fn balance_flags_the_thin_side() {
        assert_eq!(Balance { police: 5, community: 5 }.underweighted_side(), None);
        assert_eq!(Balance { police: 8, community: 2 }.underweighted_side(), Some(Side::Community));
        assert_eq!(Balance { police: 1, community: 9 }.underweighted_side(), Some(Side::Police));
        assert_eq!(Balance::default().underweighted_side(), None);
    }

    #[test]
    fn seats_alert_when_vacant_or_ending() {
        let now = 1_800_000_000;
        let alerts = seat_alerts(
            &[(Seat::PoliceChair, Some(now + 10 * 86_400)), (Seat::CommunityDeputy, Some(now + 400 * 86_400))],
            now,
        );
        assert_eq!(
            alerts,
            vec![
                SeatAlert::TermEnding { seat: Seat::PoliceChair, days_left: 10 },
                SeatAlert::Vacant { seat: Seat::CommunityChair }
            ]
        );
        let expired =
            seat_alerts(&[(Seat::PoliceChair, Some(now - 1)), (Seat::CommunityChair, Some(now + 90 * 86_400))], now);
        assert_eq!(expired, vec![SeatAlert::Vacant { seat: Seat::PoliceChair }]);
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Beat 1432 — Logan Square Partnership"), "beat-1432-logan-square-partnership");
        assert_eq!(slugify("Alianza de Pilsen: Niños Seguros"), "alianza-de-pilsen-ninos-seguros");
        assert_eq!(slugify("!!!"), "partnership");
    }

    #[test]
    fn missing_types_skip_other() {
        let got = missing_stakeholder_types(&["resident".into(), "faith".into()]);
        assert!(!got.contains(&"resident") && got.contains(&"business") && !got.contains(&"other"));
    }

    proptest! {
        #[test]
        fn a_side_never_both_flagged_and_balanced(p in 0u64..50, c in 0u64..50) {
            let b = Balance { police: p, community: c };
            if let Some(share) = b.community_share() {
                let flagged = b.underweighted_side().is_some();
                prop_assert_eq!(flagged, !(IMBALANCE_THRESHOLD..=1.0 - IMBALANCE_THRESHOLD).contains(&share));
            }
        }

        #[test]
        fn slugs_only_contain_safe_characters(name in ".{0,80}") {
            let s = slugify(&name);
            prop_assert!(!s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!s.starts_with('-') && !s.ends_with('-'));
        }
    }
}
