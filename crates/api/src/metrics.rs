//! `GET /metrics`: Prometheus text by default; the JSON summary with `Accept: application/json`
//! or `?format=json`.

use std::sync::Arc;

use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use meetifyr_cache::Cache;
use meetifyr_telemetry::Telemetry;
use serde_json::json;

use crate::NamedStore;

#[derive(Clone)]
pub struct MetricsState {
    pub telemetry: Arc<Telemetry>,
    pub cache: Option<Arc<Cache>>,
    pub stores: Arc<Vec<NamedStore>>,
}

/// HELP texts of the series this module sets (promtool wants one for every metric).
fn describe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::describe_counter!(
            "meetifyr_cache_hits_total",
            "GET-meeting lookups served from the cache."
        );
        metrics::describe_counter!(
            "meetifyr_cache_misses_total",
            "GET-meeting lookups that went to the database."
        );
        metrics::describe_counter!(
            "meetifyr_cache_invalidations_total",
            "Cache entries removed because of writes."
        );
        metrics::describe_counter!(
            "meetifyr_cache_evictions_total",
            "Cache entries dropped to stay within the size bound."
        );
        metrics::describe_counter!(
            "meetifyr_cache_expirations_total",
            "Cache entries dropped when their TTL ran out."
        );
        metrics::describe_gauge!("meetifyr_cache_entries", "Entries in the cache.");
        metrics::describe_histogram!(
            meetifyr_cache::LOOKUP_DURATION,
            metrics::Unit::Seconds,
            "GET-meeting cache lookups: result=hit served from the cache, result=miss loaded from the database."
        );
        metrics::describe_gauge!(
            "meetifyr_cache_bytes",
            metrics::Unit::Bytes,
            "Size of the cached entries."
        );
        metrics::describe_gauge!(
            "meetifyr_db_pool_connections",
            "Database connections per store, in use or idle."
        );
    });
}

/// Request figures, cache statistics and connection pools.
#[utoipa::path(get, path = "/metrics", tag = "Health",
    params(("format" = Option<String>, Query, description = "`json` for the JSON summary")),
    responses((status = 200, description = "Prometheus text exposition, or the JSON summary")))]
pub async fn metrics(State(m): State<MetricsState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    describe();
    let cache = m.cache.as_ref().map(|c| c.stats());
    let pools: Vec<_> = m
        .stores
        .iter()
        .map(|s| (s.name.as_str(), s.store.backend(), s.store.pool_stats()))
        .collect();
    if meetifyr_telemetry::wants_json(&headers, query.as_deref()) {
        let mut summary = m.telemetry.summary();
        summary["cache"] = match cache {
            Some(c) => json!({
                "enabled": true, "hits": c.hits, "misses": c.misses, "hit_rate": (c.hit_rate * 10.0).round() / 10.0,
                "invalidations": c.invalidations, "evictions": c.evictions, "expirations": c.expirations,
                "avg_hit_ms": c.avg_hit_ms, "avg_miss_ms": c.avg_miss_ms, "entries": c.entries, "bytes": c.bytes,
            }),
            None => json!({ "enabled": false }),
        };
        summary["stores"] = pools
            .iter()
            .map(|(name, backend, pool)| {
                let pool = pool.map(|p| json!({ "in_use": p.size - p.idle, "idle": p.idle }));
                ((*name).to_owned(), json!({ "backend": backend, "pool": pool }))
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
        return Json(summary).into_response();
    }
    if let Some(c) = cache {
        metrics::counter!("meetifyr_cache_hits_total").absolute(c.hits);
        metrics::counter!("meetifyr_cache_misses_total").absolute(c.misses);
        metrics::counter!("meetifyr_cache_invalidations_total").absolute(c.invalidations);
        metrics::counter!("meetifyr_cache_evictions_total").absolute(c.evictions);
        metrics::counter!("meetifyr_cache_expirations_total").absolute(c.expirations);
        metrics::gauge!("meetifyr_cache_entries").set(c.entries as f64);
        metrics::gauge!("meetifyr_cache_bytes").set(c.bytes as f64);
    }
    for (name, backend, pool) in &pools {
        if let Some(p) = pool {
            let labels = |state: &'static str| {
                [
                    ("store", (*name).to_owned()),
                    ("backend", (*backend).to_owned()),
                    ("state", state.to_owned()),
                ]
            };
            metrics::gauge!("meetifyr_db_pool_connections", &labels("in_use")).set(f64::from(p.size - p.idle));
            metrics::gauge!("meetifyr_db_pool_connections", &labels("idle")).set(f64::from(p.idle));
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        m.telemetry.prometheus(),
    )
        .into_response()
}
