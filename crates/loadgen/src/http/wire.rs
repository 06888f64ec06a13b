//! HTTP/1.1 on the wire: encoding a request and framing a response, as pure functions over bytes
//! so they can be tested without sockets.
//!
//! Only what the server's API needs: a status line, headers, and a body framed by
//! `Content-Length`, `Transfer-Encoding: chunked`, or the end of the connection.

use super::HttpError;

/// Largest response head accepted; the server's heads are a few hundred bytes.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest response body accepted (the biggest API answer is a results list of a few 100 KB).
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// Encodes one request. `Content-Type: application/json` is sent exactly when there is a body,
/// as the booth does and the contract (§1.1) expects.
pub(crate) fn encode_request(
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Vec<u8> {
    let body_len = body.map_or(0, <[u8]>::len);
    let mut out = Vec::with_capacity(256 + body_len);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\nUser-Agent: live-loadgen\r\nConnection: keep-alive\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(body) = body {
        out.extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body);
    } else {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// How the body after a response head ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body at all (HEAD, 1xx, 204, 304).
    Empty,
    /// Exactly this many bytes.
    Length(usize),
    /// Chunked transfer coding.
    Chunked,
    /// Until the server closes the connection.
    UntilClose,
}

/// The parts of a response head the client acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// Status code.
    pub(crate) status: u16,
    /// How the body is delimited.
    pub(crate) framing: Framing,
    /// Whether the connection must not be reused afterwards.
    pub(crate) close: bool,
}

