//! What the browser provides that the pure crates must be given: the time and random bytes.

use linli_model::Timestamp;

/// Now, from the browser's clock (`std::time` panics on wasm32).
pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// Random bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the browser provides crypto.getRandomValues");
    bytes
}

/// `N` random bytes as lowercase hex.
pub fn random_hex<const N: usize>() -> String {
    random_bytes::<N>().iter().map(|b| format!("{b:02x}")).collect()
}

/// The relay that served this page: same host, WebSocket scheme.
pub fn own_relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/", location.host().ok()?))
}
