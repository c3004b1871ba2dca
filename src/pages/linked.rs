//! Linked spaces (联动): a street's view of the communities linked under it — one sortable line
//! each (open requests, overdue escalations, this month's median response and resolution,
//! pledges, decisions, urgent notices), each opening what that community shares — and the
//! requests they escalated (吹哨), overdue first, which its departments claim, report on and
//! resolve (报到). A community sees the spaces above it and chooses what it shares. Organisers
//! invite, accept and end links here.

use leptos::prelude::*;
use linli_model::{Escalation, EscalationState, Link, LinkState, LinkSummary, Shares};
use linli_view::LinkedEdit;

use crate::charts::{BarChart, LineChart, Point, Sparkline};
use crate::components::qr_code::QrCode;
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;
use crate::space_context::{SpaceContext, current_lang, name_in, use_space};

/// One link of this space, as the screen draws it.
#[derive(Debug, Clone, PartialEq)]
struct LinkRow {
    id: String,
    link: Link,
    /// What this space's record calls the other side (for an invitation not yet accepted: the
    /// label its organiser gave it).
    label: String,
    /// This space is the upper one.
    upper: bool,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Open,
    Overdue,
    Response,
    Resolution,
    Pledges,
    Decisions,
    Urgent,
}

impl Column {
    const ALL: [Column; 8] = [Column::Name, Column::Open, Column::Overdue, Column::Response, Column::Resolution, Column::Pledges, Column::Decisions, Column::Urgent];

    /// Compares two lines by this column (numbers largest first, as a street reads them).
    fn compare(self, a: &LinkSummary, b: &LinkSummary) -> std::cmp::Ordering {
        let time = |v: Option<i64>| v.unwrap_or(-1);
        match self {
            Column::Name => a.name.cmp(&b.name),
            Column::Open => b.open_requests.cmp(&a.open_requests),
            Column::Overdue => b.overdue_escalations.cmp(&a.overdue_escalations),
            Column::Response => time(b.median_response).cmp(&time(a.median_response)),
            Column::Resolution => time(b.median_resolution).cmp(&time(a.median_resolution)),
            Column::Pledges => b.pledges.cmp(&a.pledges),
            Column::Decisions => b.decisions.cmp(&a.decisions),
            Column::Urgent => b.urgent_notices.cmp(&a.urgent_notices),
        }
    }
}

