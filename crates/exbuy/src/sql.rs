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
    /// `$` (`$N`, both dialects) or `?` (plain, SQLite only): see `plain_placeholders_for`.
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

    /// Placeholders bound from here on as plain `?` on SQLite (every one is bound in order).
    /// SQLite keeps `$N` and `?N` in a list of names that both parsing and
    /// `sqlite3_bind_parameter_name` (which sqlx calls per value) scan: quadratic, 90% of a
    /// 15,000-value INSERT's time in perf. A plain `?` has no name.
    pub fn plain_placeholders_for(mut self, kind: Kind) -> Self {
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
        match self.marker {
            '?' => self.text.push('?'),
            _ => self.text.push_str(&format!("${}", self.args.len())),
        }
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
