use meetifyr::{App, StoreSpec};
use meetifyr_api::ApiOptions;
use meetifyr_store::{
    StoreOptions,
    testing::{Backend, TestDatabase},
};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    _databases: Vec<TestDatabase>,
}

/// `MEETIFYR_E2E_BACKEND`: sqlite (default), postgres or mysql.
pub fn backend_name() -> String {
    std::env::var("MEETIFYR_E2E_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

/// The backend the suite runs on.
pub fn backend() -> Backend {
    let name = backend_name();
    Backend::from_name(&name).unwrap_or_else(|| panic!("MEETIFYR_E2E_BACKEND={name}: use sqlite, postgres or mysql"))
}

/// A server with one store, `main`, of the suite's backend on a fresh database.
pub async fn spawn_app() -> TestApp {
    let b = backend();
    spawn_app_with(&[("main", b)]).await
}

/// As [`spawn_app`], without rate limits: for tests that flood one meeting with writes on
/// purpose (concurrency, back-pressure), which the limits exist to refuse.
pub async fn spawn_app_unlimited() -> TestApp {
    let options = ApiOptions {
        rate_limits: None,
        ..ApiOptions::default()
    };
    spawn_app_with_options(&[("main", backend())], &options).await
}

/// A server on an existing database, mounted as the only store.
pub async fn serve_on(url: &meetifyr_store::DatabaseUrl) -> TestApp {
    let spec = StoreSpec {
        name: "s".into(),
        url: url.clone(),
    };
    let app = App::build(
        "127.0.0.1:0".parse().unwrap(),
        &[spec],
        &StoreOptions::default(),
        &ApiOptions::default(),
    )
    .await
    .expect("app starts");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run(std::future::pending()));
    TestApp::at(base)
}

/// A server with one fresh database per (name, backend), mounted in that order.
pub async fn spawn_app_with(stores: &[(&str, Backend)]) -> TestApp {
    spawn_app_with_options(stores, &ApiOptions::default()).await
}

/// As [`spawn_app_with`], with HTTP options of the test's choosing.
pub async fn spawn_app_with_options(stores: &[(&str, Backend)], options: &ApiOptions) -> TestApp {
    let mut databases = Vec::new();
    let mut specs = Vec::new();
    for (name, backend) in stores {
        let db = TestDatabase::create(*backend).await;
        specs.push(StoreSpec {
            name: (*name).to_owned(),
            url: db.url.clone(),
        });
        databases.push(db);
    }
    let app = App::build(
        "127.0.0.1:0".parse().unwrap(),
        &specs,
        &StoreOptions::default(),
        options,
    )
    .await
    .expect("app starts");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run(std::future::pending()));
    TestApp {
        base,
        client: Client::new(),
        _databases: databases,
    }
}

