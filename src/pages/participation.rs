//! How the neighbourhood takes part: signatures over time, tasks done per week, how fast
//! resident requests were answered, turnout per consultation, and meetings' action items done
//! by their due date.

use leptos::prelude::*;
use linli_model::{Space, Timestamp};

use crate::charts::{BarChart, LineChart, Point};
use crate::format;
use crate::i18n::*;
use crate::space_context::use_space;

const DAY: i64 = 24 * 60 * 60 * 1000;
const WEEK: i64 = 7 * DAY;

/// Signatures that count (online and paper), added up day by day from the first one.
fn signatures_by_day(space: &Space) -> Vec<(Timestamp, u64)> {
    let mut events: Vec<(i64, u64)> = Vec::new();
    for pledge in space.pledges.values() {
        events.extend(pledge.signatures.values().filter(|s| s.withdrawn_at.is_none()).map(|s| (s.signed_at.0, 1)));
        events.extend(pledge.paper.values().map(|p| (p.recorded_at.0, p.count)));
    }
    events.sort();
    let mut days: Vec<(Timestamp, u64)> = Vec::new();
    let mut total = 0;
    for (at, n) in events {
        total += n;
        let day = at.div_euclid(DAY) * DAY;
        match days.last_mut() {
            Some((d, count)) if d.0 == day => *count = total,
            _ => days.push((Timestamp(day), total)),
        }
    }
    days
}

/// Tasks finished per week (the last 8 weeks with any): resolved requests by when they were
/// resolved, other tasks in their board's last column by their last change.
fn tasks_done_by_week(space: &Space) -> Vec<(Timestamp, u64)> {
    let mut weeks: std::collections::BTreeMap<i64, u64> = Default::default();
    for task in space.tasks.values().filter(|t| !t.archived) {
        let done_at = match &task.request {
            Some(r) => r.resolved_at,
            None => {
                let last_column = space.boards.get(&task.board).and_then(|b| b.columns_in_order().last().map(|(id, _)| (*id).to_owned()));
                (last_column.as_deref() == Some(task.column.as_str())).then_some(task.updated_at)
            }
        };
        if let Some(at) = done_at {
            *weeks.entry(at.0.div_euclid(WEEK) * WEEK).or_default() += 1;
        }
    }
    let all: Vec<_> = weeks.into_iter().map(|(w, n)| (Timestamp(w), n)).collect();
    all[all.len().saturating_sub(8)..].to_vec()
}

/// Response times of the latest 20 answered requests, oldest first.
fn response_times(space: &Space) -> Vec<(Timestamp, i64)> {
    let mut times: Vec<_> = space.tasks.values().filter_map(|t| t.request.as_ref()).filter_map(|r| Some((r.raised_at, r.response_time()?))).collect();
    times.sort();
    times[times.len().saturating_sub(20)..].to_vec()
}

/// Turnout (everyone who voted, in the app and on paper) of the latest 12 consultations that have
/// opened, by when they close.
fn turnout_by_consultation(space: &Space) -> Vec<(Timestamp, String, u64)> {
    let mut rows: Vec<_> =
        space.consultations.iter().filter(|(_, c)| !c.archived).filter_map(|(id, c)| Some((c.closes_at, c.question.clone(), space.outcome(id)?.voters()))).collect();
    rows.sort_by_key(|a| a.0);
    rows[rows.len().saturating_sub(12)..].to_vec()
}

#[component]
pub fn ParticipationPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let data = Memo::new(move |_| ctx.with(|s| (signatures_by_day(s), tasks_done_by_week(s), response_times(s))).unwrap_or_default());
    let turnout = Memo::new(move |_| ctx.with(turnout_by_consultation).unwrap_or_default());
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
