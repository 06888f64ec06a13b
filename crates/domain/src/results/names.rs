//! Display names (computations.md §2), including both paddlers of a C2 crew (DV39).

/// The public `name`: `FAMILY Given`, the family name alone when the given name is missing or
/// empty, and for a crew (`family_name2` present and non-empty) `" / "` plus the second paddler by
/// the same rule. Values are used verbatim, never re-cased.
pub fn display_name(
    family_name: &str,
    given_name: Option<&str>,
    family_name2: Option<&str>,
    given_name2: Option<&str>,
) -> String {
    let mut name = String::with_capacity(
        family_name.len()
            + given_name.map_or(0, str::len)
            + family_name2.map_or(0, str::len)
            + given_name2.map_or(0, str::len)
            + 5,
    );
    push_person(&mut name, family_name, given_name);
    if let Some(family2) = family_name2.filter(|f| !f.is_empty()) {
        name.push_str(" / ");
        push_person(&mut name, family2, given_name2);
    }
    name
}

fn push_person(out: &mut String, family: &str, given: Option<&str>) {
    out.push_str(family);
    if let Some(given) = given.filter(|g| !g.is_empty()) {
        out.push(' ');
        out.push_str(given);
    }
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn single_paddler() {
        assert_eq!(
            display_name("REZEK", Some("Adam"), None, None),
            "REZEK Adam"
        );
        assert_eq!(
            display_name("KOVÁČ", Some("Tobiáš"), None, None),
            "KOVÁČ Tobiáš"
        );
        assert_eq!(display_name("REZEK", None, None, None), "REZEK");
        assert_eq!(display_name("REZEK", Some(""), None, None), "REZEK");
    }

    #[test]
    fn c2_crew_names_both_paddlers() {
        assert_eq!(
            display_name("SUCHÝ", Some("Matěj"), Some("SUCHÝ"), Some("Ondřej")),
            "SUCHÝ Matěj / SUCHÝ Ondřej"
        );
        assert_eq!(display_name("A", Some("B"), Some("C"), None), "A B / C");
        assert_eq!(display_name("A", None, Some("C"), Some("")), "A / C");
        // An empty second family name is no crew.
        assert_eq!(display_name("A", Some("B"), Some(""), Some("D")), "A B");
    }
}
