//! The form that posts a new notice.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_core::{Editor, ItemId, NoticeDraft};
use linli_sync::DocumentId;

use crate::engine::EngineHandle;
use crate::i18n::*;
use crate::platform;

#[component]
pub fn NewNoticeForm(space: DocumentId) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let post = move |ev: SubmitEvent| {
        ev.prevent_default();
        let engine = engine.get();
        let draft = NoticeDraft::new(title.get_untracked(), body.get_untracked());
        let author = engine.author();
        let id = ItemId::from_random(platform::random_bytes());
        match engine.change(space, |doc| Editor::new(doc, &author).post_notice(&id, draft)) {
            Ok(()) => {
                title.set(String::new());
                body.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <form class="card" on:submit=post aria-labelledby="new-notice-heading">
            <h2 id="new-notice-heading">{t!(i18n, post_a_notice)}</h2>
            <label for="notice-title">{t!(i18n, title)}</label>
            <input id="notice-title" required maxlength="200"
                prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="notice-body">{t!(i18n, text)}</label>
            <textarea id="notice-body" rows="4"
                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, post_notice)}</button>
        </form>
    }
}
