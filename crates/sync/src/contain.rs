//! Containment of panics raised inside Automerge by untrusted bytes.
//!
//! automerge 0.12 can panic on crafted, checksum-valid input. Natively the panic is caught here
//! and turned into an error, and the caller throws away the document state the panic may have
//! left half-changed. In wasm32 a panic aborts the instance instead; the browser app recovers by
//! reloading from its stored copy (see ARCHITECTURE.md).

use std::panic::{AssertUnwindSafe, catch_unwind};

/// A panic caught while handling untrusted input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("automerge panicked: {0}")]
pub struct Panicked(pub String);

/// Runs `work`, turning a panic into [`Panicked`]. Whatever `work` mutated must be treated as
/// poisoned when this returns an error.
pub fn contain<T>(work: impl FnOnce() -> T) -> Result<T, Panicked> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let text = payload.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown panic".to_owned());
        Panicked(text)
    })
}
