//! What a linked space shares, opened from its line, and the words for what is shared.

use leptos::prelude::*;
use linli_model::Shares;

use super::link_row::LinkRow;
use crate::format::{self, fill};
use crate::i18n::*;

/// What one space below shares: its open requests, pledges, decisions and urgent notices.
#[component]
pub(super) fn SharedView(row: LinkRow) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale();
    let digest = row.link.lower.digest.clone();
    let mut requests: Vec<_> = digest.requests.iter().filter(|(_, r)| r.resolved_at.is_none()).map(|(id, r)| (id.clone(), r.clone())).collect();
    requests.sort_by_key(|(_, r)| r.raised_at);
    let link = row.id.clone();
    view! {
        <details class="card shared-view" id=format!("shared-{}", row.id)>
            <summary>{fill(t_string!(i18n, shared_view), &[("space", &row.link.lower.name)])}</summary>
            <p class="muted">{fill(t_string!(i18n, shared_updated), &[("date", &format::date_time(digest.updated_at, locale))])}</p>
            <p class="shares-chosen">{t!(i18n, linked_shares)}{move || format::colon(i18n.get_locale())}{shares_text(row.link.lower.shares, i18n)}</p>
            <h4>{t!(i18n, overview_open)}</h4>
            <ul class="plain shared-requests">
                {requests.into_iter().map(|(id, r)| view! { <li id=shared_request_anchor(&link, &id)>{if r.title.is_empty() { t_string!(i18n, private_request).to_string() } else { r.title }}" · "<span class="badge">{r.category}</span>" · "<span class="muted">{format::date_time(r.raised_at, locale)}</span></li> }).collect_view()}
            </ul>
            <h4>{t!(i18n, overview_pledges)}</h4>
            <ul class="plain shared-pledges">
                {digest.pledges.values().map(|p| view! { <li>{p.title.clone()}" · "{fill(t_string!(i18n, pledge_progress_short), &[("count", &p.signatures.to_string()), ("goal", &p.goal.to_string())])}</li> }).collect_view()}
            </ul>
            <h4>{t!(i18n, overview_decisions)}</h4>
            <ul class="plain shared-decisions">
                {digest.decisions.values().map(|d| view! { <li>{d.question.clone()}" — "{d.result.clone()}</li> }).collect_view()}
            </ul>
            <h4>{t!(i18n, overview_urgent)}</h4>
            <ul class="plain shared-urgent">
                {digest.urgent_notices.values().map(|n| view! { <li>{n.title.clone()}</li> }).collect_view()}
            </ul>
        </details>
    }
}

/// Where a request sits in its community's shared view (the view itself when requests are not
/// shared: the browser then stays where it is).
pub(super) fn shared_request_anchor(link: &str, request: &str) -> String {
    format!("shared-{link}-{request}")
}

/// Opens the shared view of the space below on `link`, so that a link into it shows its lines.
pub(super) fn open_shared_view(link: &str) {
    use wasm_bindgen::JsCast;
    let details = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&format!("shared-{link}")));
    if let Some(details) = details.and_then(|e| e.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
        details.set_open(true);
    }
}

/// What a space below chose to share, in words.
pub(super) fn shares_text(shares: Shares, i18n: leptos_i18n::I18nContext<Locale>) -> String {
    let mut chosen: Vec<String> = Vec::new();
    for (on, text) in [
        (shares.requests, t_string!(i18n, share_requests).to_string()),
        (shares.pledges, t_string!(i18n, share_pledges).to_string()),
        (shares.decisions, t_string!(i18n, share_decisions).to_string()),
        (shares.urgent_notices, t_string!(i18n, share_urgent).to_string()),
        (shares.names, t_string!(i18n, share_names_short).to_string()),
    ] {
        if on {
            chosen.push(text);
        }
    }
    chosen.join(" · ")
}
