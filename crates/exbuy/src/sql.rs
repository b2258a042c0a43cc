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
        self.timed(self.query().fetch_all(e)).await
    }

    pub async fn fetch_optional<'e, E: Executor<'e, Database = sqlx::Any>>(
        &self,
        e: E,
    ) -> sqlx::Result<Option<AnyRow>> {
        self.timed(self.query().fetch_optional(e)).await
    }

    pub async fn fetch_one<'e, E: Executor<'e, Database = sqlx::Any>>(&self, e: E) -> sqlx::Result<AnyRow> {
        self.timed(self.query().fetch_one(e)).await
    }

    pub async fn execute<'e, E: Executor<'e, Database = sqlx::Any>>(&self, e: E) -> sqlx::Result<u64> {
        Ok(self.timed(self.query().execute(e)).await?.rows_affected())
    }

    /// Runs `query`, recording its time in `exbuy_db_query_duration_seconds{statement,table}`
    /// (seed 003's `django_db_query_duration_seconds`), failed statements too.
    async fn timed<T>(&self, query: impl Future<Output = T>) -> T {
        let started = std::time::Instant::now();
        let result = query.await;
        let (statement, table) = statement_labels(&self.text);
        metrics::histogram!(QUERY_DURATION, "statement" => statement, "table" => table).record(started.elapsed());
        result
    }
}

pub const QUERY_DURATION: &str = "exbuy_db_query_duration_seconds";

/// A statement's verb and the first table it names: few values, never a bound value.
fn statement_labels(text: &str) -> (&'static str, String) {
    let mut words = text.split(|c: char| c.is_whitespace() || c == ',');
    let verb = match words.next().map(str::to_ascii_uppercase).as_deref() {
        Some("SELECT" | "WITH") => "SELECT",
        Some("INSERT") => "INSERT",
        Some("UPDATE") => "UPDATE",
        Some("DELETE") => "DELETE",
        _ => "OTHER",
    };
    let mut after_keyword = verb == "UPDATE";
    let mut table = String::from("-");
    for word in text.split(|c: char| c.is_whitespace() || c == ',').skip(1) {
        if after_keyword {
            let name = word.trim_matches(|c: char| c == '"' || c == '`');
            if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                table = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                break;
            }
            // `FROM (SELECT … FROM t`: the next FROM names it.
        }
        after_keyword = word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("INTO");
    }
    (verb, table)
}

pub fn int(row: &AnyRow, column: &str) -> sqlx::Result<i64> {
    row.try_get::<i64, _>(column)
}

pub fn text(row: &AnyRow, column: &str) -> sqlx::Result<String> {
    row.try_get::<String, _>(column)
}

#[cfg(test)]
mod tests {
    use super::statement_labels;

    #[test]
    fn statements_are_labelled_by_verb_and_first_table() {
        for (sql, verb, table) in [
            (
                "SELECT COUNT(*) AS n FROM shop_order o WHERE 1=1",
                "SELECT",
                "shop_order",
            ),
            (
                "SELECT o.id FROM (SELECT * FROM shop_order o WHERE o.id > $1",
                "SELECT",
                "shop_order",
            ),
            (
                "INSERT INTO shop_review (product_id, rating) VALUES ($1, $2)",
                "INSERT",
                "shop_review",
            ),
            (
                "UPDATE shop_product SET stock = stock - $1 WHERE id = $2",
                "UPDATE",
                "shop_product",
            ),
            ("DELETE FROM shop_order WHERE id = $1", "DELETE", "shop_order"),
            ("PRAGMA optimize", "OTHER", "-"),
        ] {
            assert_eq!(statement_labels(sql), (verb, table.to_owned()), "{sql}");
        }
    }
}
