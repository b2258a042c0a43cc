//! Fan-out between instances that share a database: each write is announced as `(meeting,
//! version)`; every other instance drops its cached copy and pushes the meeting to its own
//! watchers. PostgreSQL's LISTEN/NOTIFY (`--bus postgres`) or Redis pub/sub (`--bus
//! redis://…`, for any backend) carries the announcements.
//!
//! Reads never depend on the bus: with a bus, every cached meeting is checked against the
//! database's version before it is served (one indexed row), so a lost or late announcement
//! can delay a live push, never serve a stale read. When the listening connection drops (or its
//! heartbeat stops coming back: a half-open connection), the caches are flushed, a WARNING and
//! `meetifyr_bus_disconnects_total` say so, and once it is back every watched meeting is read
//! again and pushed.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use meetifyr_core::UrlCode;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::mpsc;

use futures::future::BoxFuture;

/// What the bus asks of a store it serves: it knows nothing else of them (`state.rs`
/// implements it), so the transports below can change without touching the stores.
pub trait Subscriber: Send + Sync + 'static {
    /// Another instance wrote to the meeting (`deleted`: it deleted it).
    fn changed(&self, code: UrlCode, deleted: bool) -> BoxFuture<'_, ()>;
    /// Announcements may have been missed: drop every cached meeting, and with `resend`, push
    /// every watched meeting to its watchers again.
    fn lost_track(&self, resend: bool) -> BoxFuture<'_, ()>;
}

/// The NOTIFY channel every instance listens on.
const CHANNEL: &str = "meetifyr_changes";
/// How often an instance sends itself a heartbeat through the bus.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// A heartbeat not back after this means the listening connection is dead.
const HEARTBEAT_LOST: Duration = Duration::from_secs(15);
/// Version announced for a deleted meeting.
pub const DELETED: i64 = -1;

/// How instances that share a database hear of each other's writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BusOptions {
    /// One instance per database (the default): nothing to fan out, nothing to check.
    #[default]
    None,
    /// LISTEN/NOTIFY on this PostgreSQL database (the primary: not through a pooler).
    Postgres { url: String },
    /// Pub/sub on this Redis server.
    Redis(crate::RedisServer),
}

/// One announced write.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    instance: u64,
    store: String,
    code: String,
    version: i64,
}

impl Change {
    /// `instance|store|code|version`: codes and store names hold no `|`.
    fn encode(&self) -> String {
        format!("{:x}|{}|{}|{}", self.instance, self.store, self.code, self.version)
    }

    fn decode(payload: &str) -> Option<Self> {
        let mut parts = payload.split('|');
        let change = Self {
            instance: u64::from_str_radix(parts.next()?, 16).ok()?,
            store: parts.next()?.to_owned(),
            code: parts.next()?.to_owned(),
            version: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(change)
    }
}

/// This instance's end of the bus.
pub struct Bus {
    instance: u64,
    out: mpsc::UnboundedSender<Change>,
    connected: AtomicBool,
    /// The stores this instance serves, by name, to apply others' changes to.
    stores: Mutex<HashMap<String, Arc<dyn Subscriber>>>,
}

impl Bus {
    /// Starts the bus's tasks; `None` for [`BusOptions::None`].
    pub fn start(options: &BusOptions) -> Option<Arc<Self>> {
        if *options == BusOptions::None {
            return None;
        }
        describe();
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).expect("the operating system's random source failed");
        let (out, queue) = mpsc::unbounded_channel();
        let bus = Arc::new(Self {
            instance: u64::from_le_bytes(id),
            out,
            connected: AtomicBool::new(false),
            stores: Mutex::new(HashMap::new()),
        });
        tokio::spawn(send(options.clone(), queue));
        tokio::spawn(listen(bus.clone(), options.clone()));
        tokio::spawn(heartbeat(bus.clone()));
        Some(bus)
    }

    /// Announcements naming `store` go to `subscriber`.
    pub(crate) fn register(&self, store: &str, subscriber: Arc<dyn Subscriber>) {
        self.stores
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(store.to_owned(), subscriber);
    }

