//! SQLite backend, the default.
//!
//! URLs: `sqlite://meetifyr.db` (relative), `sqlite:///var/lib/meetifyr/m.db` (absolute),
//! `sqlite::memory:` (private to the process; tests). A missing file and its folder are created.
//!
//! Design, measured (see docs/benchmarks.md): SQLite is a library, and a GET of a meeting is a
//! few microseconds of its work, so the cost that matters is getting there. sqlx hands every
//! statement and row across channels to a worker thread per connection; with storage v2's small
//! rows those hops cost several times the query (a GET of 10 x 31: 140 us of CPU through sqlx).
//! So this backend calls SQLite through rusqlite, on the calling thread: reads take one of a
//! pool of read-only WAL connections (which never wait for the writer), writes take the single
//! writer connection (SQLite has one write lock: no contention, no busy retries). Each call
//! holds a connection only for its statements, tens of microseconds, so running it inline on
//! the async runtime costs less than any hand-off would. Migrations still run through sqlx's
//! migrator, so databases keep one migration history whatever opened them.
//!
//! GET reads one row: the meeting and its participants (answers as two bit sets each) as one
//! JSON value. Every write is one statement: triggers bump the meeting's version within the
//! statement that changes a participant.
//!
//! Dialect: dates are `TEXT` `YYYY-MM-DD` (so they compare as text); ids are `AUTOINCREMENT` so
//! they are never reused after a delete.

use std::{
    path::PathBuf,
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, CreatedParticipant, DateId, DateRange, Grid, KeyHash, Location, Meeting, ParticipantName, SlotAnswer,
    Store, StoreError, TimeGrid, Title, Toggle, UrlCode, format_iso_date, parse_iso_date,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, TransactionBehavior, params};
use sqlx::{Connection as _, sqlite::SqliteConnectOptions};

use crate::{DatabaseUrl, StoreOptions, decode, migrator};

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        "answers as day sets",
        include_str!("../migrations/sqlite/0002_answers_as_day_sets.sql"),
    ),
    (
        3,
        "organiser and passwords",
        include_str!("../migrations/sqlite/0003_organiser_and_passwords.sql"),
    ),
    (
        4,
        "time meetings",
        include_str!("../migrations/sqlite/0004_time_meetings.sql"),
    ),
    (
        5,
        "required participants",
        include_str!("../migrations/sqlite/0005_required_participants.sql"),
    ),
    (
        6,
        "answer deadline",
        include_str!("../migrations/sqlite/0006_answer_deadline.sql"),
    ),
];

pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// Idle read-only connections; `None` in memory, where the writer serves reads too.
    readers: Option<Readers>,
    toggles: crate::ToggleStatements,
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Idle connections kept at most (`--pool-size`); more are opened while needed.
    keep: usize,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self, StoreError> {
        let parsed: SqliteConnectOptions = url.expose().parse().map_err(crate::error::classify)?;
        let in_memory = url.expose().contains(":memory:") || url.expose().contains("mode=memory");
        if in_memory {
            // A named, shared in-memory database: rusqlite's connection keeps it alive while
            // sqlx's migrates it.
            let name = format!("file:meetifyr-memory-{}", UrlCode::generate());
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_MEMORY
                | OpenFlags::SQLITE_OPEN_SHARED_CACHE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let writer = Connection::open_with_flags(&name, flags).map_err(classify)?;
            configure(&writer, false)?;
            let migrate = SqliteConnectOptions::new()
                .filename(&name)
                .in_memory(true)
                .shared_cache(true);
            migrate_with(migrate).await?;
            return Ok(Self {
                writer: Mutex::new(writer),
                readers: None,
                toggles: toggle_statements(),
            });
        }

        let path = parsed.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        }
        migrate_with(
            parsed
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5)),
        )
        .await?;
        let writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(classify)?;
        configure(&writer, true)?;
        let readers = Readers {
            path,
            idle: Mutex::new(Vec::new()),
            keep: options.pool_size.max(1) as usize,
        };
        // Fail at start, not at the first GET, if the file cannot be read.
        let first = readers.open()?;
        readers.idle.lock().unwrap_or_else(|e| e.into_inner()).push(first);
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Some(readers),
            toggles: toggle_statements(),
        })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding it cannot leave SQLite half-written: its transactions roll back.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `read` on an idle reader (on the writer in memory).
    fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let Some(readers) = &self.readers else {
            return read(&self.writer()).map_err(classify);
        };
        let idle = readers.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => readers.open()?,
        };
        let result = read(&conn).map_err(classify);
        let mut idle = readers.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < readers.keep {
            idle.push(conn);
        }
        result
    }

    /// The meeting's id and range, read on the writer (so it sees every committed write).
    fn meeting_range(conn: &Connection, code: &UrlCode) -> Result<Option<(i64, Option<DateRange>)>, StoreError> {
        let row = conn
            .prepare_cached("select id, start_date, end_date from meetings where url_code = ?1")
            .and_then(|mut s| {
                s.query_row([code.as_str()], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .optional()
            })
            .map_err(classify)?;
        row.map(|(id, start, end)| Ok((id, crate::stored_range(date(start)?, date(end)?)?)))
            .transpose()
    }

    fn update_text(&self, sql: &str, code: &UrlCode, value: &str) -> Result<(), StoreError> {
        let changed = self
            .writer()
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(params![value, code.as_str()]))
            .map_err(classify)?;
        // SQLite counts matched rows, so writing the stored value again is a success.
        if changed == 0 {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        Ok(())
    }
}

