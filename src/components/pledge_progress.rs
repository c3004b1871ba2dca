//! A pledge's signatures against its goal, as a bar and in words.

use leptos::prelude::*;

use crate::format::fill;
use crate::i18n::*;

#[component]
pub fn PledgeProgress(count: u64, goal: u64) -> impl IntoView {
    let i18n = use_i18n();
    let percent = (count * 100).checked_div(goal).map_or(100, |p| p.min(100));
    view! {
        <div class="progress-line">
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=goal.max(count).to_string()
                aria-valuenow=count.to_string() aria-label=move || t_string!(i18n, signatures)>
                <div class="progress-fill" style=format!("width: {percent}%")></div>
            </div>
            <span class="progress-count">
                {move || if goal > 0 { fill(t_string!(i18n, signed_of_goal), &[("count", &count.to_string()), ("goal", &goal.to_string())]).to_string() } else { fill(t_string!(i18n, signed_count), &[("count", &count.to_string())]).to_string() }}
            </span>
        </div>
    }
}