/// The overview: one line per linked space, overdue first until a column is chosen.
#[component]
fn Overview(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sort = RwSignal::new(Column::Overdue);
    let reversed = RwSignal::new(false);
    let name = move |column: Column| match column {
        Column::Name => t_string!(i18n, overview_space).to_string(),
        Column::Open => t_string!(i18n, overview_open).to_string(),
        Column::Overdue => t_string!(i18n, overview_overdue).to_string(),
        Column::Response => t_string!(i18n, overview_response).to_string(),
        Column::Resolution => t_string!(i18n, overview_resolution).to_string(),
        Column::Pledges => t_string!(i18n, overview_pledges).to_string(),
        Column::Decisions => t_string!(i18n, overview_decisions).to_string(),
        Column::Urgent => t_string!(i18n, overview_urgent).to_string(),
    };
    let lines = move || {
        let now = platform::now();
        let start = now.month_start();
        let mut lines: Vec<(String, LinkSummary)> = rows.get().iter().map(|r| (r.id.clone(), r.link.summary(now, start))).collect();
        let column = sort.get();
        lines.sort_by(|a, b| column.compare(&a.1, &b.1).then_with(|| Column::Overdue.compare(&a.1, &b.1)).then_with(|| a.1.name.cmp(&b.1.name)));
        if reversed.get() {
            lines.reverse();
        }
        lines
    };
    let choose = move |column: Column| {
        if sort.get_untracked() == column {
            reversed.update(|r| *r = !*r);
        } else {
            sort.set(column);
            reversed.set(false);
        }
    };
    view! {
        <div class="table-scroll">
            <table class="linked-overview">
                <thead><tr>
                    {Column::ALL.into_iter().map(|column| view! {
                        <th scope="col" aria-sort=move || if sort.get() != column { "none" } else if reversed.get() { "ascending" } else { "descending" }>
                            <button type="button" class="link-button sort" data-column=format!("{column:?}")
                                aria-label=move || fill(t_string!(i18n, sort_by), &[("column", &name(column))])
                                on:click=move |_| choose(column)>{move || name(column)}</button>
                        </th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {move || {
                        let locale = i18n.get_locale();
                        let time = move |v: Option<i64>| v.map(|ms| format::duration(ms, locale)).unwrap_or_else(|| "—".into());
                        lines().into_iter().map(|(id, s)| view! {
                            <tr data-space=s.name.clone() class:overdue={s.overdue_escalations > 0}>
                                <th scope="row"><a href=format!("#shared-{id}") on:click={let id = id.clone(); move |_| open_shared_view(&id)}>{s.name.clone()}</a></th>
                                <td class="open">{s.open_requests}</td>
                                <td class="overdue-count">{s.overdue_escalations}</td>
                                <td>{time(s.median_response)}</td>
                                <td>{time(s.median_resolution)}</td>
                                <td>{s.pledges}</td>
                                <td>{s.decisions}</td>
                                <td>{s.urgent_notices}</td>
                            </tr>
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}

const HOUR: f64 = 3_600_000.0;
const WEEK: i64 = 7 * 24 * 3_600_000;

/// Response times and turnout compared across the spaces below, and response over time.
#[component]
fn Comparison(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
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
        let this_week = now.0.div_euclid(WEEK);
        let week_label = |ago: i64| format::date(linli_model::Timestamp((this_week - ago) * WEEK), i18n.get_locale());
        let all = weekly_median_response(links.iter().flat_map(|r| r.link.lower.digest.requests.values()), this_week);
        let has_weeks = all.iter().any(Option::is_some);
        let weeks: Vec<Point> = all.iter().enumerate().map(|(i, m)| Point { label: week_label(11 - i as i64), value: m.unwrap_or(0.0) }).collect();
        let each: Vec<(String, Vec<Option<f64>>)> =
            links.iter().map(|r| (r.link.lower.name.clone(), weekly_median_response(r.link.lower.digest.requests.values(), this_week))).collect();
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

/// For each of the 12 weeks up to `this_week` (oldest first): the median hours to respond to the
/// requests raised that week (to a tenth), or nothing when none of them was answered.
fn weekly_median_response<'a>(requests: impl Iterator<Item = &'a linli_model::SharedRequest>, this_week: i64) -> Vec<Option<f64>> {
    let mut times: Vec<Vec<i64>> = vec![Vec::new(); 12];
    for request in requests {
        let ago = this_week - request.raised_at.0.div_euclid(WEEK);
        if let (Ok(ago @ 0..=11), Some(claimed)) = (usize::try_from(ago), request.claimed_at) {
            times[11 - ago].push(claimed.0 - request.raised_at.0);
        }
    }
    times
        .into_iter()
        .map(|mut week| {
            week.sort_unstable();
            linli_model::percentile(&week, 50).map(|ms| (ms as f64 / HOUR * 10.0).round() / 10.0)
        })
        .collect()
}

/// One escalation as the department's list shows it.
#[derive(Debug, Clone, PartialEq)]
struct EscalationRow {
    link: String,
    id: String,
    community: String,
    department: String,
    escalation: Escalation,
    state: EscalationState,
    progress: usize,
}

/// Every escalation from the spaces below, overdue first, with the department's actions.
#[component]
fn Escalations(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = move || {
        let now = platform::now();
        let lang = current_lang();
        let mut all: Vec<EscalationRow> = Vec::new();
        for row in rows.get() {
            for (id, escalation, state) in row.link.escalations_in_order(now) {
                let department = row.link.upper.departments.get(&escalation.department).map(|d| name_in(&d.names, lang)).unwrap_or_default();
                let progress = row.link.answer(id).progress.len();
                all.push(EscalationRow {
                    link: row.id.clone(),
                    id: id.to_owned(),
                    community: row.link.lower.name.clone(),
                    department,
                    escalation: escalation.clone(),
                    state,
                    progress,
                });
            }
        }
        let rank = |s: &EscalationState| match s {
            EscalationState::Waiting { overdue: true } => 0,
            EscalationState::Waiting { overdue: false } => 1,
            EscalationState::Claimed { .. } => 2,
            EscalationState::Resolved { .. } => 3,
        };
        all.sort_by(|a, b| rank(&a.state).cmp(&rank(&b.state)).then_with(|| a.escalation.escalated_at.cmp(&b.escalation.escalated_at)));
        all
    };
    view! {
        <ul class="plain escalations">
            <For each=list key=|r| (r.link.clone(), r.id.clone(), format!("{:?}", r.state), r.progress) let:row>
                <EscalationItem row />
            </For>
        </ul>
        {move || list().is_empty().then(|| view! { <p class="muted">{t!(i18n, none_here)}</p> })}
    }
}

#[component]
fn EscalationItem(row: EscalationRow) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let progress = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let act = move |link: String, edit: LinkedEdit| {
        ctx.linked_then(&link, edit, move |outcome| match outcome {
            Ok(()) => {
                progress.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let locale = i18n.get_locale();
    let (state_text, overdue) = match row.state {
        EscalationState::Waiting { overdue } => (t_string!(i18n, waiting).to_string(), overdue),
        EscalationState::Claimed { late } => (t_string!(i18n, escalation_state_claimed).to_string(), late),
        EscalationState::Resolved { late } => (t_string!(i18n, escalation_state_resolved).to_string(), late),
    };
    let (link_claim, link_progress, link_resolve) = (row.link.clone(), row.link.clone(), row.link.clone());
    let (id_claim, id_progress, id_resolve) = (row.id.clone(), row.id.clone(), row.id.clone());
    let resolved = matches!(row.state, EscalationState::Resolved { .. });
    let waiting = matches!(row.state, EscalationState::Waiting { .. });
    view! {
        <li class="card escalation" class:overdue=overdue && !resolved data-escalation=row.id.clone() data-state=format!("{:?}", row.state)>
            // A private request goes up without its words: its community's note says what matters.
            <p><strong class="escalation-title">{if row.escalation.title.is_empty() { t_string!(i18n, private_request).to_string() } else { row.escalation.title.clone() }}</strong></p>
            <p class="task-meta">
                <span class="badge">{row.department.clone()}</span>" "
                // Back to the request among what its community shares (not into the community's
                // space: opening that would bring its whole document to this device).
                <a class="escalation-source" href=format!("#{}", shared_request_anchor(&row.link, &row.id)) on:click={let link = row.link.clone(); move |_| open_shared_view(&link)}>
                    {fill(t_string!(i18n, from_space), &[("space", &row.community)])}
                </a>" · "
                <span class="muted">{format::date_time(row.escalation.escalated_at, locale)}</span>" · "
                <span class="escalation-state">{state_text}</span>
            </p>
            {(!row.escalation.details.is_empty()).then(|| view! { <p>{row.escalation.details.clone()}</p> })}
            {(!row.escalation.raised_by_name.is_empty()).then(|| view! { <p class="muted">{row.escalation.raised_by_name.clone()}</p> })}
            {(!resolved).then(|| view! {
                <div class="actions no-print edit-only">
                    {waiting.then(|| view! { <button type="button" class="claim-escalation" on:click=move |_| act(link_claim.clone(), LinkedEdit::Claim { escalation: id_claim.clone() })>{t!(i18n, claim)}</button> })}
                    <input class="progress-text" aria-label=move || t_string!(i18n, report_progress) placeholder=move || t_string!(i18n, report_progress_placeholder) prop:value=move || progress.get() on:input=move |ev| progress.set(event_target_value(&ev)) />
                    <button type="button" class="secondary report-progress" on:click=move |_| act(link_progress.clone(), LinkedEdit::Progress { escalation: id_progress.clone(), text: progress.get_untracked() })>{t!(i18n, report_progress)}</button>
                    <button type="button" class="resolve-escalation" on:click=move |_| act(link_resolve.clone(), LinkedEdit::Resolve { escalation: id_resolve.clone() })>{t!(i18n, resolve)}</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </li>
    }
}

/// What one space below shares: its open requests, pledges, decisions and urgent notices.
#[component]
fn SharedView(row: LinkRow) -> impl IntoView {
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
fn shared_request_anchor(link: &str, request: &str) -> String {
    format!("shared-{link}-{request}")
}

/// Opens the shared view of the space below on `link`, so that a link into it shows its lines.
fn open_shared_view(link: &str) {
    use wasm_bindgen::JsCast;
    let details = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&format!("shared-{link}")));
    if let Some(details) = details.and_then(|e| e.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
        details.set_open(true);
    }
}

/// What a space below chose to share, in words.
fn shares_text(shares: Shares, i18n: leptos_i18n::I18nContext<Locale>) -> String {
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

/// The upper space's time limit for claiming escalations, for every space below (organisers).
#[component]
fn ClaimLimit(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let hours = RwSignal::new(rows.get_untracked().first().map(|r| r.link.upper.claim_within_hours.to_string()).unwrap_or_else(|| "24".into()));
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(within) = hours.get_untracked().trim().parse::<u64>() else { return error.set(Some(t_string!(i18n, linked_claim_hours).to_string())) };
        for row in rows.get_untracked().into_iter().filter(|r| r.link.state() == LinkState::Active) {
            ctx.linked_then(&row.id, LinkedEdit::ClaimWithin(within.max(1)), move |outcome| error.set(outcome.err()));
        }
    };
    view! {
        <form class="edit-only no-print claim-limit" on:submit=save>
            <label for="claim-limit">{t!(i18n, linked_claim_hours)}</label>
            <input id="claim-limit" type="number" min="1" max="720" prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">{t!(i18n, save)}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// A space above this one: its state, and (for organisers) what this space shares with it.
#[component]
fn AboveLink(row: LinkRow) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let shares = row.link.lower.shares;
    let error = RwSignal::new(None::<String>);
    let link = StoredValue::new(row.id.clone());
    let set = move |change: fn(&mut Shares, bool), on: bool| {
        let mut next = shares;
        change(&mut next, on);
        ctx.linked_then(&link.get_value(), LinkedEdit::Shares(next), move |outcome| error.set(outcome.err()));
    };
    let state = match row.link.state() {
        LinkState::Invited => t_string!(i18n, linked_state_invited).to_string(),
        LinkState::Active => t_string!(i18n, linked_state_active).to_string(),
        LinkState::Ended => t_string!(i18n, linked_state_ended).to_string(),
    };
    let boxes: [(fn(&Shares) -> bool, fn(&mut Shares, bool), &'static str); 5] = [
        (|s| s.requests, |s, on| s.requests = on, "requests"),
        (|s| s.pledges, |s, on| s.pledges = on, "pledges"),
        (|s| s.decisions, |s, on| s.decisions = on, "decisions"),
        (|s| s.urgent_notices, |s, on| s.urgent_notices = on, "urgent"),
        (|s| s.names, |s, on| s.names = on, "names"),
    ];
    let label = move |key: &str| match key {
        "requests" => t_string!(i18n, share_requests).to_string(),
        "pledges" => t_string!(i18n, share_pledges).to_string(),
        "decisions" => t_string!(i18n, share_decisions).to_string(),
        "urgent" => t_string!(i18n, share_urgent).to_string(),
        _ => t_string!(i18n, share_names).to_string(),
    };
    let active = row.link.state() == LinkState::Active;
    view! {
        <div class="above-link" data-space=row.link.upper.name.clone()>
            <p><strong>{row.link.upper.name.clone()}</strong>" · "<span class="link-state">{state}</span></p>
            <fieldset class="shares" disabled=!active>
                <legend>{t!(i18n, linked_shares)}</legend>
                {boxes.into_iter().map(|(get, change, key)| view! {
                    <label class="check"><input type="checkbox" class="edit-only" data-share=key prop:checked=get(&shares) on:change=move |ev| set(change, event_target_checked(&ev)) />{label(key)}</label>
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {active.then(|| view! { <EndLink ctx link=row.id.clone() /> })}
        </div>
    }
}

#[component]
fn EndLink(ctx: SpaceContext, link: String) -> impl IntoView {
    let i18n = use_i18n();
    let end = move |_| ctx.linked_then(&link, LinkedEdit::End, drop);
    view! { <button type="button" class="secondary edit-only end-link" on:click=end>{t!(i18n, linked_end)}</button> }
}

/// An organiser invites a space under this one and hands over the invitation's text.
#[component]
fn InviteForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    // A new community gets the limit the street's other links have (else a day).
    let in_force = ctx
        .with(|space| ctx.with_links(|links| links.iter().filter(|(id, _)| space.links.get(*id).is_some_and(|l| l.is_upper())).map(|(_, l)| l.upper.claim_within_hours).max()))
        .flatten()
        .flatten();
    let hours = RwSignal::new(in_force.unwrap_or(24).to_string());
    let label = RwSignal::new(String::new());
    let made = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let within = hours.get_untracked().trim().parse::<u64>().unwrap_or(24).max(1);
        copied.set(false);
        let asked = ctx.engine().get().invite_space(ctx.id, within, &label.get_untracked());
        leptos::task::spawn_local(async move {
            match asked.await {
                Ok(text) => {
                    made.set(Some(text));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card edit-only no-print invite-form" on:submit=invite>
            <h3>{t!(i18n, linked_invite)}</h3>
            <label for="invite-label">{t!(i18n, linked_invite_label)}</label>
            <input id="invite-label" required maxlength="100" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
            <label for="claim-hours">{t!(i18n, linked_claim_hours)}</label>
            <input id="claim-hours" type="number" min="1" max="720" prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev)) />
            <button type="submit">{t!(i18n, linked_make_invitation)}</button>
            {move || made.get().map(|text| {
                let to_copy = text.clone();
                let copy = move |_| {
                    let Some(window) = web_sys::window() else { return };
                    let written = window.navigator().clipboard().write_text(&to_copy);
                    leptos::task::spawn_local(async move {
                        copied.set(wasm_bindgen_futures::JsFuture::from(written).await.is_ok());
                    });
                };
                view! {
                    <p>{t!(i18n, linked_invitation_ready)}</p>
                    <textarea class="invitation-text" readonly rows="3" aria-label=move || t_string!(i18n, linked_invitation_text) prop:value=text.clone() />
                    <p class="actions">
                        <button type="button" class="copy-invitation" on:click=copy>{t!(i18n, copy_invitation)}</button>
                        {move || copied.get().then(|| view! { <span role="status" class="copied">{t!(i18n, copied)}</span> })}
                    </p>
                    <QrCode link=text label=t_string!(i18n, linked_invitation_qr).to_string() />
                }
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// An organiser accepts an invitation from a space above, choosing what to share.
#[component]
fn AcceptForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let text = RwSignal::new(String::new());
    let names = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let accept = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A copy cut short or mistyped is said at once, in the reader's language.
        if linli_view::Invitation::from_text(&text.get_untracked()).is_none() {
            error.set(Some(t_string!(i18n, linked_invitation_incomplete).to_string()));
            return;
        }
        busy.set(true);
        let shares = Shares { names: names.get_untracked(), ..Shares::default() };
        let asked = ctx.engine().get().accept_invitation(ctx.id, &text.get_untracked(), shares);
        leptos::task::spawn_local(async move {
            let outcome = asked.await;
            busy.set(false);
            match outcome {
                Ok(()) => {
                    text.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card edit-only no-print accept-form" on:submit=accept>
            <h3>{t!(i18n, linked_accept)}</h3>
            <label for="invitation">{t!(i18n, linked_invitation_text)}</label>
            <textarea id="invitation" rows="3" required prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            <label class="check"><input type="checkbox" class="share-names" prop:checked=move || names.get() on:change=move |ev| names.set(event_target_checked(&ev)) />{t!(i18n, share_names)}</label>
            <button type="submit" disabled=move || busy.get()>{t!(i18n, linked_accept_button)}</button>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{t!(i18n, linked_waiting)}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
