//! The reading keys one device holds for a space: its member key's, the organisers' if it holds
//! the organise link, and every team key those open.

use linli_seal::{ReadingKey, open};

use super::team_keys::team_key_place;
use crate::Space;

/// Reading keys, tried in order.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<ReadingKey>,
}

impl Keyring {
    /// The keys of a device with member key `member_seed` and, if it organises the space, the
    /// seeds of the write key and of the earlier ones the document keeps sealed under it.
    pub fn new(member_seed: Option<&[u8; 32]>, write_seeds: &[[u8; 32]]) -> Keyring {
        let keys = member_seed.map(ReadingKey::of_member).into_iter().chain(write_seeds.iter().map(super::organisers_reading_key)).collect();
        Keyring { keys }
    }

    /// These keys and every team key of `space` they open.
    pub fn with_teams(&self, space: &Space) -> Keyring {
        let mut keys = self.keys.clone();
        for (category, team) in &space.responsibilities {
            for (reader, key) in &team.keys {
                if let Ok(secret) = open(&key.secret, &team_key_place(category, reader), &self.keys)
                    && let Ok(bytes) = <[u8; 32]>::try_from(secret.as_slice())
                {
                    let team_key = ReadingKey::from_bytes(bytes);
                    if team_key.reader().to_hex() == *reader {
                        keys.push(team_key);
                    }
                }
            }
        }
        Keyring { keys }
    }

    pub fn keys(&self) -> &[ReadingKey] {
        &self.keys
    }

    /// Whether this keyring holds no key at all (a device that has not started).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
