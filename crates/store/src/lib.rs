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

use meetifyr_core::{Availability, DateRange, DaySet, Store, StoreError, Toggle, UrlCode};

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

/// Connects a server backend's pool and brings its schema up to date. One direct connection
/// first: the pool would turn a refused connection into a time-out, and its error says more.
pub(crate) async fn open_pool<DB>(
    connect: <DB::Connection as sqlx::Connection>::Options,
    options: &StoreOptions,
    migrations: &[(i64, &'static str, &'static str)],
) -> Result<sqlx::Pool<DB>, StoreError>
where
    DB: sqlx::Database,
    DB::Connection: sqlx::migrate::Migrate,
{
    use crate::error::classify;
    use sqlx::Connection as _;
    DB::Connection::connect_with(&connect)
        .await
        .map_err(classify)?
        .close()
        .await
        .map_err(classify)?;
    let pool = pool_options(options).connect_with(connect).await.map_err(classify)?;
    migrator(migrations)
        .run(&pool)
        .await
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
    Ok(pool)
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

/// The `SET` list of a toggle over the participant's `free_days` and `starred_days`, given the
/// SQL expression of the day's bit. Off clears the star too; a star frees the day: so a star
/// never stands on a busy day.
pub(crate) fn toggle_assignments(toggle: Toggle, bit: &str) -> String {
    match toggle {
        Toggle::On => format!("free_days = free_days | {bit}"),
        Toggle::Off => format!("free_days = free_days & ~{bit}, starred_days = starred_days & ~{bit}"),
        Toggle::Star => format!("free_days = free_days | {bit}, starred_days = starred_days | {bit}"),
        Toggle::Unstar => format!("starred_days = starred_days & ~{bit}"),
    }
}

/// One statement per toggle, built once by `build`.
pub(crate) struct ToggleStatements([String; 4]);

impl ToggleStatements {
    pub(crate) fn new(build: impl Fn(Toggle) -> String) -> Self {
        Self([Toggle::On, Toggle::Off, Toggle::Star, Toggle::Unstar].map(build))
    }

    pub(crate) fn get(&self, toggle: Toggle) -> sqlx::AssertSqlSafe<&str> {
        let i = match toggle {
            Toggle::On => 0,
            Toggle::Off => 1,
            Toggle::Star => 2,
            Toggle::Unstar => 3,
        };
        sqlx::AssertSqlSafe(self.0[i].as_str())
    }
}

/// A participant's answer as the bit sets to store, given what the store holds for the meeting
/// (`None`: no such meeting): the meeting's id, its range, and the free and starred days.
pub(crate) fn answer_for(
    code: &UrlCode,
    meeting: Option<(i64, Option<DateRange>)>,
    answer: &Availability,
) -> Result<(i64, DateRange, DaySet, DaySet), StoreError> {
    let (meeting_id, range) = meeting.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
    let range = range.ok_or(StoreError::DateRangeNotSet)?;
    let (free, starred) = answer.in_range(range).map_err(StoreError::Availability)?;
    Ok((meeting_id, range, free, starred))
}

/// A stored range, which the stores only ever write valid.
pub(crate) fn stored_range(
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
) -> Result<Option<DateRange>, StoreError> {
    match (start, end) {
        (Some(start), Some(end)) => DateRange::new(start, end)
            .map(Some)
            .map_err(|e| StoreError::Backend(format!("stored range is invalid: {e}").into())),
        _ => Ok(None),
    }
}

/// Open and idle connections of some pools, added up.
pub(crate) fn pool_stats<DB: sqlx::Database>(pools: &[&sqlx::Pool<DB>]) -> meetifyr_core::PoolStats {
    meetifyr_core::PoolStats {
        size: pools.iter().map(|p| p.size()).sum(),
        idle: pools.iter().map(|p| p.num_idle() as u32).sum(),
    }
}

/// What creating a participant returns: one date per day of a day meeting's range; none for a
/// time meeting (stored without a range).
pub(crate) fn created_participant(id: i64, range: Option<DateRange>) -> meetifyr_core::CreatedParticipant {
    match range {
        Some(range) => meetifyr_core::CreatedParticipant::new(id, range),
        None => meetifyr_core::CreatedParticipant { id, dates: Vec::new() },
    }
}

/// The error for a slot answer that matched no row, given whether the meeting is a time
/// meeting (`None`: no such meeting).
pub(crate) fn slots_not_applied(code: &UrlCode, participant_id: i64, times: Option<bool>) -> StoreError {
    match times {
        None => StoreError::MeetingNotFound(code.to_string()),
        Some(false) => StoreError::WrongKind("this meeting is over whole days: answer with dates"),
        Some(true) => StoreError::ParticipantNotFound(participant_id),
    }
}

/// The `(final_cell, final_cells)` columns of a settled window.
pub(crate) fn window_columns(w: Option<meetifyr_core::SlotWindow>) -> (Option<i64>, Option<i64>) {
    match w {
        Some(w) => (Some(w.start as i64), Some(w.len as i64)),
        None => (None, None),
    }
}

/// A settled window from its columns; a row that names none (or nonsense) has none.
pub(crate) fn stored_window(cell: Option<i64>, cells: Option<i64>) -> Option<meetifyr_core::SlotWindow> {
    match (
        cell.and_then(|c| usize::try_from(c).ok()),
        cells.and_then(|c| usize::try_from(c).ok()),
    ) {
        (Some(start), Some(len)) if len > 0 => Some(meetifyr_core::SlotWindow { start, len }),
        _ => None,
    }
}

/// A meeting's stored deadline columns back.
pub(crate) fn stored_deadline(
    at: Option<i64>,
    zone: Option<String>,
    after_last_day: bool,
) -> Result<meetifyr_core::Deadline, StoreError> {
    meetifyr_core::Deadline::from_stored(at, zone.as_deref(), after_last_day)
        .ok_or_else(|| StoreError::Backend(format!("a stored deadline of {at:?} seconds is out of range").into()))
}

/// The error for a settled window that matched no row, given whether the meeting exists.
pub(crate) fn window_not_applied(code: &UrlCode, exists: bool) -> StoreError {
    if exists {
        StoreError::WrongKind("this meeting is over whole days: settle it on a date")
    } else {
        StoreError::MeetingNotFound(code.to_string())
    }
}
