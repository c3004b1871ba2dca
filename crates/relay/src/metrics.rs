//! Counters the relay exposes at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Relay-wide counters, updated without locks.
#[derive(Debug, Default)]
pub struct Metrics {
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub documents_open: AtomicU64,
    pub documents_released: AtomicU64,
    pub messages_in: AtomicU64,
    pub messages_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub connections_refused: AtomicU64,
    pub protocol_errors: AtomicU64,
    pub storage_errors: AtomicU64,
    pub slow_consumers_dropped: AtomicU64,
    pub changes_refused: AtomicU64,
    pub joins_limited: AtomicU64,
    pub volume_limited: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &str, &AtomicU64); 15] = [
            ("linli_connections_open", "gauge", "WebSocket connections open now", &self.connections_open),
            ("linli_connections_total", "counter", "WebSocket connections accepted", &self.connections_total),
            ("linli_documents_open", "gauge", "documents held in memory", &self.documents_open),
            ("linli_documents_released_total", "counter", "idle documents released from memory (loaded again from the data folder when asked for)", &self.documents_released),
            ("linli_messages_received_total", "counter", "protocol messages received", &self.messages_in),
            ("linli_messages_sent_total", "counter", "protocol messages sent", &self.messages_out),
            ("linli_bytes_received_total", "counter", "bytes of protocol messages received", &self.bytes_in),
            ("linli_bytes_sent_total", "counter", "bytes of protocol messages sent", &self.bytes_out),
            ("linli_connections_refused_total", "counter", "connections refused by a limit", &self.connections_refused),
            ("linli_protocol_errors_total", "counter", "connections closed for bad messages or data", &self.protocol_errors),
            ("linli_storage_errors_total", "counter", "failed reads or writes of the data folder", &self.storage_errors),
            ("linli_slow_consumers_dropped_total", "counter", "connections dropped for not reading", &self.slow_consumers_dropped),
            ("linli_changes_refused_total", "counter", "changes to protected spaces refused: without a valid signature, or against the space's rules", &self.changes_refused),
            ("linli_joins_limited_total", "counter", "residents' joins refused for now: too many through one take-part link in a minute or a day", &self.joins_limited),
            ("linli_volume_limited_total", "counter", "residents' changes refused for now: more than one member or one take-part link may send in a day", &self.volume_limited),
        ];
        let mut out = String::new();
        for (name, kind, help, value) in rows {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}", value.load(Ordering::Relaxed));
        }
        out
    }
}
