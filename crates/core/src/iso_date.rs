//! `YYYY-MM-DD` without chrono's general-purpose format machinery: GET writes and reads
//! hundreds of dates per response, and the generic path showed up in profiles.

use chrono::{Datelike, NaiveDate};

/// The date as `YYYY-MM-DD` (years 0 to 9999).
pub fn format_iso_date(date: NaiveDate) -> [u8; 10] {
    let (y, m, d) = (date.year().clamp(0, 9999) as u32, date.month(), date.day());
    let digit = |n: u32| b'0' + (n % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ]
}

/// Strict `YYYY-MM-DD`; `None` for anything else or a day that does not exist.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// `#[serde(serialize_with = …)]` for a date.
pub fn serialize_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let bytes = format_iso_date(*date);
    s.serialize_str(std::str::from_utf8(&bytes).expect("ASCII digits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_four_years_round_trips_as_chrono_prints_it() {
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while d.year() < 2028 {
            let text = format_iso_date(d);
            let text = std::str::from_utf8(&text).unwrap();
            assert_eq!(text, d.to_string());
            assert_eq!(parse_iso_date(text), Some(d));
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn malformed_or_impossible_dates_do_not_parse() {
        for s in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "2025/01/01",
            "20250101xx",
            "2025-01-0a",
            "",
        ] {
            assert_eq!(parse_iso_date(s), None, "{s}");
        }
        assert_eq!(parse_iso_date("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
    }
}
