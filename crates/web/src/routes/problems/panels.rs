//! The data panels of a problem's analysis: its incidents by weekday and time of day, and month by month against
//! the same month a year earlier, for the problem's target (its square, its area or the partnership's areas).
//! Residents and the public get the privacy-safe counts: no sensitive incidents, nothing inside the publication
//! lag, small cells hidden with complementary suppression.

use super::show::target_of;
use crate::crime::columns::{Columns, Selection};
use crate::crime::privacy::{self, Audience};
use crate::i18n::Tr;
use commonbeat_store::entities::problem;
use serde_json::Value;

/// The incidents of the problem's category in its target in [from, now), for the audience.
pub fn problem_incidents(
    c: &Columns,
    p: &problem::Model,
    area_ids: &[i64],
    audience: Audience,
    from: i64,
    now: i64,
) -> Vec<u32> {
    let region = target_of(p, area_ids);
    let areas: Vec<i64> = match &region {
        Value::Number(n) => n.as_i64().into_iter().collect(),
        Value::Array(a) => a.iter().filter_map(Value::as_i64).collect(),
        _ => Vec::new(),
    };
    let polygon =
        region.is_object().then(|| commonbeat_domain::geo::parse_geometry(&region.to_string()).ok()).flatten();
    let s = privacy::restrict(
        Selection {
            from,
            to: now,
            category: Some(p.category.clone()).filter(|k| k != super::NON_CRIME),
            areas,
            include_sensitive: true,
            with_point: polygon.is_some(),
        },
        audience,
        now,
    );
    let idx = c.select(&s);
    match polygon {
        Some(g) => idx.into_iter().filter(|&i| c.lon_lat(i as usize).is_some_and(|pt| g.contains(pt))).collect(),
        None => idx,
    }
}

/// The hour × weekday table: rows of (day, counts in 4-hour blocks). For the public, cells under the minimum
/// are hidden with complementary suppression (the published total cannot reveal them).
pub fn heat_rows(t: &Tr, table: &[[u64; 24]; 7], public: bool) -> Vec<(String, Vec<String>)> {
    let counts: Vec<u64> = (0..42).map(|k| table[k / 6][(k % 6) * 4..(k % 6) * 4 + 4].iter().sum()).collect();
    let hidden = if public { privacy::suppressed(&counts) } else { vec![false; counts.len()] };
    (0..7)
        .map(|d| {
            let cells = (0..6)
                .map(|b| {
                    let k = d * 6 + b;
                    if hidden[k] { "–".to_string() } else { counts[k].to_string() }
                })
                .collect();
            (t.t(&format!("weekday-{d}")), cells)
        })
        .collect()
}

/// One month of the problem's trend.
pub struct TrendRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Incidents that month (or "–" when hidden).
    pub count: String,
    /// The same month a year earlier.
    pub year_before: String,
}

/// The last 12 complete local months against the same months a year earlier.
pub fn trend_rows(
    c: &Columns,
    p: &problem::Model,
    area_ids: &[i64],
    audience: Audience,
    now: i64,
    tz: &jiff::tz::TimeZone,
) -> Vec<TrendRow> {
    let Ok(ts) = jiff::Timestamp::from_second(now) else { return Vec::new() };
    let this_month = tz.to_datetime(ts).date().first_of_month();
    let start = |k: i32| this_month.checked_sub(jiff::Span::new().months(k)).ok();
    let Some(first) = start(24) else { return Vec::new() };
    let Ok(from) = tz.to_timestamp(first.at(0, 0, 0, 0)) else { return Vec::new() };
    let Ok(end) = tz.to_timestamp(this_month.at(0, 0, 0, 0)) else { return Vec::new() };
    let idx = problem_incidents(c, p, area_ids, audience, from.as_second(), end.as_second().min(now));
    let mut counts = [0u64; 24];
    for &i in &idx {
        let Ok(t) = jiff::Timestamp::from_second(c.t[i as usize]) else { continue };
        let d = tz.to_datetime(t).date();
        let months = (d.year() as i32 - first.year() as i32) * 12 + (d.month() as i32 - first.month() as i32);
        if (0..24).contains(&months) {
            counts[months as usize] += 1;
        }
    }
    let public = audience.is_public();
    let hide = |v: &[u64]| if public { privacy::suppressed(v) } else { vec![false; v.len()] };
    let (before, recent) = counts.split_at(12);
    let (hb, hr) = (hide(before), hide(recent));
    let show = |n: u64, hidden: bool| if hidden { "–".to_string() } else { n.to_string() };
    (0..12)
        .filter_map(|k| {
            let m = start(12 - k as i32)?;
            Some(TrendRow {
                month: m.strftime("%Y-%m").to_string(),
                count: show(recent[k], hr[k]),
                year_before: show(before[k], hb[k]),
            })
        })
        .collect()
}
