//! A small HTTP/1.1 client over a keep-alive tokio `TcpStream`.
//!
//! Hand-written rather than hyper: the generator needs POST/GET/PATCH/DELETE with
//! `Content-Length`, keep-alive and a status + body back, nothing more, and a full HTTP stack
//! would double the crate's build time on the 2-core machines it is built on.

mod wire;

/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::target::Target;
use wire::{Framing, Head};

/// A failed request (no status was received).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The socket failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// No complete response within the request timeout.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The peer closed the connection before the response was complete.
    #[error("connection closed before the response was complete")]
    Closed,
    /// The response was not valid HTTP/1.1.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
    /// The response body exceeded the client's limit.
    #[error("response body too large")]
    TooLarge,
}

/// A received response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The body bytes (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text, lossily, for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection to the server; requests on it are sequential.
#[derive(Debug)]
pub struct HttpClient {
    target: Target,
    timeout: Duration,
    conn: Option<TcpStream>,
    buf: Vec<u8>,
}

impl HttpClient {
    /// A client for `target`; every request must complete within `timeout`.
    pub fn new(target: Target, timeout: Duration) -> Self {
        Self {
            target,
            timeout,
            conn: None,
            buf: Vec::new(),
        }
    }

    /// Sends one request and reads the whole response.
    ///
    /// A kept-alive connection the server has meanwhile closed fails before any byte of the
    /// response arrives; that case alone is retried once on a fresh connection, since the server
    /// cannot have seen the request.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response, HttpError> {
        let request = wire::encode_request(method, &self.target.host, path, headers, body);
        let is_head = method.eq_ignore_ascii_case("HEAD");
        let timeout = self.timeout;
        let attempt = async {
            let reused = self.conn.is_some();
            match self.exchange(&request, is_head).await {
                Err(Exchange::BeforeResponse(_)) if reused => {
                    self.conn = None;
                    self.exchange(&request, is_head)
                        .await
                        .map_err(Exchange::into_error)
                }
                other => other.map_err(Exchange::into_error),
            }
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => {
                self.conn = None;
                Err(e)
            }
            Err(_) => {
                self.conn = None;
                Err(HttpError::Timeout(timeout))
            }
        }
    }

    /// The server this client talks to.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// `GET path` with no extra headers.
    pub async fn get(&mut self, path: &str) -> Result<Response, HttpError> {
        self.send("GET", path, &[], None).await
    }

    async fn exchange(&mut self, request: &[u8], is_head: bool) -> Result<Response, Exchange> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.target.addr)
                .await
                .map_err(|e| Exchange::BeforeResponse(e.into()))?;
            stream
                .set_nodelay(true)
                .map_err(|e| Exchange::BeforeResponse(e.into()))?;
            self.conn = Some(stream);
            self.buf.clear();
        }
        let Some(stream) = self.conn.as_mut() else {
            return Err(Exchange::BeforeResponse(HttpError::Closed));
        };
        stream
            .write_all(request)
            .await
            .map_err(|e| Exchange::BeforeResponse(e.into()))?;
        let (head, body) = read_response(stream, &mut self.buf, is_head).await?;
        if head.close {
            self.conn = None;
        }
        Ok(Response {
            status: head.status,
            body,
        })
    }
}

/// Where an exchange failed: before any response byte (safe to retry) or after.
enum Exchange {
    BeforeResponse(HttpError),
    During(HttpError),
}

impl Exchange {
    fn into_error(self) -> HttpError {
        match self {
            Self::BeforeResponse(e) | Self::During(e) => e,
        }
    }
}

