//! The live transports: Server-Sent Events and WebSocket over the hub in `live.rs`. Each
//! connection subscribes first, then reads the meeting and offers that snapshot, so no change
//! falls between the two, and sends only versions newer than the last it sent.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    body::Bytes,
    extract::{
        Path, RawQuery, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket, close_code, rejection::WebSocketUpgradeRejection},
    },
    http::{HeaderMap, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use serde_json::json;
use tokio::sync::watch;

use crate::{
    dto::ErrorResponse,
    error::{ApiError, FieldError},
    handlers,
    state::StoreState,
};
use meetifyr_service::{Frame, Live};

/// One live connection: unsubscribes and counts down when it ends.
struct Subscription {
    live: Arc<Live>,
    key: String,
    receiver: watch::Receiver<Option<Arc<Frame>>>,
    closing: watch::Receiver<bool>,
    transport: &'static str,
    store: Arc<str>,
    /// When the connection counts as idle: `idle_timeout` after the last frame sent.
    idle_at: tokio::time::Instant,
}

impl Subscription {
    /// Subscribes, then reads the meeting and offers that snapshot: no change can fall between
    /// the two. 404 for an unknown meeting, 503 beyond the limits.
    async fn open(state: &StoreState, raw: &str, transport: &'static str) -> Result<Self, ApiError> {
        let code = handlers::code(raw)?;
        let key = state.live_key(&code);
        let receiver = state.live.subscribe(&key).map_err(|why| {
            metrics::counter!("meetifyr_live_refused_total", "reason" => "limit").increment(1);
            ApiError::detail(StatusCode::SERVICE_UNAVAILABLE, why)
        })?;
        metrics::gauge!("meetifyr_live_connections", "transport" => transport, "store" => state.name.to_string())
            .increment(1.0);
        let subscription = Self {
            live: state.live.clone(),
            key,
            receiver,
            closing: state.live.closing.subscribe(),
            transport,
            store: state.name.clone(),
            idle_at: tokio::time::Instant::now() + state.live.options.idle_timeout,
        };
        let snapshot = handlers::snapshot(state, &code).await?;
        state.publish(&code, &snapshot);
        Ok(subscription)
    }

    /// The next frame newer than `last`; `None` when the server closes or the connection was idle
    /// for too long.
    async fn next(&mut self, last: i64) -> Option<Arc<Frame>> {
        // A deadline, not a fresh timer per call: a WebSocket's pings restart this future.
        let idle = tokio::time::sleep_until(self.idle_at);
        tokio::pin!(idle);
        loop {
            if *self.closing.borrow_and_update() {
                return None;
            }
            if let Some(frame) = self.receiver.borrow_and_update().clone().filter(|f| f.version > last) {
                if last > 0 && frame.version > last + 1 {
                    metrics::counter!("meetifyr_live_versions_skipped_total")
                        .increment((frame.version - last - 1) as u64);
                }
                return Some(frame);
            }
            tokio::select! {
                changed = self.receiver.changed() => changed.ok()?,
                closing = self.closing.changed() => closing.ok()?,
                () = &mut idle => return None,
            }
        }
    }

    /// Counts a frame as sent, which also keeps the connection from counting as idle.
    fn sent(&mut self, frame: &Frame) {
        self.idle_at = tokio::time::Instant::now() + self.live.options.idle_timeout;
        metrics::counter!("meetifyr_live_frames_sent_total", "transport" => self.transport).increment(1);
        metrics::histogram!("meetifyr_live_push_duration_seconds", "transport" => self.transport)
            .record(frame.published.elapsed().as_secs_f64());
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // The receiver is still counted here: replace it by a detached one first.
        let (_, detached) = watch::channel(None);
        drop(std::mem::replace(&mut self.receiver, detached));
        self.live.release(&self.key);
        metrics::gauge!("meetifyr_live_connections", "transport" => self.transport, "store" => self.store.to_string())
            .decrement(1.0);
    }
}

/// How often an idle SSE stream sends a comment, and a WebSocket a ping: below the 30-60 s after
/// which common proxies close quiet connections.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/events", tag = "Live",
    description = "Server-Sent Events: the whole meeting as GET returns it, with its version \
        (`{\"version\": N, \"meeting\": {…}}`, event id N), on connect and after every change; \
        a keep-alive comment every 15 s; when the meeting is deleted, a `deleted` event \
        (`{\"deleted\": true}`) ends the stream. Reconnecting with `Last-Event-ID` sends nothing until \
        something newer exists. A client too slow to take every version skips to the newest.",
    params(("meeting_url_code" = String, Path),
        ("Last-Event-ID" = Option<i64>, Header, description = "the last version received")),
    responses((status = 200, content_type = "text/event-stream", description = "the stream"),
        (status = 404, body = ErrorResponse),
        (status = 503, description = "too many live connections (of the meeting or the server)", body = ErrorResponse)))]
