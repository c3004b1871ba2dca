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
pub mod update_prompt;

/// Starts the app in the page's `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
