//! Logging: `tracing` with an `EnvFilter` from `RUST_LOG`, human-readable or JSON lines; and
//! the per-request context every log line of a request carries.
//!
//! Each request gets a request id: the client's `X-Request-Id` when it is 1–128 visible ASCII
//! characters (a proxy's or the booth's id then ties their logs to ours), else 32 random hex
//! digits. It is echoed in the response's `X-Request-Id` and recorded, with the client address
//! (`client_limits::client_addr`), in the request's root span (`HTTP request`), which every
//! log line of the request is inside: the handlers and the store's blocking work (`live_store`
//! enters the caller's span on the blocking pool). A WebSocket's connection task logs the
//! handshake's id as a field instead (`live_rooms::Admission::set_request_id`; why not the
//! span: [`RootSpan`]).

use std::net::IpAddr;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

use crate::app::AppState;
use crate::client_limits::client_addr;
use crate::config::LogFormat;
use crate::extract::IgnoredMarker;

/// The request id header, read and echoed.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client-supplied request id kept.
const MAX_REQUEST_ID: usize = 128;

/// What the outermost middleware decided about a request, in its extensions.
#[derive(Debug, Clone)]
pub(crate) struct RequestContext {
    /// The request id.
    pub(crate) id: String,
    /// The client address (peer, or `X-Forwarded-For` behind a trusted proxy).
    pub(crate) client: Option<IpAddr>,
    /// The route template that matches the request (`None`: no route). Computed once here:
    /// `match_pattern()` runs the router's regexes over the whole resource map again on every
    /// call, and before it was cached four middlewares called it per request (43 % of the
    /// server's CPU under a REST load, docs/BENCHMARKS.md).
    pub(crate) route: Option<String>,
}

/// The request's route template: the one [`observe`] recorded, else matched now.
pub(crate) fn route_of(req: &ServiceRequest) -> Option<String> {
    match req.extensions().get::<RequestContext>() {
        Some(ctx) => ctx.route.clone(),
        None => req.match_pattern(),
    }
}

/// The client's id when it is acceptable (one header, 1–128 visible ASCII characters), else a
/// new random one.
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    let mut given = headers.get_all(X_REQUEST_ID);
    if let (Some(value), None) = (given.next(), given.next()) {
        let bytes = value.as_bytes();
        if !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID
            && bytes.iter().all(|b| (0x21..=0x7e).contains(b))
        {
            return String::from_utf8_lossy(bytes).into_owned();
        }
    }
    let mut raw = [0_u8; 16];
    if getrandom::fill(&mut raw).is_err() {
        // No entropy source: still unique within the process.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        raw[..8].copy_from_slice(&n.to_be_bytes());
    }
    hex::encode(raw)
}

/// The root span of every request: `TracingLogger`'s own fields (status and error recorded at
/// the end), with our request id and client address instead of its generated UUID and its
/// unverified `Forwarded` parsing.
///
/// The span is INFO, as `TracingLogger`'s own: a filter stricter than `info` for this target
/// (`RUST_LOG=warn`) does not record it, and that server's warnings carry no request id;
/// `RUST_LOG=warn,live_server::telemetry=info` keeps the ids with no more lines. Not ERROR, which
/// would always record it: `TracingLogger` keeps the root span in the response body, so a
/// WebSocket holds its span for its whole life and enters it on every frame written — measured
/// at +3.2 KiB per idle spectator and several per cent of server CPU at 5 000 spectators
/// (docs/BENCHMARKS.md, issue 12), a cost a `warn` server should not pay.
#[derive(Debug)]
pub(crate) struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let (id, client) = request
            .extensions()
            .get::<RequestContext>()
            .map(|c| (c.id.clone(), c.client))
            .unwrap_or_default();
        let route = route_of(request);
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = route.as_deref().unwrap_or("unmatched"),
            http.target = %request.uri(),
            client_ip = client.map(tracing::field::display),
            request_id = %id,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PATCH" => "PATCH",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

