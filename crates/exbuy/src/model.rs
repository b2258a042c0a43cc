//! Values as the original API shows them: decimals as strings with two places, times in UTC ISO
//! 8601 with microseconds (dropped when zero).

use std::time::{SystemTime, UNIX_EPOCH};

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
