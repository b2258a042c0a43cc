//! Meetifyr's storage backends, all on sqlx, chosen at run time by the URL's scheme.

mod error;
pub mod sqlite;
mod url;

pub use url::{DatabaseUrl, StoreOptions};

use std::sync::Arc;

use meetifyr_core::{Store, StoreError};

/// Connects to the database behind `url`, creating it if it is a missing SQLite file, and
/// brings its schema up to date.
pub async fn connect(
    url: &DatabaseUrl,
    options: &StoreOptions,
) -> Result<Arc<dyn Store>, StoreError> {
    match url.scheme().as_str() {
        "sqlite" => Ok(Arc::new(sqlite::SqliteStore::connect(url, options).await?)),
        other => Err(StoreError::Backend(
            format!("unsupported database scheme {other:?}: use sqlite://").into(),
        )),
    }
}
