//! The event image sent as `imageData` at creation: a data URL or bare base64 (contract §4.2).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// A decoded event image, served later by `GET /api/v1/events/:eventId/image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventImage {
    /// `image/<subtype>` from the data URL, `image/png` for bare base64.
    pub content_type: String,
    /// The image bytes.
    pub bytes: Vec<u8>,
}

/// Standard alphabet with optional padding, as browsers and Node produce and accept it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Content type of bare base64 without a data-URL header.
const DEFAULT_CONTENT_TYPE: &str = "image/png";

/// Decodes a non-empty `imageData` text; `None` when it is not a valid image payload.
///
/// `data:image/<subtype>;base64,<data>` with `<subtype>` in `[A-Za-z0-9.+-]+`, or bare base64.
/// ASCII whitespace anywhere in the data is ignored. Any other `data:` URL, characters outside the
/// standard alphabet, misplaced padding or an empty payload are rejected: an image of zero bytes
/// cannot be shown, so it is not silently stored.
pub(super) fn decode_image_data(text: &str) -> Option<EventImage> {
    let (content_type, payload) = if text.starts_with("data:") {
        let (subtype, payload) = split_data_url(text)?;
        (format!("image/{subtype}"), payload)
    } else {
        (DEFAULT_CONTENT_TYPE.to_owned(), text)
    };
    let bytes = decode_base64(payload)?;
    (!bytes.is_empty()).then_some(EventImage {
        content_type,
        bytes,
    })
}

/// The subtype and payload of `data:image/<subtype>;base64,<payload>`.
fn split_data_url(text: &str) -> Option<(&str, &str)> {
    let (subtype, payload) = text.strip_prefix("data:image/")?.split_once(";base64,")?;
    let valid = !subtype.is_empty()
        && subtype
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'));
    valid.then_some((subtype, payload))
}

/// Base64 with ASCII whitespace ignored (a copy without it is made only when there is some).
fn decode_base64(payload: &str) -> Option<Vec<u8>> {
    if payload.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: Vec<u8> = payload
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        BASE64.decode(compact).ok()
    } else {
        BASE64.decode(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Option<(String, Vec<u8>)> {
        decode_image_data(text).map(|i| (i.content_type, i.bytes))
    }

    #[test]
    fn data_urls_give_their_subtype() {
        assert_eq!(
            decoded("data:image/svg+xml;base64,PHN2Zz4="),
            Some(("image/svg+xml".to_owned(), b"<svg>".to_vec()))
        );
        assert_eq!(
            decoded("data:image/vnd.microsoft-icon;base64,AAEC"),
            Some(("image/vnd.microsoft-icon".to_owned(), vec![0, 1, 2]))
        );
        assert_eq!(
            decoded("data:image/JPEG;base64,/9j/"),
            Some(("image/JPEG".to_owned(), vec![0xff, 0xd8, 0xff]))
        );
    }

    #[test]
    fn bare_base64_is_png() {
        assert_eq!(
            decoded("iVBORw0KGgo="),
            Some(("image/png".to_owned(), b"\x89PNG\r\n\x1a\n".to_vec()))
        );
    }

    #[test]
    fn padding_is_optional_and_whitespace_ignored() {
        let png = Some(("image/png".to_owned(), b"\x89PNG\r\n\x1a\n".to_vec()));
        assert_eq!(decoded("iVBORw0KGgo"), png);
        assert_eq!(decoded(" iVBO\r\nRw0K\tGgo=\n"), png);
        assert_eq!(decoded("data:image/png;base64,\n iVBORw0KGgo"), png);
    }

    #[test]
    fn undecodable_payloads_are_rejected() {
        for bad in [
            "iVBORw0KGgo*",
            "iVBORw0K_Ggo",
            "iVBORw0K-Ggo",
            "iVBO=Rw0KGgo",
            "A",
            "data:image/png;base64,",
            "   ",
            "data:image/;base64,AAEC",
            "data:image/p g;base64,AAEC",
            "data:image/png;charset=utf-8;base64,AAEC",
            "data:image/png,AAEC",
            "data:text/plain;base64,AAEC",
            "DATA:image/png;base64,AAEC",
            "data:image/png;base64,AAEC\u{a0}",
        ] {
            assert_eq!(decoded(bad), None, "{bad:?}");
        }
    }
}
