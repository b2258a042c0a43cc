//! `POST /api/inventory/reserve?lock_type=optimistic|pessimistic`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use bytes::Bytes;
use serde::Deserialize;

use super::input::{Errors, Field, parse};
use super::{AppState, Params, Sales, invalidate};
use crate::error::{ApiError, ApiResult};
use crate::model::Reservation;
use crate::store::inventory;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Reserve {
    product_id: Field<i64>,
    quantity: Field<i64>,
}

pub async fn reserve(
    State(state): State<AppState>,
    Query(params): Query<Params>,
    body: Bytes,
) -> ApiResult<Json<Reservation>> {
    let pessimistic = match params.get("lock_type").map(String::as_str) {
        None | Some("optimistic") => false,
        Some("pessimistic") => true,
        Some(other) => {
            return Err(ApiError::field(
                "lock_type",
                format!("\"{other}\" is not a valid choice: optimistic or pessimistic."),
            ));
        }
    };
    let request = parse::<Reserve>(&body)?;
    let mut errors = Errors::default();
    let product_id = request.product_id.valid().copied();
    if product_id.is_none() {
        errors.add("product_id", "A valid integer is required.");
    }
    let quantity = request.quantity.valid().copied();
    match quantity {
        Some(q) if (1..=1_000_000).contains(&q) => {}
        Some(_) => errors.add("quantity", "Ensure this value is between 1 and 1000000."),
        None => errors.add("quantity", "A valid integer is required."),
    }
    let (Some(product_id), Some(quantity), true) = (product_id, quantity, errors.is_empty()) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, errors.into_value()));
    };
    let remaining = if pessimistic {
        inventory::reserve_pessimistic(&state.db, product_id, quantity).await
    } else {
        inventory::reserve_optimistic(&state.db, product_id, quantity).await
    };
    // Stock may have changed even when the answer is an error (e.g. a lost connection).
    invalidate(&state, &[product_id], Sales::Unchanged);
    Ok(Json(Reservation {
        product_id,
        reserved: quantity,
        remaining_stock: remaining?,
    }))
}
