//! What the worker does when it panics: it tells the page (an `EngineDown` on
//! `linli_view::side_channels::ENGINE_DOWN_CHANNEL`, naming the page) so that the page starts a new engine from IndexedDB, tells
//! the other tabs that this one has gone, and closes itself — a panicked wasm instance is not
//! called again.

use std::cell::RefCell;

use linli_view::side_channels::{ENGINE_DOWN_CHANNEL, EngineDown};
use wasm_bindgen::JsCast;
use web_sys::BroadcastChannel;

thread_local! {
    static PAGE: RefCell<String> = const { RefCell::new(String::new()) };
    static TAB: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The page this engine serves (named in its first message).
pub fn remember_page(page: &str) {
    PAGE.with(|p| *p.borrow_mut() = page.to_owned());
}

/// This engine's name on the tab channel.
pub fn remember_tab(tab: &str) {
    TAB.with(|t| *t.borrow_mut() = tab.to_owned());
}

/// Installs the panic hook: the console gets the message, then the page and the tabs are told.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let page = PAGE.with(|p| p.borrow().clone());
        if let Ok(channel) = BroadcastChannel::new(ENGINE_DOWN_CHANNEL) {
            let down = EngineDown { page, reason: info.to_string() };
            let _ = channel.post_message(&js_sys::Uint8Array::from(down.to_bytes().as_slice()));
            channel.close();
        }
        let tab = TAB.with(|t| t.borrow().clone());
        if !tab.is_empty() {
            crate::tab_channel::say_bye(&tab);
        }
        if let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() {
            scope.close();
        }
    }));
}
