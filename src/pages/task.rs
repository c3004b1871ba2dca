//! One task: claim it, assign neighbours, set its due date and labels, discuss it in comments;
//! for a resident's request, resolve it and see how long each step took.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_core::{ItemId, TaskDraft, Timestamp};

use crate::components::item_links::ItemLinks;
use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, member_label, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    board: String,
    board_name: String,
    column: String,
    claimed_by: Option<String>,
    mine: bool,
    assignees: Vec<(String, String)>,
    comments: Vec<(String, String, Timestamp)>,
    request: Option<RequestShown>,
    archived: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct RequestShown {
    raised_by: String,
    raised_at: Timestamp,
    category: String,
    response: Option<i64>,
    resolution: Option<i64>,
    resolved: bool,
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let me = ctx.me();
    let shown = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| {
            let t = s.tasks.get(&item.get())?;
            let board = s.boards.get(&t.board);
            Some(Shown {
                title: t.title.clone(),
                board: t.board.clone(),
                board_name: board.map(|b| b.name.clone()).unwrap_or_default(),
                column: board.and_then(|b| b.columns.get(&t.column)).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                claimed_by: (!t.claimed_by.is_empty()).then(|| member_label(s, &t.claimed_by)),
                mine: t.claimed_by == me,
                assignees: t.assignees.keys().map(|m| (m.clone(), member_label(s, m))).collect(),
                comments: t.comments_in_order().into_iter().map(|(_, c)| (member_label(s, &c.author), c.text.clone(), c.at)).collect(),
                request: t.request.as_ref().map(|r| RequestShown {
                    raised_by: member_label(s, &r.raised_by),
                    raised_at: r.raised_at,
                    category: s.categories.get(&r.category).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                    response: r.response_time(),
                    resolution: r.resolution_time(),
                    resolved: r.resolved_at.is_some(),
                }),
                archived: t.archived,
            })
        })
        .flatten()
    });
    let members = Memo::new(move |_| {
        ctx.with(|s| {
            let mut members: Vec<_> = s.members.iter().map(|(id, m)| (id.clone(), m.name.clone())).collect();
            members.sort_by(|a, b| a.1.cmp(&b.1));
            members
        })
        .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    let act = move |action: &'static str| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let outcome = ctx.edit(|e| match action {
            "claim" => e.claim_task(&id),
            "unclaim" => e.unclaim_task(&id),
            "resolve" => e.resolve_request(&id, true),
            "reopen" => e.resolve_request(&id, false),
            "archive" => e.set_task_archived(&id, true),
            _ => e.set_task_archived(&id, false),
        });
        error.set(outcome.err());
    };
    let assign = move |member: String| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        if !member.is_empty() {
            error.set(ctx.edit(|e| e.assign_task(&id, &member, true)).err());
        }
    };
    let unassign = move |member: String| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        error.set(ctx.edit(|e| e.assign_task(&id, &member, false)).err());
    };
    view! {
        {move || match shown.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(task) => {
                let locale = i18n.get_locale();
                view! {
                    <article class="card" aria-labelledby="task-title">
                        <p class="small"><a href=ctx.link(&format!("/boards/{}", task.board))>{task.board_name.clone()}</a> " › " {task.column.clone()}</p>
                        <h2 id="task-title">{task.title.clone()}</h2>
                        {task.request.clone().map(|r| view! {
                            <dl class="request-facts">
                                <dt>{t!(i18n, raised_by)}</dt><dd>{r.raised_by} " · " {format::date_time(r.raised_at, locale)}</dd>
                                <dt>{t!(i18n, category)}</dt><dd>{r.category}</dd>
                                <dt>{t!(i18n, response_time)}</dt>
                                <dd class="response-time">{r.response.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, waiting).to_string())}</dd>
                                <dt>{t!(i18n, resolution_time)}</dt>
                                <dd class="resolution-time">{r.resolution.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, not_yet).to_string())}</dd>
                            </dl>
                        })}
                        <p class="claim-line">
                            {match task.claimed_by.clone() {
                                Some(name) => fill(t_string!(i18n, claimed_by), &[("name", &name.to_string())]).to_string(),
                                None => t_string!(i18n, unclaimed).to_string(),
                            }}
                        </p>
                        <div class="actions no-print edit-only">
                            {if task.mine {
                                view! { <button type="button" class="secondary" on:click=move |_| act("unclaim")>{t!(i18n, unclaim)}</button> }.into_any()
                            } else {
                                view! { <button type="button" on:click=move |_| act("claim")>{t!(i18n, claim)}</button> }.into_any()
                            }}
                            {task.request.as_ref().map(|r| if r.resolved {
                                view! { <button type="button" class="secondary" on:click=move |_| act("reopen")>{t!(i18n, reopen)}</button> }.into_any()
                            } else {
                                view! { <button type="button" on:click=move |_| act("resolve")>{t!(i18n, resolve)}</button> }.into_any()
                            })}
                            {if task.archived {
                                view! { <button type="button" class="secondary" on:click=move |_| act("unarchive")>{t!(i18n, unarchive)}</button> }.into_any()
                            } else {
                                view! { <button type="button" class="secondary" on:click=move |_| act("archive")>{t!(i18n, archive)}</button> }.into_any()
                            }}
                        </div>
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <h3>{t!(i18n, assignees)}</h3>
                        <ul class="plain assignees">
                            {task.assignees.iter().cloned().map(|(id, name)| view! {
                                <li>{name.clone()} " "
                                    <button type="button" class="link-button edit-only" aria-label=move || fill(t_string!(i18n, unassign_person), &[("name", &name.clone().to_string())]).to_string()
                                        on:click=move |_| unassign(id.clone())>"×"</button>
                                </li>
                            }).collect_view()}
                        </ul>
                        <label class="inline" for="assign-member">{t!(i18n, assign)}</label>
                        <select id="assign-member" on:change=move |ev| assign(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {members.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                        <h3>{t!(i18n, comments)}</h3>
                        <ol class="comments">
                            {task.comments.iter().cloned().map(|(who, text, at)| view! {
                                <li><p class="small muted">{who} " · " {format::date_time(at, locale)}</p><p>{text}</p></li>
                            }).collect_view()}
                        </ol>
                    </article>
                }.into_any()
            }
        }}
        <CommentForm item />
        <TaskDetailsForm item />
        <ItemLinks kind="task" item=item.get_untracked() />
    }
}

