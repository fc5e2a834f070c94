//! View models for partnership pages and the API: charter, balance, seats and alerts, representation, history.

use crate::AppState;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::timefmt::format_datetime;
use commonbeat_analysis::representation;
use commonbeat_domain::Side;
use commonbeat_domain::census::Dimension;
use commonbeat_domain::partnership::{
    Balance, STAKEHOLDER_TYPES, Seat, SeatAlert, missing_stakeholder_types, seat_alerts,
};
use commonbeat_store::entities::{area, partnership};
use commonbeat_store::repo::{areas, leadership, members, partnerships};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Smallest member count shown in representation breakdowns (smaller non-zero counts are suppressed).
pub const MEMBER_CELL_K: u64 = 3;

/// Groups smaller than this share of the area (percent) are compared but not flagged: with a dozen members, a
/// group of 0.5 % of the population is absent by arithmetic, not by exclusion.
pub const FLAG_MIN_CENSUS_PCT: f64 = 5.0;

/// Categories left out of the comparison: members are adults, so children are not part of the census base.
fn compared(dim: Dimension) -> Vec<&'static str> {
    dim.categories().iter().copied().filter(|c| !(dim == Dimension::Age && *c == "under-18")).collect()
}

/// The 50/50 balance as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BalanceView {
    /// Active police-side members.
    pub police: u64,
    /// Active community-side members.
    pub community: u64,
    /// Community share in whole percent.
    pub community_pct: u64,
    /// Police share in whole percent.
    pub police_pct: u64,
    /// The side below 40 %, if any (`police` or `community`).
    pub underweighted: Option<String>,
}

impl BalanceView {
    /// From counts.
    pub fn of(b: Balance) -> BalanceView {
        let c = b.community_share().map_or(0, |s| (s * 100.0).round() as u64);
        BalanceView {
            police: b.police,
            community: b.community,
            community_pct: c,
            police_pct: if b.total() == 0 { 0 } else { 100 - c },
            underweighted: b.underweighted_side().map(|s| s.as_str().to_string()),
        }
    }
}

/// One leadership seat as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeatView {
    /// Seat id.
    pub seat: String,
    /// Seat label.
    pub label: String,
    /// Holder's name (public: co-chairs are the partnership's public faces).
    pub holder: Option<String>,
    /// Holder's user id.
    #[serde(skip)]
    pub holder_id: Option<i64>,
    /// End of term (formatted).
    pub term_ends: Option<String>,
}

/// One group in a representation breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepRow {
    /// Category id.
    pub category: String,
    /// Category label.
    pub label: String,
    /// Members in the group (None = suppressed: fewer than 3, or hidden as the complement of a suppressed cell).
    pub members: Option<u64>,
    /// Share of members who answered, percent (None when suppressed).
    pub member_pct: Option<f64>,
    /// Share of the area's census population, percent.
    pub census_pct: f64,
    /// Representation ratio (member share ÷ census share).
    pub ratio: Option<f64>,
    /// Gap in percentage points.
    pub gap_pp: Option<f64>,
    /// Below half its census share (only for groups of at least 5 % of the area).
    pub under_represented: bool,
}

/// One dimension (race, age, …) of the representation report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepDimension {
    /// Dimension id.
    pub dimension: String,
    /// Label.
    pub label: String,
    /// Community members who answered this question.
    pub declared: u64,
    /// Census total of the partnership's areas.
    pub census_total: u64,
    /// Groups.
    pub rows: Vec<RepRow>,
}

/// The representation report of a partnership.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Representation {
    /// Active community members.
    pub community_members: u64,
    /// Breakdowns with census data.
    pub dimensions: Vec<RepDimension>,
    /// Stakeholder types and how many members declared each.
    pub stakeholders: Vec<(String, u64)>,
    /// Stakeholder types nobody represents.
    pub missing_stakeholders: Vec<String>,
    /// Groups flagged below half their census share, as "dimension: group".
    pub flagged: Vec<String>,
}

/// Label of a census category.
pub fn category_label(t: &Tr, dim: &str, cat: &str) -> String {
    // Fluent identifiers cannot contain '+': "65+" is looked up as "65-plus".
    t.t(&format!("cat-{dim}-{}", cat.replace('+', "-plus")))
}

