//! `/link#member=…`: pairing this device with another as the same member (the QR code in
//! Settings → "Link another device"), so a resident's phone and tablet sign as one. The route
//! keeps its name: addresses already shown as QR codes open it.

use leptos::prelude::*;

use crate::i18n::*;
use crate::identity;

#[component]
pub fn PairDevicePage() -> impl IntoView {
    let i18n = use_i18n();
    let fragment = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let (key, name) = identity::from_device_link(&fragment);
    // Take the secret out of the address bar at once; it is kept in this page only.
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/link"));
    }
    let done = RwSignal::new(false);
    view! {
        <main class="page">
            {match key {
                None => view! { <p class="notice-box">{t!(i18n, bad_link)}</p> }.into_any(),
                Some(key) => {
                    let link = move |_| {
                        identity::adopt_member_key(&key);
                        if let Some(name) = &name {
                            identity::set_display_name(name);
                        }
                        done.set(true);
                        // The engine takes the member key at start: start again.
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().replace("/");
                        }
                    };
                    view! {
                        <section class="card" aria-labelledby="link-heading">
                            <h1 id="link-heading">{t!(i18n, link_device_heading)}</h1>
                            <p>{t!(i18n, link_device_here)}</p>
                            <button type="button" on:click=link disabled=move || done.get()>{t!(i18n, link_this_device)}</button>
                        </section>
                    }.into_any()
                }
            }}
        </main>
    }
}
