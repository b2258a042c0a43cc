//! Issue 23's calendar feed: `calendar.ics`, subscribed to by calendar apps. Candidates as
//! tentative events until the organiser settles, then the settled event alone.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The feed's properties (unfolded, keyed by name without parameters), and its events'.
struct Feed {
    calendar: HashMap<String, String>,
    events: Vec<HashMap<String, String>>,
}

fn parse(text: &str) -> Feed {
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.ends_with("END:VCALENDAR\r\n"), "{text}");
    let mut feed = Feed {
        calendar: HashMap::new(),
        events: Vec::new(),
    };
    let mut event: Option<HashMap<String, String>> = None;
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').unwrap();
        let name = name.split(';').next().unwrap().to_owned();
        match (name.as_str(), value) {
            ("BEGIN", "VEVENT") => event = Some(HashMap::new()),
            ("END", "VEVENT") => feed.events.push(event.take().unwrap()),
            _ => match &mut event {
                Some(e) => {
                    e.insert(name, value.to_owned());
                }
                None => {
                    feed.calendar.insert(name, value.to_owned());
                }
            },
        }
    }
    feed
}

async fn feed(app: &TestApp, code: &str, query: &str) -> Feed {
    let res = app.get(&format!("/v1/meetings/{code}/calendar.ics{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    parse(&res.text().await.unwrap())
}

fn column<'a>(events: &'a [HashMap<String, String>], name: &str) -> Vec<&'a str> {
    events.iter().map(|e| e[name].as_str()).collect()
}

const WEEK: (&str, &str) = ("2025-03-03", "2025-03-09");

/// Kim free Mon–Thu, Lee Wed–Sun, Park Wed–Fri of the week of 2025-03-03.
async fn week(app: &TestApp) -> (String, String, Vec<i64>) {
    answered(
        app,
        WEEK.0,
        WEEK.1,
        &[
            ("Kim", &["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"]),
            (
                "Lee",
                &["2025-03-05", "2025-03-06", "2025-03-07", "2025-03-08", "2025-03-09"],
            ),
            ("Park", &["2025-03-05", "2025-03-06", "2025-03-07"]),
        ],
    )
    .await
}

#[tokio::test]
async fn before_a_date_is_settled_the_feed_lists_the_best_days_as_tentative_events() {
    // Given a week answered by three people, titled
    let app = spawn_app().await;
    let (code, _, _) = week(&app).await;
    app.patch(
        &format!("/v1/meetings/{code}/title"),
        json!({"title": "Retreat, spring"}),
    )
    .await;
    // When the feed is read
    let feed = feed(&app, &code, "").await;
    // Then it is a named calendar that asks to be refreshed
    assert_eq!(feed.calendar["VERSION"], "2.0");
    assert_eq!(feed.calendar["X-WR-CALNAME"], "Retreat\\, spring");
    assert_eq!(feed.calendar["REFRESH-INTERVAL"], "PT1H");
    // And it holds the best three days in rank order (Wed and Thu: all three; Fri: two),
    // each an all-day tentative event that does not block time
    assert_eq!(column(&feed.events, "DTSTART"), ["20250305", "20250306", "20250307"]);
    assert_eq!(column(&feed.events, "DTEND"), ["20250306", "20250307", "20250308"]);
    assert_eq!(column(&feed.events, "STATUS"), ["TENTATIVE"; 3]);
    assert_eq!(column(&feed.events, "TRANSP"), ["TRANSPARENT"; 3]);
    assert_eq!(
        feed.events[0]["SUMMARY"],
        "Retreat\\, spring (candidate 1: 3 of 3 free)"
    );
    assert_eq!(
        feed.events[2]["SUMMARY"],
        "Retreat\\, spring (candidate 3: 2 of 3 free)"
    );
    assert!(feed.events[0]["URL"].ends_with(&format!("/m/{code}")));
    // And each candidate has its own UID
    let uids = column(&feed.events, "UID");
    assert_eq!(uids[0], format!("{code}-20250305@meetifyr"));
    assert_ne!(uids[0], uids[1]);
}

