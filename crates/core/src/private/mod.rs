//! Private requests (docs/capabilities.md, "Private requests"): a request's title and details,
//! and the comments on it, sealed on the device that writes them to those who may read them —
//! the resident who raised it, the organisers and the team responsible for its category — and
//! opened only on their devices. What everyone still reads: that the request exists, its
//! category, its state and its times.
//!
//! - `readers`: who a request is sealed to, and the organisers' reading key.
//! - `team_keys`: a team's reading keys, made and shared by organisers.
//! - `keyring`: the reading keys a device holds for a space.
//! - `opening`: a space as one device may read it.

mod keyring;
mod opening;
mod readers;
mod team_keys;

pub use keyring::Keyring;
pub use opening::{open_member, open_private, open_task, read_request_payload, request_payload};
pub use readers::{organisers_reader, organisers_reading_key, request_readers};
pub use team_keys::{team_key_place, with_team_keys};
