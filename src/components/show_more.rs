//! Long lists show their first rows and a "Show more" button: a space of thousands of items opens,
//! and takes a neighbour's change, in the time of the rows on screen (BENCHMARKS.md).

use leptos::prelude::*;

use crate::format::fill;
use crate::i18n::*;

/// Rows a list shows at first, and how many more each press of "Show more" adds.
pub const ROWS_PER_PAGE: usize = 50;

/// How many rows of a list are shown.
#[derive(Debug, Clone, Copy)]
pub struct RowLimit(RwSignal<usize>);

impl RowLimit {
    pub fn new() -> Self {
        RowLimit(RwSignal::new(ROWS_PER_PAGE))
    }

    /// The first rows, as many as are shown (tracks the limit).
    pub fn first<T>(&self, rows: Vec<T>) -> Vec<T> {
        let limit = self.0.get();
        rows.into_iter().take(limit).collect()
    }

    /// How many rows are shown (tracked).
    pub fn count(&self) -> usize {
        self.0.get()
    }

    fn more(&self) {
        self.0.update(|n| *n += ROWS_PER_PAGE);
    }
}

impl Default for RowLimit {
    fn default() -> Self {
        Self::new()
    }
}

/// "Show 50 more" under a list of `total` rows of which `limit` are shown; nothing when all are.
#[component]
pub fn ShowMore(limit: RowLimit, #[prop(into)] total: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let hidden = total.get().saturating_sub(limit.0.get());
        (hidden > 0).then(|| {
            let count = hidden.min(ROWS_PER_PAGE).to_string();
            view! {
                <button type="button" class="secondary show-more no-print" on:click=move |_| limit.more()>
                    {move || fill(t_string!(i18n, show_more), &[("count", &count)]).to_string()}
                </button>
            }
        })
    }
}
