//! Meetifyr's domain: validated types, the best-dates ranking, and the storage seam.
//!
//! Nothing here knows about HTTP or SQL. Every backend implements [`Store`] and runs the
//! contract suite in [`contract`] (feature `contract`), so they cannot drift apart.

mod domain;
mod ranking;
mod store;

#[cfg(feature = "contract")]
pub mod contract;

pub use domain::{
    CreatedParticipant, DateRange, DateRangeError, Location, MAX_RANGE_DAYS, MAX_TEXT_CHARS,
    Meeting, Participant, ParticipantDate, ParticipantName, TextError, Title, Toggle, UrlCode,
};
pub use ranking::{BEST_DATES, best_dates};
pub use store::{Store, StoreError, create_meeting};
