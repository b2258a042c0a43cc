//! A meeting as it is served: its GET body, serialized once per version and shared by the
//! response cache, the routes and the live hub.

use bytes::Bytes;

use crate::json::MeetingJson;

/// A meeting's GET body and the version it shows.
pub struct MeetingSnapshot {
    pub version: i64,
    pub json: Bytes,
}

impl MeetingSnapshot {
    /// The cache holds bytes: the version (8 bytes, big-endian) then the JSON, written into
    /// one buffer (the body is a slice of it: no copy).
    pub(crate) fn encode(meeting: &meetifyr_core::Meeting) -> Result<Bytes, serde_json::Error> {
        let json = MeetingJson(meeting);
        let mut out = Vec::with_capacity(8 + json.size_hint());
        out.extend_from_slice(&meeting.version.to_be_bytes());
        json.write(&mut out)?;
        Ok(out.into())
    }

    pub(crate) fn decode(encoded: Bytes) -> Self {
        let version = i64::from_be_bytes(encoded[..8].try_into().expect("8 bytes"));
        Self {
            version,
            json: encoded.slice(8..),
        }
    }

    /// The strong entity tag of this version: `"N"`.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}
