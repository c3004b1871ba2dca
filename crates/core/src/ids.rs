//! IDs of items inside a space (notices, pledges, tasks), made from random bytes the caller gives.

use std::fmt;

/// The ID of one item in a space: 16 lowercase hex digits from 8 random bytes. Items live in maps
/// keyed by this ID, so two neighbours adding items offline never collide or overwrite.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(String);

impl ItemId {
    /// Makes an ID from random bytes (from the platform's cryptographic random source).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        ItemId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Accepts an ID read back from a link or a document, if it has the right shape.
    pub fn parse(text: &str) -> Option<Self> {
        let valid = text.len() == 16 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| ItemId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
