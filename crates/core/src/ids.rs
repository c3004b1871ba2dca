//! IDs inside a space (items and members), made from random bytes the caller gives.

use std::fmt;

/// 16 lowercase hex digits from 8 random bytes.
fn hex_of(bytes: [u8; 8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_hex16(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The ID of one item in a space (a notice, pledge, board, column, task, comment, category…).
/// Items live in maps keyed by this ID, so neighbours adding items offline never collide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(String);

impl ItemId {
    /// Makes an ID from random bytes (from the platform's cryptographic random source).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        ItemId(hex_of(bytes))
    }

    /// Accepts an ID read back from a link or a document, if it has the right shape.
    pub fn parse(text: &str) -> Option<Self> {
        is_hex16(text).then(|| ItemId(text.to_owned()))
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

/// One person on one device, as a member of spaces. The first 8 bytes of every Automerge actor
/// this member writes with are these bytes, so each change can be traced to its member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemberId([u8; 8]);

impl MemberId {
    pub fn from_random(bytes: [u8; 8]) -> Self {
        MemberId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }

    pub fn parse(text: &str) -> Option<Self> {
        if !is_hex16(text) {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(MemberId(bytes))
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_of(self.0))
    }
}
