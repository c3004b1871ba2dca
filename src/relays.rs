//! Which relays this device syncs through: the ones a link names (`?relay=wss://…`, which a
//! village whose relay lives elsewhere can put in its join links), else the ones saved in
//! settings, else the relay that served the page.

const KEY: &str = "linli.relays";

/// The relay WebSocket URLs to dial.
pub fn relay_urls() -> Vec<String> {
    if let Some(from_link) = from_query() {
        return from_link;
    }
    let saved = saved();
    if !saved.is_empty() {
        return saved;
    }
    crate::platform::own_relay_url().into_iter().collect()
}

fn is_ws_url(text: &str) -> bool {
    (text.starts_with("ws://") || text.starts_with("wss://")) && text.len() < 300
}

/// `?relay=` values of the page's address, if any.
fn from_query() -> Option<Vec<String>> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let urls: Vec<String> = params.get_all("relay").iter().filter_map(|v| v.as_string()).filter(|u| is_ws_url(u)).collect();
    (!urls.is_empty()).then_some(urls)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The relay URLs saved in settings on this device.
pub fn saved() -> Vec<String> {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).map(|text| text.lines().map(str::trim).filter(|l| is_ws_url(l)).map(str::to_owned).collect()).unwrap_or_default()
}

/// Why relay addresses were not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSaved {
    /// This line is not a `ws://` or `wss://` address.
    NotAnAddress(String),
    /// The browser keeps no settings here (or refused to).
    NoStorage,
}

/// Saves relay URLs (one per line; empty clears them); refuses anything but `ws://` or `wss://`.
pub fn save(text: &str) -> Result<(), NotSaved> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if let Some(bad) = lines.iter().find(|l| !is_ws_url(l)) {
        return Err(NotSaved::NotAnAddress((*bad).to_owned()));
    }
    let storage = storage().ok_or(NotSaved::NoStorage)?;
    storage.set_item(KEY, &lines.join("\n")).map_err(|_| NotSaved::NoStorage)
}
