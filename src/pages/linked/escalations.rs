//! The requests the spaces below escalated (吹哨), overdue first, which the departments claim, report on and resolve (报到), and the time limit to claim them.

use leptos::prelude::*;
use linli_model::{Escalation, EscalationState, LinkState};
use linli_view::LinkedEdit;

use super::link_row::LinkRow;
use super::shared_view::{open_shared_view, shared_request_anchor};
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::{current_lang, name_in, use_space};

/// One escalation as the department's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EscalationRow {
    pub(super) link: String,
    pub(super) id: String,
    pub(super) community: String,
    pub(super) department: String,
    pub(super) escalation: Escalation,
    pub(super) state: EscalationState,
    pub(super) progress: usize,
}

/// Every escalation from the spaces below, overdue first, with the department's actions.
#[component]
pub(super) fn Escalations(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = move || {
        let now = platform::now();
        let lang = current_lang();
        let mut all: Vec<EscalationRow> = Vec::new();
        for row in rows.get() {
            for (id, escalation, state) in row.link.escalations_in_order(now) {
                let department = row.link.upper.departments.get(&escalation.department).map(|d| name_in(&d.names, lang)).unwrap_or_default();
                let progress = row.link.answer(id).progress.len();
                all.push(EscalationRow {
                    link: row.id.clone(),
                    id: id.to_owned(),
                    community: row.link.lower.name.clone(),
                    department,
                    escalation: escalation.clone(),
                    state,
                    progress,
                });
            }
        }
        let rank = |s: &EscalationState| match s {
            EscalationState::Waiting { overdue: true } => 0,
            EscalationState::Waiting { overdue: false } => 1,
            EscalationState::Claimed { .. } => 2,
            EscalationState::Resolved { .. } => 3,
        };
        all.sort_by(|a, b| rank(&a.state).cmp(&rank(&b.state)).then_with(|| a.escalation.escalated_at.cmp(&b.escalation.escalated_at)));
        all
    };
    view! {
        <ul class="plain escalations">
            <For each=list key=|r| (r.link.clone(), r.id.clone(), format!("{:?}", r.state), r.progress) let:row>
                <EscalationItem row />
            </For>
        </ul>
        {move || list().is_empty().then(|| view! { <p class="muted">{t!(i18n, none_here)}</p> })}
    }
}

#[component]
pub(super) fn EscalationItem(row: EscalationRow) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let progress = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let act = move |link: String, edit: LinkedEdit| {
        ctx.linked_then(&link, edit, move |outcome| match outcome {
            Ok(()) => {
                progress.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let locale = i18n.get_locale();
    let (state_text, overdue) = match row.state {
        EscalationState::Waiting { overdue } => (t_string!(i18n, waiting).to_string(), overdue),
        EscalationState::Claimed { late } => (t_string!(i18n, escalation_state_claimed).to_string(), late),
        EscalationState::Resolved { late } => (t_string!(i18n, escalation_state_resolved).to_string(), late),
    };
    let (link_claim, link_progress, link_resolve) = (row.link.clone(), row.link.clone(), row.link.clone());
    let (id_claim, id_progress, id_resolve) = (row.id.clone(), row.id.clone(), row.id.clone());
    let resolved = matches!(row.state, EscalationState::Resolved { .. });
    let waiting = matches!(row.state, EscalationState::Waiting { .. });
    view! {
        <li class="card escalation" class:overdue=overdue && !resolved data-escalation=row.id.clone() data-state=format!("{:?}", row.state)>
            // A private request goes up without its words: its community's note says what matters.
            <p><strong class="escalation-title">{if row.escalation.title.is_empty() { t_string!(i18n, private_request).to_string() } else { row.escalation.title.clone() }}</strong></p>
            <p class="task-meta">
                <span class="badge">{row.department.clone()}</span>" "
                // Back to the request among what its community shares (not into the community's
                // space: opening that would bring its whole document to this device).
                <a class="escalation-source" href=format!("#{}", shared_request_anchor(&row.link, &row.id)) on:click={let link = row.link.clone(); move |_| open_shared_view(&link)}>
                    {fill(t_string!(i18n, from_space), &[("space", &row.community)])}
                </a>" · "
                <span class="muted">{format::date_time(row.escalation.escalated_at, locale)}</span>" · "
                <span class="escalation-state">{state_text}</span>
            </p>
            {(!row.escalation.details.is_empty()).then(|| view! { <p>{row.escalation.details.clone()}</p> })}
            {(!row.escalation.raised_by_name.is_empty()).then(|| view! { <p class="muted">{row.escalation.raised_by_name.clone()}</p> })}
            {(!resolved).then(|| view! {
                <div class="actions no-print edit-only">
                    {waiting.then(|| view! { <button type="button" class="claim-escalation" on:click=move |_| act(link_claim.clone(), LinkedEdit::Claim { escalation: id_claim.clone() })>{t!(i18n, claim)}</button> })}
                    <input class="progress-text" aria-label=move || t_string!(i18n, report_progress) placeholder=move || t_string!(i18n, report_progress_placeholder) prop:value=move || progress.get() on:input=move |ev| progress.set(event_target_value(&ev)) />
                    <button type="button" class="secondary report-progress" on:click=move |_| act(link_progress.clone(), LinkedEdit::Progress { escalation: id_progress.clone(), text: progress.get_untracked() })>{t!(i18n, report_progress)}</button>
                    <button type="button" class="resolve-escalation" on:click=move |_| act(link_resolve.clone(), LinkedEdit::Resolve { escalation: id_resolve.clone() })>{t!(i18n, resolve)}</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </li>
    }
}

/// The upper space's time limit for claiming escalations, for every space below (organisers).
#[component]
pub(super) fn ClaimLimit(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let hours = RwSignal::new(rows.get_untracked().first().map(|r| r.link.upper.claim_within_hours.to_string()).unwrap_or_else(|| "24".into()));
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(within) = hours.get_untracked().trim().parse::<u64>() else { return error.set(Some(t_string!(i18n, linked_claim_hours).to_string())) };
        for row in rows.get_untracked().into_iter().filter(|r| r.link.state() == LinkState::Active) {
            ctx.linked_then(&row.id, LinkedEdit::ClaimWithin(within.max(1)), move |outcome| error.set(outcome.err()));
        }
    };
    view! {
        <form class="edit-only no-print claim-limit" on:submit=save>
            <label for="claim-limit">{t!(i18n, linked_claim_hours)}</label>
            <input id="claim-limit" type="number" min="1" max="720" prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">{t!(i18n, save)}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
