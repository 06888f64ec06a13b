//! The application: shared state, the route table, middleware, start and graceful shutdown.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, web};
use live_rooms::{Rooms, RoomsConfig};
use live_store::{Backend, Store, StoreConfig};

use crate::client_limits::ClientLimiter;
use crate::cluster::Cluster;
use crate::cluster::bus::{Bus, BusConfig};
use crate::config::Config;
use crate::cors;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::routes;
use crate::services::ingest_log::{self, IngestLog};
use crate::services::live::OncourseTimers;
use crate::services::oncourse::Oncourse;
use crate::services::read_cache::ReadCache;
use crate::telemetry;

/// Everything a request handler may use. Built once, outside the `HttpServer::new` closure, and
/// cloned into every worker: a per-worker copy would split the rooms and the buffers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub(crate) store: Store,
    /// The configuration.
    pub(crate) config: Arc<Config>,
    /// Buffered ingest-log entries.
    pub(crate) ingest_log: IngestLog,
    /// Riders on course, per event (memory only).
    pub(crate) oncourse: Oncourse,
    /// On-course expiry timers, one per event.
    pub(crate) timers: OncourseTimers,
    /// The WebSocket rooms.
    pub(crate) rooms: Rooms,
    /// Encoded public answers, valid until the next write.
    pub(crate) read_cache: ReadCache,
    /// Everything `/metrics` exposes.
    pub(crate) metrics: Arc<Metrics>,
    /// Per-client-address WebSocket limits.
    pub(crate) client_limits: Arc<ClientLimiter>,
    /// Cluster mode (`NATS_URL`): the frame bus and this instance's follower; `None` on a
    /// single node.
    pub(crate) cluster: Option<Cluster>,
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

/// A handle on a running [`Application`]: stops it (closes every WebSocket room, finishes
/// in-flight requests for at most 10 s, flushes the ingest log) and reads its room counters.
#[derive(Debug, Clone)]
pub struct AppHandle {
    server: ServerHandle,
    rooms: Rooms,
}

impl AppHandle {
    /// Stops gracefully: every WebSocket is closed with 1001 first (open sockets would otherwise
    /// hold the HTTP server's graceful stop for its whole timeout), then in-flight requests
    /// finish. `run_until_stopped` returns when it is complete.
    pub async fn shutdown(&self) {
        self.rooms.shutdown();
        self.server.stop(true).await;
    }

    /// The WebSocket counters (connections, rooms, connection tasks, lock waiters), for health
    /// checks and leak tests.
    pub fn room_stats(&self) -> live_rooms::RoomStats {
        self.rooms.stats()
    }

