//! The storage contract on SQLite, each test on a fresh in-memory database, plus the same on
//! a WAL file (separate reader and writer pools) for the tests about concurrency.

use meetifyr_store::{DatabaseUrl, StoreOptions, sqlite::SqliteStore};

async fn fresh_memory() -> Box<SqliteStore> {
    let url = DatabaseUrl::new("sqlite::memory:");
    Box::new(
        SqliteStore::connect(&url, &StoreOptions::default())
            .await
            .expect("in-memory sqlite"),
    )
}

meetifyr_core::contract_tests!(fresh_memory());

mod on_a_file {
    use super::*;

    /// Keeps the folder alive as long as the store.
    pub struct FileStore {
        store: SqliteStore,
        _dir: TempDir,
    }

    impl std::ops::Deref for FileStore {
        type Target = SqliteStore;
        fn deref(&self) -> &SqliteStore {
            &self.store
        }
    }

    pub struct TempDir(std::path::PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub async fn fresh_file() -> FileStore {
        let dir = std::env::temp_dir().join(format!(
            "meetifyr-test-{}-{}",
            std::process::id(),
            meetifyr_core::UrlCode::generate()
        ));
        let url = DatabaseUrl::new(format!("sqlite://{}/nested/m.db", dir.display()));
        let store = SqliteStore::connect(&url, &StoreOptions::default())
            .await
            .expect("file sqlite");
        FileStore {
            store,
            _dir: TempDir(dir),
        }
    }

    meetifyr_core::contract_tests!(fresh_file());
}
