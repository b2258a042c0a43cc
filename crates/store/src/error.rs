//! Driver errors classified by kind, never by constraint name, and bounded retries of
//! transactions the database aborted to break a deadlock or a serialization conflict.

use std::time::Duration;

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
        sqlx::Error::Database(ref db) if is_connection_loss(db.code().as_deref()) => {
            StoreError::Unavailable(Box::new(e))
        }
        other => StoreError::Backend(Box::new(other)),
    }
}

/// SQLSTATEs of a server shutting down or refusing connections (class 08, 57P01-57P03).
fn is_connection_loss(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03"))
}

/// For INSERTs into `meetings`, whose only unique column is `url_code`: a unique violation
/// means the code is taken (the caller draws another); anything else as [`classify`].
pub(crate) fn classify_meeting_insert(e: sqlx::Error) -> StoreError {
    if matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation()) {
        StoreError::DuplicateUrlCode
    } else {
        classify(e)
    }
}

/// Deadlock victim or serialization failure: safe to run the whole transaction again.
/// PostgreSQL: 40001, 40P01. MySQL/MariaDB: 40001 (deadlock, 1213) and lock wait timeout (1205).
fn is_retryable(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else { return false };
    if matches!(db.code().as_deref(), Some("40001" | "40P01")) {
        return true;
    }
    matches!(mysql_number(e), Some(1205 | 1213))
}

/// The MySQL/MariaDB server's error number, if `e` is one of its errors.
pub(crate) fn mysql_number(e: &sqlx::Error) -> Option<u16> {
    let sqlx::Error::Database(db) = e else { return None };
    db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
        .map(|m| m.number())
}

fn is_retryable_store(e: &StoreError) -> bool {
    match e {
        StoreError::Backend(source) => source.downcast_ref::<sqlx::Error>().is_some_and(is_retryable),
        _ => false,
    }
}

/// Runs `op` again, up to 5 attempts in all with a short jittered back-off, while it fails with
/// a retryable conflict. `op` must be a whole transaction.
pub(crate) async fn retrying<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    const ATTEMPTS: u32 = 5;
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if attempt < ATTEMPTS && is_retryable_store(&e) => {
                tracing::debug!(attempt, error = %e, "transaction conflict; retrying");
                let jitter = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos() % 2_000);
                tokio::time::sleep(Duration::from_micros(u64::from(500 * attempt + jitter))).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}
