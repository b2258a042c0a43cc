//! Meetifyr against database and Redis servers of the test's own, started here rather than the
//! shared ones of `scripts/databases.sh`, so that a test may give them TLS or stop them:
//!
//! - TLS: PostgreSQL (`ssl=on`, plain connections refused by pg_hba), MariaDB
//!   (`--require-secure-transport`) and Redis (`--tls-port` only), each with a certificate from
//!   a CA this test makes with `openssl`. The real binary connects with `verify-full` /
//!   `VERIFY_IDENTITY` / `rediss://` and that CA; with another CA it fails and says why.
//! - A real database restart under writers (PostgreSQL fast shutdown, MariaDB SIGTERM): 503 with
//!   a detail while it is down, serving again within 5 s of it coming back, no answer half
//!   written.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

fn note(what: &str) {
    eprintln!("note: skipping: {what} (./scripts/test.sh installs it)");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    // Asked once: every server command consults it.
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
    })
}

/// Runs `command` and returns its output, panicking with its stderr when it fails.
fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A directory of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("meetifyr-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A CA, a server certificate it signs for 127.0.0.1 and localhost, and a second CA that
/// signed nothing of ours.
struct Certs {
    ca: PathBuf,
    other_ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Certs {
    fn make(dir: &Scratch) -> Self {
        let ca_key = dir.path("ca.key");
        let ca = dir.path("ca.pem");
        let other_key = dir.path("other.key");
        let other_ca = dir.path("other-ca.pem");
        let key = dir.path("server.key");
        let csr = dir.path("server.csr");
        let cert = dir.path("server.pem");
        let ext = dir.path("server.ext");
        // Long validity from the clock these tests run under (the calendar check shifts it):
        // openssl and the binary read the same one.
        for (k, c, cn) in [
            (&ca_key, &ca, "Meetifyr test CA"),
            (&other_key, &other_ca, "Someone else's CA"),
        ] {
            run(Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj",
                ])
                .arg(format!("/CN={cn}"))
                .arg("-keyout")
                .arg(k)
                .arg("-out")
                .arg(c));
        }
        run(Command::new("openssl")
            .args([
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&csr));
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(Command::new("openssl")
            .args(["x509", "-req", "-days", "3650", "-CAcreateserial", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&ca)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&cert));
        Self {
            ca,
            other_ca,
            cert,
            key,
        }
    }
}

/// Which of our own servers a test starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Postgres,
    MariaDb,
}

/// A PostgreSQL or MariaDB server of the test's own on a free port, TLS only, stopped (and its
/// files removed) when dropped.
struct Database {
    kind: Server,
    dir: Scratch,
    port: u16,
    process: Option<Child>,
    certs: Certs,
}

impl Database {
    /// `None` (with a note) when this machine lacks the server's programs.
    fn start(kind: Server) -> Option<Self> {
        if !meetifyr_store::testing::program_available("openssl", "openssl") {
            return None;
        }
        let dir = Scratch::new(match kind {
            Server::Postgres => "postgres",
            Server::MariaDb => "mariadb",
        });
        let certs = Certs::make(&dir);
        let mut db = Self {
            kind,
            port: free_port(),
            process: None,
            certs,
            dir,
        };
        match kind {
            Server::Postgres => {
                postgres_bin("initdb")?;
                db.init_postgres();
            }
            Server::MariaDb => {
                if !meetifyr_store::testing::program_available("mariadb-install-db", "mariadb-server") {
                    return None;
                }
                db.init_mariadb();
            }
        }
        db.start_again();
        if kind == Server::MariaDb {
            db.mariadb_sql(
                "create database meetifyr; create user meetifyr@'%' identified by 'meetifyr'; \
                 grant all on *.* to meetifyr@'%';",
            );
        }
        Some(db)
    }

    fn data(&self) -> PathBuf {
        self.dir.path("data")
    }

