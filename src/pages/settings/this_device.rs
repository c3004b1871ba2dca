//! What belongs to this device rather than the space: your name here, another device linked to this one, the relays it uses.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::status_line::StatusLine;
use crate::components::qr_code::QrCode;
use crate::display_name::DisplayName;
use crate::i18n::*;
use crate::identity;
use crate::relays;

/// Linking another device to this member, so a resident's phone and tablet sign as one: a QR
/// code of this device's member key, shown only on request (whoever scans it can act as them).
#[component]
pub(super) fn PairDevice() -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    view! {
        <section class="card take-part link-device" aria-labelledby="link-device-heading">
            <h2 id="link-device-heading">{t!(i18n, link_device_heading)}</h2>
            <p class="muted">{t!(i18n, link_device_explained)}</p>
            {move || if let Some(link) = shown.get().then(|| identity::device_link(&origin)).flatten() {
                view! {
                    <p class="notice-box">{t!(i18n, link_device_warning)}</p>
                    <QrCode link=link.clone() label=t_string!(i18n, qr_link_device).to_string() />
                    <p><code class="share-link device-link">{link}</code></p>
                    <button type="button" class="secondary" on:click=move |_| shown.set(false)>{t!(i18n, hide_code)}</button>
                }.into_any()
            } else {
                view! { <button type="button" class="secondary" on:click=move |_| shown.set(true)>{t!(i18n, show_device_code)}</button> }.into_any()
            }}
        </section>
    }
}

#[component]
pub(super) fn YourNameForm() -> impl IntoView {
    let i18n = use_i18n();
    let display = expect_context::<DisplayName>();
    let name = RwSignal::new(display.0.get_untracked().unwrap_or_default());
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        display.set(&name.get_untracked());
        status.set(Some(Ok(())));
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="your-name-heading">
            <h2 id="your-name-heading">{t!(i18n, your_name)}</h2>
            <label for="settings-your-name">{t!(i18n, your_name)}</label>
            <input id="settings-your-name" required maxlength="60" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

/// The relays this device syncs through (kept on this device, used from the next start).
#[component]
pub(super) fn RelaysForm() -> impl IntoView {
    let i18n = use_i18n();
    let urls = RwSignal::new(relays::saved().join("\n"));
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let saved = relays::save(&urls.get_untracked()).map_err(|not| match not {
            relays::NotSaved::NotAnAddress(line) => crate::format::fill(t_string!(i18n, not_a_relay_address), &[("address", &line)]),
            relays::NotSaved::NoStorage => t_string!(i18n, settings_not_saved).to_owned(),
        });
        status.set(Some(saved));
    };
    view! {
        <form class="card" on:submit=save aria-labelledby="relays-heading">
            <h2 id="relays-heading">{t!(i18n, relays)}</h2>
            <p class="muted">{t!(i18n, relays_explained)}</p>
            <label for="relay-urls">{t!(i18n, relay_addresses)}</label>
            <textarea id="relay-urls" rows="3" placeholder="wss://relay.example.org/" prop:value=move || urls.get() on:input=move |ev| urls.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}
