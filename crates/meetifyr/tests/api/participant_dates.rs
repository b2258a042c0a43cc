use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// (enabled, starred) of a date in a GetMeetingResponse.
fn flags(meeting: &serde_json::Value, date_id: i64) -> (bool, bool) {
    let d = meeting["participants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["dates"].as_array().unwrap())
        .find(|d| d["id"] == date_id)
        .unwrap();
    (d["enabled"].as_bool().unwrap(), d["starred"].as_bool().unwrap())
}

#[tokio::test]
async fn each_toggle_returns_the_meeting_with_its_flags() {
    // Given a free, unstarred date
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    let id = date_id(&app.add_participant(&code, "p").await, "2025-01-01");
    // When / Then, for each op in turn
    for (op, expected) in [
        ("off", (false, false)),
        ("star", (true, true)),
        ("unstar", (true, false)),
        ("star", (true, true)),
        ("off", (false, false)),
        ("on", (true, false)),
    ] {
        let (status, body) = status_json(app.toggle(op, &code, id).await).await;
        assert_eq!(status, StatusCode::OK, "{op}");
        assert_eq!(body["url_code"], code);
        assert_eq!(flags(&body, id), expected, "after {op}");
    }
}

#[tokio::test]
async fn toggles_are_idempotent() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let id = date_id(&app.add_participant(&code, "p").await, "2025-01-01");
    for op in ["on", "off", "star", "unstar"] {
        let first = status_json(app.toggle(op, &code, id).await).await;
        let second = status_json(app.toggle(op, &code, id).await).await;
        assert_eq!(first, second, "{op}");
    }
}

#[tokio::test]
async fn a_toggle_naming_an_unknown_meeting_is_404_and_changes_nothing() {
    // The original modified the date first and looked the meeting up after.
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let id = date_id(&app.add_participant(&code, "p").await, "2025-01-01");
    let (status, body) = status_json(app.toggle("off", "not_exist", id).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "meeting with url_code: not_exist not found"}));
    assert_eq!(flags(&app.meeting(&code).await, id), (true, false));
}

#[tokio::test]
async fn a_date_of_another_meeting_is_404_and_unchanged() {
    let app = spawn_app().await;
    let a = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let b = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    app.add_participant(&a, "in a").await;
    let b_date = date_id(&app.add_participant(&b, "in b").await, "2025-01-01");
    let (status, body) = status_json(app.toggle("off", &a, b_date).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains(&b_date.to_string()), "{body}");
    assert_eq!(flags(&app.meeting(&b).await, b_date), (true, false));
}

#[tokio::test]
async fn an_unknown_date_is_404() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let (status, body) = status_json(app.toggle("on", &code, 999_999).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"detail": format!("participant_date with id: 999999 not found in meeting with url_code: {code}")})
    );
}

#[tokio::test]
async fn concurrent_toggles_of_one_meeting_lose_no_update() {
    // Given 4 participants x 31 days, each date getting its own final state
    let app = spawn_app_unlimited().await;
    let code = app.meeting_with_range("2025-05-01", "2025-05-31").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let p = app.add_participant(&code, &format!("p{i}")).await;
        ids.extend(
            p["participant_dates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap()),
        );
    }
    let ops = ["off", "star", "unstar", "on"];
    // When all 124 toggles are sent at once
    let requests = ids.iter().enumerate().map(|(i, id)| app.toggle(ops[i % 4], &code, *id));
    let responses = futures::future::join_all(requests).await;
    assert!(responses.iter().all(|r| r.status() == StatusCode::OK));
    // Then every date shows its own toggle
    let meeting = app.meeting(&code).await;
    for (i, id) in ids.iter().enumerate() {
        let expected = match ops[i % 4] {
            "off" => (false, false),
            "star" => (true, true),
            _ => (true, false),
        };
        assert_eq!(flags(&meeting, *id), expected, "date {id}");
    }
}