    /// Whether the listening connection is up (for `/health/ready`).
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Tells the other instances that a meeting of `store` is now at `version`.
    pub(crate) fn announce(&self, store: &str, code: &UrlCode, version: i64) {
        let _ = self.out.send(Change {
            instance: self.instance,
            store: store.to_owned(),
            code: code.to_string(),
            version,
        });
        metrics::counter!("meetifyr_bus_sent_total").increment(1);
    }

    fn stores(&self) -> Vec<Arc<dyn Subscriber>> {
        self.stores
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Another instance's write: the cached copy goes, and watchers here get the new version.
    async fn apply(&self, change: Change) {
        let state = self
            .stores
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&change.store)
            .cloned();
        let (Some(state), Some(code)) = (state, UrlCode::parse(&change.code)) else {
            return;
        };
        metrics::counter!("meetifyr_bus_received_total").increment(1);
        state.changed(code, change.version == DELETED).await;
    }

    /// The connection was lost (or is back): nothing cached can be trusted to have heard of
    /// the writes in between, and watchers may have missed pushes.
    async fn resynchronise(&self) {
        for state in self.stores() {
            state.lost_track(true).await;
        }
    }
}

/// Sends announcements and heartbeats: `pg_notify` on a small pool of its own, or Redis
/// `PUBLISH` on a multiplexed connection (opened again after a failure).
async fn send(options: BusOptions, mut queue: mpsc::UnboundedReceiver<Change>) {
    enum Sender {
        Postgres(sqlx::PgPool),
        Redis(Box<(redis::Client, Option<redis::aio::MultiplexedConnection>)>),
    }
    let mut sender = match &options {
        BusOptions::Postgres { url } => match PgPoolOptions::new().max_connections(2).connect_lazy(url) {
            Ok(pool) => Sender::Postgres(pool),
            Err(e) => return tracing::error!(error = %e, "the bus cannot use its database address"),
        },
        BusOptions::Redis(server) => match server.client() {
            Ok(client) => Sender::Redis(Box::new((client, None))),
            Err(e) => return tracing::error!(error = %e, "the bus cannot use its Redis address"),
        },
        BusOptions::None => return,
    };
    while let Some(change) = queue.recv().await {
        let payload = change.encode();
        let sent: Result<(), String> = match &mut sender {
            Sender::Postgres(pool) => sqlx::query("select pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&*pool)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Sender::Redis(redis) => {
                let (client, connection) = &mut **redis;
                if connection.is_none() {
                    *connection = client.get_multiplexed_async_connection().await.ok();
                }
                match connection {
                    Some(c) => {
                        let published: redis::RedisResult<i64> =
                            redis::cmd("PUBLISH").arg(CHANNEL).arg(&payload).query_async(c).await;
                        published.map(|_| ()).map_err(|e| {
                            *connection = None;
                            e.to_string()
                        })
                    }
                    None => Err("no connection to Redis".into()),
                }
            }
        };
        if let Err(e) = sent {
            metrics::counter!("meetifyr_bus_send_failures_total").increment(1);
            tracing::warn!(error = %e, "cannot announce a change on the bus");
        }
    }
}

/// Sends this instance a heartbeat through the bus now and then.
async fn heartbeat(bus: Arc<Bus>) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tick.tick().await;
        let _ = bus.out.send(Change {
            instance: bus.instance,
            store: String::new(),
            code: "heartbeat".into(),
            version: 0,
        });
    }
}

/// The listening end of either bus.
enum Listener {
    Postgres(PgListener),
    Redis(redis::aio::PubSubStream),
}

