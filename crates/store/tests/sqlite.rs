//! The storage contract on SQLite: each test on a fresh in-memory database, and again on a
//! fresh WAL file (separate reader and writer pools), where concurrency is real.

use meetifyr_store::{
    DatabaseUrl, StoreOptions,
    sqlite::SqliteStore,
    testing::{Backend, fresh_store},
};

async fn fresh_memory() -> Option<Box<SqliteStore>> {
    let url = DatabaseUrl::new("sqlite::memory:");
    Some(Box::new(
        SqliteStore::connect(&url, &StoreOptions::default())
            .await
            .expect("in-memory sqlite"),
    ))
}

meetifyr_core::contract_tests!(fresh_memory());

mod on_a_file {
    use super::*;

    meetifyr_core::contract_tests!(fresh_store(Backend::Sqlite));
}
