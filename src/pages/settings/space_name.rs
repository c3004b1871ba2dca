//! The space's name and description, in each language.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::Edit;

use super::status_line::StatusLine;
use crate::i18n::*;
use crate::space_context::use_space;

#[component]
pub(super) fn SpaceNameForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let (name, description) = ctx.with_untracked(|s| (s.name.clone(), s.description.clone())).unwrap_or_default();
    let name = RwSignal::new(name);
    let description = RwSignal::new(description);
    let status = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let edits = vec![Edit::RenameSpace { name: name.get_untracked() }, Edit::SetDescription { description: description.get_untracked() }];
        ctx.edit_then(edits, move |outcome| status.set(Some(outcome)));
    };
    view! {
        <form class="card edit-only" on:submit=save aria-labelledby="space-settings-heading">
            <h2 id="space-settings-heading">{t!(i18n, space_settings)}</h2>
            <label for="settings-space-name">{t!(i18n, space_name)}</label>
            <input id="settings-space-name" required maxlength="120" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="settings-description">{t!(i18n, description)}</label>
            <textarea id="settings-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            <StatusLine status />
            <button type="submit">{t!(i18n, save)}</button>
        </form>
    }
}
