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
