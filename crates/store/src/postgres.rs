//! PostgreSQL backend (the stand-in for the original's EdgeDB, which cannot be installed here).
//!
//! URL: `postgres://USER:PASSWORD@HOST:5432/DATABASE` (also `postgresql://`); sqlx's query
//! parameters such as `?sslmode=disable` pass through.
//!
//! One round trip per operation: GET aggregates the participants (each with its answer as two
//! bit sets) into one JSON value, and every write is a single statement whose CTEs change the
//! participant and bump the meeting's version — the seed's EdgeDB lesson (one statement instead
//! of two) applied here. A single statement is atomic by itself. Writes to a participant lock
//! the meeting's row first (`for update` in their first CTE, which also reads the meeting's
//! range as committed, never a stale snapshot), then the participant's, always in that order:
//! they cannot deadlock each other, and a range replaced meanwhile cannot shift their bits.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    Availability, CreatedParticipant, DateId, DateRange, Grid, KeyHash, Location, Meeting, ParticipantName, SlotAnswer,
    Store, StoreError, TimeGrid, Title, Toggle, UrlCode,
};
use sqlx::{PgPool, postgres::PgConnectOptions};

use crate::{
    DatabaseUrl, StoreOptions, decode,
    error::{classify, classify_meeting_insert, retrying},
};

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        "answers as day sets",
        include_str!("../migrations/postgres/0002_answers_as_day_sets.sql"),
    ),
    (
        3,
        "organiser and passwords",
        include_str!("../migrations/postgres/0003_organiser_and_passwords.sql"),
    ),
    (
        4,
        "time meetings",
        include_str!("../migrations/postgres/0004_time_meetings.sql"),
    ),
    (
        5,
        "required participants",
        include_str!("../migrations/postgres/0005_required_participants.sql"),
    ),
    (
        6,
        "answer deadline",
        include_str!("../migrations/postgres/0006_answer_deadline.sql"),
    ),
];

pub struct PostgresStore {
    pool: PgPool,
    toggles: crate::ToggleStatements,
}

impl PostgresStore {
    /// Connects and migrates. The pool reconnects by itself after the server comes back.
    pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self, StoreError> {
        let connect = url
            .expose()
            .parse::<PgConnectOptions>()
            .map_err(classify)?
            .application_name("meetifyr");
        let pool = crate::open_pool(connect, options, MIGRATIONS).await?;
        Ok(Self {
            pool,
            toggles: toggle_statements(),
        })
    }

    async fn meeting_range(&self, code: &UrlCode) -> Result<Option<(i64, Option<DateRange>)>, StoreError> {
        let row: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = $1")
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
}

const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date, m.version, m.final_date, m.organiser_key_hash,
    coalesce((select json_agg(json_build_array(p.id, p.name, p.free_days, p.starred_days, p.password_hash,
            encode(p.free_slots, 'hex'), encode(p.starred_slots, 'hex'), p.required))
        from participants p where p.meeting_id = m.id), '[]')::text,
    m.time_grid, m.final_cell::bigint, m.final_cells::bigint,
    m.deadline_at, m.deadline_zone, m.close_after_last_day
from meetings m
where m.url_code = $1";

/// Reads the meeting, inserts the participant free on every day of its range (of a time
/// meeting: in no slot), bumps the version, in one statement.
const INSERT_PARTICIPANT: &str = "
with m as (
    select id, start_date, end_date, time_grid from meetings where url_code = $1 for update
), p as (
    insert into participants (meeting_id, name, free_days, password_hash)
    select id, $2, case when time_grid is null then ~((-1)::bigint << (end_date - start_date + 1)) else 0 end, $3
    from m where (start_date is not null and end_date is not null) or time_grid is not null
    returning id, meeting_id
), v as (
    update meetings set version = version + 1 where id in (select meeting_id from p)
)
select exists (select 1 from m), (select id from p), (select start_date from m), (select end_date from m)";

/// A toggle of day `$3` of participant `$1`, only if the day lies in the range of meeting `$2`
/// and the participant is that meeting's; the version bump only if it applied.
fn toggle_statements() -> crate::ToggleStatements {
    crate::ToggleStatements::new(|toggle| {
        format!(
            "with m as (
                 select id, 1::bigint << ($3::date - start_date) as b from meetings
                 where url_code = $2 and $3::date between start_date and end_date for update
             ), p as (
                 update participants set {}
                 from m where participants.id = $1 and participants.meeting_id = m.id
                 returning participants.meeting_id
             )
             update meetings set version = version + 1 where id in (select meeting_id from p)",
            crate::toggle_assignments(toggle, "m.b")
        )
    })
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn pool_stats(&self) -> Option<meetifyr_core::PoolStats> {
        Some(crate::pool_stats(&[&self.pool]))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(classify)?;
        Ok(())
    }