/// Builds the representation report: community members' declared demographics against the census of the
/// partnership's areas, with small-cell suppression; individual answers never leave this function.
pub async fn representation(
    state: &AppState,
    ctx: &Ctx,
    p: &partnership::Model,
    area_ids: &[i64],
) -> AppResult<Representation> {
    let t = ctx.tr();
    let (n, profiles) = members::community_profiles(&state.db, ctx.jid(), p.id).await?;
    let census = areas::demographics(&state.db, ctx.jid(), area_ids).await?;
    let answers: Vec<BTreeMap<String, String>> =
        profiles.iter().map(|pr| serde_json::from_str(&pr.demographics).unwrap_or_default()).collect();
    let mut dimensions = Vec::new();
    let mut flagged = Vec::new();
    for dim in Dimension::ALL {
        let Some(cen) = census.get(dim.as_str()) else { continue };
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        let mut declared = 0;
        for a in &answers {
            if let Some(cat) = a.get(dim.as_str()).filter(|c| dim.is_category(c)) {
                declared += 1;
                *counts
                    .entry(dim.categories().iter().find(|c| **c == cat.as_str()).copied().unwrap_or("other"))
                    .or_default() += 1;
            }
        }
        let cats = compared(dim);
        let members_v: Vec<(&str, u64)> = cats.iter().map(|c| (*c, counts.get(c).copied().unwrap_or(0))).collect();
        let census_v: Vec<(&str, u64)> =
            cats.iter().map(|c| (*c, cen.get(*c).copied().unwrap_or(0).max(0) as u64)).collect();
        let cmp = representation::compare(&members_v, &census_v, MEMBER_CELL_K);
        let rows: Vec<RepRow> = cmp
            .groups
            .iter()
            .map(|g| RepRow {
                category: g.category.clone(),
                label: category_label(&t, dim.as_str(), &g.category),
                members: g.members,
                member_pct: g.member_share.map(|s| (s * 1000.0).round() / 10.0),
                census_pct: (g.census_share * 1000.0).round() / 10.0,
                ratio: g.ratio.map(|r| (r * 100.0).round() / 100.0),
                gap_pp: g.gap_pp.map(|x| (x * 10.0).round() / 10.0),
                under_represented: g.under_represented && g.census_share * 100.0 >= FLAG_MIN_CENSUS_PCT,
            })
            .collect();
        let label = t.t(&format!("dim-{}", dim.as_str()));
        for r in rows.iter().filter(|r| r.under_represented && declared > 0) {
            flagged.push(format!("{label}: {}", r.label));
        }
        dimensions.push(RepDimension {
            dimension: dim.as_str().into(),
            label,
            declared,
            census_total: cmp.census_total,
            rows,
        });
    }
    let declared_types: Vec<String> = profiles
        .iter()
        .flat_map(|p| {
            p.stakeholder_types
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    // Counts under k are not published (with fewer than k community members, none are).
    let counts: Vec<u64> =
        STAKEHOLDER_TYPES.iter().map(|s| declared_types.iter().filter(|d| d == s).count() as u64).collect();
    let shown = commonbeat_analysis::suppression::suppress_row(&counts, MEMBER_CELL_K);
    let stakeholders = STAKEHOLDER_TYPES
        .iter()
        .zip(counts.iter().zip(&shown))
        .filter(|_| n >= MEMBER_CELL_K)
        .filter(|(_, (_, show))| **show)
        .map(|(s, (c, _))| (t.t(&format!("stakeholder-{s}")), *c))
        .collect();
    let missing_stakeholders =
        missing_stakeholder_types(&declared_types).into_iter().map(|s| t.t(&format!("stakeholder-{s}"))).collect();
    Ok(Representation { community_members: n, dimensions, stakeholders, missing_stakeholders, flagged })
}

/// Seats (co-chairs first) with holders and alerts.
pub async fn seats(state: &AppState, ctx: &Ctx, p: &partnership::Model) -> AppResult<(Vec<SeatView>, Vec<String>)> {
    let t = ctx.tr();
    let current = leadership::current(&state.db, ctx.jid(), p.id).await?;
    let tz = &ctx.jurisdiction.time_zone;
    let views = Seat::ALL
        .iter()
        .map(|s| {
            let holder = current.iter().find(|c| c.term.seat == s.as_str());
            SeatView {
                seat: s.as_str().into(),
                label: t.t(&format!("seat-{}", s.as_str())),
                holder: holder.map(|h| h.user.name.clone()),
                holder_id: holder.map(|h| h.user.id),
                term_ends: holder.map(|h| format_datetime(h.term.ends_at, tz, ctx.locale)),
            }
        })
        .collect();
    let ends: Vec<(Seat, Option<i64>)> =
        current.iter().filter_map(|c| Seat::parse(&c.term.seat).map(|s| (s, Some(c.term.ends_at)))).collect();
    let alerts = seat_alerts(&ends, commonbeat_store::now())
        .into_iter()
        .map(|a| match a {
            SeatAlert::Vacant { seat } => t.t1("alert-seat-vacant", "seat", &t.t(&format!("seat-{}", seat.as_str()))),
            SeatAlert::TermEnding { seat, days_left } => {
                let who = t.t(&format!("seat-{}", seat.as_str()));
                t.t2("alert-term-ending", ("seat", &who), ("days", &days_left.to_string()))
            }
        })
        .collect();
    Ok((views, alerts))
}

/// Label of a side.
pub fn side_label(t: &Tr, side: &str) -> String {
    t.t(if side == Side::Police.as_str() { "side-police" } else { "side-community" })
}

/// Partnership areas with their ids.
pub async fn area_list(state: &AppState, ctx: &Ctx, p: &partnership::Model) -> AppResult<Vec<area::Model>> {
    Ok(partnerships::areas_of(&state.db, ctx.jid(), p.id).await?)
}
