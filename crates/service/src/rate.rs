//! Rates of the limits: what `--rate-limit-*` flags take. Meetifyr's limits are governor's
//! GCRA; a rate is its quota.

use std::{fmt, num::NonZeroU32, str::FromStr, time::Duration};

use governor::Quota;

/// `N/s`, `N/min` or `N/h`: N requests at once, then one every period ÷ N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl Rate {
    pub fn quota(self) -> Quota {
        let interval = self.per / self.count.get();
        Quota::with_period(interval.max(Duration::from_nanos(1)))
            .expect("a positive period")
            .allow_burst(self.count)
    }

    pub fn unit(self) -> &'static str {
        match self.per.as_secs() {
            1 => "second",
            60 => "minute",
            _ => "hour",
        }
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let err = || format!("{s:?}: expected N/s, N/min or N/h with N ≥ 1, e.g. 20/min");
        let (count, unit) = s.trim().split_once('/').ok_or_else(err)?;
        let count = count.trim().parse::<NonZeroU32>().map_err(|_| err())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(err()),
        };
        Ok(Self { count, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        // Given the forms the flags accept
        for (text, count, secs, shown) in [
            ("20/min", 20, 60, "20/min"),
            ("5/s", 5, 1, "5/s"),
            (" 3 / h ", 3, 3600, "3/h"),
        ] {
            // When parsed
            let rate: Rate = text.parse().unwrap();
            // Then count, period and display agree
            assert_eq!((rate.count.get(), rate.per.as_secs()), (count, secs), "{text}");
            assert_eq!(rate.to_string(), shown);
        }
        for bad in ["0/s", "20", "20/day", "x/min", "-1/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad} accepted");
        }
    }
}
