//! Writes the views the core keeps for the page's next visit into IndexedDB
//! (`linli_view::side_channels::KEPT_VIEWS_DATABASE`), off the page's thread. The page reads
//! them (src/engine/kept_view.rs).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use linli_sync::DocumentId;
use linli_view::side_channels::{KEPT_VIEWS_DATABASE, KEPT_VIEWS_STORE};
use web_sys::IdbDatabase;

/// The database, once open.
#[derive(Default, Clone)]
pub struct KeptViews(Rc<RefCell<Option<IdbDatabase>>>);

impl KeptViews {
    /// Keeps `bytes` as the view of `space` (in the background).
    pub fn keep(&self, space: DocumentId, bytes: Vec<u8>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(db) = this.database().await else { return };
            let bytes = Uint8Array::from(bytes.as_slice());
            let key = space.to_string();
            if let Err(error) = linli_idb::write(&db, KEPT_VIEWS_STORE, |store| store.put_with_key(&bytes, &key.as_str().into())).await {
                web_sys::console::warn_2(&"could not keep this space's view for the next visit:".into(), &error);
            }
        });
    }

    async fn database(&self) -> Option<IdbDatabase> {
        if let Some(db) = self.0.borrow().clone() {
            return Some(db);
        }
        let db = linli_idb::open(KEPT_VIEWS_DATABASE, 1, &[KEPT_VIEWS_STORE]).await.ok()?;
        *self.0.borrow_mut() = Some(db.clone());
        Some(db)
    }
}