impl Readers {
    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(classify)?;
        configure(&conn, false)?;
        Ok(conn)
    }
}

/// Pragmas of every connection; `wal` only on the writer of a file (the journal mode is stored
/// in the file, and set once by the migration already).
fn configure(conn: &Connection, wal: bool) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(5)).map_err(classify)?;
    let mut pragmas = String::from("pragma foreign_keys = on; pragma temp_store = memory;");
    if wal {
        pragmas.push_str("pragma journal_mode = wal; pragma synchronous = normal;");
    }
    conn.execute_batch(&pragmas).map_err(classify)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

async fn migrate_with(options: SqliteConnectOptions) -> Result<(), StoreError> {
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(crate::error::classify)?;
    migrator(MIGRATIONS)
        .run(&mut conn)
        .await
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
    conn.close().await.map_err(crate::error::classify)
}

/// SQLite's I/O and locking failures become `Unavailable`; the rest are backend failures.
fn classify(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked | CannotOpen | SystemIoFailure | DiskFull | ReadOnly) => {
            StoreError::Unavailable(Box::new(e))
        }
        _ => StoreError::Backend(Box::new(e)),
    }
}

/// For INSERTs into `meetings`: a unique violation means the code is taken.
fn classify_meeting_insert(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::DuplicateUrlCode
        }
        _ => classify(e),
    }
}

/// Stored data that does not decode, as a driver error (it becomes `StoreError::Backend`).
fn corrupt(e: StoreError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Null, Box::new(e))
}

fn iso(d: NaiveDate) -> String {
    String::from_utf8_lossy(&format_iso_date(d)).into_owned()
}

fn date(stored: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    stored
        .map(|s| parse_iso_date(&s).ok_or_else(|| StoreError::Backend(format!("stored date {s:?}").into())))
        .transpose()
}

/// A blob column, borrowed from the row.
fn blob<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Option<&'r [u8]>> {
    row.get_ref(column)?
        .as_blob_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Blob, Box::new(e)))
}

/// One row per participant (one with nulls when there is none), in id order by the index
/// `participants_by_meeting`. Rows cost nothing to fetch here: no JSON to build and parse.
const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date, m.version,
    p.id, p.name, p.free_days, p.starred_days, p.password_hash, m.final_date, m.organiser_key_hash,
    m.time_grid, p.free_slots, p.starred_slots, m.final_cell, m.final_cells, p.required,
    m.deadline_at, m.deadline_zone, m.close_after_last_day
from meetings m
left join participants p on p.meeting_id = m.id
where m.url_code = ?1
order by p.id";

/// Inserts the participant, free on every day (of a time meeting: in no slot), only if its
/// meeting exists and has a range or a time grid; no row means one of the two is missing (told
/// apart on that cold path). A trigger bumps the meeting's version within this statement.
const INSERT_PARTICIPANT: &str = "
insert into participants (meeting_id, name, free_days, password_hash)
select id, ?2, case when time_grid is null
        then ~(-1 << (cast(julianday(end_date) - julianday(start_date) as integer) + 1)) else 0 end, ?3
