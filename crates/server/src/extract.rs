//! Extractors: authentication in the handler's signature, then the body (contract §1.1, §1.5).
//!
//! The order is the contract's: authentication (401) → transport (413, 415, 400 JSON) →
//! validation (400). It lives in ONE extractor, [`Validated`], because actix polls a handler's
//! extractors concurrently: a separate body extractor could answer 415 before a pending key
//! lookup answered 401, and strangers must not get their bodies parsed (DV35).

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use bytes::BytesMut;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use live_domain::EventRef;
use live_domain::time::{format_rfc3339_ms, now};

use crate::app::AppState;
use crate::error::ApiError;

/// What the ingest-log middleware learns while a request is handled: which event the key
/// belongs to, how many body bytes were read and how many items were parsed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LogContext {
    /// Internal id of the key's event, once the key was recognised.
    pub(crate) event_pk: Option<i32>,
    /// Body bytes read (used when there is no `Content-Length`).
    pub(crate) bytes: Option<u64>,
    /// Elements received, once the body was parsed.
    pub(crate) items: Option<u64>,
}

fn update_log(req: &HttpRequest, f: impl FnOnce(&mut LogContext)) {
    let mut ext = req.extensions_mut();
    let mut ctx = ext.get::<LogContext>().copied().unwrap_or_default();
    f(&mut ctx);
    ext.insert(ctx);
}

/// Marks a 2xx answer as `ignored` in the ingest log (JSON feed before any XML).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IgnoredMarker;

/// Records that the request was answered `ignored`.
pub(crate) fn mark_ignored(req: &HttpRequest) {
    req.extensions_mut().insert(IgnoredMarker);
}

/// Records how many items the body carried (for the ingest log).
pub(crate) fn record_items(req: &HttpRequest, items: u64) {
    update_log(req, |c| c.items = Some(items));
}

/// The single value of header `name`; missing, empty or repeated counts as absent (§1.1).
fn single_header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    let mut values = req.headers().get_all(name);
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    first.to_str().ok().filter(|v| !v.is_empty())
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))
}

/// Checks `X-Master-Key` (§2.1). Open when no master keys are configured.
fn check_master(req: &HttpRequest, st: &AppState) -> Result<(), ApiError> {
    if st.config.master_keys.is_empty() {
        return Ok(());
    }
    match single_header(req, "x-master-key") {
        None => Err(ApiError::Unauthorized(
            "Missing or invalid X-Master-Key header".to_owned(),
        )),
        Some(k) if st.config.master_keys.matches(k) => Ok(()),
        Some(_) => Err(ApiError::Unauthorized("Invalid master key".to_owned())),
    }
}

/// Looks up `X-API-Key` and checks the key's validity window (§2.2). Records the key's event for
/// the ingest log as soon as the key is recognised, so a window or mismatch 401 is logged too.
///
/// `lenient` (the master-or-key routes only): a window bound that cannot be read back is not
/// enforced, so such an event stays deletable with its own key (§1.8); elsewhere it is a 500.
async fn check_event_key(
    req: &HttpRequest,
    st: &AppState,
    lenient: bool,
) -> Result<EventRef, ApiError> {
    let Some(key) = single_header(req, "x-api-key") else {
        return Err(ApiError::Unauthorized(
            "Missing or invalid X-API-Key header".to_owned(),
        ));
    };
    let lookup = if lenient {
        st.store.event_by_key_lenient(key.to_owned()).await
    } else {
        st.store.event_by_key(key.to_owned()).await
    };
    let event = lookup?.ok_or_else(|| ApiError::Unauthorized("Invalid API key".to_owned()))?;
    update_log(req, |c| c.event_pk = Some(event.pk));
    let t = now();
    if let Some(from) = event.key_valid_from.filter(|from| t < *from) {
        return Err(ApiError::Unauthorized(format!(
            "Key not yet valid. Valid from {}",
            format_rfc3339_ms(from)
        )));
    }
    if let Some(until) = event.key_valid_until.filter(|until| t > *until) {
        return Err(ApiError::Unauthorized(format!(
            "Key expired on {}",
            format_rfc3339_ms(until)
        )));
    }
    Ok(event)
}

