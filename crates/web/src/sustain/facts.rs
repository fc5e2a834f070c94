//! Turns one jurisdiction's rows into each partnership's health [`Facts`].

use crate::routes::commitments::{facts as commitment_facts, kept_rate};
use commonbeat_domain::Side;
use commonbeat_domain::health::{Facts, SeatFact, SidePair, TrustFact, WINDOW_DAYS, expected_meetings};
use commonbeat_domain::partnership::{Cadence, Seat};
use commonbeat_store::entities::partnership;
use commonbeat_store::repo::health::Rows;
use commonbeat_store::repo::members;
use jiff::civil::Date;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// The window's start for `now`.
pub fn window_start(now: i64) -> i64 {
    now - WINDOW_DAYS * DAY
}

/// Per-partnership context gathered outside [`Rows`]: representation flags and trust.
#[derive(Debug, Default, Clone)]
pub struct Extra {
    /// Under-represented census groups.
    pub under_represented: Vec<String>,
    /// Trust in the area.
    pub trust: Option<TrustFact>,
}

/// When the partnership began to be active: its creation, or earlier when its records say so (imported or
/// backdated history), so a partnership is never expected to have met before it existed, nor excused after.
pub fn active_since(p: &partnership::Model, rows: &Rows) -> i64 {
    let first_meeting = rows.meetings.iter().filter(|m| m.partnership_id == p.id).map(|m| m.starts_at).min();
    let first_member = rows
        .memberships
        .iter()
        .filter(|m| m.partnership_id == p.id)
        .filter_map(|m| m.joined_at.or(Some(m.created_at)))
        .min();
    let first_term = rows.terms.iter().filter(|t| t.partnership_id == p.id).map(|t| t.starts_at).min();
    [Some(p.created_at), first_meeting, first_member, first_term].into_iter().flatten().min().unwrap_or(p.created_at)
}

