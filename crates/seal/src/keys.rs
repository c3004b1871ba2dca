//! Reading keys (X25519 secrets) and readers (their public halves), including a member's, which
//! comes from their Ed25519 member key.

use std::fmt;

use x25519_dalek::{PublicKey, StaticSecret};

/// A key that opens what was sealed to its [`Reader`]. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct ReadingKey {
    secret: StaticSecret,
    /// Its public half, computed once (a base-point multiplication each time would cost more
    /// than opening a value).
    public: [u8; 32],
}

impl fmt::Debug for ReadingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReadingKey({})", self.reader().to_hex())
    }
}

impl ReadingKey {
    /// A new key from the system's randomness.
    pub fn generate() -> ReadingKey {
        ReadingKey::from_bytes(random())
    }

    /// The key whose secret is `bytes` (as stored, sealed, in a space).
    pub fn from_bytes(bytes: [u8; 32]) -> ReadingKey {
        let secret = StaticSecret::from(bytes);
        let public = PublicKey::from(&secret).to_bytes();
        ReadingKey { secret, public }
    }

    /// The secret's bytes, to be sealed for those who share this key.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    /// A member's reading key, from the seed of their Ed25519 member key: the same scalar their
    /// signatures use, so it matches [`Reader::of_member`] of their member ID.
    pub fn of_member(member_seed: &[u8; 32]) -> ReadingKey {
        let signing = ed25519_dalek::SigningKey::from_bytes(member_seed);
        ReadingKey::from_bytes(signing.to_scalar_bytes())
    }

    /// Who this key reads as.
    pub fn reader(&self) -> Reader {
        Reader(self.public)
    }

    pub(crate) fn agree(&self, with: &[u8; 32]) -> [u8; 32] {
        self.secret.diffie_hellman(&PublicKey::from(*with)).to_bytes()
    }
}

/// Someone a value can be sealed to: an X25519 public key, written as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reader(pub [u8; 32]);

impl Reader {
    /// The reader a member is, from their member ID (the Ed25519 public key, 64 hex digits);
    /// `None` for an ID that is not a key (an older member's 16 digits, or not a curve point).
    pub fn of_member(member_id: &str) -> Option<Reader> {
        let bytes = from_hex(member_id)?;
        let verifying = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
        Some(Reader(verifying.to_montgomery().to_bytes()))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A reader from 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Reader> {
        from_hex(hex).map(Reader)
    }
}

fn from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// `N` bytes from the system's randomness (`crypto.getRandomValues` in the browser).
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the system's randomness is available");
    bytes
}
