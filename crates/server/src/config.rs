//! Configuration from the environment: every variable of the contract (§7), with its default.
//!
//! | Variable | Default | Meaning |
//! |---|---|---|
//! | `PORT` | `3000` | listen port (0–65535; 0 picks a free port) |
//! | `HOST` | `127.0.0.1` | listen address (deployment files set `0.0.0.0`) |
//! | `DATABASE_PATH` | `./data/live-mini.db` | SQLite file; parent directory created |
//! | `DATABASE_URL` | unset | `postgres://…` (or `postgresql://…`): PostgreSQL instead of SQLite; `sqlite://<path>` or a plain path: that SQLite file. When set it wins over `DATABASE_PATH` (not in the contract) |
//! | `DATABASE_WRITE_POOL` | `8` | writer connections on PostgreSQL (SQLite always has one writer; not in the contract) |
//! | `MASTER_PASSWORDS` | empty | comma-separated admin keys; empty = open admin (development) |
//! | `LIVE_ENV` | unset | `production`: refuse to start without master passwords, generic 500 messages |
//! | `RUST_LOG` | `info` | log filter |
//! | `LOG_FORMAT` | `pretty` | `pretty` or `json` |
//! | `WS_MAX_PER_EVENT` | `10000` | WebSocket connections per event |
//! | `WS_MAX_TOTAL` | `50000` | WebSocket connections across all events |
//! | `WS_PING_SECS` | `30` | heartbeat ping interval |
//! | `WS_PONG_TIMEOUT_SECS` | `10` | a ping unanswered this long drops the connection |
//! | `OFFICIAL_CLOSE_GRACE_SECS` | `5` | delay between `→ official` and closing the room |
//! | `ONCOURSE_TTL_MS` | `10000` | lifetime of an on-course entry |
//! | `XML_BODY_LIMIT` | `10485760` | body limit of `POST /api/v1/ingest/xml`, bytes |
//! | `JSON_BODY_LIMIT` | `1048576` | body limit of every other route, bytes |
//! | `BODY_IDLE_TIMEOUT_SECS` | `10` | a request body that sends no byte this long is answered 408 and its connection closed (DV41) |
//! | `BODY_TIMEOUT_SECS` | `120` | a request body not complete this long after the server began reading it is answered 408 and its connection closed (DV41) |
//! | `CLIENT_DIST_PATH` | unset | directory of the spectator SPA to serve |
//! | `WS_SEND_QUEUE` | `64` | frames queued per socket before it is resynchronised |
//! | `WS_SEND_TIMEOUT_SECS` | `10` | a socket write stalled this long drops the connection; also every connection's `TCP_USER_TIMEOUT` |
//! | `WS_RESUME_FRAMES` | `256` | frames kept for resume (≥ `WS_SEND_QUEUE`) |
//! | `WS_RESUME_SECS` | `300` | age limit of frames kept for resume |
//! | `HTTP_WORKERS` | number of CPUs | actix worker threads (not in the contract; for tuning) |
//! | `TCP_SEND_BUFFER` | `65536` | kernel send buffer of every connection, bytes (not in the contract): bounds what a stalled spectator parks in the kernel |
//! | `BACKUP_DIR` | unset | directory of scheduled backups (not in the contract); unset = no scheduled backups |
//! | `BACKUP_EVERY_SECS` | `3600` | interval between scheduled backups (at most a year), the first one interval after start (needs `BACKUP_DIR`) |
//! | `BACKUP_KEEP` | `24` | scheduled backups kept in `BACKUP_DIR`, newest first; older ones are deleted (needs `BACKUP_DIR`) |
//! | `METRICS_TOKEN` | unset | when set, `GET /metrics` needs `Authorization: Bearer <token>`; unset = open (keep the port private) |
//! | `TRUSTED_PROXIES` | empty | comma-separated IPs and CIDRs (`10.0.0.0/8`, `::1`) of reverse proxies whose `X-Forwarded-For` is believed; the client address is then the right-most entry that is not a trusted proxy |
//! | `CLIENT_WS_MAX_CONNECTIONS` | `2500` | open WebSocket connections per client address; over it → 429; `0` = no limit |
//! | `CLIENT_WS_HANDSHAKE_BURST` | `2500` | WebSocket handshakes one client address may make at once (token bucket size, ≥ 1) |
//! | `CLIENT_WS_HANDSHAKE_RATE` | `250` | handshakes per second refilled per client address; over it → 429 with `Retry-After`; `0` = no limit |
//! | `NATS_URL` | unset | cluster mode's frame bus: NATS JetStream server(s), `nats://host:port` or `tls://…`, comma-separated; unset = one instance, no bus |
//! | `NATS_STREAM` | `LIVE_FRAMES` | JetStream stream of the frames (letters, digits, `-`, `_`; needs `NATS_URL`) |
//! | `NATS_SUBJECT_PREFIX` | `live.frames` | subject prefix: each event's frames go to `<prefix>.<event key>` (dot-separated tokens of letters, digits, `-`, `_`; needs `NATS_URL`) |
//! | `NATS_PUBLISH_TIMEOUT_MS` | `2000` | longest wait for NATS to acknowledge a frame (1–60000; needs `NATS_URL`) |
//! | `CLUSTER_GAP_MS` | `500` | cluster mode: how long a room waits for a missing frame before reading the stream or resyncing from the database |
//! | `CLUSTER_SYNC_MS` | `1000` | cluster mode: how often each instance compares its rooms with the database and sweeps due on-course boards |
//!
//! The per-client limits apply to the WebSocket route only; the booth's ingest (key-authenticated)
//! and every REST read are never limited by them. Why these defaults (a carrier NAT puts
//! thousands of spectators behind one address): docs/RUNBOOK.md, "Per-client limits".
//!
//! Values are checked before anything else; a bad one is reported naming the variable and the
//! process exits with code 1. The lookup is a function so tests build configurations without
//! touching the process environment (`set_var` is `unsafe` in edition 2024).

