//! Time and place analyses over the cache: the trend with year-over-year E-test, place concentration, the
//! near-repeat table's JSON, and the displacement assessment of a response.

use super::columns::Columns;
use super::params::{self, Period, local_date};
use super::privacy::{self, Audience};
use crate::routes::crime::Scope;
use commonbeat_analysis::assessment::{AssessmentInput, BeforeAfter, assess};
use commonbeat_analysis::near_repeat::NearRepeatTable;
use commonbeat_analysis::places::place_concentration;
use commonbeat_analysis::trend::{Interval, Trend, trend as trend_of};
use commonbeat_domain::geo::{self, MultiPolygon};
use serde_json::{Value, json};

/// Parses `day|week|month`.
pub fn interval(s: &str) -> Option<Interval> {
    match s {
        "day" => Some(Interval::Day),
        "week" => Some(Interval::Week),
        "month" => Some(Interval::Month),
        _ => None,
    }
}

/// The trend over the scope's period: the selection is widened to the year before so that every period has its
/// year-earlier count.
pub fn trend_data(s: &Scope, interval: Interval) -> Trend {
    let mut wide = s.selection.clone();
    wide.from = s.period.from - 371 * 86_400;
    let idx = s.columns.select(&wide);
    let times: Vec<i64> = idx.iter().map(|&i| s.columns.t[i as usize]).collect();
    let from = local_date(s.period.from, &s.tz);
    let to = local_date(s.period.to, &s.tz);
    trend_of(&times, from, to, interval, &s.tz, s.selection.to)
}

/// The trend as the API answers it.
pub fn trend(s: &Scope, interval: Interval) -> Value {
    let t = trend_data(s, interval);
    json!({
        "interval": t.interval,
        "period": s.period,
        "published_until": s.selection.to,
        "sensitive_included": s.selection.include_sensitive,
        "data_from": s.columns.t.first(),
        "periods": t.periods.iter().map(|p| {
            let covered = year_before_covered(s, p.year_before_start);
            json!({
                "start": p.start_date.to_string(),
                "from": p.start, "to": p.end,
                "count": if p.start < s.selection.to { Some(p.count) } else { None },
                "count_year_before": covered.then_some(p.count_year_before),
                "yoy_change_pct": if covered { p.yoy_change_pct } else { None },
                "complete": p.complete,
            })
        }).collect::<Vec<_>>(),
        "latest_complete": t.latest_complete,
    })
}

/// Whether the data reach back to the start of a period's year-earlier counterpart (otherwise the year-earlier
/// count would be an artefact of where the data begin, and is not shown).
pub fn year_before_covered(s: &Scope, year_before_start: i64) -> bool {
    s.columns.t.first().is_some_and(|&first| first <= year_before_start)
}

/// The near-repeat table as JSON, with half-open band labels.
pub fn near_repeat_json(t: &NearRepeatTable) -> Value {
    json!({
        "events": t.n_events,
        "permutations": t.permutations,
        "seed": t.seed,
        "distance_bands_m": t.distance_labels(),
        "time_bands_days": t.time_labels(),
        "cells": t.cells.iter().map(|c| json!({
            "distance_band": t.distance_bands[c.distance_band].label("m"),
            "time_band": t.time_bands[c.time_band].label("days"),
            "observed": c.observed, "expected": c.expected, "ratio": c.ratio, "p": c.p_value,
        })).collect::<Vec<_>>(),
    })
}

/// Place concentration by block and by location type. The public sees location types, and blocks only when
/// they have at least the public minimum of incidents (blocks are already hundred-block addresses).
pub fn places(c: &Columns, idx: &[u32], audience: Audience) -> Value {
    let blocks: Vec<u32> = idx.iter().map(|&i| c.block[i as usize]).filter(|&b| b != 0).collect();
    let types: Vec<u32> = idx.iter().map(|&i| c.location_type[i as usize]).filter(|&b| b != 0).collect();
    let b = place_concentration(&blocks, 20);
    let t = place_concentration(&types, 10);
    let min = if audience.is_public() { privacy::PUBLIC_MIN_COUNT } else { 1 };
    json!({
        "incidents": idx.len(),
        "blocks": {
            "incidents": b.incidents, "places": b.places, "top5": b.top5, "top10": b.top10, "top20": b.top20,
            "repeat_places": b.repeat_places, "repeat_incidents": b.repeat_incidents, "repeat_share": b.repeat_share,
            "top": b.top.iter().filter(|(_, n)| *n >= min)
                .map(|(k, n)| json!({"block": c.blocks.get(*k), "incidents": n})).collect::<Vec<_>>(),
        },
        "location_types": {
            "incidents": t.incidents, "places": t.places,
            "top": t.top.iter().filter(|(_, n)| *n >= min)
                .map(|(k, n)| json!({"location_type": c.location_types.get(*k), "incidents": n})).collect::<Vec<_>>(),
        },
    })
}

