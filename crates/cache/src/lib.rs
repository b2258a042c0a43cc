//! A cache of serialized responses that is never stale for a client that reads its own write.
//!
//! - Entries are bytes with a per-entry TTL, bounded by their total size (moka does the
//!   eviction); each can carry tags, and the tag index forgets a key when moka drops it (expiry,
//!   eviction, invalidation), so it cannot leak.
//! - `get_or_load` refuses to store a value loaded before an invalidation that happened while it
//!   was loading: a read racing a write can never put the old value back.
//! - Events (`on_create`, `on_update`, `on_delete`) invalidate by the naming convention
//!   `resource:id` (entity key and tag) and `resource:list` (list tag).
//!
//! Per process: several server processes each have their own cache and do not invalidate each
//! other's.

use std::{
    collections::{HashMap, HashSet},
    hash::BuildHasher,
    sync::{
        Arc, Mutex, RwLock,
        atomic::{
            AtomicU64,
            Ordering::{Relaxed, SeqCst},
        },
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use moka::{notification::RemovalCause, sync::Cache as Moka};

#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// TTL of entries stored without one of their own.
    pub default_ttl: Duration,
    /// Upper bound of the values' and keys' total size.
    pub max_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            default_ttl: Duration::from_secs(60),
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
struct Entry {
    value: Bytes,
    ttl: Duration,
    tags: Arc<[String]>,
}

struct PerEntryTtl;

impl moka::Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _created_at: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    // moka's default keeps the old entry's deadline. A value loaded again just after its
    // predecessor expired (still in the map until the next housekeeping) would then be born
    // expired, and every read of a hot key would miss: a new value lives its own TTL.
    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// Counters since start. Latencies are those of `get_or_load` calls: a hit's lookup, a miss's
/// lookup plus load plus store.
#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
    evictions: AtomicU64,
    expirations: AtomicU64,
    hit_nanos: AtomicU64,
    miss_nanos: AtomicU64,
}

/// A snapshot of the cache's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Percent of lookups that hit, 0 to 100.
    pub hit_rate: f64,
    /// Entries removed by `invalidate`, `invalidate_by_tag` and the events.
    pub invalidations: u64,
    /// Entries dropped to stay within `max_bytes`.
    pub evictions: u64,
    /// Entries dropped when their TTL ran out.
    pub expirations: u64,
    pub avg_hit_ms: f64,
    pub avg_miss_ms: f64,
    pub entries: u64,
    pub bytes: u64,
}

/// How many invalidation counters keys are spread over; a collision only costs a skipped store.
const STRIPES: usize = 256;

pub struct Cache {
    entries: Moka<String, Entry>,
    default_ttl: Duration,
    /// tag → keys carrying it
    tags: Arc<Mutex<HashMap<String, HashSet<String>>>>,
    counters: Arc<Counters>,
    /// Counts invalidations. Each one writes its number into the stripe of the key or tag it
    /// removed: `get_or_load` stores a value only if neither its key's stripe nor any of its
    /// tags' stripes was marked after the load began. (One global epoch for tags made every
    /// load under a steady trickle of writes look stale, so nothing was stored again.)
    sequence: AtomicU64,
    key_marks: Box<[AtomicU64]>,
    tag_marks: Box<[AtomicU64]>,
    /// Stores take it shared after checking the epochs; invalidations take it exclusively, so
    /// no store slips between an invalidation's epoch bump and its removal.
    guard: RwLock<()>,
    // Fixed keys: which names share a stripe is the same in every run (a collision only costs
    // a skipped store, and the names are server-made codes and ids).
    hasher: std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>,
    /// `meetifyr_cache_lookup_duration_seconds{result="hit"|"miss"}`, bound to the metrics
    /// recorder installed when the cache is made (none: they record nothing).
    hit_duration: metrics::Histogram,
    miss_duration: metrics::Histogram,
}

/// The lookup histogram's name (its buckets reach down to microseconds: hits take about one).
pub const LOOKUP_DURATION: &str = "meetifyr_cache_lookup_duration_seconds";

