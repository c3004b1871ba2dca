//! Where a consultation stands, in words: opens / closes in how long, waiting to be counted, or
//! closed — and its result, option by option, with turnout, quorum and what was decided.

use leptos::prelude::*;
use linli_model::{ABSTAIN, Consultation, ConsultationStatus, Decision, NO, Outcome, Timestamp, YES};

use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;

/// The status in words; `now` (a ticking clock) keeps "closes in" current, else it is read once.
#[component]
pub fn StatusLine(status: ConsultationStatus, opens_at: Timestamp, closes_at: Timestamp, #[prop(optional, into)] now: Option<Signal<Timestamp>>) -> impl IntoView {
    let i18n = use_i18n();
    let drawn = platform::now();
    let text = move || {
        let locale = i18n.get_locale();
        let now = now.map_or(drawn, |n| n.get());
        match status {
            ConsultationStatus::Upcoming => fill(t_string!(i18n, opens_in), &[("time", &format::duration(opens_at.0 - now.0, locale))]),
            ConsultationStatus::Open => fill(t_string!(i18n, closes_in), &[("time", &format::duration(closes_at.0 - now.0, locale))]),
            ConsultationStatus::Closing => fill(t_string!(i18n, waiting_to_be_counted), &[("date", &format::date_time(closes_at, locale))]),
            ConsultationStatus::Closed => fill(t_string!(i18n, closed_on), &[("date", &format::date_time(closes_at, locale))]),
        }
    };
    view! { <p class="consultation-status small" data-status=format!("{status:?}").to_lowercase()>{text}</p> }
}

/// An option's name in the reader's language (yes / no / abstain), or its label.
pub fn option_name(consultation: &Consultation, id: &str, i18n: leptos_i18n::I18nContext<Locale>) -> String {
    match (consultation.yes_no, id) {
        (true, YES) => t_string!(i18n, option_yes).to_string(),
        (true, NO) => t_string!(i18n, option_no).to_string(),
        (true, ABSTAIN) => t_string!(i18n, option_abstain).to_string(),
        _ => consultation.options.get(id).map(|o| o.label.clone()).unwrap_or_default(),
    }
}

/// The result: a bar per option, turnout, quorum, and the decision (provisional until closed).
#[component]
pub fn Results(consultation: Consultation, outcome: Outcome, members: usize) -> impl IntoView {
    let i18n = use_i18n();
    let closed = consultation.closed.is_some();
    let voters = outcome.voters();
    let (online, paper) = (outcome.online_voters, outcome.paper_voters);
    let decision_kind = format!("{:?}", outcome.decision).split('(').next().unwrap_or_default().to_lowercase();
    let most = outcome.counts.values().copied().max().unwrap_or(0).max(1);
    let rows: Vec<(String, u64)> =
        consultation.options_in_order().into_iter().map(|(id, _)| (option_name(&consultation, id, i18n), outcome.counts.get(id).copied().unwrap_or(0))).collect();
    let name_of = {
        let consultation = consultation.clone();
        move |ids: &[String]| ids.iter().map(|id| option_name(&consultation, id, i18n)).collect::<Vec<_>>().join(", ")
    };
    let decision = match &outcome.decision {
        // Without a quorum (or a quorum of one) the only way to miss it is that nobody voted.
        Decision::NoQuorum if consultation.quorum <= 1 => t_string!(i18n, decision_no_votes).to_string(),
        Decision::NoQuorum => fill(t_string!(i18n, decision_no_quorum), &[("count", &consultation.quorum.to_string())]),
        Decision::Adopted => t_string!(i18n, decision_adopted).to_string(),
        Decision::Rejected if consultation.yes_no => t_string!(i18n, decision_rejected).to_string(),
        Decision::Rejected => t_string!(i18n, decision_none_reached).to_string(),
        Decision::Chosen(ids) => fill(t_string!(i18n, decision_chosen), &[("options", &name_of(ids))]),
        Decision::Tie(ids) => fill(t_string!(i18n, decision_tie), &[("options", &name_of(ids))]),
    };
    view! {
        <section class="results" aria-labelledby="results-heading" data-final=closed.to_string()>
            <h3 id="results-heading">{move || if closed { t_string!(i18n, result_final) } else { t_string!(i18n, result_so_far) }}</h3>
            <ul class="plain result-bars">
                {rows.into_iter().map(|(name, count)| view! {
                    <li class="result-row" data-count=count.to_string()>
                        <span class="result-name">{name.clone()}</span>
                        <div class="progress" role="img" aria-label=format!("{name}: {count}")>
                            <div class="progress-fill" style=format!("width: {}%", count * 100 / most)></div>
                        </div>
                        <span class="result-count">{count}</span>
                    </li>
                }).collect_view()}
            </ul>
            <p class="turnout" data-voters=voters.to_string()>
                {move || fill(t_string!(i18n, turnout_line), &[
                    ("count", &voters.to_string()),
                    ("online", &online.to_string()),
                    ("paper", &paper.to_string()),
                    ("members", &members.to_string()),
                ])}
            </p>
            <p class="decision" data-decision=decision_kind>
                <strong>{decision}</strong>
                {(!closed).then(|| view! { " " <span class="muted">{t!(i18n, provisional)}</span> })}
            </p>
        </section>
    }
}
