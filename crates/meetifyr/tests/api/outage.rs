//! A database that goes away while serving: 503 with a detail, and recovery without a restart.
//! A TCP proxy stands between the server and the real database so the test can cut it.

use std::{net::SocketAddr, time::Duration};

use meetifyr::{App, StoreSpec};
use meetifyr_store::{
    DatabaseUrl, StoreOptions,
    testing::{Backend, TestDatabase},
};
use reqwest::StatusCode;
use tokio::{net::TcpListener, task::JoinSet};

/// Forwards every connection on `listen` to `upstream` until dropped; dropping it closes every
/// connection it carries, as a crashed database would.
struct Proxy {
    tasks: JoinSet<()>,
}

impl Proxy {
    async fn start(listen: SocketAddr, upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind(listen).await.expect("proxy binds");
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { tasks }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

/// `scheme://user:pass@host:port/db` → the host:port and the URL with `proxy` in its place.
fn through(url: &DatabaseUrl, proxy: SocketAddr) -> (SocketAddr, DatabaseUrl) {
    let raw = url.expose();
    let (scheme, rest) = raw.split_once("://").unwrap();
    let (auth, tail) = rest.split_at(rest.find('/').unwrap());
    let (user, host) = auth.rsplit_once('@').unwrap();
    let upstream = host.parse().expect("test URLs use an IP address and a port");
    (upstream, DatabaseUrl::new(format!("{scheme}://{user}@{proxy}{tail}")))
}

async fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap()
}

async fn outage_is_503_and_heals(backend: Backend) {
    if !meetifyr_store::testing::available(backend) {
        return;
    }
    // Given a server whose database is reached through a proxy
    let db = TestDatabase::create(backend).await;
    let listen = free_port().await;
    let (upstream, url) = through(&db.url, listen);
    let proxy = Proxy::start(listen, upstream).await;
    let options = StoreOptions {
        pool_size: 4,
        acquire_timeout: Duration::from_secs(1),
    };
    let spec = StoreSpec { name: "db".into(), url };
    let app = App::build("127.0.0.1:0".parse().unwrap(), &[spec], &options, &Default::default())
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run(std::future::pending()));
    let client = reqwest::Client::new();
    let res = client.post(format!("{base}/v1/meetings")).send().await.unwrap();
    let code = res.json::<serde_json::Value>().await.unwrap()["url_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = || client.get(format!("{base}/v1/meetings/{code}")).send();

    // When the database goes away
    drop(proxy);
    // Then requests get 503 with a detail, and health says so
    for _ in 0..3 {
        let res = get().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("unavailable"), "{body}");
    }
    assert_eq!(
        client.get(format!("{base}/health")).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    // When it comes back, Then the server recovers by itself with the data intact
    // (issue 24: within 5 s of the database coming back)
    let _proxy = Proxy::start(listen, upstream).await;
    let back = std::time::Instant::now();
    let mut healed = None;
    for _ in 0..20 {
        if get().await.unwrap().status() == StatusCode::OK {
            healed = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let healed = healed.expect("no recovery within 5 s of the database coming back");
    println!(
        "outage ({backend:?}): answering again {:.0} ms after the database came back",
        healed.as_secs_f64() * 1e3
    );
    for _ in 0..10 {
        assert_eq!(
            get().await.unwrap().status(),
            StatusCode::OK,
            "every pooled connection works again"
        );
    }
}

#[tokio::test]
async fn a_postgres_outage_is_503_and_heals() {
    outage_is_503_and_heals(Backend::Postgres).await;
}

#[tokio::test]
async fn a_mysql_outage_is_503_and_heals() {
    outage_is_503_and_heals(Backend::MySql).await;
}
