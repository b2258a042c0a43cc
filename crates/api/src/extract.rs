//! Request parsing with FastAPI's validation errors: every problem in a body is reported at
//! once, each naming its field in `loc`.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use meetifyr_core::{Availability, DaySet, TextError};
use serde_json::{Map, Value, json};

/// The pattern every text field documents: no U+0000 (PostgreSQL cannot store it).
pub const NO_NUL: &str = "^[^\\u0000]*$";

use crate::error::{ApiError, FieldError, availability_error};

/// A request body type built from JSON with field-level validation.
pub trait FromBody: Sized {
    fn from_body(fields: &mut Fields<'_>) -> Option<Self>;
}

/// A validated JSON body. Bad JSON, a missing body and bad fields answer 422; an oversized
/// body answers 413.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: FromBody> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "request body is too large")
            } else {
                ApiError::detail(StatusCode::BAD_REQUEST, rejection.body_text())
            }
        })?;
        let value = parse_json(&bytes)?;
        let mut fields = Fields::of(&value)?;
        let parsed = T::from_body(&mut fields);
        match (parsed, fields.errors.is_empty()) {
            (Some(body), true) => Ok(Body(body)),
            _ => Err(ApiError::Validation(fields.errors)),
        }
    }
}

pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "missing",
            vec![json!("body")],
            "Field required",
            Value::Null,
        )]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let position = byte_offset(bytes, e.line(), e.column());
        ApiError::Validation(vec![
            FieldError::new(
                "json_invalid",
                vec![json!("body"), json!(position)],
                "JSON decode error",
                json!({}),
            )
            .with_ctx(json!({ "error": e.to_string() })),
        ])
    })
}

/// serde_json reports line and column; FastAPI reports an offset into the body.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

