//! The screen for an address the app does not know.

use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="page">
            <h1>{t!(i18n, page_not_found)}</h1>
            <p><a href="/">{t!(i18n, back_home)}</a></p>
        </main>
    }
}
