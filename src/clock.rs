//! The browser's clock as a signal that ticks, so a screen follows time without a redraw (a
//! consultation's form goes away at its deadline, "closes in" counts down).

use std::time::Duration;

use leptos::prelude::*;
use linli_model::Timestamp;

use crate::platform;

/// Now, updated every `every` for as long as the calling component lives.
pub fn ticking_now(every: Duration) -> Signal<Timestamp> {
    let now = RwSignal::new(platform::now());
    if let Ok(handle) = set_interval_with_handle(move || now.set(platform::now()), every) {
        on_cleanup(move || handle.clear());
    }
    now.into()
}
