//! Server timestamps in the single wire format of the contract (§0): RFC 3339, UTC, milliseconds,
//! `Z`.
//!
//! Lives with the requests because the key window fixed at creation is its first user (the 201
//! `validity` body, the 401 `Key not yet valid` / `Key expired` messages). Written by hand rather
//! than with a chrono format string so that the output is exactly what the TypeScript server's
//! `Date.prototype.toISOString()` produces, also for the years outside 0000–9999 that an API-key
//! window can reach (`9999-12-31` + 5 days).

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Nanoseconds in one millisecond.
const NANOS_PER_MILLI: u32 = 1_000_000;
/// Nanoseconds in one second; chrono stores a leap second as a nanosecond count at or above it.
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// Formats `t` as `YYYY-MM-DDTHH:MM:SS.sssZ` (`2026-11-26T14:20:16.621Z`).
///
/// Sub-millisecond digits are dropped (truncated, never rounded up into the next second). Years
/// outside 0–9999 use the expanded form `±YYYYYY` as JavaScript does; a leap second prints as
/// `:60`.
pub fn format_rfc3339_ms(t: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(24);
    let year = t.year();
    // Writing into a String cannot fail, so the results are ignored.
    if (0..=9999).contains(&year) {
        let _ = write!(out, "{year:04}");
    } else {
        let sign = if year < 0 { '-' } else { '+' };
        let _ = write!(out, "{sign}{:06}", year.unsigned_abs());
    }
    let nanos = t.nanosecond();
    let second = t.second() + nanos / NANOS_PER_SECOND;
    let millis = (nanos % NANOS_PER_SECOND) / NANOS_PER_MILLI;
    let _ = write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{second:02}.{millis:03}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
    );
    out
}

/// Drops everything below the millisecond, so that a stored instant equals its formatted text.
pub fn truncate_to_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    // Always a valid nanosecond value (it only gets smaller), so `with_nanosecond` cannot fail;
    // fall back to `t` to stay panic-free regardless.
    t.with_nanosecond(nanos - nanos % NANOS_PER_MILLI)
        .unwrap_or(t)
}

/// Parses a stored timestamp (any RFC 3339 text, or the expanded-year form `±YYYYYY-…Z` that
/// [`format_rfc3339_ms`] writes outside 0000–9999) into an instant.
///
/// Everything this module formats reads back: before DV41 bounded event years, an `endDate` of
/// `9999-12-31` stored a key window ending `+010000-01-05T00:00:00.000Z`, which RFC 3339 cannot
/// express, and every request touching that event failed.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    if let Some(expanded) = s.strip_suffix('Z').filter(|t| t.starts_with(['+', '-'])) {
        return chrono::NaiveDateTime::parse_from_str(expanded, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The current instant, truncated to the millisecond so it equals its formatted text.
pub fn now() -> DateTime<Utc> {
    truncate_to_ms(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, nanos)
            .unwrap();
        Utc.from_utc_datetime(&naive)
    }

    #[test]
    fn parses_what_it_formats() {
        let t = at(2020, 1, 7, 0, 0, 0, 0);
        assert_eq!(parse_rfc3339(&format_rfc3339_ms(t)), Some(t));
        assert_eq!(parse_rfc3339("2020-01-07T01:00:00+01:00"), Some(t));
        assert_eq!(parse_rfc3339("nope"), None);
        assert_eq!(now().timestamp_subsec_nanos() % 1_000_000, 0);
    }

    #[test]
    fn formats_the_contract_example() {
        assert_eq!(
            format_rfc3339_ms(at(2026, 11, 26, 14, 20, 16, 621_000_000)),
            "2026-11-26T14:20:16.621Z"
        );
        assert_eq!(
            format_rfc3339_ms(at(2020, 1, 7, 0, 0, 0, 0)),
            "2020-01-07T00:00:00.000Z"
        );
    }

    #[test]
    fn truncates_below_the_millisecond() {
        let t = at(2024, 2, 29, 23, 59, 59, 999_999_999);
        assert_eq!(format_rfc3339_ms(t), "2024-02-29T23:59:59.999Z");
        assert_eq!(truncate_to_ms(t), at(2024, 2, 29, 23, 59, 59, 999_000_000));
        assert_eq!(
            truncate_to_ms(at(2024, 1, 1, 0, 0, 0, 0)),
            at(2024, 1, 1, 0, 0, 0, 0)
        );
    }

    #[test]
    fn expanded_years_match_javascript() {
        assert_eq!(
            format_rfc3339_ms(at(10000, 1, 5, 0, 0, 0, 0)),
            "+010000-01-05T00:00:00.000Z"
        );
        assert_eq!(
            format_rfc3339_ms(at(-1, 12, 26, 0, 0, 0, 0)),
            "-000001-12-26T00:00:00.000Z"
        );
        assert_eq!(
            format_rfc3339_ms(at(5, 3, 1, 1, 2, 3, 4_000_000)),
            "0005-03-01T01:02:03.004Z"
        );
    }

    #[test]
    fn expanded_years_read_back() {
        for t in [at(10000, 1, 5, 0, 0, 0, 0), at(-1, 12, 26, 0, 0, 0, 0)] {
            assert_eq!(parse_rfc3339(&format_rfc3339_ms(t)), Some(t));
        }
        assert_eq!(parse_rfc3339("+010000-13-05T00:00:00.000Z"), None);
        assert_eq!(parse_rfc3339("+010000-01-05T00:00:00.000"), None);
    }

    #[test]
    fn leap_second_prints_as_sixty() {
        let t = at(2016, 12, 31, 23, 59, 59, 1_500_000_000);
        assert_eq!(format_rfc3339_ms(t), "2016-12-31T23:59:60.500Z");
        assert_eq!(
            format_rfc3339_ms(truncate_to_ms(t)),
            "2016-12-31T23:59:60.500Z"
        );
    }
}