    /// Takes event `event_id`'s write lock, the one every write, status change and WebSocket
    /// admission of that event holds: while the returned lock lives, those requests queue, and
    /// they get the lock in the order they asked for it. For tests that need concurrent requests
    /// in a deterministic order (with [`live_rooms::RoomStats::lock_waiters`] to see them queue).
    pub async fn lock_event(&self, event_id: &str) -> live_rooms::EventLock {
        self.rooms.lock(event_id).await
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The store's configuration: `DATABASE_URL` (PostgreSQL) or the SQLite file.
fn store_config(config: &Config) -> StoreConfig {
    let base = match &config.postgres_url {
        Some(url) => StoreConfig {
            write_pool_size: config.database_write_pool,
            ..StoreConfig::postgres(url.expose())
        },
        None => StoreConfig::sqlite(config.database_path.clone()),
    };
    StoreConfig {
        read_pool_size: 4,
        sequence_in_db: config.sequence_in_db,
        ..base
    }
}

impl Application {
    /// Opens the database (creating and migrating it), connects to NATS in cluster mode (in the
    /// background: an unreachable NATS does not stop the start) and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::open(&store_config(&config))?;
        let cluster = match &config.nats {
            Some(nats) => {
                let bus = Bus::connect(BusConfig {
                    url: nats.url.clone(),
                    stream: nats.stream.clone(),
                    subject_prefix: nats.subject_prefix.clone(),
                    max_frames_per_event: i64::try_from(config.rooms.resume_frames)
                        .unwrap_or(i64::MAX),
                    max_age: config.rooms.resume_age,
                    publish_timeout: nats.publish_timeout,
                })
                .await?;
                Some(Cluster::new(bus, config.cluster))
            }
            None => None,
        };
        let listener = bind(&config)?;
        let port = listener.local_addr()?.port();
        let oncourse = Oncourse::new(config.oncourse_ttl);
        let r = &config.rooms;
        let rooms = Rooms::new(RoomsConfig {
            max_per_event: r.max_per_event,
            max_total: r.max_total,
            ping_interval: r.ping_interval,
            pong_timeout: r.pong_timeout,
            send_queue: r.send_queue,
            send_timeout: r.send_timeout,
            resume_frames: r.resume_frames,
            resume_age: r.resume_age,
        });
        let client_limits = Arc::new(ClientLimiter::new(config.client_limits.clone()));
        let metrics = Arc::new(Metrics::new(rooms.clone(), Arc::clone(&client_limits)));
        let store = store.with_write_observer(metrics.db());
        let state = AppState {
            store,
            metrics,
            client_limits,
            oncourse,
            timers: OncourseTimers::default(),
            rooms,
            read_cache: ReadCache::default(),
            config: Arc::new(config),
            ingest_log: IngestLog::default(),
            cluster,
        };
        let workers = state.config.workers;
        // The built-in spectator page, unless CLIENT_DIST_PATH names another app (contract §1.7).
        let own_page = state.config.client_dist_path.is_none();
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                // Innermost first: the log sees the handler's own error; CORS headers are added
                // last so they survive the production rewrite of a 500. `observe` is outermost:
                // the request id and client address exist before the root span is built, and
                // it counts (and stamps `X-Request-Id` on) every answer.
                .wrap(from_fn(ingest_log::record))
                .wrap(from_fn(production_errors))
                .wrap(from_fn(cors::public_cors))
                .wrap(tracing_actix_web::TracingLogger::<telemetry::RootSpan>::new())
                .wrap(from_fn(telemetry::observe))
                // Outermost: the request payload outlives the whole response (see `unread.rs`).
                .wrap(from_fn(crate::unread::close_unread))
                .configure(routes::configure)
                .configure(|cfg| {
                    if own_page {
                        crate::page::configure(cfg);
                    }
                })
                .default_service(web::to(routes::spa::fallback))
        })
        .workers(workers)
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The bound port (useful with `PORT=0`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server gracefully.
    pub fn handle(&self) -> AppHandle {
        AppHandle {
            server: self.server.handle(),
            rooms: self.state.rooms.clone(),
        }
    }

    /// Serves until a shutdown completes, then flushes the ingest log.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self { server, state, .. } = self;
        let flusher = state
            .ingest_log
            .spawn_flusher(state.store.clone(), Duration::from_secs(1));
        // WAL checkpoints are SQLite's; PostgreSQL manages its own.
        let checkpointer = (state.store.backend() == Backend::Sqlite)
            .then(|| state.store.spawn_checkpointer(Duration::from_secs(1)));
        let reporter = crate::stats::spawn_reporter(state.rooms.clone(), Duration::from_mins(1));
        let backups = state.config.backup.clone().map(|schedule| {
            crate::backup::spawn_scheduler(state.config.database_path.clone(), schedule)
        });
        let follower = state
            .cluster
            .clone()
            .map(|cluster| crate::cluster::spawn_follower(state.clone(), cluster));
        let result = server.await;
        if let Some(follower) = follower {
            follower.abort();
        }
        if let Some(backups) = backups {
            backups.abort();
        }
        flusher.abort();
        if let Some(checkpointer) = checkpointer {
            checkpointer.abort();
        }
        reporter.abort();
        state.ingest_log.flush(&state.store).await;
        result
    }
}

/// Binds the listening socket with a fixed kernel send buffer, which every accepted connection
/// inherits. Without it Linux auto-tunes each socket's send buffer up to `tcp_wmem`'s maximum
/// (4 MiB here): a spectator that stops reading would park megabytes in the kernel before its
/// writes ever stalled, so the rooms' bounded queue (contract §6.7) and the send timeout would
/// only engage after that. With `TCP_SEND_BUFFER` (64 KiB by default) a stalled socket is
/// noticed after tens of kilobytes.
///
/// Every connection also inherits `TCP_USER_TIMEOUT` = `WS_SEND_TIMEOUT_SECS`: the kernel aborts
/// a connection whose sent data stays unacknowledged, or whose peer keeps its window shut, that
/// long. Without it a peer that stops reading but keeps answering window probes holds its socket
/// (and everything queued for it) forever: when the rooms drop such a spectator, actix-http keeps
/// waiting to flush the response, and RFC 1122 keeps the connection open as long as probes are
/// answered.
fn bind(config: &Config) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr = std::net::SocketAddr::new(config.host, config.port);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_send_buffer_size(config.tcp_send_buffer)?;
    socket.set_tcp_user_timeout(Some(config.rooms.send_timeout))?;
    socket.bind(&addr.into())?;
    socket.listen(2048)?;
    Ok(socket.into())
}

/// In production, a 500 never carries the failure's text (contract §1.3); it is logged instead.
async fn production_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let production = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|st| st.config.production);
    let res = next.call(req).await?.map_into_boxed_body();
    if production && res.status().is_server_error() && res.status().as_u16() == 500 {
        let generic: HttpResponse =
            ApiError::Internal("An unexpected error occurred".to_owned()).error_response();
        return Ok(res.into_response(generic));
    }
    Ok(res)
}
