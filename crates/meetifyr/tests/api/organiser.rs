//! The organiser's key: range replacement, deletion, the final date and its calendar file.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// A request with `Authorization: Bearer <key>` (or without, for `None`).
async fn as_organiser(
    app: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

fn free_days(meeting: &Value, participant: i64) -> Vec<String> {
    answer(meeting, participant)
        .into_iter()
        .filter(|(_, free, _)| *free)
        .map(|(d, _, _)| d)
        .collect()
}

#[tokio::test]
async fn the_organiser_moves_the_range_and_answers_on_remaining_days_are_kept() {
    // Given Dec 1–5 with Kim free on the 2nd and 4th (starring the 4th) and Lee free every day
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2026-12-01", "2026-12-05").await;
    let kim = app.add_participant(&code, "Kim").await["participant_id"]
        .as_i64()
        .unwrap();
    let lee = app.add_participant(&code, "Lee").await["participant_id"]
        .as_i64()
        .unwrap();
    let res = app
        .put_availability(
            kim,
            json!({"meeting_url_code": code, "free": ["2026-12-02", "2026-12-04"], "starred": ["2026-12-04"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let before: i64 = res.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    // When the organiser moves it to Dec 3–8
    let path = format!("/v1/meetings/{code}/date_range");
    let body = json!({"start_date": "2026-12-03", "end_date": "2026-12-08"});
    let res = as_organiser(&app, Method::PATCH, &path, Some(&key), Some(body)).await;
    // Then the answer shows the new range: the 4th kept (starred), the 3rd and 5th still busy,
    // the 6th–8th added free and unstarred; the version grew by exactly one
    assert_eq!(res.status(), StatusCode::OK);
    let after: i64 = res.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    assert_eq!(after, before + 1);
    let meeting: Value = res.json().await.unwrap();
    assert_eq!(
        (&meeting["start_date"], &meeting["end_date"]),
        (&json!("2026-12-03"), &json!("2026-12-08"))
    );
    assert_eq!(
        free_days(&meeting, kim),
        ["2026-12-04", "2026-12-06", "2026-12-07", "2026-12-08"]
    );
    let starred: Vec<String> = answer(&meeting, kim).into_iter().filter(|d| d.2).map(|d| d.0).collect();
    assert_eq!(starred, ["2026-12-04"]);
    assert_eq!(free_days(&meeting, lee).len(), 6);
    // And a later GET (the cache) agrees
    assert_eq!(app.meeting(&code).await, meeting);
}

#[tokio::test]
async fn a_range_change_is_checked_like_the_first_and_needs_the_right_key() {
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2026-12-01", "2026-12-05").await;
    let path = format!("/v1/meetings/{code}/date_range");
    let moved = json!({"start_date": "2026-12-10", "end_date": "2026-12-11"});
    // Without a key: the original rule (set once)
    let (status, body) = status_json(app.patch(&path, moved.clone()).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].as_str().unwrap().contains("already set"), "{body}");
    // A wrong key: 403 with a detail; another scheme: 401
    let res = as_organiser(&app, Method::PATCH, &path, Some("not-the-key"), Some(moved.clone())).await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].is_string());
    let res = app
        .client
        .patch(app.url(&path))
        .header("authorization", "Basic eDp5")
        .json(&moved)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The right key with a range over 62 days or reversed: 422, nothing changed
    for bad in [
        json!({"start_date": "2026-12-01", "end_date": "2027-02-02"}),
        json!({"start_date": "2026-12-05", "end_date": "2026-12-01"}),
    ] {
        let res = as_organiser(&app, Method::PATCH, &path, Some(&key), Some(bad)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Another meeting's key does not open this one
    let (_, other_key) = organised(&app, "2026-12-01", "2026-12-02").await;
    let res = as_organiser(&app, Method::PATCH, &path, Some(&other_key), Some(moved)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.meeting(&code).await["end_date"], "2026-12-05");
}

#[tokio::test]
async fn a_deleted_meeting_is_404_everywhere_even_after_it_was_cached_and_watched() {
    // Given a meeting with a participant, read (so cached)
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2026-12-01", "2026-12-03").await;
    let p = app.add_participant(&code, "Kim").await;
    let pid = p["participant_id"].as_i64().unwrap();
    let q: Value = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "Lee", "password": "pw"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let q_day = date_id(&q, "2026-12-01");
    assert_eq!(app.toggle("off", &code, q_day).await.status(), StatusCode::FORBIDDEN);
    app.meeting(&code).await;
    // And someone watching it live
    let mut events = app
        .client
        .get(app.url(&format!("/v1/meetings/{code}/events")))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let first = events.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("\"version\""));
    // When deleting without the key, Then 401 and it stays
    let path = format!("/v1/meetings/{code}");
    assert_eq!(app.delete(&path).await.status(), StatusCode::UNAUTHORIZED);
    let res = as_organiser(&app, Method::DELETE, &path, Some("wrong"), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.meeting(&code).await;
    // When the organiser deletes it
    let res = as_organiser(&app, Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Then the watcher hears it and its stream ends
    let mut rest = String::new();
    while let Some(chunk) = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
        .await
        .expect("the stream ends")
        .unwrap()
    {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(rest.contains("event: deleted"), "{rest}");
    // And every route answers 404: GET (cached before), ranking, export, toggles, joining
    for res in [
        app.get(&path).await,
        app.get(&format!("{path}/ranking")).await,
        app.get(&format!("{path}/export.csv")).await,
        app.get(&format!("{path}/event.ics")).await,
        app.toggle("off", &code, date_id(&p, "2026-12-01")).await,
        app.toggle("off", &code, q_day).await,
        app.post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "late"})),
        )
        .await,
        app.delete(&format!("/v1/participants/{pid}")).await,
    ] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", res.url());
    }
    let res = as_organiser(&app, Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn finalizing_shows_the_date_to_everyone_and_serves_a_calendar_file() {
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2026-12-01", "2026-12-05").await;
    app.patch(
        &format!("/v1/meetings/{code}/title"),
        json!({"title": "송년회; \"A, B\""}),
    )
    .await;
    app.patch(
        &format!("/v1/meetings/{code}/location"),
        json!({"location": "강남역 2번 출구"}),
    )
    .await;
    let path = format!("/v1/meetings/{code}/final_date");
    let ics = format!("/v1/meetings/{code}/event.ics");
    // Before: null, and no calendar file
    assert_eq!(app.meeting(&code).await["final_date"], Value::Null);
    assert_eq!(app.get(&ics).await.status(), StatusCode::NOT_FOUND);
    // Only the organiser may finalize, and only on a day of the range
    let day = json!({"date": "2026-12-04"});
    assert_eq!(
        as_organiser(&app, Method::PUT, &path, None, Some(day.clone()))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        as_organiser(&app, Method::PUT, &path, Some("x"), Some(day.clone()))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    for bad in [json!({"date": "2026-12-06"}), json!({"date": "12/04"}), json!({})] {
        let res = as_organiser(&app, Method::PUT, &path, Some(&key), Some(bad.clone())).await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    // When the organiser settles on the 4th
    let (status, meeting) = status_json(as_organiser(&app, Method::PUT, &path, Some(&key), Some(day)).await).await;
    // Then everyone sees it, and the calendar file is an all-day event on it
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meeting["final_date"], "2026-12-04");
    assert_eq!(app.meeting(&code).await["final_date"], "2026-12-04");
    let res = app.get(&ics).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    let unfolded = text.replace("\r\n ", "");
    for line in [
        "DTSTART;VALUE=DATE:20261204",
        "DTEND;VALUE=DATE:20261205",
        "SUMMARY:송년회\\; \"A\\, B\"",
        "LOCATION:강남역 2번 출구",
        &format!("UID:{code}@meetifyr"),
    ] {
        assert!(unfolded.contains(&format!("{line}\r\n")), "{line} in {unfolded}");
    }
    assert!(unfolded.contains(&format!("/m/{code}")), "the link");
    // And null undoes it
    let res = as_organiser(&app, Method::PUT, &path, Some(&key), Some(json!({"date": null}))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.meeting(&code).await["final_date"], Value::Null);
    assert_eq!(app.get(&ics).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_organiser_may_remove_a_protected_participant() {
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2026-12-01", "2026-12-02").await;
    let res = app
        .post(
            "/v1/participants",
            Some(json!({"meeting_url_code": code, "name": "spam", "password": "hunter2"})),
        )
        .await;
    let pid = res.json::<Value>().await.unwrap()["participant_id"].as_i64().unwrap();
    let path = format!("/v1/participants/{pid}");
    assert_eq!(app.delete(&path).await.status(), StatusCode::FORBIDDEN);
    let res = as_organiser(&app, Method::DELETE, &path, Some("wrong"), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = as_organiser(&app, Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(app.meeting(&code).await["participants"].as_array().unwrap().is_empty());
}
