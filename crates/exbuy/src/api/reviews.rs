//! `/api/reviews/…` and `/api/products/{id}/reviews/`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;

use super::input::{Errors, Field, Pk, parse};
use super::{AppState, Params, Sales, cached_product_view, envelope, invalidate, page_number, param_int, path_id};
use crate::error::{ApiError, ApiResult};
use crate::model::{NewReview, Page, Review};
use crate::store::{products, reviews};

pub async fn of_product(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Response> {
    cached_product_view(&state, &id, &params, "reviews", |db, id, optimize| async move {
        Ok(reviews::of_product(&db, id, optimize).await?)
    })
    .await
}

/// `POST /api/reviews/`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateReview {
    product: Field<Pk>,
    user_id: Field<i64>,
    rating: Field<i64>,
    body: Field<String>,
}

impl CreateReview {
    /// The review, or DRF's errors; `product_exists` checks the product once it parsed.
    async fn validate(self, product_exists: impl AsyncFnOnce(i64) -> ApiResult<bool>) -> ApiResult<NewReview> {
        let mut errors = Errors::default();
        let product = self.product.valid().map(|p| p.0);
        match &self.product {
            Field::Missing => errors.add("product", "This field is required."),
            Field::Invalid(_) => errors.add("product", "Incorrect type. Expected pk value."),
            Field::Valid(_) => {}
        }
        let user_id = self
            .user_id
            .valid()
            .copied()
            .filter(|u| (0..=i32::MAX as i64).contains(u));
        if user_id.is_none() {
            let m = if self.user_id.is_missing() {
                "This field is required."
            } else {
                "A valid integer is required."
            };
            errors.add("user_id", m);
        }
        let rating = self.rating.valid().copied();
        match &self.rating {
            Field::Missing => errors.add("rating", "This field is required."),
            Field::Invalid(_) => errors.add("rating", "A valid integer is required."),
            Field::Valid(r) if *r < 1 => errors.add("rating", "Ensure this value is greater than or equal to 1."),
            Field::Valid(r) if *r > 5 => errors.add("rating", "Ensure this value is less than or equal to 5."),
            Field::Valid(_) => {}
        }
        let body = self.body.valid().cloned().unwrap_or_default();
        if body.trim().is_empty() {
            let m = if self.body.is_missing() {
                "This field is required."
            } else {
                "This field may not be blank."
            };
            errors.add("body", m);
        } else if body.len() > 10_000 {
            errors.add("body", "Ensure this field has no more than 10000 characters.");
        }
        if let Some(id) = product
            && !product_exists(id).await?
        {
            errors.add("product", format!("Invalid pk \"{id}\" - object does not exist."));
        }
        match (product, user_id, rating, errors.is_empty()) {
            (Some(product), Some(user_id), Some(rating), true) => Ok(NewReview {
                product,
                user_id,
                rating,
                body,
            }),
            _ => Err(ApiError::new(StatusCode::BAD_REQUEST, errors.into_value())),
        }
    }
}

pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let review = parse::<CreateReview>(&body)?
        .validate(async |id| Ok(products::exists(&state.db, id).await?))
        .await?;
    let inserted = reviews::insert(&state.db, &review).await;
    invalidate(&state, &[review.product], Sales::Unchanged);
    Ok((StatusCode::CREATED, Json(inserted?)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> ApiResult<Json<Page<Review>>> {
    let filter = reviews::Filter {
        product_id: param_int(&params, "product_id")?,
        user_id: param_int(&params, "user_id")?,
    };
    let count = reviews::count(&state.db, filter).await?;
    let number = page_number(&params, count)?;
    let results = reviews::page(&state.db, filter, number).await?;
    Ok(Json(envelope(
        &headers,
        "/api/reviews/",
        &params,
        number,
        count,
        results,
    )))
}

pub async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Review>> {
    let id = path_id(&id)?;
    let review = reviews::get(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(review))
}
