//! Test support: a deterministic simulated network of sans-IO repos with in-memory storage.

pub mod sim;
