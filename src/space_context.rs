//! The open space, shared with every screen inside it: its ID, the page's copy of it, what this
//! device may do to it, and a way to change it as this device's member (through the engine).

use std::future::Future;

use leptos::prelude::*;
use linli_model::{Edit, ItemId, Lang, Names, Space};
use linli_view::{Access, SpaceStatus};

use crate::engine::EngineHandle;
use crate::i18n::use_i18n;
use crate::language::lang_of;

#[derive(Clone, Copy)]
pub struct SpaceContext {
    /// The space's ID (interned for the page's life: contexts are `Copy`).
    pub id: &'static str,
    engine: EngineHandle,
}

impl SpaceContext {
    pub fn new(id: &'static str, engine: EngineHandle) -> Self {
        SpaceContext { id, engine }
    }

    /// Changes the space as this device's member, one change per edit; the error is ready to show.
    /// A resident takes part only once they have joined (every peer refuses otherwise): if this
    /// device's member is not in the space yet, it joins first, by the name this device goes by.
    pub fn edit(&self, mut edits: Vec<Edit>) -> impl Future<Output = Result<(), String>> + use<> {
        let joins = edits.iter().any(|e| matches!(e, Edit::Join { .. }));
        let me = self.me();
        let joined = self.with_untracked(|s| s.members.contains_key(&me)).unwrap_or(true);
        if !joins
            && !joined
            && !me.is_empty()
            && !untrack(|| self.can_edit())
            && let Some(name) = crate::identity::display_name()
        {
            edits.insert(0, Edit::Join { name, role: String::new() });
        }
        self.engine.get().edit(self.id, edits)
    }

    /// Changes the space, then hands the outcome to `done` (on the page's task queue).
    pub fn edit_then(&self, edits: Vec<Edit>, done: impl FnOnce(Result<(), String>) + 'static) {
        let edited = self.edit(edits);
        leptos::task::spawn_local(async move { done(edited.await) });
    }

    /// A new item's ID, carrying the mark of this device's engine (see `Engine::new_item_id`).
    pub fn new_id(&self) -> ItemId {
        self.engine.get().new_item_id()
    }

    /// Where the space stands and what this device may do to it (tracked).
    pub fn status(&self) -> Option<SpaceStatus> {
        self.engine.get().status(self.id)
    }

    /// What this device may do, once known: from the engine when it has opened the space, or as
    /// it was on the last visit (a kept picture); `None` while the space is still being found.
    fn access(&self) -> Option<Access> {
        self.status().filter(|status| status.phase == linli_view::Phase::Ready).map(|status| status.access)
    }

    /// Whether this device may organise the space (tracked): `false` for a take-part or view
    /// link's holder, whose screens then hide the organisers' controls (`.edit-only`).
    pub fn can_edit(&self) -> bool {
        matches!(self.access(), Some(Access::Open | Access::Edit))
    }

    /// Whether this device may take part (sign, raise requests, comment; tracked): `false` for a
    /// view link's holder, whose screens then hide those controls too (`.take-part`).
    pub fn can_take_part(&self) -> bool {
        matches!(self.access(), Some(Access::Open | Access::Edit | Access::TakePart))
    }

    /// Whether what this device may do is not known yet (no control is shown meanwhile).
    pub fn access_unknown(&self) -> bool {
        self.access().is_none()
    }

    /// Whether this device holds only a view link (tracked): `false` while the engine has not
    /// said (the screens then show neither the controls nor the view-only note).
    pub fn is_view_only(&self) -> bool {
        self.access() == Some(Access::View)
    }

    /// The key to put in take-part links, when this device can make them (tracked).
    pub fn take_part_key(&self) -> Option<String> {
        self.status().and_then(|status| status.take_part_key)
    }

    /// The address a QR code or a shared link for `path` in this space should carry (tracked): the
    /// take-part link when this device can make one (whoever scans it may then sign, raise a
    /// request and comment), else the view link.
    pub fn share_link(&self, path: &str) -> String {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        let path = self.link(path);
        match self.take_part_key() {
            Some(key) => crate::address_keys::take_part_link(&origin, &path, &key),
            None => format!("{origin}{path}"),
        }
    }

    /// Reads the space (tracked): `None` until the page has a copy.
    pub fn with<R>(&self, read: impl FnOnce(&Space) -> R) -> Option<R> {
        let engine = self.engine.get();
        engine.stamp(self.id)?;
        engine.with_space(self.id, read)
    }

    /// Reads the space's links to other spaces, by link document ID (tracked).
    pub fn with_links<R>(&self, read: impl FnOnce(&std::collections::BTreeMap<String, linli_model::Link>) -> R) -> Option<R> {
        let engine = self.engine.get();
        engine.stamp(self.id);
        engine.with_links(self.id, read)
    }

    /// Changes one of the space's links, then hands the outcome to `done`.
    pub fn linked_then(&self, link: &str, edit: linli_view::LinkedEdit, done: impl FnOnce(Result<(), String>) + 'static) {
        let edited = self.engine.get().linked_edit(self.id, link, edit);
        leptos::task::spawn_local(async move { done(edited.await) });
    }

    /// Whether the copy shown is a picture drawn before the engine sent its own (tracked).
    pub fn is_early(&self) -> bool {
        let engine = self.engine.get();
        engine.stamp(self.id);
        engine.early(self.id)
    }

    /// Reads the space without subscribing to its changes.
    pub fn with_untracked<R>(&self, read: impl FnOnce(&Space) -> R) -> Option<R> {
        self.engine.get().with_space(self.id, read)
    }

    /// Subscribes to the space's changes.
    pub fn track(&self) {
        self.engine.get().stamp(self.id);
    }

    /// A path inside this space, e.g. `link("/pledges")`.
    pub fn link(&self, path: &str) -> String {
        format!("/s/{}{path}", self.id)
    }

    /// This device's member ID, as stored in the space (tracked; empty until the engine started).
    pub fn me(&self) -> String {
        self.engine.get().me()
    }

    pub fn engine(&self) -> EngineHandle {
        self.engine
    }
}

/// The open space's context (every screen under `/s/:id` has one).
pub fn use_space() -> SpaceContext {
    expect_context::<SpaceContext>()
}

/// The interface language now (tracked), for picking among translated names.
pub fn current_lang() -> Lang {
    lang_of(use_i18n().get_locale())
}

/// A translated name in the interface language.
pub fn name_in(names: &Names, lang: Lang) -> String {
    linli_model::pick(names, lang).unwrap_or_default().to_owned()
}

/// Whether what is written in this member's name is proven by their key (every Linli peer checks
/// it), as for every member of this Linli; not for members of an older one.
pub fn is_proven(member: &str) -> bool {
    linli_model::MemberId::parse(member).is_some_and(|m| m.is_keyed())
}

/// A member's display name, or a short form of their ID if they have not joined by name.
pub fn member_label(space: &Space, member: &str) -> String {
    space.member_label(member)
}
