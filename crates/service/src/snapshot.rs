//! A meeting as it is served: its GET body, serialized once per version and shared by the
//! response cache, the routes and the live hub.

use bytes::Bytes;

use crate::json::{CLOSED_TAIL, MeetingJson, OPEN_TAIL};

/// A meeting's GET body, the version it shows, and when its answers close.
pub struct MeetingSnapshot {
    pub version: i64,
    /// Seconds since the epoch: from then on the body says `answers_open: false`.
    pub closes_at: Option<i64>,
    pub json: Bytes,
}

impl MeetingSnapshot {
    /// The cache holds bytes: the version and when answers close (8 bytes each, big-endian;
    /// `i64::MIN` for never) then the JSON, written into one buffer (the body is a slice of
    /// it: no copy).
    pub(crate) fn encode(meeting: &meetifyr_core::Meeting) -> Result<Bytes, serde_json::Error> {
        let json = MeetingJson(meeting);
        let mut out = Vec::with_capacity(16 + json.size_hint());
        out.extend_from_slice(&meeting.version.to_be_bytes());
        let closes_at = meeting.answers_close_at().map_or(i64::MIN, |t| t.timestamp());
        out.extend_from_slice(&closes_at.to_be_bytes());
        json.write(&mut out)?;
        Ok(out.into())
    }

    pub(crate) fn decode(encoded: Bytes) -> Self {
        let version = i64::from_be_bytes(encoded[..8].try_into().expect("8 bytes"));
        let closes_at = i64::from_be_bytes(encoded[8..16].try_into().expect("8 bytes"));
        Self {
            version,
            closes_at: (closes_at != i64::MIN).then_some(closes_at),
            json: encoded.slice(16..),
        }
    }

    /// The snapshot as served at `now`: the same bytes while answers are open, and once they
    /// closed (a deadline passes without a write) a body saying so, under an entity tag of its own.
    pub fn as_of(self, now: chrono::DateTime<chrono::Utc>) -> Self {
        match self.closes_at {
            Some(at) if now.timestamp() >= at && self.json.ends_with(OPEN_TAIL) => {
                let mut json = Vec::with_capacity(self.json.len() + 1);
                json.extend_from_slice(&self.json[..self.json.len() - OPEN_TAIL.len()]);
                json.extend_from_slice(CLOSED_TAIL);
                Self {
                    json: json.into(),
                    ..self
                }
            }
            _ => self,
        }
    }

    /// Whether this body says answers are closed.
    pub fn closed(&self) -> bool {
        self.json.ends_with(CLOSED_TAIL)
    }

    /// The strong entity tag of this version: `"N"`, and `"N-closed"` once answers closed
    /// without a new version.
    pub fn etag(&self) -> String {
        if self.closed() {
            format!("\"{}-closed\"", self.version)
        } else {
            format!("\"{}\"", self.version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(deadline: meetifyr_core::Deadline) -> meetifyr_core::Meeting {
        meetifyr_core::Meeting {
            url_code: meetifyr_core::UrlCode::parse("Abc123").unwrap(),
            title: String::new(),
            location: String::new(),
            grid: meetifyr_core::Grid::Days(None),
            version: 7,
            participants: Vec::new(),
            final_date: None,
            organiser_key_hash: None,
            final_slots: None,
            deadline,
        }
    }

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_cached_body_says_answers_closed_once_its_deadline_passed() {
        // Given a meeting whose answers close at 09:00 UTC, encoded (as cached) before then
        let deadline = meetifyr_core::Deadline {
            at: Some(at("2026-12-10T09:00:00Z")),
            ..meetifyr_core::Deadline::NONE
        };
        let encoded = MeetingSnapshot::encode(&meeting(deadline)).unwrap();
        let body = |s: &MeetingSnapshot| serde_json::from_slice::<serde_json::Value>(&s.json).unwrap();
        // When it is served a second before, Then answers are open under the version's tag
        let before = MeetingSnapshot::decode(encoded.clone()).as_of(at("2026-12-10T08:59:59Z"));
        assert_eq!(body(&before)["answers_open"], true);
        assert_eq!(before.etag(), "\"7\"");
        // When it is served at the deadline, Then the same version says closed, under its own tag
        let after = MeetingSnapshot::decode(encoded).as_of(at("2026-12-10T09:00:00Z"));
        assert_eq!(body(&after)["answers_open"], false);
        assert_eq!(body(&after)["answers_close_at"], "2026-12-10T09:00:00Z");
        assert_eq!((after.version, after.etag().as_str()), (7, "\"7-closed\""));
    }

    #[test]
    fn a_meeting_without_a_deadline_is_always_open() {
        let encoded = MeetingSnapshot::encode(&meeting(meetifyr_core::Deadline::NONE)).unwrap();
        let served = MeetingSnapshot::decode(encoded).as_of(at("2100-01-01T00:00:00Z"));
        assert_eq!(served.closes_at, None);
        assert!(!served.closed());
        assert_eq!(served.etag(), "\"7\"");
    }
}
