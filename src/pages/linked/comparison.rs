//! Response times and turnout compared across the spaces below, and response over time.

use leptos::prelude::*;
use linli_model::{WEEK_MS, weekly_median_response_hours};

use super::link_row::LinkRow;
use crate::charts::{BarChart, LineChart, Point, Sparkline};
use crate::format;
use crate::i18n::*;
use crate::platform;

const HOUR: f64 = 3_600_000.0;

/// Response times and turnout compared across the spaces below, and response over time.
#[component]
pub(super) fn Comparison(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let charts = move || {
        let now = platform::now();
        let start = now.month_start();
        let links = rows.get();
        let medians: Vec<(String, Option<i64>)> = links.iter().map(|r| (r.link.lower.name.clone(), r.link.summary(now, start).median_response)).collect();
        let has_response = medians.iter().any(|(_, m)| m.is_some());
        let response: Vec<Point> = medians.into_iter().map(|(label, m)| Point { label, value: m.map_or(0.0, |ms| (ms as f64 / HOUR * 10.0).round() / 10.0) }).collect();
        let has_turnout = links.iter().any(|r| !r.link.lower.digest.decisions.is_empty());
        let turnout: Vec<Point> = links
            .iter()
            .map(|r| {
                let decisions = &r.link.lower.digest.decisions;
                let average = if decisions.is_empty() { 0.0 } else { decisions.values().map(|d| d.voters as f64).sum::<f64>() / decisions.len() as f64 };
                Point { label: r.link.lower.name.clone(), value: (average * 10.0).round() / 10.0 }
            })
            .collect();
        // Each of the last 12 weeks: the median time to respond to requests raised that week, over
        // all communities, then for each one.
        let this_week = now.0.div_euclid(WEEK_MS);
        let week_label = |ago: i64| format::date(linli_model::Timestamp((this_week - ago) * WEEK_MS), i18n.get_locale());
        let all = weekly_median_response_hours(links.iter().flat_map(|r| r.link.lower.digest.requests.values()), now);
        let has_weeks = all.iter().any(Option::is_some);
        let weeks: Vec<Point> = all.iter().enumerate().map(|(i, m)| Point { label: week_label(11 - i as i64), value: m.unwrap_or(0.0) }).collect();
        let each: Vec<(String, Vec<Option<f64>>)> =
            links.iter().map(|r| (r.link.lower.name.clone(), weekly_median_response_hours(r.link.lower.digest.requests.values(), now))).collect();
        let max = each.iter().flat_map(|(_, w)| w.iter().flatten()).copied().fold(0.0, f64::max);
        let each_label = t_string!(i18n, compare_over_time_each).to_string();
        let per_space = has_weeks.then(|| {
            view! {
                <h4>{each_label.clone()}</h4>
                <figure class="chart sparklines">
                    <table class="plain-table"><tbody>
                        {each.into_iter().map(|(name, medians)| {
                            let points: Vec<(String, Option<f64>)> = medians.iter().enumerate().map(|(i, m)| (week_label(11 - i as i64), *m)).collect();
                            let latest = medians.iter().rev().flatten().next().map_or_else(|| "—".to_owned(), |m| format!("{m} h"));
                            let label = format!("{name}: {each_label}");
                            let space = name.clone();
                            view! { <tr data-space=space><th scope="row">{name}</th><td><Sparkline points max label /></td><td class="muted">{latest}</td></tr> }
                        }).collect_view()}
                    </tbody></table>
                </figure>
            }
        });
        // A chart with nothing measured yet says so instead.
        let none = move || view! { <p class="muted no-data">{t!(i18n, compare_no_data)}</p> }.into_any();
        view! {
            <h4>{t!(i18n, compare_response)}</h4>
            {if has_response { view! { <BarChart points=response label=t_string!(i18n, compare_response).to_string() /> }.into_any() } else { none() }}
            <h4>{t!(i18n, compare_turnout)}</h4>
            {if has_turnout { view! { <BarChart points=turnout label=t_string!(i18n, compare_turnout).to_string() /> }.into_any() } else { none() }}
            <h4>{t!(i18n, compare_over_time)}</h4>
            {if has_weeks { view! { <LineChart points=weeks label=t_string!(i18n, compare_over_time).to_string() /> }.into_any() } else { none() }}
            {per_space}
        }
    };
    view! {
        <section class="card comparison" aria-labelledby="compare-heading">
            <h3 id="compare-heading">{t!(i18n, compare_heading)}</h3>
            {charts}
        </section>
    }
}
