//! The consultations of a space (民主協商): open ones first with time left and turnout, and
//! opening a new one (an organiser's).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use linli_model::{ConsultationDraft, ConsultationStatus, Edit, Threshold};

use crate::components::consultation_status::StatusLine;
use crate::components::show_more::{RowLimit, ShowMore};
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::use_space;

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    question: String,
    status: ConsultationStatus,
    opens_at: linli_model::Timestamp,
    closes_at: linli_model::Timestamp,
    voters: u64,
}

#[component]
pub fn ConsultationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        let now = platform::now();
        ctx.with(|s| {
            s.consultations_in_order(now)
                .into_iter()
                .map(|(id, c)| Row {
                    id: id.to_owned(),
                    question: c.question.clone(),
                    status: c.status(now),
                    opens_at: c.opens_at,
                    closes_at: c.closes_at,
                    voters: s.outcome(id).map(|o| o.voters()).unwrap_or(0),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let limit = RowLimit::new();
    view! {
        <section aria-labelledby="consultations-heading">
            <h2 id="consultations-heading">{t!(i18n, consultations)}</h2>
            <p class="muted">{t!(i18n, consultations_intro)}</p>
            {move || {
                let shown = limit.first(rows.get());
                if shown.is_empty() {
                    return view! { <p class="muted">{t!(i18n, no_consultations)}</p> }.into_any();
                }
                view! {
                    <ul class="plain">
                        {shown.into_iter().map(|row| view! {
                            <li class="card consultation-row">
                                <a class="notice-link" href=ctx.link(&format!("/consultations/{}", row.id))>{row.question}</a>
                                <StatusLine status=row.status opens_at=row.opens_at closes_at=row.closes_at />
                                <p class="small">{move || fill(t_string!(i18n, turnout_count), &[("count", &row.voters.to_string())])}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                    <ShowMore limit total=Signal::derive(move || rows.with(Vec::len)) />
                }.into_any()
            }}
        </section>
        <NewConsultationForm />
    }
}

/// Opening a consultation: the question, background, the options, when it closes, and the
/// optional quorum and threshold.
#[component]
fn NewConsultationForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let navigate = use_navigate();
    let question = RwSignal::new(String::new());
    let background = RwSignal::new(String::new());
    let yes_no = RwSignal::new(true);
    let options = RwSignal::new(String::new());
    let max_choices = RwSignal::new(String::from("1"));
    let opens = RwSignal::new(String::new());
    let closes = RwSignal::new(format::to_input(Some(linli_model::Timestamp(platform::now().0 + 7 * 24 * 3_600_000))));
    let quorum = RwSignal::new(String::new());
    let two_thirds = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(closes_at) = format::from_input(&closes.get_untracked()) else {
            error.set(Some(t_string!(i18n, closing_time_needed).to_string()));
            return;
        };
        let draft = ConsultationDraft {
            question: question.get_untracked(),
            background: background.get_untracked(),
            yes_no: yes_no.get_untracked(),
            options: options.get_untracked().lines().filter(|l| !l.trim().is_empty()).map(|l| (ctx.new_id().to_string(), l.trim().to_owned())).collect(),
            max_choices: max_choices.get_untracked().trim().parse().unwrap_or(1),
            opens_at: format::from_input(&opens.get_untracked()),
            closes_at,
            quorum: quorum.get_untracked().trim().parse().unwrap_or(0),
            threshold: two_thirds.get_untracked().then_some(Threshold { num: 2, den: 3 }),
        };
        let id = ctx.new_id();
        let navigate = navigate.clone();
        ctx.edit_then(vec![Edit::CreateConsultation { id: id.clone(), draft }], move |outcome| match outcome {
            Ok(()) => navigate(&ctx.link(&format!("/consultations/{id}")), Default::default()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card edit-only" on:submit=create aria-labelledby="new-consultation-heading">
            <h2 id="new-consultation-heading">{t!(i18n, open_consultation)}</h2>
            <label for="consultation-question">{t!(i18n, question)}</label>
            <input id="consultation-question" required maxlength="300" prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev)) />
            <label for="consultation-background">{t!(i18n, background)}</label>
            <textarea id="consultation-background" rows="5" prop:value=move || background.get() on:input=move |ev| background.set(event_target_value(&ev)) />
            <fieldset>
                <legend>{t!(i18n, how_to_answer)}</legend>
                <label class="check"><input type="radio" name="answer-kind" prop:checked=move || yes_no.get() on:change=move |_| yes_no.set(true) />" " {t!(i18n, yes_no_abstain)}</label>
                <label class="check"><input type="radio" name="answer-kind" prop:checked=move || !yes_no.get() on:change=move |_| yes_no.set(false) />" " {t!(i18n, list_of_choices)}</label>
            </fieldset>
            <Show when=move || !yes_no.get()>
                <label for="consultation-options">{t!(i18n, options_one_per_line)}</label>
                <textarea id="consultation-options" rows="4" prop:value=move || options.get() on:input=move |ev| options.set(event_target_value(&ev)) />
                <label for="consultation-max">{t!(i18n, choices_per_vote)}</label>
                <input id="consultation-max" type="number" min="1" inputmode="numeric" prop:value=move || max_choices.get() on:input=move |ev| max_choices.set(event_target_value(&ev)) />
            </Show>
            <div class="field-row">
                <div>
                    <label for="consultation-opens">{t!(i18n, opens_at)}</label>
                    <input id="consultation-opens" type="datetime-local" prop:value=move || opens.get() on:input=move |ev| opens.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="consultation-closes">{t!(i18n, closes_at)}</label>
                    <input id="consultation-closes" type="datetime-local" required prop:value=move || closes.get() on:input=move |ev| closes.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="consultation-quorum">{t!(i18n, quorum)}</label>
                    <input id="consultation-quorum" type="number" min="0" inputmode="numeric" prop:value=move || quorum.get() on:input=move |ev| quorum.set(event_target_value(&ev)) />
                </div>
            </div>
            <label class="check"><input type="checkbox" prop:checked=move || two_thirds.get() on:change=move |ev| two_thirds.set(event_target_checked(&ev)) />" " {t!(i18n, needs_two_thirds)}</label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, open_consultation)}</button>
        </form>
    }
}
