//! The Meetifyr service: configuration, opening stores, and serving the API.

pub mod config;
pub mod serve;

use std::net::SocketAddr;

use anyhow::Context as _;
use meetifyr_api::{ApiOptions, NamedStore};
use meetifyr_store::StoreOptions;
use tokio::net::TcpListener;

pub use config::{Cli, Command, CopyArgs, StoreSpec};
pub use serve::ServeOptions;

/// Opens (and migrates) every store, in order. The error names the store and its URL with the
/// password hidden.
pub async fn open_stores(specs: &[StoreSpec], options: &StoreOptions) -> anyhow::Result<Vec<NamedStore>> {
    let mut stores = Vec::with_capacity(specs.len());
    for spec in specs {
        let store = meetifyr_store::connect(&spec.url, options)
            .await
            .map_err(|e| anyhow::anyhow!(error_chain(&e)))
            .with_context(|| format!("cannot open store {:?} at {}", spec.name, spec.url))?;
        stores.push(NamedStore {
            name: spec.name.clone(),
            store,
        });
    }
    Ok(stores)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        // Drivers often repeat their source's text in their own message.
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// What `meetifyr copy` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub copied: u64,
    pub skipped: u64,
}

/// Copies every meeting of `from` into `to`, page by page, each meeting in one transaction.
pub async fn copy(args: &CopyArgs, options: &StoreOptions) -> anyhow::Result<CopyReport> {
    let open = |url: &'_ meetifyr_store::DatabaseUrl| {
        let url = url.clone();
        async move {
            meetifyr_store::connect(&url, options)
                .await
                .map_err(|e| anyhow::anyhow!(error_chain(&e)))
                .with_context(|| format!("cannot open {url}"))
        }
    };
    let (source, target) = (open(&args.from).await?, open(&args.to).await?);
    let total = source.count_meetings().await?;
    let existing = target.count_meetings().await?;
    if existing > 0 && !args.into_non_empty {
        anyhow::bail!(
            "{} already has {existing} meetings; pass --into-non-empty to copy into it anyway",
            args.to
        );
    }
    tracing::info!(from = %args.from, to = %args.to, total, "copying meetings");
    let mut report = CopyReport::default();
    let mut after = None;
    loop {
        let page = source.list_meeting_codes(after.as_ref(), 500).await?;
        let Some(last) = page.last().cloned() else { break };
        for code in &page {
            let Some(meeting) = source.find_meeting(code).await? else {
                continue;
            }; // deleted meanwhile
            match target.import_meeting(&meeting).await {
                Ok(()) => report.copied += 1,
                Err(meetifyr_core::StoreError::DuplicateUrlCode) if args.into_non_empty => report.skipped += 1,
                Err(e) => {
                    return Err(anyhow::anyhow!(error_chain(&e)))
                        .with_context(|| format!("cannot copy meeting {code} ({} copied so far)", report.copied));
                }
            }
        }
        tracing::info!(copied = report.copied, skipped = report.skipped, total, "progress");
        after = Some(last);
    }
    Ok(report)
}

/// A bound, not yet running server.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    /// `--metrics-listen`: the operators' address and its routes.
    operations: Option<(TcpListener, axum::Router)>,
    live: std::sync::Arc<meetifyr_api::Live>,
    serve: ServeOptions,
}

impl App {
    /// Opens the stores and binds the address (port 0 picks a free one).
    pub async fn build(
        listen: SocketAddr,
        specs: &[StoreSpec],
        store_options: &StoreOptions,
        api_options: &ApiOptions,
    ) -> anyhow::Result<Self> {
        Self::build_with_operations(listen, None, specs, store_options, api_options).await
    }

    /// As [`App::build`], and with `operations` the metrics, health and docs on that address
    /// too, `/metrics` only there.
    pub async fn build_with_operations(
        listen: SocketAddr,
        operations: Option<SocketAddr>,
        specs: &[StoreSpec],
        store_options: &StoreOptions,
        api_options: &ApiOptions,
    ) -> anyhow::Result<Self> {
        let stores = open_stores(specs, store_options).await?;
        let bind = |address: SocketAddr| async move {
            TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address}"))
        };
        let listener = bind(listen).await?;
        let operations_listener = match operations {
            Some(address) => Some(bind(address).await?),
            None => None,
        };
        // The binary always serves the web app on its first store.
        let api_options = ApiOptions {
            pages: api_options.pages.or(Some(meetifyr_web::routes)),
            metrics_apart: operations.is_some(),
            ..api_options.clone()
        };
        let service = meetifyr_api::app(stores, &api_options);
        Ok(Self {
            listener,
            router: service.public,
            operations: operations_listener.map(|l| (l, service.operations)),
            live: service.live,
            serve: ServeOptions::default(),
        })
    }

    /// Connection limits (the defaults otherwise: 30 s for headers, 10,000 connections).
    pub fn with_serve_options(mut self, options: ServeOptions) -> Self {
        self.serve = options;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The `--metrics-listen` address, when there is one.
    pub fn operations_addr(&self) -> Option<SocketAddr> {
        let (listener, _) = self.operations.as_ref()?;
        Some(listener.local_addr().expect("a bound listener has an address"))
    }

    /// Open live connections (SSE and WebSocket).
    pub fn live(&self) -> std::sync::Arc<meetifyr_api::Live> {
        self.live.clone()
    }

    /// Serves until `shutdown` completes, then ends live connections and lets in-flight
    /// requests finish. The operators' address stops with it.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let live = self.live;
        let (stop_operations, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = self.serve;
        let operations = self.operations.map(|(listener, router)| {
            tokio::spawn(serve::serve(listener, router, options, async move {
                let _ = stopped.await;
            }))
        });
        let served = serve::serve(self.listener, self.router, options, async move {
            shutdown.await;
            live.close();
        })
        .await;
        let _ = stop_operations.send(());
        if let Some(task) = operations {
            task.await.map_err(std::io::Error::other)??;
        }
        served
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
