//! What ExBuy reads and writes: validated input, the views the API shows (fields in the
//! original's order), and values as the original shows them: decimals as strings with two places, times in UTC ISO
//! 8601 with microseconds (dropped when zero).

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub const CATEGORIES: [&str; 5] = ["electronics", "clothing", "food", "books", "home"];
pub const STATUSES: [&str; 5] = ["pending", "processing", "shipped", "delivered", "cancelled"];

/// Microseconds since the epoch, now.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// `2026-11-21T19:44:34.655766Z`, or without the fraction when it is zero (as DRF does).
pub fn iso(micros: i64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_micros(micros) else {
        return String::new();
    };
    if micros % 1_000_000 == 0 {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// Cents as DRF renders a DecimalField: `"720.55"`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// A price given as a JSON string or number, at most 2 decimal places and 10 digits, ≥ 0.
pub fn parse_money(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return Err("A valid number is required.");
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err("A valid number is required.");
    }
    if frac.len() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.");
    }
    if whole.trim_start_matches('0').len() > 8 {
        return Err("Ensure that there are no more than 8 digits before the decimal point.");
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "A valid number is required.")?
    };
    let frac: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| "A valid number is required.")?;
    Ok(whole * 100 + frac)
}

/// Cents, shown as DRF shows a DecimalField: `"720.55"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub i64);

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&money(self.0))
    }
}

/// Microseconds since the epoch, shown in UTC ISO 8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub i64);

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&iso(self.0))
    }
}

/// An order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
}

impl Status {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "processing" => Self::Processing,
            "shipped" => Self::Shipped,
            "delivered" => Self::Delivered,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        STATUSES[self as usize]
    }
}

// ---- what is written: validated input ----

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub price_cents: i64,
    pub stock: i64,
    pub category: String,
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub product_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub user_id: i64,
    pub items: Vec<NewItem>,
}

#[derive(Debug, Clone)]
pub struct NewReview {
    pub product: i64,
    pub user_id: i64,
    pub rating: i64,
    pub body: String,
}

// ---- what is shown: the original's response bodies, fields in its order ----

#[derive(Debug, Clone, Serialize)]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    pub price: Money,
    pub stock: i64,
    pub category: String,
    pub updated_at: Time,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductDetail {
    pub id: i64,
    pub review_count: i64,
    pub average_rating: Option<f64>,
    pub name: String,
    pub price: Money,
    pub stock: i64,
    pub category: String,
    pub description: String,
    pub updated_at: Time,
    pub created_at: Time,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub product: i64,
    /// Shown in lists, not on the created or single review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    pub user_id: i64,
    pub rating: i64,
    pub body: String,
    pub created_at: Time,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderSummary {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub total_price: Money,
    pub created_at: Time,
    pub updated_at: Time,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderItem {
    pub id: i64,
    pub product: i64,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price: Money,
    pub subtotal: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderDetail {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub total_price: Money,
    pub items: Vec<OrderItem>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl OrderDetail {
    pub fn new(order: OrderSummary, items: Vec<OrderItem>) -> Self {
        Self {
            id: order.id,
            user_id: order.user_id,
            status: order.status,
            total_price: order.total_price,
            items,
            created_at: order.created_at,
            updated_at: order.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TopProduct {
    pub product_id: i64,
    pub product_name: String,
    pub total_quantity: i64,
    pub total_revenue: f64,
    pub order_count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reservation {
    pub product_id: i64,
    pub reserved: i64,
    pub remaining_stock: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkCreated {
    pub created: usize,
    pub order_ids: Vec<i64>,
}

/// DRF's page-number envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_renders_two_places() {
        assert_eq!(money(72055), "720.55");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(100), "1.00");
        assert_eq!(parse_money("720.55"), Ok(72055));
        assert_eq!(parse_money("10"), Ok(1000));
        assert_eq!(parse_money("0.5"), Ok(50));
        assert!(parse_money("1.234").is_err());
        assert!(parse_money("abc").is_err());
        assert!(parse_money("-1").is_err());
    }

    #[test]
    fn times_render_like_drf() {
        assert_eq!(iso(1_763_754_274_655_766), "2025-11-21T19:44:34.655766Z");
        assert_eq!(iso(1_763_754_274_000_000), "2025-11-21T19:44:34Z");
    }
}
