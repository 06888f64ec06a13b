//! The page's static files, inside the binary: one stylesheet and one ES module. Each is served
//! under a content-hashed name (`/assets/page.<hash>.css`) with `immutable` caching, and its gzip
//! copy is made once, at first use, never per request.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, VARY};
use actix_web::{HttpRequest, HttpResponse};

const CSS: &str = include_str!("assets/page.css");
const JS: &str = include_str!("assets/live.js");

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    /// `/assets/<stem>.<hash>.<ext>`.
    url: String,
    content_type: &'static str,
    body: &'static [u8],
    gzip: Option<Vec<u8>>,
}

impl Asset {
    fn new(stem: &str, ext: &str, content_type: &'static str, body: &'static str) -> Self {
        use sha2::Digest;
        let hash = hex::encode(&sha2::Sha256::digest(body.as_bytes())[..6]);
        Self {
            url: format!("/assets/{stem}.{hash}.{ext}"),
            content_type,
            body: body.as_bytes(),
            gzip: crate::compress::gzip(body.as_bytes()),
        }
    }

    fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        res.insert_header((CONTENT_TYPE, HeaderValue::from_static(self.content_type)))
            .insert_header((
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
            .insert_header((VARY, HeaderValue::from_static("Accept-Encoding")));
        match &self.gzip {
            Some(gz) if crate::compress::accepts_gzip(req) => res
                .insert_header((CONTENT_ENCODING, HeaderValue::from_static("gzip")))
                .body(gz.clone()),
            _ => res.body(self.body),
        }
    }
}

/// The page's assets.
#[derive(Debug)]
pub(crate) struct Assets {
    css: Asset,
    js: Asset,
}

/// Built (hashed and compressed) on first use.
pub(crate) static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets {
    css: Asset::new("page", "css", "text/css; charset=utf-8", CSS),
    js: Asset::new("live", "js", "text/javascript; charset=utf-8", JS),
});

impl Assets {
    /// The stylesheet's URL.
    pub(crate) fn css_url(&self) -> &str {
        &self.css.url
    }

    /// The script's URL.
    pub(crate) fn js_url(&self) -> &str {
        &self.js.url
    }

    /// The asset at `path`, if any.
    pub(crate) fn respond(&self, req: &HttpRequest) -> Option<HttpResponse> {
        [&self.css, &self.js]
            .into_iter()
            .find(|a| a.url == req.path())
            .map(|a| a.respond(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash_and_gzip_copies_exist() {
        let a = &*ASSETS;
        assert_eq!(a.css_url().len(), "/assets/page.".len() + 12 + ".css".len());
        assert!(a.css_url().starts_with("/assets/page."));
        assert_eq!(a.js_url().len(), "/assets/live.".len() + 12 + ".js".len());
        assert!(a.css.gzip.is_some() && a.js.gzip.is_some());
    }
}
