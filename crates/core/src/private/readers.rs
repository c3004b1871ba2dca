//! Who a private request is sealed to: the resident who raised it (their member key), the
//! organisers (the space's write key, read as an X25519 key, so every holder of the organise link
//! reads with the seed they already hold) and its category's team (its newest reading key).

use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use linli_seal::{Reader, ReadingKey};

use crate::Responsibility;

/// The organisers' reader: the space's write key as an X25519 key (none in an open space).
pub fn organisers_reader(doc: &AutoCommit) -> Option<Reader> {
    match doc.get(ROOT, "write_key").ok().flatten() {
        Some((Value::Scalar(value), _)) => match value.as_ref() {
            ScalarValue::Bytes(bytes) if bytes.len() == 32 => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                Reader::of_member(&hex)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The organisers' reading key, from the write key's seed (what an organise link carries).
pub fn organisers_reading_key(write_seed: &[u8; 32]) -> ReadingKey {
    ReadingKey::of_member(write_seed)
}

/// The readers of a request raised by `raiser` in a category whose team is `team`: the raiser,
/// the organisers and the team's newest key, each once.
pub fn request_readers(doc: &AutoCommit, team: Option<&Responsibility>, raiser: &str) -> Vec<Reader> {
    let mut readers: Vec<Reader> =
        [Reader::of_member(raiser), organisers_reader(doc), team.and_then(Responsibility::current_key).and_then(Reader::from_hex)].into_iter().flatten().collect();
    readers.sort();
    readers.dedup();
    readers
}