impl Listener {
    async fn connect(options: &BusOptions) -> Result<Self, String> {
        match options {
            BusOptions::Postgres { url } => {
                // Named, so that an operator (or a test) can find it in pg_stat_activity.
                let separator = if url.contains('?') { '&' } else { '?' };
                let named = format!("{url}{separator}application_name=meetifyr-bus");
                let mut listener = PgListener::connect(&named).await.map_err(|e| e.to_string())?;
                // A lost connection surfaces as `Ok(None)` and is not healed behind our back:
                // the writes in between went unheard, and the caller flushes first.
                listener.eager_reconnect(false);
                listener.listen(CHANNEL).await.map_err(|e| e.to_string())?;
                Ok(Self::Postgres(listener))
            }
            BusOptions::Redis(server) => {
                let client = server.client()?;
                let mut pubsub = client.get_async_pubsub().await.map_err(|e| e.to_string())?;
                pubsub.subscribe(CHANNEL).await.map_err(|e| e.to_string())?;
                Ok(Self::Redis(pubsub.into_on_message()))
            }
            BusOptions::None => Err("no bus".into()),
        }
    }

    /// The next payload; `None` when the connection is gone.
    async fn next(&mut self) -> Option<String> {
        use futures::StreamExt as _;
        match self {
            Self::Postgres(listener) => match listener.try_recv().await {
                Ok(Some(notification)) => Some(notification.payload().to_owned()),
                Ok(None) | Err(_) => None,
            },
            Self::Redis(stream) => stream
                .next()
                .await
                .map(|m| m.get_payload::<String>().unwrap_or_default()),
        }
    }
}

/// Listens, reconnecting for ever; a lost connection or a missing heartbeat flushes and
/// resynchronises.
async fn listen(bus: Arc<Bus>, options: BusOptions) {
    let mut backoff = Duration::from_millis(200);
    loop {
        let mut listener = match Listener::connect(&options).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "the bus cannot connect; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(200);
        bus.connected.store(true, Ordering::Relaxed);
        metrics::gauge!("meetifyr_bus_connected").set(1.0);
        bus.resynchronise().await;
        let mut last_heartbeat = tokio::time::Instant::now();
        let why = loop {
            let deadline = last_heartbeat + HEARTBEAT_LOST;
            match tokio::time::timeout_at(deadline, listener.next()).await {
                Err(_) => break "no heartbeat came back",
                Ok(None) => break "the connection was lost",
                Ok(Some(payload)) => {
                    let Some(change) = Change::decode(&payload) else {
                        continue;
                    };
                    if change.instance == bus.instance {
                        if change.code == "heartbeat" {
                            last_heartbeat = tokio::time::Instant::now();
                        }
                        continue;
                    }
                    if change.store.is_empty() {
                        continue; // another instance's heartbeat
                    }
                    bus.apply(change).await;
                }
            }
        };
        bus.connected.store(false, Ordering::Relaxed);
        metrics::gauge!("meetifyr_bus_connected").set(0.0);
        metrics::counter!("meetifyr_bus_disconnects_total").increment(1);
        tracing::warn!(
            reason = why,
            "bus connection lost: caches flushed; watchers resynchronise when it is back"
        );
        for state in bus.stores() {
            state.lost_track(false).await;
        }
        drop(listener);
    }
}

fn describe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::describe_gauge!(
            "meetifyr_bus_connected",
            "1 while the bus's listening connection is up."
        );
        metrics::describe_counter!(
            "meetifyr_bus_disconnects_total",
            "Times the bus's connection was lost or its heartbeat stopped (caches flushed each time)."
        );
        metrics::describe_counter!("meetifyr_bus_sent_total", "Changes this instance announced.");
        metrics::describe_counter!(
            "meetifyr_bus_received_total",
            "Changes of other instances applied here."
        );
        metrics::describe_counter!(
            "meetifyr_bus_send_failures_total",
            "Announcements the database refused."
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_round_trips_and_garbage_is_ignored() {
        let change = Change {
            instance: 0xdead_beef,
            store: "postgres".into(),
            code: "Ab3xYz".into(),
            version: 42,
        };
        assert_eq!(Change::decode(&change.encode()), Some(change));
        for bad in ["", "x|y", "zz|s|c|1", "1|s|c|v", "1|s|c|1|extra"] {
            assert_eq!(Change::decode(bad), None, "{bad}");
        }
    }
}
