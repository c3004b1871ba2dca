//! Who uses this browser profile: a member ID made once, and the display name they chose, both
//! kept in localStorage and used for every space.

use linli_core::MemberId;

use crate::platform;

const KEY: &str = "linli.member";
const NAME_KEY: &str = "linli.name";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The member ID of whoever uses this browser profile, made on first use.
pub fn member_id() -> MemberId {
    let storage = storage();
    if let Some(id) = storage.as_ref().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|text| MemberId::parse(&text)) {
        return id;
    }
    let id = MemberId::from_random(platform::random_bytes());
    if let Some(storage) = storage {
        let _ = storage.set_item(KEY, &id.to_string());
    }
    id
}

/// The display name chosen on this device, if one was.
pub fn display_name() -> Option<String> {
    storage().and_then(|s| s.get_item(NAME_KEY).ok().flatten()).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

/// Keeps the display name on this device.
pub fn set_display_name(name: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(NAME_KEY, name.trim());
    }
}
