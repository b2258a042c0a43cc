//! Issue 23's ranking: runs of days for trips, weekday filters, required participants and a
//! floor on how many are free, over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn ranking(app: &TestApp, code: &str, query: &str) -> (StatusCode, Value) {
    status_json(app.get(&format!("/v1/meetings/{code}/ranking?{query}")).await).await
}

async fn set_required(app: &TestApp, code: &str, key: Option<&str>, id: i64, body: Value) -> (StatusCode, Value) {
    let mut req = app
        .client
        .put(app.url(&format!("/v1/meetings/{code}/participants/{id}/required")))
        .json(&body);
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    status_json(req.send().await.unwrap()).await
}

fn dates(list: &Value) -> Vec<Vec<String>> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["dates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_best_three_day_trip_is_where_the_most_people_are_free_all_three_days() {
    // Given 2025-03-03 (Monday) to 03-09: Kim free Mon–Thu, Lee Wed–Sun, Park Wed–Fri
    let app = spawn_app().await;
    let (code, _, _) = answered(
        &app,
        "2025-03-03",
        "2025-03-09",
        &[
            ("Kim", &["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"]),
            (
                "Lee",
                &["2025-03-05", "2025-03-06", "2025-03-07", "2025-03-08", "2025-03-09"],
            ),
            ("Park", &["2025-03-05", "2025-03-06", "2025-03-07"]),
        ],
    )
    .await;
    // When 3-day windows are asked for
    let (status, body) = ranking(&app, &code, "window=3").await;
    // Then every run of 3 days is ranked, Wed–Fri (Lee and Park) first, with who is free
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["window"], 3);
    let windows = body["day_windows"].as_array().unwrap();
    assert_eq!(windows.len(), 5);
    assert_eq!(
        windows[0],
        json!({"start_date": "2025-03-05", "end_date": "2025-03-07",
            "dates": ["2025-03-05", "2025-03-06", "2025-03-07"], "free": 2, "starred": 0,
            "required_free": true, "free_participants": [
                {"id": body["day_windows"][0]["free_participants"][0]["id"], "name": "Lee"},
                {"id": body["day_windows"][0]["free_participants"][1]["id"], "name": "Park"}]})
    );
    // And ties go to the earliest: Mon–Wed and Tue–Thu (Kim alone) before Thu–Sat
    let order: Vec<String> = windows
        .iter()
        .map(|w| w["start_date"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        order,
        ["2025-03-05", "2025-03-03", "2025-03-04", "2025-03-06", "2025-03-07"]
    );
    assert_eq!(
        windows.iter().map(|w| w["free"].as_u64().unwrap()).collect::<Vec<_>>(),
        [2, 1, 1, 1, 1]
    );
    // And the days themselves are still ranked alongside
    assert_eq!(body["days"][0]["date"], "2025-03-05");
    assert_eq!(body["days"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn weekdays_choose_where_runs_start_and_skip_steps_over_days() {
    // Given Friday 2025-03-07 to Tuesday 03-18, one person free on every day
    let app = spawn_app().await;
    let all: Vec<String> = (7..=18).map(|d| format!("2025-03-{d:02}")).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let (code, _, _) = answered(&app, "2025-03-07", "2025-03-18", &[("Kim", &all)]).await;
    // When weekends are skipped and 2-day runs start on Fridays
    let (status, body) = ranking(&app, &code, "window=2&weekdays=fri&skip=sat,sun").await;
    // Then the runs are Friday + Monday of each week
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        dates(&body["day_windows"]),
        [["2025-03-07", "2025-03-10"], ["2025-03-14", "2025-03-17"]]
    );
    // And the days leave the weekend out, keeping only Fridays (in Korean too)
    let days: Vec<&str> = body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2025-03-07", "2025-03-14"]);
    let (_, korean) = ranking(&app, &code, "window=2&weekdays=%EA%B8%88&skip=%ED%86%A0,%EC%9D%BC").await;
    assert_eq!(korean["day_windows"], body["day_windows"]);
}

#[tokio::test]
async fn a_day_a_required_person_cannot_come_ranks_below_every_day_they_can() {
    // Given three people free on 03-03 and the boss free on 03-04 only
    let app = spawn_app().await;
    let (code, key, ids) = answered(
        &app,
        "2025-03-03",
        "2025-03-05",
        &[
            ("Kim", &["2025-03-03"]),
            ("Lee", &["2025-03-03"]),
            ("Park", &["2025-03-03"]),
            ("Boss", &["2025-03-04"]),
        ],
    )
    .await;
    assert_eq!(app.meeting(&code).await["best_dates"][0], "2025-03-03");
    // When the organiser marks the boss as required
    let (status, meeting) = set_required(&app, &code, Some(&key), ids[3], json!({"required": true})).await;
    // Then the answer is the meeting, showing who is required, and the boss's day leads
    assert_eq!(status, StatusCode::OK);
    let required: Vec<bool> = meeting["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["required"].as_bool().unwrap())
        .collect();
    assert_eq!(required, [false, false, false, true]);
    assert_eq!(meeting["best_dates"], json!(["2025-03-04", "2025-03-03", "2025-03-05"]));
    let (_, body) = ranking(&app, &code, "").await;
    let days = body["days"].as_array().unwrap();
    assert_eq!(
        (days[0]["date"].as_str(), days[0]["required_free"].as_bool()),
        (Some("2025-03-04"), Some(true))
    );
    assert_eq!(
        (days[1]["free"].as_u64(), days[1]["required_free"].as_bool()),
        (Some(3), Some(false))
    );
    // And min_free drops the days with fewer free
    let (_, body) = ranking(&app, &code, "min_free=2").await;
    let days: Vec<&str> = body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2025-03-03"]);
    // And taking it back restores the plain ranking
    let (status, meeting) = set_required(&app, &code, Some(&key), ids[3], json!({"required": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meeting["best_dates"][0], "2025-03-03");
}

#[tokio::test]
async fn only_the_organiser_marks_people_required_and_bad_input_is_a_clear_422() {
    // Given a meeting with one participant, and another meeting's participant
    let app = spawn_app().await;
    let (code, key, ids) = answered(&app, "2025-03-03", "2025-03-05", &[("Kim", &["2025-03-03"])]).await;
    let (other, _, others) = answered(&app, "2025-03-03", "2025-03-05", &[("Lee", &[])]).await;
    let version = app.meeting(&code).await["version"].clone();
    // When someone without the key, or with a wrong one, tries
    let (status, body) = set_required(&app, &code, None, ids[0], json!({"required": true})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = set_required(&app, &code, Some("wrong-key"), ids[0], json!({"required": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // And the organiser names a participant of another meeting, or a non-boolean
    let (status, body) = set_required(&app, &code, Some(&key), others[0], json!({"required": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = set_required(&app, &code, Some(&key), ids[0], json!({"required": "yes"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "required"]));
    // Then nothing changed
    let m = app.meeting(&code).await;
    assert_eq!(
        (m["version"].clone(), m["participants"][0]["required"].clone()),
        (version, json!(false))
    );
    assert_eq!(app.meeting(&other).await["participants"][0]["required"], false);
    // And bad ranking parameters say which and why
    for (query, name) in [
        ("window=0", "window"),
        ("window=4", "window"),
        ("window=two", "window"),
        ("window=2&window=3", "window"),
        ("weekdays=funday", "weekdays"),
        ("skip=8", "skip"),
        ("min_free=-1", "min_free"),
        ("window_minutes=60", "window_minutes"),
    ] {
        let (status, body) = ranking(&app, &code, query).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", name]), "{query}");
        assert!(
            body["detail"][0]["msg"].as_str().unwrap().starts_with("Value error, "),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_time_meeting_refuses_the_day_parameters() {
    // Given a time meeting
    let app = spawn_app().await;
    let (status, created) = status_json(
        app.post(
            "/v1/meetings",
            Some(
                json!({"kind": "times", "start_date": "2026-03-02", "end_date": "2026-03-03",
                "day_start": "09:00", "day_end": "12:00", "slot_minutes": 60, "time_zone": "Asia/Seoul"}),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let code = created["url_code"].as_str().unwrap();
    // When a day window is asked of it, Then it is a 422 that points to window_minutes
    let (status, body) = ranking(&app, code, "window=2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "window"]));
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("window_minutes"));
}