/// Field accessors over a JSON object that record a [`FieldError`] for each problem.
pub struct Fields<'a> {
    whole: &'a Value,
    object: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(crate) fn of(body: &'a Value) -> Result<Self, ApiError> {
        match body {
            Value::Object(object) => Ok(Self {
                whole: body,
                object,
                errors: Vec::new(),
            }),
            other => Err(ApiError::Validation(vec![FieldError::new(
                "model_attributes_type",
                vec![json!("body")],
                "Input should be a valid dictionary or object to extract fields from",
                other.clone(),
            )])),
        }
    }

    /// The problems found so far.
    pub(crate) fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    pub(crate) fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether the key is present (null counts as absent).
    pub(crate) fn has(&self, name: &str) -> bool {
        !matches!(self.object.get(name), None | Some(Value::Null))
    }

    /// Whether a list under one of `names` holds a string that is more than a date (a slot
    /// start time): how an answer to a time meeting is told from one to a day meeting.
    pub(crate) fn lists_times(&self, names: &[&str]) -> bool {
        names.iter().filter_map(|n| self.object.get(*n)).any(|v| {
            v.as_array()
                .is_some_and(|items| items.iter().any(|i| i.as_str().is_some_and(|s| s.len() > 10)))
        })
    }

    /// A list of at most `max` RFC 3339 instants with an offset; an absent optional one is
    /// empty.
    pub(crate) fn instants(&mut self, name: &str, required: bool, max: usize) -> Option<Vec<DateTime<FixedOffset>>> {
        let value = if required {
            self.get(name)?
        } else {
            match self.object.get(name) {
                None | Some(Value::Null) => return Some(Vec::new()),
                Some(v) => v,
            }
        };
        let Value::Array(items) = value else {
            self.errors.push(FieldError::new(
                "list_type",
                Self::loc(name),
                "Input should be a valid list",
                value.clone(),
            ));
            return None;
        };
        if items.len() > max {
            self.errors.push(
                FieldError::new(
                    "too_long",
                    Self::loc(name),
                    format!(
                        "List should have at most {max} items after validation, not {}",
                        items.len()
                    ),
                    json!(items.len()),
                )
                .with_ctx(json!({ "field_type": "List", "max_length": max, "actual_length": items.len() })),
            );
            return None;
        }
        let before = self.errors.len();
        let instants = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let parsed = item.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
                if parsed.is_none() {
                    self.errors.push(FieldError::new(
                        "datetime_parsing",
                        vec![json!("body"), json!(name), json!(i)],
                        "Input should be a slot start time in RFC 3339 with an offset, \
                         for example 2026-03-02T09:00:00+09:00",
                        item.clone(),
                    ));
                }
                parsed
            })
            .collect();
        (self.errors.len() == before).then_some(instants)
    }

    fn loc(name: &str) -> Vec<Value> {
        vec![json!("body"), json!(name)]
    }

    fn get(&mut self, name: &str) -> Option<&'a Value> {
        let value = self.object.get(name);
        if value.is_none() {
            self.errors.push(FieldError::new(
                "missing",
                Self::loc(name),
                "Field required",
                self.whole.clone(),
            ));
        }
        value
    }

    /// An RFC 3339 instant or null, under a key that must be present.
    pub(crate) fn optional_instant(&mut self, name: &str) -> Option<Option<DateTime<FixedOffset>>> {
        let value = self.get(name)?;
        if value.is_null() {
            return Some(None);
        }
        match value.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
            Some(t) => Some(Some(t)),
            None => {
                self.errors.push(FieldError::new(
                    "datetime_parsing",
                    Self::loc(name),
                    "Input should be a slot start time in RFC 3339 with an offset, \
                     for example 2026-03-02T09:00:00+09:00",
                    value.clone(),
                ));
                None
            }
        }
    }

    /// An optional string (absent or null: `Some(None)`).
    pub(crate) fn optional_string(&mut self, name: &str) -> Option<Option<&'a str>> {
        if !self.has(name) {
            return Some(None);
        }
        self.string(name).map(Some)
    }

    /// A required string.
    pub fn string(&mut self, name: &str) -> Option<&'a str> {
        match self.get(name)? {
            Value::String(s) => Some(s),
            other => {
                self.errors.push(FieldError::new(
                    "string_type",
                    Self::loc(name),
                    "Input should be a valid string",
                    other.clone(),
                ));
                None
            }
        }
    }

    /// A required string checked by a domain constructor (see [`NO_NUL`]).
    pub fn text<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, TextError>) -> Option<T> {
        let raw = self.string(name)?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let (kind, ctx) = match e {
                    TextError::TooShort { min } => ("string_too_short", json!({ "min_length": min })),
                    TextError::TooLong { max } => ("string_too_long", json!({ "max_length": max })),
                    TextError::Nul => ("string_pattern_mismatch", json!({ "pattern": NO_NUL })),
                };
                let error = FieldError::new(kind, Self::loc(name), e.to_string(), json!(raw)).with_ctx(ctx);
                self.errors.push(error);
                None
            }
        }
    }

    /// An optional password: absent or null is none; else 1 to 128 characters without U+0000.
    /// `None` when invalid (the error is recorded).
    pub fn password(&mut self) -> Option<Option<String>> {
        let max = meetifyr_service::MAX_PASSWORD_CHARS;
        let value = match self.object.get("password") {
            None | Some(Value::Null) => return Some(None),
            Some(v) => v,
        };
        let loc = Self::loc("password");
        let Value::String(s) = value else {
            self.errors.push(FieldError::new(
                "string_type",
                loc,
                "Input should be a valid string",
                value.clone(),
            ));
            return None;
        };
        let n = s.chars().count();
        let error = if s.contains('\0') {
            Some((
                "string_pattern_mismatch",
                "String should not contain the character U+0000".to_owned(),
                json!({ "pattern": NO_NUL }),
            ))
        } else if n < 1 {
            Some((
                "string_too_short",
                "String should have at least 1 character".to_owned(),
                json!({ "min_length": 1 }),
            ))
        } else if n > max {
            Some((
                "string_too_long",
                format!("String should have at most {max} characters"),
                json!({ "max_length": max }),
            ))
        } else {
            None
        };
        match error {
            // The password itself is never echoed back.
            Some((kind, msg, ctx)) => {
                self.errors
                    .push(FieldError::new(kind, loc, msg, json!("…")).with_ctx(ctx));
                None
            }
            None => Some(Some(s.clone())),
        }
    }

    /// A `YYYY-MM-DD` date or null, under a key that must be present.
    pub fn optional_date(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        match self.get(name)? {
            Value::Null => Some(None),
            value => date_value(value, Self::loc(name), &mut self.errors).map(Some),
        }
    }

    /// A required `YYYY-MM-DD` date.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let value = self.get(name)?;
        date_value(value, Self::loc(name), &mut self.errors)
    }

    /// A list of at most [`DaySet::CAPACITY`] `YYYY-MM-DD` dates; an absent optional one is empty.
    pub fn dates(&mut self, name: &str, required: bool) -> Option<Vec<NaiveDate>> {
        let value = if required {
            self.get(name)?
        } else {
            match self.object.get(name) {
                None | Some(Value::Null) => return Some(Vec::new()),
                Some(v) => v,
            }
        };
        let Value::Array(items) = value else {
            self.errors.push(FieldError::new(
                "list_type",
                Self::loc(name),
                "Input should be a valid list",
                value.clone(),
            ));
            return None;
        };
        let max = DaySet::CAPACITY;
        if items.len() > max {
            self.errors.push(
                FieldError::new(
                    "too_long",
                    Self::loc(name),
                    format!(
                        "List should have at most {max} items after validation, not {}",
                        items.len()
                    ),
                    value.clone(),
                )
                .with_ctx(json!({ "field_type": "List", "max_length": max, "actual_length": items.len() })),
            );
            return None;
        }
        let before = self.errors.len();
        let dates: Vec<NaiveDate> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| date_value(item, vec![json!("body"), json!(name), json!(i)], &mut self.errors))
            .collect();
        (self.errors.len() == before).then_some(dates)
    }

    /// An answer from its two lists, each problem reported at its item.
    pub fn availability(&mut self, free: Vec<NaiveDate>, starred: Vec<NaiveDate>) -> Option<Availability> {
        Availability::new(free, starred)
            .map_err(|problems| self.errors.extend(problems.iter().map(availability_error)))
            .ok()
    }

    /// A string or null, under a key that must be present.
    pub(crate) fn nullable_string(&mut self, name: &str) -> Option<Option<&'a str>> {
        match self.object.get(name) {
            Some(Value::Null) => Some(None),
            _ => self.string(name).map(Some),
        }
    }

    /// An optional boolean (absent or null: `default`).
    pub(crate) fn optional_boolean(&mut self, name: &str, default: bool) -> Option<bool> {
        if !self.has(name) {
            return Some(default);
        }
        self.boolean(name)
    }

    /// Records that the value under `name` is not valid, saying why.
    pub(crate) fn invalid(&mut self, name: &str, why: &str) {
        let value = self.object.get(name).cloned().unwrap_or(Value::Null);
        self.errors.push(FieldError::new(
            "value_error",
            Self::loc(name),
            format!("Value error, {why}"),
            value,
        ));
    }

    /// A required boolean: `true` or `false` only.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.errors.push(FieldError::new(
                    "bool_type",
                    Self::loc(name),
                    "Input should be a valid boolean",
                    other.clone(),
                ));
                None
            }
        }
    }

    /// A required integer from `low` to `high` (pydantic's `ge` and `le`).
    pub fn int_within(&mut self, name: &str, low: i64, high: i64) -> Option<i64> {
        let n = self.int(name)?;
        let (kind, msg) = match n {
            n if n < low => (
                "greater_than_equal",
                format!("Input should be greater than or equal to {low}"),
            ),
            n if n > high => (
                "less_than_equal",
                format!("Input should be less than or equal to {high}"),
            ),
            n => return Some(n),
        };
        self.errors.push(FieldError::new(kind, Self::loc(name), msg, json!(n)));
        None
    }

    /// A required integer. Like pydantic's lax mode, integral floats and numeric strings pass.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let value = self.get(name)?;
        let parsed = match value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or("int_from_float"),
            Value::String(s) => s.trim().parse::<i64>().map_err(|_| "int_parsing"),
            _ => Err("int_type"),
        };
        parsed
            .map_err(|kind| {
                let msg = match kind {
                    "int_parsing" => "Input should be a valid integer, unable to parse string as an integer",
                    "int_from_float" => "Input should be a valid integer, got a number with a fractional part",
                    _ => "Input should be a valid integer",
                };
                self.errors
                    .push(FieldError::new(kind, Self::loc(name), msg, value.clone()));
            })
            .ok()
    }
}

