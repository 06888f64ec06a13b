//! Run statuses (computations.md §8): how the two sources' status texts are stored.

/// The stored status of a results-feed value (c123-xml.md §12.1 step 2, DV3): trimmed,
/// upper-cased, empty → `None`. Every other value is kept, so `"finished"` becomes `"FINISHED"`
/// and, being non-null, makes the row unranked.
///
/// Trimming follows JavaScript's `trim` (Unicode white space plus the BOM), because the producer
/// and the upstream server are JavaScript.
pub fn normalise_live_status(raw: Option<&str>) -> Option<String> {
    let trimmed = raw?.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    (!trimmed.is_empty()).then(|| trimmed.to_uppercase())
}

/// The stored status of an XML `Status` text (c123-xml.md §8): trimmed and upper-cased, and kept
/// only when it is `DNS`, `DNF`, `DSQ` or `CAP`; anything else (empty, `RAL`, …) is a valid run.
pub fn normalise_xml_status(raw: &str) -> Option<String> {
    let upper = raw.trim().to_uppercase();
    matches!(upper.as_str(), "DNS" | "DNF" | "DSQ" | "CAP").then_some(upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_statuses_are_trimmed_and_upper_cased() {
        assert_eq!(
            normalise_live_status(Some("\u{feff} dnf\t")),
            Some("DNF".to_owned())
        );
        assert_eq!(normalise_live_status(Some("\u{feff}")), None);
    }

    #[test]
    fn xml_statuses_keep_only_the_four_codes() {
        assert_eq!(normalise_xml_status("DNS"), Some("DNS".to_owned()));
        assert_eq!(normalise_xml_status(" dnf "), Some("DNF".to_owned()));
        assert_eq!(normalise_xml_status("DSQ"), Some("DSQ".to_owned()));
        assert_eq!(normalise_xml_status("cap"), Some("CAP".to_owned()));
        assert_eq!(normalise_xml_status("RAL"), None);
        assert_eq!(normalise_xml_status("*"), None);
        assert_eq!(normalise_xml_status(""), None);
        assert_eq!(normalise_xml_status("   "), None);
    }
}
