//! A small status line: is this device saved, and is it talking to the relay.

use leptos::prelude::*;

use crate::engine::{EngineHandle, RelayStatus};
use crate::i18n::*;

#[component]
pub fn SyncBadge() -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let i18n = use_i18n();
    let (status, unsaved) = {
        let engine = engine.get();
        (engine.relay_status, engine.unsaved_writes)
    };
    view! {
        <p class="sync-badge" role="status" aria-live="polite">
            <span class="saved" data-saved=move || (unsaved.get() == 0).to_string()>
                {move || if unsaved.get() == 0 { t_string!(i18n, saved_on_device) } else { t_string!(i18n, saving) }}
            </span>
            " · "
            <span class="relay" data-relay=move || format!("{:?}", status.get()).to_lowercase()>
                {move || match status.get() {
                    RelayStatus::Online => t_string!(i18n, relay_online),
                    RelayStatus::Connecting => t_string!(i18n, relay_connecting),
                    RelayStatus::Offline => t_string!(i18n, relay_offline),
                }}
            </span>
        </p>
    }
}