fn ingest_kind(method: &Method, route: Option<&str>) -> Option<&'static str> {
    if method != Method::POST {
        return None;
    }
    match route? {
        "/api/v1/ingest/xml" => Some("xml"),
        "/api/v1/ingest/results" => Some("results"),
        "/api/v1/ingest/oncourse" => Some("oncourse"),
        _ => None,
    }
}

/// The outermost middleware: decides the request id and the client address (before the root
/// span is built), echoes `X-Request-Id`, and counts the request (`live_http_*`, and
/// `live_ingest_*` for the booth's feeds).
pub(crate) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let st = req.app_data::<web::Data<AppState>>().cloned();
    let id = request_id(req.headers());
    let client = st.as_ref().and_then(|st| {
        client_addr(
            req.peer_addr().map(|a| a.ip()),
            req.headers(),
            &st.config.trusted_proxies,
        )
    });
    let route = req.match_pattern();
    req.extensions_mut().insert(RequestContext {
        id: id.clone(),
        client,
        route: route.clone(),
    });
    let method = req.method().clone();
    // Handlers' and extractors' errors arrive here as responses already; an `Err` would be a
    // middleware's own failure, which actix answers after us (the request must not be cloned
    // before routing, so there is no request to build that answer here).
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    if let Some(st) = st {
        let took = started.elapsed();
        let status = res.status();
        st.metrics.http_request(
            method_label(&method),
            route.as_deref().unwrap_or("unmatched"),
            status.as_u16(),
            took,
        );
        if let Some(kind) = ingest_kind(&method, route.as_deref()) {
            let outcome = if status.is_success() {
                if res.request().extensions().get::<IgnoredMarker>().is_some() {
                    "ignored"
                } else {
                    "ok"
                }
            } else if status.as_u16() == 503 {
                "busy"
            } else if status.is_client_error() {
                "rejected"
            } else {
                "failed"
            };
            st.metrics.ingest(kind, outcome, took);
        }
    }
    Ok(res)
}

/// Installs the global subscriber. Safe to call more than once (later calls do nothing), so tests
/// that build several applications in one process can call it freely.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _already_set = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use crate::test_log::Captured;

    use crate::{Application, Config};

    /// The store's blocking work logs inside the request's span: its line names the request id
    /// and the client address (the only test in this binary that installs a global subscriber:
    /// the blocking pool's threads log through the global one).
    #[actix_web::test]
    async fn store_log_lines_carry_the_request_id() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter("warn,live_server::telemetry=info,live_store=debug")
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first global subscriber");

        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db.sqlite").display().to_string();
        let config = Config::from_lookup(|k| match k {
            "PORT" => Some("0".to_owned()),
            "HTTP_WORKERS" => Some("1".to_owned()),
            "DATABASE_PATH" => Some(db.clone()),
            _ => None,
        })
        .expect("config");
        let app = Application::build(config).await.expect("app");
        let port = app.port();
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());

        let res = awc::Client::default()
            .post(format!("http://127.0.0.1:{port}/api/v1/admin/events"))
            .insert_header(("x-request-id", "rid-store-7"))
            .insert_header(("content-type", "application/json"))
            .send_body(r#"{"eventId":"log-test","mainTitle":"Log test"}"#)
            .await
            .expect("sent");
        assert_eq!(res.status().as_u16(), 201);
        assert_eq!(
            res.headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok()),
            Some("rid-store-7")
        );
        handle.shutdown().await;

        let text = captured.text();
        let writes: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["fields"]["message"] == "database write")
            .filter(|v| v["span"]["request_id"] == "rid-store-7")
            .collect();
        assert_eq!(writes.len(), 1, "{text}");
        let line = &writes[0];
        assert_eq!(line["target"], "live_store::store");
        assert_eq!(line["span"]["name"], "HTTP request");
        assert_eq!(line["span"]["client_ip"], "127.0.0.1");
        assert_eq!(line["fields"]["committed"], true);
    }
}
