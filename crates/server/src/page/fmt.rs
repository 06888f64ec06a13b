//! Numbers and dates as the sport writes them: times in seconds with two decimals (`85.20`),
//! penalties in whole seconds (`+2`), behind strings as the server computes them (`+1.37`), dates
//! in the event's own offset.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

use super::i18n::Texts;

/// Centiseconds as `85.20`.
pub(crate) fn time(cs: i32) -> String {
    let sign = if cs < 0 { "-" } else { "" };
    let abs = cs.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A penalty in centiseconds as `+2` (or `+1.50` for a fraction, which the sport never gives).
pub(crate) fn pen(cs: i32) -> String {
    if cs % 100 == 0 {
        format!("+{}", cs / 100)
    } else {
        format!("+{}", time(cs))
    }
}

/// A race's scheduled start: the clock time in its own offset (`13:30`); a bare time of day
/// (`08:30:10.780`, as the timing sends run starts) without its fraction; anything else verbatim.
pub(crate) fn clock(start_time: &str) -> String {
    parse(start_time).map_or_else(
        || {
            let bare = start_time.split('.').next().unwrap_or(start_time);
            if bare.len() == 8 && bare.as_bytes().get(2) == Some(&b':') {
                bare.to_owned()
            } else {
                start_time.to_owned()
            }
        },
        |t| t.format("%H:%M").to_string(),
    )
}

fn parse(t: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

/// The local date of a scheduled start, if it has one.
pub(crate) fn local_date(start_time: &str) -> Option<NaiveDate> {
    parse(start_time).map(|t| t.date_naive()).or_else(|| {
        start_time
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    })
}

/// A day tab: `so 6. 4.` / `Sat 6 Apr`.
pub(crate) fn day(d: NaiveDate, t: &Texts) -> String {
    let wd = t.weekdays[d.weekday().num_days_from_monday() as usize];
    let month = t.months[d.month0() as usize];
    if t.months[0] == "Jan" {
        format!("{wd} {} {month}", d.day())
    } else {
        format!("{wd} {}. {month}", d.day())
    }
}

/// An event date (`2024-06-25` → `25. 6. 2024` / `25 Jun 2024`); admin text verbatim.
pub(crate) fn date(text: &str, t: &Texts) -> String {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => {
            let month = t.months[d.month0() as usize];
            if t.months[0] == "Jan" {
                format!("{} {month} {}", d.day(), d.year())
            } else {
                format!("{}. {month} {}", d.day(), d.year())
            }
        }
        Err(_) => text.to_owned(),
    }
}

/// An event's date range.
pub(crate) fn date_range(start: Option<&str>, end: Option<&str>, t: &Texts) -> Option<String> {
    match (start, end) {
        (Some(s), Some(e)) if s != e => Some(format!("{} – {}", date(s, t), date(e, t))),
        (Some(s), _) => Some(date(s, t)),
        (None, Some(e)) => Some(date(e, t)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::i18n::Lang;

    #[test]
    fn times_and_penalties() {
        assert_eq!(time(8520), "85.20");
        assert_eq!(time(7605), "76.05");
        assert_eq!(time(5), "0.05");
        assert_eq!(pen(200), "+2");
        assert_eq!(pen(5200), "+52");
        assert_eq!(pen(0), "+0");
        assert_eq!(pen(150), "+1.50");
    }

    #[test]
    fn dates_in_both_languages() {
        let cs = Lang::Cs.t();
        let en = Lang::En.t();
        assert_eq!(clock("2024-06-25T13:30:00+02:00"), "13:30");
        assert_eq!(clock("later"), "later");
        assert_eq!(clock("08:30:10.780"), "08:30:10");
        let d = local_date("2024-06-25T23:30:00+02:00").unwrap();
        assert_eq!(day(d, cs), "út 25. 6.");
        assert_eq!(day(d, en), "Tue 25 Jun");
        assert_eq!(date("2026-03-08", cs), "8. 3. 2026");
        assert_eq!(date("2026-03-08", en), "8 Mar 2026");
        assert_eq!(date("jaro 2026", en), "jaro 2026");
        assert_eq!(
            date_range(Some("2026-03-08"), Some("2026-03-09"), en).as_deref(),
            Some("8 Mar 2026 – 9 Mar 2026")
        );
    }
}