/// Parses a response head from the start of `buf`.
///
/// `Ok(None)` means more bytes are needed; `Ok(Some((head, n)))` means the head took `n` bytes.
pub(crate) fn parse_head(
    buf: &[u8],
    is_head_request: bool,
) -> Result<Option<(Head, usize)>, HttpError> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return if buf.len() > MAX_HEAD {
            Err(HttpError::Malformed("response head too large"))
        } else {
            Ok(None)
        };
    };
    let text = std::str::from_utf8(&buf[..end])
        .map_err(|_| HttpError::Malformed("response head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed("not an HTTP/1.x status line"));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or(HttpError::Malformed("bad status code"))?;
    let mut content_length = None;
    let mut chunked = false;
    let mut close = version == "HTTP/1.0";
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or(HttpError::Malformed("header line without colon"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let n = value
                .parse::<usize>()
                .map_err(|_| HttpError::Malformed("bad Content-Length"))?;
            if content_length.is_some_and(|m| m != n) {
                return Err(HttpError::Malformed("conflicting Content-Length"));
            }
            content_length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("connection")
            && value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("close"))
        {
            close = true;
        }
    }
    let framing = if is_head_request || status < 200 || status == 204 || status == 304 {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = content_length {
        if n > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        Framing::Length(n)
    } else {
        close = true;
        Framing::UntilClose
    };
    Ok(Some((
        Head {
            status,
            framing,
            close,
        },
        end + 4,
    )))
}

/// Decodes a complete chunked body from the start of `buf`.
///
/// `Ok(None)` means more bytes are needed; `Ok(Some((body, n)))` means the body (with its
/// trailers) took `n` bytes.
pub(crate) fn decode_chunked(buf: &[u8]) -> Result<Option<(Vec<u8>, usize)>, HttpError> {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        let Some(line_len) = find(&buf[pos..], b"\r\n") else {
            return Ok(None);
        };
        let line = std::str::from_utf8(&buf[pos..pos + line_len])
            .map_err(|_| HttpError::Malformed("chunk size is not UTF-8"))?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| HttpError::Malformed("bad chunk size"))?;
        pos += line_len + 2;
        if size == 0 {
            // Trailers (usually none), each ending in CRLF, then an empty line.
            loop {
                let Some(trailer_len) = find(&buf[pos..], b"\r\n") else {
                    return Ok(None);
                };
                pos += trailer_len + 2;
                if trailer_len == 0 {
                    return Ok(Some((body, pos)));
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(HttpError::TooLarge);
        }
        let Some(chunk) = buf.get(pos..pos + size) else {
            return Ok(None);
        };
        match buf.get(pos + size..pos + size + 2) {
            None => return Ok(None),
            Some(b"\r\n") => {}
            Some(_) => return Err(HttpError::Malformed("chunk not followed by CRLF")),
        }
        body.extend_from_slice(chunk);
        pos += size + 2;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_with_body_carries_type_and_length() {
        let bytes = encode_request(
            "POST",
            "127.0.0.1:3000",
            "/api/v1/ingest/results",
            &[("X-API-Key", "k")],
            Some(br#"{"results":[]}"#),
        );
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "POST /api/v1/ingest/results HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: live-loadgen\r\n\
             Connection: keep-alive\r\nX-API-Key: k\r\nContent-Type: application/json\r\n\
             Content-Length: 14\r\n\r\n{\"results\":[]}"
        );
    }

    #[test]
    fn request_without_body_has_no_content_type() {
        let text = String::from_utf8(encode_request("GET", "h", "/health", &[], None)).unwrap();
        assert!(text.ends_with("Connection: keep-alive\r\n\r\n"));
        assert!(!text.contains("Content-Type"));
    }

    #[test]
    fn head_with_content_length() {
        let raw = b"HTTP/1.1 201 Created\r\ncontent-length: 13\r\ncontent-type: application/json\r\n\r\n{\"id\":1}xxxxx";
        let (head, n) = parse_head(raw, false).unwrap().unwrap();
        assert_eq!(head.status, 201);
        assert_eq!(head.framing, Framing::Length(13));
        assert!(!head.close);
        assert_eq!(&raw[n..n + 8], b"{\"id\":1}");
    }

    #[test]
    fn incomplete_head_needs_more() {
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Le", false).unwrap(),
            None
        );
    }

    #[test]
    fn chunked_and_close_are_recognised() {
        let raw =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nConnection: Close\r\n\r\n";
        let (head, _) = parse_head(raw, false).unwrap().unwrap();
        assert_eq!(head.framing, Framing::Chunked);
        assert!(head.close);
    }

    #[test]
    fn no_length_reads_until_close() {
        let (head, _) = parse_head(b"HTTP/1.1 200 OK\r\n\r\n", false)
            .unwrap()
            .unwrap();
        assert_eq!(head.framing, Framing::UntilClose);
        assert!(head.close);
        let (head, _) = parse_head(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", false)
            .unwrap()
            .unwrap();
        assert!(head.close);
    }

    #[test]
    fn bodyless_statuses_and_head_requests() {
        let (head, _) = parse_head(
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(head.framing, Framing::Empty);
        let (head, _) = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true)
            .unwrap()
            .unwrap();
        assert_eq!(head.framing, Framing::Empty);
    }

    #[test]
    fn malformed_heads_are_errors() {
        for raw in [
            &b"SSH-2.0-OpenSSH\r\n\r\n"[..],
            b"HTTP/1.1 abc OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
            b"HTTP/2 200\r\n\r\n",
        ] {
            assert!(
                parse_head(raw, false).is_err(),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        let huge = vec![b'a'; MAX_HEAD + 1];
        assert!(parse_head(&huge, false).is_err());
    }

    #[test]
    fn chunked_body_is_decoded() {
        let raw = b"4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n\r\nNEXT";
        let (body, n) = decode_chunked(raw).unwrap().unwrap();
        assert_eq!(body, b"Wikipedia in \r\n\r\nchunks.");
        assert_eq!(&raw[n..], b"NEXT");
    }

    #[test]
    fn chunked_body_with_trailer() {
        let raw = b"2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let (body, n) = decode_chunked(raw).unwrap().unwrap();
        assert_eq!(body, b"ok");
        assert_eq!(n, raw.len());
    }

    #[test]
    fn partial_chunked_body_needs_more() {
        for cut in [0, 1, 3, 5, 8, 10, 12] {
            let raw = b"4\r\nWiki\r\n0\r\n\r\n";
            assert_eq!(decode_chunked(&raw[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn broken_chunks_are_errors() {
        assert!(decode_chunked(b"zz\r\n").is_err());
        assert!(decode_chunked(b"2\r\nokXX0\r\n\r\n").is_err());
    }
}
