//! `meetifyr copy`: moving a database to another backend keeps codes, ids and every answer.

use std::process::Command;

use meetifyr_store::testing::{Backend, TestDatabase};
use serde_json::Value;

use crate::helpers::*;

fn run_copy(from: &TestDatabase, to: &TestDatabase, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args(["copy", "--from", from.url.expose(), "--to", to.url.expose()])
        .args(extra)
        .output()
        .unwrap()
}

/// Reads meetings through a server started on `db` as it is.
async fn read_through_server(db: &TestDatabase, codes: &[String]) -> Vec<Value> {
    let app = serve_on(&db.url).await;
    let mut out = Vec::new();
    for code in codes {
        out.push(app.meeting(code).await);
    }
    out
}

#[tokio::test]
async fn a_sqlite_database_copied_to_postgres_answers_the_same() {
    if !meetifyr_store::testing::available(Backend::Postgres) {
        return;
    }
    // Given meetings with participants, toggles and stars in SQLite
    let source = TestDatabase::create(Backend::Sqlite).await;
    let codes = {
        let client = serve_on(&source.url).await;
        let mut codes = Vec::new();
        for i in 0..3 {
            let code = client.meeting_with_range("2025-12-01", "2025-12-05").await;
            let p = client.add_participant(&code, &format!("kim {i}")).await;
            client.add_participant(&code, "lee").await;
            client.toggle("star", &code, date_id(&p, "2025-12-02")).await;
            client.toggle("off", &code, date_id(&p, "2025-12-04")).await;
            codes.push(code);
        }
        codes.push(client.create_meeting().await); // one without a range
        // and one over times of day, across Berlin's autumn change, answered
        let created = client
            .post(
                "/v1/meetings",
                Some(
                    serde_json::json!({"kind": "times", "dates": ["2026-10-25"], "day_start": "01:00",
                    "day_end": "04:00", "slot_minutes": 30, "time_zone": "Europe/Berlin"}),
                ),
            )
            .await
            .json::<Value>()
            .await
            .unwrap();
        let code = created["url_code"].as_str().unwrap().to_owned();
        let p = client.add_participant(&code, "nacht").await["participant_id"]
            .as_i64()
            .unwrap();
        let answer = serde_json::json!({"meeting_url_code": code,
            "free": ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"], "starred": ["2026-10-25T02:00:00+01:00"]});
        assert!(client.put_availability(p, answer).await.status().is_success());
        codes.push(code);
        codes
    };
    let before = read_through_server(&source, &codes).await;

    // When it is copied to an empty PostgreSQL database
    let target = TestDatabase::create(Backend::Postgres).await;
    let out = run_copy(&source, &target, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("copied 5 meetings"));

    // Then every meeting answers exactly as before: codes, ids, flags, best dates
    assert_eq!(read_through_server(&target, &codes).await, before);

    // And copying again is refused, unless asked, and then skips what is there
    let again = run_copy(&source, &target, &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has 5 meetings"));
    let forced = run_copy(&source, &target, &["--into-non-empty"]);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    assert!(String::from_utf8_lossy(&forced.stdout).contains("copied 0 meetings, skipped 5"));
}
