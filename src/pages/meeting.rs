//! One meeting: when, where, who is invited; the agenda with what each item is about and what was
//! decided; who came; the minutes; and its action items with their state live (so the next
//! meeting starts with "what became of last time"). Printable as a sheet.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use linli_model::{ActionState, Edit, ItemId, Space, TaskDraft, Timestamp};

use crate::components::item_links::ItemLinks;
use crate::components::member_name::MemberName;
use crate::components::rich_text::RichText;
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, member_label, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Agenda {
    id: String,
    title: String,
    /// (path in the space, title).
    links: Vec<(String, String)>,
    decision: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Action {
    task: String,
    title: String,
    owner: Option<(String, String)>,
    due: Option<Timestamp>,
    state: ActionState,
}

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    title: String,
    starts_at: Timestamp,
    place: String,
    bodies: Vec<String>,
    agenda: Vec<Agenda>,
    /// (member, name, present) for every member.
    members: Vec<(String, String, bool)>,
    others: u64,
    attendance: u64,
    actions: Vec<Action>,
    /// The meeting before this one, when it left action items: (id, title, its action items).
    previous: Option<(String, String, Vec<Action>)>,
}

/// The title of what a link points to, and where it is shown.
fn linked(space: &Space, link: &str) -> Option<(String, String)> {
    let (collection, id) = link.split_once('/')?;
    let title = match collection {
        "consultations" => space.consultations.get(id)?.question.clone(),
        "tasks" => space.tasks.get(id)?.title.clone(),
        "pledges" => space.pledges.get(id)?.title.clone(),
        _ => return None,
    };
    Some((format!("/{link}"), title))
}

fn shown(space: &Space, id: &str, now: Timestamp) -> Option<Shown> {
    let m = space.meetings.get(id)?;
    let lang = current_lang();
    let mut members: Vec<_> = space.members.iter().map(|(mid, member)| (mid.clone(), member.name.clone(), m.attendees.get(mid).copied().unwrap_or(false))).collect();
    members.sort_by(|a, b| a.1.cmp(&b.1));
    Some(Shown {
        title: m.title.clone(),
        starts_at: m.starts_at,
        place: m.place.clone(),
        bodies: m.bodies.keys().filter_map(|b| space.bodies.get(b)).map(|b| name_in(&b.names, lang)).collect(),
        agenda: m
            .agenda_in_order()
            .into_iter()
            .map(|(aid, a)| Agenda { id: aid.to_owned(), title: a.title.clone(), links: a.links.keys().filter_map(|l| linked(space, l)).collect(), decision: a.decision.clone() })
            .collect(),
        members,
        others: m.others,
        attendance: m.attendance(),
        actions: actions_of(space, m, now),
        previous: space.previous_meeting(id).map(|(pid, p)| (pid.to_owned(), p.title.clone(), actions_of(space, p, now))).filter(|(_, _, a)| !a.is_empty()),
    })
}

