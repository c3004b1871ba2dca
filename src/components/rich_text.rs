//! Notice and pledge text, rendered from Markdown through the sanitizing renderer.

use leptos::prelude::*;

use crate::markdown;

/// The text as formatted, safe HTML.
#[component]
pub fn RichText(#[prop(into)] text: Signal<String>) -> impl IntoView {
    view! { <div class="rich-text" inner_html=move || markdown::to_safe_html(&text.get()) /> }
}
