//! Federation: the relay dials an upstream relay (or any automerge-repo sync server) and keeps
//! the documents it holds in sync both ways, dialling again with backoff when the link drops.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use linli_sync::Direction;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::connection::{Context, pump, stopped};

/// Shortest and longest wait before dialling again.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const LAST_BACKOFF: Duration = Duration::from_secs(60);
/// A link that lasted this long counts as healthy: the next wait starts short again.
const HEALTHY: Duration = Duration::from_secs(30);

/// Keeps a link to `url` up until the relay shuts down.
pub async fn keep_linked(url: String, next_conn: Arc<AtomicU64>, context: Context) {
    let mut shutdown = context.shutdown.clone();
    let mut backoff = FIRST_BACKOFF;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let config = WebSocketConfig::default()
            .read_buffer_size(crate::limits::SOCKET_BUFFER)
            .write_buffer_size(0)
            .max_message_size(Some(context.limits.max_message_bytes))
            .max_frame_size(Some(context.limits.max_message_bytes));
        let started = Instant::now();
        match tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false).await {
            Ok((socket, _)) => {
                tracing::info!(%url, "linked to peer relay");
                let conn = next_conn.fetch_add(1, Ordering::Relaxed);
                pump(socket, conn, Direction::Outgoing, context.clone()).await;
                tracing::warn!(%url, "link to peer relay closed");
                if started.elapsed() > HEALTHY {
                    backoff = FIRST_BACKOFF;
                }
            }
            Err(error) => tracing::warn!(%url, %error, retry_in = ?backoff, "cannot reach peer relay"),
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = stopped(&mut shutdown) => return,
        }
        backoff = (backoff * 2).min(LAST_BACKOFF);
    }
}
