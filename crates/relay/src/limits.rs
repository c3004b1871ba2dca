//! The relay's limits on what one connection may do (and how fast a space's take-part link may
//! add members), and the token bucket that enforces rates.

use std::time::Duration;

use tokio::time::Instant;

/// The read buffer of each WebSocket (tungstenite's default is 128 KiB per connection).
pub const SOCKET_BUFFER: usize = 4 * 1024;

/// Limits applied to every connection.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted message, in bytes; a bigger one closes the connection with code 1009.
    pub max_message_bytes: usize,
    /// Most connections open at once; more are refused with HTTP 503.
    pub max_connections: usize,
    /// Sustained messages per second one connection may send…
    pub messages_per_second: f64,
    /// …and how many it may send in a burst (a client opening many spaces at once).
    pub message_burst: f64,
    /// Frames queued for one connection before it counts as a slow consumer and is dropped.
    pub outbox_frames: usize,
    /// A send to a peer that takes longer than this ends the connection (a peer that stopped
    /// reading).
    pub write_timeout: Duration,
    /// How often the relay pings each connection.
    pub ping_interval: Duration,
    /// A connection silent for this long (no message, no pong) is closed.
    pub idle_timeout: Duration,
    /// Browser origins allowed to connect (e.g. `https://linli.example.org`); empty: any. A
    /// request without an Origin header (not a browser) is allowed.
    pub allowed_origins: Vec<String>,
    /// New members one space may gain through its take-part link in a minute (as many at once).
    pub joins_per_minute: f64,
    /// The rest of what one take-part link may bring in (`take_part_limits.rs`).
    pub take_part: crate::TakePartLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_connections: 2_000,
            messages_per_second: 200.0,
            message_burst: 2_000.0,
            outbox_frames: 1_024,
            write_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            allowed_origins: Vec::new(),
            joins_per_minute: 60.0,
            take_part: crate::TakePartLimits::default(),
        }
    }
}

impl Limits {
    /// Whether a WebSocket request with this Origin header may connect.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(origin) => self.allowed_origins.is_empty() || self.allowed_origins.iter().any(|o| o.trim_end_matches('/') == origin),
        }
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        RateLimiter { rate, burst, tokens: burst, last: now }
    }

    /// Takes a token if there is one.
    pub fn allow(&mut self, now: Instant) -> bool {
        self.allow_n(now, 1.0)
    }

    /// Whether `n` tokens could be taken now (takes none).
    pub fn would_allow(&self, now: Instant, n: f64) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        (self.tokens + elapsed * self.rate).min(self.burst) >= n
    }

    /// Takes `n` tokens (bytes, say) if there are as many.
    pub fn allow_n(&mut self, now: Instant, n: f64) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = RateLimiter::new(10.0, 5.0, start);
        assert_eq!((0..8).filter(|_| bucket.allow(start)).count(), 5);
        assert!(bucket.allow(start + Duration::from_millis(100)));
        assert!(!bucket.allow(start + Duration::from_millis(100)));
        assert_eq!((0..20).filter(|_| bucket.allow(start + Duration::from_secs(10))).count(), 5, "never more than the burst");
    }

    #[test]
    fn origins() {
        let open = Limits::default();
        assert!(open.allows_origin(Some("https://anything")));
        let strict = Limits { allowed_origins: vec!["https://linli.example.org/".into()], ..Limits::default() };
        assert!(strict.allows_origin(Some("https://linli.example.org")));
        assert!(!strict.allows_origin(Some("https://evil.example")));
        assert!(strict.allows_origin(None));
    }
}
