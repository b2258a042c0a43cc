//! `/api/orders/…` and `/api/orders/bulk`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::input::{Errors, Field, Lenient, LooseInt, parse};
use super::{
    AppState, MAX_BULK_ORDERS, Params, Sales, envelope, invalidate, json_bytes, optimized, page_number, path_id,
};
use crate::error::{ApiError, ApiResult};
use crate::model::{BulkCreated, NewItem, NewOrder, OrderDetail, OrderSummary, Page, Status};
use crate::store::orders;

/// One item of an order.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ItemInput {
    product_id: Field<i64>,
    quantity: Field<i64>,
}

/// `POST /api/orders/`, and each of a bulk request's orders.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateOrder {
    user_id: Field<LooseInt>,
    items: Field<Vec<Lenient<ItemInput>>>,
}

impl ItemInput {
    /// The item, or its errors (an empty map when it has none).
    fn validate(self) -> Result<NewItem, Errors> {
        let mut e = Errors::default();
        let product_id = self.product_id.valid().copied();
        match &self.product_id {
            Field::Missing => e.add("product_id", "This field is required."),
            Field::Invalid(_) => e.add("product_id", "A valid integer is required."),
            Field::Valid(_) => {}
        }
        let quantity = self.quantity.valid().copied();
        match self.quantity {
            Field::Missing => e.add("quantity", "This field is required."),
            Field::Invalid(_) => e.add("quantity", "A valid integer is required."),
            Field::Valid(q) if q < 1 => e.add("quantity", "Ensure this value is greater than or equal to 1."),
            Field::Valid(q) if q > 1_000_000 => {
                e.add("quantity", "Ensure this value is less than or equal to 1000000.")
            }
            Field::Valid(_) => {}
        }
        match (product_id, quantity, e.is_empty()) {
            (Some(product_id), Some(quantity), true) => Ok(NewItem { product_id, quantity }),
            _ => Err(e),
        }
    }
}

impl CreateOrder {
    /// The order, or its errors in DRF's nested shape.
    fn validate(self) -> Result<NewOrder, Value> {
        let mut errors = Errors::default();
        let user_id = match self.user_id {
            Field::Missing => {
                errors.add("user_id", "This field is required.");
                0
            }
            Field::Valid(LooseInt(id)) if (0..=i32::MAX as i64).contains(&id) => id,
            _ => {
                errors.add("user_id", "A valid integer is required.");
                0
            }
        };
        let mut items = Vec::new();
        match self.items {
            Field::Missing => errors.add("items", "This field is required."),
            Field::Valid(list) if list.is_empty() => errors.add("items", "최소 1개 이상의 상품이 필요합니다."),
            Field::Valid(list) if list.len() > 100 => {
                errors.add("items", "Ensure this field has no more than 100 elements.");
            }
            Field::Valid(list) => {
                let mut item_errors = Vec::with_capacity(list.len());
                let mut any = false;
                for Lenient(item) in list {
                    match item.validate() {
                        Ok(item) => {
                            items.push(item);
                            item_errors.push(json!({}));
                        }
                        Err(e) => {
                            any = true;
                            item_errors.push(e.into_value());
                        }
                    }
                }
                if any {
                    errors.add_value("items", Value::Array(item_errors));
                }
            }
            Field::Invalid(_) => errors.add("items", "Expected a list of items but got type \"dict\"."),
        }
        errors.finish(|| NewOrder { user_id, items })
    }
}

/// The order as the write routes answer it (read back with the optimised query).
async fn read_back(state: &AppState, id: i64) -> ApiResult<OrderDetail> {
    let (detail, _) = orders::detail(&state.db, id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(detail)
}

pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let order = parse::<CreateOrder>(&body)?
        .validate()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let (ids, products) = orders::place(&state.db, std::slice::from_ref(&order)).await?;
    invalidate(&state, &products, Sales::Changed);
    Ok((StatusCode::CREATED, Json(read_back(&state, ids[0]).await?)).into_response())
}

/// `POST /api/orders/bulk`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BulkOrders {
    orders: Field<Vec<Lenient<CreateOrder>>>,
}

pub async fn bulk(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let list = match parse::<BulkOrders>(&body)?.orders {
        Field::Valid(list) => list,
        Field::Missing => return Err(ApiError::field("orders", "This field is required.")),
        Field::Invalid(_) => return Err(ApiError::field("orders", "Expected a list of items.")),
    };
    if list.len() > MAX_BULK_ORDERS {
        return Err(ApiError::field("orders", "한 번에 최대 1000개까지 생성 가능합니다."));
    }
    let total = list.len();
    let mut orders = Vec::with_capacity(total);
    let mut errors = Vec::with_capacity(total);
    for Lenient(order) in list {
        match order.validate() {
            Ok(order) => {
                orders.push(order);
                errors.push(json!({}));
            }
            Err(e) => errors.push(e),
        }
    }
    if orders.len() != total {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, json!({"orders": errors})));
    }
    let ids = if orders.is_empty() {
        Vec::new()
    } else {
        let (ids, products) = orders::place(&state.db, &orders).await?;
        invalidate(&state, &products, Sales::Changed);
        ids
    };
    let created = BulkCreated {
        created: ids.len(),
        order_ids: ids,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let (detail, queries) = orders::detail(&state.db, id, optimized(&params))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = serde_json::to_vec(&detail)?;
    Ok(json_bytes(StatusCode::OK, body.into(), Some(queries)))
}

/// `PATCH /api/orders/{id}/`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateOrder {
    status: Field<Value>,
}

pub async fn update(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let status = match parse::<UpdateOrder>(&body)?.status {
        Field::Missing => return Err(ApiError::field("status", "This field is required.")),
        Field::Valid(Value::String(s)) if Status::parse(&s).is_some() => Status::parse(&s).expect("checked"),
        Field::Valid(other) | Field::Invalid(other) => {
            let shown = other.as_str().map_or_else(|| other.to_string(), str::to_owned);
            return Err(ApiError::field("status", format!("\"{shown}\" is not a valid choice.")));
        }
    };
    if !orders::set_status(&state.db, id, status).await? {
        return Err(ApiError::not_found());
    }
    Ok(Json(read_back(&state, id).await?).into_response())
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let touched = orders::delete(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    invalidate(&state, &touched, Sales::Changed);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> ApiResult<Json<Page<OrderSummary>>> {
    let count = orders::count(&state.db).await?;
    let number = page_number(&params, count)?;
    let results = orders::page(&state.db, number).await?;
    Ok(Json(envelope(
        &headers,
        "/api/orders/",
        &params,
        number,
        count,
        results,
    )))
}
