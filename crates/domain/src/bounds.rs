//! Input bounds (contract §1.8, DV41): how much of any one input the server reads, echoes and
//! stores, and the one helper that shortens text for messages and the ingest log.
//!
//! Every bound is checked in time linear in the input: a count that stops at the bound, never a
//! comparison of each item with every other.

use std::borrow::Cow;

/// Characters of a client value echoed in an error `message` (a field's text, a tag or attribute
/// name, an id); longer values are cut and end in `…`.
pub const ECHO_MAX_CHARS: usize = 64;

/// Characters of `ingest_log.error`; longer messages are stored cut, ending in `…`.
pub const LOG_ERROR_MAX_CHARS: usize = 1024;

/// Earliest calendar year of an event date (`startDate`, `endDate`, XML event dates).
pub const MIN_EVENT_YEAR: i32 = 1900;

/// Latest calendar year of an event date.
pub const MAX_EVENT_YEAR: i32 = 2999;

/// Attributes on one XML element (Canoe123 writes none but namespace declarations).
pub const XML_MAX_ATTRIBUTES: usize = 16;

/// Bytes of one XML element or attribute name.
pub const XML_MAX_NAME_BYTES: usize = 64;

/// Characters of the text of one XML field the server reads.
pub const XML_FIELD_MAX_CHARS: usize = 4096;

/// Characters of the text of a gate field (`Gates`; `GateTimes`, `GateConfig` are not read).
pub const XML_GATES_FIELD_MAX_CHARS: usize = 16_384;

/// Gates of one row: `Gates` slots and course gates in XML, `gates` arrays in the JSON feeds.
pub const MAX_GATES: usize = 64;

/// Characters of a string field of the JSON feeds (`status`, `name`, `club`, `ttbName`, ids…).
pub const FEED_STRING_MAX_CHARS: usize = 256;

/// `text` cut to its first `max` characters followed by `…` when it is longer; borrowed when it
/// is not. Looks at no more than `max + 1` characters, whatever the length of `text`.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    // Byte length bounds the character count: short texts need no scan at all.
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let mut out = String::with_capacity(cut + '…'.len_utf8());
            out.push_str(text.get(..cut).unwrap_or_default());
            out.push('…');
            Cow::Owned(out)
        }
    }
}

/// A client value as it may appear in an error message: at most [`ECHO_MAX_CHARS`] characters,
/// then `…`.
pub fn echo(value: &str) -> Cow<'_, str> {
    shorten(value, ECHO_MAX_CHARS)
}

/// Whether `text` has more than `max` characters, counting at most `max + 1` of them.
pub fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().nth(max).is_some()
}

/// Whether the leading four-digit year of a date text (`YYYY-MM-DD…`, both accepted date forms
/// and the XML dates start with it) lies in [`MIN_EVENT_YEAR`]–[`MAX_EVENT_YEAR`].
pub fn event_year_in_range(text: &str) -> bool {
    text.get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|y| y.parse::<i32>().ok())
        .is_some_and(|y| (MIN_EVENT_YEAR..=MAX_EVENT_YEAR).contains(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_borrowed_long_ones_cut_with_an_ellipsis() {
        assert!(matches!(shorten("abc", 3), Cow::Borrowed("abc")));
        assert_eq!(shorten("abcd", 3), "abc…");
        // Characters, not bytes: four two-byte characters fit a bound of four.
        assert!(matches!(shorten("žžžž", 4), Cow::Borrowed("žžžž")));
        assert_eq!(shorten("žžžžž", 4), "žžžž…");
        assert_eq!(echo(&"x".repeat(9_000_000)).chars().count(), 65);
        assert_eq!(echo(&"x".repeat(64)), "x".repeat(64));
        assert_eq!(
            shorten(&"e".repeat(5000), LOG_ERROR_MAX_CHARS),
            format!("{}…", "e".repeat(1024))
        );
    }

    #[test]
    fn event_years_are_1900_to_2999() {
        assert!(event_year_in_range("1900-01-01"));
        assert!(event_year_in_range("2999-12-31T23:59:59Z"));
        assert!(!event_year_in_range("1899-12-31"));
        assert!(!event_year_in_range("3000-01-01"));
        assert!(!event_year_in_range("9999-12-31"));
        assert!(!event_year_in_range("0000-01-01"));
        assert!(!event_year_in_range("+2024"));
        assert!(!event_year_in_range("20"));
    }

    #[test]
    fn longer_than_counts_characters() {
        assert!(!longer_than("žž", 2));
        assert!(longer_than("žžž", 2));
        assert!(!longer_than("", 0));
        assert!(longer_than("a", 0));
    }
}
