//! Who uses this browser profile: a member key made once (its public half is the member's ID in
//! every space; docs/capabilities.md), and the display name they chose, both in localStorage.
//! The engine makes the key on first start and the page keeps it; the page never reads it as a
//! key. A second device becomes the same member by taking the key from the first (a link shown
//! as a QR code in Settings: `/link#member=<seed>`), so a resident's phone and tablet sign as one.

use linli_view::address_text::is_key_text;

const KEY: &str = "linli.member-key";
const NAME_KEY: &str = "linli.name";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The member key of whoever uses this browser profile, as kept (`None` before the first start).
pub fn member_key_text() -> Option<String> {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).filter(|text| is_key_text(text))
}

/// Keeps the member key the engine made on its first start, unless this profile has one by now:
/// a key adopted from another device (linking) while that first start was under way wins.
pub fn keep_member_key(text: &str) {
    if member_key_text().is_none() {
        store_member_key(text);
    }
}

/// Makes this profile the member whose key is `key` (linking this device to another). Takes
/// effect at the next start of the app.
pub fn adopt_member_key(key: &str) {
    store_member_key(key);
}

fn store_member_key(text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, text);
    }
}

/// The link that makes another device this member, with this device's display name (shown as a
/// QR code, on request only).
pub fn device_link(origin: &str) -> Option<String> {
    let name = display_name().map(|n| format!("&name={}", js_sys::encode_uri_component(&n))).unwrap_or_default();
    Some(format!("{origin}/link#member={}{name}", member_key_text()?))
}

/// The member key and display name a device link's fragment carries.
pub fn from_device_link(fragment: &str) -> (Option<String>, Option<String>) {
    let part = |prefix: &str| fragment.trim_start_matches('#').split('&').find_map(|p| p.strip_prefix(prefix)).map(str::to_owned);
    let key = part("member=").filter(|text| is_key_text(text));
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
