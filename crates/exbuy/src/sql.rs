//! Dynamic SQL with bound values only: filters append `$N` placeholders, never values.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::db::Kind;

#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
    /// `$` (both dialects) or `?` (SQLite only): see `numbered_for`.
    marker: char,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
            marker: '$',
        }
    }

    /// Placeholders bound from here on as `?N` on SQLite. SQLite treats `$N` as a *named*
    /// parameter and looks each name up in a list, which is quadratic: a 15,000-value INSERT
    /// spent most of its time there. `?N` is numbered and costs nothing to resolve.
    pub fn numbered_for(mut self, kind: Kind) -> Self {
        if kind == Kind::Sqlite {
            self.marker = '?';
        }
        self
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and binds `arg` to it.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("{}{}", self.marker, self.args.len()));
        self
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.text.as_str()));
        for arg in &self.args {
            query = match arg {
                Arg::Int(i) => query.bind(*i),
                Arg::Text(s) => query.bind(s.as_str()),
            };
        }
        query
    }

    pub async fn fetch_all<'e, E: Executor<'e, Database = sqlx::Any>>(&self, e: E) -> sqlx::Result<Vec<AnyRow>> {
        self.query().fetch_all(e).await
    }

    pub async fn fetch_optional<'e, E: Executor<'e, Database = sqlx::Any>>(
        &self,
        e: E,
    ) -> sqlx::Result<Option<AnyRow>> {
        self.query().fetch_optional(e).await
    }

    pub async fn fetch_one<'e, E: Executor<'e, Database = sqlx::Any>>(&self, e: E) -> sqlx::Result<AnyRow> {
        self.query().fetch_one(e).await
    }

    pub async fn execute<'e, E: Executor<'e, Database = sqlx::Any>>(&self, e: E) -> sqlx::Result<u64> {
        Ok(self.query().execute(e).await?.rows_affected())
    }
}

pub fn int(row: &AnyRow, column: &str) -> sqlx::Result<i64> {
    row.try_get::<i64, _>(column)
}

pub fn text(row: &AnyRow, column: &str) -> sqlx::Result<String> {
    row.try_get::<String, _>(column)
}
