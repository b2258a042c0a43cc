//! Meetings over times of day: created with a grid in a time zone, answered with slot start
//! times, ranked by slots and windows. Dates are fixed (no test reads today's date).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn starts(meeting: &Value) -> Vec<Value> {
    meeting["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].clone())
        .collect()
}

fn person(meeting: &Value, id: i64) -> &Value {
    meeting["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn a_time_meeting_lists_its_slots_in_its_zone_with_the_dst_gap_marked() {
    // Given a meeting over Berlin's spring-forward Sunday and the Monday after, 01:00 to 04:00
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-03-30", "2026-03-29"], "day_start": "01:00", "day_end": "04:00",
               "slot_minutes": 60, "time_zone": "Europe/Berlin"}),
    )
    .await;
    // When it is read
    let m = app.meeting(&code).await;
    // Then it says what it is, with its grid as created (dates in order)
    assert_eq!(m["kind"], "times");
    assert_eq!(m["start_date"], Value::Null);
    assert_eq!(
        m["time_grid"],
        json!({"dates": ["2026-03-29", "2026-03-30"], "day_start": "01:00", "day_end": "04:00",
               "slot_minutes": 60, "time_zone": "Europe/Berlin"})
    );
    // And its slots: 02:00 does not exist on the Sunday, and the offset changes after it
    assert_eq!(
        starts(&m),
        vec![
            json!("2026-03-29T01:00:00+01:00"),
            Value::Null,
            json!("2026-03-29T03:00:00+02:00"),
            json!("2026-03-30T01:00:00+02:00"),
            json!("2026-03-30T02:00:00+02:00"),
            json!("2026-03-30T03:00:00+02:00"),
        ]
    );
    assert_eq!(
        m["slots"][1],
        json!({"date": "2026-03-29", "time": "02:00", "gap": true})
    );
    assert_eq!(m["slots"][2]["utc"], "2026-03-29T01:00:00Z");
    assert_eq!(m["best_slots"], json!([]));
}

#[tokio::test]
async fn new_yorks_repeated_hour_is_two_slots_one_per_instant() {
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"start_date": "2026-11-01", "end_date": "2026-11-01", "day_start": "00:00",
               "day_end": "03:00", "slot_minutes": 60, "time_zone": "America/New_York"}),
    )
    .await;
    let m = app.meeting(&code).await;
    assert_eq!(
        starts(&m),
        vec![
            json!("2026-11-01T00:00:00-04:00"),
            json!("2026-11-01T01:00:00-04:00"),
            json!("2026-11-01T01:00:00-05:00"),
            json!("2026-11-01T02:00:00-05:00"),
        ]
    );
    let times: Vec<&str> = m["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["start"].as_str().unwrap()[11..16])
        .collect();
    // (a slot's start is its wall time there: 01:00 twice, at two offsets)
    assert_eq!(times, ["00:00", "01:00", "01:00", "02:00"]);
}

