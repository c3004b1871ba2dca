//! The spaces this one is linked under: what it shares with each, and ending a link.

use leptos::prelude::*;
use linli_model::{LinkState, Shares};
use linli_view::LinkedEdit;

use super::link_row::LinkRow;
use crate::i18n::*;
use crate::space_context::{SpaceContext, use_space};

/// A space above this one: its state, and (for organisers) what this space shares with it.
#[component]
pub(super) fn AboveLink(row: LinkRow) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let shares = row.link.lower.shares;
    let error = RwSignal::new(None::<String>);
    let link = StoredValue::new(row.id.clone());
    let set = move |change: fn(&mut Shares, bool), on: bool| {
        let mut next = shares;
        change(&mut next, on);
        ctx.linked_then(&link.get_value(), LinkedEdit::Shares(next), move |outcome| error.set(outcome.err()));
    };
    let state = match row.link.state() {
        LinkState::Invited => t_string!(i18n, linked_state_invited).to_string(),
        LinkState::Active => t_string!(i18n, linked_state_active).to_string(),
        LinkState::Ended => t_string!(i18n, linked_state_ended).to_string(),
    };
    let boxes: [(fn(&Shares) -> bool, fn(&mut Shares, bool), &'static str); 5] = [
        (|s| s.requests, |s, on| s.requests = on, "requests"),
        (|s| s.pledges, |s, on| s.pledges = on, "pledges"),
        (|s| s.decisions, |s, on| s.decisions = on, "decisions"),
        (|s| s.urgent_notices, |s, on| s.urgent_notices = on, "urgent"),
        (|s| s.names, |s, on| s.names = on, "names"),
    ];
    let label = move |key: &str| match key {
        "requests" => t_string!(i18n, share_requests).to_string(),
        "pledges" => t_string!(i18n, share_pledges).to_string(),
        "decisions" => t_string!(i18n, share_decisions).to_string(),
        "urgent" => t_string!(i18n, share_urgent).to_string(),
        _ => t_string!(i18n, share_names).to_string(),
    };
    let active = row.link.state() == LinkState::Active;
    view! {
        <div class="above-link" data-space=row.link.upper.name.clone()>
            <p><strong>{row.link.upper.name.clone()}</strong>" · "<span class="link-state">{state}</span></p>
            <fieldset class="shares" disabled=!active>
                <legend>{t!(i18n, linked_shares)}</legend>
                {boxes.into_iter().map(|(get, change, key)| view! {
                    <label class="check"><input type="checkbox" class="edit-only" data-share=key prop:checked=get(&shares) on:change=move |ev| set(change, event_target_checked(&ev)) />{label(key)}</label>
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {active.then(|| view! { <EndLink ctx link=row.id.clone() /> })}
        </div>
    }
}

#[component]
pub(super) fn EndLink(ctx: SpaceContext, link: String) -> impl IntoView {
    let i18n = use_i18n();
    let end = move |_| ctx.linked_then(&link, LinkedEdit::End, drop);
    view! { <button type="button" class="secondary edit-only end-link" on:click=end>{t!(i18n, linked_end)}</button> }
}
