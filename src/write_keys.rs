//! The write keys this device holds, by space: made when it created the space, or read from an
//! edit link (`/s/<id>#key=<seed>`). Kept in localStorage as lines `<space id> <seed>`; the
//! fragment is removed from the address bar once read, so a copied address is a view link.

use linli_sync::{DocumentId, WriteKey};

const STORAGE_KEY: &str = "linli.write-keys";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn lines() -> Vec<(String, String)> {
    let text = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).unwrap_or_default();
    text.lines().filter_map(|line| line.split_once(' ')).map(|(id, seed)| (id.to_owned(), seed.to_owned())).collect()
}

/// The key this device holds for a space, if any.
pub fn saved(id: &DocumentId) -> Option<WriteKey> {
    let id = id.to_string();
    lines().into_iter().find(|(space, _)| *space == id).and_then(|(_, seed)| WriteKey::from_text(&seed))
}

/// Keeps a space's key on this device (replacing an older one, e.g. after a rotation).
pub fn save(id: &DocumentId, key: &WriteKey) {
    let id = id.to_string();
    let mut all: Vec<(String, String)> = lines().into_iter().filter(|(space, _)| *space != id).collect();
    all.push((id, key.to_text()));
    let text: String = all.iter().map(|(space, seed)| format!("{space} {seed}\n")).collect();
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

/// The key in a link's fragment (`#key=<seed>`), if it carries one.
pub fn from_fragment(fragment: &str) -> Option<WriteKey> {
    let fragment = fragment.trim_start_matches('#');
    fragment.split('&').find_map(|part| part.strip_prefix("key=")).and_then(WriteKey::from_text)
}

/// Reads an edit link's key from the address bar, keeps it for the space, and takes it out of
/// the address (so that it is not shared by copying the address, nor shown on screen).
pub fn take_from_address(id: &DocumentId) -> Option<WriteKey> {
    let window = web_sys::window()?;
    let location = window.location();
    let key = from_fragment(&location.hash().ok()?)?;
    save(id, &key);
    let bare = format!("{}{}", location.pathname().ok()?, location.search().ok()?);
    let _ = window.history().ok()?.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
    Some(key)
}

/// The edit link of a space (an absolute URL), which gives whoever holds it the right to write.
pub fn edit_link(origin: &str, id: &DocumentId, key: &WriteKey) -> String {
    format!("{origin}/s/{id}#key={}", key.to_text())
}
