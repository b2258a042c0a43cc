//! `/api/products/…` and `/api/search/products`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

use super::input::{Errors, Field, parse};
use super::{AppState, Params, Sales, cached_product_view, envelope, invalidate, page_number, param_money, path_id};
use crate::error::{ApiError, ApiResult};
use crate::model::{CATEGORIES, NewProduct, Page, ProductSummary, parse_money};
use crate::store::products::{self, Filter, OrderBy};

/// The list and search filters: `category`, `min_price`, `max_price`, `q`.
fn filter(params: &Params) -> ApiResult<Filter> {
    Ok(Filter {
        min_price: param_money(params, "min_price")?,
        max_price: param_money(params, "max_price")?,
        category: params.get("category").cloned(),
        text: params.get("q").cloned(),
        in_stock: false,
    })
}

/// `ordering`: a product field, optionally with `-`; anything else is 400 naming the parameter.
fn ordering(params: &Params) -> ApiResult<OrderBy> {
    let Some(ordering) = params.get("ordering") else {
        return Ok(OrderBy::Default);
    };
    OrderBy::parse(ordering).ok_or_else(|| {
        let field = ordering.strip_prefix('-').unwrap_or(ordering);
        ApiError::field(
            "ordering",
            format!(
                "Unknown field \"{field}\"; use one of id, name, price, stock, category, description, updated_at, created_at, optionally prefixed with -."
            ),
        )
    })
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> ApiResult<Json<Page<ProductSummary>>> {
    let order = ordering(&params)?;
    let filter = filter(&params)?;
    let count = products::count(&state.db, &filter).await?;
    let number = page_number(&params, count)?;
    let results = products::page(&state.db, &filter, order, number).await?;
    Ok(Json(envelope(
        &headers,
        "/api/products/",
        &params,
        number,
        count,
        results,
    )))
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<ProductSummary>>> {
    let filter = Filter {
        in_stock: params.get("in_stock").is_some_and(|v| v == "true"),
        ..filter(&params)?
    };
    Ok(Json(products::search(&state.db, &filter).await?))
}

pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Response> {
    cached_product_view(&state, &id, &params, "detail", |db, id, optimize| async move {
        Ok(products::detail(&db, id, optimize).await?)
    })
    .await
}

/// `POST /api/products/`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateProduct {
    name: Field<String>,
    price: Field<Value>,
    stock: Field<i64>,
    category: Field<String>,
}

impl CreateProduct {
    fn validate(self) -> Result<NewProduct, Value> {
        let mut errors = Errors::default();
        let name = self.name.valid().map(|n| n.trim()).unwrap_or_default().to_owned();
        if name.is_empty() {
            errors.add("name", "This field is required.");
        } else if name.chars().count() > 200 {
            errors.add("name", "Ensure this field has no more than 200 characters.");
        }
        // A DecimalField reads a JSON string or number.
        let price = match &self.price {
            Field::Valid(Value::String(s)) => parse_money(s),
            Field::Valid(Value::Number(n)) => parse_money(&n.to_string()),
            Field::Missing => Err("This field is required."),
            _ => Err("A valid number is required."),
        };
        if let Err(m) = price {
            errors.add("price", m);
        }
        let stock = match &self.stock {
            Field::Missing => Ok(0),
            Field::Valid(s) if (0..=i32::MAX as i64).contains(s) => Ok(*s),
            _ => Err("Ensure this value is a valid integer ≥ 0."),
        };
        if let Err(m) = stock {
            errors.add("stock", m);
        }
        let category = self.category.valid().cloned().unwrap_or_default();
        if !CATEGORIES.contains(&category.as_str()) {
            errors.add("category", format!("\"{category}\" is not a valid choice."));
        }
        errors.finish(|| NewProduct {
            name,
            price_cents: price.unwrap_or(0),
            stock: stock.unwrap_or(0),
            category,
        })
    }
}

pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let product = parse::<CreateProduct>(&body)?
        .validate()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let created = products::insert(&state.db, &product).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let deleted = products::delete(&state.db, id).await?;
    invalidate(&state, &[id], Sales::Changed);
    if !deleted {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
