//! Linli's web app: notices, pledges and task boards of a neighbourhood, kept on the device and
//! synced through relays. Built with Leptos (client-side rendered) into a static site by Trunk.

// The macro reads locales/*.json at compile time. (leptos_i18n prefers a build script now, but
// that route builds ICU data tooling on every clean build; the macro gives the same code.)
#[allow(deprecated)]
mod translations {
    leptos_i18n::load_locales!();
}
pub use translations::i18n;

pub mod app;
pub mod charts;
pub mod components;
pub mod engine;
pub mod files;
pub mod format;
pub mod identity;
pub mod language;
pub mod markdown;
pub mod my_spaces;
pub mod pages;
pub mod platform;
pub mod qr;
pub mod relays;
pub mod space_context;
pub mod space_json;
pub mod update_prompt;
pub mod write_keys;

/// Starts the app in the page's `<body>`.
pub fn mount() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        reload_if_kiosk();
    }));
    leptos::mount::mount_to_body(app::App);
}

/// A kiosk runs unattended: after a panic (the wasm instance is dead) it reloads itself in five
/// seconds from the copy in IndexedDB. The reload is a plain JavaScript timer, which outlives the
/// instance.
fn reload_if_kiosk() {
    let Some(window) = web_sys::window() else { return };
    if window.location().pathname().is_ok_and(|path| path.starts_with("/k/")) {
        let reload = js_sys::Function::new_no_args("location.reload()");
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&reload, 5_000);
    }
}