pub async fn events(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let subscription = Subscription::open(&state, &raw, "sse").await?;
    let stream = futures::stream::unfold((subscription, last), |(mut subscription, last)| async move {
        if last == i64::MAX {
            return None; // the meeting was deleted: its `deleted` event was the last
        }
        let frame = subscription.next(last).await?;
        let event = if frame.deleted {
            Event::default().event("deleted").data(frame.text())
        } else {
            Event::default().id(frame.version.to_string()).data(frame.text())
        };
        subscription.sent(&frame);
        Some((Ok::<_, Infallible>(event), (subscription, frame.version)))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/ws", tag = "Live",
    description = "WebSocket: text messages `{\"version\": N, \"meeting\": {…}}` with the whole \
        meeting as GET returns it, on connect and after every change; a ping every 15 s; \
        `{\"deleted\": true}` and a 1000 close when the meeting is deleted. \
        `?since=N` (the last version received) sends nothing until something newer exists. \
        Browsers' upgrades must come from an allowed `Origin` (the server's own by default). \
        The server closes with 1001 when it shuts down and 1000 after a long idle time.",
    params(("meeting_url_code" = String, Path),
        ("since" = Option<i64>, Query, description = "the last version received")),
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, description = "not a WebSocket upgrade", body = ErrorResponse),
        (status = 403, description = "an Origin that is not allowed", body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse),
        (status = 503, description = "too many live connections (of the meeting or the server)", body = ErrorResponse)))]
pub async fn websocket(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let since = since(query.as_deref())?;
    let upgrade = upgrade.map_err(|e| ApiError::detail(e.status(), e.body_text()))?;
    if !origin_allowed(&headers, &state.live.options.allowed_origins) {
        metrics::counter!("meetifyr_live_refused_total", "reason" => "origin").increment(1);
        return Err(ApiError::detail(
            StatusCode::FORBIDDEN,
            "this origin may not open live connections",
        ));
    }
    let subscription = Subscription::open(&state, &raw, "websocket").await?;
    Ok(upgrade.on_upgrade(move |socket| serve_socket(socket, subscription, since)))
}

/// A browser's `Origin` must be allowed; without a list, it must be this server's own (its
/// host equals `Host`). Requests without `Origin` do not come from another site's page.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if !allowed.is_empty() {
        return allowed
            .iter()
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// `since=N` of a query string; 0 when absent.
fn since(query: Option<&str>) -> Result<i64, ApiError> {
    let raw = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="));
    match raw {
        None => Ok(0),
        Some(v) => v.parse().map_err(|_| {
            ApiError::Validation(vec![FieldError::new(
                "int_parsing",
                vec![json!("query"), json!("since")],
                "Input should be a valid integer, unable to parse string as an integer",
                json!(v),
            )])
        }),
    }
}

async fn serve_socket(mut socket: WebSocket, mut subscription: Subscription, mut last: i64) {
    let mut ping = tokio::time::interval(KEEP_ALIVE);
    ping.tick().await;
    let code = loop {
        tokio::select! {
            frame = subscription.next(last) => {
                let Some(frame) = frame else {
                    break if *subscription.closing.borrow() { close_code::AWAY } else { close_code::NORMAL };
                };
                // Checks the UTF-8 again (a pass over the bytes, far cheaper than the send).
                let Ok(text) = axum::extract::ws::Utf8Bytes::try_from(frame.message.clone()) else {
                    return;
                };
                if socket.send(Message::Text(text)).await.is_err() {
                    return;
                }
                subscription.sent(&frame);
                if frame.deleted {
                    break close_code::NORMAL;
                }
                last = frame.version;
            }
            received = socket.recv() => match received {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {} // pongs and anything a client says are ignored
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    };
    let reason = if code == close_code::AWAY {
        "server shutting down"
    } else if last == i64::MAX || subscription.receiver.borrow().as_ref().is_some_and(|f| f.deleted) {
        "meeting deleted"
    } else {
        "idle"
    };
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_origins_may_open_a_websocket() {
        let headers = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, "meet.example:8000".parse().unwrap());
            if let Some(o) = origin {
                h.insert(header::ORIGIN, o.parse().unwrap());
            }
            h
        };
        let own = vec![];
        assert!(origin_allowed(&headers(None), &own), "not a browser");
        assert!(origin_allowed(&headers(Some("http://meet.example:8000")), &own));
        assert!(!origin_allowed(&headers(Some("https://evil.example")), &own));
        assert!(!origin_allowed(&headers(Some("null")), &own));
        let listed = vec!["https://app.example".to_owned()];
        assert!(origin_allowed(&headers(Some("https://app.example")), &listed));
        assert!(!origin_allowed(&headers(Some("http://meet.example:8000")), &listed));
    }
}
