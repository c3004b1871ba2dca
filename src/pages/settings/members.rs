//! Members an organiser hid, shown again on request, and entries this device could not read.

use leptos::prelude::*;
use linli_model::Edit;

use crate::format::fill;
use crate::i18n::*;
use crate::space_context::use_space;

/// Members whose contributions an organiser hid, with "show again" (moderation is recorded and
/// reversible; the contributions stay in the history).
#[component]
pub(super) fn HiddenMembers() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let hidden = Memo::new(move |_| {
        ctx.with(|s| {
            s.moderation
                .iter()
                .filter(|(_, m)| m.hidden)
                .map(|(member, m)| (member.clone(), crate::space_context::member_label(s, member), crate::space_context::member_label(s, &m.changed_by)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let error = RwSignal::new(None::<String>);
    let show_again = move |member: String| ctx.edit_then(vec![Edit::SetMemberHidden { member, hidden: false, reason: String::new() }], move |outcome| error.set(outcome.err()));
    view! {
        <Show when=move || !hidden.get().is_empty()>
            <section class="card edit-only hidden-members" aria-labelledby="hidden-heading">
                <h2 id="hidden-heading">{t!(i18n, hidden_members_heading)}</h2>
                <p class="muted">{t!(i18n, hidden_members_explained)}</p>
                <ul class="plain">
                    {move || hidden.get().into_iter().map(|(member, name, by)| {
                        let label = name.clone();
                        let data = member.clone();
                        view! {
                            <li data-member=data>
                                {name} " · " <span class="muted">{fill(t_string!(i18n, hidden_by), &[("name", &by)])}</span> " "
                                <button type="button" class="secondary" aria-label=move || fill(t_string!(i18n, show_again_named), &[("name", &label)])
                                    on:click=move |_| show_again(member.clone())>{t!(i18n, show_again)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </section>
        </Show>
    }
}

/// For organisers: the entries every screen leaves out because they cannot be read (where, and
/// why), so that a malformed signature or comment is seen instead of silently missing.
#[component]
pub(super) fn UnreadableEntries() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let unreadable = Memo::new(move |_| ctx.with(|s| s.unreadable.iter().map(|u| (u.path.clone(), u.reason.clone())).collect::<Vec<_>>()).unwrap_or_default());
    view! {
        <Show when=move || !unreadable.get().is_empty()>
            <section class="card edit-only unreadable-entries" aria-labelledby="unreadable-heading">
                <h2 id="unreadable-heading">{t!(i18n, unreadable_heading)}</h2>
                <p class="muted">{t!(i18n, unreadable_explained)}</p>
                <ul class="plain">
                    {move || unreadable.get().into_iter().map(|(path, reason)| view! {
                        <li><code>{path}</code> " · " <span class="muted">{reason}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}
