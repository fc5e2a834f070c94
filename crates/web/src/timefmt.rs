//! Dates and times shown to people: in the jurisdiction's IANA time zone, in the page's language.

use commonbeat_domain::Locale;
use jiff::Timestamp;
use jiff::tz::TimeZone;

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_ES: [&str; 12] = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];

/// Whether `name` is a known IANA time zone.
pub fn valid_time_zone(name: &str) -> bool {
    TimeZone::get(name).is_ok()
}

/// `26 Nov 2026, 14:05 CST` / `26 nov 2026, 14:05 CST` for a unix time in the zone `tz`.
pub fn format_datetime(unix: i64, tz: &str, locale: Locale) -> String {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    let Ok(ts) = Timestamp::from_second(unix) else { return unix.to_string() };
    let z = ts.to_zoned_datetime(zone);
    let months = match locale {
        Locale::En => MONTHS_EN,
        Locale::Es => MONTHS_ES,
    };
    let abbrev = z.time_zone().to_offset_info(ts).abbreviation().to_string();
    format!(
        "{} {} {}, {:02}:{:02} {}",
        z.day(),
        months[(z.month() - 1) as usize],
        z.year(),
        z.hour(),
        z.minute(),
        abbrev
    )
}

/// ISO 8601 timestamp in UTC, for `datetime` attributes and the API.
pub fn iso_utc(unix: i64) -> String {
    Timestamp::from_second(unix).map(|t| t.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_zone_and_language() {
        // 2026-11-26T06:19:05Z is 00:19 in Chicago (CST, UTC-6).
        let t = 1_795_673_945;
        assert_eq!(format_datetime(t, "America/Chicago", Locale::En), "26 Nov 2026, 00:19 CST");
        assert_eq!(format_datetime(t, "America/Chicago", Locale::Es), "26 nov 2026, 00:19 CST");
        assert_eq!(format_datetime(t, "UTC", Locale::En), "26 Nov 2026, 06:19 UTC");
        assert_eq!(iso_utc(t), "2026-11-26T06:19:05Z");
        assert!(valid_time_zone("America/Los_Angeles"));
        assert!(!valid_time_zone("Mars/Olympus"));
    }
}