/// Reads one response; `buf` keeps bytes that belong to the next response (there are none with
/// sequential requests, but a well-behaved reader must not drop them).
async fn read_response(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    is_head: bool,
) -> Result<(Head, Vec<u8>), Exchange> {
    let (head, head_len) = loop {
        if let Some(parsed) = wire::parse_head(buf, is_head).map_err(Exchange::During)? {
            break parsed;
        }
        let n = read_into(stream, buf)
            .await
            .map_err(|e| Exchange::During(e.into()))?;
        if n == 0 {
            return Err(if buf.is_empty() {
                Exchange::BeforeResponse(HttpError::Closed)
            } else {
                Exchange::During(HttpError::Closed)
            });
        }
    };
    buf.drain(..head_len);
    let body = match head.framing {
        Framing::Empty => Vec::new(),
        Framing::Length(len) => {
            while buf.len() < len {
                read_more(stream, buf).await?;
            }
            buf.drain(..len).collect()
        }
        Framing::Chunked => loop {
            if let Some((body, used)) = wire::decode_chunked(buf).map_err(Exchange::During)? {
                buf.drain(..used);
                break body;
            }
            read_more(stream, buf).await?;
        },
        Framing::UntilClose => loop {
            let n = read_into(stream, buf)
                .await
                .map_err(|e| Exchange::During(e.into()))?;
            if n == 0 {
                break std::mem::take(buf);
            }
            if buf.len() > wire::MAX_BODY {
                return Err(Exchange::During(HttpError::TooLarge));
            }
        },
    };
    Ok((head, body))
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), Exchange> {
    let n = read_into(stream, buf)
        .await
        .map_err(|e| Exchange::During(e.into()))?;
    if n == 0 {
        return Err(Exchange::During(HttpError::Closed));
    }
    Ok(())
}

/// Appends what the socket has to `buf` (on the heap: a stack buffer would make every future
/// awaiting a request 16 KiB larger).
async fn read_into(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.reserve(READ_CHUNK);
    stream.read_buf(buf).await
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::target::parse_target;

    /// A one-connection server that answers each request with the next canned response and
    /// reports the requests it read.
    async fn canned_server(
        responses: Vec<&'static [u8]>,
    ) -> (Target, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let mut seen = Vec::new();
            let (mut sock, _) = listener.accept().await.unwrap();
            for response in responses {
                let mut buf = Vec::new();
                let mut byte = [0_u8; 1];
                while !buf.ends_with(b"\r\n\r\n") {
                    if sock.read(&mut byte).await.unwrap() == 0 {
                        return seen;
                    }
                    buf.push(byte[0]);
                }
                let head = String::from_utf8(buf).unwrap();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                let mut body = vec![0_u8; len];
                sock.read_exact(&mut body).await.unwrap();
                seen.push(format!("{head}{}", String::from_utf8(body).unwrap()));
                sock.write_all(response).await.unwrap();
            }
            seen
        });
        let target = parse_target(&format!("http://127.0.0.1:{port}")).unwrap();
        (target, handle)
    }

    #[tokio::test]
    async fn keep_alive_requests_share_one_connection() {
        let (target, server) = canned_server(vec![
            b"HTTP/1.1 201 Created\r\nContent-Length: 8\r\n\r\n{\"id\":1}",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n",
        ])
        .await;
        let mut client = HttpClient::new(target, Duration::from_secs(5));
        let created = client
            .send(
                "POST",
                "/api/v1/admin/events",
                &[("X-Master-Key", "m")],
                Some(b"{}"),
            )
            .await
            .unwrap();
        assert_eq!(created.status, 201);
        assert_eq!(created.json()["id"], 1);
        let got = client.get("/health").await.unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(got.json(), serde_json::json!({"a": 1}));
        let seen = server.await.unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen[0].starts_with("POST /api/v1/admin/events HTTP/1.1\r\n"));
        assert!(seen[0].contains("X-Master-Key: m\r\n"));
        assert!(seen[0].ends_with("\r\n\r\n{}"));
        assert!(seen[1].starts_with("GET /health HTTP/1.1\r\n"));
    }

    #[tokio::test]
    async fn closed_connection_is_an_error_not_a_hang() {
        let (target, server) =
            canned_server(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]).await;
        let mut client = HttpClient::new(target, Duration::from_secs(5));
        let err = client.get("/health").await.unwrap_err();
        assert!(matches!(err, HttpError::Closed), "{err}");
        server.await.unwrap();
    }
}
