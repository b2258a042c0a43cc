//! Meetifyr's storage backends, all on sqlx, chosen at run time by the URL's scheme:
//! `sqlite://` (default), `postgres://`, `mysql://` (MySQL 8 or MariaDB). Each module documents
//! its URL format and dialect quirks.

mod decode;
mod error;
pub mod mysql;
pub mod postgres;
pub mod sqlite;
pub mod testing;
mod url;

pub use url::{DatabaseUrl, StoreOptions};

use std::sync::Arc;

use meetifyr_core::{Store, StoreError};

/// Connects to the database behind `url`, creating it if it is a missing SQLite file, and
/// brings its schema up to date.
pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Arc<dyn Store>, StoreError> {
    match url.scheme().as_str() {
        "sqlite" => Ok(Arc::new(sqlite::SqliteStore::connect(url, options).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(postgres::PostgresStore::connect(url, options).await?)),
        "mysql" | "mariadb" => Ok(Arc::new(mysql::MySqlStore::connect(url, options).await?)),
        other => Err(StoreError::Backend(
            format!("unsupported database scheme {other:?}: use sqlite://, postgres:// or mysql://").into(),
        )),
    }
}

/// Pool settings shared by the server backends. Connections are not pinged on every acquire
/// (that would double the round trips); one idle for a while is checked first, so a pool whose
/// server restarted heals without failing requests.
pub(crate) fn pool_options<DB: sqlx::Database>(options: &StoreOptions) -> sqlx::pool::PoolOptions<DB> {
    use sqlx::Connection as _;
    sqlx::pool::PoolOptions::new()
        .max_connections(options.pool_size)
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|conn: &mut DB::Connection, meta| {
            Box::pin(async move {
                if meta.idle_for > std::time::Duration::from_secs(2) {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// Migrations embedded in the binary as `(version, description, sql)`, in order.
pub(crate) fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> sqlx::migrate::Migrator {
    use sqlx::{
        SqlSafeStr,
        migrate::{Migration, MigrationType, Migrator},
    };
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// `INSERT` of a participant's dates with their own ids (for imports), in any dialect.
/// `None` when there are no dates.
pub(crate) fn insert_dates_with_ids<DB>(participant: &meetifyr_core::Participant) -> Option<sqlx::QueryBuilder<DB>>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> chrono::NaiveDate: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if participant.dates.is_empty() {
        return None;
    }
    let mut insert =
        sqlx::QueryBuilder::new("insert into participant_dates (id, participant_id, date, enabled, starred) ");
    insert.push_values(&participant.dates, |mut row, d| {
        row.push_bind(d.id)
            .push_bind(participant.id)
            .push_bind(d.date)
            .push_bind(d.enabled)
            .push_bind(d.starred);
    });
    Some(insert)
}

/// Open and idle connections of some pools, added up.
pub(crate) fn pool_stats<DB: sqlx::Database>(pools: &[&sqlx::Pool<DB>]) -> meetifyr_core::PoolStats {
    meetifyr_core::PoolStats {
        size: pools.iter().map(|p| p.size()).sum(),
        idle: pools.iter().map(|p| p.num_idle() as u32).sum(),
    }
}
