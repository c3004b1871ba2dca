//! `GET /view/<space id>[?only=<collection>/<item id>]`: a read-only picture of a space as this
//! relay holds it (`linli_view::snapshot`), so that a phone opening a poster's QR code draws the
//! pledge while the engine (Automerge, in a Web Worker) is still downloading. The engine's own
//! view replaces it as soon as it has synced; nothing is ever written from it.
//!
//! It shows no more than sync would: anyone who knows a space's ID can sync the space from this
//! relay. A space it does not hold, or cannot read, is answered `204 No Content` (the page then
//! simply waits for its engine), with the reason in `X-Linli-No-Picture`. It is read from the data folder (every acknowledged change is there), contained like
//! any untrusted bytes, and kept per space until the space's chunks change.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_core::{Space, SpaceDocument};
use linli_sync::{ChunkLedger, DocumentId, contain};
use serde::Deserialize;

use crate::FolderStore;

/// The last picture of each space asked for, with the chunks it was read from.
#[derive(Clone, Default)]
pub struct ViewCache(Arc<Mutex<HashMap<DocumentId, (Vec<String>, Arc<Space>)>>>);

/// The most spaces kept (a relay serves a village, not the world).
const KEPT: usize = 64;

#[derive(Deserialize)]
pub struct Only {
    only: Option<String>,
}

/// The route's state: where documents are stored, and the cache.
#[derive(Clone)]
pub struct Views {
    pub data_dir: PathBuf,
    pub cache: ViewCache,
}

pub async fn serve(State(views): State<Views>, Path(id): Path<String>, Query(only): Query<Only>) -> Response {
    let Ok(document_id) = id.parse::<DocumentId>() else {
        return (StatusCode::BAD_REQUEST, "not a space ID\n").into_response();
    };
    let read = tokio::task::spawn_blocking(move || picture(&views, document_id)).await;
    // No picture is not an error for the page (it waits for the engine), so it gets 204 and the
    // reason in a header rather than an error status its console would report.
    let none = |reason: &str| {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(value) = HeaderValue::from_str(reason) {
            response.headers_mut().insert("x-linli-no-picture", value);
        }
        response
    };
    let space = match read {
        Ok(Ok(Some(space))) => space,
        Ok(Ok(None)) => return none("this relay does not hold that space"),
        Ok(Err(reason)) => return none(&reason.replace(|c: char| !c.is_ascii() || c.is_ascii_control(), " ")),
        Err(_) => return none("the space could not be read"),
    };
    let bytes = match only.only.as_deref() {
        Some(item) => linli_view::snapshot::encode(&linli_view::snapshot::focused_on(&space, item)),
        None => linli_view::snapshot::encode(&*space),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    crate::site::secure(headers);
    response
}

/// The space as this relay stores it: from the cache if its chunks have not changed.
fn picture(views: &Views, document_id: DocumentId) -> Result<Option<Arc<Space>>, String> {
    let store = FolderStore::open(&views.data_dir).map_err(|e| e.to_string())?;
    let chunks = store.load(&document_id).map_err(|e| e.to_string())?;
    if chunks.is_empty() {
        return Ok(None);
    }
    let mut names: Vec<String> = chunks.iter().map(|(key, _)| key.parts().join("/")).collect();
    names.sort();
    if let Some((known, space)) = views.cache.0.lock().map_err(|_| "cache poisoned")?.get(&document_id)
        && *known == names
    {
        return Ok(Some(space.clone()));
    }
    let space = contain(|| {
        let (doc, _, _) = ChunkLedger::load(chunks);
        Space::hydrate(&doc)
    })
    .map_err(|panic| panic.to_string())?
    .map_err(|error| error.to_string())?;
    let space = Arc::new(space);
    let mut cache = views.cache.0.lock().map_err(|_| "cache poisoned")?;
    if cache.len() >= KEPT {
        cache.clear();
    }
    cache.insert(document_id, (names, space.clone()));
    Ok(Some(space))
}
