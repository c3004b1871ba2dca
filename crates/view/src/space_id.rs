//! How a space is named across the worker boundary.

/// A space's document ID as text (bs58); the engine checks it.
pub type SpaceId = String;
