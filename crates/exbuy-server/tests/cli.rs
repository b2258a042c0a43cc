//! The `exbuy` binary as scripts/exbuy-load.sh drives it: seed a fresh database, serve it, answer.
//! (The routes themselves are tested in crates/exbuy/tests/http.rs.)

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn exbuy(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exbuy"));
    command
        .env("EXBUY_DATABASE", format!("sqlite://{}/exbuy.db", dir.display()))
        .env("EXBUY_UPLOAD_DIR", dir.join("uploads"))
        .env("EXBUY_LOG", "warn");
    command
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.0 GET over a socket: the status line and the body.
fn get(port: u16, path: &str) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    Ok((head.lines().next().unwrap_or("").to_owned(), body.to_owned()))
}

#[test]
fn seeded_database_is_served() {
    // Given a fresh directory, When `exbuy seed` fills it with 7 products
    let dir = std::env::temp_dir().join(format!("exbuy-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = exbuy(&dir)
        .args(["seed", "--products", "7", "--orders", "3", "--reviews", "4"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // And the binary serves that database on a free port
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _server = Server(
        exbuy(&dir)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    let health = loop {
        match get(port, "/api/health") {
            Ok(answer) => break answer,
            Err(_) if started.elapsed() < Duration::from_secs(30) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => panic!("exbuy never answered on port {port}: {error}"),
        }
    };
    // Then it is healthy and the seeded product 7 exists, product 8 does not
    assert!(health.0.contains(" 200 "), "{health:?}");
    let (status, body) = get(port, "/api/products/7/").unwrap();
    assert!(status.contains(" 200 "), "{status} {body}");
    assert!(body.contains("\"id\":7"), "{body}");
    let (status, _) = get(port, "/api/products/8/").unwrap();
    assert!(status.contains(" 404 "), "{status}");
    // And `exbuy health` (a container's HEALTHCHECK) says so, asking 0.0.0.0's port on loopback
    let health = |listen: String| exbuy(&dir).args(["health", "--listen", &listen]).output().unwrap();
    let out = health(format!("0.0.0.0:{port}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    drop(_server);
    // And exits 1 with the reason once the server is gone
    let out = health(format!("127.0.0.1:{port}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not healthy"), "{out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unusable_database_is_exit_1_with_the_reason() {
    // Given a database address no driver knows, When exbuy starts, Then it exits 1 and says why
    let dir = std::env::temp_dir();
    let out = exbuy(&dir)
        .env("EXBUY_DATABASE", "nosuch://x")
        .args(["seed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("exbuy: "));
}
