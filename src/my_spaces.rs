//! The spaces this device has opened, remembered in localStorage so the home screen can list them.

const KEY: &str = "linli.spaces";

/// One remembered space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSpace {
    pub id: String,
    pub name: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered spaces, most recent first. One line per space: `<id>\t<name>`.
pub fn list() -> Vec<KnownSpace> {
    let text = storage().and_then(|s| s.get_item(KEY).ok().flatten()).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (id, name) = line.split_once('\t')?;
            linli_view::address_text::is_space_id(id).then(|| KnownSpace { id: id.to_owned(), name: name.to_owned() })
        })
        .collect()
}

/// Remembers (or renames and moves to the top) a space.
pub fn remember(id: &str, name: &str) {
    let mut spaces = list();
    if spaces.first().is_some_and(|s| s.id == id && s.name == name) {
        return;
    }
    spaces.retain(|s| s.id != id);
    let name = name.replace(['\t', '\n', '\r'], " ");
    spaces.insert(0, KnownSpace { id: id.to_owned(), name });
    let text: Vec<String> = spaces.iter().map(|s| format!("{}\t{}", s.id, s.name)).collect();
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &text.join("\n"));
    }
}
