//! SQLite backend, the default.
//!
//! URLs: `sqlite://meetifyr.db` (relative), `sqlite:///var/lib/meetifyr/m.db` (absolute),
//! `sqlite::memory:` (private to the process; tests). A missing file and its folder are created.
//!
//! Design, measured (see docs/benchmarks.md): sqlx's SQLite driver hands every statement and
//! every row across a channel to a worker thread, so the hot paths use few statements and fetch
//! few rows. GET reads one row: the participants as JSON and all their dates as one text of
//! stored, pre-encoded items (the `encoded` generated column), not 310 rows. Creating a
//! participant is one INSERT whose trigger adds the dates in the same statement, then one
//! aggregated SELECT of their ids. SQLite has one write lock: writes go through a single writer
//! connection (no lock contention, no busy retries) while reads use a pool of WAL readers that
//! never block on it.
//!
//! Dialect: dates are `TEXT` `YYYY-MM-DD`; booleans are `0`/`1`; ids are `AUTOINCREMENT` so they
//! are never reused after a delete.

use std::{path::Path, str::FromStr, time::Duration};

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    CreatedParticipant, DateRange, Location, Meeting, ParticipantName, Store, StoreError, Title, Toggle, UrlCode,
};
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{
    DatabaseUrl, StoreOptions, decode,
    error::{classify, classify_meeting_insert},
    migrator,
};

const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "init", include_str!("../migrations/sqlite/0001_init.sql"))];

pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    /// In memory, `reader` and `writer` are the same single-connection pool.
    in_memory: bool,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self, StoreError> {
        let parsed = SqliteConnectOptions::from_str(url.expose()).map_err(classify)?;
        let in_memory = url.expose().contains(":memory:") || url.expose().contains("mode=memory");
        let base = parsed
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("temp_store", "memory");

        if in_memory {
            // Every connection would see its own empty database: use exactly one, kept forever.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .test_before_acquire(false)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(base)
                .await
                .map_err(classify)?;
            migrate(&pool).await?;
            return Ok(Self {
                reader: pool.clone(),
                writer: pool,
                in_memory: true,
            });
        }

        if let Some(dir) = parsed_dir(url) {
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        }
        let file = base
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(file.clone())
            .await
            .map_err(classify)?;
        migrate(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.pool_size.max(1))
            .test_before_acquire(false)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(file.read_only(true))
            .await
            .map_err(classify)?;
        Ok(Self {
            reader,
            writer,
            in_memory: false,
        })
    }

    /// Why an UPDATE guarded by the meeting touched no row.
    async fn meeting_exists(&self, code: &UrlCode) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("select 1 from meetings where url_code = ?1")
            .bind(code.as_str())
            .fetch_optional(&self.writer)
            .await
            .map_err(classify)?;
        Ok(found.is_some())
    }

    async fn update_text(&self, sql: &'static str, code: &UrlCode, value: &str) -> Result<(), StoreError> {
        let done = sqlx::query(sql)
            .bind(value)
            .bind(code.as_str())
            .execute(&self.writer)
            .await
            .map_err(classify)?;
        // SQLite counts matched rows, so writing the stored value again is a success.
        if done.rows_affected() == 0 {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        Ok(())
    }
}

async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    migrator(MIGRATIONS)
        .run(pool)
        .await
        .map_err(|e| StoreError::Backend(Box::new(e)))
}

/// The folder of a file URL, so it can be created before SQLite opens the file.
fn parsed_dir(url: &DatabaseUrl) -> Option<std::path::PathBuf> {
    let rest = url.expose().strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next()?;
    let dir = Path::new(path).parent()?;
    (!dir.as_os_str().is_empty()).then(|| dir.to_path_buf())
}

// No ORDER BY inside the aggregates: SQLite would sort through a temporary B-tree per
// participant; the decoder orders instead. `encoded` is a stored generated column.
const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date,
    (select json_group_array(json_array(p.id, p.name)) from participants p where p.meeting_id = m.id),
    (select group_concat(d.encoded, ',')
     from participants p join participant_dates d on d.participant_id = p.id
     where p.meeting_id = m.id)
from meetings m
where m.url_code = ?1";

/// Inserts the participant only if its meeting exists and has a range; no row means one of
/// the two is missing (told apart on that cold path). The trigger
/// `participant_dates_of_new_participant` inserts its dates within this same statement.
const INSERT_PARTICIPANT: &str = "
insert into participants (meeting_id, name)
select id, ?2 from meetings where url_code = ?1 and start_date is not null and end_date is not null
returning id";

/// The new dates' ids as one row: `id YYYY-MM-DD` items joined by `,`. Cheaper than `RETURNING`,
/// which hands every row to the async side separately.
const CREATED_DATES: &str =
    "select group_concat(id || ' ' || date, ',') from participant_dates where participant_id = ?1";

