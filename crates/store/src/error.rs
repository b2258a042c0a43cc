//! Driver errors classified by kind, never by constraint name.

use meetifyr_core::StoreError;

/// Connection-level failures become `Unavailable` (the API answers 503 and the pool heals by
/// itself); everything else is a backend failure.
pub(crate) fn classify(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        other => StoreError::Backend(Box::new(other)),
    }
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
