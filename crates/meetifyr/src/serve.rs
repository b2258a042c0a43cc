//! The accept loop: HTTP/1.1 (with upgrades, for WebSocket) under two limits `axum::serve`
//! does not offer, a deadline for a request's headers and a cap on open connections.
//!
//! - **Headers within `header_read_timeout`** (hyper's timer): a client that opens a connection
//!   and sends nothing, or sends its headers a byte at a time (slowloris), is closed when it
//!   runs out; the same deadline closes a keep-alive connection idle between requests. A body
//!   sent slowly is bounded by `--request-timeout`; streams being answered (SSE) and upgraded
//!   WebSockets are not affected.
//! - **At most `max_connections` open**: beyond it a new connection is closed at once (and
//!   counted), so the kernel's queue never fills with clients that would wait for nothing.
//!
//! HTTP/2 is not offered in cleartext (h2c): browsers speak it only over TLS, which a proxy in
//! front terminates, and it would need a second deadline for the protocol sniffing.

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request},
};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt as _;

#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(30),
            max_connections: 10_000,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets every connection finish
/// its request in flight and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    describe();
    let permits = Arc::new(tokio::sync::Semaphore::new(options.max_connections));
    let (stopping_tx, stopping) = watch::channel(false);
    // Every connection holds a receiver; the loop's end waits for all of them to be dropped.
    let (open_tx, open) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                    // little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            metrics::counter!("meetifyr_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let mut stopping = stopping.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let connections = metrics::gauge!("meetifyr_connections");
            connections.increment(1.0);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(options.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            let mut asked_to_stop = *stopping.borrow();
            if asked_to_stop {
                connection.as_mut().graceful_shutdown();
            }
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    changed = stopping.changed(), if !asked_to_stop => {
                        if changed.is_err() || *stopping.borrow() {
                            asked_to_stop = true;
                            connection.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            connections.decrement(1.0);
            drop(open);
        });
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    drop(open);
    open_tx.closed().await;
    Ok(())
}

fn describe() {
    metrics::describe_gauge!(
        "meetifyr_connections",
        "Open client connections (HTTP and upgraded WebSockets)."
    );
    metrics::describe_counter!(
        "meetifyr_connections_refused_total",
        "Connections closed at once because --max-connections were open."
    );
}
