//! `ApiError`: the one place where HTTP status codes are decided.
//!
//! Every failure of every route, extractor and actix default ends up here and leaves as the
//! contract's `{"error","message"}` body (§1.3) with `Cache-Control: no-store`. The `error` codes
//! are byte-exact upstream spellings, including the `NotFound` / `Not found` inconsistency.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE,
};
use actix_web::{HttpResponse, ResponseError};
use live_domain::bounds::echo;
use live_domain::{GuardError, LifecycleError};
use live_store::StoreError;
use serde_json::json;

/// The JSON content type of every API response.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Which 404 spelling a route uses (contract §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotFoundCode {
    /// `NotFound`: admin DELETE, status PATCH, ingest log, public routes.
    NotFound,
    /// `Not found`: config routes and unknown routes.
    NotFoundSpaced,
    /// `EventNotFound`: WebSocket admission.
    EventNotFound,
}

impl NotFoundCode {
    fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "NotFound",
            Self::NotFoundSpaced => "Not found",
            Self::EventNotFound => "EventNotFound",
        }
    }
}

/// Every error an API route can answer with.
#[derive(thiserror::Error)]
pub(crate) enum ApiError {
    /// 400 `Invalid request`: transport, validation and semantic checks.
    #[error("{0}")]
    BadRequest(String),
    /// 400 `InvalidTransition` with `currentStatus`, `requestedStatus`, `validTransitions`.
    #[error(transparent)]
    InvalidTransition(LifecycleError),
    /// 401 `Unauthorized`.
    #[error("{0}")]
    Unauthorized(String),
    /// 401 `Unauthorized` for `/metrics` with `METRICS_TOKEN` set, with `WWW-Authenticate: Bearer`.
    #[error("Missing or invalid Authorization header")]
    BearerUnauthorized,
    /// 403 `Forbidden`: the ingest state guard.
    #[error(transparent)]
    Forbidden(GuardError),
    /// 404 with the route's spelling.
    #[error("{message}")]
    NotFound {
        /// Which `error` code.
        code: NotFoundCode,
        /// The message.
        message: String,
    },
    /// 409 `Conflict`.
    #[error("Event already exists: {0}")]
    Conflict(String),
    /// 410 `EventOfficial` (WebSocket admission).
    #[error("Event results are official. No live updates available.")]
    Gone,
    /// 408 `Request Timeout`: a request body stopped arriving (DV41).
    #[error("Request body not received in time")]
    RequestTimeout,
    /// 413.
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// 415.
    #[error("Unsupported Media Type")]
    UnsupportedMediaType,
    /// 426 (WebSocket route without an upgrade).
    #[error("WebSocket upgrade required")]
    UpgradeRequired,
    /// 503 `ConnectionLimitReached` with `maxConnections` and `Retry-After: 5`.
    #[error("{message}")]
    ConnectionLimit {
        /// Per-event or global wording.
        message: String,
        /// The configured cap.
        max: usize,
        /// The per-event cap (else the global one).
        per_event: bool,
    },
    /// 429 `Too Many Requests`: a per-client limit of the WebSocket route, with `Retry-After`
    /// and, for the connection cap, `maxConnections`.
    #[error("{message}")]
    TooManyRequests {
        /// Which limit.
        message: &'static str,
        /// Seconds.
        retry_after: u64,
        /// `CLIENT_WS_MAX_CONNECTIONS` when that is the limit hit.
        max: Option<usize>,
    },
    /// 503 busy database, `Retry-After: 1`.
    #[error("Service temporarily unavailable")]
    Unavailable,
    /// 500: the cause goes to the logs; the body carries it unless `LIVE_ENV=production`
    /// (the production rewrite happens in `app::production_errors`).
    #[error("{0}")]
    Internal(String),
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl ApiError {
    /// 404 `NotFound` with `message`.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound {
            code: NotFoundCode::NotFound,
            message: message.into(),
        }
    }

    /// 404 `Not found` with `message`.
    pub(crate) fn not_found_spaced(message: impl Into<String>) -> Self {
        Self::NotFound {
            code: NotFoundCode::NotFoundSpaced,
            message: message.into(),
        }
    }

    /// 404 `NotFound` `Event not found: <eventId>`, the id cut to 64 characters (§1.8: a URL
    /// segment can be as long as the request head allows).
    pub(crate) fn event_not_found(event_id: &str) -> Self {
        Self::not_found(format!("Event not found: {}", echo(event_id)))
    }

    /// 404 `Not found` `Event not found: <eventId>` (config routes), the id cut to 64 characters.
    pub(crate) fn event_not_found_spaced(event_id: &str) -> Self {
        Self::not_found_spaced(format!("Event not found: {}", echo(event_id)))
    }

    /// The WebSocket admission 404.
    pub(crate) fn ws_not_found() -> Self {
        Self::NotFound {
            code: NotFoundCode::EventNotFound,
            message: "Event not found or not publicly available".to_owned(),
        }
    }

    /// The unknown-route 404.
    pub(crate) fn no_route() -> Self {
        Self::not_found_spaced("Resource not found")
    }

    /// The `reason` label of a refused WebSocket handshake (`live_ws_admissions_refused`).
    pub(crate) fn ws_refusal_reason(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Gone => "official",
            Self::UpgradeRequired => "upgrade_required",
            Self::ConnectionLimit {
                per_event: true, ..
            } => "event_full",
            Self::ConnectionLimit { .. } => "total_full",
            Self::TooManyRequests { max: Some(_), .. } => "client_connections",
            Self::TooManyRequests { .. } => "client_handshakes",
            Self::Unavailable => "unavailable",
            _ => "error",
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) | Self::UpgradeRequired => "Invalid request",
            Self::InvalidTransition(_) => "InvalidTransition",
            Self::Unauthorized(_) | Self::BearerUnauthorized => "Unauthorized",
            Self::TooManyRequests { .. } => "Too Many Requests",
            Self::Forbidden(_) => "Forbidden",
            Self::NotFound { code, .. } => code.as_str(),
            Self::Conflict(_) => "Conflict",
            Self::Gone => "EventOfficial",
            Self::RequestTimeout => "Request Timeout",
            Self::ConnectionLimit { .. } => "ConnectionLimitReached",
            Self::PayloadTooLarge
            | Self::UnsupportedMediaType
            | Self::Unavailable
            | Self::Internal(_) => "Internal error",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::InvalidTransition(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::BearerUnauthorized => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::UpgradeRequired => StatusCode::UPGRADE_REQUIRED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ConnectionLimit { .. } | Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({ "error": self.code(), "message": self.to_string() });
        match self {
            Self::InvalidTransition(LifecycleError::InvalidTransition { from, to }) => {
                body["currentStatus"] = json!(from);
                body["requestedStatus"] = json!(to);
                body["validTransitions"] = json!(from.valid_transitions());
            }
            Self::ConnectionLimit { max, .. } | Self::TooManyRequests { max: Some(max), .. } => {
                body["maxConnections"] = json!(max);
            }
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)))
            .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
        match self {
            Self::Unavailable => {
                res.insert_header((RETRY_AFTER, HeaderValue::from_static("1")));
            }
            Self::ConnectionLimit { .. } => {
                res.insert_header((RETRY_AFTER, HeaderValue::from_static("5")));
            }
            Self::TooManyRequests { retry_after, .. } => {
                res.insert_header((RETRY_AFTER, HeaderValue::from(*retry_after)));
            }
            Self::BearerUnauthorized => {
                res.insert_header((WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::Internal(cause) => tracing::error!(cause = %cause, "request failed"),
            _ => {}
        }
        res.body(body.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(id) => Self::Conflict(id),
            StoreError::Lifecycle(l) => Self::InvalidTransition(l),
            StoreError::Guard(g) => Self::Forbidden(g),
            StoreError::EventNotFound => Self::not_found("Event not found"),
            StoreError::Unstorable => Self::BadRequest(
                "Text fields must not contain the NUL character (\\u0000)".to_owned(),
            ),
            e if e.is_busy() => {
                tracing::warn!(error = %e, "database busy");
                Self::Unavailable
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<LifecycleError> for ApiError {
    fn from(e: LifecycleError) -> Self {
        Self::InvalidTransition(e)
    }
}

impl From<GuardError> for ApiError {
    fn from(e: GuardError) -> Self {
        Self::Forbidden(e)
    }
}