    async fn insert_meeting(&self, code: &UrlCode, organiser_key: Option<&KeyHash>) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code, organiser_key_hash) values ($1, $2)")
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
        sqlx::query("insert into meetings (url_code, organiser_key_hash, time_grid) values ($1, $2, $3)")
            .bind(code.as_str())
            .bind(organiser_key.map(KeyHash::as_str))
            .bind(decode::time_grid_column(&Grid::Times(grid.clone())))
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
        // One statement: the meeting row locked, the answer written, the version bumped; and
        // whether the meeting exists and is over times, for the error.
        let (times, done): (Option<bool>, bool) = retrying(|| async {
            sqlx::query_as(
                "with m as (
                     select id, time_grid is not null as times from meetings where url_code = $4 for update
                 ), p as (
                     update participants set free_slots = $1, starred_slots = $2
                     from m where m.times and participants.id = $3 and participants.meeting_id = m.id
                     returning participants.meeting_id
                 ), v as (
                     update meetings set version = version + 1 where id in (select meeting_id from p)
                 )
                 select (select times from m), exists (select 1 from p)",
            )
            .bind(&free)
            .bind(&starred)
            .bind(participant_id)
            .bind(code.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done {
            return Ok(());
        }
        Err(crate::slots_not_applied(code, participant_id, times))
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        type Row = (
            String,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
            i64,
            Option<NaiveDate>,
            Option<String>,
            String,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            bool,
        );
        let row: Option<Row> = sqlx::query_as(FIND_MEETING)
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        let Some((
            title,
            location,
            start_date,
            end_date,
            version,
            final_date,
            key_hash,
            participants,
            time_grid,
            final_cell,
            final_cells,
            deadline_at,
            deadline_zone,
            close_after_last_day,
        )) = row
        else {
            return Ok(None);
        };
        let grid = decode::grid(crate::stored_range(start_date, end_date)?, time_grid.as_deref())?;
        Ok(Some(Meeting {
            url_code: code.clone(),
            title,
            location,
            participants: decode::participants(&grid, &participants)?,
            grid,
            version,
            final_date,
            organiser_key_hash: key_hash.map(KeyHash::from_stored),
            final_slots: crate::stored_window(final_cell, final_cells),
            deadline: crate::stored_deadline(deadline_at, deadline_zone, close_after_last_day)?,
        }))
    }

    async fn meeting_version(&self, code: &UrlCode) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("select version from meetings where url_code = $1")
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
        // Byte order ("C"), as the other backends and Rust compare, whatever the database locale.
        let codes: Vec<String> = sqlx::query_scalar(
            r#"select url_code from meetings where url_code collate "C" > $1
               order by url_code collate "C" limit $2"#,
        )
        .bind(after.map_or("", UrlCode::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        Ok(codes.iter().filter_map(|c| UrlCode::parse(c)).collect())
    }

    async fn import_meeting(&self, meeting: &Meeting) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let meeting_id: i64 = sqlx::query_scalar(
            "insert into meetings (url_code, title, location, start_date, end_date, version, final_date,
                 organiser_key_hash, time_grid, final_cell, final_cells, deadline_at, deadline_zone,
                 close_after_last_day)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint, $11::bigint, $12, $13, $14) returning id",
        )
        .bind(meeting.url_code.as_str())
        .bind(&meeting.title)
        .bind(&meeting.location)
        .bind(meeting.start_date())
        .bind(meeting.end_date())
        .bind(meeting.version)
        .bind(meeting.final_date)
        .bind(meeting.organiser_key_hash.as_ref().map(KeyHash::as_str))
        .bind(decode::time_grid_column(&meeting.grid))
        .bind(crate::window_columns(meeting.final_slots).0)
        .bind(crate::window_columns(meeting.final_slots).1)
        .bind(meeting.deadline.at_seconds())
        .bind(meeting.deadline.zone.map(|z| z.name()))
        .bind(meeting.deadline.after_last_day)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify_meeting_insert)?;
        for p in &meeting.participants {
            let (free, starred) = decode::answer_columns(&p.answer);
            let (free_slots, starred_slots) = decode::slot_columns(&meeting.grid, &p.answer);
            sqlx::query(
                "insert into participants (id, meeting_id, name, free_days, starred_days, password_hash,
                     free_slots, starred_slots, required)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        // Explicit ids do not move identity sequences: move them past what was imported.
        sqlx::query(
            "select setval(s, greatest(coalesce((select max(id) from participants), 0), nextval(s)))
             from pg_get_serial_sequence('participants', 'id') s",
        )
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = $1, end_date = $2, version = version + 1
             where url_code = $3 and start_date is null and end_date is null and time_grid is null",
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
        // A fresh statement, so a racing winner's values are visible.
        let stored: Option<(Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select start_date, end_date from meetings where url_code = $1")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        Err(meetifyr_core::range_not_applied(code, stored))
    }

    async fn update_title(&self, code: &UrlCode, title: &Title) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set title = $1, version = version + 1 where url_code = $2",
            code,
            title.as_str(),
        )
        .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = $1, version = version + 1 where url_code = $2",
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
        type Row = (bool, Option<i64>, Option<NaiveDate>, Option<NaiveDate>);
        let (found, id, start, end): Row = retrying(|| async {
            sqlx::query_as(INSERT_PARTICIPANT)
                .bind(code.as_str())
                .bind(name.as_str())
                .bind(password_hash)
                .fetch_one(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        match (found, id, crate::stored_range(start, end)?) {
            (false, _, _) => Err(StoreError::MeetingNotFound(code.to_string())),
            (true, Some(id), range) => Ok(crate::created_participant(id, range)),
            (true, None, _) => Err(StoreError::DateRangeNotSet),
        }
    }

    async fn organiser_key_hash(&self, code: &UrlCode) -> Result<Option<KeyHash>, StoreError> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("select organiser_key_hash from meetings where url_code = $1")
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(classify)?;
        let hash = row.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
        Ok(hash.map(KeyHash::from_stored))
    }

    async fn replace_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        retrying(|| async {
            let mut tx = self.pool.begin().await.map_err(classify)?;
            // The meeting first, as every write to its participants locks it.
            let meeting: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
                sqlx::query_as("select id, start_date, end_date from meetings where url_code = $1 for update")
                    .bind(code.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(classify)?;
            let (meeting_id, start, end) = meeting.ok_or_else(|| StoreError::MeetingNotFound(code.to_string()))?;
            let old = crate::stored_range(start, end)?;
            let answers: Vec<(i64, i64, i64)> =
                sqlx::query_as("select id, free_days, starred_days from participants where meeting_id = $1 for update")
                    .bind(meeting_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(classify)?;
            let (mut ids, mut frees, mut stars) = (Vec::new(), Vec::new(), Vec::new());
            for (id, free, starred) in answers {
                let (free, starred) = decode::remapped_columns(id, (free, starred), old, range)?;
                ids.push(id);
                frees.push(free);
                stars.push(starred);
            }
            sqlx::query(
                "update participants set free_days = a.free, starred_days = a.starred
                 from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as a(id, free, starred)
                 where participants.id = a.id",
            )
            .bind(&ids)
            .bind(&frees)
            .bind(&stars)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
            sqlx::query(
                "update meetings set start_date = $1, end_date = $2, version = version + 1,
                     final_date = case when final_date between $1 and $2 then final_date end
                 where id = $3",
            )
            .bind(range.start())
            .bind(range.end())
            .bind(meeting_id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
            tx.commit().await.map_err(classify)
        })
        .await
    }

    async fn delete_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query("delete from meetings where url_code = $1")
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
            "update meetings set final_date = $1, version = version + 1
             where url_code = $2 and ($1::date is null or $1::date between start_date and end_date)",
        )
        .bind(date)
        .bind(code.as_str())
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let stored = self.meeting_range(code).await?.map(|(_, range)| range);
        Err(meetifyr_core::final_date_not_applied(code, date, stored))
    }

    async fn set_final_slots(
        &self,
        code: &UrlCode,
        window: Option<meetifyr_core::SlotWindow>,
    ) -> Result<(), StoreError> {
        let (cell, cells) = crate::window_columns(window);
        let (exists, done): (bool, bool) = retrying(|| async {
            sqlx::query_as(
                "with m as (
                     select id, time_grid is not null as times from meetings where url_code = $3 for update
                 ), u as (
                     update meetings set final_cell = $1::bigint, final_cells = $2::bigint, version = version + 1
                     where id in (select id from m where times) returning id
                 )
                 select exists (select 1 from m), exists (select 1 from u)",
            )
            .bind(cell)
            .bind(cells)
            .bind(code.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        if done {
            return Ok(());
        }
        Err(crate::window_not_applied(code, exists))
    }

    async fn participant_password_hash(&self, id: i64) -> Result<Option<(UrlCode, Option<String>)>, StoreError> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "select m.url_code, p.password_hash from participants p join meetings m on m.id = p.meeting_id
             where p.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?;
        Ok(row.and_then(|(code, hash)| Some((UrlCode::parse(&code)?, hash))))
    }

    async fn set_deadline(&self, code: &UrlCode, deadline: &meetifyr_core::Deadline) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query(
                "update meetings set deadline_at = $1, deadline_zone = $2, close_after_last_day = $3,
                     version = version + 1
                 where url_code = $4",
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
        let done: Option<i64> = retrying(|| async {
            sqlx::query_scalar(
                "with p as (
                     update participants set required = $1
                     where id = $2 and meeting_id = (select id from meetings where url_code = $3)
                     returning meeting_id
                 )
                 update meetings set version = version + 1 where id in (select meeting_id from p)
                 returning version",
            )
            .bind(required)
            .bind(id)
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        done.map(|_| ()).ok_or(StoreError::ParticipantNotFound(id))
    }

    async fn delete_participant(&self, id: i64) -> Result<UrlCode, StoreError> {
        let code: Option<String> = retrying(|| async {
            sqlx::query_scalar(
                "with m as (
                     select id from meetings
                     where id = (select meeting_id from participants where id = $1) for update
                 ), p as (
                     delete from participants using m where participants.id = $1 and participants.meeting_id = m.id
                     returning participants.meeting_id
                 )
                 update meetings set version = version + 1 where id in (select meeting_id from p)
                 returning url_code",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)
        })
        .await?;
        code.and_then(|c| UrlCode::parse(&c))
            .ok_or(StoreError::ParticipantNotFound(id))
    }

    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError> {
        if let Some((participant, day)) = DateId::decode(date_id) {
            let done = retrying(|| async {
                sqlx::query(self.toggles.get(toggle))
                    .bind(participant)
                    .bind(code.as_str())
                    .bind(day)
                    .execute(&self.pool)
                    .await
                    .map_err(classify)
            })
            .await?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
        }
        let exists = self.meeting_range(code).await?.is_some();
        Err(meetifyr_core::toggle_not_applied(code, date_id, exists))
    }

    async fn slow_query(&self, target: Duration) -> Result<i64, StoreError> {
        // The time is spent in the server (pg_sleep), holding a pooled connection as a slow
        // query would.
        let counted: i64 = sqlx::query_scalar("select (select count(*) from meetings) from pg_sleep($1)")
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
        // One statement; the range it was computed against is checked again inside it (a range
        // is set once today, but a stale one must never shift an answer).
        let done = retrying(|| async {
            sqlx::query(
                "with m as (
                     select id from meetings where id = $4 and start_date = $5 and end_date = $6 for update
                 ), p as (
                     update participants set free_days = $1, starred_days = $2
                     from m where participants.id = $3 and participants.meeting_id = m.id
                     returning participants.meeting_id
                 )
                 update meetings set version = version + 1 where id in (select meeting_id from p)",
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
