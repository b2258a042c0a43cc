use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn best_dates_of_the_seed_scenario() {
    // Given December 2025 and two participants:
    //   12-03 both free; 12-10 both free and one star; 12-11 only one free; all else busy
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-12-01", "2025-12-31").await;
    let p1 = app.add_participant(&code, "test_name1").await;
    let p2 = app.add_participant(&code, "test_name2").await;
    for day in 1..=31 {
        let date = format!("2025-12-{day:02}");
        if !["2025-12-03", "2025-12-10", "2025-12-11"].contains(&date.as_str()) {
            app.toggle("off", &code, date_id(&p1, &date)).await;
        }
        if !["2025-12-03", "2025-12-10"].contains(&date.as_str()) {
            app.toggle("off", &code, date_id(&p2, &date)).await;
        }
    }
    app.toggle("star", &code, date_id(&p1, "2025-12-10")).await;
    // When
    let meeting = app.meeting(&code).await;
    // Then
    assert_eq!(meeting["best_dates"], json!(["2025-12-10", "2025-12-03", "2025-12-11"]));
}

#[tokio::test]
async fn every_meeting_response_carries_best_dates() {
    let app = spawn_app().await;
    let code = app.meeting_with_range("2025-01-01", "2025-01-02").await;
    let p = app.add_participant(&code, "p").await;
    // Two days: fewer than three results; a star decides the tie.
    let body: serde_json::Value = app
        .toggle("star", &code, date_id(&p, "2025-01-02"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["best_dates"], json!(["2025-01-02", "2025-01-01"]));
    // Everyone busy: the earliest dates.
    app.toggle("off", &code, date_id(&p, "2025-01-02")).await;
    let body: serde_json::Value = app
        .toggle("off", &code, date_id(&p, "2025-01-01"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["best_dates"], json!(["2025-01-01", "2025-01-02"]));
}

#[tokio::test]
async fn the_ranking_lists_every_day_best_first_with_counts_and_who_is_free() {
    // Given three people over four days: Kim free on days 2 and 3 (starring 3), Lee on 1 and 3,
    // Park on 3 only
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-05-01", "2026-05-04").await;
    let (status, empty) = status_json(app.get(&format!("/v1/meetings/{code}/ranking")).await).await;
    assert_eq!(status, StatusCode::OK);
    let days: Vec<&str> = empty["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        ["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04"],
        "no one yet: date order"
    );
    let mut ids = Vec::new();
    for (name, free, starred) in [
        ("Kim", vec!["2026-05-02", "2026-05-03"], vec!["2026-05-03"]),
        ("Lee", vec!["2026-05-01", "2026-05-03"], vec![]),
        ("Park", vec!["2026-05-03"], vec![]),
    ] {
        let id = app.add_participant(&code, name).await["participant_id"]
            .as_i64()
            .unwrap();
        let response = app
            .put_availability(id, json!({"meeting_url_code": code, "free": free, "starred": starred}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        ids.push(id);
    }
    // When the ranking is asked for
    let (status, ranking) = status_json(app.get(&format!("/v1/meetings/{code}/ranking")).await).await;
    // Then every day is there, best first, as best_dates ranks them, with who is free
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ranking["participants"], 3);
    let days = ranking["days"].as_array().unwrap();
    let order: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(order, ["2026-05-03", "2026-05-01", "2026-05-02", "2026-05-04"]);
    let best = app.meeting(&code).await["best_dates"].clone();
    assert_eq!(json!(order[..3]), best);
    assert_eq!(
        days[0],
        json!({"date": "2026-05-03", "free": 3, "starred": 1, "required_free": true, "free_participants": [
            {"id": ids[0], "name": "Kim"}, {"id": ids[1], "name": "Lee"}, {"id": ids[2], "name": "Park"}]})
    );
    assert_eq!(days[3]["free_participants"], json!([]));
    // And an unknown meeting is 404
    let (status, _) = status_json(app.get("/v1/meetings/NoSuchCode12/ranking").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn answers_export_as_csv_and_tsv_with_a_bom_and_safe_names() {
    // Given two people (one named like a spreadsheet formula) over three days
    let app = spawn_app().await;
    let code = app.meeting_with_range("2026-05-01", "2026-05-03").await;
    for (name, free, starred) in [
        ("민지", vec!["2026-05-01", "2026-05-02"], vec!["2026-05-02"]),
        ("=1+1", vec!["2026-05-03"], vec![]),
    ] {
        let id = app.add_participant(&code, name).await["participant_id"]
            .as_i64()
            .unwrap();
        app.put_availability(id, json!({"meeting_url_code": code, "free": free, "starred": starred}))
            .await;
    }
    // When exported as CSV, and as TSV
    let csv = app.get(&format!("/v1/meetings/{code}/export.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let csv = csv.bytes().await.unwrap();
    let tsv = app
        .get(&format!("/v1/meetings/{code}/export.csv?format=tsv"))
        .await
        .text()
        .await
        .unwrap();
    // Then a BOM, a header of days, one row per person with free, busy or ★, names kept safe
    assert!(csv.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "name,2026-05-01,2026-05-02,2026-05-03\n민지,free,★,busy\n'=1+1,busy,busy,free\n"
    );
    assert_eq!(
        tsv.trim_start_matches('\u{feff}'),
        "name\t2026-05-01\t2026-05-02\t2026-05-03\n민지\tfree\t★\tbusy\n'=1+1\tbusy\tbusy\tfree\n"
    );
    // And another format is 422 naming the parameter; an unknown meeting 404
    let (status, body) = status_json(app.get(&format!("/v1/meetings/{code}/export.csv?format=xls")).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "format"]));
    let (status, _) = status_json(app.get("/v1/meetings/NoSuchCode12/export.csv").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
