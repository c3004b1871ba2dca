//! The meetings of a space (居民會議, 聯席會議): the next one first, then past ones; scheduling one
//! (an organiser's): when, where, which bodies are invited.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use linli_model::{Edit, MeetingDraft, Timestamp};

use crate::components::show_more::{RowLimit, ShowMore};
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, name_in, use_space};

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    title: String,
    starts_at: Timestamp,
    place: String,
    agenda: usize,
    actions: usize,
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        ctx.with(|s| {
            s.meetings_in_order(platform::now())
                .into_iter()
                .map(|(id, m)| Row { id: id.to_owned(), title: m.title.clone(), starts_at: m.starts_at, place: m.place.clone(), agenda: m.agenda.len(), actions: m.actions.len() })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let limit = RowLimit::new();
    view! {
        <section aria-labelledby="meetings-heading">
            <h2 id="meetings-heading">{t!(i18n, meetings)}</h2>
            {move || {
                let shown = limit.first(rows.get());
                if shown.is_empty() {
                    return view! { <p class="muted">{t!(i18n, no_meetings)}</p> }.into_any();
                }
                let locale = i18n.get_locale();
                view! {
                    <ul class="plain">
                        {shown.into_iter().map(|row| view! {
                            <li class="card meeting-row">
                                <a class="notice-link" href=ctx.link(&format!("/meetings/{}", row.id))>{row.title}</a>
                                <p class="small">
                                    {format::date_time(row.starts_at, locale)}
                                    {(!row.place.is_empty()).then(|| view! { " · " {row.place.clone()} })}
                                    " · " {move || fill(t_string!(i18n, agenda_and_actions), &[("agenda", &row.agenda.to_string()), ("actions", &row.actions.to_string())])}
                                </p>
                            </li>
                        }).collect_view()}
                    </ul>
                    <ShowMore limit total=Signal::derive(move || rows.with(Vec::len)) />
                }.into_any()
            }}
        </section>
        <ScheduleMeetingForm />
    }
}

#[component]
fn ScheduleMeetingForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let when = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let invited = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let bodies = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.bodies_in_order().into_iter().map(|(id, b)| (id.to_owned(), name_in(&b.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let schedule = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(starts_at) = format::from_input(&when.get_untracked()) else {
            error.set(Some(t_string!(i18n, meeting_time_needed).to_string()));
            return;
        };
        let draft = MeetingDraft { title: title.get_untracked(), starts_at, place: place.get_untracked(), bodies: invited.get_untracked() };
        let id = ctx.new_id();
        let navigate = navigate.clone();
        ctx.edit_then(vec![Edit::ScheduleMeeting { id: id.clone(), draft }], move |outcome| match outcome {
            Ok(()) => navigate(&ctx.link(&format!("/meetings/{id}")), Default::default()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card edit-only" on:submit=schedule aria-labelledby="schedule-meeting-heading">
            <h2 id="schedule-meeting-heading">{t!(i18n, schedule_meeting)}</h2>
            <label for="meeting-title">{t!(i18n, title)}</label>
            <input id="meeting-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <div class="field-row">
                <div>
                    <label for="meeting-when">{t!(i18n, meeting_when)}</label>
                    <input id="meeting-when" type="datetime-local" required prop:value=move || when.get() on:input=move |ev| when.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="meeting-place">{t!(i18n, meeting_place)}</label>
                    <input id="meeting-place" maxlength="200" prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev)) />
                </div>
            </div>
            <fieldset>
                <legend>{t!(i18n, bodies_invited)}</legend>
                {move || bodies.get().into_iter().map(|(id, name)| {
                    let (checked, toggled) = (id.clone(), id.clone());
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || invited.with(|l| l.contains(&checked))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                invited.update(|l| { l.retain(|x| *x != toggled); if on { l.push(toggled.clone()); } });
                            } />{name}</label>
                    }
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, schedule_meeting)}</button>
        </form>
    }
}
