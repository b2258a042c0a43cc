//! Issue 23's calendar import: a participant's exported calendar (Google, Outlook and Apple
//! files in tests/calendars/) read for busy days or slots, with recurrences, moved instances,
//! time zones and all-day events; nothing stored.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const GOOGLE: &str = include_str!("../../../../tests/calendars/google.ics");
const OUTLOOK: &str = include_str!("../../../../tests/calendars/outlook.ics");
const APPLE: &str = include_str!("../../../../tests/calendars/apple.ics");

async fn import(app: &TestApp, code: &str, query: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/v1/meetings/{code}/calendar_busy{query}")))
        .header("content-type", "text/calendar")
        .body(body)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

fn strings(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect()
}

/// Two weeks from Monday 2025-03-03.
async fn two_weeks(app: &TestApp) -> String {
    organised(app, "2025-03-03", "2025-03-16").await.0
}

#[tokio::test]
async fn a_google_calendar_marks_the_days_of_its_events_in_the_readers_zone() {
    // Given two weeks, and Kim's Google calendar: a weekly Monday class (one Monday skipped), a
    // Tuesday sync whose second week moved to Thursday, a two-day trip, a cancelled lunch, a
    // lunch marked free, and a call from 23:00 to 01:00 in Seoul
    let app = spawn_app().await;
    let code = two_weeks(&app).await;
    let before = app.meeting(&code).await;
    // When it is read in Seoul
    let (status, body) = import(&app, &code, "?time_zone=Asia/Seoul", GOOGLE).await;
    // Then those days are busy, and every other day is proposed free
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "days");
    assert_eq!(
        strings(&body["busy"]),
        [
            "2025-03-03",
            "2025-03-04",
            "2025-03-07",
            "2025-03-08",
            "2025-03-13",
            "2025-03-14",
            "2025-03-15"
        ]
    );
    assert_eq!(strings(&body["free"]).len(), 14 - 7);
    assert!(
        strings(&body["free"]).contains(&"2025-03-10"),
        "the skipped Monday is free: {body}"
    );
    assert!(
        strings(&body["free"]).contains(&"2025-03-11"),
        "the moved Tuesday is free: {body}"
    );
    assert_eq!(body["skipped"], json!([]));
    // When it is read in UTC, Then the late call ends on the day it started
    let (_, utc) = import(&app, &code, "", GOOGLE).await;
    assert!(!strings(&utc["busy"]).contains(&"2025-03-15"), "{utc}");
    assert!(strings(&utc["busy"]).contains(&"2025-03-14"), "{utc}");
    // And nothing was stored: the meeting is as it was
    assert_eq!(app.meeting(&code).await, before);
}

#[tokio::test]
async fn an_outlook_calendar_with_a_windows_zone_name_is_read_as_wall_times() {
    let app = spawn_app().await;
    let code = two_weeks(&app).await;
    // Given Outlook's "Korea Standard Time", a zone name outside the tz database
    let (status, body) = import(&app, &code, "?time_zone=Asia/Seoul", OUTLOOK).await;
    // Then the daily workshop until the 6th is busy on its two days
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(strings(&body["busy"]), ["2025-03-05", "2025-03-06"]);
}

#[tokio::test]
async fn an_apple_calendar_follows_durations_all_day_rules_and_excluded_dates() {
    let app = spawn_app().await;
    let code = two_weeks(&app).await;
    // Given a dentist by DURATION in Berlin, a two-day conference whose second day is excluded,
    // a yearly birthday marked free and a yearly family day since 2024
    let (status, body) = import(&app, &code, "?time_zone=Europe/Berlin", APPLE).await;
    // Then the dentist, the conference's first day and this year's family day are busy
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(strings(&body["busy"]), ["2025-03-10", "2025-03-11", "2025-03-16"]);
}

#[tokio::test]
async fn a_time_meeting_gets_the_slots_its_events_overlap() {
    // Given a Seoul time meeting on Monday and Tuesday, 09:00 to 22:00 in hours
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2025-03-03", "2025-03-04"], "day_start": "09:00", "day_end": "22:00",
               "slot_minutes": 60, "time_zone": "Asia/Seoul"}),
    )
    .await;
    // When Kim's Google calendar is read
    let (status, body) = import(&app, &code, "", GOOGLE).await;
    // Then the Monday class (19:00–21:00) and the Tuesday sync (10:00–11:00) are busy slots
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "times");
    assert_eq!(
        strings(&body["busy"]),
        [
            "2025-03-03T19:00:00+09:00",
            "2025-03-03T20:00:00+09:00",
            "2025-03-04T10:00:00+09:00"
        ]
    );
    assert_eq!(strings(&body["free"]).len(), 2 * 13 - 3);
    // And the proposal is an answer the meeting takes as it is
    let id = app.add_participant(&code, "Kim").await["participant_id"]
        .as_i64()
        .unwrap();
    let res = app
        .put_availability(
            id,
            json!({"meeting_url_code": code, "free": body["free"], "starred": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_file_that_is_no_calendar_or_too_big_is_refused_with_why() {
    let app = spawn_app().await;
    let code = two_weeks(&app).await;
    // Not a calendar, not UTF-8, or broken inside: 422 with a detail
    for bad in [
        b"hello".to_vec(),
        vec![0xff, 0xfe, 0x00],
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2025".to_vec(),
    ] {
        let (status, body) = import(&app, &code, "", bad.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            String::from_utf8_lossy(&bad)
        );
        assert!(body["detail"].as_str().is_some(), "{body}");
    }
    // Larger than 1 MiB: 413
    let huge = format!(
        "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
        "X-PAD:0123456789\r\n".repeat(60_000)
    );
    let (status, body) = import(&app, &code, "", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("1 MiB"));
    // An unknown zone is 422 naming it; a meeting without days is 400; an unknown one 404
    let (status, body) = import(&app, &code, "?time_zone=Mars/Olympus", GOOGLE).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "time_zone"]));
    let bare = app.create_meeting().await;
    assert_eq!(import(&app, &bare, "", GOOGLE).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(import(&app, "Nope1234", "", GOOGLE).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_rule_repeating_too_often_to_follow_is_skipped_and_the_rest_still_counts() {
    // Given a file with an event every minute since 2000 and one ordinary event
    let app = spawn_app().await;
    let code = two_weeks(&app).await;
    let file = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        "UID:every-minute",
        "SUMMARY:Every minute",
        "DTSTART:20000101T000000Z",
        "DURATION:PT1M",
        "RRULE:FREQ=MINUTELY",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:dinner",
        "SUMMARY:Dinner",
        "DTSTART:20250305T100000Z",
        "DTEND:20250305T120000Z",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    .join("\r\n");
    // When it is read
    let (status, body) = import(&app, &code, "", file).await;
    // Then the minutely rule is skipped with why, and the dinner is busy
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(strings(&body["busy"]), ["2025-03-05"]);
    let skipped = strings(&body["skipped"]);
    assert!(skipped.iter().any(|s| s.starts_with("Every minute: ")), "{body}");
}
