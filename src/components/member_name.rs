//! A member's name as signer lists and comments show it: with a mark when their key proves it
//! was them (docs/capabilities.md), and, for organisers, a button that hides everything the
//! member wrote (spam, abuse: a recorded, reversible moderation; Settings lists who is hidden).

use leptos::prelude::*;
use linli_model::Edit;

use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{is_proven, use_space};

#[component]
pub fn MemberName(member: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let proven = is_proven(&member);
    let is_me = member == ctx.me();
    let error = RwSignal::new(None::<String>);
    let hide = {
        let (member, name) = (member.clone(), name.clone());
        move |_| {
            let question = fill(t_string!(i18n, hide_member_confirm), &[("name", &name)]);
            let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
            if confirmed {
                let edit = Edit::SetMemberHidden { member: member.clone(), hidden: true, reason: String::new() };
                ctx.edit_then(vec![edit], move |outcome| error.set(outcome.err()));
            }
        }
    };
    view! {
        <span class="member-name" data-member=member.clone()>
            <span class="name">{name.clone()}</span>
            {proven.then(|| view! { " " <span class="proven" role="img" title=move || t_string!(i18n, proven_member) aria-label=move || t_string!(i18n, proven_member)>"✓"</span> })}
            {(!is_me).then(|| view! {
                " " <button type="button" class="link-button hide-member edit-only no-print"
                    aria-label=move || fill(t_string!(i18n, hide_member_named), &[("name", &name)])
                    on:click=hide>{t!(i18n, hide_member)}</button>
            })}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </span>
    }
}
