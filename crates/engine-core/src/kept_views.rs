//! Keeping what the page last showed of each space for its next visit: a couple of seconds
//! after a space last changed, its status and view go out as a `linli_view::snapshot`
//! ([`crate::Output::KeepView`]), once for any number of changes till then. The page draws it in
//! its first frame next time, before the engine has loaded (src/engine/kept_view.rs).

use linli_sync::DocumentId;

use crate::engine_core::EngineCore;
use crate::io::{Output, Wake};

/// How long after the last change a view is kept.
pub(crate) const KEEP_AFTER_MS: u32 = 2_000;

impl EngineCore {
    /// Keeps the view of `space` in a moment.
    pub(crate) fn keep_view_later(&mut self, space: DocumentId) {
        if self.kept_pending.insert(space) {
            self.emit(Output::Timer { after_ms: KEEP_AFTER_MS, wake: Wake::KeepView(space) });
        }
    }

    pub(crate) fn keep_view_now(&mut self, space: DocumentId) {
        self.kept_pending.remove(&space);
        if let Some(bytes) = self.snapshot_of(&space) {
            self.emit(Output::KeepView { space, bytes });
        }
    }
}
