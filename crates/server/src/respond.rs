//! Success responses: JSON with the contract's content type and caching headers.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::Serialize;

use crate::error::JSON_UTF8;

/// Serialises `body` (UTF-8, unescaped) with `Cache-Control: no-store` (admin, ingest, health).
pub(crate) fn json_no_store<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => HttpResponse::build(status)
            .insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)))
            .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .body(bytes),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::Internal(
            format!("cannot encode response: {e}"),
        )),
    }
}

/// How long a public answer may be reused (contract §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// Live data: stored but always revalidated.
    Live,
    /// An official event's data: `public, max-age=60`.
    Official,
    /// Images: a day.
    Image,
}

impl Freshness {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Live => "no-cache",
            Self::Official => "public, max-age=60",
            Self::Image => "public, max-age=86400",
        })
    }
}

/// `W/"<first 16 hex digits of SHA-256(body)>"`: identical bodies give identical tags, also
/// across restarts.
pub(crate) fn etag(body: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body);
    format!("W/\"{}\"", &hex::encode(&digest[..8]))
}

/// Whether an `If-None-Match` header value lists `tag` (weak comparison, lists and `*`).
pub(crate) fn matches_if_none_match(header: &str, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    header
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// A public GET answer: `ETag`, `Cache-Control` per `freshness`, 304 when the client's
/// `If-None-Match` already has this body.
pub(crate) fn public_body(
    req: &actix_web::HttpRequest,
    content_type: &'static str,
    body: Vec<u8>,
    freshness: Freshness,
) -> HttpResponse {
    use actix_web::http::header::{ETAG, IF_NONE_MATCH};
    let tag = etag(&body);
    let not_modified = req
        .headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches_if_none_match(v, &tag));
    let mut res = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((CACHE_CONTROL, freshness.header()));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        res.insert_header((ETAG, v));
    }
    if not_modified {
        return res.finish();
    }
    res.insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .body(body)
}

/// A public JSON answer (see [`public_body`]).
pub(crate) fn public_json<T: Serialize + ?Sized>(
    req: &actix_web::HttpRequest,
    body: &T,
    freshness: Freshness,
) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => public_body(req, JSON_UTF8, bytes, freshness),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::Internal(
            format!("cannot encode response: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_weak_sha256_prefixes() {
        // SHA-256("") = e3b0c44298fc1c14…
        assert_eq!(etag(b""), "W/\"e3b0c44298fc1c14\"");
        assert_eq!(etag(b"{}"), etag(b"{}"));
        assert_ne!(etag(b"{}"), etag(b"[]"));
    }

    #[test]
    fn if_none_match_rules() {
        let tag = "W/\"e3b0c44298fc1c14\"";
        assert!(matches_if_none_match(tag, tag));
        assert!(matches_if_none_match("\"e3b0c44298fc1c14\"", tag));
        assert!(matches_if_none_match(
            "W/\"x\", W/\"e3b0c44298fc1c14\"",
            tag
        ));
        assert!(matches_if_none_match("*", tag));
        assert!(!matches_if_none_match("W/\"e3b0c44298fc1c15\"", tag));
        assert!(!matches_if_none_match("", tag));
    }
}