#[tokio::test]
async fn a_candidate_keeps_its_uid_while_answers_change_and_its_sequence_rises() {
    // Given the feed of an answered week
    let app = spawn_app().await;
    let (code, _, ids) = week(&app).await;
    let before = feed(&app, &code, "").await;
    // When Park is busy on Wednesday
    let res = app
        .put_availability(
            ids[2],
            json!({"meeting_url_code": code, "free": ["2025-03-06", "2025-03-07"], "starred": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after = feed(&app, &code, "").await;
    // Then Thursday leads, Wednesday follows with the same UID and two free, at a higher SEQUENCE
    assert_eq!(column(&after.events, "DTSTART")[..2], ["20250306", "20250305"]);
    let wednesday = |f: &Feed| f.events.iter().find(|e| e["DTSTART"] == "20250305").cloned().unwrap();
    assert_eq!(wednesday(&after)["UID"], wednesday(&before)["UID"]);
    assert!(wednesday(&after)["SUMMARY"].ends_with("2 of 3 free)"));
    let sequence = |e: &HashMap<String, String>| e["SEQUENCE"].parse::<i64>().unwrap();
    assert!(sequence(&wednesday(&after)) > sequence(&wednesday(&before)));
}

#[tokio::test]
async fn once_settled_the_feed_holds_the_settled_event_alone_and_it_moves_as_one_event() {
    // Given an answered week
    let app = spawn_app().await;
    let (code, key, _) = week(&app).await;
    let settle = |date: &'static str| {
        let (app, code, key) = (&app, &code, &key);
        async move {
            let path = format!("/v1/meetings/{code}/final_date");
            let res = as_organiser(app, Method::PUT, &path, Some(key), Some(json!({"date": date}))).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    // When the organiser settles on Thursday
    settle("2025-03-06").await;
    let first = feed(&app, &code, "").await;
    // Then the candidates are gone and the one event is confirmed, with event.ics's UID
    assert_eq!(first.events.len(), 1);
    let event = &first.events[0];
    assert_eq!(event["STATUS"], "CONFIRMED");
    assert_eq!(event["DTSTART"], "20250306");
    let file = app
        .get(&format!("/v1/meetings/{code}/event.ics"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(parse(&file).events[0]["UID"], event["UID"]);
    assert_eq!(event["UID"], format!("{code}@meetifyr"));
    // When it is moved to Friday
    settle("2025-03-07").await;
    let moved = feed(&app, &code, "").await;
    // Then it is the same event, later in its sequence
    assert_eq!(moved.events.len(), 1);
    assert_eq!(moved.events[0]["UID"], event["UID"]);
    assert_eq!(moved.events[0]["DTSTART"], "20250307");
    let sequence = |e: &HashMap<String, String>| e["SEQUENCE"].parse::<i64>().unwrap();
    assert!(sequence(&moved.events[0]) > sequence(event));
    // And undoing it brings the candidates back
    let path = format!("/v1/meetings/{code}/final_date");
    as_organiser(&app, Method::PUT, &path, Some(&key), Some(json!({"date": null}))).await;
    assert_eq!(column(&feed(&app, &code, "").await.events, "STATUS"), ["TENTATIVE"; 3]);
}

#[tokio::test]
async fn runs_of_days_become_multi_day_candidates_in_korean_with_required_people_first() {
    // Given the week, with Kim required
    let app = spawn_app().await;
    let (code, key, ids) = week(&app).await;
    let path = format!("/v1/meetings/{code}/participants/{}/required", ids[0]);
    let res = as_organiser(&app, Method::PUT, &path, Some(&key), Some(json!({"required": true}))).await;
    assert_eq!(res.status(), StatusCode::OK);
    // When the feed is read for 2-day trips, in Korean
    let feed = feed(&app, &code, "?window=2&lang=ko").await;
    // Then Wed–Thu (everyone) leads; then the runs Kim can come to (Mon–Tue, Tue–Wed)
    // rank above Thu–Fri, where more people but not Kim are free
    assert_eq!(column(&feed.events, "DTSTART"), ["20250305", "20250303", "20250304"]);
    assert_eq!(feed.events[0]["DTEND"], "20250307");
    assert_eq!(feed.events[0]["SUMMARY"], "Meetifyr 모임 (후보 1: 3명 중 3명 가능)");
    assert!(!feed.events.iter().any(|e| e["SUMMARY"].contains("필수")));
    // And with Kim busy all week, every candidate says a required person can't come
    let res = app
        .put_availability(ids[0], json!({"meeting_url_code": code, "free": [], "starred": []}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let all_missing = crate::calendar::feed(&app, &code, "?lang=ko").await;
    assert!(!all_missing.events.is_empty());
    for e in &all_missing.events {
        assert!(e["SUMMARY"].contains("필수 참여자가 안 되는 날"), "{}", e["SUMMARY"]);
    }
}

#[tokio::test]
async fn a_meeting_nobody_answered_has_an_empty_feed() {
    // Given a meeting with a range and nobody in it, and one without a range
    let app = spawn_app().await;
    let (code, _) = organised(&app, WEEK.0, WEEK.1).await;
    let bare = app.create_meeting().await;
    // Then their feeds are calendars without events
    assert!(feed(&app, &code, "").await.events.is_empty());
    assert!(feed(&app, &bare, "").await.events.is_empty());
}

#[tokio::test]
async fn a_time_meeting_feeds_its_best_windows_as_timed_events_in_utc() {
    // Given a Seoul meeting, 09:00–12:00 in 30-minute slots, created with its key
    let app = spawn_app().await;
    let (code, key) = organised_time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "12:00",
               "slot_minutes": 30, "time_zone": "Asia/Seoul"}),
    )
    .await;
    // And two people: both free 10:00–11:00, one also 09:00–10:00
    let slots = |list: &[&str]| {
        list.iter()
            .map(|t| format!("2026-06-02T{t}:00+09:00"))
            .collect::<Vec<_>>()
    };
    for free in [slots(&["09:00", "09:30", "10:00", "10:30"]), slots(&["10:00", "10:30"])] {
        join_free(&app, &code, "p", json!(free)).await;
    }
    // When the feed is read for hour-long windows
    let feed = feed(&app, &code, "?window_minutes=60").await;
    // Then 10:00–11:00 KST (01:00–02:00 UTC) leads with both free, then the windows one has
    assert_eq!(
        column(&feed.events, "DTSTART"),
        ["20260602T010000Z", "20260602T000000Z", "20260602T003000Z"]
    );
    assert_eq!(feed.events[0]["DTEND"], "20260602T020000Z");
    assert!(feed.events[0]["SUMMARY"].ends_with("(candidate 1: 2 of 2 free)"));
    assert!(feed.events[0]["DESCRIPTION"].contains("(Asia/Seoul)"));
    assert_eq!(feed.events[0]["UID"], format!("{code}-20260602T010000Z@meetifyr"));
    // When the organiser settles on 10:00 for an hour
    let path = format!("/v1/meetings/{code}/final_slot");
    let body = json!({"start": "2026-06-02T10:00:00+09:00", "minutes": 60});
    let res = as_organiser(&app, Method::PUT, &path, Some(&key), Some(body)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Then the feed holds that timed, busy event alone
    let settled = crate::calendar::feed(&app, &code, "").await;
    assert_eq!(settled.events.len(), 1);
    assert_eq!(settled.events[0]["DTSTART"], "20260602T010000Z");
    assert_eq!(settled.events[0]["STATUS"], "CONFIRMED");
    assert_eq!(settled.events[0]["TRANSP"], "OPAQUE");
}

#[tokio::test]
async fn bad_feed_parameters_get_a_422_naming_them() {
    // Given a day meeting and a time meeting
    let app = spawn_app().await;
    let (days, _) = organised(&app, WEEK.0, WEEK.1).await;
    let times = time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "12:00",
               "slot_minutes": 30, "time_zone": "Asia/Seoul"}),
    )
    .await;
    for (code, query, field) in [
        (&days, "lang=fr", "lang"),
        (&days, "lang=en&lang=ko", "lang"),
        (&days, "window=0", "window"),
        (&days, "window=8", "window"),
        (&days, "window=two", "window"),
        (&days, "window_minutes=60", "window_minutes"),
        (&times, "window=2", "window"),
        (&times, "window_minutes=45", "window_minutes"),
    ] {
        // When the feed is asked for with it
        let res = app.get(&format!("/v1/meetings/{code}/calendar.ics?{query}")).await;
        let (status, body) = status_json(res).await;
        // Then a 422 names the parameter
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", field]), "{query}: {body}");
    }
    // And an unknown meeting is not found
    let (status, body) = status_json(app.get("/v1/meetings/Nope1234/calendar.ics").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().is_some(), "{body}");
}
