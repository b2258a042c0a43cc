//! MySQL / MariaDB backend: the original's database. Tested on MariaDB 10.11; written for
//! MySQL 8 too (no `INSERT … RETURNING`, no `ORDER BY` inside JSON aggregates).
//!
//! URL: `mysql://USER:PASSWORD@HOST:3306/DATABASE` (also `mariadb://`).
//!
//! Dialect: `BOOLEAN` is `TINYINT(1)`; `url_code` uses `utf8mb4_bin` so codes stay
//! case-sensitive; the driver sets `CLIENT_FOUND_ROWS`, so an UPDATE that writes the stored
//! value still counts its row (the original's asyncmy did not, hence its 404 on an unchanged
//! title). GET reads one joined result set in one round trip. Creating a participant is one
//! transaction of four statements whatever the range length: the multi-row INSERT of its dates
//! is followed by one SELECT for their ids, since MySQL has no `RETURNING`. Transactions that
//! InnoDB aborts as deadlock victims are retried.

use async_trait::async_trait;
use chrono::NaiveDate;
use meetifyr_core::{
    CreatedParticipant, DateRange, Location, Meeting, Participant, ParticipantDate, ParticipantName, Store, StoreError,
    Title, Toggle, UrlCode,
};
use sqlx::{
    Connection as _, MySqlPool, QueryBuilder,
    mysql::{MySql, MySqlConnectOptions},
};

use crate::{
    DatabaseUrl, StoreOptions,
    error::{classify, classify_meeting_insert, retrying},
    migrator,
};

const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "init", include_str!("../migrations/mysql/0001_init.sql"))];

pub struct MySqlStore {
    pool: MySqlPool,
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
        // One direct attempt first: the pool would turn a refused connection into a time-out.
        sqlx::MySqlConnection::connect_with(&connect)
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

    async fn try_insert_participant(
        &self,
        code: &UrlCode,
        name: &ParticipantName,
    ) -> Result<CreatedParticipant, StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let meeting: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> =
            sqlx::query_as("select id, start_date, end_date from meetings where url_code = ?")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(classify)?;
        let Some((meeting_id, start, end)) = meeting else {
            return Err(StoreError::MeetingNotFound(code.to_string()));
        };
        let (Some(start), Some(end)) = (start, end) else {
            return Err(StoreError::DateRangeNotSet);
        };
        let range = DateRange::new(start, end).map_err(|e| StoreError::Backend(Box::new(e)))?;
        let id = sqlx::query("insert into participants (meeting_id, name) values (?, ?)")
            .bind(meeting_id)
            .bind(name.as_str())
            .execute(&mut *tx)
            .await
            .map_err(classify)?
            .last_insert_id() as i64;
        let mut insert: QueryBuilder<MySql> =
            QueryBuilder::new("insert into participant_dates (participant_id, date) ");
        insert.push_values(range.days(), |mut row, day| {
            row.push_bind(id).push_bind(day);
        });
        insert.build().execute(&mut *tx).await.map_err(classify)?;
        let dates: Vec<(i64, NaiveDate)> =
            sqlx::query_as("select id, date from participant_dates where participant_id = ? order by date")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(CreatedParticipant { id, dates })
    }
}

const FIND_MEETING: &str = "
select m.title, m.location, m.start_date, m.end_date,
       p.id, p.name, d.id, d.date, d.enabled, d.starred
from meetings m
left join participants p on p.meeting_id = m.id
left join participant_dates d on d.participant_id = p.id
where m.url_code = ?
order by p.id, d.date";

type MeetingRow = (
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<NaiveDate>,
    Option<bool>,
    Option<bool>,
);

