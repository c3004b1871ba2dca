//! The keys this device holds for each space, as share addresses carry them: the write key of an
//! organise address (`/s/<id>#key=<seed>`, the "edit link" on screen) and the take-part key of a
//! take-part address (`/s/<id>#part=<seed>`). ("Link" in code means a link between spaces.)
//! Kept in localStorage as lines `<space id> <seed>`, one list per kind; the fragment is taken out
//! of the address bar once read, so a copied address is a view address. A fragment never reaches
//! any server. The page keeps the keys as text; the engine reads them.

use linli_view::address_text::is_key_text;

/// One kind of key: where it is kept and how a link's fragment names it.
struct Shelf {
    storage_key: &'static str,
    fragment: &'static str,
}

const WRITE: Shelf = Shelf { storage_key: "linli.write-keys", fragment: "key" };
const PARTICIPATE: Shelf = Shelf { storage_key: "linli.participate-keys", fragment: "part" };

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl Shelf {
    fn lines(&self) -> Vec<(String, String)> {
        let text = storage().and_then(|s| s.get_item(self.storage_key).ok().flatten()).unwrap_or_default();
        text.lines().filter_map(|line| line.split_once(' ')).map(|(id, seed)| (id.to_owned(), seed.to_owned())).collect()
    }

    fn saved(&self, id: &str) -> Option<String> {
        self.lines().into_iter().find(|(space, _)| *space == id).map(|(_, seed)| seed).filter(|seed| is_key_text(seed))
    }

    /// Keeps a space's seed (replacing an older one, e.g. after the key moved).
    fn save(&self, id: &str, seed: &str) {
        let id = id.to_owned();
        let mut all: Vec<(String, String)> = self.lines().into_iter().filter(|(space, _)| *space != id).collect();
        all.push((id, seed.to_owned()));
        let text: String = all.iter().map(|(space, seed)| format!("{space} {seed}\n")).collect();
        if let Some(storage) = storage() {
            let _ = storage.set_item(self.storage_key, &text);
        }
    }

    fn in_fragment<'a>(&self, fragment: &'a str) -> Option<&'a str> {
        let prefix = format!("{}=", self.fragment);
        fragment.trim_start_matches('#').split('&').find_map(|part| part.strip_prefix(prefix.as_str())).filter(|seed| is_key_text(seed))
    }
}

/// The write key this device holds for a space, if any.
pub fn saved_write(id: &str) -> Option<String> {
    WRITE.saved(id)
}

pub fn save_write(id: &str, key: &str) {
    WRITE.save(id, key);
}

/// The take-part key this device holds for a space (from a take-part link), if any.
pub fn saved_take_part(id: &str) -> Option<String> {
    PARTICIPATE.saved(id)
}

pub fn save_take_part(id: &str, key: &str) {
    PARTICIPATE.save(id, key);
}

/// Keeps whatever keys a pasted or opened link's fragment carries for the space.
pub fn keep_from_fragment(id: &str, fragment: &str) {
    if let Some(key) = WRITE.in_fragment(fragment) {
        save_write(id, key);
    }
    if let Some(key) = PARTICIPATE.in_fragment(fragment) {
        save_take_part(id, key);
    }
}

/// Reads a link's keys from the address bar, keeps them for the space, and takes them out of the
/// address (so that they are not shared by copying the address, nor shown on screen).
pub fn take_from_address(id: &str) {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let Ok(fragment) = location.hash() else { return };
    if WRITE.in_fragment(&fragment).is_none() && PARTICIPATE.in_fragment(&fragment).is_none() {
        return;
    }
    keep_from_fragment(id, &fragment);
    if let (Ok(path), Ok(search), Ok(history)) = (location.pathname(), location.search(), window.history()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{search}")));
    }
}

/// The edit ("organise") link of a space, an absolute URL: whoever holds it may change anything.
pub fn edit_link(origin: &str, id: &str, key: &str) -> String {
    format!("{origin}/s/{id}#{}={key}", WRITE.fragment)
}

/// The take-part link of a path in a space (`/s/<id>/pledges/<pledge>`, or a kiosk's `/k/<id>`):
/// whoever opens it may sign, raise requests, comment and vote, as themselves.
pub fn take_part_link(origin: &str, path: &str, key: &str) -> String {
    format!("{origin}{path}#{}={key}", PARTICIPATE.fragment)
}
