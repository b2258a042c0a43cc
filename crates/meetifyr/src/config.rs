//! Command line and environment: every flag is also a `MEETIFYR_*` variable. Nothing else in
//! the service reads the environment.

use std::{net::SocketAddr, str::FromStr, time::Duration};

use clap::{Args, Parser, Subcommand};
use meetifyr_api::{ApiOptions, CacheConfig, RESERVED_STORE_NAMES};
use meetifyr_store::{DatabaseUrl, StoreOptions};

#[derive(Debug, Parser)]
#[command(name = "meetifyr", version, about = "Meetifyr: find the best date for a group.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub stores: StoreArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Bring every store's schema up to date, then exit.
    Migrate,
    /// Ask the server on --listen (loopback for 0.0.0.0) whether it is ready: exit 0 when
    /// /health/ready answers 200, else 1 with the reason (a container's HEALTHCHECK).
    Health,
    /// Copy every meeting from one database to another (e.g. SQLite to PostgreSQL), keeping url
    /// codes and participant and date ids. Refuses a target that already has meetings unless
    /// --into-non-empty is given (then meetings whose code exists there are skipped).
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Source database URL.
    #[arg(long)]
    pub from: DatabaseUrl,
    /// Target database URL (created and migrated if needed).
    #[arg(long)]
    pub to: DatabaseUrl,
    /// Copy into a target that already has meetings, skipping codes it already has.
    #[arg(long)]
    pub into_non_empty: bool,
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    /// A store as NAME=URL (sqlite://FILE, sqlite::memory:); repeat for several. The first is
    /// also served under /v1/.
    #[arg(
        long = "store",
        env = "MEETIFYR_STORE",
        value_delimiter = ',',
        global = true,
        default_value = "sqlite=sqlite://meetifyr.db"
    )]
    pub stores: Vec<StoreSpec>,

    /// Database connections per store.
    #[arg(long, env = "MEETIFYR_POOL_SIZE", default_value_t = 10, global = true,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: u32,

    /// Seconds a request waits for a free connection before answering 503.
    #[arg(long, env = "MEETIFYR_ACQUIRE_TIMEOUT", default_value_t = 5.0, global = true)]
    pub acquire_timeout: f64,

    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `meetifyr=debug,info`.
    #[arg(long, env = "MEETIFYR_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log lines as `text` or `json` (one object per line, the request's id and route in `span`).
    #[arg(long, env = "MEETIFYR_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: meetifyr_telemetry::logging::LogFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MEETIFYR_LISTEN", default_value = "127.0.0.1:8000", global = true)]
    pub listen: SocketAddr,

    /// A second address for operators: `/metrics` (then served only there), health and docs,
    /// so they need not go through the public front.
    #[arg(long, env = "MEETIFYR_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,

    /// Seconds a client has to send a request's headers (from the moment the connection opens
    /// or the previous answer ends): slowloris clients and idle keep-alive connections are
    /// closed when it runs out.
    #[arg(long, env = "MEETIFYR_HEADER_READ_TIMEOUT", default_value_t = 30.0, global = true)]
    pub header_read_timeout: f64,

    /// Open client connections at most (live streams included); beyond it a new connection is
    /// closed at once. Keep it below the process's file-descriptor limit (`ulimit -n`).
    #[arg(long, env = "MEETIFYR_MAX_CONNECTIONS", default_value_t = 10_000, global = true,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Largest accepted request body in bytes; larger bodies get 413.
    #[arg(long, env = "MEETIFYR_MAX_BODY_BYTES", default_value_t = 16 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Seconds before a request is abandoned with 503.
    #[arg(long, env = "MEETIFYR_REQUEST_TIMEOUT", default_value_t = 30.0, global = true)]
    pub request_timeout: f64,

    /// The GET-meeting response cache, per process (every write invalidates it before answering).
    #[arg(long, env = "MEETIFYR_CACHE", value_enum, default_value_t = Switch::On, global = true)]
    pub cache: Switch,

    /// Seconds a cached meeting is kept at most.
    #[arg(long, env = "MEETIFYR_CACHE_TTL", default_value_t = 60.0, global = true)]
    pub cache_ttl: f64,

    /// Bytes the cache may hold; least used entries go first.
    #[arg(long, env = "MEETIFYR_CACHE_MAX_BYTES", default_value_t = 64 * 1024 * 1024, global = true)]
    pub cache_max_bytes: u64,

    /// The profiling middleware (X-Response-Time, per-route statistics); off only to measure it.
    #[arg(long, env = "MEETIFYR_PROFILING", value_enum, default_value_t = Switch::On, global = true)]
    pub profiling: Switch,

    /// Requests slower than this many milliseconds are logged at WARNING.
    #[arg(long, env = "MEETIFYR_SLOW_REQUEST_MS", default_value_t = 500, global = true)]
    pub slow_request_ms: u64,

    /// Live connections (SSE and WebSocket) of one meeting at most; more get 503.
    #[arg(long, env = "MEETIFYR_LIVE_MAX_PER_MEETING", default_value_t = 1_000, global = true)]
    pub live_max_per_meeting: usize,

    /// Live connections of this process at most; more get 503.
    #[arg(long, env = "MEETIFYR_LIVE_MAX_CONNECTIONS", default_value_t = 20_000, global = true)]
    pub live_max_connections: usize,

    /// Seconds after which a live connection that was sent nothing is closed.
    #[arg(long, env = "MEETIFYR_LIVE_IDLE_TIMEOUT", default_value_t = 3_600.0, global = true)]
    pub live_idle_timeout: f64,

    /// An origin whose pages may open WebSockets (e.g. `https://meet.example.org`); repeat for
    /// several. None: only the server's own origin.
    #[arg(
        long = "allowed-origin",
        env = "MEETIFYR_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,

    /// Per-address rate limits of writes (429 with Retry-After beyond them); `off` for none.
    #[arg(long, env = "MEETIFYR_RATE_LIMIT", value_enum, default_value_t = Switch::On, global = true)]
    pub rate_limit: Switch,

    /// Meeting creations per client address: N/s, N/min or N/h (N at once, then one every
    /// period ÷ N).
    #[arg(long, env = "MEETIFYR_RATE_LIMIT_CREATE", default_value = "20/min", global = true)]
    pub rate_limit_create: meetifyr_api::Rate,

    /// Other writes (answers, toggles, edits) per client address.
    #[arg(long, env = "MEETIFYR_RATE_LIMIT_WRITE", default_value = "100/s", global = true)]
    pub rate_limit_write: meetifyr_api::Rate,

    /// Password checks per protected participant (from any address): a guesser's allowance.
    /// A password once verified is remembered for a while, so people who know it are not held.
    #[arg(long, env = "MEETIFYR_RATE_LIMIT_PASSWORD", default_value = "10/min", global = true)]
    pub rate_limit_password: meetifyr_api::Rate,

    /// A header a proxy in front sets to the client's address (e.g. X-Forwarded-For behind
    /// HAProxy); its last address is the client. Only behind such a proxy: clients can send it.
    #[arg(long, env = "MEETIFYR_TRUSTED_PROXY_HEADER", global = true)]
    pub trusted_proxy_header: Option<axum::http::HeaderName>,

    /// The address people use to reach this server (e.g. `https://meet.example.org`), for the
    /// share link, its QR code and `.ics` files; cookies get `Secure` when it is https. Without
    /// it: the request's Host (and, with --trusted-proxy-header, X-Forwarded-Proto/-Host).
    #[arg(long, env = "MEETIFYR_PUBLIC_URL", global = true)]
    pub public_url: Option<meetifyr_api::PublicUrl>,

    /// Client addresses never rate limited (e.g. a load generator's), comma-separated.
    #[arg(long, env = "MEETIFYR_RATE_LIMIT_EXEMPT", value_delimiter = ',', global = true)]
    pub rate_limit_exempt: Vec<std::net::IpAddr>,

    /// Mount Chapter 07's deliberately slow routes for profiling practice: /slow/db-query
    /// (about 200 ms in the first store's database), /slow/serialization (about 100 ms of JSON
    /// work) and /slow/external-api (about 500 ms waiting on a loopback upstream).
    #[arg(long, env = "MEETIFYR_DEMO_ENDPOINTS", global = true)]
    pub demo_endpoints: bool,

    /// Several instances on one database: `postgres` announces every write with LISTEN/NOTIFY
    /// on the first PostgreSQL store (or give `postgres://…` for the primary itself, when the
    /// store goes through a pooler); `redis://HOST:PORT` uses Redis pub/sub, for any backend
    /// (MySQL needs it; `rediss://` over TLS). Cached meetings are then checked against the
    /// database's version before they are served. `none` for a single instance.
    #[arg(long, env = "MEETIFYR_BUS", default_value = "none", global = true)]
    pub bus: String,

    /// With `--bus rediss://…`: the PEM file of the CA that signed Redis's certificate, trusted
    /// instead of the system's CAs.
    #[arg(long, env = "MEETIFYR_REDIS_CA_FILE", value_name = "PEM", global = true)]
    pub redis_ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Cli {
    /// Checks what clap cannot: distinct store names, sane durations.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for s in &self.stores.stores {
            if !seen.insert(&s.name) {
                return Err(format!("store name {:?} is given twice", s.name));
            }
        }
        self.bus_options()?;
        for (flag, v) in [
            ("--acquire-timeout", self.stores.acquire_timeout),
            ("--request-timeout", self.serve.request_timeout),
            ("--header-read-timeout", self.serve.header_read_timeout),
            ("--live-idle-timeout", self.serve.live_idle_timeout),
            ("--cache-ttl", self.serve.cache_ttl),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 3600.0) {
                return Err(format!("{flag} must be between 0 and 3600 seconds"));
            }
        }
        Ok(())
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            pool_size: self.stores.pool_size,
            acquire_timeout: Duration::from_secs_f64(self.stores.acquire_timeout),
        }
    }

    pub fn serve_options(&self) -> crate::ServeOptions {
        crate::ServeOptions {
            header_read_timeout: Duration::from_secs_f64(self.serve.header_read_timeout),
            max_connections: self.serve.max_connections as usize,
        }
    }

    pub fn api_options(&self) -> ApiOptions {
        ApiOptions {
            max_body_bytes: self.serve.max_body_bytes,
            request_timeout: Duration::from_secs_f64(self.serve.request_timeout),
            cache: (self.serve.cache == Switch::On).then(|| CacheConfig {
                default_ttl: Duration::from_secs_f64(self.serve.cache_ttl),
                max_bytes: self.serve.cache_max_bytes,
            }),
            slow_request: Duration::from_millis(self.serve.slow_request_ms),
            profiling: self.serve.profiling == Switch::On,
            live: meetifyr_api::LiveOptions {
                max_per_meeting: self.serve.live_max_per_meeting,
                max_connections: self.serve.live_max_connections,
                idle_timeout: Duration::from_secs_f64(self.serve.live_idle_timeout),
                allowed_origins: self.serve.allowed_origins.clone(),
            },
            rate_limits: (self.serve.rate_limit == Switch::On).then(|| meetifyr_api::RateLimitOptions {
                create: self.serve.rate_limit_create,
                write: self.serve.rate_limit_write,
                password: self.serve.rate_limit_password,
                trusted_proxy_header: self.serve.trusted_proxy_header.clone(),
                exempt: self.serve.rate_limit_exempt.clone(),
            }),
            demo_endpoints: self.serve.demo_endpoints,
            bus: self.bus_options().unwrap_or_default(),
            public: meetifyr_api::PublicOrigin {
                url: self.serve.public_url.clone(),
                trust_forwarded: self.serve.trusted_proxy_header.is_some(),
            },
            clock: meetifyr_api::Clock::System,
            // App::build mounts the web app and says where /metrics goes.
            pages: None,
            metrics_apart: false,
        }
    }

    /// `--bus`, given the stores.
    pub fn bus_options(&self) -> Result<meetifyr_api::BusOptions, String> {
        let bus = self.serve.bus.trim();
        if self.serve.redis_ca_file.is_some() && !bus.starts_with("rediss://") {
            return Err("--redis-ca-file is for --bus rediss://… only".to_owned());
        }
        match bus {
            "none" => Ok(meetifyr_api::BusOptions::None),
            "postgres" => self
                .stores
                .stores
                .iter()
                .find(|s| matches!(s.url.scheme().as_str(), "postgres" | "postgresql"))
                .map(|s| meetifyr_api::BusOptions::Postgres {
                    url: s.url.expose().to_owned(),
                })
                .ok_or_else(|| "--bus postgres needs a PostgreSQL store (or --bus postgres://…)".to_owned()),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(meetifyr_api::BusOptions::Postgres { url: url.to_owned() })
            }
            url if url.starts_with("redis://") || url.starts_with("rediss://") => {
                let root_cert = match &self.serve.redis_ca_file {
                    None => None,
                    Some(path) => {
                        Some(std::fs::read(path).map_err(|e| format!("--redis-ca-file {}: {e}", path.display()))?)
                    }
                };
                meetifyr_api::RedisServer::new(url, root_cert)
                    .map(meetifyr_api::BusOptions::Redis)
                    .map_err(|e| format!("--bus {e}"))
            }
            other => Err(format!(
                "--bus {}: expected none, postgres, postgres://…, redis://… or rediss://…",
                // An address may hold a password: name its scheme only.
                other.split_once("://").map_or(other, |(scheme, _)| scheme)
            )),
        }
    }
}

