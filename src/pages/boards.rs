//! The task boards of a space, and making a new one with starter columns.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use linli_model::{Edit, ItemId, Names};

use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{SpaceContext, use_space};

/// The columns a new board starts with, named in the three languages, with IDs from `ctx`.
pub fn starter_columns(ctx: SpaceContext) -> Vec<(ItemId, Names)> {
    [("To do", "待办", "待辦"), ("Doing", "进行中", "進行中"), ("Done", "已完成", "已完成")]
        .into_iter()
        .map(|(en, hans, hant)| {
            let names = Names::from([("en".into(), en.into()), ("zh-Hans".into(), hans.into()), ("zh-Hant".into(), hant.into())]);
            (ctx.new_id(), names)
        })
        .collect()
}

#[component]
pub fn BoardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let navigate = use_navigate();
    let boards = Memo::new(move |_| {
        ctx.with(|s| {
            s.boards_in_order()
                .into_iter()
                .map(|(id, b)| {
                    let open = s.tasks.values().filter(|t| t.board == id && !t.archived).count();
                    (id.to_owned(), b.name.clone(), open)
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let id = ctx.new_id();
        let navigate = navigate.clone();
        let edit = Edit::CreateBoard { id: id.clone(), name: name.get_untracked(), columns: starter_columns(ctx) };
        ctx.edit_then(vec![edit], move |outcome| match outcome {
            Ok(()) => navigate(&ctx.link(&format!("/boards/{id}")), Default::default()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section aria-labelledby="boards-heading">
            <h2 id="boards-heading">{t!(i18n, boards)}</h2>
            {move || {
                let boards = boards.get();
                if boards.is_empty() {
                    view! { <p class="muted">{t!(i18n, no_boards)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {boards.into_iter().map(|(id, name, count)| view! {
                                <li class="card board-row">
                                    <a class="notice-link" href=ctx.link(&format!("/boards/{id}"))>{name}</a>
                                    " " <span class="muted">{move || fill(t_string!(i18n, task_count), &[("count", &count.to_string())])}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
        <form class="card edit-only" on:submit=create aria-labelledby="new-board-heading">
            <h2 id="new-board-heading">{t!(i18n, new_board)}</h2>
            <label for="board-name">{t!(i18n, board_name)}</label>
            <input id="board-name" required maxlength="120" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, create_board)}</button>
        </form>
    }
}