impl Cache {
    pub fn new(config: &CacheConfig) -> Self {
        let tags: Arc<Mutex<HashMap<String, HashSet<String>>>> = Arc::default();
        let counters: Arc<Counters> = Arc::default();
        let (listener_tags, listener_counters) = (tags.clone(), counters.clone());
        let entries = Moka::builder()
            .max_capacity(config.max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                let size = key.len() + entry.value.len() + entry.tags.iter().map(String::len).sum::<usize>();
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .eviction_listener(move |key: Arc<String>, entry: Entry, cause| {
                match cause {
                    RemovalCause::Size => listener_counters.evictions.fetch_add(1, Relaxed),
                    RemovalCause::Expired => listener_counters.expirations.fetch_add(1, Relaxed),
                    RemovalCause::Explicit | RemovalCause::Replaced => 0,
                };
                if cause == RemovalCause::Replaced {
                    return; // the new entry re-registered its tags
                }
                let mut index = listener_tags.lock().expect("tag index lock");
                for tag in entry.tags.iter() {
                    if let Some(keys) = index.get_mut(tag) {
                        keys.remove(key.as_str());
                        if keys.is_empty() {
                            index.remove(tag);
                        }
                    }
                }
            })
            .build();
        Self {
            entries,
            default_ttl: config.default_ttl,
            tags,
            counters,
            sequence: AtomicU64::new(0),
            key_marks: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            tag_marks: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            guard: RwLock::new(()),
            hasher: Default::default(),
            hit_duration: metrics::histogram!(LOOKUP_DURATION, "result" => "hit"),
            miss_duration: metrics::histogram!(LOOKUP_DURATION, "result" => "miss"),
        }
    }

    fn stripe<'a>(&self, marks: &'a [AtomicU64], name: &str) -> &'a AtomicU64 {
        &marks[self.hasher.hash_one(name) as usize % STRIPES]
    }

    /// Marks `name`'s stripe of `marks` as invalidated now. Callers hold the guard exclusively.
    fn mark(&self, marks: &[AtomicU64], name: &str) {
        let now = self.sequence.fetch_add(1, SeqCst) + 1;
        self.stripe(marks, name).store(now, SeqCst);
    }

    /// Whether `name`'s stripe was invalidated after invalidation number `since`.
    fn marked_after(&self, marks: &[AtomicU64], name: &str, since: u64) -> bool {
        self.stripe(marks, name).load(SeqCst) > since
    }

    /// The value, if present and not expired. Counts nothing; see [`Cache::get_or_load`].
    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.entries.get(key).map(|e| e.value)
    }

    /// Stores a value (TTL `None` = the default), replacing any previous one and its tags.
    pub fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) {
        self.set_tagged(key, value, ttl, &[]);
    }

    /// Stores a value with tags in one step.
    pub fn set_tagged(&self, key: &str, value: Bytes, ttl: Option<Duration>, tags: &[String]) {
        let _shared = self.guard.read().expect("cache guard");
        self.insert(key, value, ttl, tags);
    }

    fn insert(&self, key: &str, value: Bytes, ttl: Option<Duration>, tags: &[String]) {
        {
            let mut index = self.tags.lock().expect("tag index lock");
            for tag in tags {
                index.entry(tag.clone()).or_default().insert(key.to_owned());
            }
        }
        let entry = Entry {
            value,
            ttl: ttl.unwrap_or(self.default_ttl),
            tags: tags.to_vec().into(),
        };
        self.entries.insert(key.to_owned(), entry);
    }

    /// Adds tags to a stored entry (no effect if the key is absent).
    pub fn tag(&self, key: &str, tags: &[&str]) {
        let _shared = self.guard.read().expect("cache guard");
        let Some(entry) = self.entries.get(key) else { return };
        let mut all: Vec<String> = entry.tags.to_vec();
        all.extend(tags.iter().map(|t| (*t).to_owned()).filter(|t| !entry.tags.contains(t)));
        self.insert(key, entry.value, Some(entry.ttl), &all);
    }

    /// The cached value, or `load`'s, stored with its tags unless an invalidation happened while
    /// loading. `load` returning `Ok(None)` (e.g. not found) stores nothing.
    pub async fn get_or_load<F, Fut, E>(&self, key: &str, load: F) -> Result<Option<Bytes>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<(Bytes, Vec<String>)>, E>>,
    {
        let started = Instant::now();
        if let Some(entry) = self.entries.get(key) {
            let elapsed = started.elapsed();
            self.counters.hits.fetch_add(1, Relaxed);
            self.counters.hit_nanos.fetch_add(elapsed.as_nanos() as u64, Relaxed);
            self.hit_duration.record(elapsed);
            return Ok(Some(entry.value));
        }
        let since = self.sequence.load(SeqCst);
        let loaded = load().await;
        if let Ok(Some((value, tags))) = &loaded {
            let _shared = self.guard.read().expect("cache guard");
            let stale = self.marked_after(&self.key_marks, key, since)
                || tags.iter().any(|t| self.marked_after(&self.tag_marks, t, since));
            if !stale {
                self.insert(key, value.clone(), None, tags);
            }
        }
        let elapsed = started.elapsed();
        self.counters.misses.fetch_add(1, Relaxed);
        self.counters.miss_nanos.fetch_add(elapsed.as_nanos() as u64, Relaxed);
        self.miss_duration.record(elapsed);
        loaded.map(|found| found.map(|(value, _)| value))
    }

    /// Removes one key. Returns whether it was present.
    pub fn invalidate(&self, key: &str) -> bool {
        let _exclusive = self.guard.write().expect("cache guard");
        self.mark(&self.key_marks, key);
        let present = self.entries.remove(key).is_some();
        if present {
            self.counters.invalidations.fetch_add(1, Relaxed);
        }
        present
    }

    /// Removes every key carrying `tag`. Returns how many.
    pub fn invalidate_by_tag(&self, tag: &str) -> usize {
        let _exclusive = self.guard.write().expect("cache guard");
        self.mark(&self.tag_marks, tag);
        let keys = self
            .tags
            .lock()
            .expect("tag index lock")
            .remove(tag)
            .unwrap_or_default();
        let removed = keys
            .iter()
            .filter(|k| self.entries.remove(k.as_str()).is_some())
            .count();
        self.counters.invalidations.fetch_add(removed as u64, Relaxed);
        removed
    }

    /// Counts a hit served by [`Cache::get`] after the caller checked the value is current.
    pub fn count_hit(&self) {
        self.counters.hits.fetch_add(1, Relaxed);
    }

    /// Removes everything, and keeps loads under way from storing what they read before.
    pub fn clear(&self) {
        let _exclusive = self.guard.write().expect("cache guard");
        let now = self.sequence.fetch_add(1, SeqCst) + 1;
        for stripe in self.key_marks.iter().chain(self.tag_marks.iter()) {
            stripe.store(now, SeqCst);
        }
        self.entries.invalidate_all();
        self.tags.lock().expect("tag index lock").clear();
    }

    /// A `resource` was created: its lists are stale.
    pub fn on_create(&self, resource: &str) {
        self.invalidate_by_tag(&format!("{resource}:list"));
    }

    /// `resource` `id` changed: the entity and everything tagged with it, and its lists.
    pub fn on_update(&self, resource: &str, id: &str) {
        let entity = format!("{resource}:{id}");
        self.invalidate(&entity);
        self.invalidate_by_tag(&entity);
        self.invalidate_by_tag(&format!("{resource}:list"));
    }

    /// `resource` `id` is gone: as an update.
    pub fn on_delete(&self, resource: &str, id: &str) {
        self.on_update(resource, id);
    }

    /// How many keys the tag index holds (for leak checks).
    pub fn tagged_keys(&self) -> usize {
        self.entries.run_pending_tasks();
        self.tags
            .lock()
            .expect("tag index lock")
            .values()
            .map(HashSet::len)
            .sum()
    }

    pub fn stats(&self) -> CacheStats {
        self.entries.run_pending_tasks();
        let c = &self.counters;
        let (hits, misses) = (c.hits.load(Relaxed), c.misses.load(Relaxed));
        let avg = |nanos: u64, n: u64| if n == 0 { 0.0 } else { nanos as f64 / n as f64 / 1e6 };
        CacheStats {
            hits,
            misses,
            hit_rate: if hits + misses == 0 {
                0.0
            } else {
                100.0 * hits as f64 / (hits + misses) as f64
            },
            invalidations: c.invalidations.load(Relaxed),
            evictions: c.evictions.load(Relaxed),
            expirations: c.expirations.load(Relaxed),
            avg_hit_ms: avg(c.hit_nanos.load(Relaxed), hits),
            avg_miss_ms: avg(c.miss_nanos.load(Relaxed), misses),
            entries: self.entries.entry_count(),
            bytes: self.entries.weighted_size(),
        }
    }
}

#[cfg(test)]
mod tests;
