//! Fresh, empty databases for tests, one per test, removed when dropped.
//!
//! PostgreSQL and MySQL databases are created on the servers named by
//! `MEETIFYR_TEST_POSTGRES_URL` and `MEETIFYR_TEST_MYSQL_URL` (an account allowed to create
//! databases); `./scripts/test.sh` installs, starts and sets them up. SQLite ones are files in a
//! fresh temporary folder.

use std::{ops::Deref, path::PathBuf, sync::Arc};

use meetifyr_core::{Store, UrlCode};
use sqlx::{AssertSqlSafe, Connection, Executor};

use crate::{DatabaseUrl, StoreOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    /// From a name as in `MEETIFYR_E2E_BACKEND`: `sqlite`, `postgres` or `mysql`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sqlite" => Some(Self::Sqlite),
            "postgres" => Some(Self::Postgres),
            "mysql" => Some(Self::MySql),
            _ => None,
        }
    }
}

/// A fresh database; dropped with this value.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(PathBuf),
    Server {
        backend: Backend,
        admin_url: String,
        name: String,
    },
}

/// The variable naming the server of a backend's test databases (`None` for SQLite).
fn server_var(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some("MEETIFYR_TEST_POSTGRES_URL"),
        Backend::MySql => Some("MEETIFYR_TEST_MYSQL_URL"),
    }
}

fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run ./scripts/test.sh, which starts the database servers and sets it")
    })
}

/// Says once per test binary, on stderr past the harness's capture, that some tests are skipped.
fn note_once(what: &str) {
    static TOLD: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut told = TOLD.lock().unwrap_or_else(|e| e.into_inner());
    if !told.iter().any(|t| t == what) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "note: {what}");
        told.push(what.to_owned());
    }
}

/// Whether the program `name` (from Debian's package `package`) can be run here; when not,
/// says so once, and the tests that need it return early (`./scripts/test.sh` installs it).
pub fn program_available(name: &str, package: &str) -> bool {
    // Looked up on PATH, not run: some servers (redis-server) cannot start under the calendar
    // check's libfaketime, which every child of a test inherits.
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|folder| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(folder.join(name)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    });
    if !found {
        note_once(&format!(
            "skipping what needs {name}: it is not installed (apt-get install {package}, or run ./scripts/test.sh)"
        ));
    }
    found
}

/// Whether tests on `backend` can run here: SQLite always; PostgreSQL and MySQL when their
/// server's variable is set. When it is not, says so once per test binary, on stderr past the
/// test harness's capture, with how to run them; the tests that asked then return early.
pub fn available(backend: Backend) -> bool {
    let Some(var) = server_var(backend) else {
        return true;
    };
    if std::env::var_os(var).is_some() {
        return true;
    }
    note_once(&format!(
        "skipping the tests that need a {} server: {var} is not set \
         (./scripts/test.sh starts PostgreSQL and MariaDB and sets both)",
        if backend == Backend::Postgres {
            "PostgreSQL"
        } else {
            "MySQL/MariaDB"
        }
    ));
    false
}

/// `scheme://user:pass@host:port/db?query` with `db` replaced.
pub fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{db}{query}")
}

fn random_suffix() -> String {
    UrlCode::generate().as_str().to_ascii_lowercase().replace('-', "_")
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("meetifyr-test-{}", random_suffix()));
                let url = DatabaseUrl::new(format!("sqlite://{}/test.db", dir.display()));
                Self {
                    url,
                    cleanup: Cleanup::Folder(dir),
                }
            }
            Backend::Postgres | Backend::MySql => {
                let admin_url = server_url(server_var(backend).expect("a server backend"));
                let name = format!("meetifyr_test_{}", random_suffix());
                let create = if backend == Backend::Postgres {
                    format!("create database {name}")
                } else {
                    format!("create database {name} character set utf8mb4")
                };
                admin_execute(backend, &admin_url, create).await.unwrap_or_else(|e| {
                    panic!(
                        "cannot create a test database on {}: {e}",
                        DatabaseUrl::new(admin_url.clone())
                    )
                });
                let url = DatabaseUrl::new(with_database(&admin_url, &name));
                Self {
                    url,
                    cleanup: Cleanup::Server {
                        backend,
                        admin_url,
                        name,
                    },
                }
            }
        }
    }
}

async fn admin_execute(backend: Backend, admin_url: &str, sql: String) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(admin_url).await?;
            c.execute(AssertSqlSafe(sql)).await?;
            c.close().await
        }
        Backend::MySql => {
            let mut c = sqlx::MySqlConnection::connect(admin_url).await?;
            c.execute(AssertSqlSafe(sql)).await?;
            c.close().await
        }
        Backend::Sqlite => Ok(()),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Server {
                backend,
                admin_url,
                name,
            } => {
                let (backend, admin_url) = (*backend, admin_url.clone());
                let sql = match backend {
                    Backend::Postgres => format!("drop database if exists {name} with (force)"),
                    _ => format!("drop database if exists {name}"),
                };
                // The test's runtime may be shutting down: use one of our own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(admin_execute(backend, &admin_url, sql)).ok()
                })
                .join();
            }
        }
    }
}