/// The UPDATE for each toggle; the join makes a date of another meeting untouchable.
fn toggle_sql(toggle: Toggle) -> &'static str {
    match toggle {
        Toggle::On => {
            "update participant_dates d join participants p on p.id = d.participant_id
             join meetings m on m.id = p.meeting_id
             set d.enabled = true where d.id = ? and m.url_code = ?"
        }
        Toggle::Off => {
            "update participant_dates d join participants p on p.id = d.participant_id
             join meetings m on m.id = p.meeting_id
             set d.enabled = false, d.starred = false where d.id = ? and m.url_code = ?"
        }
        Toggle::Star => {
            "update participant_dates d join participants p on p.id = d.participant_id
             join meetings m on m.id = p.meeting_id
             set d.enabled = true, d.starred = true where d.id = ? and m.url_code = ?"
        }
        Toggle::Unstar => {
            "update participant_dates d join participants p on p.id = d.participant_id
             join meetings m on m.id = p.meeting_id
             set d.starred = false where d.id = ? and m.url_code = ?"
        }
    }
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

    async fn insert_meeting(&self, code: &UrlCode) -> Result<(), StoreError> {
        sqlx::query("insert into meetings (url_code) values (?)")
            .bind(code.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify_meeting_insert)?;
        Ok(())
    }

    async fn find_meeting(&self, code: &UrlCode) -> Result<Option<Meeting>, StoreError> {
        let rows: Vec<MeetingRow> = sqlx::query_as(FIND_MEETING)
            .bind(code.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut meeting = Meeting {
            url_code: code.clone(),
            title: first.0.clone(),
            location: first.1.clone(),
            start_date: first.2,
            end_date: first.3,
            participants: Vec::new(),
        };
        for (_, _, _, _, pid, pname, did, date, enabled, starred) in rows {
            let (Some(pid), Some(pname)) = (pid, pname) else {
                continue;
            };
            if meeting.participants.last().is_none_or(|p| p.id != pid) {
                meeting.participants.push(Participant {
                    id: pid,
                    name: pname,
                    dates: Vec::new(),
                });
            }
            if let (Some(id), Some(date)) = (did, date) {
                let dates = &mut meeting.participants.last_mut().expect("pushed above").dates;
                dates.push(ParticipantDate {
                    id,
                    date,
                    enabled: enabled.unwrap_or(false),
                    starred: starred.unwrap_or(false),
                });
            }
        }
        Ok(Some(meeting))
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
            "insert into meetings (url_code, title, location, start_date, end_date) values (?, ?, ?, ?, ?)",
        )
        .bind(meeting.url_code.as_str())
        .bind(&meeting.title)
        .bind(&meeting.location)
        .bind(meeting.start_date)
        .bind(meeting.end_date)
        .execute(&mut *tx)
        .await
        .map_err(classify_meeting_insert)?
        .last_insert_id() as i64;
        for p in &meeting.participants {
            sqlx::query("insert into participants (id, meeting_id, name) values (?, ?, ?)")
                .bind(p.id)
                .bind(meeting_id)
                .bind(&p.name)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            if let Some(mut insert) = crate::insert_dates_with_ids::<sqlx::MySql>(p) {
                insert.build().execute(&mut *tx).await.map_err(classify)?;
            }
        }
        tx.commit().await.map_err(classify)
    }

    async fn update_date_range(&self, code: &UrlCode, range: DateRange) -> Result<(), StoreError> {
        let done = sqlx::query(
            "update meetings set start_date = ?, end_date = ?
             where url_code = ? and start_date is null and end_date is null",
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
        self.update_text("update meetings set title = ? where url_code = ?", code, title.as_str())
            .await
    }

    async fn update_location(&self, code: &UrlCode, location: &Location) -> Result<(), StoreError> {
        self.update_text(
            "update meetings set location = ? where url_code = ?",
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
        retrying(|| self.try_insert_participant(code, name)).await
    }

    async fn delete_participant(&self, id: i64) -> Result<(), StoreError> {
        let done = retrying(|| async {
            sqlx::query("delete from participants where id = ?")
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
        let exists: Option<i32> = sqlx::query_scalar("select 1 from meetings where url_code = ?")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?;
        Err(meetifyr_core::toggle_not_applied(code, date_id, exists.is_some()))
    }
}
