//! Per-address rate limits: a creation flood is refused with 429 and Retry-After, a person using
//! the meeting page never is, addresses are told apart behind a trusted proxy, and the limits
//! can be turned off or an address exempted.

use std::time::Duration;

use futures::future::join_all;
use meetifyr_api::{ApiOptions, RateLimitOptions};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn with_limits(limits: Option<RateLimitOptions>) -> ApiOptions {
    ApiOptions {
        rate_limits: limits,
        ..ApiOptions::default()
    }
}

async fn create_from(app: &TestApp, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/v1/meetings"));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

fn limited_count(metrics: &str, class: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with(&format!("meetifyr_rate_limited_total{{class=\"{class}\"}}")))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0, |v| v.parse().unwrap())
}

#[tokio::test]
async fn a_creation_flood_is_refused_with_429_retry_after_and_a_detail() {
    // Given a server with the default limits (20 creations a minute per address)
    let app = spawn_app().await;
    let before = limited_count(&app.get("/metrics").await.text().await.unwrap(), "create");
    // When one address asks for 60 meetings at once
    let responses = join_all((0..60).map(|_| create_from(&app, None))).await;
    // Then the first 20 are created and the rest refused, each saying why and when to retry
    let created = responses.iter().filter(|r| r.status() == StatusCode::OK).count();
    assert!((20..=21).contains(&created), "{created} created");
    let mut refused = 0;
    for response in responses.into_iter().filter(|r| r.status() != StatusCode::OK) {
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3).contains(&wait), "Retry-After {wait}");
        let (_, body) = status_json(response).await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("at most 20 per minute"), "{detail}");
        // And it names the limit and how a load test exempts itself
        assert!(
            detail.contains("--rate-limit-create") && detail.contains("--rate-limit-exempt"),
            "{detail}"
        );
        refused += 1;
    }
    // And /metrics counts them (the recorder is the test process's: other tests add to it)
    let after = limited_count(&app.get("/metrics").await.text().await.unwrap(), "create");
    assert!(after >= before + refused, "{before} + {refused} > {after}");
    // And the address stays refused for now, while reads pass
    assert_eq!(create_from(&app, None).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = status_json(app.get("/health").await).await;
    assert_eq!(status, StatusCode::OK);
}

/// One person answering as the page lets them: 40 painted strokes, one every 50 ms, then 62 boxes
/// ticked by keyboard, one every 20 ms (hands do neither), each change followed by the page's
/// reload of the meeting. The statuses of every request.
async fn answer_at_page_speed(app: &TestApp, code: &str, name: &str) -> Vec<StatusCode> {
    let participant = app.add_participant(code, name).await;
    let id = participant["participant_id"].as_i64().unwrap();
    let mut statuses = Vec::new();
    let mut pace = tokio::time::interval(Duration::from_millis(50));
    for stroke in 0..40 {
        pace.tick().await;
        let free: Vec<String> = (1..=(stroke % 28 + 1)).map(|d| format!("2026-01-{d:02}")).collect();
        let response = app
            .put_availability(id, json!({"meeting_url_code": code, "free": free}))
            .await;
        statuses.push(response.status());
        statuses.push(app.get(&format!("/v1/meetings/{code}")).await.status());
    }
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    for (i, date) in participant["participant_dates"].as_array().unwrap().iter().enumerate() {
        pace.tick().await;
        let op = if i % 2 == 0 { "on" } else { "off" };
        statuses.push(app.toggle(op, code, date["id"].as_i64().unwrap()).await.status());
        statuses.push(app.get(&format!("/v1/meetings/{code}")).await.status());
    }
    statuses
}

#[tokio::test]
async fn people_using_the_meeting_page_are_never_limited() {
    // Given a server with the default limits, and a meeting set up by its organiser
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-01-01", "2026-03-03").await;
    for (field, value) in [("title", "회식"), ("location", "강남")] {
        let response = app
            .patch(&format!("/v1/meetings/{code}/{field}"), json!({ field: value }))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    // When two people behind one address answer at once, faster than hands can
    let (a, b) = tokio::join!(
        answer_at_page_speed(&app, &code, "민지"),
        answer_at_page_speed(&app, &code, "Alex")
    );
    // Then nothing was refused
    assert_eq!(a.len() + b.len(), 2 * (80 + 124));
    assert!(a.iter().chain(&b).all(StatusCode::is_success), "{a:?} {b:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_allowance() {
    // Given a server that trusts X-Forwarded-For and allows 3 creations a minute
    let app = spawn_app_with_options(
        &[("main", backend())],
        &with_limits(Some(RateLimitOptions {
            create: "3/min".parse().unwrap(),
            trusted_proxy_header: Some("x-forwarded-for".parse().unwrap()),
            ..RateLimitOptions::default()
        })),
    )
    .await;
    // When one client uses its 3 creations, then tries again with a forged first entry
    for _ in 0..3 {
        assert_eq!(create_from(&app, Some("203.0.113.7")).await.status(), StatusCode::OK);
    }
    let forged = create_from(&app, Some("198.51.100.1, 203.0.113.7")).await;
    // Then it is refused (the proxy's last entry counts), while another client is not
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(create_from(&app, Some("203.0.113.8")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn limits_can_be_turned_off_or_an_address_exempted() {
    for limits in [
        None,
        Some(RateLimitOptions {
            create: "2/min".parse().unwrap(),
            exempt: vec!["127.0.0.1".parse().unwrap()],
            ..RateLimitOptions::default()
        }),
    ] {
        // Given a server without limits, or one that exempts this test's address
        let app = spawn_app_with_options(&[("main", backend())], &with_limits(limits.clone())).await;
        // When 40 meetings are created at once from it
        let responses = join_all((0..40).map(|_| create_from(&app, None))).await;
        // Then all are created
        assert!(
            responses.iter().all(|r| r.status() == StatusCode::OK),
            "{limits:?}: {:?}",
            responses.iter().map(reqwest::Response::status).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn a_write_flood_is_refused_and_reads_never_are() {
    // Given a server allowing 5 writes a second per address, and a meeting with a participant
    let app = spawn_app_with_options(
        &[("main", backend())],
        &with_limits(Some(RateLimitOptions {
            write: "5/s".parse().unwrap(),
            ..RateLimitOptions::default()
        })),
    )
    .await;
    let code = app.create_meeting().await;
    // When 30 title changes and 300 reads are sent at once
    let writes =
        join_all((0..30).map(|i| app.patch(&format!("/v1/meetings/{code}/title"), json!({"title": format!("t{i}")}))))
            .await;
    let reads = join_all((0..300).map(|_| app.get(&format!("/v1/meetings/{code}")))).await;
    // Then about 5 writes pass, the rest get 429, and every read passes
    let passed = writes.iter().filter(|r| r.status() == StatusCode::NO_CONTENT).count();
    assert!((5..=7).contains(&passed), "{passed} writes passed");
    assert!(
        writes
            .iter()
            .all(|r| r.status() == StatusCode::NO_CONTENT || r.status() == StatusCode::TOO_MANY_REQUESTS)
    );
    assert!(reads.iter().all(|r| r.status() == StatusCode::OK));
}
