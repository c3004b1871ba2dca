//! The pledges of a space (鄰里公約, 倡議書): open ones first with their progress, and starting a
//! new one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use linli_model::{Edit, PledgeDraft};

use crate::care_mode::{HeldBack, NewItemsLine};
use crate::components::pledge_progress::PledgeProgress;
use crate::components::show_more::{RowLimit, ShowMore};
use crate::format;
use crate::i18n::*;
use crate::platform;
use crate::space_context::use_space;

#[component]
pub fn PledgesPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    // In care mode, pledges started while the list is open wait behind "N new — show".
    let held = HeldBack::new(move || ctx.with(|s| s.pledges.keys().cloned().collect()));
    let waiting = Memo::new(move |_| ctx.with(|s| held.waiting(s.pledges.iter().filter(|(_, p)| !p.archived).map(|(id, _)| id.as_str()))).unwrap_or(0));
    let rows = Memo::new(move |_| {
        let now = platform::now();
        ctx.with(|s| {
            let mut rows: Vec<_> = s
                .pledges
                .iter()
                .filter(|(id, p)| !p.archived && held.shows(id))
                .map(|(id, p)| (id.clone(), p.title.clone(), p.signature_count(), p.goal, p.is_open_for_signing(now), p.created_at))
                .collect();
            rows.sort_by_key(|row| std::cmp::Reverse((row.4, row.5)));
            rows
        })
        .unwrap_or_default()
    });
    let limit = RowLimit::new();
    view! {
        <section aria-labelledby="pledges-heading">
            <h2 id="pledges-heading">{t!(i18n, pledges)}</h2>
            <NewItemsLine held waiting />
            {move || {
                let shown = limit.first(rows.get());
                if shown.is_empty() {
                    view! { <p class="muted">{t!(i18n, no_pledges)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {shown.into_iter().map(|(id, title, count, goal, open, _)| view! {
                                <li class="card pledge-row">
                                    <a class="notice-link" href=ctx.link(&format!("/pledges/{id}"))>{title}</a>
                                    {(!open).then(|| view! { " " <span class="badge muted-badge">{t!(i18n, closed)}</span> })}
                                    <PledgeProgress count goal />
                                </li>
                            }).collect_view()}
                        </ul>
                        <ShowMore limit total=Signal::derive(move || rows.with(Vec::len)) />
                    }.into_any()
                }
            }}
        </section>
        <NewPledgeForm />
    }
}

#[component]
fn NewPledgeForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let goal = RwSignal::new(String::from("20"));
    let binding = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let draft = PledgeDraft {
            title: title.get_untracked(),
            text: text.get_untracked(),
            goal: goal.get_untracked().trim().parse().unwrap_or(0),
            binding_at: binding.get_untracked().trim().parse().ok().filter(|n| *n > 0),
            deadline: format::from_input(&deadline.get_untracked()),
        };
        let id = ctx.new_id();
        let navigate = navigate.clone();
        ctx.edit_then(vec![Edit::CreatePledge { id: id.clone(), draft }], move |outcome| match outcome {
            Ok(()) => navigate(&ctx.link(&format!("/pledges/{id}")), Default::default()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <form class="card edit-only" on:submit=create aria-labelledby="new-pledge-heading">
            <h2 id="new-pledge-heading">{t!(i18n, start_pledge)}</h2>
            <label for="pledge-title">{t!(i18n, title)}</label>
            <input id="pledge-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="pledge-text">{t!(i18n, pledge_text)}</label>
            <textarea id="pledge-text" rows="6" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            <div class="field-row">
                <div>
                    <label for="pledge-goal">{t!(i18n, goal)}</label>
                    <input id="pledge-goal" type="number" min="0" inputmode="numeric" prop:value=move || goal.get() on:input=move |ev| goal.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="pledge-binding">{t!(i18n, binding_at)}</label>
                    <input id="pledge-binding" type="number" min="0" inputmode="numeric" prop:value=move || binding.get() on:input=move |ev| binding.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for="pledge-deadline">{t!(i18n, deadline)}</label>
                    <input id="pledge-deadline" type="datetime-local" prop:value=move || deadline.get() on:input=move |ev| deadline.set(event_target_value(&ev)) />
                </div>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit">{t!(i18n, create_pledge)}</button>
        </form>
    }
}