/// The UPDATE for each toggle; the guard makes a date of another meeting untouchable.
fn toggle_sql(toggle: Toggle) -> &'static str {
    match toggle {
        Toggle::On => {
            "update participant_dates set enabled = 1
             where id = ?1 and participant_id in (select p.id from participants p
                 join meetings m on m.id = p.meeting_id where m.url_code = ?2)"
        }
        Toggle::Off => {
            "update participant_dates set enabled = 0, starred = 0
             where id = ?1 and participant_id in (select p.id from participants p
                 join meetings m on m.id = p.meeting_id where m.url_code = ?2)"
        }
        Toggle::Star => {
            "update participant_dates set enabled = 1, starred = 1
             where id = ?1 and participant_id in (select p.id from participants p
                 join meetings m on m.id = p.meeting_id where m.url_code = ?2)"
        }
        Toggle::Unstar => {
            "update participant_dates set starred = 0
             where id = ?1 and participant_id in (select p.id from participants p
                 join meetings m on m.id = p.meeting_id where m.url_code = ?2)"
        }
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn pool_stats(&self) -> Option<meetifyr_core::PoolStats> {
        // In memory, reader and writer are the same pool: count it once.
        let pools: &[&SqlitePool] = if self.in_memory {
            &[&self.writer]
        } else {
            &[&self.reader, &self.writer]
        };
        Some(crate::pool_stats(pools))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.reader).await.map_err(classify)?;
        Ok(())
    }

    async fn insert_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code) values (?1)")
            .bind(code.as_str())
            .execute(&self.writer)
            .await
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        type Row = (
            String,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
            String,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(FIND_MEETING)
            .bind(code.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(classify)?;
        let Some((title, location, start_date, end_date, participants, dates)) = row else {
            return Ok(None);
        };
        Ok(Some(Meeting {
            url_code: code.clone(),
            title,
            location,
            start_date,
            end_date,
            participants: decode::participants_compact(&participants, dates.as_deref())?,
        }))
    }

    async fn count_meetings(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("select count(*) from meetings")
            .fetch_one(&self.reader)
            .await
            .map_err(classify)?;
        Ok(n as u64)
    }

    async fn list_meeting_codes(&self, after: Option<&UrlCode>, limit: u32) -> Result<Vec<UrlCode>, StoreError> {
        let codes: Vec<String> =
            sqlx::query_scalar("select url_code from meetings where url_code > ?1 order by url_code limit ?2")
                .bind(after.map_or("", UrlCode::as_str))
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await
                .map_err(classify)?;
        Ok(codes.iter().filter_map(|c| UrlCode::parse(c)).collect())
    }

    async fn import_meeting(&self, meeting: &Meeting) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("begin immediate").await.map_err(classify)?;
        let meeting_id: i64 = sqlx::query_scalar(
            "insert into meetings (url_code, title, location, start_date, end_date)
             values (?1, ?2, ?3, ?4, ?5) returning id",
        )
        .bind(meeting.url_code.as_str())
        .bind(&meeting.title)
        .bind(&meeting.location)
        .bind(meeting.start_date)
        .bind(meeting.end_date)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify_meeting_insert)?;
        for p in &meeting.participants {
            sqlx::query("insert into participants (id, meeting_id, name) values (?1, ?2, ?3)")
                .bind(p.id)
                .bind(meeting_id)
                .bind(&p.name)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            // The trigger gave it fresh dates; the imported ones replace them.
            sqlx::query("delete from participant_dates where participant_id = ?1")
                .bind(p.id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            if let Some(mut insert) = crate::insert_dates_with_ids::<sqlx::Sqlite>(p) {
                insert.build().execute(&mut *tx).await.map_err(classify)?;
            }
        }
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = ?1, end_date = ?2
             where url_code = ?3 and start_date is null and end_date is null",
        )
        .bind(range.start())
        .bind(range.end())
        .bind(code.as_str())
        .execute(&self.writer)
        .await
        .map_err(classify)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let stored: Option<(Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select start_date, end_date from meetings where url_code = ?1")
                .bind(code.as_str())
                .fetch_optional(&self.writer)
                .await
                .map_err(classify)?;
        Err(meetifyr_core::range_not_applied(code, stored))
    }

    async fn update_title(&self, code: &UrlCode, title: &Title) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set title = ?1 where url_code = ?2",
            code,
            title.as_str(),
        )
        .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = ?1 where url_code = ?2",
            code,
            location.as_str(),
        )
        .await
    }

    async fn insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
    ) -> Result<CreatedParticipant, StoreError> {
        // fetch_all steps the INSERT to its end, which commits it (participant and dates).
        let id: Option<i64> = sqlx::query_scalar(INSERT_PARTICIPANT)
            .bind(code.as_str())
            .bind(name.as_str())
            .fetch_all(&self.writer)
            .await
            .map_err(classify)?
            .pop();
        let Some(id) = id else {
            return Err(if self.meeting_exists(code).await? {
                StoreError::DateRangeNotSet
            } else {
                StoreError::MeetingNotFound(code.to_string())
            });
        };
        let dates: Option<String> = sqlx::query_scalar(CREATED_DATES)
            .bind(id)
            .fetch_one(&self.writer)
            .await
            .map_err(classify)?;
        Ok(CreatedParticipant {
            id,
            dates: decode::id_date_pairs(dates.as_deref().unwrap_or(""))?,
        })
    }

    async fn delete_participant(&self, id: i64) -> Result<(), StoreError> {
        // Its dates go with it (on delete cascade).
        let done = sqlx::query("delete from participants where id = ?1")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ParticipantNotFound(id));
        }
        Ok(())
    }

    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError> {
        let done = sqlx::query(toggle_sql(toggle))
            .bind(date_id)
            .bind(code.as_str())
            .execute(&self.writer)
            .await
            .map_err(classify)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        Err(meetifyr_core::toggle_not_applied(
            code,
            date_id,
            self.meeting_exists(code).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_of_a_file_url_is_found() {
        let dir = |u: &str| parsed_dir(&DatabaseUrl::new(u));
        assert_eq!(dir("sqlite:///tmp/x/m.db"), Some("/tmp/x".into()));
        assert_eq!(dir("sqlite://data/m.db?mode=rwc"), Some("data".into()));
        assert_eq!(dir("sqlite://meetifyr.db"), None);
    }
}
