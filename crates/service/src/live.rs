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
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use tokio::sync::watch;

use crate::snapshot::MeetingSnapshot;

/// Limits of live connections; each is a flag of the server (docs/configuration.md).
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
    /// `{"version": N, "meeting": <GET's body>}`: UTF-8 (see [`Frame::text`]).
    pub message: Bytes,
    /// When it was published: right after the write committed and its meeting was read again.
    pub published: Instant,
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
        let message = Bytes::from(message);
        Self {
            version: snapshot.version,
            message,
            published: Instant::now(),
            deleted: false,
        }
    }

    /// The message as text (frames hold JSON we wrote: always UTF-8).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.message).expect("JSON written by us is UTF-8")
    }

    /// The frame that tells watchers the meeting is gone: newer than any version.
    fn deleted() -> Self {
        Self {
            version: i64::MAX,
            message: Bytes::from_static(b"{\"deleted\":true}"),
            published: Instant::now(),
            deleted: true,
        }
    }
}

type Slot = watch::Sender<Option<Arc<Frame>>>;

/// The channels of the meetings someone watches, by `store:code`.
pub struct Live {
    pub options: LiveOptions,
    channels: Mutex<HashMap<String, Slot>>,
    connections: AtomicUsize,
    pub closing: watch::Sender<bool>,
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
    pub fn subscribe(&self, key: &str) -> Result<watch::Receiver<Option<Arc<Frame>>>, &'static str> {
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
    pub fn release(&self, key: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(version: i64) -> MeetingSnapshot {
        MeetingSnapshot {
            version,
            closes_at: None,
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
        assert_eq!(frame.text(), r#"{"version":5,"meeting":{"title":"v5"}}"#);
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
}
