//! This device's member ID: made once, kept in localStorage, used for every space.

use linli_core::MemberId;

use crate::platform;

const KEY: &str = "linli.member";

/// The member ID of whoever uses this browser profile, made on first use.
pub fn member_id() -> MemberId {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(id) = storage.as_ref().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|text| MemberId::parse(&text)) {
        return id;
    }
    let id = MemberId::from_random(platform::random_bytes());
    if let Some(storage) = storage {
        let _ = storage.set_item(KEY, &id.to_string());
    }
    id
}
