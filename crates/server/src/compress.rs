//! Response compression without a per-request cost on the hot paths: bodies that are served many
//! times (read-cache answers, pages, static assets) keep a gzip copy made once, and a request
//! gets it when its `Accept-Encoding` allows gzip. `ETag`s stay the hash of the uncompressed
//! body (contract §1.6); every answer that can be compressed says `Vary: Accept-Encoding`.
//! WebSocket upgrades never pass through here.

use std::io::Write as _;

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_ENCODING;

/// Bodies below this size are sent as they are: a gzip frame would save less than a packet.
pub(crate) const MIN_SIZE: usize = 1024;

/// Whether the request's `Accept-Encoding` lists `gzip` (or `x-gzip`, or `*`) with a non-zero
/// quality.
pub(crate) fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .any(header_accepts_gzip)
}

fn header_accepts_gzip(value: &str) -> bool {
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
        if !matches!(coding.as_str(), "gzip" | "x-gzip" | "*") {
            return false;
        }
        !parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        })
    })
}

/// `body` gzip-compressed (default level), or `None` when it is too small or does not shrink.
pub(crate) fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    if body.len() < MIN_SIZE {
        return None;
    }
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    let out = encoder.finish().ok()?;
    (out.len() < body.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn accept_encoding_rules() {
        assert!(header_accepts_gzip("gzip"));
        assert!(header_accepts_gzip("br, gzip;q=0.5, deflate"));
        assert!(header_accepts_gzip("*"));
        assert!(header_accepts_gzip("GZIP"));
        assert!(!header_accepts_gzip("gzip;q=0"));
        assert!(!header_accepts_gzip("br, deflate"));
        assert!(!header_accepts_gzip(""));
        assert!(!header_accepts_gzip("identity"));
    }

    #[test]
    fn gzip_round_trips_and_skips_small_bodies() {
        assert_eq!(gzip(b"tiny"), None);
        let body = "results ".repeat(1000);
        let packed = gzip(body.as_bytes()).unwrap();
        assert!(packed.len() < body.len() / 10);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }
}
