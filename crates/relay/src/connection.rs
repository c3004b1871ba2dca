//! One sync connection, accepted or dialled: frames in to the hub, frames out from the hub's
//! outbox, with the relay's limits enforced on the way in and a heartbeat on the way out.
//!
//! The same pump serves both kinds of socket (axum's for accepted connections, tungstenite's for
//! dialled peers) through the small [`WireMessage`] trait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use linli_sync::{ConnId, Direction};
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use crate::hub::{HubCommand, Outbox, close_code};
use crate::limits::{Limits, RateLimiter};
use crate::metrics::Metrics;

/// How long the relay waits for the peer to answer its close frame.
const CLOSING_HANDSHAKE: Duration = Duration::from_secs(2);

/// What the pump needs to know about a socket's message type.
pub trait WireMessage: Sized + Send {
    fn binary(bytes: Vec<u8>) -> Self;
    fn ping() -> Self;
    fn close(code: u16, reason: &'static str) -> Self;
    fn into_incoming(self) -> Incoming;
}

/// An incoming message, as the pump sees it.
pub enum Incoming {
    Binary(Vec<u8>),
    /// Text frames are not part of the protocol; ignored.
    Text,
    /// Pings (answered by the WebSocket layer) and pongs: signs of life.
    Heartbeat,
    Close,
}

/// How a read error is treated.
pub trait ReadError {
    /// True when the peer sent a message over the size limit.
    fn is_too_big(&self) -> bool;
}

/// Why the pump closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The hub dropped the outbox; it stored the close code.
    Hub,
    /// The peer closed or the socket failed.
    Peer,
    /// The relay closes with this code and reason.
    Close(u16, &'static str),
}

/// Everything a connection shares with the relay.
#[derive(Clone)]
pub struct Context {
    pub hub: mpsc::Sender<HubCommand>,
    pub limits: Arc<Limits>,
    pub shutdown: watch::Receiver<bool>,
    pub metrics: Arc<Metrics>,
}

/// Serves one connection until either side closes it or the relay shuts down.
pub async fn pump<S, M, E>(socket: S, conn: ConnId, direction: Direction, context: Context)
where
    S: Stream<Item = Result<M, E>> + Sink<M> + Send + Unpin,
    M: WireMessage,
    E: ReadError,
{
    let Context { hub, limits, mut shutdown, metrics } = context;
    let (frames_tx, mut frames_rx) = mpsc::channel(limits.outbox_frames);
    let close_code = Arc::new(AtomicU16::new(close_code::NORMAL));
    let outbox = Outbox { frames: frames_tx, close_code: close_code.clone() };
    if hub.send(HubCommand::Opened { conn, direction, outbox }).await.is_err() {
        return;
    }
    Metrics::add(&metrics.connections_open, 1);
    Metrics::add(&metrics.connections_total, 1);
    let (mut sink, mut stream) = socket.split();
    let started = Instant::now();
    let last_heard = Arc::new(AtomicU64::new(0));
    let reader_ending = Arc::new(Notify::new());
    let reader_says = Arc::new(std::sync::Mutex::new(None::<Ending>));

    let reader = {
        let (last_heard, reader_ending, reader_says) = (last_heard.clone(), reader_ending.clone(), reader_says.clone());
        let hub = hub.clone();
        let limits = limits.clone();
        let metrics = metrics.clone();
        async move {
            let mut rate = RateLimiter::new(limits.messages_per_second, limits.message_burst, Instant::now());
            let ending = loop {
                let message = match stream.next().await {
                    None => break Ending::Peer,
                    Some(Err(error)) if error.is_too_big() => break Ending::Close(close_code::TOO_BIG, "message too big"),
                    Some(Err(_)) => break Ending::Peer,
                    Some(Ok(message)) => message,
                };
                last_heard.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                match message.into_incoming() {
                    Incoming::Binary(bytes) => {
                        if !rate.allow(Instant::now()) {
                            Metrics::add(&metrics.connections_refused, 1);
                            break Ending::Close(close_code::POLICY, "rate limit exceeded");
                        }
                        if hub.send(HubCommand::Frame { conn, bytes }).await.is_err() {
                            break Ending::Peer;
                        }
                    }
                    Incoming::Close => break Ending::Peer,
                    Incoming::Text | Incoming::Heartbeat => {}
                }
            };
            *reader_says.lock().expect("not poisoned") = Some(ending);
            reader_ending.notify_one();
        }
    };

    let writer = async {
        let mut heartbeat = tokio::time::interval(limits.ping_interval);
        heartbeat.tick().await;
        let ending = loop {
            let next = tokio::select! {
                frame = frames_rx.recv() => match frame {
                    // Frames still queued when the hub gave up on this connection are not sent.
                    Some(_) if frames_rx.is_closed() => break Ending::Hub,
                    Some(frame) => M::binary(frame),
                    None => break Ending::Hub,
                },
                _ = heartbeat.tick() => {
                    let idle = started.elapsed().saturating_sub(Duration::from_millis(last_heard.load(Ordering::Relaxed)));
                    if idle > limits.idle_timeout {
                        break Ending::Close(close_code::GOING_AWAY, "idle timeout");
                    }
                    M::ping()
                }
                () = reader_ending.notified() => {
                    break reader_says.lock().expect("not poisoned").unwrap_or(Ending::Peer);
                }
                () = stopped(&mut shutdown) => break Ending::Close(close_code::GOING_AWAY, "relay shutting down"),
            };
            // A peer that stops reading cannot hold the writer forever.
            match tokio::time::timeout(limits.write_timeout, sink.send(next)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break Ending::Peer,
                Err(_) => {
                    Metrics::add(&metrics.slow_consumers_dropped, 1);
                    break Ending::Peer;
                }
            }
        };
        let goodbye = match ending {
            Ending::Hub => Some(M::close(close_code.load(Ordering::Relaxed), "")),
            Ending::Close(code, reason) => Some(M::close(code, reason)),
            Ending::Peer => None,
        };
        if let Some(goodbye) = goodbye {
            let _ = tokio::time::timeout(limits.write_timeout, sink.send(goodbye)).await;
        }
        ending
    };

    // The writer ends the connection (it sends the close frame); the reader then has a moment to
    // receive the peer's answering close frame, so the closing handshake completes cleanly.
    tokio::pin!(reader);
    tokio::pin!(writer);
    let mut reader_done = false;
    let ending = loop {
        tokio::select! {
            ending = &mut writer => break ending,
            () = &mut reader, if !reader_done => reader_done = true,
        }
    };
    if !reader_done && ending != Ending::Peer {
        let _ = tokio::time::timeout(CLOSING_HANDSHAKE, &mut reader).await;
    }
    let _ = hub.send(HubCommand::Closed { conn }).await;
    metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
}

/// Resolves when the relay begins to shut down.
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, before anything else is awaited.
    let _ = shutdown.wait_for(|stop| *stop).await;
}
