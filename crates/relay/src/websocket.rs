//! One WebSocket connection: frames in to the hub, frames out from the hub's outbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use linli_sync::{ConnId, Direction};
use tokio::sync::{mpsc, watch};

use crate::hub::{HubCommand, Outbox, close_code};
use crate::metrics::Metrics;

/// Serves one accepted WebSocket until either side closes it or the relay shuts down.
pub async fn serve_socket(
    socket: WebSocket,
    conn: ConnId,
    hub: mpsc::Sender<HubCommand>,
    outbox_frames: usize,
    mut shutdown: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
) {
    let (frames_tx, mut frames_rx) = mpsc::channel(outbox_frames);
    let close_code = Arc::new(AtomicU16::new(close_code::NORMAL));
    let outbox = Outbox { frames: frames_tx, close_code: close_code.clone() };
    if hub.send(HubCommand::Opened { conn, direction: Direction::Incoming, outbox }).await.is_err() {
        return;
    }
    Metrics::add(&metrics.connections_open, 1);
    Metrics::add(&metrics.connections_total, 1);
    let (mut sink, mut stream) = socket.split();

    let writer = async {
        loop {
            let frame = tokio::select! {
                frame = frames_rx.recv() => Some(frame),
                _ = shutdown.wait_for(|stop| *stop) => None,
            };
            let Some(frame) = frame else {
                let frame = CloseFrame { code: close_code::GOING_AWAY, reason: "relay shutting down".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return;
            };
            let Some(frame) = frame else { break };
            if sink.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
        }
        // The hub dropped the outbox: close with the code it chose.
        let code = close_code.load(Ordering::Relaxed);
        let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: "".into() }))).await;
    };
    let reader = async {
        while let Some(Ok(message)) = stream.next().await {
            match message {
                Message::Binary(bytes) => {
                    if hub.send(HubCommand::Frame { conn, bytes: bytes.to_vec() }).await.is_err() {
                        return;
                    }
                }
                Message::Close(_) => return,
                // The protocol is binary CBOR only; pings are answered by the WebSocket layer.
                Message::Text(_) | Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    };
    tokio::select! {
        () = writer => {}
        () = reader => {}
    }
    let _ = hub.send(HubCommand::Closed { conn }).await;
    metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
}
