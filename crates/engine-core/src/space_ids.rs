//! The page's name for a space this engine holds.

use linli_sync::DocumentId;
use linli_view::SpaceId;

/// A space's document ID as the page names it: its text.
pub(crate) fn space_id(id: DocumentId) -> SpaceId {
    SpaceId::parse(&id.to_string()).expect("a document ID's text has a space ID's shape")
}