/// A region of a displacement analysis: areas of the cache, a drawn polygon, or the ring within a distance
/// around a polygon (`{"type": "RingBuffer", "around": <GeoJSON>, "width_m": …}`, [`geo::RingBuffer`]).
enum Region<'a> {
    Areas(Vec<&'a super::columns::AreaIndex>),
    Polygon(MultiPolygon),
    Ring(geo::RingBuffer),
}

impl Region<'_> {
    fn contains(&self, c: &Columns, i: usize) -> bool {
        match self {
            Region::Areas(a) => a.iter().any(|a| a.contains(i)),
            Region::Polygon(g) => c.lon_lat(i).is_some_and(|p| g.contains(p)),
            Region::Ring(b) => c.lon_lat(i).is_some_and(|p| b.contains(p)),
        }
    }
}

fn region<'a>(c: &'a Columns, body: &Value, field: &str) -> Result<Option<Region<'a>>, String> {
    let v = match body.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let ids: Option<Vec<i64>> = match v {
        Value::Number(n) => n.as_i64().map(|i| vec![i]),
        Value::Array(a) if a.iter().all(Value::is_i64) => Some(a.iter().filter_map(Value::as_i64).collect()),
        _ => None,
    };
    if let Some(ids) = ids {
        let mut areas = Vec::new();
        for id in ids {
            areas.push(c.area(id).ok_or_else(|| format!("{field}: no area {id}"))?);
        }
        if areas.is_empty() {
            return Err(format!("{field}: give at least one area id"));
        }
        return Ok(Some(Region::Areas(areas)));
    }
    if let Some(ring) = geo::RingBuffer::from_json(v).map_err(|e| format!("{field}: {e}"))? {
        return Ok(Some(Region::Ring(ring)));
    }
    let g = geo::parse_geometry(&v.to_string()).map_err(|errors| {
        format!("{field}: {}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    Ok(Some(Region::Polygon(g)))
}

fn period_of(body: &Value, field: &str, tz: &jiff::tz::TimeZone) -> Result<Period, String> {
    let p = body
        .get(field)
        .ok_or_else(|| format!("{field}: required, e.g. {{\"from\": \"2024-01-01\", \"to\": \"2024-07-01\"}}"))?;
    let get = |k: &str| p.get(k).and_then(Value::as_str).ok_or_else(|| format!("{field}: {k} is required"));
    let from = params::instant(field, get("from")?, tz)?;
    let to = params::instant(field, get("to")?, tz)?;
    if from >= to {
        return Err(format!("{field}: from must be before to"));
    }
    Ok(Period { from, to })
}

/// The before/after assessment of a response in `target`, with displacement into `buffer`, against `control`
/// (and `buffer_control` when given). Incidents in more than one region count in the first of target, buffer,
/// control, buffer control.
pub fn displacement(c: &Columns, body: &Value, tz: &jiff::tz::TimeZone) -> Result<Value, String> {
    let target = region(c, body, "target")?.ok_or("target: required (area id, list of ids or GeoJSON polygon)")?;
    let buffer =
        region(c, body, "buffer")?.ok_or("buffer: required (area id, list of ids, GeoJSON polygon or RingBuffer)")?;
    let control = region(c, body, "control")?.ok_or("control: required (area id, list of ids or GeoJSON polygon)")?;
    let buffer_control = region(c, body, "buffer_control")?;
    let before = period_of(body, "before", tz)?;
    let after = period_of(body, "after", tz)?;
    let category = body.get("category").and_then(Value::as_str).filter(|s| !s.is_empty());
    let cat_id = match category {
        Some(k) => {
            if commonbeat_domain::incident::Category::parse(k).is_none() {
                return Err(format!("category: unknown category {k:?}"));
            }
            c.categories.id_of(k).map(|i| Some(i as u8)).unwrap_or(Some(u8::MAX))
        }
        None => None,
    };
    let mut counts = [[0u64; 2]; 4];
    let lo = before.from.min(after.from);
    let hi = before.to.max(after.to);
    for i in c.time_range(lo, hi) {
        if cat_id.is_some_and(|k| c.category[i] != k) || !c.has_point(i) {
            continue;
        }
        let t = c.t[i];
        let phase = if (before.from..before.to).contains(&t) {
            0
        } else if (after.from..after.to).contains(&t) {
            1
        } else {
            continue;
        };
        let which = if target.contains(c, i) {
            0
        } else if buffer.contains(c, i) {
            1
        } else if control.contains(c, i) {
            2
        } else if buffer_control.as_ref().is_some_and(|r| r.contains(c, i)) {
            3
        } else {
            continue;
        };
        counts[which][phase] += 1;
    }
    let ba = |k: usize| BeforeAfter::new(counts[k][0], counts[k][1]);
    let input = AssessmentInput {
        target: ba(0),
        buffer: ba(1),
        control: ba(2),
        buffer_control: buffer_control.as_ref().map(|_| ba(3)),
    };
    let a = assess(&input);
    Ok(json!({
        "category": category,
        "before": before,
        "after": after,
        "counts": input,
        "assessment": a,
        "summary": a.wdq_interpretation.describe(),
    }))
}
