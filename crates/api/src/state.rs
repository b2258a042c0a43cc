//! What every store's routes share: the store's use cases ([`StoreService`]) and how the API
//! writes links to them.

use std::{ops::Deref, sync::Arc};

use axum::http::HeaderMap;
use meetifyr_core::UrlCode;
use meetifyr_service::StoreService;

use crate::error::ApiError;

/// The state of the routes under `/v1/{name}/`.
#[derive(Clone)]
pub struct StoreState {
    pub service: StoreService,
    /// The web pages (`/m/{code}`) show this store's meetings.
    pub pages: bool,
    /// How links to this server are written.
    pub public: Arc<crate::origin::PublicOrigin>,
}

/// The routes call the use cases directly (`state.meeting(…)`, `state.store`, …).
impl Deref for StoreState {
    type Target = StoreService;

    fn deref(&self) -> &StoreService {
        &self.service
    }
}

impl StoreState {
    /// The path people open to see a meeting: its page, or its API resource.
    pub fn meeting_path(&self, code: &UrlCode) -> String {
        if self.pages {
            format!("/m/{code}")
        } else {
            format!("/v1/{}/meetings/{code}", self.name)
        }
    }

    /// [`StoreService::authorize_organiser`] with the key of `Authorization: Bearer`.
    pub async fn authorize_organiser(&self, code: &UrlCode, headers: &HeaderMap) -> Result<(), ApiError> {
        let presented = crate::auth::bearer(headers)?;
        Ok(self.service.authorize_organiser(code, presented).await?)
    }
}
