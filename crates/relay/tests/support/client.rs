//! The native Linli client the tests drive (from `linli-client`).

#[allow(unused_imports, reason = "each test binary uses a different part of the support code")]
pub use linli_client::{Client, State};