use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The admin master keys. `Debug` never prints them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MasterKeys(Vec<String>);

impl MasterKeys {
    /// Parses the comma-separated list: entries trimmed, empty entries dropped.
    pub fn parse(raw: &str) -> Self {
        Self(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// No keys: admin routes are open.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `candidate` equals one of the keys, compared in constant time per key.
    pub fn matches(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        // Fold over every key so the time does not reveal which one matched.
        self.0.iter().fold(false, |found, key| {
            found | bool::from(key.as_bytes().ct_eq(candidate.as_bytes()))
        })
    }
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKeys({} configured)", self.0.len())
    }
}

/// The `METRICS_TOKEN` bearer token. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// Whether an `Authorization` header value is `Bearer <this token>`, the token compared in
    /// constant time.
    pub fn accepts(&self, authorization: &str) -> bool {
        use subtle::ConstantTimeEq;
        let Some(candidate) = authorization.strip_prefix("Bearer ") else {
            return false;
        };
        bool::from(self.0.as_bytes().ct_eq(candidate.trim().as_bytes()))
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

/// One `TRUSTED_PROXIES` entry: an address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `x::/n`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                (a, Some(p.parse::<u8>().ok()?))
            }
            Some(_) => return None,
            None => (raw, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// Whether `ip` lies in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// `TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses the comma-separated list; `None` names the first bad entry's text.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| IpNet::parse(s).ok_or_else(|| s.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// No proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Per-client-address limits of the WebSocket route (not in the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLimitsConfig {
    /// `CLIENT_WS_MAX_CONNECTIONS`; `None` = no limit.
    pub max_connections: Option<NonZeroUsize>,
    /// `CLIENT_WS_HANDSHAKE_BURST`.
    pub handshake_burst: u32,
    /// `CLIENT_WS_HANDSHAKE_RATE` per second; 0 = no limit.
    pub handshake_rate: u32,
}

impl Default for ClientLimitsConfig {
    fn default() -> Self {
        Self {
            max_connections: NonZeroUsize::new(2500),
            handshake_burst: 2500,
            handshake_rate: 250,
        }
    }
}

/// WebSocket room limits and timings.
#[derive(Debug, Clone)]
pub struct RoomsConfig {
    /// `WS_MAX_PER_EVENT`.
    pub max_per_event: usize,
    /// `WS_MAX_TOTAL`.
    pub max_total: usize,
    /// `WS_PING_SECS`.
    pub ping_interval: Duration,
    /// `WS_PONG_TIMEOUT_SECS`.
    pub pong_timeout: Duration,
    /// `WS_SEND_QUEUE`.
    pub send_queue: usize,
    /// `WS_SEND_TIMEOUT_SECS`.
    pub send_timeout: Duration,
    /// `WS_RESUME_FRAMES`.
    pub resume_frames: usize,
    /// `WS_RESUME_SECS`.
    pub resume_age: Duration,
    /// `OFFICIAL_CLOSE_GRACE_SECS`.
    pub official_close_grace: Duration,
}

/// A PostgreSQL connection URL (`DATABASE_URL`). `Debug` and `Display` hide the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The URL as configured (credentials included): only for opening the database.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `host[:port]/database`, without scheme, user or password: for logs and messages.
    pub fn redacted(&self) -> &str {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, r)| r);
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        rest.split('?').next().unwrap_or(rest)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", self.redacted())
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres://{}", self.redacted())
    }
}

