//! A space at a glance: urgent and pinned notices, the next meeting, open consultations (time left, turnout),
//! pledges open for signing, my claimed tasks, open resident requests.

use leptos::prelude::*;

use crate::components::consultation_status::StatusLine;
use crate::components::pledge_progress::PledgeProgress;
use crate::components::show_more::{RowLimit, ShowMore};
use crate::components::task_card::{TaskCardBody, TaskSummary};
use crate::format::fill;
use crate::i18n::*;
use crate::platform;
use crate::space_context::use_space;

#[component]
pub fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let highlighted = Memo::new(move |_| {
        ctx.with(|s| {
            s.active_notices(platform::now()).into_iter().filter(|(_, n)| n.urgent || n.pinned).map(|(id, n)| (id.to_owned(), n.title.clone(), n.urgent)).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let pledges = Memo::new(move |_| {
        ctx.with(|s| s.open_pledges(platform::now()).into_iter().map(|(id, p)| (id.to_owned(), p.title.clone(), p.signature_count(), p.goal)).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let consultations = Memo::new(move |_| {
        let now = platform::now();
        ctx.with(|s| {
            s.consultations_in_order(now)
                .into_iter()
                .filter(|(_, c)| matches!(c.status(now), linli_model::ConsultationStatus::Open | linli_model::ConsultationStatus::Upcoming))
                .map(|(id, c)| (id.to_owned(), c.question.clone(), c.status(now), c.opens_at, c.closes_at, s.outcome(id).map(|o| o.voters()).unwrap_or(0)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let next_meeting = Memo::new(move |_| ctx.with(|s| s.next_meeting(platform::now()).map(|(id, m)| (id.to_owned(), m.title.clone(), m.starts_at, m.place.clone()))).flatten());
    let my_tasks = Memo::new(move |_| {
        let me = ctx.me();
        ctx.with(|s| {
            s.tasks
                .iter()
                .filter(|(_, t)| !t.archived && (t.claimed_by == me || t.assignees.get(&me) == Some(&true)) && s.done_at(t).is_none())
                .map(|(id, t)| TaskSummary::of(s, id, t))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let requests = Memo::new(move |_| ctx.with(|s| s.open_requests().into_iter().map(|(id, t)| TaskSummary::of(s, id, t)).collect::<Vec<_>>()).unwrap_or_default());
    let limits = [RowLimit::new(), RowLimit::new(), RowLimit::new(), RowLimit::new(), RowLimit::new()];
    let care = crate::care_mode::use_care_mode();
    view! {
        <div class="overview">
            // Care mode leads with what a resident does most, as large buttons.
            <Show when=move || care.on.get()>
                <nav class="care-actions no-print" aria-label=move || t_string!(i18n, care_actions)>
                    <a class="button" href=ctx.link("/notices")>{t!(i18n, care_read_notices)}</a>
                    <a class="button" href=ctx.link("/pledges")>{t!(i18n, care_sign_pledge)}</a>
                    <a class="button" href=ctx.link("/requests")>{t!(i18n, care_raise_request)}</a>
                    <a class="button" href=ctx.link("/consultations")>{t!(i18n, care_vote)}</a>
                </nav>
            </Show>
            <section class="card" aria-labelledby="urgent-heading">
                <h2 id="urgent-heading">{t!(i18n, urgent_and_pinned)}</h2>
                {move || {
                    let notices = limits[0].first(highlighted.get());
                    if notices.is_empty() {
                        view! { <p class="muted">{t!(i18n, nothing_urgent)} " " <a href=ctx.link("/notices")>{t!(i18n, all_notices)}</a></p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {notices.into_iter().map(|(id, title, urgent)| view! {
                                    <li class:urgent=urgent>
                                        {urgent.then(|| view! { <span class="badge urgent">{t!(i18n, urgent)}</span> " " })}
                                        <a href=ctx.link(&format!("/notices/{id}"))>{title}</a>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ShowMore limit=limits[0] total=Signal::derive(move || highlighted.with(Vec::len)) />
                        }.into_any()
                    }
                }}
            </section>
            {move || next_meeting.get().map(|(id, title, starts_at, place)| view! {
                <section class="card" aria-labelledby="next-meeting-heading">
                    <h2 id="next-meeting-heading">{t!(i18n, next_meeting)}</h2>
                    <p>
                        <a href=ctx.link(&format!("/meetings/{id}"))>{title}</a>
                        <br /><span class="small">{crate::format::date_time(starts_at, i18n.get_locale())} {(!place.is_empty()).then(|| format!(" · {place}"))}</span>
                    </p>
                </section>
            })}
            {move || (!consultations.with(Vec::is_empty)).then(|| view! {
                <section class="card" aria-labelledby="open-consultations-heading">
                    <h2 id="open-consultations-heading">{t!(i18n, open_consultations)}</h2>
                    <ul class="plain">
                        {limits[4].first(consultations.get()).into_iter().map(|(id, question, status, opens_at, closes_at, voters)| view! {
                            <li>
                                <a href=ctx.link(&format!("/consultations/{id}"))>{question}</a>
                                <StatusLine status opens_at closes_at />
                                <span class="small">{move || fill(t_string!(i18n, turnout_count), &[("count", &voters.to_string())])}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <ShowMore limit=limits[4] total=Signal::derive(move || consultations.with(Vec::len)) />
                </section>
            })}
            <section class="card" aria-labelledby="open-pledges-heading">
                <h2 id="open-pledges-heading">{t!(i18n, pledges_open)}</h2>
                {move || {
                    let shown = limits[1].first(pledges.get());
                    if shown.is_empty() {
                        view! { <p class="muted">{t!(i18n, no_open_pledges)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {shown.into_iter().map(|(id, title, count, goal)| view! {
                                    <li><a href=ctx.link(&format!("/pledges/{id}"))>{title}</a><PledgeProgress count goal /></li>
                                }).collect_view()}
                            </ul>
                            <ShowMore limit=limits[1] total=Signal::derive(move || pledges.with(Vec::len)) />
                        }.into_any()
                    }
                }}
            </section>
            <section class="card" aria-labelledby="my-tasks-heading">
                <h2 id="my-tasks-heading">{t!(i18n, my_tasks)}</h2>
                {move || {
                    let tasks = limits[2].first(my_tasks.get());
                    if tasks.is_empty() {
                        view! { <p class="muted">{t!(i18n, no_claimed_tasks)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">{tasks.into_iter().map(|task| view! { <li class="task-card"><TaskCardBody task /></li> }).collect_view()}</ul>
                            <ShowMore limit=limits[2] total=Signal::derive(move || my_tasks.with(Vec::len)) />
                        }.into_any()
                    }
                }}
            </section>
            <section class="card" aria-labelledby="open-requests-heading">
                <h2 id="open-requests-heading">{t!(i18n, open_requests)}</h2>
                {move || {
                    let tasks = limits[3].first(requests.get());
                    if tasks.is_empty() {
                        view! { <p class="muted">{t!(i18n, no_open_requests)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">{tasks.into_iter().map(|task| view! { <li class="task-card"><TaskCardBody task /></li> }).collect_view()}</ul>
                            <ShowMore limit=limits[3] total=Signal::derive(move || requests.with(Vec::len)) />
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}
