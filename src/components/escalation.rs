//! A request escalated to the space above (吹哨报到), on the request itself: where it stands —
//! which department of which space has it, how long it waited, each step of progress — for
//! everyone who can see the request; and, for this space's organisers, the form that escalates
//! it over an active link.

use leptos::prelude::*;
use linli_model::{EscalationState, Link, LinkState, Timestamp};
use linli_view::LinkedEdit;

use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, name_in, use_space};

/// The links this space is the lower side of, with the link's ID.
fn links_above(links: &std::collections::BTreeMap<String, Link>, space: &linli_model::Space) -> Vec<(String, Link)> {
    links.iter().filter(|(id, _)| space.links.get(*id).is_some_and(|r| !r.is_upper())).map(|(id, l)| (id.clone(), l.clone())).collect()
}

/// Whether a department of a space above has taken request `request` on (claimed or resolved
/// it): the request's page then lets the escalation say who, rather than "nobody has claimed it".
pub fn taken_on_above(request: &str) -> bool {
    let ctx = use_space();
    ctx.with(|space| {
        ctx.with_links(|links| {
            links_above(links, space).iter().any(|(_, link)| {
                let answer = link.answer(request);
                link.lower.escalations.contains_key(request) && (answer.claimed.is_some() || answer.resolved.is_some())
            })
        })
    })
    .flatten()
    .unwrap_or(false)
}

/// What became of request `request` in each space above it was escalated to.
#[component]
pub fn EscalationStatus(#[prop(into)] request: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let now = RwSignal::new(platform::now());
    let lines = move || {
        let request = request.clone();
        ctx.with(|space| ctx.with_links(|links| links_above(links, space)).unwrap_or_default())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(_, link)| {
                let escalation = link.lower.escalations.get(&request)?.clone();
                let state = link.escalation_state(&request, now.get())?;
                let answer = link.answer(&request);
                let department = link.upper.departments.get(&escalation.department).map(|d| name_in(&d.names, current_lang())).unwrap_or_default();
                Some((link.upper.name.clone(), department, escalation, state, answer, link.upper.claim_within_hours))
            })
            .collect::<Vec<_>>()
    };
    view! {
        {move || lines().into_iter().map(|(space, department, escalation, state, answer, hours)| {
            let locale = i18n.get_locale();
            let since = |at: Timestamp| format::duration(at.0 - escalation.escalated_at.0, locale);
            let values = |time: String| vec![("space", space.clone()), ("department", department.clone()), ("time", time)];
            let filled = |template: &str, time: String| fill(template, &values(time).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
            let (line, overdue) = match state {
                EscalationState::Waiting { overdue } => (filled(t_string!(i18n, escalation_waiting), since(now.get_untracked())), overdue),
                EscalationState::Claimed { late } => (filled(t_string!(i18n, escalation_claimed), answer.claimed.as_ref().map(|s| since(s.at)).unwrap_or_default()), late),
                EscalationState::Resolved { late } => (filled(t_string!(i18n, escalation_resolved), answer.resolved.as_ref().map(|s| since(s.at)).unwrap_or_default()), late),
            };
            view! {
                <div class="escalation-status" data-state=format!("{state:?}")>
                    <p class="escalation-line"><span class="badge">{t!(i18n, escalated_badge)}</span>" "{line}</p>
                    {overdue.then(|| view! { <p class="overdue">{fill(t_string!(i18n, escalation_overdue), &[("hours", &hours.to_string())])}</p> })}
                    <ul class="plain progress-lines">
                        {answer.progress.iter().map(|p| view! { <li><span class="muted">{format::date_time(p.at, locale)}</span>" · "{p.text.clone()}</li> }).collect_view()}
                    </ul>
                </div>
            }
        }).collect_view()}
    }
}

/// Escalates request `request` to a space above (organisers of this space; over active links
/// it was not escalated over yet).
#[component]
pub fn EscalateForm(#[prop(into)] request: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(String::new());
    let chosen = RwSignal::new(String::new());
    let opened = RwSignal::new(false);
    // A private request's words go up only if its organiser chooses (sealed to the department).
    let with_words = RwSignal::new(false);
    let request_for_privacy = request.clone();
    let readable_private = move || {
        ctx.with(|space| {
            space.tasks.get(&request_for_privacy).is_some_and(|t| t.sealed.is_some()) && space.privacy(&format!("tasks/{request_for_privacy}")) == Some(linli_model::Privacy::Open)
        })
        .unwrap_or(false)
    };
    let request_id = request.clone();
    let targets = move || {
        let request = request_id.clone();
        ctx.with(|space| {
            let open_request = space.tasks.get(&request).and_then(|t| t.request.as_ref()).is_some_and(|r| r.resolved_at.is_none());
            if open_request { ctx.with_links(|links| links_above(links, space)).unwrap_or_default() } else { Vec::new() }
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, link)| link.state() == LinkState::Active && !link.lower.escalations.contains_key(&request))
        .map(|(id, link)| {
            let lang = current_lang();
            let mut departments: Vec<(String, String)> = link
                .upper
                .departments
                .iter()
                .map(|(d, dep)| {
                    let name = name_in(&dep.names, lang);
                    (d.clone(), if dep.team.is_empty() { name } else { format!("{name} · {}", dep.team) })
                })
                .collect();
            departments.sort_by(|a, b| a.1.cmp(&b.1));
            (id, link.upper.name.clone(), departments)
        })
        .collect::<Vec<_>>()
    };
    view! {
        {move || targets().into_iter().map(|(link, space, departments)| {
            let request = request.clone();
            let first = departments.first().map(|(d, _)| d.clone()).unwrap_or_default();
            let escalate = move |_| {
                let department = Some(chosen.get_untracked()).filter(|d| !d.is_empty()).unwrap_or_else(|| first.clone());
                let edit = LinkedEdit::Escalate { request: request.clone(), department, details: note.get_untracked(), with_words: with_words.get_untracked() };
                ctx.linked_then(&link, edit, move |outcome| match outcome {
                    Ok(()) => {
                        note.set(String::new());
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                });
            };
            view! {
                <details class="escalate edit-only no-print" prop:open=move || opened.get() on:toggle=move |ev| opened.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
                    <summary>{fill(t_string!(i18n, escalate_to), &[("space", &space)])}</summary>
                    <label>{t!(i18n, escalate_department)}
                        <select class="escalate-department" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            {departments.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t!(i18n, escalate_note)}
                        <textarea class="escalate-note" rows="2" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                    </label>
                    {let readable_private = readable_private.clone(); move || readable_private().then(|| view! {
                        <label class="check"><input type="checkbox" class="escalate-with-words" prop:checked=move || with_words.get() on:change=move |ev| with_words.set(event_target_checked(&ev)) />{t!(i18n, escalate_with_words)}</label>
                    })}
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="button" class="escalate-button" on:click=escalate>{t!(i18n, escalate_button)}</button>
                </details>
            }
        }).collect_view()}
    }
}
