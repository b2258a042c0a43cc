//! PostgreSQL backend (the stand-in for the original's EdgeDB, which cannot be installed here).
//!
//! URL: `postgres://USER:PASSWORD@HOST:5432/DATABASE` (also `postgresql://`); sqlx's query
//! parameters such as `?sslmode=disable` pass through.
//!
//! One round trip per operation: GET aggregates the participants into one JSON value, and
//! creating a participant is a single statement whose CTEs read the meeting, insert the
//! participant and insert one date per day from `generate_series` — the seed's EdgeDB lesson
//! (one statement instead of two) applied here. A single statement is atomic by itself.

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    CreatedParticipant, DateRange, Location, Meeting, ParticipantName, Store, StoreError, Title, Toggle, UrlCode,
};
use sqlx::{Connection as _, PgPool, postgres::PgConnectOptions};

use crate::{
    DatabaseUrl, StoreOptions, decode,
    error::{classify, classify_meeting_insert, retrying},
    migrator,
};

const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "init", include_str!("../migrations/postgres/0001_init.sql"))];

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and migrates. The pool reconnects by itself after the server comes back.
    pub async fn connect(url: &DatabaseUrl, options: &StoreOptions) -> Result<Self, StoreError> {
        let connect = url
            .expose()
            .parse::<PgConnectOptions>()
            .map_err(classify)?
            .application_name("meetifyr");
        // One direct attempt first: the pool would turn a refused connection into a time-out.
        sqlx::PgConnection::connect_with(&connect)
            .await
            .map_err(classify)?
            .close()
            .await
            .map_err(classify)?;
        let pool = crate::pool_options(options)
            .connect_with(connect)
            .await
            .map_err(classify)?;
        migrator(MIGRATIONS)
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        Ok(Self { pool })
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
select m.title, m.location, m.start_date, m.end_date,
    coalesce((select json_agg(json_build_array(p.id, p.name, p.dates) order by p.id)
        from (select p.id, p.name,
                     coalesce(json_agg(json_build_array(d.id, d.date, d.enabled::int, d.starred::int)
                                       order by d.date) filter (where d.id is not null), '[]') as dates
              from participants p
              left join participant_dates d on d.participant_id = p.id
              where p.meeting_id = m.id
              group by p.id) p), '[]')::text
from meetings m
where m.url_code = $1";

const INSERT_PARTICIPANT: &str = "
with m as (
    select id, start_date, end_date from meetings where url_code = $1
), p as (
    insert into participants (meeting_id, name)
    select id, $2 from m where start_date is not null and end_date is not null
    returning id
), d as (
    insert into participant_dates (participant_id, date)
    select p.id, day::date
    from p cross join m cross join generate_series(m.start_date, m.end_date, interval '1 day') day
    returning id, date
)
select exists (select 1 from m), (select id from p),
    coalesce((select json_agg(json_build_array(d.id, d.date) order by d.date) from d), '[]')::text";

/// The UPDATE for each toggle; the join makes a date of another meeting untouchable.
fn toggle_sql(toggle: Toggle) -> &'static str {
    match toggle {
        Toggle::On => {
            "update participant_dates d set enabled = true
             from participants p join meetings m on m.id = p.meeting_id
             where d.id = $1 and p.id = d.participant_id and m.url_code = $2"
        }
        Toggle::Off => {
            "update participant_dates d set enabled = false, starred = false
             from participants p join meetings m on m.id = p.meeting_id
             where d.id = $1 and p.id = d.participant_id and m.url_code = $2"
        }
        Toggle::Star => {
            "update participant_dates d set enabled = true, starred = true
             from participants p join meetings m on m.id = p.meeting_id
             where d.id = $1 and p.id = d.participant_id and m.url_code = $2"
        }
        Toggle::Unstar => {
            "update participant_dates d set starred = false
             from participants p join meetings m on m.id = p.meeting_id
             where d.id = $1 and p.id = d.participant_id and m.url_code = $2"
        }
    }
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

    async fn insert_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code) values ($1)")
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        let row: Option<(String, String, Option<NaiveDate>, Option<NaiveDate>, String)> = sqlx::query_as(FIND_MEETING)
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        let Some((title, location, start_date, end_date, participants)) = row else {
            return Ok(None);
        };
        Ok(Some(Meeting {
            url_code: code.clone(),
            title,
            location,
            start_date,
            end_date,
            participants: decode::participants(&participants)?,
        }))
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
            "insert into meetings (url_code, title, location, start_date, end_date)
             values ($1, $2, $3, $4, $5) returning id",
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
            sqlx::query("insert into participants (id, meeting_id, name) values ($1, $2, $3)")
                .bind(p.id)
                .bind(meeting_id)
                .bind(&p.name)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            if let Some(mut insert) = crate::insert_dates_with_ids::<sqlx::Postgres>(p) {
                insert.build().execute(&mut *tx).await.map_err(classify)?;
            }
        }
        // Explicit ids do not move identity sequences: move them past what was imported.
        sqlx::query(
            "select setval(s, greatest(coalesce((select max(id) from participants), 0), nextval(s)))
             from pg_get_serial_sequence('participants', 'id') s
             union all
             select setval(s, greatest(coalesce((select max(id) from participant_dates), 0), nextval(s)))
             from pg_get_serial_sequence('participant_dates', 'id') s",
        )
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = $1, end_date = $2
             where url_code = $3 and start_date is null and end_date is null",
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
            "update meetings set title = $1 where url_code = $2",
            code,
            title.as_str(),
        )
        .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = $1 where url_code = $2",
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
        let (found, id, dates): (bool, Option<i64>, String) = retrying(|| async {
            sqlx::query_as(INSERT_PARTICIPANT)
                .bind(code.as_str())
                .bind(name.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        match (found, id) {
            (false, _) => Err(StoreError::MeetingNotFound(code.to_string())),
            (true, None) => Err(StoreError::DateRangeNotSet),
            (true, Some(id)) => Ok(CreatedParticipant {
                id,
                dates: decode::created_dates(&dates)?,
            }),
        }
    }

    async fn delete_participant(&self, id: i64) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query("delete from participants where id = $1")
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ParticipantNotFound(id));
        }
        Ok(())
    }

    async fn update_participant_date(&self, code: &UrlCode, date_id: i64, toggle: Toggle) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query(toggle_sql(toggle))
                .bind(date_id)
                .bind(code.as_str())
                .execute(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let exists: Option<i32> = sqlx::query_scalar("select 1 from meetings where url_code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Err(meetifyr_core::toggle_not_applied(code, date_id, exists.is_some()))
    }
}
