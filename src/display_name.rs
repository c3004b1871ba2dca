//! The display name chosen on this device, shared as a context so every screen sees it change
//! (kept in localStorage by `identity.rs`).

use leptos::prelude::*;

use crate::identity;

/// The display name chosen on this device, shared so every screen sees it change.
#[derive(Clone, Copy)]
pub struct DisplayName(pub RwSignal<Option<String>>);

impl DisplayName {
    pub fn set(&self, name: &str) {
        identity::set_display_name(name);
        self.0.set(identity::display_name());
    }
}
