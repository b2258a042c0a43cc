//! ExBuy: the commerce benchmark API of seed 003 (products, orders, reviews, inventory locks),
//! with seeding and the streaming CSV export of seed 004. Reuses Meetifyr's cache and telemetry.

pub mod api;
pub mod db;
pub mod error;
pub mod model;
pub mod seed;
pub mod sql;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

pub use crate::db::Db;

#[derive(Debug, Parser)]
#[command(
    name = "exbuy",
    version,
    about = "ExBuy: the commerce benchmark API (seed 003), in Rust."
)]
pub struct Config {
    /// Address to serve on.
    #[arg(long, env = "EXBUY_LISTEN", default_value = "127.0.0.1:9000", global = true)]
    pub listen: SocketAddr,
    /// sqlite://PATH (created if missing) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "EXBUY_DATABASE", default_value = "sqlite://exbuy.db", global = true)]
    pub database: String,
    /// Connections in the (reader) pool.
    #[arg(long, env = "EXBUY_POOL_SIZE", default_value_t = 10, global = true)]
    pub pool_size: u32,
    /// Cache product detail, product reviews and top products (invalidated by writes).
    #[arg(long, env = "EXBUY_CACHE", default_value = "on", value_parser = ["on", "off"], global = true)]
    pub cache: String,
    /// Seconds a cached answer lives at most.
    #[arg(long, env = "EXBUY_CACHE_TTL", default_value_t = 60, global = true)]
    pub cache_ttl: u64,
    /// Folder for uploads (stored by SHA-256).
    #[arg(long, env = "EXBUY_UPLOAD_DIR", default_value = "uploads", global = true)]
    pub upload_dir: PathBuf,
    /// Largest JSON body accepted (uploads have their own 10 MiB limit).
    #[arg(long, env = "EXBUY_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Requests slower than this are logged at WARNING.
    #[arg(long, env = "EXBUY_SLOW_REQUEST_MS", default_value_t = 500, global = true)]
    pub slow_request_ms: u64,
    /// Seconds before a request is answered 503.
    #[arg(long, env = "EXBUY_REQUEST_TIMEOUT", default_value_t = 120, global = true)]
    pub request_timeout: u64,
    /// tracing filter.
    #[arg(long, env = "EXBUY_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log lines as `text` or `json` (with the request's id and route).
    #[arg(long, env = "EXBUY_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: meetifyr_telemetry::logging::LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Ask the server on --listen (loopback for 0.0.0.0) whether it answers: exit 0 when
    /// /api/health answers 200, else 1 with the reason (a container's HEALTHCHECK).
    Health,
    /// Fill an empty database: the original's distributions, ids from 1.
    Seed {
        #[arg(long, default_value_t = 10_000)]
        products: u64,
        #[arg(long, default_value_t = 50_000)]
        orders: u64,
        #[arg(long, default_value_t = 100_000)]
        reviews: u64,
        /// Rows per INSERT (bounded by the databases' parameter limits).
        #[arg(long, default_value_t = 1000)]
        batch_size: usize,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

impl Config {
    pub fn api_options(&self) -> api::Options {
        api::Options {
            cache: (self.cache == "on").then(|| meetifyr_cache::CacheConfig {
                default_ttl: Duration::from_secs(self.cache_ttl.max(1)),
                max_bytes: 64 * 1024 * 1024,
            }),
            upload_dir: self.upload_dir.clone(),
            max_body_bytes: self.max_body_bytes,
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            slow_request: Duration::from_millis(self.slow_request_ms),
        }
    }
}

/// `exbuy`'s main: parse, connect (migrating), then serve or seed.
pub async fn main_with(config: Config) -> anyhow::Result<()> {
    // sqlx logs slow statements whole at WARN: a seeding INSERT of thousands of rows would flood
    // the log, so its query log is errors-only unless the filter names it.
    let filter = if config.log.contains("sqlx") {
        config.log.clone()
    } else {
        format!("{},sqlx::query=error", config.log)
    };
    if let Some(Command::Health) = config.command {
        let address = meetifyr_telemetry::probe::local(config.listen);
        let line = meetifyr_telemetry::probe::check(address, "/api/health", Duration::from_secs(5))
            .await
            .map_err(|why| anyhow::anyhow!("not healthy: {why}"))?;
        println!("healthy: {line}");
        return Ok(());
    }
    let _logs = meetifyr_telemetry::logging::init_logging(&filter, config.log_format);
    let db = Db::connect(&config.database, config.pool_size).await?;
    match config.command {
        Some(Command::Seed {
            products,
            orders,
            reviews,
            batch_size,
            seed,
        }) => {
            seed::seed(
                &db,
                &seed::SeedOptions {
                    products,
                    orders,
                    reviews,
                    batch_size,
                    seed,
                },
            )
            .await
        }
        // Answered above, before connecting.
        Some(Command::Health) => Ok(()),
        None | Some(Command::Serve) => {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("binding {}", config.listen))?;
            tracing::info!(
                "exbuy serving on http://{} with {}",
                listener.local_addr()?,
                db::redact(&config.database)
            );
            serve(listener, db, &config.api_options(), shutdown_signal()).await
        }
    }
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Db,
    options: &api::Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, api::router(db, options))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
