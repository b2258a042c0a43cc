use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn creating_a_participant_lists_one_date_per_day_ascending() {
    // Given
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-10-10", "2025-10-12").await;
    // When
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "test"})),
        )
        .await;
    // Then
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["participant_id"].is_i64());
    let dates: Vec<&str> = body["participant_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-10-10", "2025-10-11", "2025-10-12"]);
    for d in body["participant_dates"].as_array().unwrap() {
        assert_eq!(d.as_object().unwrap().len(), 2, "only id and date: {d}");
    }
    let meeting = app.meeting(&code).await;
    let p = &meeting["participants"][0];
    assert_eq!(
        (p["id"].clone(), p["name"].clone()),
        (body["participant_id"].clone(), json!("test"))
    );
    assert_eq!(
        p["dates"][0],
        json!({"id": body["participant_dates"][0]["id"], "date": "2025-10-10", "enabled": true, "starred": false})
    );
}

#[tokio::test]
async fn a_63_day_range_lists_all_63_dates() {
    // The original stopped at 62.
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-03-04").await;
    let body = app.add_participant(&code, "all").await;
    let dates = body["participant_dates"].as_array().unwrap();
    assert_eq!(dates.len(), 63);
    assert_eq!(dates[62]["date"], "2025-03-04");
}

#[tokio::test]
async fn a_participant_of_an_unknown_meeting_is_404() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": "not_exist", "name": "test"})),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "meeting with url_code: not_exist not found"}));
}

#[tokio::test]
async fn a_participant_before_the_range_is_set_is_400() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "test"})),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"detail": "start and end should be set."}));
    assert_eq!(app.meeting(&code).await["participants"], json!([]));
}

#[tokio::test]
async fn deleting_a_participant_is_204_and_removes_it() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-03").await;
    let gone = app.add_participant(&code, "gone").await;
    let kept = app.add_participant(&code, "kept").await;
    let res = app
        .delete(&format!("/v1/participants/{}", gone["participant_id"]))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let ids: Vec<Value> = app.meeting(&code).await["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids, vec![kept["participant_id"].clone()]);
    // A second delete finds nothing.
    let (status, body) = status_json(
        app.delete(&format!("/v1/participants/{}", gone["participant_id"]))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"detail": format!("participant with id: {} not found", gone["participant_id"])})
    );
}

#[tokio::test]
async fn deleting_with_a_non_integer_id_is_422_naming_the_path_parameter() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.delete("/v1/participants/abc").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "int_parsing");
    assert_eq!(body["detail"][0]["loc"], json!(["path", "participant_id"]));
    assert_eq!(body["detail"][0]["input"], "abc");
}

#[tokio::test]
async fn concurrent_joins_lose_no_participant() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-31").await;
    let joins = (0..50).map(|i| {
        app.post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": format!("p{i}")})),
        )
    });
    let responses = futures::future::join_all(joins).await;
    assert!(responses.iter().all(|r| r.status() == StatusCode::OK));
    let meeting = app.meeting(&code).await;
    let participants = meeting["participants"].as_array().unwrap();
    assert_eq!(participants.len(), 50);
    assert!(participants.iter().all(|p| p["dates"].as_array().unwrap().len() == 31));
}
