//! Query parameters of the analysis API: ISO 8601 instants (a date is local midnight in the deployment's zone;
//! a timestamp without an offset is local time; with an offset it is that instant) and half-open periods.

use jiff::tz::TimeZone;

/// A half-open period [from, to) in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// Start, inclusive.
    pub from: i64,
    /// End, exclusive.
    pub to: i64,
}

/// The local calendar date of an instant (unix seconds) in `tz`.
pub fn local_date(t: i64, tz: &TimeZone) -> jiff::civil::Date {
    jiff::Timestamp::from_second(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_zoned_datetime(tz.clone()).date()
}

/// Parses an ISO 8601 date or timestamp. `field` names the parameter in the error.
pub fn instant(field: &str, s: &str, tz: &TimeZone) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| format!("{field}: {e}"));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d.to_zoned_datetime(tz.clone()).map(|z| z.timestamp().as_second()).map_err(|e| format!("{field}: {e}"));
    }
    Err(format!("{field}: {s:?} is not an ISO 8601 date (2024-01-31) or timestamp (2024-01-31T08:00:00-06:00)"))
}

/// The period from optional `from`/`to` strings: `to` defaults to now, `from` to a year before `to`.
pub fn period(from: Option<&str>, to: Option<&str>, tz: &TimeZone, now: i64) -> Result<Period, String> {
    let to = match to {
        Some(s) if !s.trim().is_empty() => instant("to", s, tz)?,
        _ => now,
    };
    let from = match from {
        Some(s) if !s.trim().is_empty() => instant("from", s, tz)?,
        _ => to - 365 * 86_400,
    };
    if from >= to {
        return Err("from: must be before to (periods are half-open, [from, to))".into());
    }
    Ok(Period { from, to })
}

/// A list of band edges like `0,100,200,400`: at least two, strictly increasing, non-negative.
pub fn edges(field: &str, s: &str) -> Result<Vec<f64>, String> {
    let v: Result<Vec<f64>, _> = s.split(',').map(|p| p.trim().parse::<f64>()).collect();
    let v = v.map_err(|_| format!("{field}: {s:?} is not a comma-separated list of numbers"))?;
    if v.len() < 2 || v.windows(2).any(|w| w[0] >= w[1]) || v[0] < 0.0 || v.iter().any(|x| !x.is_finite()) {
        return Err(format!("{field}: give at least two increasing, non-negative edges, e.g. 0,100,200,400"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_midnight_and_offsets_are_honoured() {
        let chicago = TimeZone::get("America/Chicago").unwrap();
        assert_eq!(instant("from", "2024-01-31", &chicago).unwrap(), 1_706_680_800);
        assert_eq!(instant("from", "2024-01-31T00:00:00", &chicago).unwrap(), 1_706_680_800);
        assert_eq!(instant("from", "2024-01-31T00:00:00Z", &chicago).unwrap(), 1_706_659_200);
        assert_eq!(instant("from", "2024-01-31T00:00:00+01:00", &chicago).unwrap(), 1_706_655_600);
        let e = instant("to", "31/01/2024", &chicago).unwrap_err();
        assert!(e.starts_with("to:"), "{e}");
    }

    #[test]
    fn periods_are_half_open_and_checked() {
        let utc = TimeZone::UTC;
        let p = period(Some("2024-01-01"), Some("2024-02-01"), &utc, 0).unwrap();
        assert_eq!(p.to - p.from, 31 * 86_400);
        assert!(period(Some("2024-02-01"), Some("2024-01-01"), &utc, 0).is_err());
        let d = period(None, None, &utc, 400 * 86_400).unwrap();
        assert_eq!(d.from, 35 * 86_400);
        assert_eq!(edges("d", "0,100,200").unwrap(), vec![0.0, 100.0, 200.0]);
        assert!(edges("d", "0,100,100").is_err());
        assert!(edges("d", "x").unwrap_err().starts_with("d:"));
    }
}