impl TestApp {
    /// Helpers for a server started elsewhere.
    pub fn at(base: String) -> Self {
        Self {
            base,
            client: Client::new(),
            _databases: Vec::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    // These build the request before returning, so the future borrows nothing.
    pub fn post(&self, path: &str, body: Option<Value>) -> impl Future<Output = Response> + use<> {
        let req = self.client.post(self.url(path));
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        async move { req.send().await.expect("request") }
    }

    pub fn patch(&self, path: &str, body: Value) -> impl Future<Output = Response> + use<> {
        let req = self.client.patch(self.url(path)).json(&body);
        async move { req.send().await.expect("request") }
    }

    pub fn patch_raw(&self, path: &str, body: &'static str) -> impl Future<Output = Response> + use<> {
        let req = self
            .client
            .patch(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        async move { req.send().await.expect("request") }
    }

    /// `PUT /v1/participants/{id}/availability` with this body.
    pub fn put_availability(&self, participant: i64, body: Value) -> impl Future<Output = Response> + use<> {
        let req = self
            .client
            .put(self.url(&format!("/v1/participants/{participant}/availability")))
            .json(&body);
        async move { req.send().await.expect("request") }
    }

    /// PUT with a JSON body and no credentials.
    pub fn client_put_json(&self, path: &str, body: Value) -> impl Future<Output = Response> + use<> {
        let req = self.client.put(self.url(path)).json(&body);
        async move { req.send().await.expect("request") }
    }

    pub fn get(&self, path: &str) -> impl Future<Output = Response> + use<> {
        let req = self.client.get(self.url(path));
        async move { req.send().await.expect("request") }
    }

    pub fn delete(&self, path: &str) -> impl Future<Output = Response> + use<> {
        let req = self.client.delete(self.url(path));
        async move { req.send().await.expect("request") }
    }

    /// POST /v1/meetings → its code.
    pub async fn create_meeting(&self) -> String {
        let res = self.post("/v1/meetings", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["url_code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn meeting_with_range(&self, start: &str, end: &str) -> String {
        let code = self.create_meeting().await;
        let res = self
            .patch(
                &format!("/v1/meetings/{code}/date_range"),
                json!({"start_date": start, "end_date": end}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        code
    }

    /// POST /v1/participants → the response body.
    pub async fn add_participant(&self, code: &str, name: &str) -> Value {
        let res = self
            .post(
                "/v1/participants",
                Some(json!({"meeting_url_code": code, "name": name})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub fn toggle(&self, op: &str, code: &str, date_id: i64) -> impl Future<Output = Response> + use<> {
        self.patch(
            &format!("/v1/participant_dates/{op}"),
            json!({"participant_date_id": date_id, "meeting_url_code": code}),
        )
    }

    pub async fn meeting(&self, code: &str) -> Value {
        let res = self.get(&format!("/v1/meetings/{code}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// The status and JSON body of a response.
/// (date, enabled, starred) of every day of a participant in a GET body.
pub fn answer(meeting: &Value, participant: i64) -> Vec<(String, bool, bool)> {
    meeting["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == participant)
        .unwrap()["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["enabled"].as_bool().unwrap(),
                d["starred"].as_bool().unwrap(),
            )
        })
        .collect()
}

pub async fn status_json(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.expect("a JSON body"))
}

/// The id of the participant date on `date` in a create-participant response.
pub fn date_id(created: &Value, date: &str) -> i64 {
    created["participant_dates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("no {date} in {created}"))["id"]
        .as_i64()
        .unwrap()
}

/// A port nothing listens on now (for a server the test starts itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A meeting with a range, and its organiser key.
pub async fn organised(app: &TestApp, start: &str, end: &str) -> (String, String) {
    let (status, created) = status_json(app.post("/v1/meetings", None).await).await;
    assert_eq!(status, StatusCode::OK);
    let code = created["url_code"].as_str().unwrap().to_owned();
    let key = created["organiser_key"].as_str().unwrap().to_owned();
    let res = app
        .patch(
            &format!("/v1/meetings/{code}/date_range"),
            json!({"start_date": start, "end_date": end}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (code, key)
}

/// A meeting over `start..=end` with its organiser key, and one participant per `(name, free
/// days)`, whose ids are returned in order.
pub async fn answered(app: &TestApp, start: &str, end: &str, people: &[(&str, &[&str])]) -> (String, String, Vec<i64>) {
    let (code, key) = organised(app, start, end).await;
    let mut ids = Vec::new();
    for (name, free) in people {
        ids.push(join_free(app, &code, name, json!(free)).await);
    }
    (code, key, ids)
}

/// A new participant of `code` free on `free` (dates or slot starts), nothing starred → its id.
pub async fn join_free(app: &TestApp, code: &str, name: &str, free: Value) -> i64 {
    let id = app.add_participant(code, name).await["participant_id"]
        .as_i64()
        .unwrap();
    let res = app
        .put_availability(id, json!({"meeting_url_code": code, "free": free, "starred": []}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    id
}

/// Creates a time meeting from `grid` (the body's fields besides `kind`) → its code.
pub async fn time_meeting(app: &TestApp, grid: Value) -> String {
    organised_time_meeting(app, grid).await.0
}

/// As [`time_meeting`] → its code and organiser key.
pub async fn organised_time_meeting(app: &TestApp, grid: Value) -> (String, String) {
    let mut body = grid;
    body["kind"] = json!("times");
    let (status, created) = status_json(app.post("/v1/meetings", Some(body)).await).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let text = |field: &str| created[field].as_str().unwrap().to_owned();
    (text("url_code"), text("organiser_key"))
}

/// A request with `Authorization: Bearer <key>` (or without, for `None`).
pub async fn as_organiser(
    app: &TestApp,
    method: reqwest::Method,
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
