//! Sealing a space's private fields to the keys of those who may read them.
//!
//! A private value is encrypted once, with XChaCha20-Poly1305 under a fresh content key, and bound
//! to its place in the document (the place is the cipher's associated data, so a sealed value
//! copied elsewhere does not open). The content key is then wrapped for each reader: a key
//! agreement between the sealer's X25519 key (the writer's own, or a one-time key) and the
//! reader's, hashed with both public keys and the value's nonce into a key that encrypts the
//! content key (NaCl's box construction, from RustCrypto's and dalek's maintained parts).
//!
//! Readers are named by their X25519 public keys. A member's comes from their Ed25519 member key
//! (its public half is their member ID), so anyone can seal to any member without asking; a team
//! or the organisers have keys of their own, whose secrets are themselves sealed (see
//! docs/capabilities.md, "Private requests").
//!
//! Nothing here panics on bad input: a value that is malformed, tampered with or not sealed to the
//! keys at hand gives [`CannotOpen`].

mod keys;
mod sealed;

pub use keys::{Reader, ReadingKey};
pub use sealed::{CannotOpen, MAX_READERS, Opener, Sealed, open, readers, reseal_to, seal, well_formed};
