//! Organiser keys: random, shown once, stored only as a hash.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Characters of random codes and keys: base62, so a double click selects all of it.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` characters of base62 drawn uniformly from the OS random source.
pub(crate) fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 32];
    while out.len() < len {
        // The OS random source failing is not something a request can recover from.
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        // Bytes of 248 and up are dropped, so each of the 62 characters is equally likely.
        for b in bytes.iter().filter(|b| **b < 248).take(len - out.len()) {
            out.push(char::from(ALPHABET[usize::from(*b % 62)]));
        }
    }
    out
}

/// The secret that lets a meeting's organiser change its range, finalize or delete it: 22
/// base62 characters (131 random bits). Only its [`KeyHash`] is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct OrganiserKey(String);

impl OrganiserKey {
    const LEN: usize = 22;

    pub fn generate() -> Self {
        Self(random_base62(Self::LEN))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }
}

impl std::fmt::Debug for OrganiserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrganiserKey(…)")
    }
}

/// The stored form of an organiser key: SHA-256, as 64 lowercase hex digits. A fast hash is
/// enough for 131 random bits (nothing to guess); passwords, chosen by people, use Argon2id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHash(String);

impl KeyHash {
    pub fn of(key: &str) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        Self(hex)
    }

    /// A hash read back from a store.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is the key of this hash, in time that does not depend on where
    /// the two differ.
    pub fn matches(&self, presented: &str) -> bool {
        let presented = Self::of(presented);
        bool::from(self.0.as_bytes().ct_eq(presented.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_base62_and_match_only_their_hash() {
        let a = OrganiserKey::generate();
        let b = OrganiserKey::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_alphanumeric()));
        let hash = a.hash();
        assert_eq!(hash.as_str().len(), 64);
        assert!(hash.matches(a.as_str()));
        assert!(!hash.matches(b.as_str()));
        assert!(!hash.matches(""));
        assert_eq!(format!("{a:?}"), "OrganiserKey(…)", "never printed");
    }

    #[test]
    fn the_hash_is_sha256() {
        assert_eq!(
            KeyHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
