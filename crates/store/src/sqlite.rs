//! SQLite backend, the default.
//!
//! URLs: `sqlite://meetifyr.db` (relative), `sqlite:///var/lib/meetifyr/m.db` (absolute),
//! `sqlite::memory:` (private to the process; tests). A missing file and its folder are created.
//!
//! Design, measured (see docs/benchmarks.md): sqlx's SQLite driver hands every statement and
//! every row across a channel to a worker thread, so the hot paths use few statements and fetch
//! few rows. GET reads one row: the meeting and its participants (with their answers as two
//! bit sets each) as one JSON value. Every write is one statement: triggers bump the meeting's
//! version within the statement that changes a participant. SQLite has one write lock: writes
//! go through a single writer connection (no lock contention, no busy retries) while reads use
//! a pool of WAL readers that never block on it.
//!
//! Dialect: dates are `TEXT` `YYYY-MM-DD` (so they compare as text); ids are `AUTOINCREMENT` so
//! they are never reused after a delete.

use std::{path::Path, str::FromStr, time::Duration};

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, CreatedParticipant, DateId, DateRange, Location, Meeting, ParticipantName, Store, StoreError, Title,
    Toggle, UrlCode,
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

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        "answers as day sets",
        include_str!("../migrations/sqlite/0002_answers_as_day_sets.sql"),
    ),
];

pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    /// In memory, `reader` and `writer` are the same single-connection pool.
    in_memory: bool,
    toggles: crate::ToggleStatements,
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
                toggles: toggle_statements(),
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
            toggles: toggle_statements(),
        })
    }

    /// Why an UPDATE guarded by the meeting touched no row.
    async fn meeting_exists(&self, code: &UrlCode) -> Result<bool, StoreError> {
        Ok(self.meeting_range(code).await?.is_some())
    }

    /// The meeting's id and range, read on the writer (so it sees every committed write).
    async fn meeting_range(&self, code: &UrlCode) -> Result<Option<(i64, Option<DateRange>)>, StoreError> {
        let row: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = ?1")
                .bind(code.as_str())
                .fetch_optional(&self.writer)
                .await
                .map_err(classify)?;
        row.map(|(id, start, end)| Ok((id, crate::stored_range(start, end)?)))
            .transpose()
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

const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date, m.version,
    (select json_group_array(json_array(p.id, p.name, p.free_days, p.starred_days))
     from participants p where p.meeting_id = m.id)
from meetings m
where m.url_code = ?1";

/// Inserts the participant, free on every day, only if its meeting exists and has a range; no
/// row means one of the two is missing (told apart on that cold path). A trigger bumps the
/// meeting's version within this statement.
const INSERT_PARTICIPANT: &str = "
insert into participants (meeting_id, name, free_days)
select id, ?2, ~(-1 << (cast(julianday(end_date) - julianday(start_date) as integer) + 1))
from meetings where url_code = ?1 and start_date is not null and end_date is not null
returning id, (select start_date from meetings m where m.id = meeting_id),
    (select end_date from meetings m where m.id = meeting_id)";

/// A toggle of the day `?3` of participant `?1`, only if it lies in the range of meeting `?2`
/// and the participant is that meeting's. The version trigger fires with it.
fn toggle_statements() -> crate::ToggleStatements {
    crate::ToggleStatements::new(|toggle| {
        format!(
            "update participants set {}
             from (select id, 1 << cast(julianday(?3) - julianday(start_date) as integer) as b
                   from meetings where url_code = ?2 and start_date <= ?3 and ?3 <= end_date) m
             where participants.id = ?1 and participants.meeting_id = m.id",
            crate::toggle_assignments(toggle, "m.b")
        )
    })
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
        type Row = (String, String, Option<NaiveDate>, Option<NaiveDate>, i64, String);
        let row: Option<Row> = sqlx::query_as(FIND_MEETING)
            .bind(code.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(classify)?;
        let Some((title, location, start_date, end_date, version, participants)) = row else {
            return Ok(None);
        };
        Ok(Some(Meeting {
            url_code: code.clone(),
            title,
            location,
            range: crate::stored_range(start_date, end_date)?,
            version,
            participants: decode::participants(&participants)?,
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
        .bind(meeting.start_date())
        .bind(meeting.end_date())
        .fetch_one(&mut *tx)
        .await
        .map_err(classify_meeting_insert)?;
        for p in &meeting.participants {
            sqlx::query(
                "insert into participants (id, meeting_id, name, free_days, starred_days)
                 values (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(p.id)
            .bind(meeting_id)
            .bind(&p.name)
            .bind(p.free.bits())
            .bind(p.starred.bits())
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        // After the inserts, whose trigger bumped it.
        sqlx::query("update meetings set version = ?1 where id = ?2")
            .bind(meeting.version)
            .bind(meeting_id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = ?1, end_date = ?2, version = version + 1
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
            "update meetings set title = ?1, version = version + 1 where url_code = ?2",
            code,
            title.as_str(),
        )
        .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = ?1, version = version + 1 where url_code = ?2",
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
        // fetch_all steps the INSERT to its end, which commits it (and the version bump).
        let row: Option<(i64, NaiveDate, NaiveDate)> = sqlx::query_as(INSERT_PARTICIPANT)
            .bind(code.as_str())
            .bind(name.as_str())
            .fetch_all(&self.writer)
            .await
            .map_err(classify)?
            .pop();
        let Some((id, start, end)) = row else {
            return Err(if self.meeting_exists(code).await? {
                StoreError::DateRangeNotSet
            } else {
                StoreError::MeetingNotFound(code.to_string())
            });
        };
        let range = crate::stored_range(Some(start), Some(end))?.expect("both set");
        Ok(CreatedParticipant::new(id, range))
    }

    async fn delete_participant(&self, id: i64) -> Result<(), StoreError> {
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
        if let Some((participant, day)) = DateId::decode(date_id) {
            let done = sqlx::query(self.toggles.get(toggle))
                .bind(participant)
                .bind(code.as_str())
                .bind(day)
                .execute(&self.writer)
                .await
                .map_err(classify)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
        }
        Err(meetifyr_core::toggle_not_applied(
            code,
            date_id,
            self.meeting_exists(code).await?,
        ))
    }

    async fn replace_availability(
        &self,
        code: &UrlCode,
        participant_id: i64,
        answer: &Availability,
    ) -> Result<(), StoreError> {
        // The range is read and the answer written in one transaction on the single writer.
        let mut tx = self.writer.begin_with("begin immediate").await.map_err(classify)?;
        let row: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = ?1")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(classify)?;
        let Some((meeting_id, start, end)) = row else {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        };
        let range = crate::stored_range(start, end)?.ok_or(StoreError::DateRangeNotSet)?;
        let (free, starred) = answer.in_range(range).map_err(StoreError::Availability)?;
        let done =
            sqlx::query("update participants set free_days = ?1, starred_days = ?2 where id = ?3 and meeting_id = ?4")
                .bind(free.bits())
                .bind(starred.bits())
                .bind(participant_id)
                .bind(meeting_id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ParticipantNotFound(participant_id));
        }
        tx.commit().await.map_err(classify)
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
