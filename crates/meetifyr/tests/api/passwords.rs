//! Participants who protect their answer with a password.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A meeting of two days with one protected participant ("s3cret"); its code and creation.
async fn protected(app: &TestApp) -> (String, Value) {
    let code = app.meeting_with_range("2026-12-01", "2026-12-02").await;
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "Kim", "password": "s3cret"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (code, res.json().await.unwrap())
}

fn id(created: &Value) -> i64 {
    created["participant_id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_protected_answer_changes_only_with_its_password() {
    // Given a protected participant, shown as protected
    let app = spawn_app_unlimited().await;
    let (code, kim) = protected(&app).await;
    let meeting = app.meeting(&code).await;
    assert_eq!(meeting["participants"][0]["protected"], true);
    assert!(!meeting.to_string().contains("argon2"), "no hash is ever shown");
    let day = date_id(&kim, "2026-12-01");
    let busy = json!({"meeting_url_code": code, "free": []});
    // When written without the password, or with a wrong one: 403 with a detail, nothing changes
    for res in [
        app.toggle("off", &code, day).await,
        app.put_availability(id(&kim), busy.clone()).await,
        app.patch(
            "/v1/participant_dates/off",
            json!({"participant_date_id": day, "meeting_url_code": code, "password": "guess"}),
        )
        .await,
        app.delete(&format!("/v1/participants/{}", id(&kim))).await,
    ] {
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["detail"].as_str().unwrap().contains("password"), "{body}");
    }
    assert_eq!(app.meeting(&code).await, meeting);
    // When the password comes in the body, or in the header, Then the writes apply
    let res = app
        .patch(
            "/v1/participant_dates/off",
            json!({"participant_date_id": day, "meeting_url_code": code, "password": "s3cret"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .put(app.url(&format!("/v1/participants/{}/availability", id(&kim))))
        .header("X-Participant-Password", "s3cret")
        .json(&json!({"meeting_url_code": code, "free": ["2026-12-02"], "starred": ["2026-12-02"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        answer(&app.meeting(&code).await, id(&kim)),
        [("2026-12-01".into(), false, false), ("2026-12-02".into(), true, true)]
    );
    let res = app
        .client
        .delete(app.url(&format!("/v1/participants/{}", id(&kim))))
        .header("X-Participant-Password", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn unprotected_participants_behave_as_before_whatever_is_sent() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-12-01", "2026-12-02").await;
    let lee = app.add_participant(&code, "Lee").await;
    assert_eq!(app.meeting(&code).await["participants"][0]["protected"], false);
    let res = app
        .patch(
            "/v1/participant_dates/off",
            json!({"participant_date_id": date_id(&lee, "2026-12-01"), "meeting_url_code": code, "password": "anything"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.toggle("on", &code, date_id(&lee, "2026-12-01")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_protected_participant_of_another_meeting_is_not_found_not_forbidden() {
    let app = spawn_app().await;
    let (_, kim) = protected(&app).await;
    let other = app.meeting_with_range("2026-12-01", "2026-12-02").await;
    let (status, _) = status_json(app.toggle("off", &other, date_id(&kim, "2026-12-01")).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn passwords_are_validated_like_other_fields() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-12-01", "2026-12-02").await;
    for (password, kind) in [
        (json!(""), "string_too_short"),
        (json!("x".repeat(129)), "string_too_long"),
        (json!(5), "string_type"),
        (json!("a\u{0}b"), "string_pattern_mismatch"),
    ] {
        let body = json!({"meeting_url_code": code, "name": "n", "password": password});
        let (status, body) = status_json(app.post("/v1/participants", Some(body)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["type"], kind, "{body}");
        assert_eq!(body["detail"][0]["loc"], json!(["body", "password"]));
        assert!(!body.to_string().contains("a\\u0000b"), "the password is not echoed");
    }
    // A long Korean password is fine (128 characters)
    let body = json!({"meeting_url_code": code, "name": "n", "password": "비".repeat(128)});
    assert_eq!(app.post("/v1/participants", Some(body)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_guesses_are_limited_per_participant_and_the_right_password_still_works_after() {
    // Given the default limits (10 checks a minute per participant)
    let app = spawn_app().await;
    let (code, kim) = protected(&app).await;
    let day = date_id(&kim, "2026-12-01");
    let guess = |password: &str| {
        app.patch(
            "/v1/participant_dates/off",
            json!({"participant_date_id": day, "meeting_url_code": code, "password": password}),
        )
    };
    // When 10 wrong guesses come in (at once: each refusal takes a second), Then each is 403,
    // answered after that pause; the 11th is 429 with Retry-After
    let started = std::time::Instant::now();
    let guesses: Vec<_> = (0..10).map(|i| guess(&format!("guess {i}"))).collect();
    for (i, res) in futures::future::join_all(guesses).await.into_iter().enumerate() {
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "guess {i}");
    }
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "refusals wait");
    let res = guess("guess 10").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let (_, body) = status_json(res).await;
    assert!(body["detail"].as_str().unwrap().contains("password attempts"), "{body}");
    // And even the right password waits now (a guesser cannot tell), and nothing changed
    assert_eq!(guess("s3cret").await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(answer(&app.meeting(&code).await, id(&kim))[0].1);
    // And other participants are not held back
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "Lee", "password": "other"})),
        )
        .await;
    let lee: Value = res.json().await.unwrap();
    let res = app
        .patch(
            "/v1/participant_dates/off",
            json!({"participant_date_id": date_id(&lee, "2026-12-01"), "meeting_url_code": code, "password": "other"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // And the refusals are counted
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("meetifyr_rate_limited_total{class=\"password\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_verified_password_is_remembered_so_strokes_do_not_use_up_the_allowance() {
    // Given a protected participant
    let app = spawn_app().await;
    let (code, kim) = protected(&app).await;
    // When 30 strokes come with the right password (three times the allowance)
    for i in 0..30 {
        let free = if i % 2 == 0 { json!(["2026-12-01"]) } else { json!([]) };
        let res = app
            .put_availability(
                id(&kim),
                json!({"meeting_url_code": code, "free": free, "password": "s3cret"}),
            )
            .await;
        // Then every one applies
        assert_eq!(res.status(), StatusCode::OK, "stroke {i}");
    }
}
