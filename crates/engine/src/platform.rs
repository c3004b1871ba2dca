//! What the worker gives the engine core that the core may not take itself: the time and
//! random bytes.

use linli_model::Timestamp;

/// Now, from the browser's clock (`std::time` panics on wasm32).
pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

/// Fills `bytes` from `crypto.getRandomValues`.
pub fn fill_random(bytes: &mut [u8]) {
    getrandom::fill(bytes).expect("the browser provides crypto.getRandomValues");
}
