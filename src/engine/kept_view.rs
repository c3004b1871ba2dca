//! What is drawn of a space before the engine has it: the view the engine kept of this device's
//! last visit (IndexedDB `linli-views`, kept by crates/engine-core/src/kept_views.rs), else, on a
//! first visit, the picture the relay that served the page holds (`/view/<id>`, only the item the
//! address opens when it opens one). A returning resident, or a kiosk that restarts, sees the
//! space in the first frames; a phone that scans a poster reads the pledge while the engine is
//! still downloading. It is a picture, not the data: the engine's view replaces it as soon as it
//! comes, and edits always go through the engine. Bytes that cannot be read are ignored.

use std::rc::Rc;

use js_sys::Uint8Array;
use linli_model::Space;
use linli_view::SpaceStatus;
use linli_view::snapshot::decode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::Engine;

use linli_view::side_channels::{KEPT_VIEWS_DATABASE as DATABASE, KEPT_VIEWS_STORE as STORE};

/// Draws the kept view of `space`, or the relay's picture of it, if the engine has not sent its
/// own. `item` (`pledges/<id>`, …) is what the address opens, if anything.
pub fn show_early(engine: &Rc<Engine>, space: &str, item: Option<String>) {
    let (weak, space) = (Rc::downgrade(engine), space.to_owned());
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(Some((status, copy))) = kept(&space).await {
            if let Some(engine) = weak.upgrade() {
                engine.shown_early(&space, Some(status), copy);
            }
            return;
        }
        if let Ok(Some(copy)) = from_relay(&space, item.as_deref()).await
            && let Some(engine) = weak.upgrade()
        {
            engine.shown_early(&space, None, copy);
        }
    });
}

async fn kept(space: &str) -> Result<Option<(SpaceStatus, Space)>, JsValue> {
    let db = linli_idb::open(DATABASE, 1, &[STORE]).await?;
    let store = linli_idb::store(&db, STORE, false)?;
    let value = linli_idb::finished(&store.get(&space.into())?).await?;
    db.close();
    Ok(value.dyn_ref::<Uint8Array>().and_then(|bytes| decode(&bytes.to_vec())))
}

async fn from_relay(space: &str, item: Option<&str>) -> Result<Option<Space>, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let only = item.map(|item| format!("?only={}", js_sys::encode_uri_component(item))).unwrap_or_default();
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&format!("/view/{space}{only}"))).await?.unchecked_into();
    if !response.ok() {
        return Ok(None);
    }
    let bytes = JsFuture::from(response.array_buffer()?).await?;
    Ok(decode(&Uint8Array::new(&bytes).to_vec()))
}
