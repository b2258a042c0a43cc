//! Storage v2's migration: a database written by v1 (one row per participant and day) is
//! converted on start, and every meeting reads back as v1 served it, apart from the date ids.

use chrono::{Days, NaiveDate};
use meetifyr_core::DateId;
use meetifyr_store::testing::{Backend, TestDatabase, execute_script, migrate_to};
use serde_json::{Value, json};

use crate::helpers::*;

/// A meeting as v1 stored it.
struct V1Meeting {
    id: i64,
    code: &'static str,
    title: &'static str,
    location: &'static str,
    range: Option<(&'static str, u64)>,
    /// (participant id, name); ids with gaps where participants were deleted.
    participants: Vec<(i64, &'static str)>,
}

impl V1Meeting {
    fn days(&self) -> Vec<NaiveDate> {
        self.range.map_or_else(Vec::new, |(start, len)| {
            let start: NaiveDate = start.parse().unwrap();
            (0..len).map(|k| start + Days::new(k)).collect()
        })
    }

    /// The flags v1 held for a participant's k-th day: some busy, some starred, in patterns
    /// that differ per participant.
    fn flags(participant: i64, k: usize) -> (bool, bool) {
        let enabled = !(participant as usize + k).is_multiple_of(3);
        (enabled, enabled && k % 5 == participant as usize % 5)
    }
}

fn fixture() -> Vec<V1Meeting> {
    vec![
        V1Meeting {
            id: 1,
            code: "NoRangeYet",
            title: "",
            location: "",
            range: None,
            participants: vec![],
        },
        V1Meeting {
            id: 2,
            code: "FullSixtyThree",
            title: "Kim's \"retreat\" 김",
            location: "Jeju; 제주 😀", // no backslash: MySQL literals would read it as an escape
            range: Some(("2025-01-01", 63)),
            participants: vec![(10, "Kim"), (11, "O'Brien"), (13, "민지")], // 12 was deleted
        },
        V1Meeting {
            id: 3,
            code: "NobodyYet",
            title: "empty",
            location: "",
            range: Some(("2028-02-27", 4)),
            participants: vec![],
        },
        V1Meeting {
            id: 5, // meeting 4 never existed here
            code: "LeapAndStars",
            title: "",
            location: "Seoul",
            range: Some(("2028-02-28", 3)),
            participants: vec![(20, "a"), (21, "b"), (25, "c")],
        },
    ]
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The v1 rows of the fixture as portable SQL (no backend-specific syntax).
fn fixture_sql(meetings: &[V1Meeting]) -> String {
    let mut sql = String::new();
    for m in meetings {
        let (start, end) = match m.range {
            Some(_) => {
                let days = m.days();
                (quote(&days[0].to_string()), quote(&days[days.len() - 1].to_string()))
            }
            None => ("null".to_owned(), "null".to_owned()),
        };
        sql += &format!(
            "insert into meetings (id, url_code, title, location, start_date, end_date) values ({}, {}, {}, {}, {start}, {end});\n",
            m.id,
            quote(m.code),
            quote(m.title),
            quote(m.location)
        );
        for (pid, name) in &m.participants {
            sql += &format!(
                "insert into participants (id, meeting_id, name) values ({pid}, {}, {});\n",
                m.id,
                quote(name)
            );
        }
    }
    // v1's SQLite trigger made free dates already: replace them with the fixture's.
    sql += "delete from participant_dates;\n";
    for m in meetings {
        for (pid, _) in &m.participants {
            for (k, day) in m.days().iter().enumerate() {
                let (enabled, starred) = V1Meeting::flags(*pid, k);
                sql += &format!(
                    "insert into participant_dates (id, participant_id, date, enabled, starred) values ({}, {pid}, '{day}', {enabled}, {starred});\n",
                    pid * 100 + k as i64
                );
            }
        }
    }
    sql
}

/// What v1's GET answered for a meeting, date ids included (its own).
fn v1_get(m: &V1Meeting) -> Value {
    let days = m.days();
    let participants: Vec<Value> = m
        .participants
        .iter()
        .map(|(pid, name)| {
            let dates: Vec<Value> = days
                .iter()
                .enumerate()
                .map(|(k, day)| {
                    let (enabled, starred) = V1Meeting::flags(*pid, k);
                    json!({"id": pid * 100 + k as i64, "date": day.to_string(), "enabled": enabled, "starred": starred})
                })
                .collect();
            json!({"id": pid, "name": name, "dates": dates})
        })
        .collect();
    // v1's ranking over its rows: by date, free count, then free-and-starred count.
    let mut counts: Vec<(NaiveDate, i32, i32)> = Vec::new();
    for (pid, _) in &m.participants {
        for (k, day) in days.iter().enumerate() {
            let (enabled, starred) = V1Meeting::flags(*pid, k);
            match counts.iter_mut().find(|c| c.0 == *day) {
                Some(c) => {
                    c.1 += i32::from(enabled);
                    c.2 += i32::from(enabled && starred);
                }
                None => counts.push((*day, i32::from(enabled), i32::from(enabled && starred))),
            }
        }
    }
    counts.sort_by_key(|c| (-c.1, -c.2, c.0));
    let best: Vec<String> = counts.iter().take(3).map(|c| c.0.to_string()).collect();
    json!({
        "url_code": m.code,
        "start_date": days.first().map(|d| d.to_string()),
        "end_date": days.last().map(|d| d.to_string()),
        "title": m.title,
        "location": m.location,
        "participants": participants,
        "best_dates": best,
    })
}

/// The date ids of a GET body, replaced by null; returned with their participant and date.
fn take_date_ids(body: &mut Value) -> Vec<(i64, i64, String)> {
    let mut ids = Vec::new();
    for p in body["participants"].as_array_mut().unwrap() {
        let pid = p["id"].as_i64().unwrap();
        for d in p["dates"].as_array_mut().unwrap() {
            ids.push((d["id"].as_i64().unwrap(), pid, d["date"].as_str().unwrap().to_owned()));
            d["id"] = Value::Null;
        }
    }
    ids
}

#[tokio::test]
async fn a_v1_database_is_migrated_and_every_meeting_reads_back_as_before() {
    // Given a database at schema v1 holding meetings with every edge
    let db = TestDatabase::create(backend()).await;
    migrate_to(&db.url, 1).await.expect("schema v1");
    let meetings = fixture();
    let mut sql = fixture_sql(&meetings);
    if backend() == Backend::Postgres {
        // Explicit ids do not move identity sequences; v1's own writes had.
        for table in ["meetings", "participants", "participant_dates"] {
            sql += &format!("select setval(pg_get_serial_sequence('{table}', 'id'), 10000);\n");
        }
    }
    execute_script(&db.url, &sql).await.expect("v1 rows");
    // When the server starts on it (and migrates it)
    let app = serve_on(&db.url).await;
    // Then every GET is v1's, apart from the date ids, which take the new encoding
    for m in &meetings {
        let mut before = v1_get(m);
        let mut after = app.meeting(m.code).await;
        take_date_ids(&mut before);
        let ids = take_date_ids(&mut after);
        // Plus the organiser issue's additive fields, at their defaults.
        let added = after.as_object_mut().unwrap().remove("final_date");
        assert_eq!(added, Some(serde_json::Value::Null), "meeting {}", m.code);
        // And the deadline issue's: no deadline, answers open.
        for (field, default) in [
            ("deadline", serde_json::Value::Null),
            ("deadline_time_zone", serde_json::Value::Null),
            ("close_after_last_day", serde_json::json!(false)),
            ("answers_close_at", serde_json::Value::Null),
            ("answers_open", serde_json::json!(true)),
        ] {
            let added = after.as_object_mut().unwrap().remove(field);
            assert_eq!(added, Some(default), "meeting {} {field}", m.code);
        }
        for p in after["participants"].as_array_mut().unwrap() {
            for added in ["protected", "required"] {
                assert_eq!(
                    p.as_object_mut().unwrap().remove(added),
                    Some(serde_json::json!(false)),
                    "{added}"
                );
            }
        }
        assert_eq!(after, before, "meeting {}", m.code);
        for (id, pid, date) in ids {
            assert!(id < 1 << 53);
            assert_eq!(DateId::decode(id), Some((pid, date.parse().unwrap())), "{id}");
        }
    }
    // And the migrated answers take writes with the new ids
    let kim_day_one = DateId::encode(10, "2025-01-01".parse().unwrap());
    let (status, body) = status_json(app.toggle("star", "FullSixtyThree", kim_day_one).await).await;
    assert_eq!(status, 200, "{body}");
    let first = &body["participants"][0]["dates"][0];
    assert_eq!(
        (first["enabled"].clone(), first["starred"].clone()),
        (json!(true), json!(true))
    );
    // And participant ids continue after the migrated ones
    let created = app.add_participant("LeapAndStars", "new").await;
    assert!(created["participant_id"].as_i64().unwrap() > 25);
}
