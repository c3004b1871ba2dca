//! Task boards: boards with ordered columns, tasks that move between them, and residents'
//! requests (接訴即辦) whose response times are derived from when they were raised, claimed and
//! resolved.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Sealed;
use crate::Timestamp;
use crate::comment::{Comment, comments_in_order};
use crate::lang::Names;

/// A column of a board, under `boards/<id>/columns/<column id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Column {
    /// The column's name by language tag.
    pub names: Names,
    /// Fractional position: columns are shown in (position, ID) order.
    pub position: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

/// A board, under `boards/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Board {
    pub name: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub position: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub columns: BTreeMap<String, Column>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

impl Board {
    /// The board's columns that are not archived, in order.
    pub fn columns_in_order(&self) -> Vec<(&str, &Column)> {
        let mut columns: Vec<_> = self.columns.iter().filter(|(_, c)| !c.archived).map(|(id, c)| (id.as_str(), c)).collect();
        columns.sort_by(|a, b| a.1.position.cmp(&b.1.position).then_with(|| a.0.cmp(b.0)));
        columns
    }
}

/// The request part of a task a resident raised (接訴即辦).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Request {
    pub raised_by: String,
    pub raised_at: Timestamp,
    /// The category the request is about (decides the responsible team).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub category: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub claimed_at: Option<Timestamp>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub resolved_at: Option<Timestamp>,
    /// What the resident who raised it said once it was marked resolved (only they can write it).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub confirmation: Option<Confirmation>,
}

/// The resident's word on a resolved request: it really was resolved, or it was not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Confirmation {
    pub resolved: bool,
    pub at: Timestamp,
}

impl Request {
    /// Time from raised to claimed, in milliseconds.
    pub fn response_time(&self) -> Option<i64> {
        self.claimed_at.map(|c| c.0 - self.raised_at.0)
    }

    /// Time from raised to resolved, in milliseconds.
    pub fn resolution_time(&self) -> Option<i64> {
        self.resolved_at.map(|r| r.0 - self.raised_at.0)
    }
}

/// A task, under `tasks/<id>`. Its board, column and position are plain fields, so a concurrent
/// move can only make the card end up in one place, never two or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Task {
    pub board: String,
    pub column: String,
    pub position: String,
    pub title: String,
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub description: String,
    /// Members assigned, as a set (member ID → true), so concurrent assignments merge.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub assignees: BTreeMap<String, bool>,
    /// The member who claimed the task, or empty.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub claimed_by: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub due: Option<Timestamp>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub labels: BTreeMap<String, bool>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub comments: BTreeMap<String, Comment>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub request: Option<Request>,
    /// A private request's title and details, sealed to those who may read them (its `title`
    /// and `description` are then empty, or a summary the organisers published).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default", with = "crate::sealed::optional"))]
    #[serde(default)]
    pub sealed: Option<Sealed>,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
}

impl Task {
    /// Comments oldest first.
    pub fn comments_in_order(&self) -> Vec<(&str, &Comment)> {
        comments_in_order(&self.comments)
    }
}

/// What a person fills in to add a task.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskDraft {
    pub title: String,
    pub description: String,
    pub due: Option<Timestamp>,
    pub labels: Vec<String>,
}

/// How fast residents' requests are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestStats {
    /// Requests raised and not yet resolved.
    pub open: usize,
    /// Requests raised in all.
    pub total: usize,
    /// Median time from raised to claimed, in milliseconds.
    pub median_response: Option<i64>,
    /// 90th percentile of the same (nearest rank).
    pub p90_response: Option<i64>,
    /// Median time from raised to resolved, in milliseconds.
    pub median_resolution: Option<i64>,
}

/// The value at percentile `p` (0–100) of sorted `values`, by the nearest-rank method.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p as usize * sorted.len()).div_ceil(100)).max(1);
    sorted.get(rank - 1).copied()
}

/// Statistics over the requests among `tasks` (archived tasks included: they were answered).
pub fn request_stats<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> RequestStats {
    let requests: Vec<&Request> = tasks.into_iter().filter_map(|t| t.request.as_ref()).collect();
    let mut response: Vec<i64> = requests.iter().filter_map(|r| r.response_time()).collect();
    let mut resolution: Vec<i64> = requests.iter().filter_map(|r| r.resolution_time()).collect();
    response.sort_unstable();
    resolution.sort_unstable();
    RequestStats {
        open: requests.iter().filter(|r| r.resolved_at.is_none()).count(),
        total: requests.len(),
        median_response: percentile(&response, 50),
        p90_response: percentile(&response, 90),
        median_resolution: percentile(&resolution, 50),
    }
}
