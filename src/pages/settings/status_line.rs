//! The line under a settings form that says it was saved, or why not.

use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub(super) fn StatusLine(status: RwSignal<Option<Result<(), String>>>) -> impl IntoView {
    let i18n = use_i18n();
    move || match status.get() {
        Some(Ok(())) => Some(view! { <p role="status">{t!(i18n, saved)}</p> }.into_any()),
        Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
        None => None,
    }
}
