//! One mounted store's use cases: its meetings read through the response cache, writes
//! announced to watchers here and to other instances through the bus, and the checks of
//! organiser keys and passwords.

use std::sync::Arc;

use meetifyr_cache::Cache;
use meetifyr_core::{Store, UrlCode};

use crate::{
    auth::Auth,
    bus::{Bus, Subscriber},
    error::ServiceError,
    live::Live,
    snapshot::MeetingSnapshot,
};

/// A store and what serves it: its name (`/v1/{name}/` in the API), the process's response
/// cache, live hub, password checks and bus.
#[derive(Clone)]
pub struct StoreService {
    pub name: Arc<str>,
    pub store: Arc<dyn Store>,
    pub cache: Option<Arc<Cache>>,
    pub live: Arc<Live>,
    pub auth: Arc<Auth>,
    /// Other instances share the database: writes are announced, and cached meetings are
    /// checked against the stored version before they are served.
    pub bus: Option<Arc<Bus>>,
    pub clock: meetifyr_core::Clock,
    /// Time meetings' grids by code, once read: a grid never changes, and a code is never
    /// reused, so every answer is checked without reading the meeting again.
    pub grids: TimeGrids,
}

/// Grids of time meetings by code, at most [`TimeGrids::KEEP`] (then forgotten together).
#[derive(Clone, Default)]
pub struct TimeGrids(Arc<std::sync::Mutex<std::collections::HashMap<UrlCode, meetifyr_core::TimeGrid>>>);

impl TimeGrids {
    const KEEP: usize = 10_000;

    fn get(&self, code: &UrlCode) -> Option<meetifyr_core::TimeGrid> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(code).cloned()
    }

    fn put(&self, code: &UrlCode, grid: &meetifyr_core::TimeGrid) {
        let mut grids = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if grids.len() >= Self::KEEP {
            grids.clear();
        }
        grids.insert(code.clone(), grid.clone());
    }
}

impl StoreService {
    /// A time meeting's grid (`None`: a day meeting, or no such meeting).
    pub async fn time_grid(&self, code: &UrlCode) -> Result<Option<meetifyr_core::TimeGrid>, ServiceError> {
        if let Some(grid) = self.grids.get(code) {
            return Ok(Some(grid));
        }
        let grid = match self.store.find_meeting(code).await? {
            Some(meetifyr_core::Meeting {
                grid: meetifyr_core::Grid::Times(grid),
                ..
            }) => grid,
            _ => return Ok(None),
        };
        self.grids.put(code, &grid);
        Ok(Some(grid))
    }

    /// With a bus, other instances' announcements about this store reach it from now on.
    pub fn join_bus(&self) {
        if let Some(bus) = &self.bus {
            bus.register(&self.name, Arc::new(self.clone()));
        }
    }

    /// Cache resource of this store's meetings: entries `{store}/meeting:{code}`.
    fn meetings(&self) -> String {
        format!("{}/meeting", self.name)
    }

    /// Cache tag of a participant: every cached meeting that lists it carries it.
    fn participant_tag(&self, id: i64) -> String {
        format!("{}/participant:{id}", self.name)
    }

    /// The serialized GET response of a meeting and its version, from the cache when it holds
    /// it, as of now (see [`MeetingSnapshot::as_of`]).
    pub async fn meeting(&self, code: &UrlCode) -> Result<Option<MeetingSnapshot>, ServiceError> {
        let load = || async {
            let Some(meeting) = self.store.find_meeting(code).await? else {
                return Ok(None);
            };
            // Tags only matter to the cache.
            let tags = match self.cache {
                Some(_) => meeting
                    .participants
                    .iter()
                    .map(|p| self.participant_tag(p.id))
                    .collect(),
                None => Vec::new(),
            };
            Ok::<_, ServiceError>(Some((MeetingSnapshot::encode(&meeting)?, tags)))
        };
        let key = format!("{}:{code}", self.meetings());
        if let (Some(cache), Some(_)) = (&self.cache, &self.bus)
            && let Some(cached) = cache.get(&key)
        {
            // Another instance may have written since: serve the copy only if it is current.
            let snapshot = MeetingSnapshot::decode(cached);
            match self.store.meeting_version(code).await? {
                Some(version) if version == snapshot.version => {
                    metrics::counter!("meetifyr_cache_version_checks_total", "outcome" => "current").increment(1);
                    cache.count_hit();
                    return Ok(Some(snapshot.as_of(self.clock.now())));
                }
                _ => {
                    metrics::counter!("meetifyr_cache_version_checks_total", "outcome" => "stale").increment(1);
                    cache.invalidate(&key);
                }
            }
        }
        let encoded = match &self.cache {
            Some(cache) => cache.get_or_load(&key, load).await?,
            None => load().await?.map(|(encoded, _)| encoded),
        };
        let now = self.clock.now();
        Ok(encoded.map(|e| MeetingSnapshot::decode(e).as_of(now)))
    }

