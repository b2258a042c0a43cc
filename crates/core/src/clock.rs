//! What time it is, as the service sees it: the system's clock, or a fixed instant so that
//! tests and demos give the same answers on every day of the year.

use chrono::{DateTime, NaiveDate, Utc};

/// The source of "now" for everything that depends on the date (quick picks, calendar stamps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The system's clock.
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// A clock stopped at midday (UTC) of `date`.
    pub fn fixed_on(date: NaiveDate) -> Self {
        Clock::Fixed(date.and_hms_opt(12, 0, 0).expect("midday exists").and_utc())
    }

    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at,
        }
    }

    /// Today's date in UTC.
    pub fn today(self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_always_says_the_same_day() {
        let day = NaiveDate::from_ymd_opt(2027, 2, 28).unwrap();
        let clock = Clock::fixed_on(day);
        assert_eq!((clock.today(), clock.today()), (day, day));
    }
}
