//! Live meetings: every open view gets the whole meeting again after each change.
//!
//! Per meeting one `tokio::sync::watch` channel holds the newest frame (`{"version": N,
//! "meeting": {…}}`, serialized once per version and shared by every subscriber). A subscriber
//! that is slow to take frames skips to the newest one instead of queueing old ones, so no
//! client can slow a writer or grow the server's memory. Frames are published after the write
//! committed and the response cache was invalidated, from a fresh read: a pushed frame is never
//! older than the write that caused it. Each subscriber sends only versions newer than the last
//! it sent, so the versions a client sees only grow.

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::{
        Path, RawQuery, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code, rejection::WebSocketUpgradeRejection},
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
    state::{MeetingSnapshot, StoreState},
};

/// Limits of live connections; each is a flag of the server (see the README).
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Open streams of one meeting at most; more are refused with 503.
    pub max_per_meeting: usize,
    /// Open streams of this process at most; more are refused with 503.
    pub max_connections: usize,
    /// A stream that sent nothing for this long is closed (clients reconnect with their version).
    pub idle_timeout: Duration,
    /// Origins whose pages may open a WebSocket (`https://example.org`); empty: the server's own
    /// origin only (the `Origin` header's host equals `Host`). Clients that send no `Origin`
    /// (not browsers) are let through: the check is against other sites' pages.
    pub allowed_origins: Vec<String>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            max_per_meeting: 1_000,
            max_connections: 20_000,
            idle_timeout: Duration::from_secs(3_600),
            allowed_origins: Vec::new(),
        }
    }
}

/// One version of a meeting as pushed to clients.
#[derive(Debug)]
pub struct Frame {
    pub version: i64,
    /// `{"version": N, "meeting": <GET's body>}`.
    pub message: Utf8Bytes,
    /// When it was published: right after the write committed and its meeting was read again.
    published: Instant,
    /// The meeting was deleted: the last frame of its streams.
    pub deleted: bool,
}

impl Frame {
    pub fn of(snapshot: &MeetingSnapshot) -> Self {
        let mut message = Vec::with_capacity(32 + snapshot.json.len());
        message.extend_from_slice(b"{\"version\":");
        message.extend_from_slice(itoa::Buffer::new().format(snapshot.version).as_bytes());
        message.extend_from_slice(b",\"meeting\":");
        message.extend_from_slice(&snapshot.json);
        message.push(b'}');
        let message = Utf8Bytes::try_from(message).expect("JSON written by us is UTF-8");
        Self {
            version: snapshot.version,
            message,
            published: Instant::now(),
            deleted: false,
        }
    }

    /// The frame that tells watchers the meeting is gone: newer than any version.
    fn deleted() -> Self {
        Self {
            version: i64::MAX,
            message: Utf8Bytes::from_static("{\"deleted\":true}"),
            published: Instant::now(),
            deleted: true,
        }
    }
}

type Slot = watch::Sender<Option<Arc<Frame>>>;

/// The channels of the meetings someone watches, by `store:code`.
pub struct Live {
    options: LiveOptions,
    channels: Mutex<HashMap<String, Slot>>,
    connections: AtomicUsize,
    closing: watch::Sender<bool>,
}

impl Live {
    pub fn new(options: LiveOptions) -> Self {
        describe();
        Self {
            options,
            channels: Mutex::new(HashMap::new()),
            connections: AtomicUsize::new(0),
            closing: watch::channel(false).0,
        }
    }

    fn channels(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.channels.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of the meeting's frames (creating its channel if nobody watched it yet), or
    /// why the limits refuse one more.
    fn subscribe(&self, key: &str) -> Result<watch::Receiver<Option<Arc<Frame>>>, &'static str> {
        let mut channels = self.channels();
        if self.connections.load(Relaxed) >= self.options.max_connections {
            return Err("this server has as many live connections as it takes; try again later");
        }
        let receiver = match channels.get(key) {
            Some(slot) if slot.receiver_count() >= self.options.max_per_meeting => {
                return Err("this meeting has as many live viewers as it takes; try again later");
            }
            Some(slot) => slot.subscribe(),
            None => {
                let (slot, receiver) = watch::channel(None);
                channels.insert(key.to_owned(), slot);
                receiver
            }
        };
        self.connections.fetch_add(1, Relaxed);
        Ok(receiver)
    }

    /// Whether anyone watches the meeting (so a write can skip reading it again).
    pub fn watched(&self, key: &str) -> bool {
        self.channels().get(key).is_some_and(|slot| slot.receiver_count() > 0)
    }

    /// Offers a snapshot to the meeting's watchers; kept only if newer than the one they have.
    pub fn publish(&self, key: &str, snapshot: &MeetingSnapshot) {
        let newer = |current: &Option<Arc<Frame>>| current.as_ref().is_none_or(|f| f.version < snapshot.version);
        if !self.channels().get(key).is_some_and(|slot| newer(&slot.borrow())) {
            return;
        }
        // Built outside the lock every meeting shares; checked again under it.
        let frame = Arc::new(Frame::of(snapshot));
        let channels = self.channels();
        let Some(slot) = channels.get(key) else { return };
        let published = slot.send_if_modified(|current| {
            if !newer(current) {
                return false;
            }
            *current = Some(frame);
            true
        });
        if published {
            metrics::counter!("meetifyr_live_snapshots_published_total").increment(1);
        }
    }

