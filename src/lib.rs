//! Linli's web app: notices, pledges and task boards of a neighbourhood, kept on the device and
//! synced through relays. Built with Leptos (client-side rendered) into a static site by `cargo xtask build-site`.

// The macro reads locales/*.json at compile time. (leptos_i18n prefers a build script now, but
// that route builds ICU data tooling on every clean build; the macro gives the same code.)
#[allow(deprecated)]
mod translations {
    leptos_i18n::load_locales!();
}
pub use translations::i18n;

use wasm_bindgen::JsCast;

pub mod address_keys;
pub mod app;
pub mod care_mode;
pub mod charts;
pub mod clock;
pub mod components;
pub mod display_name;
pub mod engine;
pub mod error_text;
pub mod files;
pub mod format;
pub mod identity;
pub mod language;
pub mod lazy_screens;
pub mod markdown;
pub mod my_spaces;
pub mod pages;
pub mod platform;
pub mod qr;
pub mod relays;
pub mod space_context;
pub mod speech;

pub mod update_prompt;

/// Starts the app in the page's `<body>`, in place of the boot screen of index.html.
pub fn mount() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        reload_after_panic();
    }));
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}

/// After a panic the wasm instance is dead (wasm32 cannot unwind): the page no longer answers.
/// What it does then is plain JavaScript that outlives the instance, in public/boot.js
/// (`window.linliRecover`): say so and reload from IndexedDB, which holds everything shown as
/// saved.
fn reload_after_panic() {
    let Some(window) = web_sys::window() else { return };
    if let Ok(recover) = js_sys::Reflect::get(&window, &"linliRecover".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = recover.call0(&wasm_bindgen::JsValue::UNDEFINED);
    }
}
