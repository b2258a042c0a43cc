//! Meetifyr's use cases, shared by every transport (the HTTP API, the web pages, the bus):
//! read a meeting through the response cache, write and announce, push to live watchers, check
//! organiser keys and passwords. It knows no HTTP: its errors are [`ServiceError`]s, which each
//! transport turns into its own answers.
//!
//! Modules, each importing only those listed before it:
//! `error`, `rate`, `json` (a meeting's GET body) ← `snapshot` ← `live` (the hub) ← `auth`
//! ← `bus` (announcements between instances, through the [`Subscriber`] trait) ← `state`
//! ([`StoreService`], which implements it).

mod auth;
mod bus;
mod error;
mod json;
mod live;
mod rate;
mod redis_server;
mod shared_limit;
mod snapshot;
mod state;

pub use auth::{Auth, MAX_PASSWORD_CHARS, PASSWORD_HEADER};
pub use bus::{Bus, BusOptions, Subscriber};
pub use error::ServiceError;
pub use json::MeetingJson;
pub use live::{Frame, Live, LiveOptions};
pub use rate::Rate;
pub use redis_server::RedisServer;
pub use shared_limit::SharedLimits;
pub use snapshot::MeetingSnapshot;
pub use state::StoreService;