    /// The server runs as `postgres` when the tests run as root (PostgreSQL refuses root).
    fn as_server_user(&self, program: &Path) -> Command {
        if self.kind == Server::Postgres && is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn init_postgres(&mut self) {
        let data = self.data();
        let (cert, key) = (self.dir.path("pg-server.pem"), self.dir.path("pg-server.key"));
        std::fs::copy(&self.certs.cert, &cert).unwrap();
        std::fs::copy(&self.certs.key, &key).unwrap();
        if is_root() {
            run(Command::new("chown").args(["-R", "postgres:"]).arg(&self.dir.0));
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&self.dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
        run(self
            .as_server_user(&postgres_bin("initdb").unwrap())
            .args([
                "-U",
                "meetifyr",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .env_remove("LD_PRELOAD"));
        // TLS or nothing over TCP; the socket (in our directory) for nobody but the owner.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        std::fs::write(
            data.join("postgresql.auto.conf"),
            format!(
                "listen_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nssl = on\n\
                 ssl_cert_file = '{}'\nssl_key_file = '{}'\nmax_connections = 40\n",
                self.dir.0.display(),
                cert.display(),
                key.display()
            ),
        )
        .unwrap();
    }

    fn init_mariadb(&mut self) {
        let mut install = Command::new("mariadb-install-db");
        install
            .args([
                "--no-defaults",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .arg(format!("--datadir={}", self.data().display()))
            .env_remove("LD_PRELOAD");
        if is_root() {
            install.arg("--user=root");
        }
        run(&mut install);
    }

    /// Starts the server (again, on the same files and port) and waits until it answers.
    fn start_again(&mut self) {
        assert!(self.process.is_none(), "already running");
        let log = std::fs::File::create(self.dir.path("server.log")).unwrap();
        let mut command = match self.kind {
            Server::Postgres => {
                let mut c = self.as_server_user(&postgres_bin("postgres").unwrap());
                c.arg("-D").arg(self.data()).args(["-p", &self.port.to_string()]);
                c
            }
            Server::MariaDb => {
                let mut c = Command::new("mariadbd");
                c.arg("--no-defaults")
                    .arg(format!("--datadir={}", self.data().display()))
                    .arg(format!("--socket={}", self.dir.path("mysql.sock").display()))
                    .arg(format!("--pid-file={}", self.dir.path("mysql.pid").display()))
                    .arg(format!("--port={}", self.port))
                    .args([
                        "--bind-address=127.0.0.1",
                        "--skip-name-resolve",
                        "--innodb-buffer-pool-size=32M",
                    ])
                    .arg(format!("--ssl-ca={}", self.certs.ca.display()))
                    .arg(format!("--ssl-cert={}", self.certs.cert.display()))
                    .arg(format!("--ssl-key={}", self.certs.key.display()))
                    .arg("--require-secure-transport=ON");
                if is_root() {
                    c.arg("--user=root");
                }
                c
            }
        };
        let child = command
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Under the calendar check's libfaketime the servers keep the real clock.
            .env_remove("LD_PRELOAD")
            .spawn()
            .unwrap();
        self.process = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "{:?} did not start: {}",
                self.kind,
                std::fs::read_to_string(self.dir.path("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers(&self) -> bool {
        match self.kind {
            Server::Postgres => Command::new(postgres_bin("pg_isready").unwrap())
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .env_remove("LD_PRELOAD")
                .status()
                .is_ok_and(|s| s.success()),
            Server::MariaDb => self
                .mariadb_client()
                .arg("-e")
                .arg("select 1")
                .output()
                .is_ok_and(|o| o.status.success()),
        }
    }

    fn mariadb_client(&self) -> Command {
        let mut c = Command::new("mariadb");
        c.args(["--no-defaults", "-uroot"])
            .arg(format!("--socket={}", self.dir.path("mysql.sock").display()))
            .env_remove("LD_PRELOAD");
        c
    }

    /// Connections the server took over TLS: PostgreSQL, Meetifyr's open ones; MariaDB, all so far.
    fn tls_connections(&self) -> u64 {
        let out = match self.kind {
            Server::Postgres => run(self
                .as_server_user(&postgres_bin("psql").unwrap())
                .args([
                    "-At",
                    "-U",
                    "meetifyr",
                    "-d",
                    "postgres",
                    "-p",
                    &self.port.to_string(),
                    "-h",
                ])
                .arg(&self.dir.0)
                .arg("-c")
                .arg(
                    "select count(*) from pg_stat_ssl join pg_stat_activity using (pid) \
                     where ssl and application_name = 'meetifyr'",
                )
                .env_remove("LD_PRELOAD")),
            Server::MariaDb => {
                run(self
                    .mariadb_client()
                    .args(["-N", "-B", "-e", "show global status like 'Ssl_accepts'"]))
            }
        };
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace().last().and_then(|n| n.parse().ok()).unwrap_or(0)
    }

    fn mariadb_sql(&self, sql: &str) {
        run(self.mariadb_client().arg("-e").arg(sql));
    }

    /// Stops the server as an operator's restart does (PostgreSQL: fast shutdown; MariaDB:
    /// SIGTERM) and waits until it is gone.
    fn stop(&mut self) {
        let Some(mut child) = self.process.take() else { return };
        let signal = if self.kind == Server::Postgres { "-INT" } else { "-TERM" };
        // The server may run under runuser: signal the server, not the wrapper.
        let pid = match self.kind {
            Server::Postgres => std::fs::read_to_string(self.data().join("postmaster.pid"))
                .ok()
                .and_then(|s| s.lines().next().map(str::to_owned))
                .unwrap_or_else(|| child.id().to_string()),
            Server::MariaDb => child.id().to_string(),
        };
        let _ = Command::new("kill").args([signal, &pid]).status();
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The address Meetifyr is given, verifying the server with `ca`.
    fn url(&self, ca: &Path) -> String {
        match self.kind {
            Server::Postgres => format!(
                "postgres://meetifyr@127.0.0.1:{}/postgres?sslmode=verify-full&sslrootcert={}",
                self.port,
                ca.display()
            ),
            Server::MariaDb => format!(
                "mysql://meetifyr:meetifyr@127.0.0.1:{}/meetifyr?ssl-mode=VERIFY_IDENTITY&ssl-ca={}",
                self.port,
                ca.display()
            ),
        }
    }

    /// The same server without TLS, which it must refuse.
    fn plain_url(&self) -> String {
        match self.kind {
            Server::Postgres => format!("postgres://meetifyr@127.0.0.1:{}/postgres?sslmode=disable", self.port),
            Server::MariaDb => format!(
                "mysql://meetifyr:meetifyr@127.0.0.1:{}/meetifyr?ssl-mode=DISABLED",
                self.port
            ),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A program of Debian's PostgreSQL server (newest installed version), or `None` with a note.
fn postgres_bin(name: &str) -> Option<PathBuf> {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|v| v.parse::<u32>().ok()))
        .max()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin/{name}")))
        .filter(|p| p.exists());
    if found.is_none() {
        note("PostgreSQL's server programs are not in /usr/lib/postgresql (apt-get install postgresql)");
    }
    found
}

/// The real binary, serving on a free port with `args` after the defaults.
struct Meetifyr {
    base: String,
    process: Child,
    log: PathBuf,
    _dir: Scratch,
}

impl Meetifyr {
    /// Starts it; `Err(output)` when it exits before it serves (all it printed).
    async fn start(args: &[&str]) -> Result<Self, String> {
        let dir = Scratch::new("server");
        let log = dir.path("meetifyr.log");
        let port = free_port();
        let file = std::fs::File::create(&log).unwrap();
        let mut process = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--cache",
                "off",
                "--log",
                "info",
            ])
            .args(args)
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = process.try_wait().unwrap() {
                let printed = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("exit {status}: {printed}"));
            }
            if client.get(format!("{base}/health")).send().await.is_ok() {
                return Ok(Self {
                    base,
                    process,
                    log,
                    _dir: dir,
                });
            }
            assert!(Instant::now() < deadline, "meetifyr neither served nor exited");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn metric(&self, name: &str) -> Option<f64> {
        let text = reqwest::get(format!("{}/metrics", self.base))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
    }
}

impl Drop for Meetifyr {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A meeting of `days` days from 2025-03-01 on store `s`; its code.
async fn meeting(client: &reqwest::Client, base: &str, days: u32) -> String {
    let res = client.post(format!("{base}/v1/s/meetings")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let code = res.json::<Value>().await.unwrap()["url_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let end = format!("2025-03-{days:02}");
    let res = client
        .patch(format!("{base}/v1/s/meetings/{code}/date_range"))
        .json(&json!({"start_date": "2025-03-01", "end_date": end}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    code
}

async fn read_meeting(client: &reqwest::Client, base: &str, code: &str) -> Value {
    let res = client.get(format!("{base}/v1/s/meetings/{code}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn tls_is_required_verified_and_a_wrong_ca_is_named(kind: Server) {
    // Given a database server that takes TLS connections only, with a certificate of our CA
    let Some(db) = Database::start(kind) else { return };
    // When Meetifyr connects verifying the server against that CA
    let server = Meetifyr::start(&["--store", &format!("s={}", db.url(&db.certs.ca))])
        .await
        .unwrap_or_else(|printed| panic!("{kind:?} over TLS: {printed}"));
    // Then it serves: a meeting is written and read back over the encrypted connection
    let client = reqwest::Client::new();
    let code = meeting(&client, &server.base, 3).await;
    let res = client
        .post(format!("{}/v1/s/participants", server.base))
        .json(&json!({"meeting_url_code": code, "name": "민지"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let got = read_meeting(&client, &server.base, &code).await;
    assert_eq!(got["participants"][0]["name"], "민지");
    // And the server counts those connections as encrypted
    let encrypted = db.tls_connections();
    assert!(encrypted > 0, "{kind:?} saw no TLS connection");
    drop(server);

    // And without TLS the same server refuses it (so the above was encrypted)
    let printed = Meetifyr::start(&["--store", &format!("s={}", db.plain_url())])
        .await
        .err()
        .expect("a plain connection was accepted");
    assert!(
        // (MariaDB 10.11 answers a plaintext login on a TLS-only server "Access denied".)
        printed.contains("no encryption")
            || printed.contains("insecure transport")
            || printed.contains("Access denied"),
        "{kind:?} without TLS: {printed}"
    );

    // When it is told to trust another CA, Then it does not start and says the certificate is
    // not signed by a CA it trusts
    let printed = Meetifyr::start(&["--store", &format!("s={}", db.url(&db.certs.other_ca))])
        .await
        .err()
        .expect("a server signed by another CA was trusted");
    assert!(
        printed.contains("certificate") && printed.contains("UnknownIssuer"),
        "{kind:?} with the wrong CA: {printed}"
    );
    println!(
        "{kind:?} with the wrong CA: {}",
        printed
            .lines()
            .find(|l| l.contains("UnknownIssuer"))
            .unwrap_or_default()
    );
}

#[tokio::test]
async fn postgres_over_tls_verify_full_serves_and_a_wrong_ca_is_refused_clearly() {
    tls_is_required_verified_and_a_wrong_ca_is_named(Server::Postgres).await;
}

#[tokio::test]
async fn mariadb_over_tls_verify_identity_serves_and_a_wrong_ca_is_refused_clearly() {
    tls_is_required_verified_and_a_wrong_ca_is_named(Server::MariaDb).await;
}

/// A redis-server that speaks TLS only, with a certificate of our CA.
struct TlsRedis {
    port: u16,
    process: Child,
    _dir: Scratch,
    certs: Certs,
}

impl TlsRedis {
    fn start() -> Option<Self> {
        if !meetifyr_store::testing::program_available("redis-server", "redis-server")
            || !meetifyr_store::testing::program_available("openssl", "openssl")
        {
            return None;
        }
        let dir = Scratch::new("redis");
        let certs = Certs::make(&dir);
        let port = free_port();
        let process = Command::new("redis-server")
            .args(["--port", "0", "--bind", "127.0.0.1", "--tls-port", &port.to_string()])
            .arg("--tls-cert-file")
            .arg(&certs.cert)
            .arg("--tls-key-file")
            .arg(&certs.key)
            .arg("--tls-ca-cert-file")
            .arg(&certs.ca)
            .args(["--tls-auth-clients", "no", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .env_remove("LD_PRELOAD")
            .spawn()
            .unwrap();
        for _ in 0..250 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self {
            port,
            process,
            _dir: dir,
            certs,
        })
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[tokio::test]
async fn a_redis_bus_over_tls_connects_with_the_given_ca_and_names_a_wrong_one() {
    // Given a Redis that speaks TLS only
    let Some(redis) = TlsRedis::start() else { return };
    let store = Scratch::new("redis-store");
    let sqlite = format!("s=sqlite://{}?mode=rwc", store.path("m.db").display());
    let bus = format!("rediss://127.0.0.1:{}/", redis.port);
    // When an instance uses it as its bus and for its rate limits, trusting our CA
    let ca = redis.certs.ca.display().to_string();
    let server = Meetifyr::start(&["--store", &sqlite, "--bus", &bus, "--redis-ca-file", &ca])
        .await
        .unwrap();
    let client = reqwest::Client::new();
    meeting(&client, &server.base, 2).await;
    // Then the bus is connected and the limits are kept in Redis
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.metric("meetifyr_bus_connected").await != Some(1.0) {
        assert!(
            Instant::now() < deadline,
            "the bus never connected: {}",
            server.printed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        server.metric("meetifyr_rate_limits_shared").await,
        Some(1.0),
        "{}",
        server.printed()
    );
    drop(server);

    // When another CA is given, Then the instance serves on its own, says why the bus cannot
    // connect, and never counts as connected
    let other = redis.certs.other_ca.display().to_string();
    let server = Meetifyr::start(&["--store", &sqlite, "--bus", &bus, "--redis-ca-file", &other])
        .await
        .unwrap();
    meeting(&client, &server.base, 2).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.printed().contains("UnknownIssuer") {
        assert!(Instant::now() < deadline, "no reason given: {}", server.printed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(server.metric("meetifyr_bus_connected").await, Some(1.0));
    let printed = server.printed();
    println!(
        "Redis with the wrong CA: {}",
        printed
            .lines()
            .find(|l| l.contains("UnknownIssuer"))
            .unwrap_or_default()
    );
    // And a CA file for a cleartext address is refused before anything starts
    let plain = format!("redis://127.0.0.1:{}/", redis.port);
    let printed = Meetifyr::start(&["--store", &sqlite, "--bus", &plain, "--redis-ca-file", &ca])
        .await
        .err()
        .expect("a CA file for redis:// was accepted");
    assert!(printed.contains("rediss://"), "{printed}");
}

const WRITERS: usize = 8;
const DAYS: usize = 10;

/// Writer `w`'s answer number `k`: every day and star set from (w, k), so the stored answer
/// tells which write it was and whether it was stored whole.
fn answer_for(w: usize, k: usize) -> (Vec<String>, Vec<String>) {
    let day = |i: usize| format!("2025-03-{:02}", i + 1);
    let free: Vec<usize> = (0..DAYS).filter(|i| (w + k * 7 + i * 3) % 5 < 3).collect();
    let starred = free
        .iter()
        .copied()
        .filter(|i| (k + i).is_multiple_of(2))
        .collect::<Vec<_>>();
    (
        free.into_iter().map(day).collect(),
        starred.into_iter().map(day).collect(),
    )
}

#[derive(Default)]
struct Tally {
    /// The highest k acknowledged, and the highest sent (at most one more).
    acknowledged: Option<usize>,
    sent: usize,
    ok: u64,
    unavailable: u64,
    /// What was answered that is neither 200 nor a 503 with a detail.
    unexpected: Vec<String>,
    /// When the first 200 came after the first 503.
    healed_at: Option<Instant>,
}

async fn a_restart_under_writes_is_503_then_heals(kind: Server) {
    // Given Meetifyr on a database server of our own, with 8 participants of a 10-day meeting
    let Some(mut db) = Database::start(kind) else { return };
    let server = Meetifyr::start(&[
        "--store",
        &format!("s={}", db.url(&db.certs.ca)),
        "--rate-limit",
        "off",
        "--acquire-timeout",
        "1",
    ])
    .await
    .unwrap_or_else(|printed| panic!("{printed}"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let code = meeting(&client, &server.base, DAYS as u32).await;
    let mut participants = Vec::new();
    for w in 0..WRITERS {
        let res = client
            .post(format!("{}/v1/s/participants", server.base))
            .json(&json!({"meeting_url_code": code, "name": format!("writer {w}")}))
            .send()
            .await
            .unwrap();
        participants.push(res.json::<Value>().await.unwrap()["participant_id"].as_i64().unwrap());
    }
    // When 8 writers replace their answers in turn and the database is restarted among them
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tallies: Vec<Arc<Mutex<Tally>>> = (0..WRITERS).map(|_| Arc::default()).collect();
    let mut tasks = Vec::new();
    for (w, participant) in participants.iter().copied().enumerate() {
        let (client, base, code) = (client.clone(), server.base.clone(), code.clone());
        let (stop, down, tally) = (stop.clone(), down.clone(), tallies[w].clone());
        tasks.push(tokio::spawn(async move {
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (free, starred) = answer_for(w, k);
                let sent = client
                    .put(format!("{base}/v1/s/participants/{participant}/availability"))
                    .json(&json!({"meeting_url_code": code, "free": free, "starred": starred}))
                    .send()
                    .await;
                // The outcome first (reading a body waits), then the tally.
                let outcome = match sent {
                    Ok(res) if res.status() == StatusCode::OK => Ok(()),
                    Ok(res) if res.status() == StatusCode::SERVICE_UNAVAILABLE => {
                        let body: Value = res.json().await.unwrap_or_default();
                        if body["detail"].as_str().is_some_and(|d| !d.is_empty()) {
                            Err(None)
                        } else {
                            Err(Some(format!("503 without a detail: {body}")))
                        }
                    }
                    Ok(res) => {
                        let status = res.status();
                        let body = res.text().await.unwrap_or_default();
                        let during = if down.load(std::sync::atomic::Ordering::Relaxed) {
                            " (database down)"
                        } else {
                            ""
                        };
                        Err(Some(format!("{status}{during}: {body}")))
                    }
                    Err(e) => Err(Some(format!("no answer: {e}"))),
                };
                {
                    let mut t = tally.lock().unwrap();
                    t.sent = k;
                    match outcome {
                        Ok(()) => {
                            t.acknowledged = Some(k);
                            t.ok += 1;
                            if t.unavailable > 0 && t.healed_at.is_none() {
                                t.healed_at = Some(Instant::now());
                            }
                            k += 1;
                            continue;
                        }
                        Err(None) => t.unavailable += 1,
                        Err(Some(what)) => t.unexpected.push(what),
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    down.store(true, std::sync::atomic::Ordering::Relaxed);
    let db_for_stop = tokio::task::spawn_blocking(move || {
        db.stop();
        std::thread::sleep(Duration::from_millis(1500));
        db.start_again();
        (db, Instant::now())
    });
    let (db, back) = db_for_stop.await.unwrap();
    down.store(false, std::sync::atomic::Ordering::Relaxed);
    // (Writers go on for 6 s after the database is back: each must be answered 200 again.)
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    // Then while it was down writes were 503 with a detail, and nothing else
    let tallies: Vec<Tally> = tallies
        .into_iter()
        .map(|t| Arc::try_unwrap(t).ok().unwrap().into_inner().unwrap())
        .collect();
    for (w, t) in tallies.iter().enumerate() {
        assert!(t.unexpected.is_empty(), "writer {w}: {:?}", t.unexpected);
    }
    let refused: u64 = tallies.iter().map(|t| t.unavailable).sum();
    assert!(refused > 0, "no write met the restart: the test tested nothing");
    // And every writer was served again within 5 s of the database coming back
    let mut slowest = Duration::ZERO;
    for (w, t) in tallies.iter().enumerate() {
        if t.unavailable > 0 {
            let healed = t.healed_at.unwrap_or_else(|| panic!("writer {w} never served again"));
            slowest = slowest.max(healed.saturating_duration_since(back));
        }
    }
    assert!(
        slowest <= Duration::from_secs(5),
        "served again {slowest:?} after the database came back"
    );
    // And every answer reads as one whole write: the last acknowledged, or the one sent after
    let got = read_meeting(&client, &server.base, &code).await;
    for (w, participant) in participants.iter().enumerate() {
        let p = got["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == *participant)
            .unwrap();
        let dates = p["dates"].as_array().unwrap();
        let picked = |flag: &str| -> Vec<String> {
            dates
                .iter()
                .filter(|d| d[flag] == true)
                .map(|d| d["date"].as_str().unwrap().to_owned())
                .collect()
        };
        let stored = (picked("enabled"), picked("starred"));
        let a = tallies[w]
            .acknowledged
            .expect("every writer was acknowledged at least once");
        // (A write answered 503 may have committed before its connection dropped.)
        let whole = (a..=tallies[w].sent).any(|k| stored == answer_for(w, k));
        assert!(whole, "writer {w}: {stored:?} is not write {a} (or the one after it)");
    }
    let acknowledged: u64 = tallies.iter().map(|t| t.ok).sum();
    println!(
        "restart ({kind:?}): {acknowledged} writes acknowledged, {refused} answered 503 while it \
         was down, every writer served again within {:.0} ms of the database coming back, none \
         half-written",
        slowest.as_secs_f64() * 1e3
    );
    drop(server);
    drop(db);
}

#[tokio::test]
async fn a_postgres_restart_under_writes_is_503_then_heals_with_nothing_half_written() {
    a_restart_under_writes_is_503_then_heals(Server::Postgres).await;
}

#[tokio::test]
async fn a_mariadb_restart_under_writes_is_503_then_heals_with_nothing_half_written() {
    a_restart_under_writes_is_503_then_heals(Server::MariaDb).await;
}
