//! Test support: the relay in-process on 127.0.0.1, and a native Linli client that speaks the
//! protocol over a real WebSocket.

pub mod client;
pub mod relay;
