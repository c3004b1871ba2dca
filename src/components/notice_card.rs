//! One notice, readable, with an inline editor.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_core::{Editor, ItemId, Notice, NoticeDraft};
use linli_sync::DocumentId;

use crate::engine::EngineHandle;
use crate::i18n::*;

#[component]
pub fn NoticeCard(space: DocumentId, notice_id: String, notice: Notice) -> impl IntoView {
    let engine = expect_context::<EngineHandle>();
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let title = RwSignal::new(notice.title.clone());
    let body = RwSignal::new(notice.body.as_str().to_owned());
    let error = RwSignal::new(None::<String>);
    let heading_id = format!("notice-{notice_id}");
    let save = {
        let notice_id = notice_id.clone();
        let unchanged = NoticeDraft::of(&notice);
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(id) = ItemId::parse(&notice_id) else { return };
            let engine = engine.get();
            let draft = NoticeDraft { title: title.get_untracked(), body: body.get_untracked(), ..unchanged.clone() };
            let author = engine.author();
            match engine.change(space, |doc| Editor::new(doc, &author).edit_notice(&id, draft)) {
                Ok(()) => editing.set(false),
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    };
    let shown_body = notice.body.as_str().to_owned();
    let labelled_by = heading_id.clone();
    view! {
        <article class="notice card" aria-labelledby=labelled_by>
            <h3 id=heading_id>{notice.title.clone()}</h3>
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <p class="notice-body">{shown_body.clone()}</p>
                    <button type="button" class="secondary" on:click=move |_| editing.set(true)>{t!(i18n, edit)}</button>
                }
            >
                <form on:submit=save.clone()>
                    <label>{t!(i18n, title)}
                        <input required prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                    </label>
                    <label>{t!(i18n, text)}
                        <textarea rows="4" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev)) />
                    </label>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="submit">{t!(i18n, save)}</button>
                    <button type="button" class="secondary" on:click=move |_| editing.set(false)>{t!(i18n, cancel)}</button>
                </form>
            </Show>
        </article>
    }
}