#[tokio::test]
async fn slots_are_answered_by_their_start_in_any_offset_and_read_back_in_the_meetings() {
    // Given a Seoul meeting of 30-minute slots and two participants
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "12:00",
               "slot_minutes": 30, "time_zone": "Asia/Seoul"}),
    )
    .await;
    let a = app.add_participant(&code, "민지").await;
    assert_eq!(a["participant_dates"], json!([]));
    let a = a["participant_id"].as_i64().unwrap();
    let b = app.add_participant(&code, "Sam").await["participant_id"]
        .as_i64()
        .unwrap();
    // When one answers in Seoul time, the other in UTC for the same 10:00 and 10:30
    let res = app
        .put_availability(
            a,
            json!({"meeting_url_code": code,
                   "free": ["2026-06-02T10:00:00+09:00", "2026-06-02T10:30:00+09:00", "2026-06-02T11:00:00+09:00"],
                   "starred": ["2026-06-02T10:30:00+09:00"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, m) = status_json(
        app.put_availability(
            b,
            json!({"meeting_url_code": code, "free": ["2026-06-02T01:00:00Z", "2026-06-02T01:30:00Z"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    // Then each reads back as indices into `slots` (09:00 is 0, 10:00 is 2), whatever offset
    // it was sent in, and the best slots are the shared ones, the starred first
    assert_eq!(person(&m, a)["free"], json!([2, 3, 4]));
    assert_eq!(m["slots"][3]["start"], "2026-06-02T10:30:00+09:00");
    assert_eq!(person(&m, a)["starred"], json!([3]));
    assert_eq!(person(&m, b)["free"], json!([2, 3]));
    assert_eq!(
        m["best_slots"],
        json!([
            "2026-06-02T10:30:00+09:00",
            "2026-06-02T10:00:00+09:00",
            "2026-06-02T11:00:00+09:00"
        ])
    );
    // And GET agrees
    assert_eq!(app.meeting(&code).await, m);
}

#[tokio::test]
async fn windows_of_a_given_length_rank_by_who_is_free_for_all_of_it() {
    // Given 09:00 to 12:00 in 30-minute slots; a free 09:00–10:30, b free 09:30–11:00
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "12:00",
               "slot_minutes": 30, "time_zone": "Asia/Seoul"}),
    )
    .await;
    let a = app.add_participant(&code, "a").await["participant_id"]
        .as_i64()
        .unwrap();
    let b = app.add_participant(&code, "b").await["participant_id"]
        .as_i64()
        .unwrap();
    let at = |t: &str| format!("2026-06-02T{t}:00+09:00");
    for (id, free) in [(a, ["09:00", "09:30", "10:00"]), (b, ["09:30", "10:00", "10:30"])] {
        let free: Vec<String> = free.iter().map(|t| at(t)).collect();
        let res = app
            .put_availability(id, json!({"meeting_url_code": code, "free": free}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // When the 60-minute windows are asked for
    let (status, r) = status_json(app.get(&format!("/v1/meetings/{code}/ranking?window_minutes=60")).await).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    // Then 09:30–10:30 has both, then 09:00–10:00 and 10:00–11:00 one each, earliest first
    assert_eq!(r["window_minutes"], 60);
    let w = r["windows"].as_array().unwrap();
    assert_eq!(w.len(), 5, "09:00 to 11:00 can start an hour");
    assert_eq!(
        w[0],
        json!({"start": at("09:30"), "end": at("10:30"), "date": "2026-06-02", "start_time": "09:30",
               "end_time": "10:30", "free": 2, "starred": 0,
               "free_participants": [{"id": a, "name": "a"}, {"id": b, "name": "b"}]})
    );
    let order: Vec<(&str, i64)> = w
        .iter()
        .map(|w| (w["start_time"].as_str().unwrap(), w["free"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        order,
        [("09:30", 2), ("09:00", 1), ("10:00", 1), ("10:30", 0), ("11:00", 0)]
    );
    assert_eq!(r["days"], json!([]));
    // And a window length off the slot grid or longer than the day is refused
    for bad in ["45", "240", "0", "x", "60&window_minutes=30"] {
        let res = app
            .get(&format!("/v1/meetings/{code}/ranking?window_minutes={bad}"))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn a_bad_slot_is_422_naming_it_and_changes_nothing() {
    // Given Berlin's spring-forward day from 01:00 to 04:00 in 30-minute slots
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-03-29"], "day_start": "01:00", "day_end": "04:00",
               "slot_minutes": 30, "time_zone": "Europe/Berlin"}),
    )
    .await;
    let p = app.add_participant(&code, "p").await["participant_id"]
        .as_i64()
        .unwrap();
    let before = app.meeting(&code).await;
    let cases = [
        // in the gap, as a Berliner would write it
        (
            json!(["2026-03-29T02:30:00+01:00"]),
            json!([]),
            json!(["body", "free", 0]),
            "gap",
        ),
        // between two slots
        (
            json!(["2026-03-29T01:00:00+01:00", "2026-03-29T01:10:00+01:00"]),
            json!([]),
            json!(["body", "free", 1]),
            "slot grid",
        ),
        // after the day's window, and another day
        (
            json!(["2026-03-29T04:00:00+02:00"]),
            json!([]),
            json!(["body", "free", 0]),
            "not one of",
        ),
        (
            json!(["2026-03-30T01:00:00+02:00"]),
            json!([]),
            json!(["body", "free", 0]),
            "not one of",
        ),
        // twice, and starred without being free
        (
            json!(["2026-03-29T01:00:00+01:00", "2026-03-29T00:00:00Z"]),
            json!([]),
            json!(["body", "free", 1]),
            "more than once",
        ),
        (
            json!(["2026-03-29T01:00:00+01:00"]),
            json!(["2026-03-29T01:30:00+01:00"]),
            json!(["body", "starred", 0]),
            "also be free",
        ),
        // no offset
        (
            json!(["2026-03-29T01:00:00"]),
            json!([]),
            json!(["body", "free", 0]),
            "RFC 3339",
        ),
    ];
    for (free, starred, loc, words) in cases {
        let (status, body) = status_json(
            app.put_availability(p, json!({"meeting_url_code": code, "free": free, "starred": starred}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{free} {body}");
        assert_eq!(body["detail"][0]["loc"], loc, "{body}");
        assert!(body["detail"][0]["msg"].as_str().unwrap().contains(words), "{body}");
    }
    // Dates are not an answer to a time meeting
    let (status, body) = status_json(
        app.put_availability(p, json!({"meeting_url_code": code, "free": ["2026-03-29"]}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].as_str().unwrap().contains("times of day"), "{body}");
    assert_eq!(app.meeting(&code).await, before);
}

#[tokio::test]
async fn day_routes_refuse_a_time_meeting_and_times_are_refused_by_a_day_meeting() {
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "10:00",
               "slot_minutes": 60, "time_zone": "UTC"}),
    )
    .await;
    let res = app
        .patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": "2026-06-01", "end_date": "2026-06-03"}),
        )
        .await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].as_str().unwrap().contains("times of day"), "{body}");
    // An empty answer is fine for either kind
    let p = app.add_participant(&code, "p").await["participant_id"]
        .as_i64()
        .unwrap();
    let res = app
        .put_availability(p, json!({"meeting_url_code": code, "free": []}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A day meeting refuses slot times
    let days = app.meeting_with_range("2026-06-01", "2026-06-03").await;
    let q = app.add_participant(&days, "q").await["participant_id"]
        .as_i64()
        .unwrap();
    let (status, body) = status_json(
        app.put_availability(q, json!({"meeting_url_code": days, "free": ["2026-06-02T09:00:00Z"]}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].as_str().unwrap().contains("whole days"), "{body}");
    // And a day meeting has no windows of minutes
    let res = app.get(&format!("/v1/meetings/{days}/ranking?window_minutes=60")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_grid_that_is_not_valid_is_422_naming_the_field() {
    let app = spawn_app().await;
    let good = json!({"kind": "times", "dates": ["2026-06-02"], "day_start": "09:00", "day_end": "18:00",
                      "slot_minutes": 30, "time_zone": "Asia/Seoul"});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let many: Vec<String> = (1..=64).map(|i| format!("2026-01-{:02}", i.min(31))).collect();
    let cases = [
        (with("time_zone", json!("Asia/Tokio")), "time_zone"),
        (with("slot_minutes", json!(20)), "slot_minutes"),
        (with("day_start", json!("09:15")), "day_start"),
        (with("day_end", json!("25:00")), "day_end"),
        (with("day_start", json!("19:00")), "day_start"),
        (with("dates", json!(many)), "dates"),
        (with("dates", json!([])), "dates"),
        (with("kind", json!("hours")), "kind"),
        // a grid's field without `kind: times` is a mistake, not a day meeting
        (json!({"slot_minutes": 30, "time_zone": "UTC"}), "slot_minutes"),
        (
            json!({"kind": "times", "day_start": "09:00", "day_end": "18:00", "slot_minutes": 30,
                "time_zone": "UTC", "start_date": "2026-01-01", "end_date": "2026-03-10"}),
            "end_date",
        ),
    ];
    for (body, field) in cases {
        let (status, res) = status_json(app.post("/v1/meetings", Some(body.clone())).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {res}");
        assert!(
            res["detail"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["loc"] == json!(["body", field])),
            "{body}: {res}"
        );
    }
    // And no body, `{}` or `{"kind": "days"}` still make a day meeting
    for body in [None, Some(json!({})), Some(json!({"kind": "days"}))] {
        let (status, created) = status_json(app.post("/v1/meetings", body).await).await;
        assert_eq!(status, StatusCode::OK);
        let m = app.meeting(created["url_code"].as_str().unwrap()).await;
        assert!(m.get("kind").is_none() && m["start_date"].is_null(), "{m}");
    }
}

#[tokio::test]
async fn the_export_of_a_time_meeting_has_a_column_per_slot() {
    let app = spawn_app().await;
    let code = time_meeting(
        &app,
        json!({"dates": ["2026-06-02"], "day_start": "09:00", "day_end": "10:00",
               "slot_minutes": 30, "time_zone": "Asia/Seoul"}),
    )
    .await;
    let p = app.add_participant(&code, "kim").await["participant_id"]
        .as_i64()
        .unwrap();
    let res = app
        .put_availability(
            p,
            json!({"meeting_url_code": code, "free": ["2026-06-02T09:30:00+09:00"], "starred": ["2026-06-02T09:30:00+09:00"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = app
        .get(&format!("/v1/meetings/{code}/export.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}'),
        "name,2026-06-02T09:00:00+09:00,2026-06-02T09:30:00+09:00\nkim,busy,★\n"
    );
}

#[tokio::test]
async fn the_largest_grid_is_answered_whole_in_one_call() {
    // Given 63 days of 15-minute slots around the clock in UTC: 6,048 slots
    let app = spawn_app().await;
    let dates: Vec<String> = (0..63)
        .map(|i| (chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i)).to_string())
        .collect();
    let code = time_meeting(
        &app,
        json!({"dates": dates, "day_start": "00:00", "day_end": "24:00", "slot_minutes": 15, "time_zone": "UTC"}),
    )
    .await;
    let m = app.meeting(&code).await;
    let all: Vec<Value> = starts(&m);
    assert_eq!(all.len(), 6048);
    let p = app.add_participant(&code, "night owl").await["participant_id"]
        .as_i64()
        .unwrap();
    // When one participant is free in every one of them (about 170 KiB of body)
    let (status, m) = status_json(
        app.put_availability(p, json!({"meeting_url_code": code, "free": all}))
            .await,
    )
    .await;
    // Then it is stored whole
    assert_eq!(status, StatusCode::OK);
    assert_eq!(person(&m, p)["free"].as_array().unwrap().len(), 6048);
}

#[tokio::test]
async fn the_organiser_settles_on_a_window_and_the_invite_is_a_timed_event() {
    // Given a New York meeting on its fall-back night, created with its organiser key
    let app = spawn_app().await;
    let (status, created) = status_json(
        app.post(
            "/v1/meetings",
            Some(
                json!({"kind": "times", "dates": ["2026-11-01"], "day_start": "00:00", "day_end": "04:00",
                        "slot_minutes": 30, "time_zone": "America/New_York"}),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let code = created["url_code"].as_str().unwrap().to_owned();
    let key = created["organiser_key"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let settle = |body: Value| {
        client
            .put(app.url(&format!("/v1/meetings/{code}/final_slot")))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    // When the organiser settles on 90 minutes from the second 01:00 (EST)
    let (status, m) = status_json(
        settle(json!({"start": "2026-11-01T01:00:00-05:00", "minutes": 90}))
            .await
            .unwrap(),
    )
    .await;
    // Then GET shows it, ending at 02:30 EST
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        m["final_slot"],
        json!({"start": "2026-11-01T01:00:00-05:00", "end": "2026-11-01T02:30:00-05:00", "minutes": 90})
    );
    // And the invite is a timed event in UTC naming the zone
    let ics = app
        .get(&format!("/v1/meetings/{code}/event.ics"))
        .await
        .text()
        .await
        .unwrap();
    assert!(ics.contains("DTSTART:20261101T060000Z\r\n"), "{ics}");
    assert!(ics.contains("DTEND:20261101T073000Z\r\n"), "{ics}");
    assert!(ics.contains("(America/New_York)"), "{ics}");
    assert!(
        ics.contains("TRANSP:OPAQUE\r\n") && !ics.contains("VALUE=DATE"),
        "{ics}"
    );
    // A window that does not fit the day, a time that is no slot, or no key are refused
    for bad in [
        json!({"start": "2026-11-01T03:30:00-05:00", "minutes": 60}),
        json!({"start": "2026-11-01T01:10:00-05:00"}),
        json!({"start": "2026-11-01T01:00:00-05:00", "minutes": 45}),
    ] {
        let res = settle(bad.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let res = app
        .client_put_json(&format!("/v1/meetings/{code}/final_slot"), json!({"start": null}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // And undoing it takes the invite away
    let (status, m) = status_json(settle(json!({"start": null})).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["final_slot"], Value::Null);
    assert_eq!(
        app.get(&format!("/v1/meetings/{code}/event.ics")).await.status(),
        StatusCode::NOT_FOUND
    );
}
