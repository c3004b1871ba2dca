//! A small status line: is this device saved, and is it talking to the relay.

use leptos::prelude::*;

use crate::engine::{EngineHandle, RelayStatus};

#[component]
pub fn SyncBadge() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let (status, unsaved) = {
        let engine = engine.get();
        (engine.relay_status, engine.unsaved_writes)
    };
    view! {
        <p class="sync-badge" role="status" aria-live="polite">
            <span class="saved" data-saved=move || (unsaved.get() == 0).to_string()>
                {move || if unsaved.get() == 0 { "Saved on this device" } else { "Saving…" }}
            </span>
            " · "
            <span class="relay" data-relay=move || format!("{:?}", status.get()).to_lowercase()>
                {move || match status.get() {
                    RelayStatus::Online => "Synced with the relay",
                    RelayStatus::Connecting => "Connecting to the relay…",
                    RelayStatus::Offline => "Offline: changes wait on this device",
                }}
            </span>
        </p>
    }
}
