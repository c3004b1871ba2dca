//! Test support: the relay in-process on 127.0.0.1, and a native Linli client that speaks the
//! protocol over a real WebSocket.

// Each test binary uses a different part of the support code.
#![allow(dead_code)]

pub mod client;
pub mod docs;
pub mod raw;
pub mod relay;
pub mod relay_process;
pub mod wave;
