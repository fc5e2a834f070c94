//! The signal rules.

use super::{Facts, Level, SeatFact, Signal, SignalKey, Suggestion, Thresholds, WINDOW_DAYS};
use std::collections::BTreeMap;

/// Meetings a cadence of one per `cadence_days` expects in the window, for a partnership active for
/// `active_days`: a partnership younger than the window is expected to have met only since it began.
pub fn expected_meetings(cadence_days: u32, active_days: i64) -> f64 {
    if cadence_days == 0 {
        return 0.0;
    }
    let span = active_days.clamp(0, WINDOW_DAYS) as f64;
    (span / f64::from(cadence_days)).floor()
}

/// Evaluates every signal, in [`SignalKey::ALL`] order. A closed partnership has no signals to judge; one still
/// forming raises no alerts (its signals stop at Watch).
pub fn evaluate(f: &Facts, t: &Thresholds) -> Vec<Signal> {
    SignalKey::ALL
        .into_iter()
        .map(|key| match f.status.as_str() {
            "closed" => no_data(key, BTreeMap::new()),
            // A partnership still forming is building up to its charter: it is watched, not alarmed about.
            "forming" => {
                let mut s = signal(key, f, t);
                if s.level == Level::Alert {
                    s.level = Level::Watch;
                }
                s
            }
            _ => signal(key, f, t),
        })
        .collect()
}

fn signal(key: SignalKey, f: &Facts, t: &Thresholds) -> Signal {
    match key {
        SignalKey::Meetings => meetings(f, t),
        SignalKey::CommunityAttendance => community_attendance(f, t),
        SignalKey::AttendanceBalance => attendance_balance(f, t),
        SignalKey::PromisesKept => promises(f, t),
        SignalKey::Decisions => decisions(f, t),
        SignalKey::Problems => problems(f, t),
        SignalKey::Leadership => leadership(&f.seats, t),
        SignalKey::Representation => representation(f, t),
        SignalKey::Churn => churn(f, t),
        SignalKey::Reports => reports(f, t),
        SignalKey::Trust => trust(f, t),
    }
}

