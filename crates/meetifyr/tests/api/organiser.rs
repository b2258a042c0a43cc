//! The organiser's key: range replacement, deletion, the final date and its calendar file.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

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

#[tokio::test]
async fn the_organiser_duplicates_a_meeting_a_week_later_with_the_names_but_no_answers() {
    // Given a titled week where Kim answered (free on Monday only) and Lee is required
    let app = spawn_app().await;
    let (code, key, ids) = answered(
        &app,
        "2025-03-03",
        "2025-03-09",
        &[("Kim", &["2025-03-03"]), ("Lee", &[])],
    )
    .await;
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "Weekly lunch"}))
        .await;
    let required = format!("/v1/meetings/{code}/participants/{}/required", ids[1]);
    as_organiser(
        &app,
        Method::PUT,
        &required,
        Some(&key),
        Some(json!({"required": true})),
    )
    .await;
    let path = format!("/v1/meetings/{code}/duplicate");
    // When the organiser duplicates it one week later
    let res = as_organiser(&app, Method::POST, &path, Some(&key), Some(json!({"shift_weeks": 1}))).await;
    let (status, created) = status_json(res).await;
    // Then a new meeting comes back with its own organiser key
    assert_eq!(status, StatusCode::OK, "{created}");
    let copy = created["url_code"].as_str().unwrap();
    let copy_key = created["organiser_key"].as_str().unwrap();
    assert_ne!(copy, code);
    assert_ne!(copy_key, key);
    // And it has the next week, the title and both names, Lee still required, nobody answered
    let m = app.meeting(copy).await;
    assert_eq!(
        (m["start_date"].as_str(), m["end_date"].as_str()),
        (Some("2025-03-10"), Some("2025-03-16"))
    );
    assert_eq!(m["title"], "Weekly lunch");
    let people: Vec<_> = m["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["required"].as_bool().unwrap()))
        .collect();
    assert_eq!(people, [("Kim".to_owned(), false), ("Lee".to_owned(), true)]);
    let kim = m["participants"][0]["id"].as_i64().unwrap();
    assert!(answer(&m, kim).iter().all(|(_, free, starred)| *free && !*starred));
    // And its key works on it, not on the original's
    let final_date = |c: &str| format!("/v1/meetings/{c}/final_date");
    let day = json!({"date": "2025-03-12"});
    let res = as_organiser(&app, Method::PUT, &final_date(copy), Some(copy_key), Some(day.clone())).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = as_organiser(&app, Method::PUT, &final_date(&code), Some(copy_key), Some(day)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // And the original still has Kim's answer
    let original = app.meeting(&code).await;
    assert_eq!(free_days(&original, ids[0]), ["2025-03-03"]);
}

#[tokio::test]
async fn duplicating_needs_the_key_and_a_whole_number_of_weeks() {
    let app = spawn_app().await;
    let (code, key) = organised(&app, "2025-03-03", "2025-03-09").await;
    let path = format!("/v1/meetings/{code}/duplicate");
    let week = Some(json!({"shift_weeks": 1}));
    // Without the key, or with a wrong one, it is refused
    let res = as_organiser(&app, Method::POST, &path, None, week.clone()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = as_organiser(&app, Method::POST, &path, Some("wrong"), week.clone()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A shift that is not a whole number of weeks within ten years is a 422 naming it
    for bad in [
        json!({}),
        json!({"shift_weeks": 1.5}),
        json!({"shift_weeks": "x"}),
        json!({"shift_weeks": 521}),
        json!({"shift_weeks": -521}),
    ] {
        let res = as_organiser(&app, Method::POST, &path, Some(&key), Some(bad.clone())).await;
        let (status, body) = status_json(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(
            body["detail"][0]["loc"],
            json!(["body", "shift_weeks"]),
            "{bad}: {body}"
        );
    }
    // An unknown meeting is not found
    let res = as_organiser(&app, Method::POST, "/v1/meetings/Nope1234/duplicate", Some(&key), week).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
