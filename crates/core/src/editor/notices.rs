//! Posting, editing, translating and archiving notices.

use std::collections::BTreeMap;

use crate::Comment;
use crate::NoticeTranslation;
use crate::{Editor, ItemId, Lang, Notice, NoticeDraft, SpaceError};

fn check_window(draft: &NoticeDraft) -> Result<(), SpaceError> {
    if let (Some(start), Some(end)) = (draft.starts_at, draft.ends_at)
        && end <= start
    {
        return Err(SpaceError::Invalid(crate::Invalid::DisplayWindow));
    }
    Ok(())
}

impl Editor<'_> {
    /// Posts a new notice.
    pub fn post_notice(&mut self, id: &ItemId, draft: NoticeDraft) -> Result<(), SpaceError> {
        self.put_new_notice(id, draft)?;
        self.commit("notice.post");
        Ok(())
    }

    /// Writes a new notice, leaving the change open (a decision's follow-up adds to it).
    pub(crate) fn put_new_notice(&mut self, id: &ItemId, draft: NoticeDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::NoticeNeedsTitle)?;
        check_window(&draft)?;
        let map = self.collection("notices")?;
        let now = self.author.now;
        let notice = Notice {
            title,
            body: draft.body.clone(),
            category: draft.category,
            pinned: draft.pinned,
            urgent: draft.urgent,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            expires_at: draft.expires_at,
            translations: BTreeMap::new(),
            author: self.me(),
            created_at: now,
            updated_at: now,
            archived: false,
            comments: BTreeMap::new(),
        };
        self.put_new_item(&map, "notice", id.as_str(), &notice)
    }

    /// Edits a notice. Only the fields that differ are written, and the body changes by the
    /// smallest splice, so a neighbour's concurrent edit elsewhere survives.
    pub fn edit_notice(&mut self, id: &ItemId, draft: NoticeDraft) -> Result<(), SpaceError> {
        let title = super::required(&draft.title, crate::Invalid::NoticeNeedsTitle)?;
        check_window(&draft)?;
        let (map, mut notice) = self.item::<Notice>("notices", "notice", id.as_str())?;
        notice.title = title;
        notice.body = draft.body.clone();
        notice.category = draft.category;
        notice.pinned = draft.pinned;
        notice.urgent = draft.urgent;
        notice.starts_at = draft.starts_at;
        notice.ends_at = draft.ends_at;
        notice.expires_at = draft.expires_at;
        notice.updated_at = self.author.now;
        self.put_item(&map, id.as_str(), &notice)?;
        self.commit("notice.edit");
        Ok(())
    }

    /// Sets (or, with an empty title and body, removes) the translation of a notice into `lang`.
    pub fn translate_notice(&mut self, id: &ItemId, lang: Lang, title: &str, body: &str) -> Result<(), SpaceError> {
        let (map, mut notice) = self.item::<Notice>("notices", "notice", id.as_str())?;
        if title.trim().is_empty() && body.trim().is_empty() {
            notice.translations.remove(lang.tag());
        } else {
            let entry = notice.translations.entry(lang.tag().to_owned()).or_insert_with(|| NoticeTranslation { title: String::new(), body: String::new() });
            entry.title = title.trim().to_owned();
            entry.body = body.to_owned();
        }
        notice.updated_at = self.author.now;
        self.put_item(&map, id.as_str(), &notice)?;
        self.commit("notice.translate");
        Ok(())
    }

    /// Archives (hides) or restores a notice. Nothing is ever deleted.
    pub fn set_notice_archived(&mut self, id: &ItemId, archived: bool) -> Result<(), SpaceError> {
        let (map, mut notice) = self.item::<Notice>("notices", "notice", id.as_str())?;
        notice.archived = archived;
        notice.updated_at = self.author.now;
        self.put_item(&map, id.as_str(), &notice)?;
        self.commit(if archived { "notice.archive" } else { "notice.unarchive" });
        Ok(())
    }

    /// Adds a comment to a notice. Comments are only ever added, each under its own ID. (A
    /// notice posted by an older Linli has no `comments` map yet; the first comment makes it.)
    pub fn comment_on_notice(&mut self, id: &ItemId, comment_id: &ItemId, text: &str) -> Result<(), SpaceError> {
        let text = super::required(text, crate::Invalid::CommentNeedsText)?;
        let map = self.collection("notices")?;
        if automerge::ReadDoc::get(&*self.doc, &map, id.as_str())?.is_none() {
            return Err(SpaceError::NotFound { kind: "notice", id: id.to_string() });
        }
        let comments = self.nested_map(&map, id.as_str(), "comments")?;
        let comment = Comment { author: self.me(), at: self.author.now, text, sealed: None };
        self.put_new_item(&comments, "comment", comment_id.as_str(), &comment)?;
        self.commit("notice.comment");
        Ok(())
    }
}
