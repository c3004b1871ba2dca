//! Linli's web app: notices, pledges and task boards of a neighbourhood, kept on the device and
//! synced through relays. Built with Leptos (client-side rendered) into a static site by Trunk.

pub mod app;
pub mod components;
pub mod engine;
pub mod identity;
pub mod my_spaces;
pub mod pages;
pub mod platform;
pub mod relays;

/// Starts the app in the page's `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
