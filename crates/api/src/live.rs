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
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::{
        Path, RawQuery, State, WebSocketUpgrade,
        ws::{Message, Utf8Bytes, WebSocket, rejection::WebSocketUpgradeRejection},
    },
    http::HeaderMap,
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

/// One version of a meeting as pushed to clients.
#[derive(Debug)]
pub struct Frame {
    pub version: i64,
    /// `{"version": N, "meeting": <GET's body>}`.
    pub message: Utf8Bytes,
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
        }
    }
}

type Slot = watch::Sender<Option<Arc<Frame>>>;

/// The channels of the meetings someone watches, by `store:code`.
#[derive(Default)]
pub struct Live {
    channels: Mutex<HashMap<String, Slot>>,
}

impl Live {
    fn channels(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.channels.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of the meeting's frames (creating its channel if nobody watched it yet).
    pub fn subscribe(&self, key: &str) -> watch::Receiver<Option<Arc<Frame>>> {
        let mut channels = self.channels();
        match channels.get(key) {
            Some(slot) => slot.subscribe(),
            None => {
                let (slot, receiver) = watch::channel(None);
                channels.insert(key.to_owned(), slot);
                receiver
            }
        }
    }

    /// Whether anyone watches the meeting (so a write can skip reading it again).
    pub fn watched(&self, key: &str) -> bool {
        self.channels().get(key).is_some_and(|slot| slot.receiver_count() > 0)
    }

    /// Offers a snapshot to the meeting's watchers; kept only if newer than the one they have.
    pub fn publish(&self, key: &str, snapshot: &MeetingSnapshot) {
        let channels = self.channels();
        let Some(slot) = channels.get(key) else { return };
        slot.send_if_modified(|current| {
            if current.as_ref().is_some_and(|f| f.version >= snapshot.version) {
                return false;
            }
            *current = Some(Arc::new(Frame::of(snapshot)));
            true
        });
    }

    /// Forgets the channel of a meeting nobody watches any more.
    pub fn release(&self, key: &str) {
        let mut channels = self.channels();
        if channels.get(key).is_some_and(|slot| slot.receiver_count() == 0) {
            channels.remove(key);
        }
    }

    /// Meetings with a channel (watched, or released lazily).
    #[cfg(test)]
    pub fn meetings(&self) -> usize {
        self.channels().len()
    }
}

/// Unsubscribes when a live connection ends (after its receiver is dropped).
struct Subscription {
    live: Arc<Live>,
    key: String,
    receiver: watch::Receiver<Option<Arc<Frame>>>,
}

impl Subscription {
    /// Subscribes, then reads the meeting and offers that snapshot: no change can fall between
    /// the two. 404 for an unknown meeting.
    async fn open(state: &StoreState, raw: &str) -> Result<Self, ApiError> {
        let code = handlers::code(raw)?;
        let key = state.live_key(&code);
        let receiver = state.live.subscribe(&key);
        let subscription = Self {
            live: state.live.clone(),
            key,
            receiver,
        };
        let snapshot = handlers::snapshot(state, &code).await?;
        state.publish(&code, &snapshot);
        Ok(subscription)
    }

    /// The next frame newer than `last`; `None` when the server shuts the channel.
    async fn next(&mut self, last: i64) -> Option<Arc<Frame>> {
        loop {
            if let Some(frame) = self.receiver.borrow_and_update().clone().filter(|f| f.version > last) {
                return Some(frame);
            }
            self.receiver.changed().await.ok()?;
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // The receiver is still counted here: replace it by a detached one first.
        let (_, detached) = watch::channel(None);
        drop(std::mem::replace(&mut self.receiver, detached));
        self.live.release(&self.key);
    }
}

/// How often an idle SSE stream sends a comment, and a WebSocket a ping: below the 30-60 s after
/// which common proxies close quiet connections.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/events", tag = "Live",
    description = "Server-Sent Events: the whole meeting as GET returns it, with its version \
        (`{\"version\": N, \"meeting\": {…}}`, event id N), on connect and after every change. \
        Reconnecting with `Last-Event-ID` sends nothing until something newer exists.",
    params(("meeting_url_code" = String, Path),
        ("Last-Event-ID" = Option<i64>, Header, description = "the last version received")),
    responses((status = 200, content_type = "text/event-stream", description = "the stream"),
        (status = 404, body = ErrorResponse)))]
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
    let subscription = Subscription::open(&state, &raw).await?;
    let stream = futures::stream::unfold((subscription, last), |(mut subscription, last)| async move {
        let frame = subscription.next(last).await?;
        let event = Event::default()
            .id(frame.version.to_string())
            .data(frame.message.as_str());
        Some((Ok::<_, Infallible>(event), (subscription, frame.version)))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}

#[utoipa::path(get, path = "/v1/meetings/{meeting_url_code}/ws", tag = "Live",
    description = "WebSocket: text messages `{\"version\": N, \"meeting\": {…}}` with the whole \
        meeting as GET returns it, on connect and after every change. `?since=N` (the last version \
        received) sends nothing until something newer exists.",
    params(("meeting_url_code" = String, Path),
        ("since" = Option<i64>, Query, description = "the last version received")),
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, description = "not a WebSocket upgrade", body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn websocket(
    State(state): State<StoreState>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let since = since(query.as_deref())?;
    let upgrade = upgrade.map_err(|e| ApiError::detail(e.status(), e.body_text()))?;
    let subscription = Subscription::open(&state, &raw).await?;
    Ok(upgrade.on_upgrade(move |socket| serve_socket(socket, subscription, since)))
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
    loop {
        tokio::select! {
            frame = subscription.next(last) => {
                let Some(frame) = frame else { break };
                if socket.send(Message::Text(frame.message.clone())).await.is_err() {
                    break;
                }
                last = frame.version;
            }
            received = socket.recv() => match received {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {} // pongs and anything a client says are ignored
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                    break;
                }
            }
        }
    }
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
        let live = Live::default();
        let mut rx = live.subscribe("s:abc");
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
        let live = Live::default();
        let rx = live.subscribe("s:abc");
        assert!(live.watched("s:abc") && !live.watched("s:other"));
        live.publish("s:other", &snapshot(1)); // nobody watches: nothing kept
        assert_eq!(live.meetings(), 1);
        drop(rx);
        live.release("s:abc");
        assert_eq!(live.meetings(), 0);
    }
}
