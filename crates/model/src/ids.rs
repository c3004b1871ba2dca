//! IDs inside a space (items and members), made from random bytes the caller gives, and the
//! mark a new item's ID carries of the device session that made it.

use serde::{Deserialize, Serialize};

use std::fmt;

/// 16 lowercase hex digits from 8 random bytes.
fn hex_of(bytes: [u8; 8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What a new item's ID carries of the one who made it: 8 bytes of a hash of the Automerge actor
/// (member and device session) that writes it, as 16 hex digits (linli-core's
/// `Author::item_mark` makes it). Every peer checks that an item made in a space carries its
/// maker's mark, so no one can make an item under an ID someone else made or may make
/// (docs/capabilities.md, "New means new everywhere").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemMark([u8; 8]);

impl ItemMark {
    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        ItemMark(bytes)
    }

    /// Reads a mark back from its 16 hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        if !is_hex(text, 16) {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ItemMark(bytes))
    }
}

impl fmt::Display for ItemMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_of(self.0))
    }
}

/// The ID of one item in a space (a notice, pledge, board, column, task, comment, category…).
/// Items live in maps keyed by this ID, so neighbours adding items offline never collide. An ID
/// is 32 hex digits, the maker's mark and 8 random bytes ([`ItemId::marked`]); 16 random digits in
/// spaces made before marks, and for the starter categories a space is made with.
///
/// ```
/// use linli_model::{ItemId, ItemMark};
///
/// // The mark comes from the author (linli-core's `Author::item_mark`), the rest from random bytes.
/// let mark = ItemMark::from_bytes([0xa1; 8]);
/// let id = ItemId::marked(mark, [7; 8]);
/// assert_eq!(id.as_str(), "a1a1a1a1a1a1a1a10707070707070707");
/// assert_eq!(id.mark(), Some(mark));
///
/// // Text read back from a link or a document is checked before it becomes an ID.
/// assert_eq!(ItemId::parse(id.as_str()), Some(id.clone()));
/// assert_eq!(ItemId::parse("not an id"), None);
/// // Older, unmarked IDs still parse, and carry no mark.
/// assert_eq!(ItemId::parse("0707070707070707").unwrap().mark(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemId(String);

impl ItemId {
    /// An ID of 16 digits from random bytes, as items were made before marks (and as tests make
    /// items of such spaces).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        ItemId(hex_of(bytes))
    }

    /// A new item's ID: the maker's mark, then random bytes (from the platform's cryptographic
    /// random source).
    pub fn marked(mark: ItemMark, random: [u8; 8]) -> Self {
        ItemId(format!("{mark}{}", hex_of(random)))
    }

    /// Accepts an ID read back from a link or a document, if it has the right shape.
    pub fn parse(text: &str) -> Option<Self> {
        (is_hex(text, 16) || is_hex(text, 32)).then(|| ItemId(text.to_owned()))
    }

    /// The mark of the one who made the item, for a marked ID.
    pub fn mark(&self) -> Option<ItemMark> {
        if self.0.len() == 32 { ItemMark::parse(&self.0[..16]) } else { None }
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

/// A member of spaces: who signs, raises requests and comments.
///
/// Since the take-part tier, a member is the **public half of a member key** (Ed25519, 32
/// bytes) kept on the member's devices: every Linli peer checks that what is written under a
/// keyed member's ID was signed with that key (docs/capabilities.md). An older Linli made
/// members of 8 random bytes with no key (`from_random`); their entries still read, but nothing
/// proves who wrote them. Written as lowercase hex: 64 digits for a keyed member, 16 for an older
/// one. Every Automerge actor a member writes with starts with these bytes (see `Author`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberId {
    bytes: [u8; 32],
    len: u8,
}

impl MemberId {
    /// A member with no key, as an older Linli made them (and as tests make throwaway members).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let mut all = [0u8; 32];
        all[..8].copy_from_slice(&bytes);
        MemberId { bytes: all, len: 8 }
    }

    /// The member whose key has this public half.
    pub fn from_public_key(key: [u8; 32]) -> Self {
        MemberId { bytes: key, len: 32 }
    }

    /// The member's bytes: the public key (32 bytes), or an older member's 8 random bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The public key, for a keyed member.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        self.is_keyed().then_some(self.bytes)
    }

    /// Whether this member has a key (and so whatever is written in its name is proven).
    pub fn is_keyed(&self) -> bool {
        self.len == 32
    }

    /// Reads a member ID back from text: 64 hex digits (keyed) or 16 (an older member).
    pub fn parse(text: &str) -> Option<Self> {
        let len = match text.len() {
            16 => 8,
            64 => 32,
            _ => return None,
        };
        if !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().take(len).enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(MemberId { bytes, len: len as u8 })
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_bytes().iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_id_carries_its_makers_mark_and_reads_back() {
        let mark = ItemMark::from_bytes([0xa1; 8]);
        let id = ItemId::marked(mark, [7; 8]);
        assert_eq!(id.as_str().len(), 32);
        assert_eq!(ItemId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.mark(), Some(mark));
        assert_eq!(ItemMark::parse(&mark.to_string()), Some(mark));
        assert_eq!(ItemId::from_random([7; 8]).mark(), None);
        assert_eq!(ItemId::parse(&"a".repeat(24)), None);
        assert_eq!(ItemId::parse(&"A".repeat(32)), None);
    }

    #[test]
    fn member_ids_read_back_from_text_keyed_or_not() {
        let keyed = MemberId::from_public_key([0xab; 32]);
        assert_eq!(keyed.to_string().len(), 64);
        assert_eq!(MemberId::parse(&keyed.to_string()), Some(keyed));
        assert!(keyed.is_keyed());
        let older = MemberId::from_random([1; 8]);
        assert_eq!(older.to_string(), "0101010101010101");
        assert_eq!(MemberId::parse("0101010101010101"), Some(older));
        assert!(!older.is_keyed());
        assert_ne!(MemberId::parse(&"01".repeat(32)), Some(older));
        assert_eq!(MemberId::parse("0101"), None);
        assert_eq!(MemberId::parse(&"AB".repeat(32)), None);
    }
}
