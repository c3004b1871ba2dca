//! The reading keys one device holds for a space: its member key's, the organisers' if it holds
//! the organise link, and every team key those open.

use linli_seal::{Opener, ReadingKey};

use super::team_keys::team_key_place;
use crate::Space;

/// Reading keys, tried in order.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<ReadingKey>,
    /// The member's own key: what this device seals with.
    member: Option<ReadingKey>,
}

impl Keyring {
    /// The keys of a device with member key `member_seed` and, if it organises the space, the
    /// seeds of the write key and of the earlier ones the document keeps sealed under it.
    pub fn new(member_seed: Option<&[u8; 32]>, write_seeds: &[[u8; 32]]) -> Keyring {
        let member = member_seed.map(ReadingKey::of_member);
        let keys = member.clone().into_iter().chain(write_seeds.iter().map(super::organisers_reading_key)).collect();
        Keyring { keys, member }
    }

    /// These keys and every team key of `space` they open.
    pub fn with_teams(&self, space: &Space) -> Keyring {
        let mut keys = self.keys.clone();
        let opener = self.opener();
        for (category, team) in &space.responsibilities {
            for (reader, key) in &team.keys {
                if let Ok(secret) = opener.open(&key.secret, &team_key_place(category, reader))
                    && let Ok(bytes) = <[u8; 32]>::try_from(secret.as_slice())
                {
                    let team_key = ReadingKey::from_bytes(bytes);
                    if team_key.reader().to_hex() == *reader {
                        keys.push(team_key);
                    }
                }
            }
        }
        Keyring { keys, member: self.member.clone() }
    }

    /// An opener with these keys (it keeps the key agreements it makes: use one for many values).
    pub fn opener(&self) -> Opener {
        Opener::new(self.keys.clone())
    }

    /// The member's own key, which this device seals what it writes with.
    pub fn member(&self) -> Option<&ReadingKey> {
        self.member.as_ref()
    }

    pub fn keys(&self) -> &[ReadingKey] {
        &self.keys
    }

    /// Whether this keyring holds no key at all (a device that has not started).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
