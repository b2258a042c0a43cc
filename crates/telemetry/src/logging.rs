//! Logs an operator can use: text or JSON lines, a request id in every line of a request, and
//! one access line per request at INFO.
//!
//! The id is the client's `X-Request-Id` when it is a plain token (so a proxy's id carries
//! through), else 128 random bits in hex; it is returned in the response. The access line names
//! the route template, never the raw path or query: paths hold meeting codes, which are
//! capabilities, and queries may hold secrets.

use std::{str::FromStr, time::Duration};

use axum::{
    Router,
    body::HttpBody,
    extract::{MatchedPath, Request},
    http::{HeaderName, HeaderValue, Response},
};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// The access log's target: `--log info,access=warn` silences it.
pub const ACCESS_TARGET: &str = "access";

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How log lines are written on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, the event's fields flattened,
    /// and the request's fields (`request_id`, `method`, `route`) under `span`.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("{other:?}: expected text or json")),
        }
    }
}

/// Keeps the log writer's thread; dropping it writes out what is still queued. Hold it until
/// the process ends.
#[must_use = "logs queued when the guard is dropped are written out then; hold it until exit"]
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Installs the process's log subscriber. A filter that does not parse falls back to `info`
/// (with a warning once logging works).
///
/// Lines go to stdout through a writer thread that writes each batch in one system call: a
/// request thread only formats its line and queues it (an access line per request written
/// synchronously cost a quarter of a cached GET's throughput). The queue blocks rather than
/// drop lines when full; a killed process loses what was still queued.
pub fn init_logging(filter: &str, format: LogFormat) -> LogGuard {
    let (filter, bad) = match EnvFilter::try_new(filter) {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e)),
    };
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    if let Some(e) = bad {
        tracing::warn!(error = %e, "the log filter does not parse; logging at info");
    }
    LogGuard(guard)
}

/// Wraps every route of `router` (call it last, so it is outermost): a request id, a span that
/// carries it, and the access line.
pub fn observe<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .map_request(drop_unusable_request_id)
            .layer(SetRequestIdLayer::new(X_REQUEST_ID.clone(), RandomRequestId))
            .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(())
                    .on_response(access_line)
                    .on_body_chunk(())
                    .on_eos(())
                    .on_failure(()),
            ),
    )
}

/// A client's id is kept only if it is 1–64 characters of `A-Z a-z 0-9 - _ . :`: anything else
/// could forge or break log lines.
fn usable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn drop_unusable_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let unusable = {
        let mut values = headers.get_all(&X_REQUEST_ID).iter();
        match (values.next(), values.next()) {
            (None, _) => false,
            (Some(v), None) => !usable_request_id(v),
            (Some(_), Some(_)) => true,
        }
    };
    if unusable {
        headers.remove(&X_REQUEST_ID);
    }
    request
}

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        new_request_id().map(RequestId::new)
    }
}

/// 128 random bits as 32 hex digits.
fn new_request_id() -> Option<HeaderValue> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&hex).ok()
}

fn request_span<B>(request: &axum::http::Request<B>) -> Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
}

fn access_line<B: HttpBody>(response: &Response<B>, latency: Duration, _: &Span) {
    let status = response.status().as_u16();
    let duration_ms = (latency.as_secs_f64() * 1e6).round() / 1e3;
    // Streams (SSE, exports) have no length up front: their line has no `bytes`.
    match response.body().size_hint().exact() {
        Some(bytes) => tracing::info!(target: ACCESS_TARGET, status, duration_ms, bytes, "request"),
        None => tracing::info!(target: ACCESS_TARGET, status, duration_ms, "request (streamed)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_request_id_is_kept_only_when_it_is_a_plain_token() {
        for good in ["abc", "7f3c-11:ab.CD_9", &"a".repeat(64)] {
            assert!(usable_request_id(&HeaderValue::from_str(good).unwrap()), "{good}");
        }
        for bad in ["", "a b", "x\"y", "line\tbreak", &"a".repeat(65), "é"] {
            let value = HeaderValue::from_bytes(bad.as_bytes()).unwrap();
            assert!(!usable_request_id(&value), "{bad:?}");
        }
    }

    #[test]
    fn generated_request_ids_are_32_hex_digits_and_differ() {
        let a = new_request_id().unwrap();
        let b = new_request_id().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.as_bytes().iter().all(u8::is_ascii_hexdigit), "{a:?}");
        assert_ne!(a, b);
    }

    #[test]
    fn log_formats_parse_from_their_names() {
        assert_eq!("json".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("text".parse::<LogFormat>(), Ok(LogFormat::Text));
        assert!("yaml".parse::<LogFormat>().is_err());
    }
}