fn m(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn no_data(key: SignalKey, measures: BTreeMap<String, f64>) -> Signal {
    Signal { key, level: Level::NoData, value: None, measures, suggestion: None }
}

fn judged(key: SignalKey, level: Level, value: f64, measures: BTreeMap<String, f64>, fix: Suggestion) -> Signal {
    let suggestion = matches!(level, Level::Watch | Level::Alert).then_some(fix);
    Signal { key, level, value: Some(value), measures, suggestion }
}

/// Level of a value where lower is worse.
fn low_is_bad(v: f64, watch: f64, alert: f64) -> Level {
    if v < alert {
        Level::Alert
    } else if v < watch {
        Level::Watch
    } else {
        Level::Ok
    }
}

/// Level of a value where higher is worse.
fn high_is_bad(v: f64, watch: f64, alert: f64) -> Level {
    if v >= alert {
        Level::Alert
    } else if v >= watch {
        Level::Watch
    } else {
        Level::Ok
    }
}

fn meetings(f: &Facts, t: &Thresholds) -> Signal {
    let ms = m(&[("held", f64::from(f.meetings_held)), ("expected", f.expected_meetings)]);
    if f.expected_meetings < 1.0 {
        return no_data(SignalKey::Meetings, ms);
    }
    let ratio = f64::from(f.meetings_held) / f.expected_meetings;
    let level = low_is_bad(ratio, t.meetings_watch, t.meetings_alert);
    judged(SignalKey::Meetings, level, ratio, ms, Suggestion::ScheduleMeeting)
}

/// The number of consecutive declines at the end of `v` (each value lower than the one before).
pub(super) fn trailing_declines(v: &[u32]) -> u32 {
    v.windows(2).rev().take_while(|w| w[1] < w[0]).count() as u32
}

fn community_attendance(f: &Facts, t: &Thresholds) -> Signal {
    let v = &f.recent_community_attendance;
    if v.len() < 2 {
        return no_data(SignalKey::CommunityAttendance, BTreeMap::new());
    }
    let declines = trailing_declines(v);
    let last = *v.last().unwrap_or(&0);
    let start = v[v.len() - 1 - declines as usize];
    let level = if declines >= t.attendance_declines {
        Level::Alert
    } else if declines + 1 >= t.attendance_declines && declines > 0 {
        Level::Watch
    } else {
        Level::Ok
    };
    let ms = m(&[("last", f64::from(last)), ("declines", f64::from(declines)), ("from", f64::from(start))]);
    judged(SignalKey::CommunityAttendance, level, f64::from(last), ms, Suggestion::RunTimePoll)
}

fn attendance_balance(f: &Facts, t: &Thresholds) -> Signal {
    let (p, c) = (f.attendance.police, f.attendance.community);
    let total = p + c;
    let ms = m(&[("police", f64::from(p)), ("community", f64::from(c))]);
    if total < 10 {
        return no_data(SignalKey::AttendanceBalance, ms);
    }
    let share = f64::from(p.min(c)) / f64::from(total);
    let level = low_is_bad(share, t.balance_watch, t.balance_alert);
    let mut ms = ms;
    ms.insert("thinner_is_police".into(), if p < c { 1.0 } else { 0.0 });
    judged(SignalKey::AttendanceBalance, level, share, ms, Suggestion::InviteSide)
}

fn promises(f: &Facts, t: &Thresholds) -> Signal {
    let rate = |kept: u32, due: u32| (due >= t.promises_min_due).then(|| f64::from(kept) / f64::from(due));
    let p = rate(f.promises_kept.police, f.promises_due.police);
    let c = rate(f.promises_kept.community, f.promises_due.community);
    let mut ms = m(&[
        ("police_due", f64::from(f.promises_due.police)),
        ("police_kept", f64::from(f.promises_kept.police)),
        ("community_due", f64::from(f.promises_due.community)),
        ("community_kept", f64::from(f.promises_kept.community)),
    ]);
    let weakest = match (p, c) {
        (None, None) => return no_data(SignalKey::PromisesKept, ms),
        (Some(a), None) | (None, Some(a)) => a,
        (Some(a), Some(b)) => a.min(b),
    };
    if let Some(p) = p {
        ms.insert("police_rate".into(), p);
    }
    if let Some(c) = c {
        ms.insert("community_rate".into(), c);
    }
    let level = low_is_bad(weakest, t.promises_watch, t.promises_alert);
    judged(SignalKey::PromisesKept, level, weakest, ms, Suggestion::ReviewPromises)
}

fn decisions(f: &Facts, t: &Thresholds) -> Signal {
    let mut ms = m(&[("closed", f64::from(f.decisions_closed))]);
    if f.decisions_closed == 0 {
        if f.members_active < 2 {
            return no_data(SignalKey::Decisions, ms);
        }
        return judged(SignalKey::Decisions, Level::Watch, 0.0, ms, Suggestion::OpenDecision);
    }
    let sides = [f.participation.police, f.participation.community];
    if let Some(p) = f.participation.police {
        ms.insert("police_participation".into(), p);
    }
    if let Some(c) = f.participation.community {
        ms.insert("community_participation".into(), c);
    }
    let Some(weakest) = sides.into_iter().flatten().reduce(f64::min) else {
        return no_data(SignalKey::Decisions, ms);
    };
    let level = low_is_bad(weakest, t.participation_watch, t.participation_alert);
    judged(SignalKey::Decisions, level, weakest, ms, Suggestion::OpenDecision)
}

fn problems(f: &Facts, t: &Thresholds) -> Signal {
    let active = f.problem_stage_days.len() as f64;
    let Some(longest) = f.problem_stage_days.iter().map(|(_, d)| *d).max() else {
        let ms = m(&[("active", 0.0)]);
        if f.status != "active" {
            return no_data(SignalKey::Problems, ms);
        }
        // An active partnership with no problem on its plan has stopped problem solving.
        return judged(SignalKey::Problems, Level::Watch, 0.0, ms, Suggestion::ReviewProblem);
    };
    let level = high_is_bad(longest as f64, t.stage_watch_days as f64, t.stage_alert_days as f64);
    let ms = m(&[("active", active), ("longest_days", longest as f64)]);
    judged(SignalKey::Problems, level, longest as f64, ms, Suggestion::ReviewProblem)
}

fn leadership(seats: &[SeatFact], t: &Thresholds) -> Signal {
    if seats.is_empty() {
        return no_data(SignalKey::Leadership, BTreeMap::new());
    }
    let vacant: Vec<i64> = seats.iter().filter_map(|s| s.vacant_days).collect();
    let longest_vacancy = vacant.iter().copied().max();
    let soonest_end = seats.iter().filter_map(|s| s.term_ends_in_days).min();
    let mut ms = m(&[("vacant", vacant.len() as f64)]);
    if let Some(d) = longest_vacancy {
        ms.insert("vacant_days".into(), d as f64);
    }
    if let Some(d) = soonest_end {
        ms.insert("term_ends_in_days".into(), d as f64);
    }
    let (level, fix) = match (longest_vacancy, soonest_end) {
        (Some(d), _) if d >= t.seat_vacant_alert_days => (Level::Alert, Suggestion::StartElection),
        (Some(_), _) => (Level::Watch, Suggestion::StartElection),
        (None, Some(d)) if d <= t.term_ending_watch_days => (Level::Watch, Suggestion::PlanHandover),
        _ => (Level::Ok, Suggestion::PlanHandover),
    };
    judged(SignalKey::Leadership, level, vacant.len() as f64, ms, fix)
}

fn representation(f: &Facts, t: &Thresholds) -> Signal {
    let n = f.under_represented.len() as u32;
    let ms = m(&[("groups", f64::from(n))]);
    if f.members_active == 0 {
        return no_data(SignalKey::Representation, ms);
    }
    let level = if n >= t.representation_alert {
        Level::Alert
    } else if n >= t.representation_watch {
        Level::Watch
    } else {
        Level::Ok
    };
    judged(SignalKey::Representation, level, f64::from(n), ms, Suggestion::Outreach)
}

fn churn(f: &Facts, t: &Thresholds) -> Signal {
    let base = f.members_active + f.members_left;
    let ms = m(&[("left", f64::from(f.members_left)), ("active", f64::from(f.members_active))]);
    if base < 5 {
        return no_data(SignalKey::Churn, ms);
    }
    let rate = f64::from(f.members_left) / f64::from(base);
    let level = high_is_bad(rate, t.churn_watch, t.churn_alert);
    judged(SignalKey::Churn, level, rate, ms, Suggestion::ExitConversations)
}

/// Median of a non-empty slice.
pub(super) fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mid = s.len() / 2;
    Some(if s.len() % 2 == 1 { s[mid] } else { (s[mid - 1] + s[mid]) / 2.0 })
}

