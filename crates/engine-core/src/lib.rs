//! Linli's engine core, sans-IO: one owner ([`EngineCore`]) of the sync repo and of what the
//! page was told of each space. It takes [`Input`]s — the page's commands, relay socket
//! events, tab messages, timers running out, storage results — each with the time it came at,
//! and returns [`Output`]s: messages for the page, sockets to dial, storage work and frames to
//! run in order, timers to set, views to keep. It has no browser, no clock and no randomness of
//! its own (it is given an [`Entropy`]), so its decisions run in native tests.
//! `linli-engine` runs it in the Web Worker, turning browser events into inputs.

mod connections;
mod cut_closings;
mod engine_core;
mod engine_errors;
mod entropy;
mod io;
mod kept_views;
mod linked_spaces;
mod relays;
mod requests;
mod space_ids;
mod space_json;
mod state;
mod tabs;

pub use engine_core::EngineCore;
pub use entropy::Entropy;
pub use io::{Input, Log, Output, Wake, Work};
