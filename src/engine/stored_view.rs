//! What this device last showed of each space, kept in the page's own IndexedDB (`linli-views`)
//! so that a returning resident, or a kiosk that restarts, sees the space in the first frame —
//! before the engine worker has loaded. It is a picture, not the data: the engine's view replaces
//! it as soon as it comes, and edits always go through the engine.
//!
//! A view is written a couple of seconds after the space last changed (not on every change), as
//! bincode with a size limit; one that cannot be read (an older app's, a damaged one) is ignored.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::{Rc, Weak};

use bincode::Options;
use gloo_timers::callback::Timeout;
use js_sys::Uint8Array;
use linli_model::Space;
use linli_view::{SpaceId, SpaceStatus};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbDatabase;

use super::Engine;

const DATABASE: &str = "linli-views";
const STORE: &str = "views";
/// Bumped when what is kept changes shape: a view of another format is not read.
const FORMAT: u32 = 1;
/// A kept view larger than this is not read (a damaged length would otherwise ask for it all).
const MAX_BYTES: u64 = 64 << 20;
/// How long after the last change a view is written.
const WRITE_AFTER_MS: u32 = 2_000;

/// One kept view.
#[derive(Deserialize)]
struct Kept {
    format: u32,
    status: SpaceStatus,
    space: Space,
}

/// One view to keep (the same shape as [`Kept`], borrowed).
#[derive(Serialize)]
struct Keeping<'a> {
    format: u32,
    status: &'a SpaceStatus,
    space: &'a Space,
}

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
    static SCHEDULED: RefCell<HashSet<SpaceId>> = RefCell::new(HashSet::new());
}

fn codec() -> impl Options {
    bincode::DefaultOptions::new().with_limit(MAX_BYTES)
}

async fn database() -> Result<IdbDatabase, JsValue> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let db = linli_idb::open(DATABASE, 1, &[STORE]).await?;
    DB.with(|kept| *kept.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// Reads the view kept for `space` and gives it to the page, if the engine has not sent its own.
pub fn show_last(engine: &Rc<Engine>, space: &str) {
    let (weak, space) = (Rc::downgrade(engine), space.to_owned());
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(Some(kept)) = read(&space).await else { return };
        if let Some(engine) = weak.upgrade() {
            engine.shown_from_last_visit(&space, kept.status, kept.space);
        }
    });
}

async fn read(space: &str) -> Result<Option<Kept>, JsValue> {
    let db = database().await?;
    let store = linli_idb::store(&db, STORE, false)?;
    let value = linli_idb::finished(&store.get(&space.into())?).await?;
    let Some(bytes) = value.dyn_ref::<Uint8Array>() else { return Ok(None) };
    Ok(codec().deserialize::<Kept>(&bytes.to_vec()).ok().filter(|kept| kept.format == FORMAT))
}

/// Keeps the page's view of `space` in a moment (once for any number of changes till then).
pub fn keep_later(engine: &Rc<Engine>, space: &SpaceId) {
    if !SCHEDULED.with(|s| s.borrow_mut().insert(space.clone())) {
        return;
    }
    let (weak, space) = (Rc::downgrade(engine), space.clone());
    Timeout::new(WRITE_AFTER_MS, move || {
        SCHEDULED.with(|s| s.borrow_mut().remove(&space));
        wasm_bindgen_futures::spawn_local(keep(weak, space));
    })
    .forget();
}

async fn keep(engine: Weak<Engine>, space: SpaceId) {
    let Some(bytes) = engine.upgrade().and_then(|engine| {
        let status = engine.status_untracked(&space)?;
        engine.with_space(&space, |copy| codec().serialize(&Keeping { format: FORMAT, status: &status, space: copy }).ok())?
    }) else {
        return;
    };
    let Ok(db) = database().await else { return };
    let bytes = Uint8Array::from(bytes.as_slice());
    if let Err(error) = linli_idb::write(&db, STORE, |store| store.put_with_key(&bytes, &space.as_str().into())).await {
        web_sys::console::warn_2(&"could not keep this space's view for the next visit:".into(), &error);
    }
}