/// Scheduled backups (`BACKUP_DIR`, `BACKUP_EVERY_SECS`, `BACKUP_KEEP`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSchedule {
    /// `BACKUP_DIR`, created when missing.
    pub dir: PathBuf,
    /// `BACKUP_EVERY_SECS`.
    pub every: Duration,
    /// `BACKUP_KEEP`.
    pub keep: usize,
}

/// Cluster mode's frame bus (`NATS_*`), when `NATS_URL` is set. `Debug` hides the URL's
/// credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct NatsConfig {
    /// `NATS_URL`: one or more server URLs, comma-separated.
    pub url: String,
    /// `NATS_STREAM`.
    pub stream: String,
    /// `NATS_SUBJECT_PREFIX`.
    pub subject_prefix: String,
    /// `NATS_PUBLISH_TIMEOUT_MS`.
    pub publish_timeout: Duration,
}

impl fmt::Debug for NatsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsConfig")
            .field("url", &redact_nats_url(&self.url))
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("publish_timeout", &self.publish_timeout)
            .finish()
    }
}

/// `NATS_URL` fit for a log or an error message: the user, password or token of each URL
/// (`nats://user:pass@host`, `nats://token@host`) replaced by `***`.
pub(crate) fn redact_nats_url(url: &str) -> String {
    url.split(',')
        .map(|part| match part.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}"),
                None => part.to_owned(),
            },
            None => match part.rsplit_once('@') {
                Some((_, host)) => format!("***@{host}"),
                None => part.to_owned(),
            },
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The whole server configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub host: IpAddr,
    /// Listen port (0 = any free port).
    pub port: u16,
    /// Actix worker threads.
    pub workers: usize,
    /// SQLite file (unused when [`Config::postgres_url`] is set).
    pub database_path: PathBuf,
    /// `DATABASE_URL=postgres://…`: the store runs on PostgreSQL.
    pub postgres_url: Option<PostgresUrl>,
    /// `DATABASE_WRITE_POOL`: writer connections on PostgreSQL.
    pub database_write_pool: u32,
    /// Cluster mode: live frames are numbered in the database (`StoreConfig::sequence_in_db`).
    /// Not a variable of its own: false unless the cluster configuration turns it on.
    pub sequence_in_db: bool,
    /// Admin master keys.
    pub master_keys: MasterKeys,
    /// `LIVE_ENV=production`.
    pub production: bool,
    /// `RUST_LOG`.
    pub log_filter: String,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// Room limits and timings.
    pub rooms: RoomsConfig,
    /// `ONCOURSE_TTL_MS`.
    pub oncourse_ttl: Duration,
    /// `XML_BODY_LIMIT`.
    pub xml_body_limit: usize,
    /// `JSON_BODY_LIMIT`.
    pub json_body_limit: usize,
    /// `BODY_IDLE_TIMEOUT_SECS`: longest wait for the next byte of a request body.
    pub body_idle_timeout: Duration,
    /// `BODY_TIMEOUT_SECS`: longest time to receive a whole request body.
    pub body_timeout: Duration,
    /// `CLIENT_DIST_PATH`.
    pub client_dist_path: Option<PathBuf>,
    /// `TCP_SEND_BUFFER`.
    pub tcp_send_buffer: usize,
    /// Scheduled backups, when `BACKUP_DIR` is set.
    pub backup: Option<BackupSchedule>,
    /// `METRICS_TOKEN`.
    pub metrics_token: Option<MetricsToken>,
    /// `TRUSTED_PROXIES`.
    pub trusted_proxies: TrustedProxies,
    /// `CLIENT_WS_*`.
    pub client_limits: ClientLimitsConfig,
    /// `NATS_*`: cluster mode's frame bus, when `NATS_URL` is set.
    pub nats: Option<NatsConfig>,
    /// `CLUSTER_GAP_MS`, `CLUSTER_SYNC_MS` (used in cluster mode only).
    pub cluster: crate::cluster::ClusterTiming,
}

