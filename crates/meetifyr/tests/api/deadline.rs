//! Issue 23's deadline and lock: the organiser sets when answers close; after it joining,
//! answering and leaving get 423 until the organiser reopens. The server's clock is pinned.

use meetifyr_api::ApiOptions;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// A server whose clock stands at `now` (RFC 3339).
async fn app_at(now: &str) -> TestApp {
    let options = ApiOptions {
        clock: meetifyr_api::Clock::Fixed(now.parse().unwrap()),
        ..ApiOptions::default()
    };
    spawn_app_with_options(&[("main", backend())], &options).await
}

async fn set_deadline(app: &TestApp, code: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    let path = format!("/v1/meetings/{code}/deadline");
    status_json(as_organiser(app, Method::PUT, &path, key, Some(body)).await).await
}

async fn join(app: &TestApp, code: &str, name: &str) -> (StatusCode, Value) {
    status_json(
        app.post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": name})),
        )
        .await,
    )
    .await
}

const NOW: &str = "2026-12-10T08:00:00Z";

#[tokio::test]
async fn after_its_deadline_a_meeting_refuses_answers_with_423_until_the_organiser_reopens() {
    // Given, at 08:00 UTC, a meeting Kim joined
    let app = app_at(NOW).await;
    let (code, key) = organised(&app, "2026-12-14", "2026-12-18").await;
    let (_, kim) = join(&app, &code, "Kim").await;
    let kim_id = kim["participant_id"].as_i64().unwrap();
    let monday = kim["participant_dates"][0]["id"].as_i64().unwrap();
    // When the organiser sets the deadline at 18:00 in Seoul (09:00 UTC)
    let (status, m) = set_deadline(
        &app,
        &code,
        Some(&key),
        json!({"deadline": "2026-12-10T18:00", "time_zone": "Asia/Seoul"}),
    )
    .await;
    // Then GET shows it in Seoul, when answers close, and that they are still open
    assert_eq!(status, StatusCode::OK, "{m}");
    let m = app.meeting(&code).await;
    assert_eq!(m["deadline"], "2026-12-10T18:00:00+09:00");
    assert_eq!(m["deadline_time_zone"], "Asia/Seoul");
    assert_eq!(m["answers_close_at"], "2026-12-10T09:00:00Z");
    assert_eq!(m["answers_open"], true);
    assert_eq!(app.toggle("off", &code, monday).await.status(), StatusCode::OK);
    // When it is moved to 07:59 UTC, already past
    let (status, m) = set_deadline(&app, &code, Some(&key), json!({"deadline": "2026-12-10T07:59:00Z"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["answers_open"], false);
    let res = app.get(&format!("/v1/meetings/{code}")).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.ends_with("-closed\""), "{etag}");
    // Then joining, toggling, answering and leaving get 423 with a detail, and change nothing
    let before = app.meeting(&code).await;
    let (status, body) = join(&app, &code, "Lee").await;
    assert_eq!(status, StatusCode::LOCKED, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("closed"), "{body}");
    let (status, _) = status_json(app.toggle("on", &code, monday).await).await;
    assert_eq!(status, StatusCode::LOCKED);
    let answer = json!({"meeting_url_code": code, "free": ["2026-12-14"], "starred": []});
    assert_eq!(
        app.put_availability(kim_id, answer.clone()).await.status(),
        StatusCode::LOCKED
    );
    let res = app.delete(&format!("/v1/participants/{kim_id}")).await;
    assert_eq!(res.status(), StatusCode::LOCKED);
    assert_eq!(app.meeting(&code).await, before);
    // And the page's form to join without JavaScript goes back to the page, creating no one
    let form = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = form
        .post(app.url(&format!("/m/{code}/join")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Park")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.meeting(&code).await["participants"].as_array().unwrap().len(), 1);
    // When the organiser reopens
    let (status, m) = set_deadline(&app, &code, Some(&key), json!({"deadline": null})).await;
    // Then answers are taken again
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (m["answers_open"].as_bool(), m["answers_close_at"].as_str()),
        (Some(true), None)
    );
    assert_eq!(app.put_availability(kim_id, answer).await.status(), StatusCode::OK);
    assert_eq!(join(&app, &code, "Lee").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_organiser_can_still_remove_someone_after_the_deadline() {
    let app = app_at(NOW).await;
    let (code, key) = organised(&app, "2026-12-14", "2026-12-18").await;
    let kim = join(&app, &code, "Kim").await.1["participant_id"].as_i64().unwrap();
    set_deadline(&app, &code, Some(&key), json!({"deadline": "now"})).await;
    assert_eq!(app.meeting(&code).await["answers_open"], false);
    let path = format!("/v1/participants/{kim}");
    let res = as_organiser(&app, Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn answers_close_after_the_last_day_anywhere_on_earth_or_in_the_zone_given() {
    // Given, at 08:00 UTC on the 10th, a meeting whose last day was the 9th
    let app = app_at(NOW).await;
    let (code, key) = organised(&app, "2026-12-07", "2026-12-09").await;
    // When it closes after its last day, with no zone
    let (status, m) = set_deadline(
        &app,
        &code,
        Some(&key),
        json!({"deadline": null, "close_after_last_day": true}),
    )
    .await;
    // Then the 9th is over only once it is over everywhere (UTC−12): still open at 08:00 UTC
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["close_after_last_day"], true);
    assert_eq!(m["answers_close_at"], "2026-12-10T12:00:00Z");
    assert_eq!(m["answers_open"], true);
    // When the zone is Seoul, Then it closed at midnight there (15:00 UTC on the 9th)
    let (_, m) = set_deadline(
        &app,
        &code,
        Some(&key),
        json!({"deadline": null, "time_zone": "Asia/Seoul", "close_after_last_day": true}),
    )
    .await;
    assert_eq!(m["answers_close_at"], "2026-12-09T15:00:00Z");
    assert_eq!(m["answers_open"], false);
    assert_eq!(join(&app, &code, "Kim").await.0, StatusCode::LOCKED);
    // And a deadline earlier than that wins
    let (_, m) = set_deadline(
        &app,
        &code,
        Some(&key),
        json!({"deadline": "2026-12-08T00:00:00Z", "close_after_last_day": true}),
    )
    .await;
    assert_eq!(m["answers_close_at"], "2026-12-08T00:00:00Z");
}

#[tokio::test]
async fn a_time_meeting_takes_a_wall_time_deadline_in_its_own_zone() {
    // Given a Berlin time meeting
    let app = app_at(NOW).await;
    let (code, key) = organised_time_meeting(
        &app,
        json!({"dates": ["2027-03-29"], "day_start": "09:00", "day_end": "12:00",
               "slot_minutes": 60, "time_zone": "Europe/Berlin"}),
    )
    .await;
    // When the deadline is a wall time without a zone
    let (status, m) = set_deadline(&app, &code, Some(&key), json!({"deadline": "2026-12-10T10:00"})).await;
    // Then it is in Berlin (UTC+1 in December): 09:00 UTC, an hour after the pinned clock
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["deadline"], "2026-12-10T10:00:00+01:00");
    assert_eq!(m["deadline_time_zone"], "Europe/Berlin");
    assert_eq!(m["answers_close_at"], "2026-12-10T09:00:00Z");
    assert_eq!(m["answers_open"], true);
    // And a time the clocks skip there (spring forward, 02:30) is refused, naming the field
    let (status, body) = set_deadline(&app, &code, Some(&key), json!({"deadline": "2027-03-28T02:30"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "deadline"]));
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("skip"), "{body}");
}

#[tokio::test]
async fn a_deadline_needs_the_key_and_a_time_that_means_one_instant() {
    let app = app_at(NOW).await;
    let (code, key) = organised(&app, "2026-12-14", "2026-12-18").await;
    let good = json!({"deadline": "2026-12-11T09:00:00Z"});
    assert_eq!(
        set_deadline(&app, &code, None, good.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        set_deadline(&app, &code, Some("wrong"), good.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    for (bad, field) in [
        (json!({"deadline": "tomorrow"}), "deadline"),
        (json!({"deadline": "2026-12-11T09:00"}), "deadline"),
        (json!({"deadline": 5}), "deadline"),
        (json!({}), "deadline"),
        (json!({"deadline": null, "time_zone": "Mars/Olympus"}), "time_zone"),
        (
            json!({"deadline": null, "close_after_last_day": "yes"}),
            "close_after_last_day",
        ),
    ] {
        let (status, body) = set_deadline(&app, &code, Some(&key), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["body", field]), "{bad}: {body}");
    }
    // Nothing was set by the refusals
    assert_eq!(app.meeting(&code).await["deadline"], Value::Null);
    let (status, _) = set_deadline(&app, "Nope1234", Some(&key), good).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
