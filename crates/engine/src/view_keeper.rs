//! Keeps what the page last showed of each space in IndexedDB (`linli-views`), so that the next
//! visit draws it in the first frame, before this engine has loaded (the page reads it:
//! src/engine/stored_view.rs). Written here, off the page's thread, a couple of seconds after the
//! space last changed, as a `linli_view::snapshot` of the space's status and view.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::Uint8Array;
use linli_sync::DocumentId;
use web_sys::IdbDatabase;

use crate::engine::Engine;

/// The page's database of kept views, and its one object store (keys: space IDs).
pub const DATABASE: &str = "linli-views";
pub const STORE: &str = "views";
/// How long after the last change a view is written.
const WRITE_AFTER_MS: u32 = 2_000;

/// The spaces with a write pending, and the database once open.
#[derive(Default)]
pub struct ViewKeeper {
    pending: RefCell<HashSet<DocumentId>>,
    db: RefCell<Option<IdbDatabase>>,
}

impl ViewKeeper {
    /// Keeps the view of `space` in a moment (once for any number of changes till then).
    pub fn keep_later(&self, engine: &Rc<Engine>, space: DocumentId) {
        if !self.pending.borrow_mut().insert(space) {
            return;
        }
        let weak = Rc::downgrade(engine);
        Timeout::new(WRITE_AFTER_MS, move || wasm_bindgen_futures::spawn_local(keep(weak, space))).forget();
    }
}

async fn keep(engine: Weak<Engine>, space: DocumentId) {
    let Some(bytes) = engine.upgrade().and_then(|engine| {
        engine.view_keeper.pending.borrow_mut().remove(&space);
        engine.snapshot_of(&space)
    }) else {
        return;
    };
    let Some(db) = database(&engine).await else { return };
    let bytes = Uint8Array::from(bytes.as_slice());
    let key = space.to_string();
    if let Err(error) = linli_idb::write(&db, STORE, |store| store.put_with_key(&bytes, &key.as_str().into())).await {
        web_sys::console::warn_2(&"could not keep this space's view for the next visit:".into(), &error);
    }
}

async fn database(engine: &Weak<Engine>) -> Option<IdbDatabase> {
    let known = engine.upgrade()?.view_keeper.db.borrow().clone();
    if known.is_some() {
        return known;
    }
    let db = linli_idb::open(DATABASE, 1, &[STORE]).await.ok()?;
    *engine.upgrade()?.view_keeper.db.borrow_mut() = Some(db.clone());
    Some(db)
}
