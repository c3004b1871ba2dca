//! The bodies that meet (residents' committee, owners' committee…): renamed, added, archived.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_model::{Edit, ItemId, Names};

use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{current_lang, name_in, use_space};

/// The bodies that meet (residents' committee, owners' committee…): renamed in place, added,
/// archived. Meetings invite them.
#[component]
pub(super) fn BodiesForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        let lang = current_lang();
        ctx.with(|s| s.bodies_in_order().into_iter().map(|(id, b)| (id.to_owned(), name_in(&b.names, lang))).collect::<Vec<_>>()).unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let names = Names::from([(current_lang().tag().to_owned(), new_name.get_untracked().trim().to_owned())]);
        ctx.edit_then(vec![Edit::AddBody { id: ctx.new_id(), names }], move |outcome| match outcome {
            Ok(()) => new_name.set(String::new()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <section class="card edit-only" aria-labelledby="bodies-heading">
            <h2 id="bodies-heading">{t!(i18n, bodies)}</h2>
            <p class="muted">{t!(i18n, bodies_explained)}</p>
            <ul class="plain bodies">
                {move || rows.get().into_iter().map(|(id, name)| {
                    let (rename_id, archive_id) = (id.clone(), id.clone());
                    let input_id = format!("body-{id}");
                    let rename = move |ev: leptos::ev::Event| {
                        let Some(id) = ItemId::parse(&rename_id) else { return };
                        let names = Names::from([(current_lang().tag().to_owned(), event_target_value(&ev).trim().to_owned())]);
                        ctx.edit_then(vec![Edit::RenameBody { id, names }], move |outcome| error.set(outcome.err()));
                    };
                    let archive = move |_| {
                        let Some(id) = ItemId::parse(&archive_id) else { return };
                        ctx.edit_then(vec![Edit::SetBodyArchived { id, archived: true }], move |outcome| error.set(outcome.err()));
                    };
                    view! {
                        <li class="field-row">
                            <label class="visually-hidden" for=input_id.clone()>{t!(i18n, body_name)}</label>
                            <input id=input_id value=name.clone() maxlength="80" on:change=rename />
                            <button type="button" class="secondary" on:click=archive aria-label=move || fill(t_string!(i18n, archive_named), &[("name", &name)])>{t!(i18n, archive)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <form class="edit-only" on:submit=add>
                <label for="new-body">{t!(i18n, new_body)}</label>
                <input id="new-body" required maxlength="80" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button type="submit">{t!(i18n, add)}</button>
            </form>
        </section>
    }
}
