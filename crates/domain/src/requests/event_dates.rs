//! Event dates as the admin sends them, and the API-key validity window derived from them (§2.2,
//! DV9).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::time::truncate_to_ms;

/// How long before `T(startDate)` an event key becomes valid.
pub const KEY_VALID_BEFORE_START: TimeDelta = TimeDelta::days(10);

/// How long after `T(endDate)` an event key stays valid.
pub const KEY_VALID_AFTER_END: TimeDelta = TimeDelta::days(5);

/// `T(d)` of §2.2: `YYYY-MM-DD` (a real calendar date) is 00:00:00Z of that day, an RFC 3339
/// date-time is that instant (kept to the millisecond, the precision the key window is stored
/// with).
///
/// `None` for anything else, including dates without an offset and `2023-02-29`.
pub fn parse_event_date(text: &str) -> Option<DateTime<Utc>> {
    if let Some(date) = parse_calendar_date(text) {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| truncate_to_ms(t.to_utc()))
}

/// Strict `YYYY-MM-DD`: exactly four, two and two ASCII digits, and a date that exists.
fn parse_calendar_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0_u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// Start of the key window: `T(startDate) − 10 days` (`None` only on calendar overflow).
pub fn key_valid_from(start: DateTime<Utc>) -> Option<DateTime<Utc>> {
    start.checked_sub_signed(KEY_VALID_BEFORE_START)
}

/// End of the key window: `T(endDate) + 5 days` (`None` only on calendar overflow).
pub fn key_valid_until(end: DateTime<Utc>) -> Option<DateTime<Utc>> {
    end.checked_add_signed(KEY_VALID_AFTER_END)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_rfc3339_ms;

    fn t(text: &str) -> Option<String> {
        parse_event_date(text).map(format_rfc3339_ms)
    }

    #[test]
    fn calendar_dates_are_midnight_utc() {
        assert_eq!(t("2026-04-06").as_deref(), Some("2026-04-06T00:00:00.000Z"));
        assert_eq!(t("2024-02-29").as_deref(), Some("2024-02-29T00:00:00.000Z"));
        assert_eq!(t("0000-01-01").as_deref(), Some("0000-01-01T00:00:00.000Z"));
    }

    #[test]
    fn rfc3339_date_times_are_instants() {
        assert_eq!(
            t("2026-11-26T08:00:00+01:00").as_deref(),
            Some("2026-11-26T07:00:00.000Z")
        );
        assert_eq!(
            t("2026-11-26T08:00:00.123456Z").as_deref(),
            Some("2026-11-26T08:00:00.123Z")
        );
        assert_eq!(
            t("2026-11-26t08:00:00z").as_deref(),
            Some("2026-11-26T08:00:00.000Z")
        );
    }

    #[test]
    fn anything_else_is_rejected() {
        for bad in [
            "",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-05",
            "24-01-05",
            "2024/01/05",
            "+2024-01-05",
            "2024-01-05 ",
            " 2024-01-05",
            "2024-01-05T10:00:00",
            "2024-01-05T25:00:00Z",
            "2024-01-05T10:00:00Zjunk",
            "yesterday",
            "２０２４-01-05",
        ] {
            assert_eq!(t(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn window_is_ten_days_before_and_five_after() {
        let from = key_valid_from(parse_event_date("2026-04-06").unwrap()).unwrap();
        let until = key_valid_until(parse_event_date("2026-04-07").unwrap()).unwrap();
        assert_eq!(format_rfc3339_ms(from), "2026-03-27T00:00:00.000Z");
        assert_eq!(format_rfc3339_ms(until), "2026-04-12T00:00:00.000Z");
        let until = key_valid_until(parse_event_date("2020-01-02").unwrap()).unwrap();
        assert_eq!(format_rfc3339_ms(until), "2020-01-07T00:00:00.000Z");
    }
}
