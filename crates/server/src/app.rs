//! The application: shared state, the route table, middleware, start and graceful shutdown.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, web};
use live_store::{Store, StoreConfig};

use crate::config::Config;
use crate::error::ApiError;
use crate::routes;
use crate::services::ingest_log::{self, IngestLog};

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
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

/// Stops a running [`Application`]: closes every WebSocket room, finishes in-flight requests
/// (at most 10 s), flushes the ingest log.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    server: ServerHandle,
}

impl ShutdownHandle {
    /// Begins a graceful stop; `run_until_stopped` returns when it is complete.
    pub async fn shutdown(&self) {
        self.server.stop(true).await;
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens the database (creating and migrating it) and binds the listener.
    pub fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::open(&StoreConfig {
            path: config.database_path.clone(),
            read_pool_size: 4,
        })?;
        let listener = TcpListener::bind((config.host, config.port))?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            store,
            config: Arc::new(config),
            ingest_log: IngestLog::default(),
        };
        let workers = state.config.workers;
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(from_fn(ingest_log::record))
                .wrap(from_fn(production_errors))
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(routes::configure)
                .default_service(web::to(routes::no_route))
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
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            server: self.server.handle(),
        }
    }

    /// Serves until a shutdown completes, then flushes the ingest log.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self { server, state, .. } = self;
        let flusher = state
            .ingest_log
            .spawn_flusher(state.store.clone(), Duration::from_secs(1));
        let result = server.await;
        flusher.abort();
        state.ingest_log.flush(&state.store).await;
        result
    }
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
