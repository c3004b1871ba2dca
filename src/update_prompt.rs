//! Offline start and updates: registers the service worker (public/sw.js) that keeps the app
//! shell, and offers "reload to update" when a new version has been installed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::i18n::*;

/// Registers the service worker; `waiting` turns true when a newer version waits to take over.
fn register(waiting: RwSignal<bool>) {
    let Some(window) = web_sys::window() else { return };
    // Not on plain http from another host (browsers only allow it on https and localhost).
    if !js_sys::Reflect::has(&window.navigator(), &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let promise = window.navigator().service_worker().register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else { return };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        // A version already waiting (installed while another tab held the old one), or one
        // installing right now (found before the handler below was attached).
        if registration.waiting().is_some() && container_has_controller() {
            waiting.set(true);
        }
        if let Some(installing) = registration.installing() {
            watch_install(installing, waiting);
        }
        let reg = registration.clone();
        let on_update = Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = reg.installing() {
                watch_install(installing, waiting);
            }
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
}

/// Shows the banner once a worker being installed is installed and waiting (if it is an update).
fn watch_install(installing: web_sys::ServiceWorker, waiting: RwSignal<bool>) {
    let worker = installing.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if worker.state() == web_sys::ServiceWorkerState::Installed && container_has_controller() {
            waiting.set(true);
        }
    });
    installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// Whether this page is already controlled by a service worker (so a new one is an update, not
/// the first install).
fn container_has_controller() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().service_worker().controller().is_some())
}

/// Tells the waiting worker to take over, then reloads once it has.
fn activate_and_reload() {
    let Some(window) = web_sys::window() else { return };
    let container = window.navigator().service_worker();
    let reload = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(container.get_registration()).await else { return };
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else { return };
        if let Some(waiting) = registration.waiting() {
            let _ = waiting.post_message(&"skip-waiting".into());
        }
    });
}

/// The banner that offers the new version.
#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let i18n = use_i18n();
    let waiting = RwSignal::new(false);
    register(waiting);
    view! {
        <Show when=move || waiting.get()>
            <div class="update-banner no-print" role="status">
                {t!(i18n, update_ready)} " "
                <button type="button" on:click=move |_| activate_and_reload()>{t!(i18n, reload_to_update)}</button>
            </div>
        </Show>
    }
}

/// Where the page was opened on plain http from another machine (a relay on a LAN address without
/// HTTPS), browsers give it no service worker: it says so, in words a resident understands, until
/// they press "OK" on this device.
#[component]
pub fn NotSecureNotice() -> impl IntoView {
    const DISMISSED: &str = "linli.not-secure-understood";
    let i18n = use_i18n();
    let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let insecure = web_sys::window().is_some_and(|w| !w.is_secure_context());
    let dismissed = storage().and_then(|s| s.get_item(DISMISSED).ok().flatten()).is_some();
    let shown = RwSignal::new(insecure && !dismissed);
    let understood = move |_| {
        if let Some(storage) = storage() {
            let _ = storage.set_item(DISMISSED, "1");
        }
        shown.set(false);
    };
    view! {
        <Show when=move || shown.get()>
            <div class="update-banner not-secure no-print" role="status">
                {t!(i18n, not_secure_offline)} " "
                <button type="button" on:click=understood>{t!(i18n, not_secure_understood)}</button>
            </div>
        </Show>
    }
}
