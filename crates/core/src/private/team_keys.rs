//! A team's reading keys. Organisers make them: a first key when the team is set up, the same keys
//! sealed also to each member who joins (so they read the team's past requests too), and a new key,
//! sealed to those who stay, when a member leaves (what they already read stays on their device;
//! what is raised from then on is sealed to the new key).

use std::collections::BTreeSet;

use linli_seal::{Reader, ReadingKey, open, reseal_to, seal};

use crate::{Responsibility, TeamKey, Timestamp};

/// Where a team key's secret is sealed: `responsibilities/<category>/keys/<reader>`.
pub fn team_key_place(category: &str, reader: &str) -> String {
    format!("responsibilities/{category}/keys/{reader}")
}

/// `next` (a team as an organiser sets it) with its reading keys carried over from `before` (the
/// team as the document holds it) and brought up to date with its members. `keys` open the
/// team's keys (the organisers' reading key); `organisers` is the organisers' reader.
pub fn with_team_keys(category: &str, before: Option<&Responsibility>, next: &Responsibility, organisers: Option<Reader>, keys: &[ReadingKey], now: Timestamp) -> Responsibility {
    let members = |team: Option<&Responsibility>| -> BTreeSet<String> {
        team.map(|t| t.members.iter().filter(|(m, on)| **on && Reader::of_member(m).is_some()).map(|(m, _)| m.clone()).collect()).unwrap_or_default()
    };
    let (was, is) = (members(before), members(Some(next)));
    let mut out = Responsibility { team: next.team.clone(), members: next.members.clone(), keys: before.map(|b| b.keys.clone()).unwrap_or_default() };
    let readers_of = |who: &BTreeSet<String>| -> Vec<Reader> { who.iter().filter_map(|m| Reader::of_member(m)).chain(organisers).collect() };
    let added: BTreeSet<String> = is.difference(&was).cloned().collect();
    if !added.is_empty() {
        let newcomers: Vec<Reader> = added.iter().filter_map(|m| Reader::of_member(m)).collect();
        // A key these keys cannot open (sealed before the write key moved) stays as it was.
        for key in out.keys.values_mut() {
            if let Ok(wider) = reseal_to(&key.secret, keys, &newcomers) {
                key.secret = wider;
            }
        }
    }
    let someone_left = was.difference(&is).next().is_some();
    let current_opens = out
        .current_key()
        .and_then(|reader| out.keys.get(reader).map(|key| (reader.to_owned(), key.secret.clone())))
        .is_some_and(|(reader, secret)| open(&secret, &team_key_place(category, &reader), keys).is_ok());
    let readers = readers_of(&is);
    // A key no one could open (no keyed member, and an open space has no organisers' key) is not
    // made.
    if !readers.is_empty() && (out.keys.is_empty() || someone_left || (!added.is_empty() && !current_opens)) {
        let key = ReadingKey::generate();
        let reader = key.reader().to_hex();
        let secret = seal(&key.to_bytes(), &team_key_place(category, &reader), None, &readers);
        // The newest key is the one sealed to: a new key's time comes after every other's, even
        // on a device whose clock is behind.
        let since = out.keys.values().map(|k| k.since.0 + 1).max().map_or(now, |after| Timestamp(now.0.max(after)));
        out.keys.insert(reader, TeamKey { since, secret });
    }
    out
}
