//! Live meetings over Server-Sent Events and WebSocket, on real sockets.

use std::time::Duration;

use futures::StreamExt as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::helpers::*;

const WITHIN: Duration = Duration::from_secs(1);

/// An SSE subscription: the frames (`id`, parsed `data`) as they arrive.
struct Sse {
    body: futures::stream::BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl Sse {
    async fn open(app: &TestApp, code: &str, last_event_id: Option<i64>) -> Self {
        let mut req = app.client.get(app.url(&format!("/v1/meetings/{code}/events")));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Self {
            body: res.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next frame within `wait`, skipping keep-alive comments.
    async fn next(&mut self, wait: Duration) -> Option<(i64, Value)> {
        tokio::time::timeout(wait, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let event: String = self.buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        event
                            .lines()
                            .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_owned()))
                    };
                    if let (Some(id), Some(data)) = (field("id:"), field("data:")) {
                        return (id.parse().unwrap(), serde_json::from_str(&data).unwrap());
                    }
                    continue;
                }
                let chunk = self.body.next().await.expect("stream open").unwrap();
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .ok()
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws(app: &TestApp, code: &str, since: Option<i64>) -> Result<Ws, tungstenite::Error> {
    let query = since.map(|s| format!("?since={s}")).unwrap_or_default();
    let url = format!("{}/v1/meetings/{code}/ws{query}", app.base.replacen("http", "ws", 1));
    tokio_tungstenite::connect_async(url).await.map(|(socket, _)| socket)
}

/// The next text frame within `wait` (pings are skipped).
async fn ws_next(socket: &mut Ws, wait: Duration) -> Option<Value> {
    tokio::time::timeout(wait, async {
        loop {
            match socket.next().await.expect("socket open").unwrap() {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                _ => continue,
            }
        }
    })
    .await
    .ok()
}

fn etag_version(res: &reqwest::Response) -> i64 {
    res.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap()
}

#[tokio::test]
async fn two_watchers_see_a_write_within_a_second() {
    // Given a meeting watched over SSE and over a WebSocket
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let p = app.add_participant(&code, "민지").await;
    let mut sse = Sse::open(&app, &code, None).await;
    let mut socket = ws(&app, &code, None).await.unwrap();
    // Then each gets the whole meeting at once, with its version
    let (id, first) = sse.next(WITHIN).await.expect("a snapshot on connect");
    assert_eq!(first["version"], id);
    assert_eq!(first["meeting"], app.meeting(&code).await);
    let first_ws = ws_next(&mut socket, WITHIN).await.expect("a snapshot on connect");
    assert_eq!(first_ws, first);
    // When someone toggles a day
    let res = app.toggle("off", &code, date_id(&p, "2025-12-02")).await;
    let written = etag_version(&res);
    let body: Value = res.json().await.unwrap();
    // Then both watchers get that version (or newer) within a second, equal to GET's body
    let (id, frame) = sse.next(WITHIN).await.expect("SSE push");
    assert!(id >= written && id > first["version"].as_i64().unwrap());
    assert_eq!(frame["meeting"], body);
    let frame = ws_next(&mut socket, WITHIN).await.expect("WebSocket push");
    assert!(frame["version"].as_i64().unwrap() >= written);
    assert_eq!(frame["meeting"], body);
}

/// The next frame: newer than `last`, and passing `check`; returns its version.
async fn pushed(sse: &mut Sse, last: i64, what: &str, check: fn(&Value) -> bool) -> i64 {
    let (id, frame) = sse
        .next(WITHIN)
        .await
        .unwrap_or_else(|| panic!("{what} was not pushed"));
    assert!(id > last, "{what}: {id} <= {last}");
    assert!(check(&frame["meeting"]), "{what}: {frame}");
    id
}

#[tokio::test]
async fn every_kind_of_change_is_pushed() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let mut sse = Sse::open(&app, &code, None).await;
    let (mut last, _) = sse.next(WITHIN).await.unwrap();
    app.patch(
        &format!("/v1/meetings/{code}/date_range"),
        json!({"start_date": "2025-12-01", "end_date": "2025-12-02"}),
    )
    .await;
    last = pushed(&mut sse, last, "range", |m| m["end_date"] == "2025-12-02").await;
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "Dinner"}))
        .await;
    last = pushed(&mut sse, last, "title", |m| m["title"] == "Dinner").await;
    app.patch(&format!("/v1/meetings/{code}/location"), json!({"location": "Seoul"}))
        .await;
    last = pushed(&mut sse, last, "location", |m| m["location"] == "Seoul").await;
    let p = app.add_participant(&code, "Kim").await["participant_id"].clone();
    last = pushed(&mut sse, last, "participant joined", |m| {
        m["participants"].as_array().unwrap().len() == 1
    })
    .await;
    app.client
        .put(app.url(&format!("/v1/participants/{p}/availability")))
        .json(&json!({"meeting_url_code": code, "free": ["2025-12-02"]}))
        .send()
        .await
        .unwrap();
    last = pushed(&mut sse, last, "answer", |m| {
        m["participants"][0]["dates"][0]["enabled"] == false
    })
    .await;
    app.delete(&format!("/v1/participants/{p}")).await;
    pushed(&mut sse, last, "participant left", |m| {
        m["participants"].as_array().unwrap().is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_reconnect_with_the_current_version_gets_nothing_until_a_change() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-03").await;
    let current = etag_version(&app.get(&format!("/v1/meetings/{code}")).await);
    // SSE with Last-Event-ID = current: silence, then the next change
    let mut sse = Sse::open(&app, &code, Some(current)).await;
    assert!(
        sse.next(Duration::from_millis(400)).await.is_none(),
        "nothing newer yet"
    );
    // WebSocket with the current version: silence; with an older one: the snapshot at once
    let mut quiet = ws(&app, &code, Some(current)).await.unwrap();
    assert!(ws_next(&mut quiet, Duration::from_millis(400)).await.is_none());
    let mut behind = ws(&app, &code, Some(current - 1)).await.unwrap();
    let frame = ws_next(&mut behind, WITHIN).await.expect("a newer snapshot");
    assert_eq!(frame["version"], current);
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "t"}))
        .await;
    let (id, _) = sse.next(WITHIN).await.expect("the change");
    assert!(id > current);
    let frame = ws_next(&mut quiet, WITHIN).await.expect("the change");
    assert_eq!(frame["version"], id);
    quiet.close(None).await.unwrap();
}

#[tokio::test]
async fn an_unknown_meeting_is_404_before_any_stream() {
    let app = spawn_app().await;
    let (status, body) = status_json(app.get("/v1/meetings/nosuchcode/events").await).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "meeting with url_code: nosuchcode not found"})
        )
    );
    match ws(&app, "nosuchcode", None).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), 404),
        other => panic!("expected 404, got {other:?}"),
    }
    // A plain GET of the WebSocket route is refused in the API's error shape
    let code = app.create_meeting().await;
    let (status, body) = status_json(app.get(&format!("/v1/meetings/{code}/ws")).await).await;
    assert!(status.is_client_error(), "{status}");
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = status_json(app.get(&format!("/v1/meetings/{code}/ws?since=x")).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "since"]));
}
