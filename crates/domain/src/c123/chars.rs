//! XML 1.0 character classes: legal characters, names and references.
//!
//! quick-xml leaves these checks to the application; a document that breaks them is not
//! well-formed and must be rejected at stage 1 like any other syntax error.

/// Whether `c` may appear in an XML 1.0 document at all (production `Char`).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// The byte offset of the first character of `text` that XML 1.0 forbids, if any.
///
/// Only C0 controls and U+FFFE/U+FFFF can be illegal in a Rust string (surrogates cannot
/// occur), so blocks are first screened without early exit (which lets the compiler vectorise
/// the test); only a block holding a suspicious byte is decoded.
pub(crate) fn first_illegal_char(text: &str) -> Option<(usize, char)> {
    const BLOCK: usize = 64;
    let suspicious = |b: u8| b == 0xEF || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    let mut base = 0;
    for block in text.as_bytes().chunks(BLOCK) {
        if block.iter().fold(false, |any, &b| any | suspicious(b)) {
            for (i, _) in block.iter().enumerate().filter(|&(_, &b)| suspicious(b)) {
                let at = base + i;
                // A suspicious byte is ASCII or the lead byte 0xEF, so `at` is a char boundary.
                let c = text.get(at..)?.chars().next()?;
                if !is_xml_char(c) {
                    return Some((at, c));
                }
            }
        }
        base += block.len();
    }
    None
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `name` is an XML 1.0 `Name` (element, attribute, entity or PI target name).
pub(crate) fn is_name(name: &str) -> bool {
    // Every element name of a real export is ASCII: check those bytewise.
    if name.is_ascii() {
        let bytes = name.as_bytes();
        return bytes
            .first()
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
            && bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'));
    }
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Resolves the body of a reference (`amp`, `#38`, `#x26`) to its character.
///
/// Only the five predefined entities exist because a DTD is never accepted; character
/// references must name a legal XML character. `None` means the reference is not well-formed.
pub(crate) fn resolve_reference(body: &str) -> Option<char> {
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let number = body.strip_prefix('#')?;
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            // `from_str_radix` would accept a leading sign, which the grammar does not.
            if digits.is_empty() || !digits.chars().all(|d| d.is_digit(radix)) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, radix).ok()?)?
        }
    };
    is_xml_char(c).then_some(c)
}

/// Checks the references inside an attribute value: the offset of the first `&` that does not
/// start a well-formed reference, or of a `<` (forbidden in attribute values).
pub(crate) fn check_attribute_value(value: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = value
        .get(from..)?
        .iter()
        .position(|&b| b == b'&' || b == b'<')
    {
        let at = from + found;
        if value.get(at) == Some(&b'<') {
            return Some(at);
        }
        let rest = value.get(at + 1..)?;
        let Some(end) = rest.iter().position(|&b| b == b';') else {
            return Some(at);
        };
        let body = rest.get(..end).and_then(|b| std::str::from_utf8(b).ok());
        if body.and_then(resolve_reference).is_none() {
            return Some(at);
        }
        from = at + end + 2;
    }
    None
}

/// The offset of the first `]]>` in character data, which XML forbids outside CDATA sections.
pub(crate) fn find_cdata_close(text: &str) -> Option<usize> {
    // A `]` is rare in character data: a single-byte search (memchr) per text event is much
    // cheaper than setting up a substring searcher for every one.
    let mut from = 0;
    while let Some(found) = text.get(from..)?.find(']') {
        let at = from + found;
        if text.as_bytes().get(at..at + 3) == Some(b"]]>") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Whether `b` is XML whitespace (space, tab, line feed, carriage return).
pub(crate) fn is_xml_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_characters_are_found_by_offset() {
        assert_eq!(first_illegal_char("<a>\t\r\nok</a>"), None);
        assert_eq!(first_illegal_char("ab\u{1}c"), Some((2, '\u{1}')));
        assert_eq!(first_illegal_char("Ž\u{FFFE}"), Some((2, '\u{FFFE}')));
        assert_eq!(
            first_illegal_char("\u{FEFF}x\u{FFFF}"),
            Some((4, '\u{FFFF}'))
        );
        assert_eq!(first_illegal_char("\u{E000}\u{FFFD}"), None);
        assert_eq!(first_illegal_char("x\0"), Some((1, '\0')));
        // Past the first screening block, and a U+FFFF split across two blocks.
        let long = format!("{}\u{7}", "a".repeat(200));
        assert_eq!(first_illegal_char(&long), Some((200, '\u{7}')));
        let split = format!("{}\u{FFFF}", "a".repeat(63));
        assert_eq!(first_illegal_char(&split), Some((63, '\u{FFFF}')));
    }

    #[test]
    fn names_follow_the_xml_grammar() {
        assert!(is_name("Canoe123Data"));
        assert!(is_name("p:Results"));
        assert!(is_name("_Bib"));
        assert!(is_name("Příjmení"));
        assert!(!is_name(""));
        assert!(!is_name("1abc"));
        assert!(!is_name("-a"));
        assert!(!is_name("a/"));
        assert!(!is_name("a b"));
        assert!(is_name("a-b.c_d:e9"));
        assert!(!is_name(".a"));
        assert!(is_name("Ža"));
        assert!(!is_name("a\u{2000}"));
    }

    #[test]
    fn references_resolve_predefined_and_numeric_only() {
        assert_eq!(resolve_reference("lt"), Some('<'));
        assert_eq!(resolve_reference("amp"), Some('&'));
        assert_eq!(resolve_reference("#38"), Some('&'));
        assert_eq!(resolve_reference("#x17D"), Some('Ž'));
        assert_eq!(resolve_reference("nbsp"), None);
        assert_eq!(resolve_reference("#0"), None);
        assert_eq!(resolve_reference("#xD800"), None);
        assert_eq!(resolve_reference("#x+41"), None);
        assert_eq!(resolve_reference("#"), None);
        assert_eq!(resolve_reference("#99999999999"), None);
        assert_eq!(resolve_reference("#X41"), None);
    }

    #[test]
    fn attribute_values_reject_bad_references_and_lt() {
        assert_eq!(check_attribute_value(b"http://x/?a=1&amp;b=2"), None);
        assert_eq!(check_attribute_value(b"a&b"), Some(1));
        assert_eq!(check_attribute_value(b"a&foo;"), Some(1));
        assert_eq!(check_attribute_value(b"ok&lt;x<"), Some(7));
    }

    #[test]
    fn cdata_close_is_found_in_text() {
        assert_eq!(find_cdata_close("a > b ]] > c"), None);
        assert_eq!(find_cdata_close("x]]>"), Some(1));
        assert_eq!(find_cdata_close("]]"), None);
        assert_eq!(find_cdata_close("a>b]]>"), Some(3));
        assert_eq!(find_cdata_close("]]]>"), Some(1));
        assert_eq!(find_cdata_close("Ž]"), None);
    }
}
