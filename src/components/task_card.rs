//! A task as a card: title, who claimed it, labels, due date, and whether it is a request.

use leptos::prelude::*;
use linli_model::{Space, Task};

use crate::format;
use crate::format::fill;
use crate::i18n::*;
use crate::space_context::{member_label, use_space};

/// What a card shows, read from the space once per change.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSummary {
    pub id: String,
    pub title: String,
    pub claimed_by: Option<String>,
    pub labels: Vec<String>,
    pub due: Option<linli_model::Timestamp>,
    pub is_request: bool,
    pub resolved: bool,
    pub comments: usize,
}

impl TaskSummary {
    pub fn of(space: &Space, id: &str, task: &Task) -> Self {
        TaskSummary {
            id: id.to_owned(),
            title: task.title.clone(),
            claimed_by: (!task.claimed_by.is_empty()).then(|| member_label(space, &task.claimed_by)),
            labels: task.labels.iter().filter(|(_, on)| **on).map(|(l, _)| l.clone()).collect(),
            due: task.due,
            is_request: task.request.is_some(),
            resolved: task.request.as_ref().is_some_and(|r| r.resolved_at.is_some()),
            comments: task.comments.len(),
        }
    }
}

/// The card's content (the board adds its move controls around it).
#[component]
pub fn TaskCardBody(task: TaskSummary) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_space();
    let due = task.due;
    view! {
        <a class="task-title" href=ctx.link(&format!("/tasks/{}", task.id))>{task.title.clone()}</a>
        <p class="task-meta">
            {task.is_request.then(|| view! { <span class="badge request">{t!(i18n, request)}</span> })}
            {task.labels.into_iter().map(|l| view! { <span class="badge">{l}</span> }).collect_view()}
            {task.claimed_by.map(|name| view! { <span class="claimed">{fill(t_string!(i18n, claimed_by), &[("name", &name.to_string())])}</span> })}
            {due.map(|due| view! { <span class="due">{move || fill(t_string!(i18n, due_on), &[("date", &format::date(due, i18n.get_locale()).to_string())])}</span> })}
            {(task.comments > 0).then(|| view! { <span class="comments">"💬 " {task.comments}</span> })}
        </p>
    }
}
