use std::{process::Command, time::Duration};

use reqwest::StatusCode;
use serde_json::{Value, json};

use meetifyr_store::testing::{Backend, TestDatabase, available};

use crate::helpers::*;

#[tokio::test]
async fn health_reports_each_store() {
    let app = spawn_app_with(&[("main", backend()), ("spare", Backend::Sqlite)]).await;
    let (status, body) = status_json(app.get("/health").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let names: Vec<&str> = body["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["main", "spare"]);
    let stores = body["stores"].as_array().unwrap();
    assert!(stores.iter().all(|s| s["status"] == "ok"), "{body}");
    assert_eq!(stores[0]["backend"], backend_name());
    assert_eq!(stores[1]["backend"], "sqlite");
}

#[tokio::test]
async fn stores_side_by_side_are_separate_and_v1_is_the_first() {
    // Given two stores
    let app = spawn_app_with(&[("first", backend()), ("second", Backend::Sqlite)]).await;
    // When a meeting is created in the first under its own name
    let (_, created) = status_json(app.post("/v1/first/meetings", None).await).await;
    let code = created["url_code"].as_str().unwrap();
    // Then /v1/ reaches it and the second store does not have it
    assert_eq!(app.get(&format!("/v1/meetings/{code}")).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/v1/first/meetings/{code}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/second/meetings/{code}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(
            "/v1/second/participants",
            Some(json!({"meeting_url_code": code, "name": "x"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_seed_locust_workflow_runs_under_a_store_prefix() {
    let app = spawn_app_with(&[("mysql", backend())]).await;
    seed_workflow(&app, "mysql").await;
}

/// Seed 000's Locust user, once, under `/v1/{store}`.
async fn seed_workflow(app: &TestApp, store: &str) {
    let (_, created) = status_json(app.post(&format!("/v1/{store}/meetings"), None).await).await;
    let code = created["url_code"].as_str().unwrap();
    let range = json!({"start_date": "2025-01-01", "end_date": "2025-02-20"});
    let res = app
        .patch(&format!("/v1/{store}/meetings/{code}/date_range"), range)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{store}");
    let join = json!({"name": "test_name", "meeting_url_code": code});
    let (status, body) = status_json(app.post(&format!("/v1/{store}/participants"), Some(join)).await).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    assert_eq!(body["participant_dates"].as_array().unwrap().len(), 51, "{store}");
    let (status, meeting) = status_json(app.get(&format!("/v1/{store}/meetings/{code}")).await).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    assert_eq!(
        meeting["best_dates"],
        json!(["2025-01-01", "2025-01-02", "2025-01-03"]),
        "{store}"
    );
}

#[tokio::test]
async fn one_server_serves_sqlite_postgres_and_mysql_side_by_side() {
    if !(available(Backend::MySql) & available(Backend::Postgres)) {
        return;
    }
    // Given one server with all three backends mounted
    let app = spawn_app_with(&[
        ("mysql", Backend::MySql),
        ("postgres", Backend::Postgres),
        ("sqlite", Backend::Sqlite),
    ])
    .await;
    // When the seed's workflow runs against each, Then each answers the same
    for store in ["mysql", "postgres", "sqlite"] {
        seed_workflow(&app, store).await;
    }
    let (_, health) = status_json(app.get("/health").await).await;
    let stores = health["stores"].as_array().unwrap();
    let backends: Vec<&str> = stores.iter().map(|s| s["backend"].as_str().unwrap()).collect();
    assert_eq!(backends, ["mysql", "postgres", "sqlite"]);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let (status, doc) = status_json(app.get("/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/v1/meetings",
        "/v1/meetings/{meeting_url_code}",
        "/v1/meetings/{meeting_url_code}/date_range",
        "/v1/meetings/{meeting_url_code}/title",
        "/v1/meetings/{meeting_url_code}/location",
        "/v1/participants",
        "/v1/participants/{participant_id}",
        "/v1/participant_dates/on",
        "/v1/participant_dates/off",
        "/v1/participant_dates/star",
        "/v1/participant_dates/unstar",
    ] {
        assert!(paths.contains_key(p), "{p} missing from {:?}", paths.keys());
    }
    assert!(doc["components"]["schemas"]["GetMeetingResponse"].is_object());
}

#[tokio::test]
async fn the_openapi_document_states_the_layers_answers_and_its_links_resolve() {
    // Given the document of a server with the default options
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut operation_ids = Vec::new();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operation_ids.push(op["operationId"].as_str().unwrap().to_owned());
            operations.push((path.clone(), method.clone(), op.clone()));
        }
    }
    for (path, method, op) in &operations {
        let responses = op["responses"].as_object().unwrap();
        // Then every write under /v1 may answer 429 with Retry-After, every body 413, anything 503
        if path.starts_with("/v1/") && method != "get" {
            assert!(
                responses["429"]["headers"]["Retry-After"].is_object(),
                "{method} {path}"
            );
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("413"), "{method} {path}");
        }
        assert!(responses.contains_key("503"), "{method} {path}");
        // And every response names X-Response-Time, and every link an existing operation
        for (status, response) in responses {
            assert!(
                response["headers"]["X-Response-Time"].is_object(),
                "{method} {path} {status}"
            );
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let target = link["operationId"].as_str().unwrap();
                assert!(operation_ids.iter().any(|id| id == target), "{name} -> {target}");
            }
        }
    }
    // And every answer that is the meeting names its ETag
    for (path, method) in [
        ("/v1/meetings/{meeting_url_code}", "get"),
        ("/v1/meetings/{meeting_url_code}/date_range", "patch"),
        ("/v1/participant_dates/on", "patch"),
        ("/v1/participants/{participant_id}/availability", "put"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["200"]["headers"]["ETag"].is_object(),
            "{method} {path}"
        );
    }
    let links = &doc["paths"]["/v1/participants"]["post"]["responses"]["200"]["links"];
    assert_eq!(
        links["DeleteParticipant"]["parameters"]["participant_id"],
        "$response.body#/participant_id"
    );
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    let js = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn the_binary_migrates_a_new_sqlite_file_in_a_new_folder() {
    let dir = std::env::temp_dir().join(format!("meetifyr-bin-{}", meetifyr_core::UrlCode::generate()));
    let db = dir.join("sub/m.db");
    let out = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args(["migrate", "--store", &format!("sqlite=sqlite://{}", db.display())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(db.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unusable_store_stops_the_binary_with_one_clear_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_meetifyr"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--store",
            "bad=sqlite:///proc/no/such/dir/m.db",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open store \"bad\" at sqlite:///proc/no/such/dir/m.db"),
        "{stderr}"
    );
}

#[tokio::test]
async fn graceful_shutdown_lets_a_request_in_flight_finish() {
    use futures::StreamExt;
    // Given a server and a request whose body is still arriving
    let db = TestDatabase::create(Backend::Sqlite).await;
    let spec = meetifyr::StoreSpec {
        name: "s".into(),
        url: db.url.clone(),
    };
    let app = meetifyr::App::build(
        "127.0.0.1:0".parse().unwrap(),
        &[spec],
        &Default::default(),
        &Default::default(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let code = client
        .post(format!("{base}/v1/meetings"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["url_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let chunks = futures::stream::iter([&b"{\"title\": "[..], &b"\"late\"}"[..]]).then(|c| async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok::<_, std::io::Error>(c)
    });
    let slow = tokio::spawn(
        client
            .patch(format!("{base}/v1/meetings/{code}/title"))
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(chunks))
            .send(),
    );
    // When shutdown is asked for while it is in flight
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.send(()).unwrap();
    // Then it still completes, and the server stops afterwards
    let res = slow.await.unwrap().unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_edgedb_flavour_answers_integer_ids_that_it_takes_back() {
    // Given a store mounted as the original's EdgeDB flavour (docs/databases.md: ids are integers there)
    let app = spawn_app_with(&[("edgedb", backend())]).await;
    let (_, created) = status_json(app.post("/v1/edgedb/meetings", None).await).await;
    let code = created["url_code"].as_str().unwrap().to_owned();
    let range = json!({"start_date": "2025-03-01", "end_date": "2025-03-02"});
    app.patch(&format!("/v1/edgedb/meetings/{code}/date_range"), range)
        .await;
    // When a participant joins
    let body = json!({"meeting_url_code": code, "name": "ana"});
    let (status, joined) = status_json(app.post("/v1/edgedb/participants", Some(body)).await).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    // Then its ids are JSON integers a browser holds exactly, not UUID strings
    let participant = joined["participant_id"].as_i64().expect("an integer participant id");
    let date = joined["participant_dates"][0]["id"]
        .as_i64()
        .expect("an integer date id");
    assert!((1..1 << 53).contains(&participant) && (1..1 << 53).contains(&date));
    // And the date id is taken back as it was given
    let toggle = json!({"participant_date_id": date, "meeting_url_code": code});
    let res = app.patch("/v1/edgedb/participant_dates/star", toggle).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, meeting) = status_json(app.get(&format!("/v1/edgedb/meetings/{code}")).await).await;
    assert_eq!(meeting["participants"][0]["id"].as_i64(), Some(participant));
    assert_eq!(meeting["participants"][0]["dates"][0]["starred"], json!(true));
}