/// One `YYYY-MM-DD` value at `loc`, or its error (in pydantic's words) added to `errors`.
fn date_value(value: &Value, loc: Vec<Value>, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let parsed = match value {
        Value::String(s) => parse_date(s).map_err(|why| {
            FieldError::new(
                "date_from_datetime_parsing",
                loc,
                format!("Input should be a valid date or datetime, {why}"),
                value.clone(),
            )
            .with_ctx(json!({ "error": why }))
        }),
        _ => Err(FieldError::new(
            "date_type",
            loc,
            "Input should be a valid date",
            value.clone(),
        )),
    };
    parsed.map_err(|e| errors.push(e)).ok()
}

/// Strict ISO `YYYY-MM-DD`; the error says why, in pydantic's words.
pub fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    let b = s.as_bytes();
    if b.len() < 10 {
        return Err("input is too short");
    }
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err("invalid date separator, expected `-`");
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4) as i32, num(5..7), num(8..10));
    if !(1..=12).contains(&month) {
        return Err("month value is outside expected range of 1-12");
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or("day value is outside expected range")
}

/// An integer path parameter, refused in FastAPI's words when it is not one.
pub struct IntPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IntPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::detail(StatusCode::BAD_REQUEST, e.body_text()))?;
        let Some((name, raw)) = params.iter().next() else {
            return Err(ApiError::detail(StatusCode::NOT_FOUND, "Not Found"));
        };
        raw.parse::<i64>().map(IntPath).map_err(|_| {
            ApiError::Validation(vec![FieldError::new(
                "int_parsing",
                vec![json!("path"), json!(name)],
                "Input should be a valid integer, unable to parse string as an integer",
                json!(raw),
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_strict_iso() {
        assert_eq!(
            parse_date("2025-12-31"),
            Ok(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
        );
        assert_eq!(parse_date("2025-02-30"), Err("day value is outside expected range"));
        assert_eq!(
            parse_date("2025-13-01"),
            Err("month value is outside expected range of 1-12")
        );
        assert_eq!(parse_date("2025-1-1"), Err("input is too short"));
        assert!(parse_date("2025/01/01").is_err());
        assert!(parse_date("2025-01-01T00").is_err());
        assert!(parse_date("+025-01-01").is_err());
    }

    #[test]
    fn json_error_offsets_count_from_the_start_of_the_body() {
        assert_eq!(byte_offset(b"{\n  \"a\": x}", 2, 8), 9);
        assert_eq!(byte_offset(b"{", 1, 1), 0);
    }
}