/// A configuration value that breaks the rules; the message names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A value that does not parse or is out of range.
    #[error("invalid {name}={value:?}: {rule}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it was set to.
        value: String,
        /// What it must be.
        rule: &'static str,
    },
    /// `LIVE_ENV=production` without `MASTER_PASSWORDS` (DV27).
    #[error(
        "[FATAL] LIVE_ENV=production requires MASTER_PASSWORDS to be set.\n[FATAL] Refusing to start with open admin API in production."
    )]
    ProductionWithoutKeys,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any lookup function (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let production = env.get("LIVE_ENV").is_some_and(|v| v == "production");
        let master_keys = MasterKeys::parse(&env.get("MASTER_PASSWORDS").unwrap_or_default());
        let rooms = RoomsConfig {
            max_per_event: env.positive("WS_MAX_PER_EVENT", 10_000)?,
            max_total: env.positive("WS_MAX_TOTAL", 50_000)?,
            ping_interval: Duration::from_secs(env.positive("WS_PING_SECS", 30)?),
            pong_timeout: Duration::from_secs(env.positive("WS_PONG_TIMEOUT_SECS", 10)?),
            send_queue: env.positive("WS_SEND_QUEUE", 64)?,
            send_timeout: Duration::from_secs(env.positive("WS_SEND_TIMEOUT_SECS", 10)?),
            resume_frames: env.positive("WS_RESUME_FRAMES", 256)?,
            resume_age: Duration::from_secs(env.positive("WS_RESUME_SECS", 300)?),
            official_close_grace: Duration::from_secs(
                env.positive("OFFICIAL_CLOSE_GRACE_SECS", 5)?,
            ),
        };
        if rooms.resume_frames < rooms.send_queue {
            return Err(ConfigError::Invalid {
                name: "WS_RESUME_FRAMES",
                value: rooms.resume_frames.to_string(),
                rule: "must be at least WS_SEND_QUEUE",
            });
        }
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOG_FORMAT",
                    value: other.to_owned(),
                    rule: "must be pretty or json",
                });
            }
        };
        let host = match env.get("HOST") {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(h) => h.parse().map_err(|_| ConfigError::Invalid {
                name: "HOST",
                value: h,
                rule: "must be an IP address",
            })?,
        };
        let database = database(&env)?;
        let config = Self {
            host,
            port: env.number("PORT", 3000, 0)?,
            workers: env.positive(
                "HTTP_WORKERS",
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            )?,
            database_path: database.0,
            postgres_url: database.1,
            database_write_pool: env.positive("DATABASE_WRITE_POOL", 8)?,
            sequence_in_db: false,
            master_keys,
            production,
            log_filter: env.get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            log_format,
            rooms,
            oncourse_ttl: Duration::from_millis(env.positive("ONCOURSE_TTL_MS", 10_000)?),
            xml_body_limit: env.positive("XML_BODY_LIMIT", 10_485_760)?,
            json_body_limit: env.positive("JSON_BODY_LIMIT", 1_048_576)?,
            body_idle_timeout: Duration::from_secs(env.positive("BODY_IDLE_TIMEOUT_SECS", 10)?),
            body_timeout: Duration::from_secs(env.positive("BODY_TIMEOUT_SECS", 120)?),
            client_dist_path: env.get("CLIENT_DIST_PATH").map(PathBuf::from),
            tcp_send_buffer: env.positive("TCP_SEND_BUFFER", 65_536)?,
            backup: backup_schedule(&env)?,
            metrics_token: env.get("METRICS_TOKEN").map(MetricsToken),
            trusted_proxies: match env.get("TRUSTED_PROXIES") {
                None => TrustedProxies::default(),
                Some(raw) => TrustedProxies::parse(&raw).map_err(|_| ConfigError::Invalid {
                    name: "TRUSTED_PROXIES",
                    value: raw,
                    rule: "must be comma-separated IP addresses or CIDRs (10.0.0.0/8, ::1)",
                })?,
            },
            client_limits: ClientLimitsConfig {
                max_connections: NonZeroUsize::new(env.number(
                    "CLIENT_WS_MAX_CONNECTIONS",
                    2500,
                    0,
                )?),
                handshake_burst: env.positive("CLIENT_WS_HANDSHAKE_BURST", 2500)?,
                handshake_rate: env.number("CLIENT_WS_HANDSHAKE_RATE", 250, 0)?,
            },
            nats: nats_config(&env)?,
            cluster: crate::cluster::ClusterTiming {
                gap_wait: Duration::from_millis(env.positive("CLUSTER_GAP_MS", 500)?),
                sync_every: Duration::from_millis(env.positive("CLUSTER_SYNC_MS", 1000)?),
            },
        };
        // Cluster mode numbers frames in the database; several instances need a shared one.
        let config = Self {
            sequence_in_db: config.nats.is_some(),
            ..config
        };
        if let Some(nats) = &config.nats
            && config.postgres_url.is_none()
        {
            return Err(ConfigError::Invalid {
                name: "NATS_URL",
                value: redact_nats_url(&nats.url),
                rule: "cluster mode needs a database every instance shares: set DATABASE_URL=postgres://…",
            });
        }
        if config.production && config.master_keys.is_empty() {
            return Err(ConfigError::ProductionWithoutKeys);
        }
        if config.postgres_url.is_some()
            && let Some(schedule) = &config.backup
        {
            return Err(ConfigError::Invalid {
                name: "BACKUP_DIR",
                value: schedule.dir.display().to_string(),
                rule: "scheduled backups copy the SQLite file; with DATABASE_URL=postgres://… \
                       back up with pg_dump instead (docs/RUNBOOK.md, \"PostgreSQL\")",
            });
        }
        Ok(config)
    }
}

