//! The links every item page has: its history, and printing it.

use leptos::prelude::*;

use crate::i18n::*;
use crate::space_context::use_space;

#[component]
pub fn ItemLinks(kind: &'static str, item: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <p class="item-links no-print">
            <a href=ctx.link(&format!("/history/{kind}/{item}"))>{t!(i18n, history)}</a>
            <button type="button" class="secondary" on:click=print>{t!(i18n, print)}</button>
        </p>
    }
}
