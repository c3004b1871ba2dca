//! Inviting a space to link under this one, and accepting an invitation.

use leptos::prelude::*;
use linli_model::Shares;

use crate::components::qr_code::QrCode;
use crate::i18n::*;
use crate::space_context::use_space;

/// An organiser invites a space under this one and hands over the invitation's text.
#[component]
pub(super) fn InviteForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    // A new community gets the limit the street's other links have (else a day).
    let in_force = ctx
        .with(|space| ctx.with_links(|links| links.iter().filter(|(id, _)| space.links.get(*id).is_some_and(|l| l.is_upper())).map(|(_, l)| l.upper.claim_within_hours).max()))
        .flatten()
        .flatten();
    let hours = RwSignal::new(in_force.unwrap_or(24).to_string());
    let label = RwSignal::new(String::new());
    let made = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let within = hours.get_untracked().trim().parse::<u64>().unwrap_or(24).max(1);
        copied.set(false);
        let asked = ctx.engine().get().invite_space(ctx.id, within, &label.get_untracked());
        leptos::task::spawn_local(async move {
            match asked.await {
                Ok(text) => {
                    made.set(Some(text));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card edit-only no-print invite-form" on:submit=invite>
            <h3>{t!(i18n, linked_invite)}</h3>
            <label for="invite-label">{t!(i18n, linked_invite_label)}</label>
            <input id="invite-label" required maxlength="100" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
            <label for="claim-hours">{t!(i18n, linked_claim_hours)}</label>
            <input id="claim-hours" type="number" min="1" max="720" prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev)) />
            <button type="submit">{t!(i18n, linked_make_invitation)}</button>
            {move || made.get().map(|text| {
                let to_copy = text.clone();
                let copy = move |_| {
                    let Some(window) = web_sys::window() else { return };
                    let written = window.navigator().clipboard().write_text(&to_copy);
                    leptos::task::spawn_local(async move {
                        copied.set(wasm_bindgen_futures::JsFuture::from(written).await.is_ok());
                    });
                };
                view! {
                    <p>{t!(i18n, linked_invitation_ready)}</p>
                    <textarea class="invitation-text" readonly rows="3" aria-label=move || t_string!(i18n, linked_invitation_text) prop:value=text.clone() />
                    <p class="actions">
                        <button type="button" class="copy-invitation" on:click=copy>{t!(i18n, copy_invitation)}</button>
                        {move || copied.get().then(|| view! { <span role="status" class="copied">{t!(i18n, copied)}</span> })}
                    </p>
                    <QrCode link=text label=t_string!(i18n, linked_invitation_qr).to_string() />
                }
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// An organiser accepts an invitation from a space above, choosing what to share.
#[component]
pub(super) fn AcceptForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let text = RwSignal::new(String::new());
    let names = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let accept = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A copy cut short or mistyped is said at once, in the reader's language.
        if linli_view::Invitation::from_text(&text.get_untracked()).is_none() {
            error.set(Some(t_string!(i18n, linked_invitation_incomplete).to_string()));
            return;
        }
        busy.set(true);
        let shares = Shares { names: names.get_untracked(), ..Shares::default() };
        let asked = ctx.engine().get().accept_invitation(ctx.id, &text.get_untracked(), shares);
        leptos::task::spawn_local(async move {
            let outcome = asked.await;
            busy.set(false);
            match outcome {
                Ok(()) => {
                    text.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card edit-only no-print accept-form" on:submit=accept>
            <h3>{t!(i18n, linked_accept)}</h3>
            <label for="invitation">{t!(i18n, linked_invitation_text)}</label>
            <textarea id="invitation" rows="3" required prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            <label class="check"><input type="checkbox" class="share-names" prop:checked=move || names.get() on:change=move |ev| names.set(event_target_checked(&ev)) />{t!(i18n, share_names)}</label>
            <button type="submit" disabled=move || busy.get()>{t!(i18n, linked_accept_button)}</button>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{t!(i18n, linked_waiting)}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
