//! The Linli relay: serves the built site and relays automerge-repo sync on one port, storing
//! documents in a folder. [`run`] is the whole server; `main.rs` only reads flags and calls it.

mod folder_store;
mod hub;
mod metrics;
mod websocket;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use linli_sync::{PeerMetadata, Repo, RepoConfig};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tower_http::services::{ServeDir, ServeFile};

pub use folder_store::FolderStore;
pub use metrics::Metrics;

/// How the relay is set up.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The built site (Trunk's `dist/`); `None` serves sync only.
    pub site_dir: Option<PathBuf>,
    /// Where documents are stored.
    pub data_dir: PathBuf,
    /// Largest accepted message in bytes.
    pub max_message_bytes: usize,
    /// Frames queued for one connection before it counts as a slow consumer and is dropped.
    pub outbox_frames: usize,
}

impl RelayConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        RelayConfig { site_dir: None, data_dir: data_dir.into(), max_message_bytes: 1 << 20, outbox_frames: 1024 }
    }
}

#[derive(Clone)]
struct AppState {
    hub: mpsc::Sender<HubCommand>,
    next_conn: Arc<AtomicU64>,
    config: Arc<RelayConfig>,
    shutdown: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
}

use hub::{Hub, HubCommand};

/// Serves until `shutdown` resolves, then closes every connection and returns once every
/// acknowledged change is on disk.
pub async fn run(listener: TcpListener, config: RelayConfig, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let store = FolderStore::open(&config.data_dir)?;
    let storage_id = store.storage_id(random_uuid)?;
    let peer_id = format!("linli-relay-{}", &storage_id[..8.min(storage_id.len())]);
    let repo = Repo::new(RepoConfig {
        peer_id: peer_id.clone(),
        metadata: PeerMetadata { storage_id: Some(storage_id), is_ephemeral: false },
        announce_to_incoming: false,
        announce_to_outgoing: true,
        session_id: random_uuid(),
    });
    let metrics = Arc::new(Metrics::default());
    let (hub_tx, hub_rx) = mpsc::channel(4096);
    let hub_task = tokio::spawn(Hub::new(repo, store, metrics.clone()).run(hub_rx));
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = AppState {
        hub: hub_tx,
        next_conn: Arc::new(AtomicU64::new(1)),
        config: Arc::new(config),
        shutdown: stop_rx,
        metrics,
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .fallback(site_or_sync)
        .with_state(state);
    tracing::info!(address = %listener.local_addr()?, %peer_id, "relay listening");
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    server.await?;
    // The app (and with it the last hub sender) is gone once serve returns; the hub drains.
    let _ = hub_task.await;
    Ok(())
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// A WebSocket upgrade on any path is a sync connection (JavaScript clients dial `ws://host:port`
/// with the path `/`); anything else is a file of the site, with `index.html` for app routes.
async fn site_or_sync(State(state): State<AppState>, request: Request) -> Response {
    let wants_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade {
        let (mut parts, _) = request.into_parts();
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => accept_socket(upgrade, state),
            Err(rejection) => rejection.into_response(),
        };
    }
    let Some(site) = state.config.site_dir.clone() else {
        return (StatusCode::NOT_FOUND, "this relay serves sync only\n").into_response();
    };
    let index = ServeFile::new(site.join("index.html"));
    let files = ServeDir::new(&site).fallback(index);
    match tower::ServiceExt::oneshot(files, request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

fn accept_socket(upgrade: WebSocketUpgrade, state: AppState) -> Response {
    let conn = state.next_conn.fetch_add(1, Ordering::Relaxed);
    let max = state.config.max_message_bytes;
    upgrade.max_message_size(max).max_frame_size(max).on_upgrade(move |socket| {
        websocket::serve_socket(socket, conn, state.hub, state.config.outbox_frames, state.shutdown, state.metrics)
    })
}

/// A random UUID v4 in text form (automerge-repo's storage IDs look like this).
fn random_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system provides random bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
