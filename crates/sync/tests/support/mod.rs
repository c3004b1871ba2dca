//! Test support: a deterministic simulated network of sans-IO repos with in-memory storage.
// Each test binary uses a different part of the support code.
#![allow(dead_code)]

pub mod sim;
