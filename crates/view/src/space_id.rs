//! How a space is named across the worker boundary: [`SpaceId`], the text of its document ID.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::address_text::is_space_id;

/// A space's document ID as text (bs58 of 16 bytes and a 4-byte checksum). Made only from text
/// of that shape ([`SpaceId::parse`]); the engine checks the checksum when it opens the space.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpaceId(String);

impl SpaceId {
    /// The ID in `text`, if it has a space ID's shape.
    ///
    /// ```
    /// use linli_view::SpaceId;
    /// let id = SpaceId::parse("4Rct2D13W3DMKTJnGf3GVwvaTqHB").unwrap();
    /// assert_eq!(id.as_str(), "4Rct2D13W3DMKTJnGf3GVwvaTqHB");
    /// assert!(SpaceId::parse("pledges").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<SpaceId> {
        is_space_id(text).then(|| SpaceId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SpaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// So that maps keyed by `SpaceId` are looked up by the text a route gives.
impl Borrow<str> for SpaceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SpaceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
