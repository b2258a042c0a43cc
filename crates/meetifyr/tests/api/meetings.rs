use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn creating_a_meeting_returns_an_unguessable_code() {
    // Given
    let app = spawn_app().await;
    // When
    let (status, body) = status_json(app.post("/v1/meetings", None).await).await;
    let (_, other) = status_json(app.post("/v1/meetings", None).await).await;
    // Then
    assert_eq!(status, StatusCode::OK);
    let code = body["url_code"].as_str().unwrap();
    // 62^11 > 2^64: at least 64 random bits in letters and digits only (no `-` or `_`, which
    // break double-click selection and chat apps' link detection).
    assert!(code.len() >= 11, "at least 64 bits: {code}");
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()), "base62: {code}");
    assert_ne!(body, other);
    // And the organiser key, shown once: at least 128 random bits, in letters and digits
    let key = body["organiser_key"].as_str().unwrap();
    assert!(key.len() as f64 * 62f64.log2() >= 128.0, "{key}");
    assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{key}");
    assert_ne!(key, other["organiser_key"].as_str().unwrap());
    assert_eq!(body.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn a_code_of_the_earlier_base64url_form_still_names_its_meeting() {
    // Given a meeting stored under a code with `-` and `_` (as generated before base62)
    let db = meetifyr_store::testing::TestDatabase::create(backend()).await;
    let store = meetifyr_store::connect(&db.url, &meetifyr_store::StoreOptions::default())
        .await
        .unwrap();
    let old = meetifyr_core::UrlCode::parse("Ab-_9xY-z_0Q").unwrap();
    store.insert_meeting(&old, None).await.unwrap();
    drop(store);
    // When it is read through the API, Then it is found
    let app = serve_on(&db.url).await;
    assert_eq!(app.meeting("Ab-_9xY-z_0Q").await["url_code"], "Ab-_9xY-z_0Q");
}

#[tokio::test]
async fn a_new_meeting_reads_back_empty() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let body = app.meeting(&code).await;
    assert_eq!(
        body,
        json!({"url_code": code, "start_date": null, "end_date": null, "title": "", "location": "",
               "participants": [], "best_dates": [], "final_date": null, "deadline": null,
               "deadline_time_zone": null, "close_after_last_day": false, "answers_close_at": null,
               "answers_open": true})
    );
}

#[tokio::test]
async fn an_unknown_meeting_is_404_with_the_original_text() {
    let app = spawn_app().await;
    for code in ["not_exist", "a%20b", "x.y"] {
        let (status, body) = status_json(app.get(&format!("/v1/meetings/{code}")).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let shown = code.replace("%20", " ");
        assert_eq!(
            body,
            json!({"detail": format!("meeting with url_code: {shown} not found")})
        );
    }
}

#[tokio::test]
async fn setting_the_date_range_returns_the_meeting() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let res = app
        .patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": "2025-12-01", "end_date": "2025-12-07"}),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["start_date"].as_str(), body["end_date"].as_str()),
        (Some("2025-12-01"), Some("2025-12-07"))
    );
    assert_eq!(body["url_code"], code);
    assert_eq!(body["participants"], json!([]));
    assert_eq!(body["best_dates"], json!([]));
}

#[tokio::test]
async fn a_range_over_62_days_is_422_even_for_an_unknown_meeting() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for target in [code.as_str(), "not_exist"] {
        let res = app
            .patch(
                &format!("/v1/meetings/{target}/date_range"),
                json!({"start_date": "2025-01-01", "end_date": "2025-03-05"}),
            )
            .await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            json!({"detail": "start 2025-01-01 and end 2025-03-05 should be within 62 days"})
        );
    }
    // Exactly 62 days is fine.
    let res = app
        .patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": "2025-01-01", "end_date": "2025-03-04"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_range_ending_before_it_starts_is_422_and_not_stored() {
    // The original accepted it and then gave participants no dates.
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let res = app
        .patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": "2025-01-10", "end_date": "2025-01-01"}),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"detail": "start 2025-01-10 should not be after end 2025-01-01"})
    );
    assert_eq!(app.meeting(&code).await["start_date"], json!(null));
}

#[tokio::test]
async fn the_date_range_of_an_unknown_meeting_is_404() {
    let app = spawn_app().await;
    let res = app
        .patch(
            "/v1/meetings/not_exist/date_range",
            json!({"start_date": "2025-01-01", "end_date": "2025-01-02"}),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "meeting with url_code: not_exist not found"}));
}

#[tokio::test]
async fn the_date_range_is_set_once_and_then_refused_with_the_stored_values() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-07").await;
    for (s, e) in [("2025-12-01", "2025-12-07"), ("2026-01-01", "2026-01-31")] {
        let res = app
            .patch(
                &format!("/v1/meetings/{code}/date_range"),
                json!({"start_date": s, "end_date": e}),
            )
            .await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            json!({"detail": format!("meeting: {code} start: 2025-12-01 end: 2025-12-07 are already set")})
        );
    }
}

#[tokio::test]
async fn racing_date_ranges_apply_exactly_one() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let requests = (1..=20).map(|day| {
        app.patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": "2025-01-01", "end_date": format!("2025-01-{day:02}")}),
        )
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count(),
        19
    );
}

#[tokio::test]
async fn title_and_location_are_set_with_204_and_read_back() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let t = app
        .patch(&format!("/v1/meetings/{code}/title"), json!({"title": "팀 회식"}))
        .await;
    let l = app
        .patch(&format!("/v1/meetings/{code}/location"), json!({"location": "강남역"}))
        .await;
    assert_eq!(
        (t.status(), l.status()),
        (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT)
    );
    assert!(t.bytes().await.unwrap().is_empty());
    let body = app.meeting(&code).await;
    assert_eq!(
        (body["title"].as_str(), body["location"].as_str()),
        (Some("팀 회식"), Some("강남역"))
    );
}

#[tokio::test]
async fn writing_the_stored_title_or_location_again_is_204_not_404() {
    // The original answered 404 here because MySQL counts changed rows.
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for _ in 0..2 {
        let t = app
            .patch(&format!("/v1/meetings/{code}/title"), json!({"title": ""}))
            .await;
        let l = app
            .patch(&format!("/v1/meetings/{code}/location"), json!({"location": "same"}))
            .await;
        assert_eq!(
            (t.status(), l.status()),
            (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT)
        );
    }
}

#[tokio::test]
async fn title_and_location_of_an_unknown_meeting_are_404() {
    let app = spawn_app().await;
    for (field, path) in [("title", "title"), ("location", "location")] {
        let res = app
            .patch(&format!("/v1/meetings/nope/{path}"), json!({ field: "x" }))
            .await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, json!({"detail": "meeting with url_code: nope not found"}));
    }
}
