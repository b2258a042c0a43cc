//! MySQL / MariaDB backend: the original's database. Tested on MariaDB 10.11; written for
//! MySQL 8 too (no `INSERT … RETURNING`, no `ORDER BY` inside JSON aggregates).
//!
//! URL: `mysql://USER:PASSWORD@HOST:3306/DATABASE` (also `mariadb://`).
//!
//! Dialect: `BOOLEAN` is `TINYINT(1)`; `url_code` uses `utf8mb4_bin` so codes stay
//! case-sensitive; the driver sets `CLIENT_FOUND_ROWS`, so an UPDATE that writes the stored
//! value still counts its row (the original's asyncmy did not, hence its 404 on an unchanged
//! title). GET reads one joined result set (a row per participant, its answer as two bit sets)
//! in one round trip. Toggles and answers are one multi-table UPDATE that changes the
//! participant and bumps the meeting's version together. A participant joins through a stored
//! procedure (one round trip) where the account may create one, else through a short
//! transaction, as deleting one does (MySQL has no `RETURNING` and no data-modifying CTEs).
//! Transactions that InnoDB aborts as deadlock victims are retried.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, CreatedParticipant, DateId, DateRange, Grid, KeyHash, Location, Meeting, ParticipantName, SlotAnswer,
    Store, StoreError, TimeGrid, Title, Toggle, UrlCode,
};
use sqlx::{MySqlPool, mysql::MySqlConnectOptions};

use crate::{
    DatabaseUrl, StoreOptions,
    error::{classify, classify_meeting_insert, retrying},
};

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/mysql/0001_init.sql")),
    (
        2,
        "answers as day sets",
        include_str!("../migrations/mysql/0002_answers_as_day_sets.sql"),
    ),
    (
        3,
        "organiser and passwords",
        include_str!("../migrations/mysql/0003_organiser_and_passwords.sql"),
    ),
    (
        4,
        "time meetings",
        include_str!("../migrations/mysql/0004_time_meetings.sql"),
    ),
    (
        5,
        "required participants",
        include_str!("../migrations/mysql/0005_required_participants.sql"),
    ),
    (
        6,
        "answer deadline",
        include_str!("../migrations/mysql/0006_answer_deadline.sql"),
    ),
];

pub struct MySqlStore {
    pool: MySqlPool,
    toggles: crate::ToggleStatements,
    join: JoinPath,
}

/// How a participant joins, decided at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinPath {
    /// `CALL meetifyr_join_v1(…)`: one round trip.
    Procedure,
    /// BEGIN, SELECT … FOR UPDATE, INSERT, UPDATE, COMMIT: where the account may not create or
    /// run routines.
    Transaction,
}

const JOIN_PROCEDURE: &str = include_str!("../routines/mysql_join_v1.sql");
const JOIN_CALL: &str = "call meetifyr_join_v1(?, ?, ?)";

/// Creates the join procedure unless it exists, then calls it once for a code no meeting has
/// (it writes nothing then): the path is `Procedure` only if both work for this account.
async fn choose_join_path(pool: &MySqlPool) -> JoinPath {
    let probe = async {
        match sqlx::raw_sql(JOIN_PROCEDURE).execute(pool).await {
            // ER_SP_ALREADY_EXISTS: another instance (or an earlier start) made it.
            Err(e) if crate::error::mysql_number(&e) != Some(1304) => return Err(e),
            _ => {}
        }
        let rows = sqlx::query(JOIN_CALL)
            .bind("")
            .bind("")
            .bind(None::<&str>)
            .fetch_all(pool)
            .await?;
        Ok(rows.len())
    }
    .await;
    match probe {
        Ok(1) => {
            tracing::info!("mysql: participants join through the stored procedure meetifyr_join_v1 (1 round trip)");
            JoinPath::Procedure
        }
        other => {
            let why = other.map_or_else(|e| e.to_string(), |n| format!("the probe answered {n} rows, not 1"));
            tracing::warn!(
                "mysql: cannot use the stored procedure meetifyr_join_v1 ({why}); participants join through a 5-statement transaction"
            );
            JoinPath::Transaction
        }
    }
}

impl MySqlStore {
    /// Connects and migrates. The pool reconnects by itself after the server comes back.
    pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self, StoreError> {
        // sqlx only knows the mysql:// scheme.
        let raw = url.expose();
        let raw = raw
            .strip_prefix("mariadb:")
            .map_or_else(|| raw.to_owned(), |rest| format!("mysql:{rest}"));
        let connect = raw.parse::<MySqlConnectOptions>().map_err(classify)?.charset("utf8mb4");
        let pool = crate::open_pool(connect, options, MIGRATIONS).await?;
        let join = choose_join_path(&pool).await;
        Ok(Self {
            pool,
            toggles: toggle_statements(),
            join,
        })
    }

