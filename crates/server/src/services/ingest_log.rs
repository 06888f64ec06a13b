//! The ingest-log buffer and the middleware that fills it (DV26, contract §4.8).
//!
//! Writing the log must never delay or fail the logged request, and a rejected request must not
//! change any table but the log. So entries are buffered in memory and a background task writes
//! them in batches (at least once a second); `GET …/ingest-log` and shutdown flush first, so a
//! reader always sees every completed request.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use live_domain::bounds::{LOG_ERROR_MAX_CHARS, shorten};
use live_domain::ingest_log::{LogKind, LogOutcome, NewLogEntry};
use live_domain::time::{format_rfc3339_ms, now};
use live_store::Store;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{IgnoredMarker, LogContext};

/// Entries waiting to be written.
#[derive(Debug, Clone, Default)]
pub(crate) struct IngestLog {
    pending: Arc<Mutex<Vec<NewLogEntry>>>,
    /// Serialises flushes so entries are written in the order they were buffered.
    flushing: Arc<tokio::sync::Mutex<()>>,
}

impl IngestLog {
    /// Buffers an entry; never blocks on the database.
    pub(crate) fn push(&self, entry: NewLogEntry) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    /// Writes everything buffered so far. A failed write is logged and its entries dropped:
    /// the log is diagnostics, and retrying forever would grow memory without bound.
    pub(crate) async fn flush(&self, store: &Store) {
        let _order = self.flushing.lock().await;
        let batch =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if batch.is_empty() {
            return;
        }
        let n = batch.len();
        if let Err(e) = store.append_ingest_log(batch).await {
            tracing::warn!(error = %e, entries = n, "ingest log entries dropped");
        }
    }

    /// Flushes every `period` until the returned task is aborted.
    pub(crate) fn spawn_flusher(
        &self,
        store: Store,
        period: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let log = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                log.flush(&store).await;
            }
        })
    }
}

/// Which logged route a request is, if any (contract §4.8: status, config and the three ingests).
fn classify(method: &Method, pattern: Option<&str>) -> Option<LogKind> {
    match (method.as_str(), pattern?) {
        ("POST", "/api/v1/ingest/xml") => Some(LogKind::Xml),
        ("POST", "/api/v1/ingest/oncourse") => Some(LogKind::JsonOncourse),
        ("POST", "/api/v1/ingest/results") => Some(LogKind::JsonResults),
        ("PATCH", "/api/v1/admin/events/{eventId}/status") => Some(LogKind::Status),
        ("PATCH", "/api/v1/admin/events/{eventId}/config") => Some(LogKind::Config),
        _ => None,
    }
}

/// Middleware: logs every request of a logged route whose API key belongs to an event.
pub(crate) async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let Some(kind) = classify(req.method(), crate::telemetry::route_of(&req).as_deref()) else {
        return next.call(req).await;
    };
    let started = Instant::now();
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let res = next.call(req).await?;
    let ctx = res
        .request()
        .extensions()
        .get::<LogContext>()
        .copied()
        .unwrap_or_default();
    let Some(event_pk) = ctx.event_pk else {
        return Ok(res);
    };
    let status = res.status();
    let outcome = if !status.is_success() {
        LogOutcome::Error
    } else if res.request().extensions().get::<IgnoredMarker>().is_some() {
        LogOutcome::Ignored
    } else {
        LogOutcome::Success
    };
    // Stored cut to 1 024 characters (§1.8): before DV41 a 9 MB echo became a 9 MB row, and it
    // is cut here, before it is buffered.
    let error = (outcome == LogOutcome::Error).then(|| {
        let message = res.response().error().map_or_else(
            || status.canonical_reason().unwrap_or("error").to_owned(),
            |e| {
                e.as_error::<ApiError>()
                    .map_or_else(|| e.to_string(), ToString::to_string)
            },
        );
        match shorten(&message, LOG_ERROR_MAX_CHARS) {
            Cow::Borrowed(_) => message,
            Cow::Owned(short) => short,
        }
    });
    let entry = NewLogEntry {
        event_pk,
        kind,
        outcome,
        http_status: status.as_u16(),
        bytes: declared.or(ctx.bytes).unwrap_or(0),
        items: ctx.items.unwrap_or(0),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        error,
        created_at: format_rfc3339_ms(now()),
    };
    if let Some(st) = res.request().app_data::<web::Data<AppState>>() {
        st.ingest_log.push(entry);
    }
    Ok(res)
}
