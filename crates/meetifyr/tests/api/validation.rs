use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn first_error(body: &Value) -> &Value {
    &body["detail"][0]
}

#[tokio::test]
async fn malformed_json_is_422_json_invalid() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let (status, body) = status_json(
        app.patch_raw(&format!("/v1/meetings/{code}/title"), "{\"title\": ")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(first_error(&body)["type"], "json_invalid");
    assert_eq!(first_error(&body)["loc"][0], "body");
}

#[tokio::test]
async fn a_missing_body_is_422_naming_the_body() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.post("/v1/participants", None).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": null}]})
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_422() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.post("/v1/participants", Some(json!([1, 2]))).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(first_error(&body)["type"], "model_attributes_type");
}

#[tokio::test]
async fn every_missing_field_is_reported_at_once() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.patch("/v1/participant_dates/on", json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let locs: Vec<&Value> = body["detail"].as_array().unwrap().iter().map(|e| &e["loc"]).collect();
    assert_eq!(
        locs,
        [
            &json!(["body", "participant_date_id"]),
            &json!(["body", "meeting_url_code"])
        ]
    );
    assert!(
        body["detail"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] == "missing" && e["msg"] == "Field required")
    );
}

#[tokio::test]
async fn wrong_types_are_422_naming_the_field() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    let cases = [
        (
            "/v1/participants",
            json!({"meeting_url_code": code, "name": 5}),
            "name",
            "string_type",
        ),
        (
            "/v1/participants",
            json!({"meeting_url_code": null, "name": "x"}),
            "meeting_url_code",
            "string_type",
        ),
    ];
    for (path, payload, field, kind) in cases {
        let (status, body) = status_json(app.post(path, Some(payload)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&body)["loc"], json!(["body", field]));
        assert_eq!(first_error(&body)["type"], kind);
    }
    let (status, body) = status_json(
        app.patch(
            "/v1/participant_dates/star",
            json!({"participant_date_id": "abc", "meeting_url_code": code}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(first_error(&body)["type"], "int_parsing");
    assert_eq!(first_error(&body)["loc"], json!(["body", "participant_date_id"]));
}

#[tokio::test]
async fn invalid_dates_are_422_naming_the_field() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for (start, end, field) in [
        (json!("2025-02-30"), json!("2025-03-01"), "start_date"),
        (json!("2025-01-01"), json!("tomorrow"), "end_date"),
        (json!("2025-01-01"), json!(20250102), "end_date"),
    ] {
        let res = app
            .patch(
                &format!("/v1/meetings/{code}/date_range"),
                json!({"start_date": start, "end_date": end}),
            )
            .await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&body)["loc"], json!(["body", field]), "{body}");
        assert!(
            first_error(&body)["msg"]
                .as_str()
                .unwrap()
                .starts_with("Input should be a valid date")
        );
    }
    assert_eq!(app.meeting(&code).await["start_date"], json!(null));
}

#[tokio::test]
async fn names_must_have_1_to_255_characters() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-01").await;
    for (name, kind) in [
        (String::new(), "string_too_short"),
        ("  ".into(), "string_too_short"),
        ("x".repeat(256), "string_too_long"),
    ] {
        let (status, body) = status_json(
            app.post(
                "/v1/participants",
                Some(json!({"meeting_url_code": code, "name": name})),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&body)["type"], kind);
        assert_eq!(first_error(&body)["loc"], json!(["body", "name"]));
    }
    assert_eq!(app.meeting(&code).await["participants"], json!([]));
    app.add_participant(&code, &"가".repeat(255)).await;
}

#[tokio::test]
async fn titles_and_locations_over_255_characters_are_422() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    for field in ["title", "location"] {
        let (status, body) = status_json(
            app.patch(
                &format!("/v1/meetings/{code}/{field}"),
                json!({ field: "x".repeat(256) }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&body)["type"], "string_too_long");
        assert_eq!(first_error(&body)["loc"], json!(["body", field]));
    }
    assert_eq!(app.meeting(&code).await["title"], "");
}

#[tokio::test]
async fn an_oversized_body_is_413_with_a_detail() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let huge = json!({ "title": "x".repeat(100_000) });
    let (status, body) = status_json(app.patch(&format!("/v1/meetings/{code}/title"), huge).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.get("/v1/nothing/here").await).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"detail": "Not Found"})));
    let (status, body) = status_json(app.get("/v1/participants").await).await;
    assert_eq!(
        (status, body),
        (StatusCode::METHOD_NOT_ALLOWED, json!({"detail": "Method Not Allowed"}))
    );
}

#[tokio::test]
async fn the_documented_error_body_is_the_one_sent() {
    // Given the OpenAPI document
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    // Then `detail` is a text or a list of fields, as every error answers
    let detail = &schemas["Detail"]["oneOf"];
    assert_eq!(detail[0]["type"], "string");
    assert_eq!(detail[1]["items"]["$ref"], "#/components/schemas/ValidationError");
    for field in ["type", "loc", "msg", "input"] {
        assert!(
            schemas["ValidationError"]["required"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{field}"
        );
    }
    let (_, text) = status_json(app.get("/v1/meetings/nosuchcode").await).await;
    assert!(text["detail"].is_string());
    let (_, list) = status_json(app.post("/v1/participants", Some(json!({}))).await).await;
    assert!(list["detail"].is_array());
    // And a name is documented as needing a character that is not white space, as enforced
    let name = &schemas["CreateParticipantRequest"]["properties"]["name"];
    assert_eq!(name["pattern"], "^[^\\u0000]*[^\\s\\u0085\\u0000][^\\u0000]*$");
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    for blank in ["\u{a0}", "\u{c}", "\u{85}\u{feff}"] {
        let res = app
            .post(
                "/v1/participants",
                Some(json!({"meeting_url_code": code, "name": blank})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{blank:?}");
    }
}

#[tokio::test]
async fn text_with_a_nul_character_is_422_on_every_backend_and_changes_nothing() {
    // Given a meeting with a title and a participant
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "회의"}))
        .await;
    // When a title, a location or a name holds U+0000 (which PostgreSQL cannot store)
    for (path, body, field) in [
        (
            format!("/v1/meetings/{code}/title"),
            json!({"title": "a\u{0}b"}),
            "title",
        ),
        (
            format!("/v1/meetings/{code}/location"),
            json!({"location": "\u{0}"}),
            "location",
        ),
    ] {
        let (status, body) = status_json(app.patch(&path, body).await).await;
        // Then it is refused naming the field, as the documented pattern says
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["detail"][0]["type"], "string_pattern_mismatch");
        assert_eq!(body["detail"][0]["loc"], json!(["body", field]));
    }
    let (status, body) = status_json(
        app.post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "민\u{0}지"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "name"]));
    // And nothing changed
    let meeting = app.meeting(&code).await;
    assert_eq!(
        (meeting["title"].as_str(), meeting["location"].as_str()),
        (Some("회의"), Some(""))
    );
    assert_eq!(meeting["participants"], json!([]));
}