/// The `:eventId` path segment (percent-decoded by the router).
pub(crate) fn path_event_id(req: &HttpRequest) -> String {
    req.match_info()
        .get("eventId")
        .unwrap_or_default()
        .to_owned()
}

/// How a route authenticates.
pub(crate) trait Authenticate: Sized {
    /// Runs the route's authentication.
    fn authenticate(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>>;
}

/// Authenticated by a master key (or open admin).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MasterKey;

impl Authenticate for MasterKey {
    fn authenticate(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>> {
        Box::pin(async move {
            let st = state(&req)?;
            check_master(&req, &st)?;
            Ok(Self)
        })
    }
}

/// Authenticated by an event API key; carries the key's event.
#[derive(Debug, Clone)]
pub(crate) struct EventKey(pub(crate) EventRef);

impl Authenticate for EventKey {
    fn authenticate(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>> {
        Box::pin(async move {
            let st = state(&req)?;
            Ok(Self(check_event_key(&req, &st, false).await?))
        })
    }
}

/// Master key, or the API key of the URL's event (§2.3). Carries the URL's event when it was
/// looked up (API-key path), `None` when the master key (or open admin) authorised.
#[derive(Debug, Clone)]
pub(crate) struct MasterOrEventKey(pub(crate) Option<EventRef>);

impl Authenticate for MasterOrEventKey {
    fn authenticate(req: HttpRequest) -> LocalBoxFuture<'static, Result<Self, ApiError>> {
        Box::pin(async move {
            let st = state(&req)?;
            if st.config.master_keys.is_empty() || single_header(&req, "x-master-key").is_some() {
                check_master(&req, &st)?;
                return Ok(Self(None));
            }
            if single_header(&req, "x-api-key").is_none() {
                return Err(ApiError::Unauthorized(
                    "Missing or invalid X-Master-Key header".to_owned(),
                ));
            }
            let key_event = check_event_key(&req, &st, true).await?;
            let url_id = path_event_id(&req);
            let Some(url_event) = st.store.event_by_id(url_id.clone()).await? else {
                return Err(ApiError::event_not_found(&url_id));
            };
            if url_event.pk != key_event.pk {
                return Err(ApiError::Unauthorized(
                    "API key does not match event".to_owned(),
                ));
            }
            Ok(Self(Some(url_event)))
        })
    }
}

macro_rules! authenticate_extractor {
    ($($t:ty),*) => {$(
        impl FromRequest for $t {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                <$t as Authenticate>::authenticate(req.clone())
            }
        }
    )*};
}
authenticate_extractor!(MasterKey, EventKey, MasterOrEventKey);

/// Which body limit a request type is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLimit {
    /// `JSON_BODY_LIMIT`.
    Json,
    /// `XML_BODY_LIMIT`.
    Xml,
}

/// A request body type: parsed from a JSON value with the contract's first-violation message.
pub(crate) trait RequestBody: Sized {
    /// The limit the body is read under.
    const LIMIT: BodyLimit = BodyLimit::Json;

    /// Validates and converts; the error is the §1.4 message.
    fn parse(value: &serde_json::Value) -> Result<Self, String>;

    /// Elements received, for the ingest log; `None` when only later processing knows (XML).
    fn items(&self) -> Option<u64> {
        Some(1)
    }
}

/// Authentication `K`, then a body `T` read, checked and validated in the contract's order.
#[derive(Debug)]
pub(crate) struct Validated<K, T> {
    /// The authentication result.
    pub(crate) key: K,
    /// The validated body.
    pub(crate) body: T,
}