/// Builds the facts of partnership `p` at `now` (`today` is the local date).
pub fn build(p: &partnership::Model, rows: &Rows, extra: Extra, now: i64, today: Date) -> Facts {
    let since = window_start(now);
    let pid = p.id;
    let cadence_days = Cadence::parse(&p.cadence).map(|c| c.days()).unwrap_or(30);
    let active_days = (now - active_since(p, rows)) / DAY;

    // Meetings held: marked held, or with anyone signed in.
    let mut per_meeting: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
    for (mid, side) in &rows.attendance {
        let e = per_meeting.entry(*mid).or_default();
        if side == Side::Police.as_str() {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let held: Vec<_> = rows
        .meetings
        .iter()
        .filter(|m| m.partnership_id == pid && m.starts_at >= since && m.starts_at <= now)
        .filter(|m| m.status == "held" || (m.status != "cancelled" && per_meeting.contains_key(&m.id)))
        .collect();
    let counts: Vec<(u32, u32)> = held
        .iter()
        .map(|m| {
            let (p, c) = per_meeting.get(&m.id).copied().unwrap_or_default();
            (p + m.walk_ins_police.max(0) as u32, c + m.walk_ins_community.max(0) as u32)
        })
        .collect();
    let recent: Vec<u32> = counts.iter().rev().take(6).rev().map(|(_, c)| *c).collect();
    let attendance =
        SidePair { police: counts.iter().map(|(p, _)| p).sum(), community: counts.iter().map(|(_, c)| c).sum() };

    // Promises kept by side, the same definition as the partnership page.
    let cf: Vec<_> = rows.commitments.iter().filter(|c| c.partnership_id == pid).filter_map(commitment_facts).collect();
    let kp = kept_rate(&cf, Some(Side::Police), today);
    let kc = kept_rate(&cf, Some(Side::Community), today);

    // Members.
    let mine: Vec<_> = rows.memberships.iter().filter(|m| m.partnership_id == pid).collect();
    let active_by =
        |side: Side| mine.iter().filter(|m| m.status == members::ACTIVE && m.side == side.as_str()).count() as u32;
    let (active_p, active_c) = (active_by(Side::Police), active_by(Side::Community));
    let members_left = mine
        .iter()
        .filter(|m| m.status == members::LEFT || m.status == members::REMOVED)
        .filter(|m| m.left_at.is_some_and(|t| t >= since))
        .count() as u32;

    // Decisions and participation by side (eligible: the side's active members now).
    let decisions: Vec<_> = rows.decisions.iter().filter(|d| d.partnership_id == pid && d.status == "closed").collect();
    let ids: std::collections::BTreeSet<i64> = decisions.iter().map(|d| d.id).collect();
    let mut ballots: BTreeMap<(i64, &str), u32> = BTreeMap::new();
    for (id, side) in rows.ballots.iter().filter(|(id, _)| ids.contains(id)) {
        *ballots.entry((*id, side.as_str())).or_default() += 1;
    }
    let share = |side: Side, eligible: u32| -> Option<f64> {
        if eligible == 0 || decisions.is_empty() {
            return None;
        }
        let total: f64 = decisions
            .iter()
            .map(|d| {
                let n = f64::from(ballots.get(&(d.id, side.as_str())).copied().unwrap_or(0));
                (n / f64::from(eligible)).min(1.0)
            })
            .sum();
        Some(total / decisions.len() as f64)
    };
    let participation = SidePair { police: share(Side::Police, active_p), community: share(Side::Community, active_c) };

    // Problems on the plan and time in their stage.
    let problem_stage_days = rows
        .problems
        .iter()
        .filter(|x| x.partnership_id == pid && x.stage != "closed")
        .map(|x| (x.stage.clone(), ((now - x.stage_changed_at) / DAY).max(0)))
        .collect();

    // Co-chair seats.
    let began = active_since(p, rows);
    let seats = [Seat::PoliceChair, Seat::CommunityChair]
        .iter()
        .map(|seat| {
            let terms: Vec<_> =
                rows.terms.iter().filter(|t| t.partnership_id == pid && t.seat == seat.as_str()).collect();
            let current = terms.iter().find(|t| t.starts_at <= now && t.ended_at.is_none() && t.ends_at > now);
            match current {
                Some(t) => SeatFact {
                    seat: seat.as_str().into(),
                    vacant_days: None,
                    term_ends_in_days: Some((t.ends_at - now) / DAY),
                },
                None => {
                    let last_end = terms.iter().map(|t| t.ended_at.unwrap_or(t.ends_at).min(now)).max();
                    SeatFact {
                        seat: seat.as_str().into(),
                        vacant_days: Some(((now - last_end.unwrap_or(began)) / DAY).max(0)),
                        term_ends_in_days: None,
                    }
                }
            }
        })
        .collect();

    // Community reports: days to the first staff response (a note or closing).
    let mut report_response_days = Vec::new();
    let mut reports_waiting_days = Vec::new();
    let first: BTreeMap<i64, i64> = rows.first_notes.iter().copied().collect();
    for r in rows.reports.iter().filter(|r| r.partnership_id == Some(pid) && !r.hidden) {
        let answered = [first.get(&r.id).copied(), r.closed_at].into_iter().flatten().min();
        match answered {
            Some(t) => report_response_days.push(((t - r.created_at).max(0)) as f64 / DAY as f64),
            None => reports_waiting_days.push(((now - r.created_at).max(0)) as f64 / DAY as f64),
        }
    }

    Facts {
        status: p.status.clone(),
        expected_meetings: expected_meetings(cadence_days, active_days),
        meetings_held: held.len() as u32,
        recent_community_attendance: recent,
        attendance,
        promises_due: SidePair { police: kp.due, community: kc.due },
        promises_kept: SidePair { police: kp.kept_on_time, community: kc.kept_on_time },
        decisions_closed: decisions.len() as u32,
        participation,
        problem_stage_days,
        seats,
        under_represented: extra.under_represented,
        members_active: active_p + active_c,
        members_left,
        report_response_days,
        reports_waiting_days,
        trust: extra.trust,
    }
}
