//! `PUT /participants/{id}/availability`: a whole answer in one call.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_answer_replaces_every_day_at_once_and_returns_the_meeting() {
    // Given a participant free on all four days
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-04").await;
    let p = app.add_participant(&code, "민지").await["participant_id"]
        .as_i64()
        .unwrap();
    // When one stroke says: free on the 2nd and 4th, starring the 4th
    let res = app
        .put_availability(
            p,
            json!({"meeting_url_code": code, "free": ["2025-12-04", "2025-12-02"], "starred": ["2025-12-04"]}),
        )
        .await;
    // Then the response is the meeting, as the toggles return it, with the new answer
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected = vec![
        ("2025-12-01".to_owned(), false, false),
        ("2025-12-02".to_owned(), true, false),
        ("2025-12-03".to_owned(), false, false),
        ("2025-12-04".to_owned(), true, true),
    ];
    assert_eq!(answer(&body, p), expected);
    assert_eq!(body["best_dates"], json!(["2025-12-04", "2025-12-02", "2025-12-01"]));
    // And GET agrees, at the same version
    let get = app.get(&format!("/v1/meetings/{code}")).await;
    assert_eq!(get.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(answer(&get.json().await.unwrap(), p), expected);
    // And `starred` may be left out: no stars
    let (status, body) = status_json(
        app.put_availability(p, json!({"meeting_url_code": code, "free": []}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer(&body, p).iter().all(|(_, free, star)| !free && !star));
}

#[tokio::test]
async fn an_invalid_answer_is_422_naming_each_item_and_changes_nothing() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let p = app.add_participant(&code, "p").await["participant_id"]
        .as_i64()
        .unwrap();
    let before = app.meeting(&code).await;
    let cases = [
        (
            json!({"meeting_url_code": code, "free": ["2025-12-01", "2025-12-01"]}),
            json!(["body", "free", 1]),
        ),
        (
            json!({"meeting_url_code": code, "free": ["2025-12-01"], "starred": ["2025-12-02"]}),
            json!(["body", "starred", 0]),
        ),
        (
            json!({"meeting_url_code": code, "free": ["2025-12-01", "2025-12-04"]}),
            json!(["body", "free", 1]),
        ),
        (
            json!({"meeting_url_code": code, "free": ["2025-12-01", "12/02/2025"]}),
            json!(["body", "free", 1]),
        ),
        (
            json!({"meeting_url_code": code, "free": "2025-12-01"}),
            json!(["body", "free"]),
        ),
        (json!({"meeting_url_code": code}), json!(["body", "free"])),
    ];
    for (body, loc) in cases {
        let (status, error) = status_json(app.put_availability(p, body.clone()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {error}");
        let first = &error["detail"][0];
        assert_eq!(first["loc"], loc, "{body} → {error}");
        assert!(first["msg"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let many: Vec<String> = (0..64).map(|_| "2025-12-01".to_owned()).collect();
    let (status, error) = status_json(
        app.put_availability(p, json!({"meeting_url_code": code, "free": many}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["detail"][0]["type"], "too_long");
    assert_eq!(app.meeting(&code).await, before, "nothing applied");
}

#[tokio::test]
async fn an_answer_for_an_unknown_meeting_or_participant_is_404() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let other = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let p = app.add_participant(&code, "p").await["participant_id"]
        .as_i64()
        .unwrap();
    let free = json!(["2025-12-01"]);
    let (status, body) = status_json(
        app.put_availability(p, json!({"meeting_url_code": "nosuch", "free": free}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "meeting with url_code: nosuch not found"})
        )
    );
    let (status, body) = status_json(
        app.put_availability(p, json!({"meeting_url_code": other, "free": free}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": format!("participant with id: {p} not found")})
        )
    );
    let (status, _) = status_json(
        app.put_availability(987_654, json!({"meeting_url_code": code, "free": free}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let fresh = app.create_meeting().await;
    let (status, body) = status_json(
        app.put_availability(p, json!({"meeting_url_code": fresh, "free": free}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"detail": "start and end should be set."})
        )
    );
}

#[tokio::test]
async fn get_carries_the_version_as_etag_and_answers_304_until_a_write() {
    // Given a meeting and its ETag
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let path = format!("/v1/meetings/{code}");
    let first = app.get(&path).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
    // When it is sent back unchanged, Then 304 with no body (also weak, or within a list)
    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"x\", {etag}"),
        "*".to_owned(),
    ] {
        let res = app
            .client
            .get(app.url(&path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{tag}");
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
        assert!(res.bytes().await.unwrap().is_empty());
    }
    // When anything is written, Then the old tag gets the new body and a new tag
    let p = app.add_participant(&code, "p").await;
    let res = app
        .client
        .get(app.url(&path))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let newer = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(newer, etag);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["participants"][0]["id"], p["participant_id"]);
    // And every later write moves it again
    let mut last: i64 = newer.trim_matches('"').parse().unwrap();
    let day = date_id(&p, "2025-12-02");
    for write in ["title", "toggle", "delete"] {
        match write {
            "title" => {
                app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "t"}))
                    .await;
            }
            "toggle" => {
                app.toggle("off", &code, day).await;
            }
            _ => {
                app.delete(&format!("/v1/participants/{}", p["participant_id"])).await;
            }
        }
        let now: i64 = app.get(&path).await.headers()["etag"]
            .to_str()
            .unwrap()
            .trim_matches('"')
            .parse()
            .unwrap();
        assert!(now > last, "{write}: {now} <= {last}");
        last = now;
    }
}