from meetings
where url_code = ?1 and ((start_date is not null and end_date is not null) or time_grid is not null)
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
        let idle = self
            .readers
            .as_ref()
            .map_or(0, |r| r.idle.lock().unwrap_or_else(|e| e.into_inner()).len() as u32);
        let writer_idle = u32::from(self.writer.try_lock().is_ok());
        Some(meetifyr_core::PoolStats {
            size: 1 + idle,
            idle: writer_idle + idle,
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| c.query_row("select 1", [], |_| Ok(())))
    }

    async fn insert_meeting(&self, code: &UrlCode, organiser_key: Option<&KeyHash>) -> Result<(), StoreError> {
        self.writer()
            .prepare_cached("insert into meetings (url_code, organiser_key_hash) values (?1, ?2)")
            .and_then(|mut s| s.execute(params![code.as_str(), organiser_key.map(KeyHash::as_str)]))
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn insert_time_meeting(
        &self,
        code: &UrlCode,
        organiser_key: Option<&KeyHash>,
        grid: &TimeGrid,
    ) -> Result<(), StoreError> {
        let spec = decode::time_grid_column(&Grid::Times(grid.clone()));
        self.writer()
            .prepare_cached("insert into meetings (url_code, organiser_key_hash, time_grid) values (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![code.as_str(), organiser_key.map(KeyHash::as_str), spec]))
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn replace_slots(
        &self,
        code: &UrlCode,
        participant_id: i64,
        grid: &TimeGrid,
        answer: &SlotAnswer,
    ) -> Result<(), StoreError> {
        let writer = self.writer();
        let changed = writer
            .prepare_cached(
                "update participants set free_slots = ?1, starred_slots = ?2
                 where id = ?3 and meeting_id = (select id from meetings where url_code = ?4 and time_grid is not null)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    answer.free().to_bytes(grid.len()),
                    answer.starred().to_bytes(grid.len()),
                    participant_id,
                    code.as_str()
                ])
            })
            .map_err(classify)?;
        if changed == 1 {
            return Ok(());
        }
        let times: Option<bool> = writer
            .prepare_cached("select time_grid is not null from meetings where url_code = ?1")
            .and_then(|mut s| s.query_row([code.as_str()], |r| r.get(0)).optional())
            .map_err(classify)?;
        Err(crate::slots_not_applied(code, participant_id, times))
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(FIND_MEETING)?;
            let mut rows = statement.query([code.as_str()])?;
            let Some(first) = rows.next()? else {
                return Ok(None);
            };
            let start = date(first.get(2)?).map_err(corrupt)?;
            let end = date(first.get(3)?).map_err(corrupt)?;
            let range = crate::stored_range(start, end).map_err(corrupt)?;
            let time_grid: Option<String> = first.get(12)?;
            let grid = decode::grid(range, time_grid.as_deref()).map_err(corrupt)?;
            let mut meeting = Meeting {
                url_code: code.clone(),
                title: first.get(0)?,
                location: first.get(1)?,
                grid,
                version: first.get(4)?,
                participants: Vec::new(),
                final_date: date(first.get(10)?).map_err(corrupt)?,
                organiser_key_hash: first.get::<_, Option<String>>(11)?.map(KeyHash::from_stored),
                final_slots: crate::stored_window(first.get(15)?, first.get(16)?),
                deadline: crate::stored_deadline(first.get(18)?, first.get(19)?, first.get(20)?).map_err(corrupt)?,
            };
            let mut row = Some(first);
            while let Some(r) = row {
                if let Some(id) = r.get::<_, Option<i64>>(5)? {
                    let answer = decode::AnswerRow {
                        free_days: r.get(7)?,
                        starred_days: r.get(8)?,
                        free_slots: blob(r, 13)?,
                        starred_slots: blob(r, 14)?,
                    };
                    let mut participant =
                        decode::participant(&meeting.grid, id, r.get(6)?, answer, r.get(9)?).map_err(corrupt)?;
                    participant.required = r.get(17)?;
                    meeting.participants.push(participant);
                }
                row = rows.next()?;
            }
            Ok(Some(meeting))
        })
    }

    async fn meeting_version(&self, code: &UrlCode) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            c.prepare_cached("select version from meetings where url_code = ?1")?
                .query_row([code.as_str()], |r| r.get(0))
                .optional()
        })
    }

    async fn count_meetings(&self) -> Result<u64, StoreError> {
        let n: i64 = self.read(|c| c.query_row("select count(*) from meetings", [], |r| r.get(0)))?;
        Ok(n as u64)
    }

    async fn list_meeting_codes(&self, after: Option<&UrlCode>, limit: u32) -> Result<Vec<UrlCode>, StoreError> {
        let codes: Vec<String> = self.read(|c| {
            c.prepare_cached("select url_code from meetings where url_code > ?1 order by url_code limit ?2")?
                .query_map(params![after.map_or("", UrlCode::as_str), i64::from(limit)], |r| {
                    r.get(0)
                })?
                .collect()
        })?;
        Ok(codes.iter().filter_map(|c| UrlCode::parse(c)).collect())
    }

    async fn import_meeting(&self, meeting: &Meeting) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(classify)?;
        let meeting_id: i64 = tx
            .query_row(
                "insert into meetings (url_code, title, location, start_date, end_date, final_date,
                     organiser_key_hash, time_grid, final_cell, final_cells, deadline_at, deadline_zone,
                     close_after_last_day)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) returning id",
                params![
                    meeting.url_code.as_str(),
                    meeting.title,
                    meeting.location,
                    meeting.start_date().map(iso),
                    meeting.end_date().map(iso),
                    meeting.final_date.map(iso),
                    meeting.organiser_key_hash.as_ref().map(KeyHash::as_str),
                    decode::time_grid_column(&meeting.grid),
                    crate::window_columns(meeting.final_slots).0,
                    crate::window_columns(meeting.final_slots).1,
                    meeting.deadline.at_seconds(),
                    meeting.deadline.zone.map(|z| z.name()),
                    meeting.deadline.after_last_day
                ],
                |r| r.get(0),
            )
            .map_err(classify_meeting_insert)?;
        for p in &meeting.participants {
            let (free, starred) = decode::answer_columns(&p.answer);
            let (free_slots, starred_slots) = decode::slot_columns(&meeting.grid, &p.answer);
            tx.execute(
                "insert into participants (id, meeting_id, name, free_days, starred_days, password_hash,
                     free_slots, starred_slots, required)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    p.id,
                    meeting_id,
                    p.name,
                    free,
                    starred,
                    p.password_hash,
                    free_slots,
                    starred_slots,
                    p.required
                ],
            )
            .map_err(classify)?;
        }
        // After the inserts, whose trigger bumped it.
        tx.execute(
            "update meetings set version = ?1 where id = ?2",
            params![meeting.version, meeting_id],
        )
        .map_err(classify)?;
        tx.commit().map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let writer = self.writer();
        let changed = writer
            .prepare_cached(
                "update meetings set start_date = ?1, end_date = ?2, version = version + 1
                 where url_code = ?3 and start_date is null and end_date is null and time_grid is null",
            )
            .and_then(|mut s| s.execute(params![iso(range.start()), iso(range.end()), code.as_str()]))
            .map_err(classify)?;
        if changed == 1 {
            return Ok(());
        }
        let stored = Self::meeting_range(&writer, code)?;
        let stored = match stored {
            Some((_, Some(r))) => Some((Some(r.start()), Some(r.end()))),
            Some((_, None)) => Some((None, None)),
            None => None,
        };
        Err(meetifyr_core::range_not_applied(code, stored))
    }

    async fn update_title(&self, code: &UrlCode, title: &Title) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set title = ?1, version = version + 1 where url_code = ?2",
            code,
            title.as_str(),
        )
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = ?1, version = version + 1 where url_code = ?2",
            code,
            location.as_str(),
        )
    }

    async fn insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
        password_hash: Option<&str>,
    ) -> Result<CreatedParticipant, StoreError> {
        let writer = self.writer();
        let row: Option<(i64, Option<String>, Option<String>)> = writer
            .prepare_cached(INSERT_PARTICIPANT)
            .and_then(|mut s| {
                s.query_row(params![code.as_str(), name.as_str(), password_hash], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
            })
            .map_err(classify)?;
        let Some((id, start, end)) = row else {
            return Err(match Self::meeting_range(&writer, code)? {
                Some(_) => StoreError::DateRangeNotSet,
                None => StoreError::MeetingNotFound(code.to_string()),
            });
        };
        Ok(crate::created_participant(
            id,
            crate::stored_range(date(start)?, date(end)?)?,
        ))
    }

    async fn organiser_key_hash(&self, code: &UrlCode) -> Result<Option<KeyHash>, StoreError> {
        let row: Option<Option<String>> = self
            .writer()
            .prepare_cached("select organiser_key_hash from meetings where url_code = ?1")
            .and_then(|mut s| s.query_row([code.as_str()], |r| r.get(0)).optional())
            .map_err(classify)?;
        let hash = row.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
        Ok(hash.map(KeyHash::from_stored))
    }

    async fn replace_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let mut writer = self.writer();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(classify)?;
        let (meeting_id, old) =
            Self::meeting_range(&tx, code)?.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
        let version: i64 = tx
            .query_row("select version from meetings where id = ?1", [meeting_id], |r| r.get(0))
            .map_err(classify)?;
        let answers: Vec<(i64, i64, i64)> = tx
            .prepare("select id, free_days, starred_days from participants where meeting_id = ?1")
            .and_then(|mut s| {
                s.query_map([meeting_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(classify)?;
        for (id, free, starred) in answers {
            let (free, starred) = decode::remapped_columns(id, (free, starred), old, range)?;
            tx.execute(
                "update participants set free_days = ?1, starred_days = ?2 where id = ?3",
                params![free, starred, id],
            )
            .map_err(classify)?;
        }
        // The triggers bumped the version once per participant: one change, one bump.
        tx.execute(
            "update meetings set start_date = ?1, end_date = ?2, version = ?3,
                 final_date = case when final_date between ?1 and ?2 then final_date end
             where id = ?4",
            params![iso(range.start()), iso(range.end()), version + 1, meeting_id],
        )
        .map_err(classify)?;
        tx.commit().map_err(classify)
    }

    async fn delete_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        let deleted = self
            .writer()
            .prepare_cached("delete from meetings where url_code = ?1")
            .and_then(|mut s| s.execute([code.as_str()]))
            .map_err(classify)?;
        if deleted == 0 {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        Ok(())
    }

    async fn set_final_date(&self, code: &UrlCode, date: Option<NaiveDate>) -> Result<(), StoreError> {
        let writer = self.writer();
        let changed = writer
            .prepare_cached(
                "update meetings set final_date = ?1, version = version + 1
                 where url_code = ?2 and (?1 is null or ?1 between start_date and end_date)",
            )
            .and_then(|mut s| s.execute(params![date.map(iso), code.as_str()]))
            .map_err(classify)?;
        if changed == 1 {
            return Ok(());
        }
        let stored = Self::meeting_range(&writer, code)?.map(|(_, range)| range);
        Err(meetifyr_core::final_date_not_applied(code, date, stored))
    }

    async fn set_deadline(&self, code: &UrlCode, deadline: &meetifyr_core::Deadline) -> Result<(), StoreError> {
        let changed = self
            .writer()
            .prepare_cached(
                "update meetings set deadline_at = ?1, deadline_zone = ?2, close_after_last_day = ?3,
                     version = version + 1
                 where url_code = ?4",
            )
            .and_then(|mut s| {
                s.execute(params![
                    deadline.at_seconds(),
                    deadline.zone.map(|z| z.name()),
                    deadline.after_last_day,
                    code.as_str()
                ])
            })
            .map_err(classify)?;
        match changed {
            1 => Ok(()),
            _ => Err(StoreError::MeetingNotFound(code.to_string())),
        }
    }

    async fn set_final_slots(
        &self,
        code: &UrlCode,
        window: Option<meetifyr_core::SlotWindow>,
    ) -> Result<(), StoreError> {
        let (cell, cells) = crate::window_columns(window);
        let writer = self.writer();
        let changed = writer
            .prepare_cached(
                "update meetings set final_cell = ?1, final_cells = ?2, version = version + 1
                 where url_code = ?3 and time_grid is not null",
            )
            .and_then(|mut s| s.execute(params![cell, cells, code.as_str()]))
            .map_err(classify)?;
        if changed == 1 {
            return Ok(());
        }
        let exists = Self::meeting_range(&writer, code)?.is_some();
        Err(crate::window_not_applied(code, exists))
    }

    async fn participant_password_hash(&self, id: i64) -> Result<Option<(UrlCode, Option<String>)>, StoreError> {
        let row: Option<(String, Option<String>)> = self.read(|c| {
            c.prepare_cached(
                "select m.url_code, p.password_hash from participants p join meetings m on m.id = p.meeting_id
                 where p.id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
        })?;
        Ok(row.and_then(|(code, hash)| Some((UrlCode::parse(&code)?, hash))))
    }

    async fn delete_participant(&self, id: i64) -> Result<UrlCode, StoreError> {
        let code: Option<String> = self
            .writer()
            .prepare_cached(
                "delete from participants where id = ?1
                 returning (select url_code from meetings m where m.id = meeting_id)",
            )
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(classify)?;
        code.and_then(|c| UrlCode::parse(&c))
            .ok_or(StoreError::ParticipantNotFound(id))
    }

    async fn set_required(&self, code: &UrlCode, id: i64, required: bool) -> Result<(), StoreError> {
        // The update trigger bumps the version.
        let changed = self
            .writer()
            .prepare_cached(
                "update participants set required = ?1
                 where id = ?2 and meeting_id = (select id from meetings where url_code = ?3)",
            )
            .and_then(|mut s| s.execute(params![required, id, code.as_str()]))
            .map_err(classify)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::ParticipantNotFound(id))
        }
    }

    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError> {
        let writer = self.writer();
        if let Some((participant, day)) = DateId::decode(date_id) {
            let changed = writer
                .prepare_cached(self.toggles.get(toggle).0)
                .and_then(|mut s| s.execute(params![participant, code.as_str(), iso(day)]))
                .map_err(classify)?;
            if changed == 1 {
                return Ok(());
            }
        }
        let exists = Self::meeting_range(&writer, code)?.is_some();
        Err(meetifyr_core::toggle_not_applied(code, date_id, exists))
    }

    async fn slow_query(&self, target: Duration) -> Result<i64, StoreError> {
        // SQLite has no sleep: recursive counts run in the engine, each sized to about 20 ms by
        // the one before, until `target` has passed (so never shorter, whatever the load). On a
        // file it gets its own connection on a blocking thread; in memory (tests) the writer.
        fn run(conn: &Connection, target: Duration) -> rusqlite::Result<i64> {
            const COUNT: &str = "with recursive c(x) as (select 1 union all select x + 1 from c where x < ?1) \
                select count(*) from c";
            let started = std::time::Instant::now();
            let (mut rows, mut counted) = (10_000_i64, 0_i64);
            while started.elapsed() < target {
                let statement = std::time::Instant::now();
                counted += conn.query_row(COUNT, [rows], |r| r.get::<_, i64>(0))?;
                let per_row = statement.elapsed().as_secs_f64() / rows as f64;
                rows = (0.02 / per_row.max(1e-9)).clamp(1_000.0, 50_000_000.0) as i64;
            }
            Ok(counted)
        }
        let Some(readers) = &self.readers else {
            return run(&self.writer(), target).map_err(classify);
        };
        let path = readers.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(classify)?;
            run(&conn, target).map_err(classify)
        })
        .await
        .map_err(|e| StoreError::Backend(e.into()))?
    }

    async fn replace_availability(
        &self,
        code: &UrlCode,
        participant_id: i64,
        answer: &Availability,
    ) -> Result<(), StoreError> {
        // The single writer: the range read here is the one the answer is written against.
        let writer = self.writer();
        let (meeting_id, _, free, starred) = crate::answer_for(code, Self::meeting_range(&writer, code)?, answer)?;
        let changed = writer
            .prepare_cached(
                "update participants set free_days = ?1, starred_days = ?2 where id = ?3 and meeting_id = ?4",
            )
            .and_then(|mut s| s.execute(params![free.bits(), starred.bits(), participant_id, meeting_id]))
            .map_err(classify)?;
        if changed == 0 {
            return Err(StoreError::ParticipantNotFound(participant_id));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_and_its_folder_are_created() {
        let dir = std::env::temp_dir().join(format!("meetifyr-sqlite-{}", UrlCode::generate()));
        let url = DatabaseUrl::new(format!("sqlite://{}/sub/m.db", dir.display()));
        let store = SqliteStore::connect(&url, &StoreOptions::default()).await.unwrap();
        assert!(dir.join("sub/m.db").exists());
        store.ping().await.unwrap();
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dates_are_stored_as_iso_text() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap();
        assert_eq!(iso(d), "2025-03-04");
        assert_eq!(date(Some("2025-03-04".into())).unwrap(), Some(d));
        assert!(date(Some("2025-3-4".into())).is_err());
    }
}
