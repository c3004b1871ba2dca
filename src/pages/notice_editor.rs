//! Writing a notice, new or existing: Markdown with a live preview, category, pinned and urgent,
//! the window it is shown in and when it expires, and translations side by side.
//!
//! The form is filled once from the notice and then owns what is typed: a neighbour's change
//! arriving meanwhile does not touch it, and saving writes only what differs.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use linli_model::{Edit, ItemId, Lang, NoticeDraft};

use crate::components::rich_text::RichText;
use crate::format;
use crate::i18n::*;
use crate::space_context::{current_lang, name_in, use_space};

#[derive(Clone, Copy)]
struct TranslationFields {
    lang: Lang,
    title: RwSignal<String>,
    body: RwSignal<String>,
}

#[component]
pub fn NoticeEditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let navigate = use_navigate();
    let params = use_params_map();
    let existing = params.get_untracked().get("item").and_then(|id| ItemId::parse(&id));
    let notice = existing.as_ref().and_then(|id| ctx.with_untracked(|s| s.notices.get(id.as_str()).cloned()).flatten());
    let draft = notice.as_ref().map(NoticeDraft::of).unwrap_or_default();
    let title = RwSignal::new(draft.title.clone());
    let body = RwSignal::new(draft.body.clone());
    let category = RwSignal::new(draft.category.clone());
    let pinned = RwSignal::new(draft.pinned);
    let urgent = RwSignal::new(draft.urgent);
    let starts = RwSignal::new(format::to_input(draft.starts_at));
    let ends = RwSignal::new(format::to_input(draft.ends_at));
    let expires = RwSignal::new(format::to_input(draft.expires_at));
    let translations: Vec<TranslationFields> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let t = notice.as_ref().and_then(|n| n.translations.get(lang.tag()));
            TranslationFields {
                lang,
                title: RwSignal::new(t.map(|t| t.title.clone()).unwrap_or_default()),
                body: RwSignal::new(t.map(|t| t.body.as_str().to_owned()).unwrap_or_default()),
            }
        })
        .collect();
    let show_translations = RwSignal::new(translations.iter().any(|t| !t.title.get_untracked().is_empty()));
    let error = RwSignal::new(None::<String>);
    let categories = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.categories_in_order().into_iter().map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let is_new = existing.is_none();
    let saved_translations = translations.clone();
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let draft = NoticeDraft {
            title: title.get_untracked(),
            body: body.get_untracked(),
            category: category.get_untracked(),
            pinned: pinned.get_untracked(),
            urgent: urgent.get_untracked(),
            starts_at: format::from_input(&starts.get_untracked()),
            ends_at: format::from_input(&ends.get_untracked()),
            expires_at: format::from_input(&expires.get_untracked()),
        };
        let id = existing.clone().unwrap_or_else(|| ctx.new_id());
        let translated: Vec<(Lang, String, String)> = saved_translations
            .iter()
            .map(|t| (t.lang, t.title.get_untracked(), t.body.get_untracked()))
            .filter(|(_, title, body)| !title.trim().is_empty() || !body.trim().is_empty())
            .collect();
        let mut edits = vec![if is_new { Edit::PostNotice { id: id.clone(), draft } } else { Edit::EditNotice { id: id.clone(), draft } }];
        edits.extend(translated.into_iter().map(|(lang, title, body)| Edit::TranslateNotice { id: id.clone(), lang, title, body }));
        let navigate = navigate.clone();
        ctx.edit_then(edits, move |outcome| match outcome {
            Ok(()) => navigate(&ctx.link(&format!("/notices/{id}")), Default::default()),
            Err(e) => error.set(Some(e)),
        });
    };
    let preview = Signal::derive(move || body.get());
    view! {
        <form class="card notice-editor edit-only" on:submit=save aria-labelledby="editor-heading">
            <h2 id="editor-heading">{move || if is_new { t_string!(i18n, post_a_notice) } else { t_string!(i18n, edit_notice) }}</h2>
            <label for="notice-title">{t!(i18n, title)}</label>
            <input id="notice-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <div class="write-and-preview">
                <div>
                    <label for="notice-body">{t!(i18n, text)}</label>
                    <textarea id="notice-body" rows="8" aria-describedby="markdown-hint"
                        prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev)) />
                    <p id="markdown-hint" class="muted small">{t!(i18n, markdown_hint)}</p>
                </div>
                <section class="preview" aria-labelledby="preview-heading">
                    <h3 id="preview-heading">{t!(i18n, preview)}</h3>
                    <RichText text=preview />
                </section>
            </div>
            <label for="notice-category">{t!(i18n, category)}</label>
            <select id="notice-category" on:change=move |ev| category.set(event_target_value(&ev))>
                <option value="" selected=move || category.get().is_empty()>{t!(i18n, no_category)}</option>
                {move || categories.get().into_iter().map(|(id, name)| {
                    let selected_id = id.clone();
                    view! { <option value=id selected=move || category.get() == selected_id>{name}</option> }
                }).collect_view()}
            </select>
            <div class="checks">
                <label class="check"><input type="checkbox" prop:checked=move || pinned.get() on:change=move |ev| pinned.set(event_target_checked(&ev)) />{t!(i18n, pinned)}</label>
                <label class="check"><input type="checkbox" prop:checked=move || urgent.get() on:change=move |ev| urgent.set(event_target_checked(&ev)) />{t!(i18n, urgent)}</label>
            </div>
            <fieldset class="window">
                <legend>{t!(i18n, when_shown)}</legend>
                <label for="notice-starts">{t!(i18n, show_from)}</label>
                <input id="notice-starts" type="datetime-local" prop:value=move || starts.get() on:input=move |ev| starts.set(event_target_value(&ev)) />
                <label for="notice-ends">{t!(i18n, show_until)}</label>
                <input id="notice-ends" type="datetime-local" prop:value=move || ends.get() on:input=move |ev| ends.set(event_target_value(&ev)) />
                <label for="notice-expires">{t!(i18n, expires)}</label>
                <input id="notice-expires" type="datetime-local" prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev)) />
            </fieldset>
            <button type="button" class="secondary" aria-expanded=move || show_translations.get().to_string()
                on:click=move |_| show_translations.update(|s| *s = !*s)>{t!(i18n, translations)}</button>
            <Show when=move || show_translations.get()>
                <div class="translations">
                    {translations.clone().into_iter().map(|t| {
                        let tag = t.lang.tag();
                        let (title_id, body_id) = (format!("translation-title-{tag}"), format!("translation-body-{tag}"));
                        view! {
                            <fieldset lang=tag>
                                <legend>{language_name(t.lang)}</legend>
                                <label for=title_id.clone()>{t!(i18n, title)}</label>
                                <input id=title_id prop:value=move || t.title.get() on:input=move |ev| t.title.set(event_target_value(&ev)) />
                                <label for=body_id.clone()>{t!(i18n, text)}</label>
                                <textarea id=body_id rows="4" prop:value=move || t.body.get() on:input=move |ev| t.body.set(event_target_value(&ev)) />
                            </fieldset>
                        }
                    }).collect_view()}
                </div>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="submit">{move || if is_new { t_string!(i18n, post_notice) } else { t_string!(i18n, save) }}</button>
                <a class="button secondary" href=ctx.link("/notices")>{t!(i18n, cancel)}</a>
            </div>
        </form>
    }
}

/// A language named in itself.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhHans => "简体中文",
        Lang::ZhHant => "繁體中文",
        Lang::English => "English",
    }
}
