//! The notices of a space, newest first, filtered by category. In care mode a list never moves
//! under the reader's finger: notices that arrive while it is open wait behind "2 new notices —
//! show", in a line kept free for it from the start.

use leptos::prelude::*;

use crate::care_mode::{HeldBack, NewItemsLine};
use crate::components::show_more::{RowLimit, ShowMore};
use crate::format;
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, name_in, use_space};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NoticeRow {
    id: String,
    title: String,
    category: String,
    urgent: bool,
    pinned: bool,
    active: bool,
    created_at: linli_model::Timestamp,
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let filter = RwSignal::new(String::new());
    let categories = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.categories_in_order().into_iter().map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    // Only the rows on screen are built (a space may hold thousands of notices), and a
    // neighbour's change re-draws only the rows it changed (keyed below).
    let limit = RowLimit::new();
    let held = HeldBack::new(move || ctx.with(|s| s.notices.keys().cloned().collect()));
    let listing = Memo::new(move |_| {
        let lang = current_lang();
        let now = platform::now();
        let wanted = filter.get();
        let shown = limit.count();
        ctx.with(|s| {
            let all: Vec<_> = s.current_notices().into_iter().filter(|(_, n)| wanted.is_empty() || n.category == wanted).collect();
            let waiting = held.waiting(all.iter().map(|(id, _)| *id));
            let all: Vec<_> = all.into_iter().filter(|(id, _)| held.shows(id)).collect();
            let total = all.len();
            let rows = all
                .into_iter()
                .take(shown)
                .map(|(id, n)| NoticeRow {
                    id: id.to_owned(),
                    title: n.title.clone(),
                    category: s.categories.get(&n.category).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                    urgent: n.urgent,
                    pinned: n.pinned,
                    active: n.is_active(now),
                    created_at: n.created_at,
                })
                .collect::<Vec<_>>();
            (rows, total, waiting)
        })
        .unwrap_or_default()
    });
    view! {
        <section aria-labelledby="notices-heading">
            <div class="section-head">
                <h2 id="notices-heading">{t!(i18n, notices)}</h2>
                <a class="button edit-only" href=ctx.link("/notices/new")>{t!(i18n, post_a_notice)}</a>
            </div>
            <label class="inline" for="category-filter">{t!(i18n, category)}</label>
            <select id="category-filter" on:change=move |ev| filter.set(event_target_value(&ev))>
                <option value="" selected=move || filter.get().is_empty()>{t!(i18n, all_categories)}</option>
                {move || categories.get().into_iter().map(|(id, name)| {
                    let selected_id = id.clone();
                    view! { <option value=id selected=move || filter.get() == selected_id>{name}</option> }
                }).collect_view()}
            </select>
            <NewItemsLine held waiting=Signal::derive(move || listing.with(|(_, _, waiting)| *waiting)) />
            <Show when=move || listing.with(|(rows, _, _)| !rows.is_empty()) fallback=move || view! { <p class="muted">{t!(i18n, no_notices)}</p> }>
                <ul class="notices">
                    <For each=move || listing.get().0 key=|row| row.clone() let:row>
                        {notice_row(ctx, i18n, row)}
                    </For>
                </ul>
            </Show>
            <ShowMore limit total=Signal::derive(move || listing.with(|(_, total, _)| *total)) />
        </section>
    }
}

/// One notice in the list.
fn notice_row(ctx: crate::space_context::SpaceContext, i18n: leptos_i18n::I18nContext<Locale>, row: NoticeRow) -> impl IntoView {
    let created = row.created_at;
    view! {
        <li class="card notice-row" class:urgent=row.urgent>
            <a class="notice-link" href=ctx.link(&format!("/notices/{}", row.id))>{row.title}</a>
            <p class="task-meta">
                {row.urgent.then(|| view! { <span class="badge urgent">{t!(i18n, urgent)}</span> })}
                {row.pinned.then(|| view! { <span class="badge">{t!(i18n, pinned)}</span> })}
                {(!row.active).then(|| view! { <span class="badge muted-badge">{t!(i18n, not_showing)}</span> })}
                {(!row.category.is_empty()).then(|| view! { <span class="badge">{row.category}</span> })}
                <span class="muted">{move || format::date(created, i18n.get_locale())}</span>
            </p>
        </li>
    }
}
