//! The open space, shared with every screen inside it: its ID, its contents as a signal, and a
//! way to change it as this device's member.

use leptos::prelude::*;
use linli_core::{Editor, Lang, Names, Space, SpaceError};
use linli_sync::DocumentId;

use crate::engine::EngineHandle;
use crate::i18n::use_i18n;
use crate::language::lang_of;

#[derive(Clone, Copy)]
pub struct SpaceContext {
    pub id: DocumentId,
    /// Moves each time the space changes; `None` until it is readable. The space itself stays in
    /// the engine (a space of thousands of items is not copied per change).
    stamp: Memo<Option<u64>>,
    engine: EngineHandle,
}

impl SpaceContext {
    pub fn new(id: DocumentId, stamp: Memo<Option<u64>>, engine: EngineHandle) -> Self {
        SpaceContext { id, stamp, engine }
    }

    /// Changes the space as this device's member; the error is ready to show.
    pub fn edit<R>(&self, edit: impl FnOnce(&mut Editor) -> Result<R, SpaceError>) -> Result<R, String> {
        let engine = self.engine.get();
        let author = engine.author();
        engine.change(self.id, |doc| edit(&mut Editor::new(doc, &author))).map_err(|e| e.to_string())
    }

    /// Whether this device may organise the space (tracked): `false` for a take-part or view
    /// link's holder, whose screens then hide the organisers' controls (`.edit-only`).
    pub fn can_edit(&self) -> bool {
        self.engine.get().may_write(&self.id)
    }

    /// Whether this device may take part (sign, raise requests, comment; tracked): `false` for a
    /// view link's holder, whose screens then hide those controls too (`.take-part`).
    pub fn can_take_part(&self) -> bool {
        self.engine.get().access(&self.id) != linli_sync::Access::View
    }

    /// The address a QR code or a shared link for `path` in this space should carry (tracked): the
    /// take-part link when this device can make one (whoever scans it may then sign, raise a
    /// request and comment), else the view link.
    pub fn share_link(&self, path: &str) -> String {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        let path = self.link(path);
        match self.engine.get().take_part_key(&self.id) {
            Some(key) => crate::link_keys::take_part_link(&origin, &path, &key),
            None => format!("{origin}{path}"),
        }
    }

    /// Reads the space (tracked): `None` until it is readable.
    pub fn with<R>(&self, read: impl FnOnce(&Space) -> R) -> Option<R> {
        self.stamp.get()?;
        self.engine.get().with_space(&self.id, read)
    }

    /// Reads the space without subscribing to its changes.
    pub fn with_untracked<R>(&self, read: impl FnOnce(&Space) -> R) -> Option<R> {
        self.stamp.get_untracked()?;
        self.engine.get().with_space(&self.id, read)
    }

    /// Subscribes to the space's changes.
    pub fn track(&self) {
        self.stamp.track();
    }

    /// A path inside this space, e.g. `link("/pledges")`.
    pub fn link(&self, path: &str) -> String {
        format!("/s/{}{path}", self.id)
    }

    /// This device's member ID, as stored in the space.
    pub fn me(&self) -> String {
        self.engine.get().member().to_string()
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
    linli_core::pick(names, lang).unwrap_or_default().to_owned()
}

/// Whether what is written in this member's name is proven by their key (every Linli peer checks
/// it), as for every member of this Linli; not for members of an older one.
pub fn is_proven(member: &str) -> bool {
    linli_core::MemberId::parse(member).is_some_and(|m| m.is_keyed())
}

/// A member's display name, or a short form of their ID if they have not joined by name.
pub fn member_label(space: &Space, member: &str) -> String {
    space.member_name(member).map(str::to_owned).unwrap_or_else(|| format!("#{}", member.chars().take(6).collect::<String>()))
}
