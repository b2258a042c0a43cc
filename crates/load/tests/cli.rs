//! The binary itself: how it fails before any load (the load path is exercised by the smoke runs
//! in scripts/test.sh, against a real server).

use std::process::Command;

fn load() -> Command {
    Command::new(env!("CARGO_BIN_EXE_meetifyr-load"))
}

#[test]
fn no_server_means_exit_1_with_the_reason() {
    // Given nothing listening on the port, When a run starts, Then it says so and exits 1
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let out = load()
        .args(["--host", &format!("http://127.0.0.1:{port}"), "-t", "1s", "--results"])
        .arg(std::env::temp_dir().join("meetifyr-load-test"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no server answers"), "{stderr}");
}

#[test]
fn unreadable_gates_and_bad_stores_are_refused_before_any_load() {
    let out = load().args(["--gates", "/nonexistent/gates.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading gates"));
    let out = load().args(["--stores", "sqlite,../etc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a store name"));
    let out = load().args(["--run-time", "5x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
}
