//! `GET /metrics`: the Prometheus text format (0.0.4) through `prometheus-client`. Every metric
//! is listed, with what to watch, in docs/RUNBOOK.md ("Metrics").
//!
//! Two sources:
//! - metrics the server updates itself — HTTP requests, ingest requests, refused WebSocket
//!   handshakes, database writes — are `prometheus-client` families, touched once per request
//!   (a read lock and a hash lookup, never on the per-frame path);
//! - the rooms' counters (frames, resyncs, resumes, disconnects, fan-out time, connections per
//!   event) and the per-client limiter's table size are read at scrape time by
//!   [`LiveCollector`] from live-rooms' own atomics, so the fan-out path never sees this crate.
//!
//! Connections per event are labelled by `event_id` for the [`EVENT_LABELS`] busiest rooms with
//! at least one socket; the rest are summed under `event_id="other"`. A room that empties
//! disappears from the next scrape, so the label set stays bounded however many events exist.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use live_rooms::Rooms;
use live_store::{WriteObserver, WriteTiming};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::client_limits::ClientLimiter;
use crate::error::ApiError;

/// Events labelled by id in `live_ws_event_connections`; the rest are `other`.
pub(crate) const EVENT_LABELS: usize = 20;

/// Buckets (seconds) of the request and database histograms.
const SECONDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn seconds_histogram() -> Histogram {
    Histogram::new(SECONDS)
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestLabels {
    r#type: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestTypeLabels {
    r#type: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommittedLabels {
    outcome: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The server's metrics and the registry that exposes them. Built once per application.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_seconds: HistogramFamily<RouteLabels>,
    ingest_requests: Family<IngestLabels, Counter>,
    ingest_seconds: HistogramFamily<IngestTypeLabels>,
    ws_refused: Family<ReasonLabels, Counter>,
    db: Arc<DbMetrics>,
    cluster: ClusterMetrics,
}

/// Cluster mode's frame traffic (all zero on a single node).
#[derive(Debug, Default)]
pub(crate) struct ClusterMetrics {
    published: Counter,
    publish_failed: Counter,
    gaps_filled: Family<ReasonLabels, Counter>,
}

impl ClusterMetrics {
    /// A committed frame taken by the stream.
    pub(crate) fn published(&self) {
        self.published.inc();
    }

    /// A committed frame the stream did not take (NATS down or slow).
    pub(crate) fn publish_failed(&self) {
        self.publish_failed.inc();
    }

    /// A room's gap closed with the missing frames read back from the stream.
    pub(crate) fn gap_filled_from_stream(&self) {
        self.gaps_filled
            .get_or_create(&ReasonLabels { reason: "stream" })
            .inc();
    }

    /// A room jumped to the database's position with one `full` or `refresh`.
    pub(crate) fn resynced_from_db(&self) {
        self.gaps_filled
            .get_or_create(&ReasonLabels { reason: "database" })
            .inc();
    }
}

/// Database write timings; the store reports to it ([`WriteObserver`]).
#[derive(Debug)]
pub(crate) struct DbMetrics {
    write_seconds: HistogramFamily<CommittedLabels>,
    wait_seconds: Histogram,
}

impl WriteObserver for DbMetrics {
    fn write_finished(&self, timing: WriteTiming) {
        let outcome = if timing.committed {
            "committed"
        } else {
            "rolled_back"
        };
        self.write_seconds
            .get_or_create(&CommittedLabels { outcome })
            .observe(timing.ran.as_secs_f64());
        self.wait_seconds.observe(timing.waited.as_secs_f64());
    }
}

impl Metrics {
    /// Registers every metric; the rooms and the limiter are read at each scrape.
    pub(crate) fn new(rooms: Rooms, limiter: Arc<ClientLimiter>) -> Self {
        let mut registry = Registry::with_prefix("live");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template (\"unmatched\" for no route) and status",
            http_requests.clone(),
        );
        let http_seconds = HistogramFamily::new_with_constructor(seconds_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time to the response head, by route template",
            http_seconds.clone(),
        );
        let ingest_requests = Family::<IngestLabels, Counter>::default();
        registry.register(
            "ingest_requests",
            "Booth ingest requests by type (xml, results, oncourse) and outcome (ok, ignored, rejected = 4xx, busy = 503, failed = 5xx)",
            ingest_requests.clone(),
        );
        let ingest_seconds = HistogramFamily::new_with_constructor(seconds_histogram as fn() -> _);
        registry.register(
            "ingest_duration_seconds",
            "Booth ingest request duration (authentication to response, commit and publish included), by type",
            ingest_seconds.clone(),
        );
        let ws_refused = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "ws_admissions_refused",
            "WebSocket handshakes refused, by reason",
            ws_refused.clone(),
        );
        let db = Arc::new(DbMetrics {
            write_seconds: HistogramFamily::new_with_constructor(seconds_histogram as fn() -> _),
            wait_seconds: seconds_histogram(),
        });
        registry.register(
            "db_write_duration_seconds",
            "SQLite write transactions (BEGIN IMMEDIATE to COMMIT), by outcome",
            db.write_seconds.clone(),
        );
        registry.register(
            "db_write_wait_seconds",
            "Wait for the single writer connection before a write transaction",
            db.wait_seconds.clone(),
        );
        let cluster = ClusterMetrics::default();
        registry.register(
            "cluster_frames_published",
            "Frames this instance committed and NATS JetStream acknowledged (cluster mode)",
            cluster.published.clone(),
        );
        registry.register(
            "cluster_frames_publish_failed",
            "Frames this instance committed that NATS did not acknowledge in time; the other instances recover them from the database (cluster mode)",
            cluster.publish_failed.clone(),
        );
        registry.register(
            "cluster_gaps_filled",
            "Gaps in a room's sequence closed, by how: stream (missing frames read back) or database (one full or refresh at the stored seq)",
            cluster.gaps_filled.clone(),
        );
        registry.register(
            "build",
            "Build of the running server",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION")),
                (
                    "profile",
                    if cfg!(debug_assertions) {
                        "debug"
                    } else {
                        "release"
                    },
                ),
            ]),
        );
        registry.register_collector(Box::new(LiveCollector { rooms, limiter }));
        Self {
            registry,
            http_requests,
            http_seconds,
            ingest_requests,
            ingest_seconds,
            ws_refused,
            db,
            cluster,
        }
    }

    /// Cluster mode's counters.
    pub(crate) fn cluster(&self) -> &ClusterMetrics {
        &self.cluster
    }

    /// The store's write observer.
    pub(crate) fn db(&self) -> Arc<DbMetrics> {
        Arc::clone(&self.db)
    }

    /// One answered HTTP request.
    pub(crate) fn http_request(
        &self,
        method: &'static str,
        route: &str,
        status: u16,
        took: Duration,
    ) {
        self.http_requests
            .get_or_create(&HttpLabels {
                method,
                route: route.to_owned(),
                status,
            })
            .inc();
        self.http_seconds
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// One booth ingest request.
    pub(crate) fn ingest(&self, kind: &'static str, outcome: &'static str, took: Duration) {
        self.ingest_requests
            .get_or_create(&IngestLabels {
                r#type: kind,
                outcome,
            })
            .inc();
        self.ingest_seconds
            .get_or_create(&IngestTypeLabels { r#type: kind })
            .observe(took.as_secs_f64());
    }

    /// One refused WebSocket handshake.
    pub(crate) fn ws_refused(&self, reason: &'static str) {
        self.ws_refused
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// The exposition text.
    pub(crate) fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::with_capacity(16 * 1024);
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Reads the rooms' and the limiter's state at scrape time.
#[derive(Debug)]
struct LiveCollector {
    rooms: Rooms,
    limiter: Arc<ClientLimiter>,
}

/// A histogram from already-aggregated buckets.
#[derive(Debug)]
struct ConstHistogram(live_rooms::HistogramSnapshot);

impl EncodeMetric for ConstHistogram {
    fn encode(&self, mut encoder: MetricEncoder<'_>) -> Result<(), std::fmt::Error> {
        encoder.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
            self.0.sum,
            self.0.count,
            &self.0.buckets,
            None,
        )
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn counter(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let c = ConstCounter::new(value);
    c.encode(encoder.encode_descriptor(name, help, None, c.metric_type())?)
}

fn gauge(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    value: usize,
) -> Result<(), std::fmt::Error> {
    let g = ConstGauge::new(as_i64(value));
    g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)
}

fn labelled_counters(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    label: &'static str,
    series: &[(&'static str, u64)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (value, n) in series {
        ConstCounter::new(*n).encode(family.encode_family(&[(label, *value)])?)?;
    }
    Ok(())
}

impl Collector for LiveCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let stats = self.rooms.stats();
        let m = self.rooms.metrics();
        let e = &mut encoder;
        gauge(
            e,
            "ws_connections",
            "Open WebSocket connections, all events",
            stats.connections,
        )?;
        {
            let mut family = e.encode_descriptor(
                "ws_event_connections",
                "Open WebSocket connections per event (the busiest rooms by id, the rest as \"other\")",
                None,
                MetricType::Gauge,
            )?;
            let mut other = 0;
            for (i, (event_id, n)) in m.connections_by_event.iter().enumerate() {
                if i < EVENT_LABELS {
                    ConstGauge::new(as_i64(*n))
                        .encode(family.encode_family(&[("event_id", event_id.as_str())])?)?;
                } else {
                    other += n;
                }
            }
            if m.connections_by_event.len() > EVENT_LABELS {
                ConstGauge::new(as_i64(other))
                    .encode(family.encode_family(&[("event_id", "other")])?)?;
            }
        }
        gauge(
            e,
            "ws_rooms",
            "Events with at least one open WebSocket",
            stats.rooms,
        )?;
        gauge(
            e,
            "ws_connection_tasks",
            "Running connection tasks (equals ws_connections; a growing gap is a leak)",
            stats.tasks,
        )?;
        counter(
            e,
            "ws_connections_opened",
            "WebSocket connections admitted since start",
            m.connections_opened,
        )?;
        labelled_counters(
            e,
            "ws_frames_sent",
            "Frames written to WebSocket clients, by type",
            "type",
            &m.frames_sent,
        )?;
        labelled_counters(
            e,
            "ws_resyncs",
            "Slow spectators resynchronised, by the frame they got (refresh, full)",
            "frame",
            &m.resyncs,
        )?;
        labelled_counters(
            e,
            "ws_resumes",
            "Reconnects with since=, by what they got (ring = the missed frames, full = a full resync)",
            "served",
            &m.resumes,
        )?;
        labelled_counters(
            e,
            "ws_disconnects",
            "WebSocket connections ended, by reason (write_stalled = slow spectator dropped, no_pong = dead peer)",
            "reason",
            &m.disconnects,
        )?;
        let h = ConstHistogram(m.fanout);
        h.encode(e.encode_descriptor(
            "ws_fanout_seconds",
            "From a frame's publish (right after its commit) to its last write to any spectator",
            None,
            h.metric_type(),
        )?)?;
        gauge(
            e,
            "client_limit_addresses",
            "Client addresses tracked by the per-client WebSocket limits",
            self.limiter.tracked(),
        )
    }
}

/// `GET /metrics` (and HEAD): the exposition text; with `METRICS_TOKEN` set, only for
/// `Authorization: Bearer <token>`.
pub(crate) async fn get(
    st: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &st.config.metrics_token {
        let presented = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !token.accepts(presented) {
            return Err(ApiError::BearerUnauthorized);
        }
    }
    let text = st
        .metrics
        .encode()
        .map_err(|e| ApiError::Internal(format!("cannot encode metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
        ))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(text))
}
