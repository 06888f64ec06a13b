//! The value types of c123-xml.md §3 and the status rule of §8, applied to raw field text.
//!
//! Every function takes the untrimmed text of a field (`None` when the field is absent) and
//! never fails: what does not fit the type becomes null, as the spec requires (DV12).

/// `text`: trimmed; empty → null.
pub(crate) fn text(raw: Option<&str>) -> Option<String> {
    trimmed(raw).map(str::to_owned)
}

/// The trimmed text, `None` when absent or empty.
pub(crate) fn trimmed(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|t| !t.is_empty())
}

/// `int`: trimmed text matching `^[+-]?[0-9]+$` within the signed 32-bit range, else null.
pub(crate) fn int(raw: Option<&str>) -> Option<i32> {
    // `i32::from_str` accepts exactly `[+-]?[0-9]+` (any number of leading zeros) and rejects
    // out-of-range values, which is the rule.
    trimmed(raw)?.parse().ok()
}

/// `bool`: trimmed text equal to `true`, case-insensitively; anything else is false.
pub(crate) fn bool(raw: Option<&str>) -> bool {
    trimmed(raw).is_some_and(|t| t.eq_ignore_ascii_case("true"))
}

/// `date`: the leading `YYYY-MM-DD` of the trimmed text, else null.
pub(crate) fn date(raw: Option<&str>) -> Option<String> {
    let t = trimmed(raw)?;
    let head = t.as_bytes().get(..10)?;
    let shape_ok = head.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    // All ten bytes are ASCII, so slicing at 10 is on a character boundary.
    shape_ok.then(|| t.get(..10).map(str::to_owned)).flatten()
}

/// XML `Status` (§8): trimmed and upper-cased; `DNS`, `DNF`, `DSQ`, `CAP` kept, anything else null.
pub(crate) fn status(raw: Option<&str>) -> Option<&'static str> {
    const KEPT: [&str; 4] = ["DNS", "DNF", "DSQ", "CAP"];
    let t = trimmed(raw)?;
    if t.is_ascii() {
        KEPT.into_iter().find(|k| k.eq_ignore_ascii_case(t))
    } else {
        // Full Unicode upper-casing, as the rule says: `ſ` (long s) upper-cases to `S`.
        let upper = t.to_uppercase();
        KEPT.into_iter().find(|k| *k == upper)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_empty_is_null() {
        assert_eq!(text(Some("  REZEK \n")), Some("REZEK".to_owned()));
        assert_eq!(text(Some(" \t\n ")), None);
        assert_eq!(text(Some("")), None);
        assert_eq!(text(None), None);
    }

    #[test]
    fn ints_follow_dv12() {
        assert_eq!(int(Some("   1")), Some(1));
        assert_eq!(int(Some("+7")), Some(7));
        assert_eq!(int(Some("-12")), Some(-12));
        assert_eq!(int(Some("007")), Some(7));
        assert_eq!(int(Some("2147483647")), Some(i32::MAX));
        assert_eq!(int(Some("-2147483648")), Some(i32::MIN));
        assert_eq!(int(Some("2147483648")), None);
        assert_eq!(int(Some("12abc")), None);
        assert_eq!(int(Some("1.5")), None);
        assert_eq!(int(Some("1 2")), None);
        assert_eq!(int(Some("+")), None);
        assert_eq!(int(Some("٣")), None);
        assert_eq!(int(Some("")), None);
        assert_eq!(int(None), None);
    }

    #[test]
    fn bools_are_true_only_for_true() {
        assert!(bool(Some(" TRUE ")));
        assert!(bool(Some("true")));
        assert!(!bool(Some("false")));
        assert!(!bool(Some("1")));
        assert!(!bool(Some("yes")));
        assert!(!bool(None));
    }

    #[test]
    fn dates_keep_the_leading_calendar_date() {
        assert_eq!(
            date(Some("2026-03-08T08:30:37+01:00")),
            Some("2026-03-08".to_owned())
        );
        assert_eq!(date(Some(" 2024-06-25 ")), Some("2024-06-25".to_owned()));
        assert_eq!(date(Some("2024-6-25")), None);
        assert_eq!(date(Some("25.06.2024")), None);
        assert_eq!(date(Some("2024-06-2")), None);
        assert_eq!(date(Some("2024-06-2Ž")), None);
        assert_eq!(date(None), None);
    }

    #[test]
    fn statuses_keep_only_the_four_codes() {
        assert_eq!(status(Some("DNS")), Some("DNS"));
        assert_eq!(status(Some(" dnf ")), Some("DNF"));
        assert_eq!(status(Some("Dsq")), Some("DSQ"));
        assert_eq!(status(Some("CAP")), Some("CAP"));
        assert_eq!(status(Some("dnſ")), Some("DNS"));
        assert_eq!(status(Some("RAL")), None);
        assert_eq!(status(Some("*")), None);
        assert_eq!(status(Some("")), None);
        assert_eq!(status(None), None);
    }
}
