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

#[tokio::test]
async fn the_limits_refuse_with_503_and_a_detail() {
    let options = meetifyr_api::ApiOptions {
        live: meetifyr_api::LiveOptions {
            max_per_meeting: 2,
            max_connections: 3,
            ..Default::default()
        },
        ..Default::default()
    };
    let app = spawn_app_with_options(&[("main", backend())], &options).await;
    let a = app.meeting_with_range("2025-12-01", "2025-12-02").await;
    let b = app.meeting_with_range("2025-12-01", "2025-12-02").await;
    let _first = Sse::open(&app, &a, None).await;
    let _second = ws(&app, &a, None).await.unwrap();
    // A third viewer of one meeting
    let (status, body) = status_json(app.get(&format!("/v1/meetings/{a}/events")).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["detail"].as_str().unwrap().contains("meeting"), "{body}");
    match ws(&app, &a, None).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), 503),
        other => panic!("expected 503, got {other:?}"),
    }
    // A fourth connection to the server, whatever the meeting
    let _third = Sse::open(&app, &b, None).await;
    let (status, body) = status_json(app.get(&format!("/v1/meetings/{b}/events")).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["detail"].as_str().unwrap().contains("server"), "{body}");
    // Closing one makes room again
    drop(_second);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = Sse::open(&app, &a, None).await;
    assert!(again.next(WITHIN).await.is_some());
}

#[tokio::test]
async fn websockets_from_other_sites_pages_are_refused() {
    let app = spawn_app().await;
    let code = app.create_meeting().await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let request = |origin: &str| {
        let mut req =
            tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{host}/v1/meetings/{code}/ws"))
                .unwrap();
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    match tokio_tungstenite::connect_async(request("https://evil.example")).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    let own = tokio_tungstenite::connect_async(request(&format!("http://{host}"))).await;
    assert!(own.is_ok(), "the server's own pages may: {own:?}");
}

#[tokio::test]
async fn a_watcher_that_never_reads_skips_to_the_newest_version() {
    // Given a big meeting (40 people x 63 days: frames of about 190 KB) and a watcher that reads
    // nothing while 300 writes happen: 55 MB if the server queued every version for it
    let app = spawn_app_unlimited().await;
    let code = app.meeting_with_range("2025-01-01", "2025-03-04").await;
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(app.add_participant(&code, &format!("person {i}")).await);
    }
    let mut socket = ws(&app, &code, None).await.unwrap();
    let mut last = 0;
    for i in 0..300 {
        let day = format!("2025-01-{:02}", i % 31 + 1);
        let op = if i % 2 == 0 { "off" } else { "on" };
        let res = app.toggle(op, &code, date_id(&people[i % 40], &day)).await;
        last = etag_version(&res);
    }
    // When it reads at last, Then it gets what the socket buffers held and then the newest
    // version: the server kept one frame for it, not every version
    let mut frames = 0;
    while let Some(frame) = ws_next(&mut socket, Duration::from_secs(1)).await {
        frames += 1;
        if frame["version"] == last {
            break;
        }
    }
    assert!(frames < 150, "{frames} frames for 300 writes");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let skipped: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("meetifyr_live_versions_skipped_total "))
        .expect("the skip counter")
        .parse()
        .unwrap();
    assert!(skipped >= 150.0, "{skipped} versions skipped");
}

#[tokio::test]
async fn shutdown_ends_open_streams_promptly() {
    // Given a server with 300 open live streams
    let db = meetifyr_store::testing::TestDatabase::create(backend()).await;
    let spec = meetifyr::StoreSpec {
        name: "s".into(),
        url: db.url.clone(),
    };
    let server = meetifyr::App::build(
        "127.0.0.1:0".parse().unwrap(),
        &[spec],
        &meetifyr_store::StoreOptions::default(),
        &meetifyr_api::ApiOptions::default(),
    )
    .await
    .unwrap();
    let app = TestApp::at(format!("http://{}", server.local_addr()));
    let live = server.live();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let code = app.create_meeting().await;
    let mut streams = Vec::new();
    for i in 0..300 {
        if i % 2 == 0 {
            streams.push(Ok(Sse::open(&app, &code, None).await));
        } else {
            streams.push(Err(ws(&app, &code, None).await.unwrap()));
        }
    }
    assert_eq!(live.connections(), 300);
    // When it is told to stop, Then it has stopped within 2 s, every stream ended
    let clock = std::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(2), running)
        .await
        .expect("stopped within 2 s")
        .unwrap()
        .unwrap();
    assert!(clock.elapsed() < Duration::from_secs(2));
    assert_eq!(live.connections(), 0);
    let Err(mut socket) = streams.pop().unwrap() else {
        panic!("the last one is a WebSocket")
    };
    let close = loop {
        match socket.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1001));
}

#[tokio::test]
async fn an_idle_stream_is_closed_after_the_idle_timeout() {
    // Given a server whose live connections may stay idle 600 ms
    let options = meetifyr_api::ApiOptions {
        live: meetifyr_api::LiveOptions {
            idle_timeout: Duration::from_millis(600),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = spawn_app_with_options(&[("main", backend())], &options).await;
    let code = app.create_meeting().await;
    let mut socket = ws(&app, &code, None).await.unwrap();
    let mut sse = Sse::open(&app, &code, None).await;
    // When a change keeps them busy, Then they stay open past the timeout
    assert!(ws_next(&mut socket, WITHIN).await.is_some());
    assert!(sse.next(WITHIN).await.is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": "t"}))
        .await;
    assert!(ws_next(&mut socket, WITHIN).await.is_some());
    assert!(sse.next(WITHIN).await.is_some());
    // And once nothing happens for 600 ms, the WebSocket gets a normal close and SSE ends
    let close = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("closed within 2 s");
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1000));
    let ended = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(chunk) = sse.body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the SSE stream ended");
}
