//! Slow and abusive clients: headers sent a byte at a time (slowloris), a body sent a byte at a
//! time, connections that send nothing, more connections than allowed. The real binary, raw sockets.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::*;

struct Server {
    child: Child,
    app: TestApp,
    port: u16,
    _db: meetifyr_store::testing::TestDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn server(args: &[&str]) -> Server {
    let port = free_port();
    let db = meetifyr_store::testing::TestDatabase::create(backend()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--store", &format!("s={}", db.url.expose()), "--log", "warn"])
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let app = TestApp::at(format!("http://127.0.0.1:{port}"));
    for _ in 0..200 {
        if app.client.get(app.url("/health")).send().await.is_ok() {
            // A fresh client: the probe's pooled connection would count against the limits.
            let app = TestApp::at(app.base.clone());
            return Server {
                child,
                app,
                port,
                _db: db,
            };
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// Waits (on a blocking thread) until the server closes `stream`; the time it took, or None if
/// it was still open after `limit`.
async fn closed_within(mut stream: TcpStream, limit: Duration) -> Option<Duration> {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        stream.set_read_timeout(Some(limit)).unwrap();
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => return Some(started.elapsed()),
                Ok(_) => continue, // e.g. a 408 before the close
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(started.elapsed()),
                Err(_) => return None,
            }
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_while_others_are_served() {
    // Given a server that gives clients 1 s for a request's headers
    let s = server(&["--header-read-timeout", "1"]).await;
    // When one client sends its headers slowly, a line every 200 ms, and another sends nothing
    let slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let silent = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let drip = slow.try_clone().unwrap();
    let dripping = std::thread::spawn(move || {
        let mut drip = drip;
        let _ = drip.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n");
        for i in 0..50 {
            std::thread::sleep(Duration::from_millis(200));
            if drip.write_all(format!("X-Slow-{i}: y\r\n").as_bytes()).is_err() {
                return i;
            }
        }
        50
    });
    // Then others are served meanwhile
    let code = s.app.create_meeting().await;
    assert_eq!(
        s.app.get(&format!("/v1/meetings/{code}")).await.status(),
        StatusCode::OK
    );
    // And both are closed by the server, long before the slow one would have finished
    let slow_closed = closed_within(slow.try_clone().unwrap(), Duration::from_secs(8)).await;
    let silent_closed = closed_within(silent, Duration::from_secs(8)).await;
    assert!(
        slow_closed.is_some(),
        "the slowloris connection is still open after 8 s"
    );
    assert!(silent_closed.is_some(), "the silent connection is still open after 8 s");
    let lines_sent = dripping.join().unwrap();
    assert!(lines_sent < 50, "the server read all 50 slow header lines");
    let _ = slow.shutdown(std::net::Shutdown::Both);
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_answered_at_the_request_deadline_while_others_are_served() {
    // Given a server that gives a request 1 s, and a meeting
    let s = server(&["--request-timeout", "1"]).await;
    let code = s.app.create_meeting().await;
    // When one client sends a join's body a byte every 200 ms (it would take 12 s)
    let body = format!(r#"{{"meeting_url_code":"{code}","name":"slow"}}"#);
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(
        slow,
        "POST /v1/s/participants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let drip = slow.try_clone().unwrap();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = answered.clone();
    let dripping = std::thread::spawn(move || {
        let mut drip = drip;
        for b in body.bytes() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) || drip.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    // Then others are served meanwhile
    assert_eq!(
        s.app.get(&format!("/v1/meetings/{code}")).await.status(),
        StatusCode::OK
    );
    // And the slow one is answered 503 with a detail at the deadline, not after its body
    let started = Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        slow.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
        let mut text = Vec::new();
        let mut buf = [0u8; 1024];
        while let Ok(n) = slow.read(&mut buf) {
            if n == 0 {
                break;
            }
            text.extend_from_slice(&buf[..n]);
            if text.ends_with(b"}") {
                break;
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    })
    .await
    .unwrap();
    answered.store(true, std::sync::atomic::Ordering::Relaxed);
    dripping.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains(r#""detail":"the request took longer than 1.0 s"#),
        "{answer}"
    );
    // And nobody joined
    assert!(
        s.app.meeting(&code).await["participants"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn connections_beyond_the_maximum_are_closed_at_once_and_served_again_when_some_end() {
    // Given a server that allows 4 connections, all taken by clients that send nothing yet
    let s = server(&["--max-connections", "4", "--header-read-timeout", "30"]).await;
    // When five connect
    // (Which of them is refused depends on when the server saw the start-up probe's connection
    // end, which a loaded machine delays: so all five are watched.)
    let idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port)).unwrap())
        .collect();
    // Then at least one is closed at once, without an answer
    let closed = futures::future::join_all(
        idle.iter()
            .map(|c| closed_within(c.try_clone().unwrap(), Duration::from_secs(5))),
    )
    .await;
    assert!(
        closed.iter().any(Option::is_some),
        "all five connections were kept open with --max-connections 4"
    );
    // And once the idle ones go away, requests are served again
    drop(idle);
    let mut served = false;
    for _ in 0..40 {
        if let Ok(res) = s.app.client.get(s.app.url("/health/live")).send().await {
            served = res.status() == StatusCode::OK;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "no request was served after the idle connections closed");
    // And the refusals are counted
    let metrics = reqwest::get(s.app.url("/metrics")).await.unwrap().text().await.unwrap();
    let refused: f64 = metrics
        .lines()
        .find(|l| l.starts_with("meetifyr_connections_refused_total"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no refusal counted in\n{metrics}"));
    assert!(refused >= 1.0, "{refused}");
}
