//! Rate limits per client address (governor's GCRA, one keyed limiter per class of request):
//! meeting creation and other writes. Reads are never limited: the page polls nothing, and a GET
//! is a cache hit. 429 answers carry `Retry-After` and a `detail` saying which limit was hit.

use std::{
    net::{IpAddr, SocketAddr},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, RateLimiter, clock::Clock};
pub use meetifyr_service::Rate;
use meetifyr_service::SharedLimits;

use crate::error::detail_response;

/// The limits of one server; `None` in [`crate::ApiOptions`] turns them all off.
#[derive(Debug, Clone)]
pub struct RateLimitOptions {
    /// `POST …/meetings` (and `…/duplicate`) per client address.
    pub create: Rate,
    /// Every other write (PATCH, POST, PUT, DELETE under `/v1/`) per client address.
    pub write: Rate,
    /// Password checks per protected participant (from any address): what a guesser gets
    /// (`meetifyr_service::Auth` counts them).
    pub password: Rate,
    /// A header holding the client's address, set by a proxy in front (e.g. HAProxy's
    /// `X-Forwarded-For`); its last address is used. Trust it only behind such a proxy: clients
    /// can send it too.
    pub trusted_proxy_header: Option<HeaderName>,
    /// Addresses never limited (e.g. a load generator's).
    pub exempt: Vec<IpAddr>,
}

impl Default for RateLimitOptions {
    fn default() -> Self {
        Self {
            // A person creates a handful of meetings; a script creating hundreds is refused.
            create: "20/min".parse().expect("a valid rate"),
            // One request per painted stroke or ticked box: far above what hands do, even for a
            // classroom behind one address.
            write: "100/s".parse().expect("a valid rate"),
            // A person who knows the password needs one check per session (it is remembered);
            // a guesser gets 10 a minute, whatever its addresses.
            password: "10/min".parse().expect("a valid rate"),
            trusted_proxy_header: None,
            exempt: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Create,
    Write,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Create => "create",
            Class::Write => "write",
        }
    }
}

struct Limiter {
    rate: Rate,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

/// The limiters of one server, shared by every store's routes (a client's writes count once
/// whichever store they go to).
pub struct RateLimits {
    options: RateLimitOptions,
    create: Limiter,
    write: Limiter,
    /// With `--bus redis://…`: the allowances every instance shares; the limiters above apply
    /// while Redis does not answer.
    shared: Option<Arc<SharedLimits>>,
    checks: AtomicU64,
}

impl RateLimits {
    pub fn new(options: RateLimitOptions, shared: Option<Arc<SharedLimits>>) -> Arc<Self> {
        describe();
        let limiter = |rate: Rate| Limiter {
            rate,
            limiter: RateLimiter::keyed(rate.quota()),
        };
        Arc::new(Self {
            create: limiter(options.create),
            write: limiter(options.write),
            options,
            shared,
            checks: AtomicU64::new(0),
        })
    }

    /// The client's address: the trusted header's last entry, else the peer's.
    fn client(&self, request: &Request) -> Option<IpAddr> {
        if let Some(name) = &self.options.trusted_proxy_header {
            let forwarded = request
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return forwarded;
            }
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    }

    fn limiter(&self, class: Class) -> &Limiter {
        match class {
            Class::Create => &self.create,
            Class::Write => &self.write,
        }
    }

    /// `Err(wait)` when `client` has used up its `class` allowance.
    async fn check(&self, class: Class, client: IpAddr) -> Result<(), Duration> {
        let l = self.limiter(class);
        if let Some(shared) = &self.shared
            && let Some(verdict) = shared.check(&format!("{}:{client}", class.name()), l.rate).await
        {
            return verdict;
        }
        // Forget addresses whose allowance is whole again, now and then, so that memory follows
        // the clients of the last minutes rather than of all time.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for l in [&self.create, &self.write] {
                l.limiter.retain_recent();
                l.limiter.shrink_to_fit();
            }
            metrics::gauge!("meetifyr_rate_limit_tracked_addresses", "class" => "create")
                .set(self.create.limiter.len() as f64);
            metrics::gauge!("meetifyr_rate_limit_tracked_addresses", "class" => "write")
                .set(self.write.limiter.len() as f64);
        }
        l.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(l.limiter.clock().now()))
    }
}

fn describe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::describe_counter!(
            "meetifyr_rate_limited_total",
            "Requests refused with 429 by the per-address rate limits, by class."
        );
        metrics::describe_gauge!(
            "meetifyr_rate_limit_tracked_addresses",
            "Client addresses the rate limiter currently remembers, by class."
        );
    });
}

fn classify(request: &Request) -> Option<Class> {
    match *request.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => None,
        // Inside a store's nested router the path is relative to `/v1/{store}`; the web app
        // creates with a form posted to `/`. A duplicate is a created meeting too.
        Method::POST if matches!(request.uri().path(), "/meetings" | "/") => Some(Class::Create),
        Method::POST if request.uri().path().ends_with("/duplicate") => Some(Class::Create),
        _ => Some(Class::Write),
    }
}

/// Middleware on every store's routes.
pub async fn enforce(State(limits): State<Arc<RateLimits>>, request: Request, next: Next) -> Response {
    let Some(class) = classify(&request) else {
        return next.run(request).await;
    };
    let Some(client) = limits.client(&request) else {
        return next.run(request).await;
    };
    if limits.options.exempt.contains(&client) {
        return next.run(request).await;
    }
    match limits.check(class, client).await {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            metrics::counter!("meetifyr_rate_limited_total", "class" => class.name()).increment(1);
            tracing::debug!(%client, class = class.name(), "rate limited");
            let rate = limits.limiter(class).rate;
            let (what, flag) = match class {
                Class::Create => ("meeting creations", "--rate-limit-create"),
                Class::Write => ("changes", "--rate-limit-write"),
            };
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            // Load tests are the usual victims: the reason names the limit and the way out.
            let mut response = detail_response(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "too many {what} from one address: at most {} per {}; try again in {seconds} s \
                     (the server's {flag} limit; an operator can exempt a load generator's address \
                     with --rate-limit-exempt)",
                    rate.count,
                    rate.unit()
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_is_allowed_then_refused_with_the_wait() {
        // Given a limit of 3 per minute
        let limits = RateLimits::new(
            RateLimitOptions {
                create: "3/min".parse().unwrap(),
                ..Default::default()
            },
            None,
        );
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        // When one address makes 4 creations
        let mut outcomes = Vec::new();
        for _ in 0..4 {
            outcomes.push(limits.check(Class::Create, a).await);
        }
        // Then 3 pass and the 4th waits about 20 s; another address and other writes are untouched
        assert!(outcomes[..3].iter().all(Result::is_ok));
        let wait = outcomes[3].unwrap_err();
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limits.check(Class::Create, b).await.is_ok());
        assert!(limits.check(Class::Write, a).await.is_ok());
    }
}