/// Adding a comment; the typed text lives outside the re-drawn task.
#[component]
fn CommentForm(item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let text = RwSignal::new(String::new());
    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let comment = ItemId::from_random(platform::random_bytes());
        if ctx.edit(|e| e.comment_on_task(&id, &comment, text.get_untracked().trim())).is_ok() {
            text.set(String::new());
        }
    };
    view! {
        <form class="card no-print edit-only" on:submit=send>
            <label for="comment-text">{t!(i18n, add_comment)}</label>
            <textarea id="comment-text" required rows="2" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            <button type="submit">{t!(i18n, send)}</button>
        </form>
    }
}

/// Title, description, due date and labels, filled once from the task.
#[component]
fn TaskDetailsForm(item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let task = ctx.with_untracked(|s| s.tasks.get(&item.get_untracked()).cloned()).flatten();
    let Some(task) = task else { return ().into_any() };
    let title = RwSignal::new(task.title.clone());
    let description = RwSignal::new(task.description.as_str().to_owned());
    let due = RwSignal::new(format::to_input(task.due));
    let labels = RwSignal::new(task.labels.keys().cloned().collect::<Vec<_>>().join(", "));
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let draft = TaskDraft {
            title: title.get_untracked(),
            description: description.get_untracked(),
            due: format::from_input(&due.get_untracked()),
            labels: labels.get_untracked().split([',', '，', '、']).map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect(),
        };
        status.set(Some(ctx.edit(|e| e.edit_task(&id, draft))));
    };
    view! {
        <form class="card no-print edit-only" on:submit=save aria-labelledby="task-details-heading">
            <h2 id="task-details-heading">{t!(i18n, task_details)}</h2>
            <label for="task-title-input">{t!(i18n, title)}</label>
            <input id="task-title-input" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="task-description">{t!(i18n, description)}</label>
            <textarea id="task-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            <div class="field-row">
                <div>
                    <label for="task-due">{t!(i18n, due_date)}</label>
                    <input id="task-due" type="datetime-local" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="task-labels">{t!(i18n, labels)}</label>
                    <input id="task-labels" prop:value=move || labels.get() on:input=move |ev| labels.set(event_target_value(&ev)) />
                </div>
            </div>
            {move || match status.get() {
                Some(Ok(())) => Some(view! { <p role="status">{t!(i18n, saved)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                None => None,
            }}
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
    .into_any()
}
