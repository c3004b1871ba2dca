//! The overview: one sortable line per linked space (open requests, overdue escalations, response and resolution, pledges, decisions, urgent notices).

use leptos::prelude::*;
use linli_model::LinkSummary;

use super::link_row::LinkRow;
use super::shared_view::open_shared_view;
use crate::format::{self, fill};
use crate::i18n::*;
use crate::platform;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
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
pub(super) fn Overview(rows: Memo<Vec<LinkRow>>) -> impl IntoView {
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
