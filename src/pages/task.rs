//! One task: claim it, assign neighbours, set its due date and labels, discuss it in comments;
//! for a resident's request, resolve it and see how long each step took.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{Edit, ItemId, Privacy, TaskDraft, Timestamp};

use crate::components::comments::{Comments, CommentsOn};
use crate::components::escalation::{EscalateForm, EscalationStatus, taken_on_above};
use crate::components::item_links::ItemLinks;
use crate::components::read_aloud::ReadAloud;
use crate::components::rich_text::RichText;
use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{current_lang, member_label, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    /// A private request: whether this device read it.
    privacy: Option<Privacy>,
    board: String,
    board_name: String,
    column: String,
    claimed_by: Option<String>,
    mine: bool,
    assignees: Vec<(String, String)>,
    /// Assigned to this device's member (not a request: its team answers it), who may move it
    /// along with a take-part link.
    assigned_to_me: bool,
    /// The board's columns (id, name), in order, archived ones left out; and this task's.
    columns: Vec<(String, String)>,
    column_id: String,
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
    /// This device's member raised it.
    mine: bool,
    /// What the resident said once it was resolved (only if said since it was last resolved).
    confirmed: Option<bool>,
    /// The call-back details on the resident's member entry, where this device reads them (the
    /// organisers', the resident's own).
    call_back: Option<linli_model::CallBack>,
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let shown = Memo::new(move |_| {
        let me = ctx.me();
        let lang = current_lang();
        ctx.with(|s| {
            let t = s.tasks.get(&item.get())?;
            let board = s.boards.get(&t.board);
            let privacy = t.sealed.as_ref().map(|_| s.privacy(&format!("tasks/{}", item.get())).unwrap_or(Privacy::Closed));
            let closed = privacy == Some(Privacy::Closed);
            Some(Shown {
                title: if closed && t.title.is_empty() { t_string!(i18n, private_request).to_string() } else { t.title.clone() },
                privacy,
                board: t.board.clone(),
                board_name: board.map(|b| b.name.clone()).unwrap_or_default(),
                column: board.and_then(|b| b.columns.get(&t.column)).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                claimed_by: (!t.claimed_by.is_empty()).then(|| member_label(s, &t.claimed_by)),
                mine: t.claimed_by == me,
                assignees: t.assignees.keys().map(|m| (m.clone(), member_label(s, m))).collect(),
                assigned_to_me: t.request.is_none() && t.assignees.get(&me) == Some(&true),
                columns: board
                    .map(|b| b.columns_in_order().into_iter().filter(|(_, c)| !c.archived).map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect())
                    .unwrap_or_default(),
                column_id: t.column.clone(),
                request: t.request.as_ref().map(|r| RequestShown {
                    raised_by: if closed { t_string!(i18n, a_resident).to_string() } else { member_label(s, &r.raised_by) },
                    raised_at: r.raised_at,
                    category: s.categories.get(&r.category).map(|c| name_in(&c.names, lang)).unwrap_or_default(),
                    response: r.response_time(),
                    resolution: r.resolution_time(),
                    resolved: r.resolved_at.is_some(),
                    mine: r.raised_by == me,
                    confirmed: r.confirmation.filter(|c| r.resolved_at.is_some_and(|at| c.at >= at)).map(|c| c.resolved),
                    call_back: s.members.get(&r.raised_by).and_then(|m| m.call_back.clone()),
                }),
                archived: t.archived,
            })
        })
        .flatten()
    });
    let description = Signal::derive(move || ctx.with(|s| s.tasks.get(&item.get()).map(|t| t.description.as_str().to_owned())).flatten().unwrap_or_default());
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
        let edit = match action {
            "claim" => Edit::ClaimTask { id },
            "unclaim" => Edit::UnclaimTask { id },
            "resolve" => Edit::ResolveRequest { id, resolved: true },
            "reopen" => Edit::ResolveRequest { id, resolved: false },
            "archive" => Edit::SetTaskArchived { id, archived: true },
            _ => Edit::SetTaskArchived { id, archived: false },
        };
        ctx.edit_then(vec![edit], move |outcome| error.set(outcome.err()));
    };
    let move_to = move |column: String| {
        let (Some(id), Some(column)) = (ItemId::parse(&item.get_untracked()), ItemId::parse(&column)) else { return };
        ctx.edit_then(vec![Edit::MoveTask { id, column, place: linli_model::PlaceAt::End }], move |outcome| error.set(outcome.err()));
    };
    let assign = move |member: String| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        if !member.is_empty() {
            ctx.edit_then(vec![Edit::AssignTask { id, member, assigned: true }], move |outcome| error.set(outcome.err()));
        }
    };
    let unassign = move |member: String| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        ctx.edit_then(vec![Edit::AssignTask { id, member, assigned: false }], move |outcome| error.set(outcome.err()));
    };
    // Outside the drawn sheet: a neighbour's change re-draws the sheet, never stops the reading.
    let read_title = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.title.clone()).unwrap_or_default()));
    view! {
        <Show when=move || shown.with(Option::is_some)>
            <ReadAloud title=read_title text=description />
        </Show>
        {move || match shown.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(task) => {
                let locale = i18n.get_locale();
                view! {
                    <article class="card" aria-labelledby="task-title">
                        // Where it is: its board and column (a request filed on no board has none).
                        {(!task.board_name.is_empty()).then(|| view! {
                            <p class="small"><a href=ctx.link(&format!("/boards/{}", task.board))>{task.board_name.clone()}</a> " › " {task.column.clone()}</p>
                        })}
                        <h2 id="task-title">{task.title.clone()}</h2>
                        {task.privacy.map(|privacy| view! {
                            <p class="small private-note" data-privacy=if privacy == Privacy::Open { "open" } else { "closed" }>
                                <span class="badge private-badge">{t!(i18n, private_badge)}</span> " "
                                {if privacy == Privacy::Open { t_string!(i18n, private_note_open) } else { t_string!(i18n, private_note_closed) }}
                            </p>
                        })}
                        <RichText text=description />
                        {task.request.clone().map(|r| view! {
                            <dl class="request-facts">
                                <dt>{t!(i18n, raised_by)}</dt><dd>{r.raised_by} " · " {format::date_time(r.raised_at, locale)}</dd>
                                {r.call_back.clone().map(|details| {
                                    let colon = format::colon(locale);
                                    let parts = [(t_string!(i18n, flat_label), details.flat), (t_string!(i18n, phone_label), details.phone)]
                                        .into_iter()
                                        .filter(|(_, value)| !value.is_empty())
                                        .map(|(label, value)| format!("{label}{colon}{value}"))
                                        .collect::<Vec<_>>()
                                        .join(" · ");
                                    view! { <dt>{t!(i18n, call_back_on_profile)}</dt><dd class="call-back">{parts}</dd> }
                                })}
                                <dt>{t!(i18n, category)}</dt><dd>{r.category}</dd>
                                <dt>{t!(i18n, response_time)}</dt>
                                <dd class="response-time">{r.response.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, waiting).to_string())}</dd>
                                <dt>{t!(i18n, resolution_time)}</dt>
                                <dd class="resolution-time">{r.resolution.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| t_string!(i18n, not_yet).to_string())}</dd>
                                {r.confirmed.map(|really| view! {
                                    <dt>{t!(i18n, residents_word)}</dt>
                                    <dd class="confirmation" data-confirmed=really.to_string()>
                                        {if really { t_string!(i18n, confirmed_resolved) } else { t_string!(i18n, says_not_resolved) }}
                                    </dd>
                                })}
                            </dl>
                        })}
                        {task.request.is_some().then(|| view! { <MoveToCategory item /> })}
                        {task.request.is_some().then(|| view! { <EscalationStatus request=item.get_untracked() /> })}
                        <p class="claim-line">
                            {match task.claimed_by.clone() {
                                Some(name) => fill(t_string!(i18n, claimed_by), &[("name", &name.to_string())]).to_string(),
                                // Taken on above: the escalation's line says by whom.
                                None if task.request.is_some() && taken_on_above(&item.get_untracked()) => String::new(),
                                // Assigned: "nobody has claimed it" would say the opposite.
                                None if !task.assignees.is_empty() => String::new(),
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
                        {(task.assigned_to_me && !ctx.can_edit()).then(|| {
                            let last = task.columns.last().map(|(id, _)| id.clone()).unwrap_or_default();
                            let done = task.column_id == last;
                            let current = task.column_id.clone();
                            view! {
                                <div class="card assignee-actions take-part no-print" role="group" aria-label=move || t_string!(i18n, your_task)>
                                    <p class="small">{t!(i18n, assigned_to_you_note)}</p>
                                    <label class="inline" for="task-stage">{t!(i18n, task_stage)}</label>
                                    <select id="task-stage" on:change=move |ev| move_to(event_target_value(&ev))>
                                        {task.columns.iter().cloned().map(|(id, name)| {
                                            let selected = id == current;
                                            view! { <option value=id selected=selected>{name}</option> }
                                        }).collect_view()}
                                    </select>
                                    <p class="actions">
                                        {if task.mine {
                                            view! { <button type="button" class="secondary" on:click=move |_| act("unclaim")>{t!(i18n, unclaim)}</button> }.into_any()
                                        } else {
                                            view! { <button type="button" class="secondary" on:click=move |_| act("claim")>{t!(i18n, claim)}</button> }.into_any()
                                        }}
                                        {(!done).then(|| view! { <button type="button" class="mark-done" on:click=move |_| move_to(last.clone())>{t!(i18n, mark_done)}</button> })}
                                    </p>
                                </div>
                            }
                        })}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        {(!task.assignees.is_empty() || ctx.can_edit()).then(|| view! { <h3>{t!(i18n, assignees)}</h3> })}
                        <ul class="plain assignees">
                            {task.assignees.iter().cloned().map(|(id, name)| view! {
                                <li>{name.clone()} " "
                                    <button type="button" class="link-button edit-only" aria-label=move || fill(t_string!(i18n, unassign_person), &[("name", &name.clone().to_string())]).to_string()
                                        on:click=move |_| unassign(id.clone())>"×"</button>
                                </li>
                            }).collect_view()}
                        </ul>
                        <p class="edit-only no-print">
                            <label class="inline" for="assign-member">{t!(i18n, assign)}</label>
                            <select id="assign-member" on:change=move |ev| assign(event_target_value(&ev))>
                                <option value="">"—"</option>
                                {members.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        </p>
                        {task.request.clone().filter(|r| r.mine).map(|r| view! { <OwnRequest item resolved=r.resolved confirmed=r.confirmed /> })}
                    </article>
                }.into_any()
            }
        }}
        <EscalateForm request=item.get_untracked() />
        <Comments on=CommentsOn::Task item />
        <TaskDetailsForm item />
        <PublishSummaryForm item />
        <ItemLinks kind="task" item=item.get_untracked() />
    }
}