fn reports(f: &Facts, t: &Thresholds) -> Signal {
    // Reports still waiting count with their age so far: a queue nobody answers cannot look fast.
    let all: Vec<f64> = f.report_response_days.iter().chain(&f.reports_waiting_days).copied().collect();
    let ms = m(&[("reports", all.len() as f64), ("waiting", f.reports_waiting_days.len() as f64)]);
    let Some(med) = median(&all) else { return no_data(SignalKey::Reports, ms) };
    let mut ms = ms;
    ms.insert("median_days".into(), med);
    let level = high_is_bad(med, t.report_watch_days, t.report_alert_days);
    judged(SignalKey::Reports, level, med, ms, Suggestion::TriageReports)
}

fn trust(f: &Facts, t: &Thresholds) -> Signal {
    let Some(tr) = f.trust else { return no_data(SignalKey::Trust, BTreeMap::new()) };
    let (mean, lo, hi) = tr.latest;
    let mut ms = m(&[("mean", mean), ("lo", lo), ("hi", hi)]);
    // A drop counts only when the confidence intervals do not overlap: noise is not news.
    let fell = tr.previous.is_some_and(|(_, plo, _)| plo > hi);
    if let Some((pm, _, _)) = tr.previous {
        ms.insert("previous".into(), pm);
    }
    let level = if fell {
        Level::Alert
    } else if mean < t.trust_watch {
        Level::Watch
    } else {
        Level::Ok
    };
    judged(SignalKey::Trust, level, mean, ms, Suggestion::ListeningSession)
}
