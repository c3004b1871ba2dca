//! The first-visit questions: what neighbours should call you (kept on this device), and in the
//! same card whether to use care mode (larger text and buttons).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::care_mode::CareModeOffer;
use crate::display_name::DisplayName;
use crate::i18n::*;

/// Asks for a display name on the first visit; neighbours see it on signatures and tasks.
#[component]
pub fn NamePrompt() -> impl IntoView {
    let i18n = use_i18n();
    let display = expect_context::<DisplayName>();
    let draft = RwSignal::new(String::new());
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = draft.get_untracked();
        if !name.trim().is_empty() {
            display.set(&name);
        }
    };
    view! {
        <Show when=move || display.0.get().is_none()>
            <form class="card name-prompt no-print take-part" on:submit=save aria-labelledby="name-prompt-heading">
                <h2 id="name-prompt-heading">{t!(i18n, your_name_heading)}</h2>
                <p class="muted">{t!(i18n, your_name_why)}</p>
                <label for="display-name">{t!(i18n, your_name)}</label>
                <input id="display-name" required maxlength="60" autocomplete="nickname"
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev)) />
                <button type="submit">{t!(i18n, save_name)}</button>
                <CareModeOffer />
            </form>
        </Show>
    }
}