    /// Refuses an answer (joining, answering, leaving) once the meeting's answers closed. An
    /// unknown meeting passes: the write itself says it is not found.
    pub async fn ensure_answers_open(&self, code: &UrlCode) -> Result<(), ServiceError> {
        let Some(snapshot) = self.meeting(code).await? else {
            return Ok(());
        };
        if !snapshot.closed() {
            return Ok(());
        }
        let when = snapshot
            .closes_at
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map_or_else(String::new, |t| format!(" at {}", t.format("%Y-%m-%dT%H:%M:%SZ")));
        Err(ServiceError::AnswersClosed(format!(
            "answers to meeting {code} closed{when}: the organiser can reopen them"
        )))
    }

    /// The meeting's key among live channels.
    pub fn live_key(&self, code: &UrlCode) -> String {
        format!("{}:{code}", self.name)
    }

    /// Offers a snapshot read after a write to the meeting's watchers.
    pub fn publish(&self, code: &UrlCode, snapshot: &MeetingSnapshot) {
        self.live.publish(&self.live_key(code), snapshot);
    }

    /// After a write whose response does not read the meeting: reads it for its watchers, if
    /// it has any.
    /// Returns the version it read, if it read one.
    pub async fn push(&self, code: &UrlCode) -> Option<i64> {
        if !self.live.watched(&self.live_key(code)) {
            return None;
        }
        match self.meeting(code).await {
            Ok(Some(snapshot)) => {
                self.publish(code, &snapshot);
                Some(snapshot.version)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a changed meeting for its watchers");
                None
            }
        }
    }

    /// After any write to a meeting (attempted: its outcome may be unknown), before answering.
    pub fn meeting_changed(&self, code: &UrlCode) {
        if let Some(cache) = &self.cache {
            cache.on_update(&self.meetings(), code.as_str());
        }
    }

    /// After a write whose answer does not carry the meeting: its cached GET goes (whatever the
    /// outcome), and on success its watchers (here and, through the bus, elsewhere) get it.
    pub async fn wrote<T>(
        &self,
        code: &UrlCode,
        result: Result<T, meetifyr_core::StoreError>,
    ) -> Result<T, ServiceError> {
        self.meeting_changed(code);
        let value = result?;
        let pushed = self.push(code).await;
        self.announce_write(code, pushed).await;
        Ok(value)
    }

    /// Tells other instances the meeting is now at `version` (nothing without a bus).
    pub fn announce(&self, code: &UrlCode, version: i64) {
        if let Some(bus) = &self.bus {
            bus.announce(&self.name, code, version);
        }
    }

    /// As [`StoreService::announce`] after a write: with the version [`StoreService::push`] read,
    /// else reading it.
    pub async fn announce_write(&self, code: &UrlCode, pushed: Option<i64>) {
        if self.bus.is_none() {
            return;
        }
        if let Some(version) = pushed {
            return self.announce(code, version);
        }
        match self.store.meeting_version(code).await {
            Ok(Some(version)) => self.announce(code, version),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read a changed meeting's version for the bus"),
        }
    }

    /// Drops every cached meeting (the bus lost track of other instances' writes).
    fn flush_cache(&self) {
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// After deleting a meeting: its cached GET goes, and its watchers hear that it is gone.
    pub fn meeting_deleted(&self, code: &UrlCode) {
        self.meeting_changed(code);
        self.live.close_channel(&self.live_key(code));
    }

    /// Deletes a meeting (the caller checked the organiser key): its cached GET and its
    /// watchers go here, and other instances hear of it.
    pub async fn delete_meeting(&self, code: &UrlCode) -> Result<(), ServiceError> {
        let deleted = self.store.delete_meeting(code).await;
        self.meeting_deleted(code);
        deleted?;
        self.announce(code, crate::bus::DELETED);
        Ok(())
    }

    /// See [`Auth::authorize_participant`].
    pub async fn authorize_participant(
        &self,
        id: i64,
        code: Option<&UrlCode>,
        password: Option<&str>,
    ) -> Result<(), ServiceError> {
        (self.auth)
            .authorize_participant((&self.name, &*self.store), id, code, password)
            .await
    }

    /// See [`Auth::authorize_organiser`].
    pub async fn authorize_organiser(&self, code: &UrlCode, presented: Option<&str>) -> Result<(), ServiceError> {
        self.auth.authorize_organiser(&*self.store, code, presented).await
    }

    /// Forgets what was cached about a deleted participant's password.
    fn forget_participant(&self, id: i64) {
        self.auth.forget_participant(&self.name, id);
    }

    /// After deleting a participant: the meeting that listed it is stale.
    pub fn participant_deleted(&self, id: i64) {
        self.forget_participant(id);
        if let Some(cache) = &self.cache {
            cache.on_delete(&format!("{}/participant", self.name), &id.to_string());
        }
    }
}

impl Subscriber for StoreService {
    fn changed(&self, code: UrlCode, deleted: bool) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(async move {
            if deleted {
                self.meeting_deleted(&code);
            } else {
                self.meeting_changed(&code);
                self.push(&code).await;
            }
        })
    }

    fn lost_track(&self, resend: bool) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(async move {
            self.flush_cache();
            if resend {
                for code in self.live.watched_codes(&self.name) {
                    self.push(&code).await;
                }
            }
        })
    }
}
