//! How the neighbourhood takes part: signatures over time, tasks done per week, how fast
//! resident requests were answered, turnout per consultation, and meetings' action items done
//! by their due date.

use leptos::prelude::*;

use crate::charts::{BarChart, LineChart, Point};
use crate::format;
use crate::i18n::*;
use crate::space_context::use_space;

#[component]
pub fn ParticipationPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let data = Memo::new(move |_| ctx.with(|s| (s.signatures_by_day(), s.tasks_done_by_week(), s.response_times())).unwrap_or_default());
    let turnout = Memo::new(move |_| ctx.with(|s| s.turnout_by_consultation()).unwrap_or_default());
    let actions = Memo::new(move |_| ctx.with(|s| s.actions_done_on_time(crate::platform::now())).unwrap_or_default());
    view! {
        <section aria-labelledby="participation-heading">
            <h2 id="participation-heading">{t!(i18n, participation)}</h2>
            {move || {
                let (signatures, done, responses) = data.get();
                let locale = i18n.get_locale();
                let signature_points: Vec<Point> = signatures.iter().map(|(d, n)| Point { label: format::date(*d, locale), value: *n as f64 }).collect();
                let done_points: Vec<Point> = done.iter().map(|(w, n)| Point { label: format::date(*w, locale), value: *n as f64 }).collect();
                let response_points: Vec<Point> = responses.iter().map(|(at, ms)| Point { label: format::date(*at, locale), value: (*ms as f64 / 60_000.0).round() }).collect();
                let total_signatures = signatures.last().map(|(_, n)| *n).unwrap_or(0);
                view! {
                    <div class="charts">
                        <section class="card">
                            <h3>{t!(i18n, signatures_over_time)}</h3>
                            <p class="big-number" data-figure="signatures">{format::number(total_signatures, locale)}</p>
                            {if signature_points.is_empty() { view! { <p class="muted">{t!(i18n, no_data_yet)}</p> }.into_any() } else {
                                view! { <LineChart points=signature_points label=t_string!(i18n, signatures_over_time).to_string() /> }.into_any()
                            }}
                        </section>
                        <section class="card">
                            <h3>{t!(i18n, tasks_done_per_week)}</h3>
                            <p class="big-number" data-figure="tasks-done">{format::number(done.iter().map(|(_, n)| n).sum(), locale)}</p>
                            {if done_points.is_empty() { view! { <p class="muted">{t!(i18n, no_data_yet)}</p> }.into_any() } else {
                                view! { <BarChart points=done_points label=t_string!(i18n, tasks_done_per_week).to_string() /> }.into_any()
                            }}
                        </section>
                        <section class="card">
                            <h3>{t!(i18n, actions_on_time)}</h3>
                            {move || {
                                let (on_time, due) = actions.get();
                                match (on_time * 100).checked_div(due) { None => view! { <p class="muted">{t!(i18n, no_data_yet)}</p> }.into_any(), Some(percent) => {
                                    view! {
                                        <p class="big-number" data-figure="actions-on-time">{format!("{percent}%")}</p>
                                        <p class="small">{format::fill(t_string!(i18n, actions_on_time_detail), &[("done", &on_time.to_string()), ("due", &due.to_string())])}</p>
                                    }.into_any()
                                }}
                            }}
                        </section>
                        <section class="card">
                            <h3>{t!(i18n, turnout_per_consultation)}</h3>
                            {move || {
                                let rows = turnout.get();
                                let points: Vec<Point> = rows.iter().map(|(_, question, n)| Point { label: question.clone(), value: *n as f64 }).collect();
                                if points.is_empty() { view! { <p class="muted">{t!(i18n, no_data_yet)}</p> }.into_any() } else {
                                    view! { <BarChart points label=t_string!(i18n, turnout_per_consultation).to_string() /> }.into_any()
                                }
                            }}
                        </section>
                        <section class="card">
                            <h3>{t!(i18n, response_minutes)}</h3>
                            <p class="big-number" data-figure="requests-answered">{format::number(responses.len() as u64, locale)}</p>
                            {if response_points.is_empty() { view! { <p class="muted">{t!(i18n, no_data_yet)}</p> }.into_any() } else {
                                view! { <BarChart points=response_points label=t_string!(i18n, response_minutes).to_string() /> }.into_any()
                            }}
                        </section>
                    </div>
                }
            }}
        </section>
    }
}
