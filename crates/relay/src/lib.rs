//! The Linli relay: serves the built site and relays automerge-repo sync on one port, storing
//! documents in a folder, and optionally federating with other relays. [`run`] is the whole
//! server; `main.rs` only reads flags and calls it.

pub mod backup;
pub mod check;
mod connection;
pub mod data_folder;
mod embedded_site;
mod fair_share;
mod folder_store;
mod heads_log;
pub mod https;
mod hub;
mod idle_release;
mod limits;
mod metrics;
mod peer_link;
mod site;
mod space_view;
mod take_part_limits;
mod wire;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use linli_sync::{Direction, PeerMetadata, Repo, RepoConfig};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

pub use folder_store::FolderStore;
pub use idle_release::Retention;
pub use limits::Limits;
pub use metrics::Metrics;

use connection::Context;
use hub::{Hub, HubCommand};

/// How the relay is set up.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The built site (`dist/` of `cargo xtask build-site`); `None` serves sync only.
    pub site_dir: Option<PathBuf>,
    /// Where documents are stored.
    pub data_dir: PathBuf,
    /// Relays (or automerge-repo sync servers) to dial and keep in sync with, as `ws://…` URLs.
    pub peers: Vec<String>,
    pub limits: Limits,
    /// HTTPS, from certificate files or ACME; `None` serves plain HTTP.
    pub tls: Option<https::Tls>,
    /// When documents nobody uses are released from memory.
    pub retention: Retention,
}

impl RelayConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        RelayConfig { site_dir: None, data_dir: data_dir.into(), peers: Vec::new(), limits: Limits::default(), tls: None, retention: Retention::default() }
    }
}

pub use take_part_limits::{LINK_TOO_BUSY, TOO_MANY_JOINS, TOO_MANY_JOINS_TODAY, TOO_MUCH_TODAY, TakePartLimits};

#[derive(Clone)]
struct AppState {
    context: Context,
    next_conn: Arc<AtomicU64>,
    site: Option<site::Site>,
}

/// What to tell whoever starts a relay on `address` without TLS, if it is reached from other
/// machines: browsers will not let Linli work offline there.
pub fn plain_http_warning(address: std::net::SocketAddr) -> Option<String> {
    if address.ip().is_loopback() {
        return None;
    }
    Some(format!(
        "Linli is served over plain HTTP on {address}. Browsers allow offline use, the service worker and \
         installing to the home screen only on https:// addresses (or on this machine itself), so residents \
         who open http://<this machine>:{port}/ can use Linli only while they are online: a page opened \
         without a connection will not load (what they type is still kept on their device). To fix it, give the relay a certificate: \
         --acme-domain <a public name that points here> (free, automatic, from Let's Encrypt), or \
         --tls-cert <file> --tls-key <file> (a certificate you have, e.g. from your router or a local CA).",
        port = address.port()
    ))
}