/// `NAME=URL`, or a bare URL named after its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSpec {
    pub name: String,
    pub url: DatabaseUrl,
}

impl FromStr for StoreSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, url) = match s.split_once('=') {
            Some((name, url)) if !name.contains(':') => (name.to_owned(), url.to_owned()),
            _ => (DatabaseUrl::new(s).scheme(), s.to_owned()),
        };
        let url = DatabaseUrl::new(url);
        let valid = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(format!(
                "store name {name:?} must be 1-32 of a-z, 0-9, '_', '-' (in {url})"
            ));
        }
        if RESERVED_STORE_NAMES.contains(&name.as_str()) {
            return Err(format!("store name {name:?} is reserved: it is a path of the API"));
        }
        if url.scheme().is_empty() {
            return Err(format!("store {name:?}: {url} is not a database URL"));
        }
        Ok(Self { name, url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_page_lists_every_flag_with_its_variable_in_one_table() {
        // Given the configuration page and the server's flags
        let page = include_str!("../../../docs/configuration.md");
        let table: Vec<&str> = page
            .lines()
            .skip_while(|l| !l.starts_with("| flag |"))
            .take_while(|l| l.starts_with('|'))
            .collect();
        use clap::CommandFactory;
        let command = Cli::command();
        // Then each serving flag has a row of that one table, naming its environment variable
        for arg in command.get_arguments() {
            let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) else {
                continue;
            };
            let row = table.iter().find(|r| r.starts_with(&format!("| `--{long}")));
            let row = row.unwrap_or_else(|| panic!("--{long} has no row in docs/configuration.md's table"));
            assert!(
                row.contains(env.to_str().unwrap()),
                "the row of --{long} does not name {env:?}: {row}"
            );
        }
        // And the table has no row for a flag that does not exist
        for row in &table[2..] {
            let long = row.trim_start_matches("| `--").split([' ', '`']).next().unwrap();
            assert!(
                command.get_arguments().any(|a| a.get_long() == Some(long)),
                "no flag --{long}: {row}"
            );
        }
    }

    #[test]
    fn a_store_is_named_by_its_prefix_or_its_scheme() {
        let s: StoreSpec = "main=sqlite:///tmp/x/m.db".parse().unwrap();
        assert_eq!((s.name.as_str(), s.url.expose()), ("main", "sqlite:///tmp/x/m.db"));
        let s: StoreSpec = "sqlite://meetifyr.db".parse().unwrap();
        assert_eq!(s.name, "sqlite");
        let s: StoreSpec = "sqlite::memory:".parse().unwrap();
        assert_eq!(s.name, "sqlite");
    }

    #[test]
    fn reserved_and_odd_store_names_are_refused() {
        assert!("meetings=sqlite::memory:".parse::<StoreSpec>().is_err());
        assert!("My Store=sqlite::memory:".parse::<StoreSpec>().is_err());
    }

    #[test]
    fn defaults_serve_sqlite_on_port_8000() {
        let cli = Cli::try_parse_from(["meetifyr"]).unwrap();
        assert_eq!(cli.serve.listen.to_string(), "127.0.0.1:8000");
        assert_eq!(cli.stores.stores[0].url.expose(), "sqlite://meetifyr.db");
        assert!(cli.command.is_none());
        assert!(cli.validate().is_ok());
    }

    #[test]
    fn flags_work_after_the_subcommand_and_stores_repeat() {
        let cli = Cli::try_parse_from([
            "meetifyr",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--store",
            "a=sqlite::memory:",
            "--store",
            "b=sqlite::memory:",
        ])
        .unwrap();
        assert_eq!(cli.stores.stores.len(), 2);
        assert!(matches!(cli.command, Some(Command::Serve)));
    }

    #[test]
    fn a_store_name_given_twice_is_refused() {
        let cli = Cli::try_parse_from([
            "meetifyr",
            "--store",
            "a=sqlite::memory:",
            "--store",
            "a=sqlite::memory:",
        ])
        .unwrap();
        assert!(cli.validate().is_err());
    }
}
