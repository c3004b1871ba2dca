//! Linked spaces (联动): a street's view of the communities linked under it — one sortable line
//! each (open requests, overdue escalations, this month's median response and resolution,
//! pledges, decisions, urgent notices), each opening what that community shares — and the
//! requests they escalated (吹哨), overdue first, which its departments claim, report on and
//! resolve (报到). A community sees the spaces above it and chooses what it shares. Organisers
//! invite, accept and end links here.

mod comparison;
mod escalations;
mod invitations;
mod link_row;
mod links_above;
mod overview;
mod shared_view;

use leptos::prelude::*;

use self::comparison::Comparison;
use self::escalations::{ClaimLimit, Escalations};
use self::invitations::{AcceptForm, InviteForm};
use self::link_row::LinkRow;
use self::links_above::{AboveLink, EndLink};
use self::overview::Overview;
use self::shared_view::SharedView;
use crate::format::{self};
use crate::i18n::*;
use crate::space_context::use_space;

#[component]
pub fn LinkedPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let rows = Memo::new(move |_| {
        ctx.with(|space| {
            ctx.with_links(|links| {
                links
                    .iter()
                    .filter_map(|(id, link)| {
                        let record = space.links.get(id)?;
                        Some(LinkRow { id: id.clone(), link: link.clone(), label: record.other_name.clone(), upper: record.is_upper() })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
        })
        .unwrap_or_default()
    });
    let below = Memo::new(move |_| rows.get().into_iter().filter(|r| r.upper && r.link.lower.accepted_at.is_some()).collect::<Vec<_>>());
    let invited = Memo::new(move |_| rows.get().into_iter().filter(|r| r.upper && r.link.lower.accepted_at.is_none()).collect::<Vec<_>>());
    let above = Memo::new(move |_| rows.get().into_iter().filter(|r| !r.upper).collect::<Vec<_>>());
    let waiting = move || ctx.with(|s| s.links.keys().filter(|id| !rows.get().iter().any(|r| &r.id == *id)).count()).unwrap_or(0);
    view! {
        <h2>{t!(i18n, linked_spaces)}</h2>
        {move || (rows.get().is_empty() && waiting() == 0).then(|| view! { <p class="muted">{t!(i18n, linked_none)}</p> })}
        {move || (waiting() > 0).then(|| view! { <p class="muted" role="status">{t!(i18n, linked_waiting_for_link)}</p> })}
        {move || (!below.get().is_empty()).then(|| view! {
            <section class="card" aria-labelledby="linked-below">
                <h3 id="linked-below">{t!(i18n, linked_below)}</h3>
                <Overview rows=below />
                <ClaimLimit rows=below />
            </section>
            <section class="card" aria-labelledby="escalations-heading">
                <h3 id="escalations-heading">{t!(i18n, escalations)}</h3>
                <Escalations rows=below />
            </section>
            <Comparison rows=below />
            {below.get().into_iter().map(|row| view! { <SharedView row /> }).collect_view()}
        })}
        {move || (!invited.get().is_empty()).then(|| view! {
            <ul class="plain invited">
                {invited.get().into_iter().map(|row| view! {
                    <li class="card invited-row">
                        <strong class="invited-label">{row.label.clone()}</strong> " · "
                        {t!(i18n, linked_state_invited)}" · "{format::date_time(row.link.upper.invited_at, i18n.get_locale())}
                        <EndLink ctx link=row.id.clone() />
                    </li>
                }).collect_view()}
            </ul>
        })}
        {move || (!above.get().is_empty()).then(|| view! {
            <section class="card" aria-labelledby="linked-above">
                <h3 id="linked-above">{t!(i18n, linked_above)}</h3>
                {above.get().into_iter().map(|row| view! { <AboveLink row /> }).collect_view()}
            </section>
        })}
        <InviteForm />
        <AcceptForm />
    }
}