/// Serves until `shutdown` resolves, then closes every connection and returns once every
/// acknowledged change is on disk.
pub async fn run(listener: TcpListener, config: RelayConfig, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let store = FolderStore::open(&config.data_dir)?;
    let storage_id = store.storage_id(random_uuid)?;
    let peer_id = format!("linli-relay-{}", &storage_id[..8.min(storage_id.len())]);
    let metrics = Arc::new(Metrics::default());
    let rules = take_part_limits::LimitedRules::new(TakePartLimits { joins_per_minute: config.limits.joins_per_minute, ..config.limits.take_part }, metrics.clone());
    let mut repo = Repo::new(RepoConfig {
        peer_id: peer_id.clone(),
        metadata: PeerMetadata { storage_id: Some(storage_id), is_ephemeral: false, relay_key: None },
        announce_to_incoming: false,
        announce_to_outgoing: true,
        session_id: random_uuid(),
        persist: true,
        rules: Some(linli_sync::Rules(Arc::new(rules))),
    });
    // Costly admissions run beside the hub, not in its turn (see `hub.rs`).
    repo.admit_elsewhere(true);
    // Its own key: it gives receipts for the spaces that name it their home (`home_relay`).
    let relay_key = linli_sync::RelayKey::from_seed(store.relay_key(random_seed)?);
    tracing::info!(home_key = %bs58::encode(relay_key.public()).into_string(), "relay key");
    repo.give_receipts_as(relay_key);
    let (hub_tx, hub_rx) = mpsc::channel(4096);
    if !config.peers.is_empty() {
        // Open every stored document so that peer relays are offered all of them.
        for document_id in store.document_ids()? {
            let _ = hub_tx.send(HubCommand::Open { document_id }).await;
        }
    }
    let hub_task = tokio::spawn(Hub::new(repo, store, metrics.clone(), config.retention.clone()).run(hub_rx));
    let (stop_tx, stop_rx) = watch::channel(false);
    let context = Context { hub: hub_tx, limits: Arc::new(config.limits.clone()), shutdown: stop_rx, metrics };
    let next_conn = Arc::new(AtomicU64::new(1));
    let peer_links: Vec<_> = config.peers.iter().map(|url| tokio::spawn(peer_link::keep_linked(url.clone(), next_conn.clone(), context.clone()))).collect();
    // A binary built with the site inside serves it unless `--site` names a folder.
    let unpacked_site = if config.site_dir.is_none() { embedded_site::unpack()? } else { None };
    let site_dir = config.site_dir.clone().or_else(|| unpacked_site.as_ref().map(|folder| folder.path().to_owned()));
    let state = AppState { context, next_conn, site: site_dir.map(site::Site::open) };
    let views = space_view::Views { data_dir: config.data_dir.clone(), cache: space_view::ViewCache::default() };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .route("/view/{id}", get(space_view::serve).with_state(views).layer(tower_http::compression::CompressionLayer::new()))
        .fallback(site_or_sync)
        .with_state(state);
    tracing::info!(address = %listener.local_addr()?, %peer_id, peers = ?config.peers, "relay listening");
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    match config.tls {
        None => axum::serve(listener, app).with_graceful_shutdown(shutdown).await?,
        Some(tls) => https::serve(listener, app, tls, shutdown).await?,
    }
    for link in peer_links {
        let _ = link.await;
    }
    // Every hub sender (the app state, the links, the connections) is gone now; the hub drains.
    let _ = hub_task.await;
    Ok(())
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.context.metrics.render()).into_response()
}

/// A WebSocket upgrade on any path is a sync connection (JavaScript clients dial `ws://host:port`
/// with the path `/`); anything else is a file of the site, with `index.html` for app routes.
async fn site_or_sync(State(state): State<AppState>, request: Request) -> Response {
    let wants_upgrade = request.headers().get(header::UPGRADE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade {
        return admit(state, request).await;
    }
    let Some(site) = state.site.as_ref() else {
        return (StatusCode::NOT_FOUND, "this relay serves sync only\n").into_response();
    };
    site::serve(site, request).await
}

/// Admits a WebSocket connection if the limits allow it.
async fn admit(state: AppState, request: Request) -> Response {
    let limits = state.context.limits.clone();
    let metrics = state.context.metrics.clone();
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !limits.allows_origin(origin) {
        Metrics::add(&metrics.connections_refused, 1);
        return (StatusCode::FORBIDDEN, "this relay does not serve that origin\n").into_response();
    }
    if metrics.connections_open.load(Ordering::Relaxed) as usize >= limits.max_connections {
        Metrics::add(&metrics.connections_refused, 1);
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections; try again later\n").into_response();
    }
    let (mut parts, _) = request.into_parts();
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let conn = state.next_conn.fetch_add(1, Ordering::Relaxed);
    let max = limits.max_message_bytes;
    // Small buffers: an idle connection should cost kilobytes, not the 256 KiB of the defaults.
    upgrade
        .read_buffer_size(limits::SOCKET_BUFFER)
        .write_buffer_size(0)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| connection::pump(socket, conn, Direction::Incoming, state.context))
}

/// A random UUID v4 in text form (automerge-repo's storage IDs look like this).
fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the operating system provides random bytes");
    seed
}

fn random_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system provides random bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