/// A connected store on its own fresh database, for the contract suite.
pub struct TestStore {
    // Field order matters: the store's pool closes before the database is dropped.
    store: Option<Arc<dyn Store>>,
    _database: TestDatabase,
}

impl Deref for TestStore {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        self.store.as_deref().expect("store lives until drop")
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        drop(self.store.take());
    }
}

/// A fresh, migrated store of `backend`; `None` when its server is not [`available`].
pub async fn fresh_store(backend: Backend) -> Option<TestStore> {
    if !available(backend) {
        return None;
    }
    let database = TestDatabase::create(backend).await;
    let url = database.url.clone();
    Some(open_test_store(database, &url).await)
}

/// `database`, migrated and opened through `url` (its own, or another account's on it).
async fn open_test_store(database: TestDatabase, url: &DatabaseUrl) -> TestStore {
    let store = crate::connect(url, &StoreOptions::default())
        .await
        .unwrap_or_else(|e| panic!("cannot open test database {url}: {e:?}"));
    TestStore {
        store: Some(store),
        _database: database,
    }
}

/// The variable naming a MySQL account that may not create or run routines.
pub const MYSQL_PLAIN_VAR: &str = "MEETIFYR_TEST_MYSQL_PLAIN_URL";

/// A fresh MySQL database (created by the admin account) and its URL for the account named by
/// [`MYSQL_PLAIN_VAR`]; `None`, said once, when that variable or the server is not set.
pub async fn fresh_plain_mysql_database() -> Option<(TestDatabase, DatabaseUrl)> {
    if !available(Backend::MySql) {
        return None;
    }
    let Ok(plain) = std::env::var(MYSQL_PLAIN_VAR) else {
        note_once(&format!(
            "skipping the tests of a MySQL account without routines: {MYSQL_PLAIN_VAR} is not set \
             (./scripts/test.sh sets it; ./scripts/databases.sh makes the account)"
        ));
        return None;
    };
    let database = TestDatabase::create(Backend::MySql).await;
    let Cleanup::Server { name, .. } = &database.cleanup else {
        unreachable!("a MySQL database lives on a server")
    };
    let url = DatabaseUrl::new(with_database(&plain, name));
    Some((database, url))
}

/// A fresh, migrated MySQL store opened as the account without routines, for the contract suite.
pub async fn fresh_plain_mysql_store() -> Option<TestStore> {
    let (database, url) = fresh_plain_mysql_database().await?;
    Some(open_test_store(database, &url).await)
}

/// Brings the database at `url` to schema `version` exactly (for testing migrations from an
/// older schema); later migrations are left for `connect` to apply.
pub async fn migrate_to(url: &DatabaseUrl, version: i64) -> Result<(), Box<dyn std::error::Error>> {
    let raw = url.expose();
    match url.scheme().as_str() {
        "sqlite" => {
            let options = raw
                .parse::<sqlx::sqlite::SqliteConnectOptions>()?
                .create_if_missing(true);
            if let Some(dir) = options.get_filename().parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut c = sqlx::SqliteConnection::connect_with(&options).await?;
            crate::migrator(crate::sqlite::MIGRATIONS)
                .run_to(version, &mut c)
                .await?;
            c.close().await?;
        }
        "postgres" | "postgresql" => {
            let mut c = sqlx::PgConnection::connect(raw).await?;
            crate::migrator(crate::postgres::MIGRATIONS)
                .run_to(version, &mut c)
                .await?;
            c.close().await?;
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(raw).await?;
            crate::migrator(crate::mysql::MIGRATIONS)
                .run_to(version, &mut c)
                .await?;
            c.close().await?;
        }
    }
    Ok(())
}

/// Runs a script of SQL statements (no parameters) on the database at `url`.
pub async fn execute_script(url: &DatabaseUrl, sql: &str) -> Result<(), sqlx::Error> {
    let raw = url.expose();
    let sql = AssertSqlSafe(sql.to_owned());
    match url.scheme().as_str() {
        "sqlite" => {
            let mut c = sqlx::SqliteConnection::connect(raw).await?;
            c.execute(sql).await?;
            c.close().await
        }
        "postgres" | "postgresql" => {
            let mut c = sqlx::PgConnection::connect(raw).await?;
            c.execute(sql).await?;
            c.close().await
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(raw).await?;
            c.execute(sql).await?;
            c.close().await
        }
    }
}
