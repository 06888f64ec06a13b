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

/// A public answer ready to serve — and to keep in the read cache: the encoded body, its tag and
/// how long caches may keep it. Serving it again costs no query, no encoding and no hashing; the
/// gzip copy is made by the first request that accepts gzip and then reused (once per write for
/// a cached answer, see `compress.rs`).
#[derive(Debug)]
pub(crate) struct PublicBody {
    content_type: HeaderValue,
    body: bytes::Bytes,
    gzip: std::sync::OnceLock<Option<bytes::Bytes>>,
    etag: HeaderValue,
    freshness: Freshness,
    vary: HeaderValue,
}

/// `Vary` of the JSON answers.
const VARY_ENCODING: &str = "Accept-Encoding";

impl PublicBody {
    /// Wraps an encoded body; the tag is computed once here.
    pub(crate) fn new(content_type: HeaderValue, body: Vec<u8>, freshness: Freshness) -> Self {
        let etag = HeaderValue::from_str(&etag(&body))
            .unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""));
        Self {
            content_type,
            body: body.into(),
            gzip: std::sync::OnceLock::new(),
            etag,
            freshness,
            vary: HeaderValue::from_static(VARY_ENCODING),
        }
    }

    /// Replaces the `Vary` header (pages also vary with the language headers).
    pub(crate) fn with_vary(mut self, vary: &'static str) -> Self {
        self.vary = HeaderValue::from_static(vary);
        self
    }

    /// The gzip copy, made on first use; `None` when compression does not pay.
    fn gzipped(&self) -> Option<&bytes::Bytes> {
        self.gzip
            .get_or_init(|| crate::compress::gzip(&self.body).map(bytes::Bytes::from))
            .as_ref()
    }

    /// Encodes `body` as JSON.
    pub(crate) fn json<T: Serialize + ?Sized>(
        body: &T,
        freshness: Freshness,
    ) -> Result<Self, crate::error::ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            crate::error::ApiError::Internal(format!("cannot encode response: {e}"))
        })?;
        Ok(Self::new(
            HeaderValue::from_static(JSON_UTF8),
            bytes,
            freshness,
        ))
    }

    /// The answer to `req`: 304 with no body when its `If-None-Match` lists this tag, else 200,
    /// gzip-compressed when the client accepts it; `ETag` (of the uncompressed body),
    /// `Cache-Control` and `Vary` on both. Images also get `nosniff` and a sandbox CSP.
    pub(crate) fn respond(&self, req: &actix_web::HttpRequest) -> HttpResponse {
        use actix_web::http::header::{
            CONTENT_SECURITY_POLICY, ETAG, IF_NONE_MATCH, X_CONTENT_TYPE_OPTIONS,
        };
        let tag = self.etag.to_str().unwrap_or_default();
        let not_modified = req
            .headers()
            .get_all(IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .any(|v| matches_if_none_match(v, tag));
        let mut res = if not_modified {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        res.insert_header((CACHE_CONTROL, self.freshness.header()))
            .insert_header((ETAG, self.etag.clone()))
            .insert_header((actix_web::http::header::VARY, self.vary.clone()));
        if self.freshness == Freshness::Image {
            res.insert_header((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
                .insert_header((CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")));
        }
        if not_modified {
            return res.finish();
        }
        res.insert_header((CONTENT_TYPE, self.content_type.clone()));
        if crate::compress::accepts_gzip(req)
            && let Some(gz) = self.gzipped()
        {
            return res
                .insert_header((
                    actix_web::http::header::CONTENT_ENCODING,
                    HeaderValue::from_static("gzip"),
                ))
                .body(gz.clone());
        }
        res.body(self.body.clone())
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