    /// The codes of `store`'s meetings someone watches here.
    pub fn watched_codes(&self, store: &str) -> Vec<meetifyr_core::UrlCode> {
        let prefix = format!("{store}:");
        self.channels()
            .iter()
            .filter(|(_, slot)| slot.receiver_count() > 0)
            .filter_map(|(key, _)| key.strip_prefix(&prefix))
            .filter_map(meetifyr_core::UrlCode::parse)
            .collect()
    }

    /// Tells the meeting's watchers it was deleted; their streams end after that.
    pub fn close_channel(&self, key: &str) {
        if let Some(slot) = self.channels().get(key) {
            slot.send_replace(Some(Arc::new(Frame::deleted())));
        }
    }

    /// One connection ended: forgets the channel of a meeting nobody watches any more.
    fn release(&self, key: &str) {
        self.connections.fetch_sub(1, Relaxed);
        let mut channels = self.channels();
        if channels.get(key).is_some_and(|slot| slot.receiver_count() == 0) {
            channels.remove(key);
        }
    }

    /// Ends every live connection (WebSockets with a 1001 close), now and from now on: for a
    /// prompt shutdown.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Open live connections.
    pub fn connections(&self) -> usize {
        self.connections.load(Relaxed)
    }

    /// Meetings with a channel.
    #[cfg(test)]
    pub fn meetings(&self) -> usize {
        self.channels().len()
    }
}

/// HELP texts of the live series (promtool wants one for every metric).
fn describe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::describe_gauge!(
            "meetifyr_live_connections",
            "Open live connections by transport (sse, websocket) and store."
        );
        metrics::describe_counter!(
            "meetifyr_live_snapshots_published_total",
            "Meeting versions published to live channels (each serialized once)."
        );
        metrics::describe_counter!(
            "meetifyr_live_frames_sent_total",
            "Frames sent to live clients by transport."
        );
        metrics::describe_counter!(
            "meetifyr_live_versions_skipped_total",
            "Versions a live client never got because a newer one replaced them before it took \
             them (slow clients skip to the newest)."
        );
        metrics::describe_counter!(
            "meetifyr_live_refused_total",
            "Live connections refused, by reason (limit, origin)."
        );
        metrics::describe_histogram!(
            "meetifyr_live_push_duration_seconds",
            "From a write's publication (after commit and cache invalidation) to the frame's send, by transport."
        );
    });
}

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
            Event::default().event("deleted").data(frame.message.as_str())
        } else {
            Event::default()
                .id(frame.version.to_string())
                .data(frame.message.as_str())
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
                if socket.send(Message::Text(frame.message.clone())).await.is_err() {
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

    fn snapshot(version: i64) -> MeetingSnapshot {
        MeetingSnapshot {
            version,
            json: Bytes::from(format!("{{\"title\":\"v{version}\"}}")),
        }
    }

    #[tokio::test]
    async fn a_watcher_gets_the_newest_frame_and_never_an_older_one() {
        let live = Live::new(LiveOptions::default());
        let mut rx = live.subscribe("s:abc").unwrap();
        live.publish("s:abc", &snapshot(3));
        live.publish("s:abc", &snapshot(5));
        live.publish("s:abc", &snapshot(4)); // late and older: dropped
        rx.changed().await.unwrap();
        let frame = rx.borrow_and_update().clone().unwrap();
        assert_eq!(frame.version, 5);
        assert_eq!(frame.message.as_str(), r#"{"version":5,"meeting":{"title":"v5"}}"#);
        assert!(!rx.has_changed().unwrap(), "a slow watcher skips to the newest");
    }

    #[tokio::test]
    async fn channels_of_unwatched_meetings_are_released() {
        let live = Live::new(LiveOptions::default());
        let rx = live.subscribe("s:abc").unwrap();
        assert!(live.watched("s:abc") && !live.watched("s:other"));
        live.publish("s:other", &snapshot(1)); // nobody watches: nothing kept
        assert_eq!((live.meetings(), live.connections()), (1, 1));
        drop(rx);
        live.release("s:abc");
        assert_eq!((live.meetings(), live.connections()), (0, 0));
    }

    #[test]
    fn the_limits_refuse_one_more_per_meeting_and_per_process() {
        let live = Live::new(LiveOptions {
            max_per_meeting: 2,
            max_connections: 3,
            ..LiveOptions::default()
        });
        let _a = live.subscribe("s:a").unwrap();
        let _b = live.subscribe("s:a").unwrap();
        assert!(live.subscribe("s:a").is_err(), "a third viewer of one meeting");
        let _c = live.subscribe("s:b").unwrap();
        assert!(live.subscribe("s:c").is_err(), "a fourth connection");
    }

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
