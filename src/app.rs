//! The app shell: starts the sync engine and routes between screens.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::engine::Engine;
use crate::i18n::I18nContextProvider;
use crate::language::{self, LanguageSwitcher};
use crate::pages::{home::Home, not_found::NotFound, space::SpacePage};
use crate::relays;

#[component]
pub fn App() -> impl IntoView {
    let engine = Engine::start(relays::relay_urls());
    provide_context(engine);
    view! {
        <I18nContextProvider>
            <StartInChosenLanguage />
            <LanguageSwitcher />
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/s/:id") view=SpacePage />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Sets the language chosen on this device (or the browser's). It runs as an effect, after the
/// translation context has applied its own default.
#[component]
fn StartInChosenLanguage() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    Effect::new(move |_| language::apply(i18n, language::initial()));
}
