//! Request bodies as typed structs. DRF reports every field's problem at once, so a field is
//! deserialized leniently into [`Field`] (missing, valid, or of the wrong JSON type) and each
//! resource's `validate` turns the struct into a `crate::model::New…` or DRF's error map.

use axum::http::StatusCode;
use bytes::Bytes;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};

/// One field of a body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    /// Absent or `null`.
    #[default]
    Missing,
    Valid(T),
    /// Present with a JSON type `T` cannot be read from.
    Invalid(Value),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if value.is_null() {
            return Ok(Field::Missing);
        }
        Ok(match T::deserialize(&value) {
            Ok(v) => Field::Valid(v),
            Err(_) => Field::Invalid(value),
        })
    }
}

impl<T> Field<T> {
    pub fn valid(&self) -> Option<&T> {
        match self {
            Field::Valid(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Field::Missing)
    }
}

/// An integer given as a JSON number or as a string of digits (DRF's IntegerField takes both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LooseInt(pub i64);

impl<'de> Deserialize<'de> for LooseInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(i) => Ok(LooseInt(i)),
            Raw::Text(s) => s
                .trim()
                .parse()
                .map(LooseInt)
                .map_err(|_| serde::de::Error::custom("not an integer")),
        }
    }
}

/// A primary key given as a JSON number or a string of digits, taken as it is (no trimming).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pk(pub i64);

impl<'de> Deserialize<'de> for Pk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64().map(Pk).ok_or_else(|| serde::de::Error::custom("not a pk")),
            Value::String(s) => s.parse().map(Pk).map_err(|_| serde::de::Error::custom("not a pk")),
            _ => Err(serde::de::Error::custom("not a pk")),
        }
    }
}

/// A JSON object read into `T`; anything else reads as `{}` (every field missing), as DRF's
/// `request.data.get` saw it.
#[derive(Debug, Clone, Default)]
pub struct Lenient<T>(pub T);

impl<'de, T: DeserializeOwned + Default> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Ok(Lenient(if value.is_object() {
            T::deserialize(&value).unwrap_or_default()
        } else {
            T::default()
        }))
    }
}

/// Parses a request body: 400 `JSON parse error - …` for bad JSON.
pub fn parse<T: DeserializeOwned + Default>(body: &Bytes) -> ApiResult<T> {
    let Lenient(value) = serde_json::from_slice::<Lenient<T>>(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"detail": format!("JSON parse error - {e}")}),
        )
    })?;
    Ok(value)
}

/// DRF's field errors, `{"field": ["message"]}`, in the order found.
#[derive(Debug, Default)]
pub struct Errors(Map<String, Value>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.insert(field.into(), json!([message.into()]));
    }

    /// A nested error (a list item's errors).
    pub fn add_value(&mut self, field: &str, value: Value) {
        self.0.insert(field.into(), value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }

    /// `Ok(value)` when no field had a problem, else the 400.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Value> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.into_value())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    struct Body {
        #[serde(default)]
        n: Field<i64>,
        #[serde(default)]
        loose: Field<LooseInt>,
    }

    #[test]
    fn fields_are_missing_valid_or_invalid() {
        let parsed: Body = parse(&Bytes::from_static(br#"{"n": "7", "loose": " 7 "}"#)).unwrap();
        assert_eq!(parsed.n, Field::Invalid(json!("7")));
        assert_eq!(parsed.loose, Field::Valid(LooseInt(7)));
        let parsed: Body = parse(&Bytes::from_static(br#"{"n": 3, "loose": null}"#)).unwrap();
        assert_eq!((parsed.n, parsed.loose), (Field::Valid(3), Field::Missing));
        let parsed: Body = parse(&Bytes::from_static(b"[1, 2]")).unwrap();
        assert_eq!((parsed.n, parsed.loose), (Field::Missing, Field::Missing));
        assert!(parse::<Body>(&Bytes::from_static(b"{")).is_err());
    }
}