/// `DATABASE_URL` over `DATABASE_PATH`: the SQLite file and, for `postgres://`, the URL.
fn database(env: &Env<'_>) -> Result<(PathBuf, Option<PostgresUrl>), ConfigError> {
    let path = env
        .get("DATABASE_PATH")
        .map_or_else(|| PathBuf::from("./data/live-mini.db"), PathBuf::from);
    let Some(url) = env.get("DATABASE_URL") else {
        return Ok((path, None));
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((path, Some(PostgresUrl(url))));
    }
    let file = url.strip_prefix("sqlite://").unwrap_or(&url);
    if file.is_empty() || file.contains("://") {
        return Err(ConfigError::Invalid {
            name: "DATABASE_URL",
            value: url,
            rule: "must be postgres://…, postgresql://…, sqlite://<path> or a file path",
        });
    }
    Ok((PathBuf::from(file), None))
}

/// `BACKUP_*`: the interval and the count are checked even without a directory, and setting
/// them without one is an error rather than a silently ignored schedule.
fn backup_schedule(env: &Env<'_>) -> Result<Option<BackupSchedule>, ConfigError> {
    let every_secs: u64 = env.positive("BACKUP_EVERY_SECS", 3600)?;
    // A timer that far out would overflow the clock; a year is more than any event needs.
    if every_secs > 31_536_000 {
        return Err(ConfigError::Invalid {
            name: "BACKUP_EVERY_SECS",
            value: every_secs.to_string(),
            rule: "must be at most 31536000 (a year)",
        });
    }
    let every = Duration::from_secs(every_secs);
    let keep = env.positive("BACKUP_KEEP", 24)?;
    match env.get("BACKUP_DIR") {
        Some(dir) => Ok(Some(BackupSchedule {
            dir: PathBuf::from(dir),
            every,
            keep,
        })),
        None => match ["BACKUP_EVERY_SECS", "BACKUP_KEEP"]
            .into_iter()
            .find_map(|name| env.get(name).map(|value| (name, value)))
        {
            Some((name, value)) => Err(ConfigError::Invalid {
                name,
                value,
                rule: "needs BACKUP_DIR",
            }),
            None => Ok(None),
        },
    }
}

/// `NATS_*`: like `BACKUP_*`, the other variables are checked even without `NATS_URL`, and
/// setting one without it is an error rather than a silently single-instance server.
fn nats_config(env: &Env<'_>) -> Result<Option<NatsConfig>, ConfigError> {
    let token_ok = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let stream = env
        .get("NATS_STREAM")
        .unwrap_or_else(|| "LIVE_FRAMES".to_owned());
    if stream.len() > 64 || !token_ok(&stream) {
        return Err(ConfigError::Invalid {
            name: "NATS_STREAM",
            value: stream,
            rule: "must be 1 to 64 letters, digits, - and _",
        });
    }
    let subject_prefix = env
        .get("NATS_SUBJECT_PREFIX")
        .unwrap_or_else(|| "live.frames".to_owned());
    if subject_prefix.len() > 128 || !subject_prefix.split('.').all(token_ok) {
        return Err(ConfigError::Invalid {
            name: "NATS_SUBJECT_PREFIX",
            value: subject_prefix,
            rule: "must be dot-separated tokens of letters, digits, - and _ (no wildcards)",
        });
    }
    let timeout_ms: u64 = env.positive("NATS_PUBLISH_TIMEOUT_MS", 2000)?;
    if timeout_ms > 60_000 {
        return Err(ConfigError::Invalid {
            name: "NATS_PUBLISH_TIMEOUT_MS",
            value: timeout_ms.to_string(),
            rule: "must be at most 60000 (a minute)",
        });
    }
    let Some(url) = env.get("NATS_URL") else {
        return match [
            "NATS_STREAM",
            "NATS_SUBJECT_PREFIX",
            "NATS_PUBLISH_TIMEOUT_MS",
        ]
        .into_iter()
        .find_map(|name| env.get(name).map(|value| (name, value)))
        {
            Some((name, value)) => Err(ConfigError::Invalid {
                name,
                value,
                rule: "needs NATS_URL",
            }),
            None => Ok(None),
        };
    };
    let url_ok = |part: &str| {
        let part = part.trim();
        let scheme_ok = part
            .split_once("://")
            .is_none_or(|(scheme, _)| matches!(scheme, "nats" | "tls"));
        !part.is_empty() && scheme_ok && part.parse::<async_nats::ServerAddr>().is_ok()
    };
    if !url.split(',').all(url_ok) {
        return Err(ConfigError::Invalid {
            name: "NATS_URL",
            value: redact_nats_url(&url),
            rule: "must be comma-separated nats://host:port or tls://host:port URLs",
        });
    }
    Ok(Some(NatsConfig {
        url,
        stream,
        subject_prefix,
        publish_timeout: Duration::from_millis(timeout_ms),
    }))
}

struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    /// A set, non-empty value.
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.is_empty())
    }

    /// A decimal integer ≥ `min`, or the default when unset.
    fn number<T>(&self, name: &'static str, default: T, min: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + Copy,
    {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let rule = "must be a decimal integer in range";
        let ok = raw.bytes().all(|b| b.is_ascii_digit());
        match raw.parse::<T>() {
            Ok(v) if ok && v >= min => Ok(v),
            _ => Err(ConfigError::Invalid {
                name,
                value: raw,
                rule,
            }),
        }
    }

    fn positive<T>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + Copy + From<u8>,
    {
        self.number(name, default, T::from(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_contracts() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.port, 3000);
        assert_eq!(c.host.to_string(), "127.0.0.1");
        assert_eq!(c.database_path, PathBuf::from("./data/live-mini.db"));
        assert_eq!(c.postgres_url, None);
        assert_eq!(c.database_write_pool, 8);
        assert!(!c.sequence_in_db);
        assert!(c.master_keys.is_empty());
        assert!(!c.production);
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.rooms.max_per_event, 10_000);
        assert_eq!(c.rooms.max_total, 50_000);
        assert_eq!(c.rooms.ping_interval, Duration::from_secs(30));
        assert_eq!(c.rooms.pong_timeout, Duration::from_secs(10));
        assert_eq!(c.rooms.send_queue, 64);
        assert_eq!(c.rooms.resume_frames, 256);
        assert_eq!(c.rooms.resume_age, Duration::from_mins(5));
        assert_eq!(c.rooms.official_close_grace, Duration::from_secs(5));
        assert_eq!(c.oncourse_ttl, Duration::from_secs(10));
        assert_eq!(c.xml_body_limit, 10_485_760);
        assert_eq!(c.json_body_limit, 1_048_576);
        assert_eq!(c.body_idle_timeout, Duration::from_secs(10));
        assert_eq!(c.body_timeout, Duration::from_mins(2));
        assert_eq!(c.client_dist_path, None);
        assert_eq!(c.tcp_send_buffer, 65_536);
        assert_eq!(c.backup, None);
        assert_eq!(c.metrics_token, None);
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.client_limits, ClientLimitsConfig::default());
    }

    #[test]
    fn cluster_mode_needs_postgresql_and_numbers_frames_in_it() {
        let err = cfg(&[("NATS_URL", "nats://127.0.0.1:4222")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("NATS_URL") && err.contains("DATABASE_URL"),
            "{err}"
        );
        let c = cfg(&[
            ("NATS_URL", "nats://127.0.0.1:4222"),
            ("DATABASE_URL", "postgres://live@db.internal/live"),
            ("CLUSTER_GAP_MS", "200"),
        ])
        .unwrap();
        assert!(c.sequence_in_db);
        assert_eq!(c.cluster.gap_wait, Duration::from_millis(200));
        assert_eq!(c.cluster.sync_every, Duration::from_secs(1));
        let single = cfg(&[("DATABASE_URL", "postgres://live@db.internal/live")]).unwrap();
        assert!(
            !single.sequence_in_db,
            "PostgreSQL alone keeps single-node numbering"
        );
        assert!(cfg(&[("CLUSTER_SYNC_MS", "0")]).is_err());
    }

    #[test]
    fn nats_is_off_by_default_and_checked_when_set() {
        assert_eq!(cfg(&[]).unwrap().nats, None);
        // Cluster mode needs PostgreSQL: every NATS case below runs with a DATABASE_URL.
        let cfg = |pairs: &[(&str, &str)]| {
            let mut all = pairs.to_vec();
            all.push(("DATABASE_URL", "postgres://live@db.internal/live"));
            cfg(&all)
        };
        let c = cfg(&[("NATS_URL", "nats://10.0.0.5:4222")]).unwrap();
        assert_eq!(
            c.nats,
            Some(NatsConfig {
                url: "nats://10.0.0.5:4222".to_owned(),
                stream: "LIVE_FRAMES".to_owned(),
                subject_prefix: "live.frames".to_owned(),
                publish_timeout: Duration::from_secs(2),
            })
        );
        let c = cfg(&[
            ("NATS_URL", "nats://a:4222,tls://b:4222"),
            ("NATS_STREAM", "FRAMES_2"),
            ("NATS_SUBJECT_PREFIX", "prod.live-mini.frames"),
            ("NATS_PUBLISH_TIMEOUT_MS", "500"),
        ])
        .unwrap()
        .nats
        .unwrap();
        assert_eq!(c.stream, "FRAMES_2");
        assert_eq!(c.subject_prefix, "prod.live-mini.frames");
        assert_eq!(c.publish_timeout, Duration::from_millis(500));
        for (name, value) in [
            ("NATS_URL", "http://a:4222"),
            ("NATS_URL", "nats://a:4222,"),
            ("NATS_STREAM", "LIVE.FRAMES"),
            ("NATS_STREAM", "a b"),
            ("NATS_SUBJECT_PREFIX", "live.>"),
            ("NATS_SUBJECT_PREFIX", "live..frames"),
            ("NATS_SUBJECT_PREFIX", "live.*"),
            ("NATS_PUBLISH_TIMEOUT_MS", "0"),
            ("NATS_PUBLISH_TIMEOUT_MS", "60001"),
        ] {
            let mut pairs = vec![(name, value)];
            if name != "NATS_URL" {
                pairs.push(("NATS_URL", "nats://127.0.0.1:4222"));
            }
            let err = cfg(&pairs).unwrap_err().to_string();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
        // Credentials never reach a log or an error message.
        let c = cfg(&[(
            "NATS_URL",
            "nats://u:secret@a:4222,tls://tok3n@b:4222,c:4222",
        )])
        .unwrap()
        .nats
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("tok3n"),
            "{shown}"
        );
        assert!(
            shown.contains("nats://***@a:4222,tls://***@b:4222,c:4222"),
            "{shown}"
        );
        let err = cfg(&[("NATS_URL", "http://u:secret@a:4222")])
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        for name in [
            "NATS_STREAM",
            "NATS_SUBJECT_PREFIX",
            "NATS_PUBLISH_TIMEOUT_MS",
        ] {
            let value = if name == "NATS_PUBLISH_TIMEOUT_MS" {
                "100"
            } else {
                "X"
            };
            let err = cfg(&[(name, value)]).unwrap_err().to_string();
            assert!(
                err.contains(name) && err.contains("needs NATS_URL"),
                "{err}"
            );
        }
    }

    #[test]
    fn backup_schedule_needs_its_directory() {
        let c = cfg(&[("BACKUP_DIR", "/var/backups/live")]).unwrap();
        assert_eq!(
            c.backup,
            Some(BackupSchedule {
                dir: PathBuf::from("/var/backups/live"),
                every: Duration::from_hours(1),
                keep: 24,
            })
        );
        let c = cfg(&[
            ("BACKUP_DIR", "b"),
            ("BACKUP_EVERY_SECS", "60"),
            ("BACKUP_KEEP", "3"),
        ])
        .unwrap();
        let schedule = c.backup.unwrap();
        assert_eq!((schedule.every, schedule.keep), (Duration::from_mins(1), 3));
        for (name, value) in [
            ("BACKUP_EVERY_SECS", "0"),
            ("BACKUP_EVERY_SECS", "18446744073709551615"),
            ("BACKUP_KEEP", "x"),
        ] {
            let err = cfg(&[("BACKUP_DIR", "b"), (name, value)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = cfg(&[("BACKUP_KEEP", "3")]).unwrap_err().to_string();
        assert!(
            err.contains("BACKUP_KEEP") && err.contains("needs BACKUP_DIR"),
            "{err}"
        );
    }

    #[test]
    fn observability_variables_parse_and_bad_ones_are_named() {
        let c = cfg(&[
            ("METRICS_TOKEN", "s3cret"),
            ("TRUSTED_PROXIES", " 10.0.0.0/8, ::1 ,192.168.1.7"),
            ("CLIENT_WS_MAX_CONNECTIONS", "0"),
            ("CLIENT_WS_HANDSHAKE_RATE", "0"),
            ("CLIENT_WS_HANDSHAKE_BURST", "3"),
        ])
        .unwrap();
        let token = c.metrics_token.as_ref().unwrap();
        assert!(token.accepts("Bearer s3cret"));
        assert!(!token.accepts("Bearer s3cre") && !token.accepts("s3cret"));
        assert_eq!(format!("{token:?}"), "MetricsToken(..)");
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(c.trusted_proxies.contains(ip("10.200.3.4")));
        assert!(c.trusted_proxies.contains(ip("::ffff:10.0.0.1")));
        assert!(c.trusted_proxies.contains(ip("::1")));
        assert!(c.trusted_proxies.contains(ip("192.168.1.7")));
        assert!(!c.trusted_proxies.contains(ip("192.168.1.8")));
        assert!(!c.trusted_proxies.contains(ip("11.0.0.1")));
        assert_eq!(c.client_limits.max_connections, None);
        assert_eq!(c.client_limits.handshake_rate, 0);
        assert_eq!(c.client_limits.handshake_burst, 3);
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        for (name, value) in [
            ("TRUSTED_PROXIES", "10.0.0.0/33"),
            ("TRUSTED_PROXIES", "proxy.local"),
            ("TRUSTED_PROXIES", "10.0.0.1/"),
            ("CLIENT_WS_MAX_CONNECTIONS", "-1"),
            ("CLIENT_WS_HANDSHAKE_BURST", "0"),
            ("CLIENT_WS_HANDSHAKE_RATE", "x"),
        ] {
            let err = cfg(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("PORT", "70000"),
            ("PORT", "-1"),
            ("PORT", "abc"),
            ("WS_PING_SECS", "0"),
            ("WS_MAX_PER_EVENT", "1.5"),
            ("ONCOURSE_TTL_MS", "+5"),
            ("LOG_FORMAT", "xml"),
            ("HOST", "localhost:3000"),
            ("BODY_IDLE_TIMEOUT_SECS", "0"),
            ("BODY_TIMEOUT_SECS", "2m"),
        ] {
            let err = cfg(&[(name, value)]).unwrap_err().to_string();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
        let err = cfg(&[("WS_SEND_QUEUE", "300")]).unwrap_err().to_string();
        assert!(err.contains("WS_RESUME_FRAMES"), "{err}");
        assert_eq!(cfg(&[("PORT", "0")]).unwrap().port, 0);
    }

    #[test]
    fn production_needs_master_keys() {
        let err = cfg(&[("LIVE_ENV", "production")]).unwrap_err();
        assert_eq!(err, ConfigError::ProductionWithoutKeys);
        assert!(
            err.to_string()
                .starts_with("[FATAL] LIVE_ENV=production requires")
        );
        let c = cfg(&[("LIVE_ENV", "production"), ("MASTER_PASSWORDS", " a , ,b ")]).unwrap();
        assert!(c.production);
        assert!(c.master_keys.matches("a") && c.master_keys.matches("b"));
        assert!(!c.master_keys.matches("") && !c.master_keys.matches("c"));
        assert!(!cfg(&[("LIVE_ENV", "prod")]).unwrap().production);
        assert_eq!(format!("{:?}", c.master_keys), "MasterKeys(2 configured)");
    }

    #[test]
    fn database_url_wins_over_database_path() {
        let c = cfg(&[
            ("DATABASE_PATH", "/var/lib/a.db"),
            (
                "DATABASE_URL",
                "postgres://live:secret@db.internal:5432/live",
            ),
        ])
        .unwrap();
        let url = c.postgres_url.unwrap();
        assert_eq!(url.expose(), "postgres://live:secret@db.internal:5432/live");
        assert_eq!(url.redacted(), "db.internal:5432/live");
        assert!(!format!("{url:?} {url}").contains("secret"));
        let c = cfg(&[
            ("DATABASE_PATH", "/var/lib/a.db"),
            ("DATABASE_URL", "sqlite:///var/lib/b.db"),
        ])
        .unwrap();
        assert_eq!(
            (c.database_path, c.postgres_url),
            (PathBuf::from("/var/lib/b.db"), None)
        );
        let c = cfg(&[("DATABASE_URL", "data/c.db")]).unwrap();
        assert_eq!(c.database_path, PathBuf::from("data/c.db"));
        assert!(cfg(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(cfg(&[("DATABASE_URL", "sqlite://")]).is_err());
    }

    #[test]
    fn scheduled_backups_are_refused_on_postgres() {
        let err = cfg(&[
            ("DATABASE_URL", "postgres://db/live"),
            ("BACKUP_DIR", "/backups"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("pg_dump"), "{err}");
    }
}