impl<K, T> FromRequest for Validated<K, T>
where
    K: Authenticate + 'static,
    T: RequestBody + 'static,
{
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let key = K::authenticate(req.clone()).await?;
            let st = state(&req)?;
            let limit = match T::LIMIT {
                BodyLimit::Json => st.config.json_body_limit,
                BodyLimit::Xml => st.config.xml_body_limit,
            };
            let value = read_json(&req, payload, limit).await?;
            let body = T::parse(&value).map_err(ApiError::BadRequest)?;
            if let Some(items) = body.items() {
                record_items(&req, items);
            }
            Ok(Self { key, body })
        })
    }
}

/// The body size a request declares in `Content-Length`, if any.
fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads a body under `limit` (413 on `Content-Length` and while reading) and the body timeouts
/// of §1.1 (DV41): no byte for `BODY_IDLE_TIMEOUT_SECS`, or the body not complete
/// `BODY_TIMEOUT_SECS` after reading began → 408. Before DV41 a body that trickled one byte every
/// few seconds held its connection forever; 300 of them exhausted the file descriptors. The
/// connection of a body left unread is closed after the answer (see `unread.rs`).
pub(crate) async fn read_limited(
    req: &HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<BytesMut, ApiError> {
    let config = &state(req)?.config;
    let (idle, whole) = (config.body_idle_timeout, config.body_timeout);
    let declared = declared_length(req);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| usize::try_from(n).unwrap_or(0)));
    let mut read = 0u64;
    let deadline = tokio::time::Instant::now() + whole;
    loop {
        let wait_until = deadline.min(tokio::time::Instant::now() + idle);
        let Ok(next) = tokio::time::timeout_at(wait_until, payload.next()).await else {
            update_log(req, |c| c.bytes = Some(read));
            return Err(ApiError::RequestTimeout);
        };
        let Some(chunk) = next else {
            break;
        };
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("Error reading body: {e}")))?;
        read += chunk.len() as u64;
        if buf.len() + chunk.len() > limit {
            update_log(req, |c| c.bytes = Some(read));
            return Err(ApiError::PayloadTooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    update_log(req, |c| c.bytes = Some(read));
    Ok(buf)
}

/// Whether a `Content-Type` value is `application/json` (parameters allowed, case-insensitive).
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads and parses a JSON body: 413, then 415 (encoding, media type), then the 400s of §1.1.
async fn read_json(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<serde_json::Value, ApiError> {
    let encoding = req
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?"));
    let body = read_limited(req, payload, limit).await?;
    if encoding.is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity")) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?"));
    let json = content_type.is_some_and(is_json);
    if body.is_empty() {
        return Err(ApiError::BadRequest(if json {
            "Body cannot be empty when content-type is set to 'application/json'".to_owned()
        } else {
            "body must be object".to_owned()
        }));
    }
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    serde_json::from_slice(&body).map_err(|_| {
        ApiError::BadRequest(
            "Body is not valid JSON but content-type is set to 'application/json'".to_owned(),
        )
    })
}

/// For routes without a body (GET, HEAD, DELETE): the body and its `Content-Type` are ignored,
/// but the size limit still applies to its `Content-Length` (§1.1). The body is never read:
/// dropping it makes the answer carry `Connection: close` and the connection close after it
/// (DV41), instead of waiting for bytes the route does not use.
pub(crate) fn ignore_body(req: &HttpRequest, payload: Payload) -> Result<(), ApiError> {
    drop(payload);
    let limit = state(req)?.config.json_body_limit;
    if declared_length(req).is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(())
}

/// A marker so handlers can name "no body, but enforce the limit" in their signature.
#[derive(Debug)]
pub(crate) struct NoBody<K>(pub(crate) K);

impl<K: Authenticate + 'static> FromRequest for NoBody<K> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let key = K::authenticate(req.clone()).await?;
            ignore_body(&req, payload)?;
            Ok(Self(key))
        })
    }
}
