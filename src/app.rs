//! The app shell: starts the sync engine and routes between screens.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::care_mode::{CareMode, CareModeSwitch};
use crate::display_name::DisplayName;
use crate::engine::Engine;
use crate::i18n::I18nContextProvider;
use crate::language::{self, LanguageSwitcher};
use crate::lazy_screens::{self as screens, lazily};
use crate::pages::{home::Home, not_found::NotFound, space::SpacePage};
use crate::update_prompt::{NotSecureNotice, UpdatePrompt};
use crate::{identity, relays};

#[component]
pub fn App() -> impl IntoView {
    let engine = Engine::start(relays::relay_urls());
    provide_context(engine);
    provide_context(DisplayName(RwSignal::new(identity::display_name())));
    provide_context(CareMode::from_device());
    view! {
        <I18nContextProvider>
            <StartInChosenLanguage />
            <div class="topbar no-print">
                <a class="brand" href="/">"Linli " <span lang="zh-Hant">"鄰里"</span></a>
                <div class="topbar-controls">
                    <CareModeSwitch />
                    <LanguageSwitcher />
                </div>
            </div>
            <UpdatePrompt />
            <NotSecureNotice />
            <EngineRestarted />
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/k/:id") view=|| lazily(screens::kiosk::load) />
                    <Route path=path!("/link") view=|| lazily(screens::pair_device::load) />
                    <ParentRoute path=path!("/s/:id") view=SpacePage>
                        <Route path=path!("") view=|| lazily(screens::overview::load) />
                        <Route path=path!("notices") view=|| lazily(screens::notices::load) />
                        <Route path=path!("notices/new") view=|| lazily(screens::notice_editor::load) />
                        <Route path=path!("notices/:item") view=|| lazily(screens::notice::load) />
                        <Route path=path!("notices/:item/edit") view=|| lazily(screens::notice_editor::load) />
                        <Route path=path!("pledges") view=|| lazily(screens::pledges::load) />
                        <Route path=path!("pledges/:item") view=|| lazily(screens::pledge::load) />
                        <Route path=path!("consultations") view=|| lazily(screens::consultations::load) />
                        <Route path=path!("consultations/:item") view=|| lazily(screens::consultation::load) />
                        <Route path=path!("meetings") view=|| lazily(screens::meetings::load) />
                        <Route path=path!("meetings/:item") view=|| lazily(screens::meeting::load) />
                        <Route path=path!("boards") view=|| lazily(screens::boards::load) />
                        <Route path=path!("boards/:item") view=|| lazily(screens::board::load) />
                        <Route path=path!("tasks/:item") view=|| lazily(screens::task::load) />
                        <Route path=path!("requests") view=|| lazily(screens::requests::load) />
                        <Route path=path!("history/:kind/:item") view=|| lazily(screens::history::load) />
                        <Route path=path!("participation") view=|| lazily(screens::participation::load) />
                        <Route path=path!("linked") view=|| lazily(screens::linked::load) />
                        <Route path=path!("settings") view=|| lazily(screens::settings::load) />
                    </ParentRoute>
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

/// Said after the engine stopped on an error and a new one took its place (the page stayed), or
/// when it stopped too often to be started again (then the page offers a reload).
#[component]
fn EngineRestarted() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let engine = expect_context::<crate::engine::EngineHandle>().get();
    let (restarts, stopped) = (engine.restarts, engine.stopped);
    let dismissed = RwSignal::new(0u32);
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        {move || if stopped.get() {
            Some(view! {
                <div class="notice-box error engine-restarted no-print" role="alert">
                    <p>{crate::i18n::t!(i18n, engine_stopped)}</p>
                    <button type="button" on:click=reload>{crate::i18n::t!(i18n, reload)}</button>
                </div>
            }.into_any())
        } else {
            (restarts.get() > dismissed.get()).then(|| view! {
                <div class="notice-box engine-restarted no-print" role="alert">
                    <p>{crate::i18n::t!(i18n, engine_restarted)}</p>
                    <button type="button" class="secondary" on:click=move |_| dismissed.set(restarts.get_untracked())>{crate::i18n::t!(i18n, dismiss)}</button>
                </div>
            }.into_any())
        }}
    }
}
