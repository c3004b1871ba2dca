//! Notices: what a community posts on its board, shown in the app and rotated on kiosks.

use std::collections::BTreeMap;

#[cfg(feature = "automerge")]
#[cfg(feature = "automerge")]
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::comment::{Comment, comments_in_order};

/// A translation of a notice's title and body into one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct NoticeTranslation {
    pub title: String,
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub body: String,
}

/// A notice as stored under `notices/<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "automerge", derive(Hydrate, Reconcile))]
pub struct Notice {
    pub title: String,
    /// Markdown, kept as collaborative text: two people editing at once both keep their edits.
    #[cfg_attr(feature = "automerge", autosurgeon(with = "crate::text_field"))]
    pub body: String,
    /// A category ID of the space, or empty.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub category: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub pinned: bool,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub urgent: bool,
    /// Shown from this time on (absent: at once).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub starts_at: Option<Timestamp>,
    /// Shown until this time (absent: no end of the display window).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub ends_at: Option<Timestamp>,
    /// After this time the notice is out of date everywhere, kiosks included.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub expires_at: Option<Timestamp>,
    /// Translations by language tag.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub translations: BTreeMap<String, NoticeTranslation>,
    /// The member who posted it (hex member ID), or empty.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub author: String,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub updated_at: Timestamp,
    /// Archived notices are hidden, never deleted.
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub archived: bool,
    /// Residents' comments, by comment ID (only ever added).
    #[cfg_attr(feature = "automerge", autosurgeon(missing = "Default::default"))]
    pub comments: BTreeMap<String, Comment>,
}

impl Notice {
    /// When the notice began to be shown: its display start, or when it was posted.
    pub fn shown_since(&self) -> Timestamp {
        self.starts_at.map_or(self.created_at, |start| start.max(self.created_at))
    }

    /// Whether the notice is to be shown at `now`: not archived, inside its display window and
    /// not expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        !self.archived && self.starts_at.is_none_or(|t| t <= now) && self.ends_at.is_none_or(|t| now < t) && self.expires_at.is_none_or(|t| now < t)
    }

    /// Comments oldest first.
    pub fn comments_in_order(&self) -> Vec<(&str, &Comment)> {
        comments_in_order(&self.comments)
    }
}

/// What a person fills in to post or edit a notice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoticeDraft {
    pub title: String,
    pub body: String,
    pub category: String,
    pub pinned: bool,
    pub urgent: bool,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

impl NoticeDraft {
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Self {
        NoticeDraft { title: title.into(), body: body.into(), ..Default::default() }
    }

    /// A draft holding the notice as it is, to change some fields and keep the rest.
    pub fn of(notice: &Notice) -> Self {
        NoticeDraft {
            title: notice.title.clone(),
            body: notice.body.as_str().to_owned(),
            category: notice.category.clone(),
            pinned: notice.pinned,
            urgent: notice.urgent,
            starts_at: notice.starts_at,
            ends_at: notice.ends_at,
            expires_at: notice.expires_at,
        }
    }
}
