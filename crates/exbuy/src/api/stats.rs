//! `GET /api/stats/top-products?limit=N`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{AppState, Params, TOP_PRODUCTS_TAG, cached, json_bytes, param_int};
use crate::error::{ApiError, ApiResult};
use crate::store::stats;

pub async fn top_products(State(state): State<AppState>, Query(params): Query<Params>) -> ApiResult<Response> {
    let limit = match param_int(&params, "limit")? {
        None => 10,
        Some(l) if (0..=1000).contains(&l) => l,
        Some(_) => return Err(ApiError::field("limit", "Ensure this value is between 0 and 1000.")),
    };
    let key = format!("top-products:{limit}");
    if let Some(bytes) = state.cache.as_ref().and_then(|c| c.get(&key)) {
        return Ok(json_bytes(StatusCode::OK, bytes, None));
    }
    let _one_at_a_time = state.ranking.lock().await;
    let db = state.db.clone();
    cached(&state, &key, vec![TOP_PRODUCTS_TAG.into()], || async move {
        Ok(Some((stats::top_products(&db, limit).await?, 1)))
    })
    .await
}