    /// How participants join on this store (decided at start).
    pub fn join_path(&self) -> JoinPath {
        self.join
    }

    async fn call_join(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
        password_hash: Option<&str>,
    ) -> Result<CreatedParticipant, StoreError> {
        type Row = (Option<i64>, Option<i64>, Option<NaiveDate>, Option<NaiveDate>);
        // fetch_all: reads the procedure's closing OK packet too, leaving the connection clean.
        let rows: Vec<Row> = sqlx::query_as(JOIN_CALL)
            .bind(code.as_str())
            .bind(name.as_str())
            .bind(password_hash)
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        let Some(&(meeting_id, participant_id, start, end)) = rows.first() else {
            return Err(StoreError::Backend("meetifyr_join_v1 answered no row".into()));
        };
        if meeting_id.is_none() {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        let range = crate::stored_range(start, end)?;
        let id = participant_id.ok_or(StoreError::DateRangeNotSet)?;
        Ok(crate::created_participant(id, range))
    }

    async fn meeting_range(&self, code: &UrlCode) -> Result<Option<(i64, Option<DateRange>)>, StoreError> {
        let row: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = ?")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        row.map(|(id, start, end)| Ok((id, crate::stored_range(start, end)?)))
            .transpose()
    }

    async fn update_text(&self, sql: &'static str, code: &UrlCode, value: &str) -> Result<(), StoreError> {
        let done = sqlx::query(sql)
            .bind(value)
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        Ok(())
    }

    async fn try_insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
        password_hash: Option<&str>,
    ) -> Result<CreatedParticipant, StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        // Locks the meeting row first: its version is bumped below anyway.
        type Row = (i64, Option<NaiveDate>, Option<NaiveDate>, Option<String>);
        let meeting: Option<Row> =
            sqlx::query_as("select id, start_date, end_date, time_grid from meetings where url_code = ? for update")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(classify)?;
        let Some((meeting_id, start, end, time_grid)) = meeting else {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        };
        let range = crate::stored_range(start, end)?;
        if range.is_none() && time_grid.is_none() {
            return Err(StoreError::DateRangeNotSet);
        }
        let id =
            sqlx::query("insert into participants (meeting_id, name, free_days, password_hash) values (?, ?, ?, ?)")
                .bind(meeting_id)
                .bind(name.as_str())
                .bind(range.map_or(0, |r| r.all_days().bits()))
                .bind(password_hash)
                .execute(&mut *tx)
                .await
                .map_err(classify)?
                .last_insert_id() as i64;
        sqlx::query("update meetings set version = version + 1 where id = ?")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(crate::created_participant(id, range))
    }

    async fn try_replace_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        // The meeting first, as participant creation and deletion lock it.
        let meeting: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = ? for update")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(classify)?;
        let (meeting_id, start, end) = meeting.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
        let old = crate::stored_range(start, end)?;
        let answers: Vec<(i64, i64, i64)> =
            sqlx::query_as("select id, free_days, starred_days from participants where meeting_id = ? for update")
                .bind(meeting_id)
                .fetch_all(&mut *tx)
                .await
                .map_err(classify)?;
        for (id, free, starred) in answers {
            let (free, starred) = crate::decode::remapped_columns(id, (free, starred), old, range)?;
            sqlx::query("update participants set free_days = ?, starred_days = ? where id = ?")
                .bind(free)
                .bind(starred)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
        }
        // final_date is compared before start and end change (MySQL assigns left to right).
        sqlx::query(
            "update meetings set final_date = case when final_date between ? and ? then final_date end,
                 start_date = ?, end_date = ?, version = version + 1
             where id = ?",
        )
        .bind(range.start())
        .bind(range.end())
        .bind(range.start())
        .bind(range.end())
        .bind(meeting_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn try_delete_participant(&self, id: i64) -> Result<UrlCode, StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        // Locks the meeting row first, as participant creation does.
        let code: Option<String> = sqlx::query_scalar(
            "select m.url_code from meetings m join participants p on p.meeting_id = m.id
             where p.id = ? for update",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?;
        let code = code
            .and_then(|c| UrlCode::parse(&c))
            .ok_or(StoreError::ParticipantNotFound(id))?;
        sqlx::query(
            "update meetings m join participants p on p.meeting_id = m.id
             set m.version = m.version + 1 where p.id = ?",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        sqlx::query("delete from participants where id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(code)
    }
}

const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date, m.version,
       p.id, p.name, p.free_days, p.starred_days, p.password_hash, m.final_date, m.organiser_key_hash,
       m.time_grid, p.free_slots, p.starred_slots, concat(m.final_cell, ' ', m.final_cells), p.required,
       m.deadline_at, m.deadline_zone, m.close_after_last_day
from meetings m
left join participants p on p.meeting_id = m.id
where m.url_code = ?
order by p.id";

/// A toggle of day `?1` of participant `?2`, only if the day lies in the range of meeting `?3`
/// and the participant is that meeting's, bumping the version in the same statement.
fn toggle_statements() -> crate::ToggleStatements {
    crate::ToggleStatements::new(|toggle| {
        format!(
            "update participants p
             join meetings m on m.id = p.meeting_id
             join (select cast(? as date) as day) x
             set {}, m.version = m.version + 1
             where p.id = ? and m.url_code = ? and x.day between m.start_date and m.end_date",
            crate::toggle_assignments(toggle, "(1 << datediff(x.day, m.start_date))")
        )
    })
}

#[async_trait]
impl Store for MySqlStore {
    fn backend(&self) -> &'static str {
        "mysql"
    }

    fn pool_stats(&self) -> Option<meetifyr_core::PoolStats> {
        Some(crate::pool_stats(&[&self.pool]))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(classify)?;
        Ok(())
    }

    async fn insert_meeting(&self, code: &UrlCode, organiser_key: Option<&KeyHash>) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code, organiser_key_hash) values (?, ?)")
            .bind(code.as_str())
            .bind(organiser_key.map(KeyHash::as_str))
            .execute(&self.pool)
            .await
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn insert_time_meeting(
        &self,
        code: &UrlCode,
        organiser_key: Option<&KeyHash>,
        grid: &TimeGrid,
    ) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code, organiser_key_hash, time_grid) values (?, ?, ?)")
            .bind(code.as_str())
            .bind(organiser_key.map(KeyHash::as_str))
            .bind(crate::decode::time_grid_column(&Grid::Times(grid.clone())))
            .execute(&self.pool)
            .await
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
        let (free, starred) = (
            answer.free().to_bytes(grid.len()),
            answer.starred().to_bytes(grid.len()),
        );
        // One statement: the answer and the version bump (which always changes the meeting
        // row, so a match is never counted as zero rows).
        let done = retrying(|| async {
            sqlx::query(
                "update participants p join meetings m on m.id = p.meeting_id
                 set p.free_slots = ?, p.starred_slots = ?, m.version = m.version + 1
                 where p.id = ? and m.url_code = ? and m.time_grid is not null",
            )
            .bind(&free)
            .bind(&starred)
            .bind(participant_id)
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        let times: Option<i64> = sqlx::query_scalar("select time_grid is not null from meetings where url_code = ?")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Err(crate::slots_not_applied(code, participant_id, times.map(|t| t != 0)))
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        use sqlx::Row;
        let rows: Vec<sqlx::mysql::MySqlRow> = sqlx::query(FIND_MEETING)
            .bind(code.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let get = |e: sqlx::Error| classify(e);
        let final_cells: Option<String> = first.try_get(15).map_err(get)?;
        let time_grid: Option<String> = first.try_get(12).map_err(get)?;
        let mut meeting = Meeting {
            url_code: code.clone(),
            title: first.try_get(0).map_err(get)?,
            location: first.try_get(1).map_err(get)?,
            grid: crate::decode::grid(
                crate::stored_range(first.try_get(2).map_err(get)?, first.try_get(3).map_err(get)?)?,
                time_grid.as_deref(),
            )?,
            version: first.try_get(4).map_err(get)?,
            participants: Vec::with_capacity(rows.len()),
            final_date: first.try_get(10).map_err(get)?,
            organiser_key_hash: first
                .try_get::<Option<String>, _>(11)
                .map_err(get)?
                .map(KeyHash::from_stored),
            final_slots: final_cells.as_deref().and_then(|w| {
                let (cell, cells) = w.split_once(' ')?;
                crate::stored_window(cell.parse().ok(), cells.parse().ok())
            }),
            deadline: crate::stored_deadline(
                first.try_get(17).map_err(get)?,
                first.try_get(18).map_err(get)?,
                first.try_get(19).map_err(get)?,
            )?,
        };
        for r in &rows {
            let Some(id) = r.try_get::<Option<i64>, _>(5).map_err(get)? else {
                continue;
            };
            let free_slots: Option<Vec<u8>> = r.try_get(13).map_err(get)?;
            let starred_slots: Option<Vec<u8>> = r.try_get(14).map_err(get)?;
            let answer = crate::decode::AnswerRow {
                free_days: r.try_get(7).map_err(get)?,
                starred_days: r.try_get(8).map_err(get)?,
                free_slots: free_slots.as_deref(),
                starred_slots: starred_slots.as_deref(),
            };
            let mut participant = crate::decode::participant(
                &meeting.grid,
                id,
                r.try_get(6).map_err(get)?,
                answer,
                r.try_get(9).map_err(get)?,
            )?;
            participant.required = r.try_get(16).map_err(get)?;
            meeting.participants.push(participant);
        }
        Ok(Some(meeting))
    }

    async fn meeting_version(&self, code: &UrlCode) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("select version from meetings where url_code = ?")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)
    }

    async fn count_meetings(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("select count(*) from meetings")
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        Ok(n as u64)
    }

    async fn list_meeting_codes(&self, after: Option<&UrlCode>, limit: u32) -> Result<Vec<UrlCode>, StoreError> {
        // url_code is utf8mb4_bin: byte order, as the other backends.
        let codes: Vec<String> =
            sqlx::query_scalar("select url_code from meetings where url_code > ? order by url_code limit ?")
                .bind(after.map_or("", UrlCode::as_str))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(classify)?;
        Ok(codes.iter().filter_map(|c| UrlCode::parse(c)).collect())
    }

    async fn import_meeting(&self, meeting: &Meeting) -> Result<(), StoreError> {
        // InnoDB moves AUTO_INCREMENT past explicit ids by itself.
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let meeting_id = sqlx::query(
            "insert into meetings (url_code, title, location, start_date, end_date, version, final_date,
                 organiser_key_hash, time_grid, final_cell, final_cells, deadline_at, deadline_zone,
                 close_after_last_day)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(meeting.url_code.as_str())
        .bind(&meeting.title)
        .bind(&meeting.location)
        .bind(meeting.start_date())
        .bind(meeting.end_date())
        .bind(meeting.version)
        .bind(meeting.final_date)
        .bind(meeting.organiser_key_hash.as_ref().map(KeyHash::as_str))
        .bind(crate::decode::time_grid_column(&meeting.grid))
        .bind(crate::window_columns(meeting.final_slots).0)
        .bind(crate::window_columns(meeting.final_slots).1)
        .bind(meeting.deadline.at_seconds())
        .bind(meeting.deadline.zone.map(|z| z.name()))
        .bind(meeting.deadline.after_last_day)
        .execute(&mut *tx)
        .await
        .map_err(classify_meeting_insert)?
        .last_insert_id() as i64;
        for p in &meeting.participants {
            let (free, starred) = crate::decode::answer_columns(&p.answer);
            let (free_slots, starred_slots) = crate::decode::slot_columns(&meeting.grid, &p.answer);
            sqlx::query(
                "insert into participants (id, meeting_id, name, free_days, starred_days, password_hash,
                     free_slots, starred_slots, required)
                 values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(p.id)
            .bind(meeting_id)
            .bind(&p.name)
            .bind(free)
            .bind(starred)
            .bind(&p.password_hash)
            .bind(free_slots)
            .bind(starred_slots)
            .bind(p.required)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = ?, end_date = ?, version = version + 1
             where url_code = ? and start_date is null and end_date is null and time_grid is null",
        )
        .bind(range.start())
        .bind(range.end())
        .bind(code.as_str())
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let stored: Option<(Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select start_date, end_date from meetings where url_code = ?")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        Err(meetifyr_core::range_not_applied(code, stored))
    }

    async fn update_title(&self, code: &UrlCode, title: &Title) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set title = ?, version = version + 1 where url_code = ?",
            code,
            title.as_str(),
        )
        .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = ?, version = version + 1 where url_code = ?",
            code,
            location.as_str(),
        )
        .await
    }

    async fn insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
        password_hash: Option<&str>,
    ) -> Result<CreatedParticipant, StoreError> {
        match self.join {
            JoinPath::Procedure => retrying(|| self.call_join(code, name, password_hash)).await,
            JoinPath::Transaction => retrying(|| self.try_insert_participant(code, name, password_hash)).await,
        }
    }

    async fn organiser_key_hash(&self, code: &UrlCode) -> Result<Option<KeyHash>, StoreError> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("select organiser_key_hash from meetings where url_code = ?")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        let hash = row.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
        Ok(hash.map(KeyHash::from_stored))
    }

    async fn set_final_slots(
        &self,
        code: &UrlCode,
        window: Option<meetifyr_core::SlotWindow>,
    ) -> Result<(), StoreError> {
        let (cell, cells) = crate::window_columns(window);
        // The version bump always changes the row, so a match is never counted as zero.
        let done = retrying(|| async {
            sqlx::query(
                "update meetings set final_cell = ?, final_cells = ?, version = version + 1
                 where url_code = ? and time_grid is not null",
            )
            .bind(cell)
            .bind(cells)
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        let exists = self.meeting_range(code).await?.is_some();
        Err(crate::window_not_applied(code, exists))
    }

    async fn replace_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        retrying(|| self.try_replace_date_range(code, range)).await
    }

    async fn delete_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query("delete from meetings where url_code = ?")
                .bind(code.as_str())
                .execute(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        }
        Ok(())
    }

    async fn set_final_date(&self, code: &UrlCode, date: Option<NaiveDate>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set final_date = ?, version = version + 1
             where url_code = ? and (? is null or ? between start_date and end_date)",
        )
        .bind(date)
        .bind(code.as_str())
        .bind(date)
        .bind(date)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let stored = self.meeting_range(code).await?.map(|(_, range)| range);
        Err(meetifyr_core::final_date_not_applied(code, date, stored))
    }

    async fn participant_password_hash(&self, id: i64) -> Result<Option<(UrlCode, Option<String>)>, StoreError> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "select m.url_code, p.password_hash from participants p join meetings m on m.id = p.meeting_id
             where p.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?;
        Ok(row.and_then(|(code, hash)| Some((UrlCode::parse(&code)?, hash))))
    }

    async fn set_deadline(&self, code: &UrlCode, deadline: &meetifyr_core::Deadline) -> Result<(), StoreError> {
        // The version always changes, so a found row is always an affected one.
        let done = retrying(|| async {
            sqlx::query(
                "update meetings set deadline_at = ?, deadline_zone = ?, close_after_last_day = ?,
                     version = version + 1
                 where url_code = ?",
            )
            .bind(deadline.at_seconds())
            .bind(deadline.zone.map(|z| z.name()))
            .bind(deadline.after_last_day)
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        match done.rows_affected() {
            1 => Ok(()),
            _ => Err(StoreError::MeetingNotFound(code.to_string())),
        }
    }

    async fn set_required(&self, code: &UrlCode, id: i64, required: bool) -> Result<(), StoreError> {
        // One statement updates both rows: the version moves with the flag or not at all.
        let done = retrying(|| async {
            sqlx::query(
                "update participants p join meetings m on m.id = p.meeting_id
                 set p.required = ?, m.version = m.version + 1
                 where p.id = ? and m.url_code = ?",
            )
            .bind(required)
            .bind(id)
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done.rows_affected() > 0 {
            Ok(())
        } else {
            Err(StoreError::ParticipantNotFound(id))
        }
    }

    async fn delete_participant(&self, id: i64) -> Result<UrlCode, StoreError> {
        retrying(|| self.try_delete_participant(id)).await
    }

    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError> {
        if let Some((participant, day)) = DateId::decode(date_id) {
            let done = retrying(|| async {
                sqlx::query(self.toggles.get(toggle))
                    .bind(day)
                    .bind(participant)
                    .bind(code.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(classify)
            })
            .await?;
            if done.rows_affected() > 0 {
                return Ok(());
            }
        }
        let exists = self.meeting_range(code).await?.is_some();
        Err(meetifyr_core::toggle_not_applied(code, date_id, exists))
    }

    async fn slow_query(&self, target: Duration) -> Result<i64, StoreError> {
        // The time is spent in the server (SLEEP), holding a pooled connection as a slow query
        // would.
        let counted: i64 = sqlx::query_scalar("select cast(sleep(?) + (select count(*) from meetings) as signed)")
            .bind(target.as_secs_f64())
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        Ok(counted)
    }

    async fn replace_availability(
        &self,
        code: &UrlCode,
        participant_id: i64,
        answer: &Availability,
    ) -> Result<(), StoreError> {
        let (meeting_id, range, free, starred) = crate::answer_for(code, self.meeting_range(code).await?, answer)?;
        // One statement, guarded by the range the answer was computed against.
        let done = retrying(|| async {
            sqlx::query(
                "update participants p join meetings m on m.id = p.meeting_id
                 set p.free_days = ?, p.starred_days = ?, m.version = m.version + 1
                 where p.id = ? and m.id = ? and m.start_date = ? and m.end_date = ?",
            )
            .bind(free.bits())
            .bind(starred.bits())
            .bind(participant_id)
            .bind(meeting_id)
            .bind(range.start())
            .bind(range.end())
            .execute(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ParticipantNotFound(participant_id));
        }
        Ok(())
    }
}
