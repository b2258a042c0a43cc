//! Meetifyr's domain: validated types, the best-dates ranking, and the storage seam.
//!
//! Nothing here knows about HTTP or SQL. Every backend implements [`Store`] and runs the
//! contract suite in [`contract`] (feature `contract`), so they cannot drift apart.

mod clock;
mod day_windows;
mod deadline;
mod domain;
mod grid;
mod iso_date;
mod ranking;
mod secret;
mod store;
mod times;

#[cfg(feature = "contract")]
pub mod contract;

pub use chrono_tz::Tz;
pub use clock::Clock;
pub use day_windows::{DayWindowQuery, RankedDayWindow, Weekdays, rank_day_windows};
pub use deadline::{Deadline, day_over, local_instant};
pub use domain::{
    Availability, AvailabilityError, AvailabilityProblem, CreatedParticipant, DateId, DateRange, DateRangeError,
    DaySet, Location, MAX_RANGE_DAYS, MAX_TEXT_CHARS, Meeting, Participant, ParticipantDate, ParticipantName,
    TextError, Title, Toggle, UrlCode,
};
pub use grid::{Answer, Grid};
pub use iso_date::{format_iso_date, parse_iso_date, serialize_date};
pub use ranking::{
    BEST_DATES, RankedDay, RankedWindow, best_dates, best_slots, free_for, rank_windows, ranking, tally,
};
pub use secret::{KeyHash, OrganiserKey};
pub use store::{
    PoolStats, Store, StoreError, create_meeting, create_meeting_over, duplicate_meeting, final_date_not_applied,
    range_not_applied, remap_answer, toggle_not_applied,
};
pub use times::{
    CellSet, MAX_TIME_DAYS, SLOT_MINUTES, Slot, SlotAnswer, SlotError, SlotProblem, SlotWindow, TimeGrid,
    TimeGridError, TimeGridSpec, format_instant, time_zone_names, utc,
};