/// A meeting's action items with where each stands at `now`, soonest due first.
fn actions_of(space: &Space, m: &linli_model::Meeting, now: Timestamp) -> Vec<Action> {
    let mut actions: Vec<Action> = m
        .actions
        .keys()
        .map(|task_id| {
            let task = space.tasks.get(task_id);
            Action {
                task: task_id.clone(),
                title: task.map(|t| t.title.clone()).unwrap_or_default(),
                owner: task.and_then(|t| t.assignees.keys().next().cloned()).map(|o| (o.clone(), member_label(space, &o))),
                due: task.and_then(|t| t.due),
                state: space.action_state(task_id, now),
            }
        })
        .collect();
    actions.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.title.cmp(&b.title)));
    actions
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let params = use_params_map();
    let item = Memo::new(move |_| params.read().get("item").unwrap_or_default());
    let data = Memo::new(move |_| {
        let now = platform::now();
        ctx.with(|s| shown(s, &item.get(), now)).flatten()
    });
    let minutes = Signal::derive(move || ctx.with(|s| s.meetings.get(&item.get()).map(|m| m.minutes.clone())).flatten().unwrap_or_default());
    view! {
        {move || match data.get() {
            None => view! { <p class="notice-box">{t!(i18n, item_not_found)}</p> }.into_any(),
            Some(m) => {
                let locale = i18n.get_locale();
                view! {
                    <article class="card meeting-sheet" aria-labelledby="meeting-title">
                        <h2 id="meeting-title" class="sheet-title">{m.title.clone()}</h2>
                        <p class="meeting-when">
                            {format::date_time(m.starts_at, locale)}
                            {(!m.place.is_empty()).then(|| view! { " · " {m.place.clone()} })}
                        </p>
                        {m.previous.clone().map(|(id, title, actions)| view! {
                            <section class="last-time" aria-labelledby="last-time-heading">
                                <h3 id="last-time-heading">{t!(i18n, last_time)}</h3>
                                <p class="muted"><a href=ctx.link(&format!("/meetings/{id}"))>{title}</a></p>
                                <ActionList actions />
                            </section>
                        })}
                        {(!m.bodies.is_empty()).then(|| view! {
                            <p class="task-meta">{t!(i18n, bodies_invited)}{move || crate::format::colon(i18n.get_locale())}{m.bodies.iter().map(|b| view! { <span class="badge">{b.clone()}</span> " " }).collect_view()}</p>
                        })}
                        <h3>{t!(i18n, agenda)}</h3>
                        {if m.agenda.is_empty() { view! { <p class="muted">{t!(i18n, no_agenda_yet)}</p> }.into_any() } else { view! {
                            <ol class="agenda">
                                {m.agenda.iter().map(|a| {
                                    view! {
                                        <li class="agenda-item">
                                            <strong>{a.title.clone()}</strong>
                                            {(!a.links.is_empty()).then(|| view! {
                                                <ul class="links">{a.links.iter().cloned().map(|(path, title)| view! { <li><a href=ctx.link(&path)>{title}</a></li> }).collect_view()}</ul>
                                            })}
                                            {(!a.decision.is_empty()).then(|| view! { <p class="decision-text"><span class="muted">{t!(i18n, decision)}{move || crate::format::colon(i18n.get_locale())}</span>{a.decision.clone()}</p> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any() }}
                        <h3>{fill(t_string!(i18n, attendance_heading), &[("count", &m.attendance.to_string())])}</h3>
                        <ul class="attendees">
                            {m.members.iter().filter(|(_, _, present)| *present).cloned().map(|(member, name, _)| view! { <li><MemberName member name /></li> }).collect_view()}
                            {(m.others > 0).then(|| view! { <li class="muted">{fill(t_string!(i18n, others_present), &[("count", &m.others.to_string())])}</li> })}
                        </ul>
                        <h3>{t!(i18n, minutes)}</h3>
                        <Show when=move || !minutes.read().trim().is_empty() fallback=move || view! { <p class="muted">{t!(i18n, no_minutes_yet)}</p> }>
                            <RichText text=minutes />
                        </Show>
                        <h3>{t!(i18n, action_items)}</h3>
                        {if m.actions.is_empty() { view! { <p class="muted">{t!(i18n, no_action_items)}</p> }.into_any() } else { view! { <ActionList actions=m.actions.clone() /> }.into_any() }}
                    </article>
                }.into_any()
            }
        }}
        // The forms live outside the drawn sheet: a neighbour's change re-draws the sheet, never a
        // form someone is filling in.
        {move || {
            let meeting = item.get();
            let exists = ctx.with_untracked(|s| s.meetings.contains_key(&meeting)).unwrap_or(false);
            exists.then(|| view! {
                <AgendaItemForm meeting=meeting.clone() />
                <DecisionsForm meeting=meeting.clone() />
                <AttendanceForm meeting=meeting.clone() />
                <MinutesForm meeting=meeting.clone() />
                <ActionItemForm meeting=meeting.clone() />
                <ItemLinks kind="meeting" item=meeting />
            })
        }}
    }
}

/// Action items with their state, owner and due date.
#[component]
fn ActionList(actions: Vec<Action>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let locale = i18n.get_locale();
    view! {
        <ul class="plain action-items">
            {actions.into_iter().map(|a| {
                let state = match a.state {
                    ActionState::Open => t_string!(i18n, action_open),
                    ActionState::Overdue => t_string!(i18n, action_overdue),
                    ActionState::Done => t_string!(i18n, action_done),
                    ActionState::DoneLate => t_string!(i18n, action_done_late),
                    ActionState::Dropped => t_string!(i18n, action_dropped),
                };
                view! {
                    <li class="action-item" data-state=format!("{:?}", a.state).to_lowercase()>
                        <span class="badge">{state}</span> " "
                        <a href=ctx.link(&format!("/tasks/{}", a.task))>{a.title}</a>
                        {a.owner.map(|(member, name)| view! { " · " <MemberName member name /> })}
                        {a.due.map(|d| view! { " · " {fill(t_string!(i18n, due_on), &[("date", &format::date(d, locale))])} })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// What the meeting decided, agenda item by agenda item (rows keyed: a new item never resets
/// what is being typed in another).
#[component]
fn DecisionsForm(meeting: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let items = {
        let meeting = meeting.clone();
        Memo::new(move |_| {
            ctx.with(|s| s.meetings.get(&meeting).map(|m| m.agenda_in_order().into_iter().map(|(id, a)| (id.to_owned(), a.title.clone())).collect::<Vec<_>>()))
                .flatten()
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card no-print edit-only" aria-labelledby="decisions-heading">
            <h2 id="decisions-heading">{t!(i18n, decisions_heading)}</h2>
            <For each=move || items.get() key=|row| row.clone() let:row>
                <DecisionForm meeting=meeting.clone() item=row.0 title=row.1 />
            </For>
        </section>
    }
}

#[component]
fn DecisionForm(meeting: String, item: String, title: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let current = ctx.with_untracked(|s| s.meetings.get(&meeting).and_then(|m| m.agenda.get(&item).map(|a| a.decision.clone()))).flatten().unwrap_or_default();
    let text = RwSignal::new(current);
    let error = RwSignal::new(None::<String>);
    let input_id = format!("decision-{item}");
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(meeting), Some(item)) = (ItemId::parse(&meeting), ItemId::parse(&item)) else { return };
        ctx.edit_then(vec![Edit::SetAgendaDecision { meeting, item, decision: text.get_untracked() }], move |outcome| error.set(outcome.err()));
    };
    view! {
        <form class="decision-form" on:submit=save>
            <label for=input_id.clone()>{title}</label>
            <input id=input_id maxlength="500" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">{t!(i18n, save)}</button>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </form>
    }
}

#[component]
fn AgendaItemForm(meeting: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let title = RwSignal::new(String::new());
    let link = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let choices = Memo::new(move |_| {
        let now = platform::now();
        ctx.with(|s| {
            let mut all: Vec<(String, String)> = s.consultations_in_order(now).into_iter().map(|(id, c)| (format!("consultations/{id}"), c.question.clone())).collect();
            all.extend(s.open_requests().into_iter().map(|(id, t)| (format!("tasks/{id}"), t.title.clone())));
            all.extend(s.pledges.iter().filter(|(_, p)| !p.archived).map(|(id, p)| (format!("pledges/{id}"), p.title.clone())));
            all
        })
        .unwrap_or_default()
    });
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(meeting) = ItemId::parse(&meeting) else { return };
        let links: Vec<String> = Some(link.get_untracked()).filter(|l| !l.is_empty()).into_iter().collect();
        ctx.edit_then(vec![Edit::AddAgendaItem { meeting, item: ctx.new_id(), title: title.get_untracked(), links }], move |outcome| match outcome {
            Ok(()) => {
                title.set(String::new());
                link.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card no-print edit-only" on:submit=add aria-labelledby="agenda-form-heading">
            <h2 id="agenda-form-heading">{t!(i18n, add_agenda_item)}</h2>
            <label for="agenda-title">{t!(i18n, title)}</label>
            <input id="agenda-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="agenda-link">{t!(i18n, agenda_about)}</label>
            <select id="agenda-link" on:change=move |ev| link.set(event_target_value(&ev)) prop:value=move || link.get()>
                <option value="">{t!(i18n, nothing_linked)}</option>
                {move || choices.get().into_iter().map(|(path, title)| view! { <option value=path>{title}</option> }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, add_agenda_item)}</button>
        </form>
    }
}

#[component]
fn AttendanceForm(meeting: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let others = ctx.with_untracked(|s| s.meetings.get(&meeting).map(|m| m.others)).flatten().unwrap_or(0);
    let others_text = RwSignal::new(others.to_string());
    let error = RwSignal::new(None::<String>);
    let members = Memo::new(move |_| {
        ctx.with(|s| {
            let mut all: Vec<_> = s.members.iter().map(|(id, m)| (id.clone(), m.name.clone())).collect();
            all.sort_by(|a, b| a.1.cmp(&b.1));
            all
        })
        .unwrap_or_default()
    });
    let present = {
        let meeting = meeting.clone();
        Memo::new(move |_| ctx.with(|s| s.meetings.get(&meeting).map(|m| m.attendees.clone())).flatten().unwrap_or_default())
    };
    let meeting_id = ItemId::parse(&meeting);
    let save_others = {
        let meeting_id = meeting_id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(meeting) = meeting_id.clone() else { return };
            let others = others_text.get_untracked().trim().parse().unwrap_or(0);
            ctx.edit_then(vec![Edit::SetOtherAttendees { meeting, others }], move |outcome| error.set(outcome.err()));
        }
    };
    view! {
        <form class="card no-print edit-only" on:submit=save_others aria-labelledby="attendance-form-heading">
            <h2 id="attendance-form-heading">{t!(i18n, who_came)}</h2>
            <For each=move || members.get() key=|row| row.clone() let:row>
                {
                    let (member, name) = row;
                    let meeting_id = meeting_id.clone();
                    let checked = member.clone();
                    let toggle = move |ev: leptos::ev::Event| {
                        let Some(meeting) = meeting_id.clone() else { return };
                        let present = event_target_checked(&ev);
                        ctx.edit_then(vec![Edit::SetAttendance { meeting, member: member.clone(), present }], move |outcome| error.set(outcome.err()));
                    };
                    view! { <label class="check"><input type="checkbox" prop:checked=move || present.with(|p| p.get(&checked).copied().unwrap_or(false)) on:change=toggle />{name}</label> }
                }
            </For>
            <label for="others-present">{t!(i18n, others_count)}</label>
            <input id="others-present" type="number" min="0" inputmode="numeric" prop:value=move || others_text.get() on:input=move |ev| others_text.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="secondary">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
fn MinutesForm(meeting: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let current = ctx.with_untracked(|s| s.meetings.get(&meeting).map(|m| m.minutes.clone())).flatten().unwrap_or_default();
    let text = RwSignal::new(current);
    let error = RwSignal::new(None::<String>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(meeting) = ItemId::parse(&meeting) else { return };
        ctx.edit_then(vec![Edit::SetMinutes { meeting, minutes: text.get_untracked() }], move |outcome| error.set(outcome.err()));
    };
    view! {
        <form class="card no-print edit-only" on:submit=save aria-labelledby="minutes-form-heading">
            <h2 id="minutes-form-heading">{t!(i18n, write_minutes)}</h2>
            <label for="minutes-text">{t!(i18n, minutes_markdown)}</label>
            <textarea id="minutes-text" rows="8" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
fn ActionItemForm(meeting: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let agenda = {
        let meeting = meeting.clone();
        Memo::new(move |_| {
            ctx.with(|s| s.meetings.get(&meeting).map(|m| m.agenda_in_order().into_iter().map(|(id, a)| (id.to_owned(), a.title.clone())).collect::<Vec<_>>()))
                .flatten()
                .unwrap_or_default()
        })
    };
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let board = RwSignal::new(String::new());
    let agenda_item = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let boards = Memo::new(move |_| ctx.with(Space::boards_for_new_tasks).unwrap_or_default());
    let members = Memo::new(move |_| {
        ctx.with(|s| {
            let mut all: Vec<_> = s.members.iter().map(|(id, m)| (id.clone(), m.name.clone())).collect();
            all.sort_by(|a, b| a.1.cmp(&b.1));
            all
        })
        .unwrap_or_default()
    });
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(meeting) = ItemId::parse(&meeting) else { return };
        let all = boards.get_untracked();
        let chosen = board.get_untracked();
        let Some((board_id, _, column)) = all.iter().find(|(id, _, _)| *id == chosen).or(all.first()).cloned() else {
            error.set(Some(t_string!(i18n, make_a_board_first).to_string()));
            return;
        };
        let (Some(board), Some(column)) = (ItemId::parse(&board_id), ItemId::parse(&column)) else { return };
        let draft = TaskDraft { title: title.get_untracked(), due: format::from_input(&due.get_untracked()), ..Default::default() };
        let edit = Edit::AddActionItem { meeting, agenda_item: agenda_item.get_untracked(), id: ctx.new_id(), board, column, draft, owner: owner.get_untracked() };
        ctx.edit_then(vec![edit], move |outcome| match outcome {
            Ok(()) => {
                title.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card no-print edit-only" on:submit=add aria-labelledby="action-form-heading">
            <h2 id="action-form-heading">{t!(i18n, add_action_item)}</h2>
            <label for="action-title">{t!(i18n, title)}</label>
            <input id="action-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <div class="field-row">
                <div>
                    <label for="action-owner">{t!(i18n, action_owner)}</label>
                    <select id="action-owner" on:change=move |ev| owner.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, nobody_yet)}</option>
                        {move || members.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="action-due">{t!(i18n, due_date)}</label>
                    <input id="action-due" type="date" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="action-board">{t!(i18n, board)}</label>
                    <select id="action-board" on:change=move |ev| board.set(event_target_value(&ev))>
                        {move || boards.get().into_iter().map(|(id, name, _)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <label for="action-agenda">{t!(i18n, agenda_item)}</label>
            <select id="action-agenda" on:change=move |ev| agenda_item.set(event_target_value(&ev))>
                <option value="">{t!(i18n, whole_meeting)}</option>
                {move || agenda.get().into_iter().map(|(id, title)| view! { <option value=id>{title}</option> }).collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, add_action_item)}</button>
        </form>
    }
}
