//! One task board as kanban columns. Cards move by drag and drop, and just as well by keyboard:
//! every card has buttons to move it up, down, and to the previous or next column, and focus
//! follows the card to its new place.

use std::collections::HashMap;

use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Edit, ItemId, PlaceAt, TaskDraft};

use crate::components::item_links::ItemLinks;
use crate::components::show_more::{RowLimit, ShowMore};
use crate::components::task_card::{TaskCardBody, TaskSummary};
use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{SpaceContext, current_lang, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct ColumnView {
    id: String,
    name: String,
    tasks: Vec<TaskSummary>,
}

/// Which way a keyboard move goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Direction {
    Up,
    Down,
    Previous,
    Next,
}

impl Direction {
    fn key(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Previous => "previous",
            Direction::Next => "next",
        }
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let board = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let name = Memo::new(move |_| ctx.with(|s| s.boards.get(&board.get()).map(|b| b.name.clone())).flatten());
    let columns = Memo::new(move |_| {
        let lang = current_lang();
        let board_id = board.get();
        ctx.with(|s| {
            let Some(b) = s.boards.get(&board_id) else { return Vec::new() };
            let orphans: Vec<TaskSummary> = s.orphan_tasks(&board_id).into_iter().map(|(id, t)| TaskSummary::of(s, id, t)).collect();
            b.columns_in_order()
                .into_iter()
                .enumerate()
                .map(|(i, (column_id, column))| {
                    let mut tasks: Vec<TaskSummary> = s.column_tasks(&board_id, column_id).into_iter().map(|(id, t)| TaskSummary::of(s, id, t)).collect();
                    if i == 0 {
                        tasks.extend(orphans.iter().cloned());
                    }
                    ColumnView { id: column_id.to_owned(), name: name_in(&column.names, lang), tasks }
                })
                .collect()
        })
        .unwrap_or_default()
    });
    let dragging = RwSignal::new(None::<String>);
    // What is typed into each column's "new task" field, kept outside the re-drawn columns.
    let drafts = RwSignal::new(HashMap::<String, String>::new());
    let error = RwSignal::new(None::<String>);
    let move_card = move |task: String, column: String, index: Option<usize>, focus: Option<Direction>| {
        let (Some(task_id), Some(column_id)) = (ItemId::parse(&task), ItemId::parse(&column)) else { return };
        let place = index.map_or(PlaceAt::End, PlaceAt::Index);
        ctx.edit_then(vec![Edit::MoveTask { id: task_id, column: column_id, place }], move |outcome| match outcome {
            Ok(()) => {
                error.set(None);
                if let Some(direction) = focus {
                    focus_after_render(format!("move-{}-{task}", direction.key()), format!("card-{task}"));
                }
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let keyboard_move = move |task: String, direction: Direction| {
        let cols = columns.get_untracked();
        let Some((c, i)) = cols.iter().enumerate().find_map(|(c, col)| col.tasks.iter().position(|t| t.id == task).map(|i| (c, i))) else {
            return;
        };
        let (target, index) = match direction {
            Direction::Up if i > 0 => (c, i - 1),
            Direction::Down if i + 1 < cols[c].tasks.len() => (c, i + 1),
            Direction::Previous if c > 0 => (c - 1, i.min(cols[c - 1].tasks.len())),
            Direction::Next if c + 1 < cols.len() => (c + 1, i.min(cols[c + 1].tasks.len())),
            _ => return,
        };
        move_card(task, cols[target].id.clone(), Some(index), Some(direction));
    };
    let limit = RowLimit::new();
    view! {
        {move || match name.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(board_name) => view! {
                <h2 class="board-name">{board_name}</h2>
                <p class="muted small no-print">{t!(i18n, board_help)}</p>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <ItemLinks kind="board" item=board.get_untracked() />
            }.into_any(),
        }}
        <div class="kanban">
            {move || {
                let cols = columns.get();
                let count = cols.len();
                cols.into_iter().enumerate().map(|(c, column)| {
                    let column_id = column.id.clone();
                    let drop_column = column.id.clone();
                    let heading = format!("column-{}", column.id);
                    let labelled_by = heading.clone();
                    let len = column.tasks.len();
                    let on_drop = move |ev: DragEvent| {
                        ev.prevent_default();
                        let Some(task) = dragging.get_untracked() else { return };
                        dragging.set(None);
                        // Dropped on a card: take its place among the others; else go to the end.
                        let before = drop_target_card(&ev);
                        let cols = columns.get_untracked();
                        let others: Vec<&str> = cols[c].tasks.iter().map(|t| t.id.as_str()).filter(|id| *id != task).collect();
                        let index = before.and_then(|b| others.iter().position(|id| *id == b));
                        move_card(task, drop_column.clone(), index, None);
                    };
                    view! {
                        <section class="column" aria-labelledby=labelled_by
                            on:dragover=move |ev: DragEvent| ev.prevent_default() on:drop=on_drop>
                            <h3 id=heading>{column.name.clone()} " " <span class="count">{len}</span></h3>
                            <ol class="cards">
                                {limit.first(column.tasks).into_iter().enumerate().map(|(i, task)| {
                                    let id = task.id.clone();
                                    let title = task.title.clone();
                                    let drag_id = id.clone();
                                    let button = |direction: Direction, symbol: &'static str, enabled: bool| {
                                        let id = id.clone();
                                        let title = title.clone();
                                        view! {
                                            <button type="button" class="move edit-only" id=format!("move-{}-{id}", direction.key()) disabled=!enabled
                                                aria-label=move || match direction {
                                                    Direction::Up => fill(t_string!(i18n, move_up), &[("title", &title.clone().to_string())]).to_string(),
                                                    Direction::Down => fill(t_string!(i18n, move_down), &[("title", &title.clone().to_string())]).to_string(),
                                                    Direction::Previous => fill(t_string!(i18n, move_previous), &[("title", &title.clone().to_string())]).to_string(),
                                                    Direction::Next => fill(t_string!(i18n, move_next), &[("title", &title.clone().to_string())]).to_string(),
                                                }
                                                on:click=move |_| keyboard_move(id.clone(), direction)>{symbol}</button>
                                        }
                                    };
                                    view! {
                                        <li class="task-card" id=format!("card-{id}") data-task=id.clone() tabindex="-1" draggable=move || if ctx.can_edit() { "true" } else { "false" }
                                            class:dragging=move || dragging.get().as_deref() == Some(drag_id.as_str())
                                            on:dragstart={
                                                let id = id.clone();
                                                move |ev: DragEvent| {
                                                    if let Some(dt) = ev.data_transfer() {
                                                        let _ = dt.set_data("text/plain", &id);
                                                        dt.set_effect_allowed("move");
                                                    }
                                                    dragging.set(Some(id.clone()));
                                                }
                                            }
                                            on:dragend=move |_| dragging.set(None)>
                                            <TaskCardBody task=task.clone() />
                                            <div class="move-buttons no-print" role="group" aria-label=move || t_string!(i18n, move_card)>
                                                {button(Direction::Previous, "←", c > 0)}
                                                {button(Direction::Up, "↑", i > 0)}
                                                {button(Direction::Down, "↓", i + 1 < len)}
                                                {button(Direction::Next, "→", c + 1 < count)}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            <ShowMore limit total=Signal::derive(move || len) />
                            <AddTaskForm ctx board=board.get_untracked() column=column_id drafts />
                        </section>
                    }
                }).collect_view()
            }}
        </div>
    }
}

/// The card under the pointer when something is dropped, if any.
fn drop_target_card(ev: &DragEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let element = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    element.closest("li[data-task]").ok()??.get_attribute("data-task")
}

/// After the board re-draws, puts focus on the moved card's same button (or the card itself if
/// that button is now disabled), so a keyboard user keeps their place.
fn focus_after_render(button_id: String, card_id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let button = document.get_element_by_id(&button_id).and_then(|e| e.dyn_into::<web_sys::HtmlButtonElement>().ok()).filter(|b| !b.disabled());
        match button {
            Some(button) => drop(button.focus()),
            None => {
                if let Some(card) = document.get_element_by_id(&card_id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = card.focus();
                }
            }
        }
    });
}

/// A one-line form at the foot of a column.
#[component]
fn AddTaskForm(ctx: SpaceContext, board: String, column: String, drafts: RwSignal<HashMap<String, String>>) -> impl IntoView {
    let i18n = use_i18n();
    let key = column.clone();
    let title = Signal::derive(move || drafts.with(|d| d.get(&key).cloned().unwrap_or_default()));
    let key = column.clone();
    let set_title = move |text: String| drafts.update(|d| drop(d.insert(key.clone(), text)));
    let input_id = format!("new-task-{column}");
    let set_typed = set_title.clone();
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(board_id), Some(column_id)) = (ItemId::parse(&board), ItemId::parse(&column)) else { return };
        let id = ctx.new_id();
        let draft = TaskDraft { title: title.get_untracked(), ..Default::default() };
        let set_title = set_title.clone();
        ctx.edit_then(vec![Edit::AddTask { id, board: board_id, column: column_id, draft, place: PlaceAt::End }], move |outcome| {
            if outcome.is_ok() {
                set_title(String::new());
            }
        });
    };
    view! {
        <form class="add-task no-print edit-only" on:submit=add>
            <label class="visually-hidden" for=input_id.clone()>{t!(i18n, new_task)}</label>
            <input id=input_id required maxlength="200" placeholder=move || t_string!(i18n, new_task)
                prop:value=move || title.get() on:input=move |ev| set_typed(event_target_value(&ev)) />
            <button type="submit" class="small-button">{t!(i18n, add)}</button>
        </form>
    }
}
