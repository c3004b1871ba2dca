//! The app shell: starts the sync engine and routes between screens.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::engine::Engine;
use crate::pages::{home::Home, not_found::NotFound, space::SpacePage};
use crate::relays;

#[component]
pub fn App() -> impl IntoView {
    let engine = Engine::start(relays::relay_urls());
    provide_context(engine);
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home />
                <Route path=path!("/s/:id") view=SpacePage />
            </Routes>
        </Router>
    }
}
