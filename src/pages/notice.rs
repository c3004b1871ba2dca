//! One notice: its text in the reader's language when translated, its window, and links to edit,
//! print and see its history.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Edit, ItemId};

use crate::components::comments::{Comments, CommentsOn};
use crate::components::item_links::ItemLinks;
use crate::components::qr_code::QrCode;
use crate::components::read_aloud::ReadAloud;
use crate::components::rich_text::RichText;
use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{current_lang, member_label, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    body: String,
    translated: bool,
    category: String,
    urgent: bool,
    pinned: bool,
    archived: bool,
    author: String,
    created_at: linli_model::Timestamp,
    starts_at: Option<linli_model::Timestamp>,
    ends_at: Option<linli_model::Timestamp>,
    expires_at: Option<linli_model::Timestamp>,
}

#[component]
pub fn NoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let original = RwSignal::new(false);
    let shown = Memo::new(move |_| {
        let lang = current_lang();
        let id = item.get();
        let want_original = original.get();
        ctx.with(|s| {
            let n = s.notices.get(&id)?;
            let translation = (!want_original).then(|| n.translations.get(lang.tag())).flatten().filter(|t| !t.title.is_empty());
            Some(Shown {
                title: translation.map_or_else(|| n.title.clone(), |t| t.title.clone()),
                body: translation.map_or_else(|| n.body.as_str().to_owned(), |t| t.body.as_str().to_owned()),
                translated: translation.is_some(),
                category: s.categories.get(&n.category).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                urgent: n.urgent,
                pinned: n.pinned,
                archived: n.archived,
                author: member_label(s, &n.author),
                created_at: n.created_at,
                starts_at: n.starts_at,
                ends_at: n.ends_at,
                expires_at: n.expires_at,
            })
        })
        .flatten()
    });
    let has_translations = Memo::new(move |_| ctx.with(|s| s.notices.get(&item.get()).is_some_and(|n| !n.translations.is_empty())).unwrap_or(false));
    let archive = move |archived: bool| {
        if let Some(id) = ItemId::parse(&item.get_untracked()) {
            ctx.edit_then(vec![Edit::SetNoticeArchived { id, archived }], drop);
        }
    };
    // A printed notice's QR code lets whoever scans it comment (a take-part link), when this device
    // can make one.
    let sheet_link = move || ctx.share_link(&format!("/notices/{}", item.get()));
    // Outside the drawn sheet: a neighbour's change re-draws the sheet, never stops the reading.
    let read_title = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.title.clone()).unwrap_or_default()));
    view! {
        <Show when=move || shown.with(Option::is_some)>
            <ReadAloud title=read_title text=Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.body.clone()).unwrap_or_default())) />
        </Show>
        {move || match shown.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(n) => {
                let locale = i18n.get_locale();
                let body = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.body.clone()).unwrap_or_default()));
                view! {
                    <article class="card notice-sheet" class:urgent=n.urgent aria-labelledby="notice-title">
                        <p class="task-meta">
                            {n.urgent.then(|| view! { <span class="badge urgent">{t!(i18n, urgent)}</span> })}
                            {n.pinned.then(|| view! { <span class="badge">{t!(i18n, pinned)}</span> })}
                            {n.archived.then(|| view! { <span class="badge muted-badge">{t!(i18n, archived)}</span> })}
                            {(!n.category.is_empty()).then(|| view! { <span class="badge">{n.category.clone()}</span> })}
                        </p>
                        <h2 id="notice-title" class="sheet-title">{n.title.clone()}</h2>
                        <RichText text=body />
                        <p class="muted small">
                            {fill(t_string!(i18n, posted_by), &[("name", &n.author.clone().to_string()), ("date", &format::date_time(n.created_at, locale).to_string())])}
                            {n.starts_at.map(|at| view! { <br />{fill(t_string!(i18n, shown_from), &[("date", &format::date_time(at, locale).to_string())])} })}
                            {n.ends_at.map(|at| view! { <br />{fill(t_string!(i18n, shown_until), &[("date", &format::date_time(at, locale).to_string())])} })}
                            {n.expires_at.map(|at| view! { <br />{fill(t_string!(i18n, expires_on), &[("date", &format::date_time(at, locale).to_string())])} })}
                        </p>
                        {(n.translated || has_translations.get()).then(|| view! {
                            <button type="button" class="secondary no-print" on:click=move |_| original.update(|o| *o = !*o)>
                                {move || if original.get() { t_string!(i18n, show_translation) } else { t_string!(i18n, show_original) }}
                            </button>
                        })}
                        <div class="print-qr">
                            <QrCode link=sheet_link() label=t_string!(i18n, qr_opens_item).to_string() />
                            <p class="small">{t!(i18n, scan_to_open)}</p>
                        </div>
                    </article>
                    <p class="actions no-print edit-only">
                        <a class="button" href=ctx.link(&format!("/notices/{}/edit", item.get_untracked()))>{t!(i18n, edit)}</a>
                        {if n.archived {
                            view! { <button type="button" class="secondary" on:click=move |_| archive(false)>{t!(i18n, unarchive)}</button> }.into_any()
                        } else {
                            view! { <button type="button" class="secondary" on:click=move |_| archive(true)>{t!(i18n, archive)}</button> }.into_any()
                        }}
                    </p>
                    <Comments on=CommentsOn::Notice item />
                    <ItemLinks kind="notice" item=item.get_untracked() />
                }.into_any()
            }
        }}
    }
}