/// What the resident who raised a request may still do: add details, and once it is resolved,
/// say whether it really was.
#[component]
fn OwnRequest(item: Memo<String>, resolved: bool, confirmed: Option<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let details = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        ctx.edit_then(vec![Edit::AddRequestDetails { id, details: details.get_untracked() }], move |outcome| match outcome {
            Ok(()) => {
                details.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let confirm = move |really: bool| {
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        ctx.edit_then(vec![Edit::ConfirmRequest { id, resolved: really }], move |outcome| error.set(outcome.err()));
    };
    view! {
        <div class="own-request take-part no-print">
            {resolved.then(|| match confirmed {
                Some(true) => view! { <p class="signed-note">{t!(i18n, you_confirmed_resolved)}</p> }.into_any(),
                Some(false) => view! { <p class="notice-box">{t!(i18n, you_said_not_resolved)}</p> }.into_any(),
                None => view! {
                    <p>{t!(i18n, was_it_resolved)}</p>
                    <p class="actions">
                        <button type="button" on:click=move |_| confirm(true)>{t!(i18n, yes_resolved)}</button>
                        <button type="button" class="secondary" on:click=move |_| confirm(false)>{t!(i18n, not_resolved)}</button>
                    </p>
                }.into_any(),
            })}
            <form on:submit=add>
                <label for="request-more">{t!(i18n, add_details)}</label>
                <textarea id="request-more" required rows="2" maxlength="2000" prop:value=move || details.get() on:input=move |ev| details.set(event_target_value(&ev)) />
                <button type="submit" class="secondary">{t!(i18n, add_details_button)}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
}

/// Title, description, due date and labels, filled once from the task.
#[component]
fn TaskDetailsForm(item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let task = ctx.with_untracked(|s| s.tasks.get(&item.get_untracked()).cloned()).flatten();
    let Some(task) = task else { return ().into_any() };
    // A private request's words are not edited here (what the form holds was opened on this
    // device): organisers publish a summary instead.
    let private = task.sealed.is_some();
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
        ctx.edit_then(vec![Edit::EditTask { id, draft }], move |outcome| status.set(Some(outcome)));
    };
    view! {
        <form class="card no-print edit-only" on:submit=save aria-labelledby="task-details-heading">
            <h2 id="task-details-heading">{t!(i18n, task_details)}</h2>
            {(!private).then(|| view! {
                <label for="task-title-input">{t!(i18n, title)}</label>
                <input id="task-title-input" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                <label for="task-description">{t!(i18n, description)}</label>
                <textarea id="task-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            })}
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

/// Organisers publish what every neighbour may read of a private request: a summary they write
/// (or its words, with the resident's consent). The sealed original stays for its readers.
#[component]
fn PublishSummaryForm(item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let private = ctx.with_untracked(|s| s.tasks.get(&item.get_untracked()).is_some_and(|t| t.sealed.is_some())).unwrap_or(false);
    if !private {
        return ().into_any();
    }
    let (title, description) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let status = RwSignal::new(None::<Result<(), String>>);
    let publish = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        let edit = Edit::PublishRequestSummary { id, title: title.get_untracked(), description: description.get_untracked() };
        ctx.edit_then(vec![edit], move |outcome| status.set(Some(outcome)));
    };
    view! {
        <form class="card no-print edit-only publish-summary" on:submit=publish aria-labelledby="publish-summary-heading">
            <h2 id="publish-summary-heading">{t!(i18n, publish_summary)}</h2>
            <p class="small muted">{t!(i18n, publish_summary_explained)}</p>
            <label for="summary-title">{t!(i18n, title)}</label>
            <input id="summary-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="summary-text">{t!(i18n, description)}</label>
            <textarea id="summary-text" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            {move || match status.get() {
                Some(Ok(())) => Some(view! { <p role="status">{t!(i18n, saved)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                None => None,
            }}
            <button type="submit">{t!(i18n, publish)}</button>
        </form>
    }
    .into_any()
}

/// Organisers hand a request to another category's team (a private one is sealed to that team's
/// key too, by this device, which holds the organisers').
#[component]
fn MoveToCategory(item: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let error = RwSignal::new(None::<String>);
    let options = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| {
            let current = s.tasks.get(&item.get()).and_then(|t| t.request.as_ref()).map(|r| r.category.clone()).unwrap_or_default();
            s.categories_in_order().into_iter().filter(|(id, _)| *id != current).map(|(id, c)| (id.to_owned(), name_in(&c.names, lang))).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let change = move |ev: leptos::ev::Event| {
        let category = event_target_value(&ev);
        let Some(id) = ItemId::parse(&item.get_untracked()) else { return };
        if !category.is_empty() {
            ctx.edit_then(vec![Edit::MoveRequestToCategory { id, category }], move |outcome| error.set(outcome.err()));
        }
    };
    view! {
        <p class="edit-only no-print move-category">
            <select aria-label=t_string!(i18n, move_to_category) on:change=change>
                <option value="" selected>{t!(i18n, move_to_category)}</option>
                {move || options.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </p>
    }
}
