//! Who uses this browser profile: a member key made once (its public half is the member's ID in
//! every space; docs/capabilities.md), and the display name they chose, both in localStorage.
//! A second device becomes the same member by taking the key from the first (a link shown as a
//! QR code in Settings: `/link#member=<seed>`), so a resident's phone and tablet sign as one.

use linli_core::MemberId;
use linli_sync::MemberKey;

use crate::platform;

const KEY: &str = "linli.member-key";
const NAME_KEY: &str = "linli.name";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The member key of whoever uses this browser profile, made on first use.
pub fn member_key() -> MemberKey {
    let storage = storage();
    if let Some(key) = storage.as_ref().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|text| MemberKey::from_text(&text)) {
        return key;
    }
    let key = MemberKey::from_seed(platform::random_bytes());
    if let Some(storage) = storage {
        let _ = storage.set_item(KEY, &key.to_text());
    }
    key
}

/// This profile's member ID: the public half of its member key.
pub fn member_id() -> MemberId {
    MemberId::from_public_key(member_key().public())
}

/// Makes this profile the member whose key is `key` (linking this device to another). Takes
/// effect at the next start of the app.
pub fn adopt_member_key(key: &MemberKey) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &key.to_text());
    }
}

/// The link that makes another device this member, with this device's display name (shown as a
/// QR code, on request only).
pub fn device_link(origin: &str) -> String {
    let name = display_name().map(|n| format!("&name={}", js_sys::encode_uri_component(&n))).unwrap_or_default();
    format!("{origin}/link#member={}{name}", member_key().to_text())
}

/// The member key and display name a device link's fragment carries.
pub fn from_device_link(fragment: &str) -> (Option<MemberKey>, Option<String>) {
    let part = |prefix: &str| fragment.trim_start_matches('#').split('&').find_map(|p| p.strip_prefix(prefix)).map(str::to_owned);
    let key = part("member=").and_then(|text| MemberKey::from_text(&text));
    let name = part("name=").and_then(|text| js_sys::decode_uri_component(&text).ok()).and_then(|name| name.as_string());
    (key, name)
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
