//! A space's view as bytes, for what is drawn before the engine has the space: the copy the page
//! keeps of its last visit (src/engine/kept_view.rs) and the picture a relay serves at
//! `/view/<space id>` (crates/relay/src/space_view.rs). bincode, with a size limit: bytes that are
//! damaged, or from another version of Linli, decode to `None`, never to a panic or a huge
//! allocation.

use bincode::Options;
use linli_model::{Collection, Space};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A view larger than this is not read.
pub const MAX_BYTES: u64 = 64 << 20;

/// Bumped whenever `Space` (or what is kept with it) changes shape: a view of another format is
/// not read.
pub const FORMAT: u32 = 7;

fn codec() -> impl Options {
    bincode::DefaultOptions::new().with_limit(MAX_BYTES)
}

/// `value` as bytes, prefixed by [`FORMAT`].
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    codec().serialize(&(FORMAT, value)).unwrap_or_default()
}

/// The value in `bytes`, if they are a view of this format.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let (format, value): (u32, T) = codec().deserialize(bytes).ok()?;
    (format == FORMAT).then_some(value)
}

/// Only what a screen about one item needs: the space's settings, its members, categories and
/// boards, and that item (`collection/id`, e.g. `pledges/…`); the rest is left out.
pub fn focused_on(space: &Space, item: &str) -> Space {
    let (collection, id) = item.split_once('/').unwrap_or((item, ""));
    let collection = Collection::from_name(collection);
    let keep = |wanted: Collection| collection == Some(wanted);
    let mut focused = Space {
        schema: space.schema,
        name: space.name.clone(),
        description: space.description.clone(),
        created_at: space.created_at,
        languages: space.languages.clone(),
        kiosk: space.kiosk.clone(),
        categories: space.categories.clone(),
        responsibilities: space.responsibilities.clone(),
        members: space.members.clone(),
        boards: space.boards.clone(),
        bodies: space.bodies.clone(),
        moderation: space.moderation.clone(),
        links: space.links.clone(),
        ..Space::default()
    };
    if keep(Collection::Notices) {
        focused.notices.extend(space.notices.get(id).map(|n| (id.to_owned(), n.clone())));
    }
    if keep(Collection::Pledges) {
        focused.pledges.extend(space.pledges.get(id).map(|p| (id.to_owned(), p.clone())));
    }
    if keep(Collection::Tasks) {
        focused.tasks.extend(space.tasks.get(id).map(|t| (id.to_owned(), t.clone())));
    }
    if keep(Collection::Meetings) {
        focused.meetings.extend(space.meetings.get(id).map(|m| (id.to_owned(), m.clone())));
    }
    if keep(Collection::Consultations) {
        focused.consultations.extend(space.consultations.get(id).map(|c| (id.to_owned(), c.clone())));
        focused.tallies.extend(space.tallies.get(id).map(|t| (id.to_owned(), t.clone())));
    }
    focused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_and_damage_reads_as_nothing() {
        let space = Space { name: "Sanfang".into(), ..Space::default() };
        let bytes = encode(&space);
        assert_eq!(decode::<Space>(&bytes), Some(space));
        assert_eq!(decode::<Space>(&bytes[..bytes.len() / 2]), None);
        let mut other_format = bytes.clone();
        other_format[0] = other_format[0].wrapping_add(1);
        assert_eq!(decode::<Space>(&other_format), None);
        // A huge claimed length is refused, not allocated.
        assert_eq!(decode::<Space>(&[1, 252, 255, 255, 255, 255, 0]), None);
    }
}
