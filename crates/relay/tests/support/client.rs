//! The native Linli client the tests drive (from `linli-client`).

pub use linli_client::{Client, State};
