//! What every store's routes share: the store, its name, and the process's response cache.

use std::sync::Arc;

use axum::body::Bytes;
use meetifyr_cache::Cache;
use meetifyr_core::{Store, UrlCode};

use crate::{dto::GetMeetingResponse, error::ApiError};

/// The state of the routes under `/v1/{name}/`.
#[derive(Clone)]
pub struct StoreState {
    pub name: Arc<str>,
    pub store: Arc<dyn Store>,
    pub cache: Option<Arc<Cache>>,
}

impl StoreState {
    /// Cache resource of this store's meetings: entries `{store}/meeting:{code}`.
    fn meetings(&self) -> String {
        format!("{}/meeting", self.name)
    }

    /// Cache tag of a participant: every cached meeting that lists it carries it.
    fn participant_tag(&self, id: i64) -> String {
        format!("{}/participant:{id}", self.name)
    }

    /// The serialized GET response of a meeting, from the cache when it holds it.
    pub async fn meeting_json(&self, code: &UrlCode) -> Result<Option<Bytes>, ApiError> {
        let load = || async {
            let Some(meeting) = self.store.find_meeting(code).await? else {
                return Ok(None);
            };
            let tags = meeting
                .participants
                .iter()
                .map(|p| self.participant_tag(p.id))
                .collect();
            Ok::<_, ApiError>(Some((GetMeetingResponse::from(meeting).to_json()?, tags)))
        };
        match &self.cache {
            Some(cache) => cache.get_or_load(&format!("{}:{code}", self.meetings()), load).await,
            None => Ok(load().await?.map(|(json, _)| json)),
        }
    }

    /// After any write to a meeting (attempted: its outcome may be unknown), before answering.
    pub fn meeting_changed(&self, code: &UrlCode) {
        if let Some(cache) = &self.cache {
            cache.on_update(&self.meetings(), code.as_str());
        }
    }

    /// After deleting a participant: the meeting that listed it is stale.
    pub fn participant_deleted(&self, id: i64) {
        if let Some(cache) = &self.cache {
            cache.on_delete(&format!("{}/participant", self.name), &id.to_string());
        }
    }
}
