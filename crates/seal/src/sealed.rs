//! Sealing a value to readers, opening it, sealing it to more readers, and checking that a value
//! someone else sealed is well formed (which the rules do without any key).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};

pub use linli_model::Sealed;

use crate::keys::{Reader, ReadingKey, random};

/// Most readers one value is sealed to (the raiser, the organisers, a team's keys, and room to
/// share it further).
pub const MAX_READERS: usize = 32;
/// Longest body accepted, in base64 (what a space's rules allow: a private request of 10,000
/// characters in any script).
const MAX_BODY: usize = 80_000;

const EPHEMERAL: usize = 32;
const NONCE: usize = 24;
const TAG: usize = 16;
/// A content key sealed to one reader: the 32-byte key and its tag.
const SEALED_KEY: usize = 32 + TAG;
const CONTEXT: &[u8] = b"linli-seal-v1";

/// Why a sealed value does not open here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CannotOpen {
    #[error("it is not sealed to any key this device holds")]
    NotForUs,
    #[error("it was changed after it was sealed, or belongs elsewhere")]
    Tampered,
    #[error("it is not a sealed value")]
    Malformed,
}

/// Seals `plain`, to be kept at `place` (e.g. `tasks/<id>/sealed`), for `readers`.
pub fn seal(plain: &[u8], place: &str, readers: &[Reader]) -> Sealed {
    let content_key: [u8; 32] = random();
    let nonce: [u8; NONCE] = random();
    let ephemeral = StaticSecret::from(random::<32>());
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let ciphertext = XChaCha20Poly1305::new(&content_key.into())
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: place.as_bytes() })
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
    let mut body = Vec::with_capacity(EPHEMERAL + NONCE + ciphertext.len());
    body.extend_from_slice(&ephemeral_public);
    body.extend_from_slice(&nonce);
    body.extend_from_slice(&ciphertext);
    let ephemeral = ReadingKey::from_bytes(ephemeral.to_bytes());
    let keys = readers.iter().map(|reader| (reader.to_hex(), BASE64.encode(wrap(&ephemeral, &ephemeral_public, reader, &content_key)))).collect();
    Sealed { body: BASE64.encode(body), keys }
}

/// Opens `sealed`, kept at `place`, with whichever of `keys` it was sealed to.
pub fn open(sealed: &Sealed, place: &str, keys: &[ReadingKey]) -> Result<Vec<u8>, CannotOpen> {
    let (ephemeral_public, nonce, ciphertext) = parts(sealed)?;
    let content_key = content_key(sealed, &ephemeral_public, keys)?;
    XChaCha20Poly1305::new(&content_key.into())
        .decrypt(&XNonce::from(nonce), Payload { msg: &ciphertext, aad: place.as_bytes() })
        .map_err(|_| CannotOpen::Tampered)
}

/// `sealed`, opened with `keys`, sealed also to `more` (the readers it had stay): a team member
/// added after a request was raised, or a department a request is escalated to.
pub fn reseal_to(sealed: &Sealed, keys: &[ReadingKey], more: &[Reader]) -> Result<Sealed, CannotOpen> {
    let (ephemeral_public, _, _) = parts(sealed)?;
    let content_key = content_key(sealed, &ephemeral_public, keys)?;
    // The new readers' keys come from a new one-time key, which the body cannot name: each
    // entry after the first reader's carries its own one-time public key in front.
    let mut out = sealed.clone();
    for reader in more {
        let ephemeral = ReadingKey::generate();
        let ephemeral_public = ephemeral.reader().0;
        let mut entry = ephemeral_public.to_vec();
        entry.extend_from_slice(&wrap(&ephemeral, &ephemeral_public, reader, &content_key));
        out.keys.insert(reader.to_hex(), BASE64.encode(entry));
    }
    Ok(out)
}

/// Whether `sealed` has the shape of a sealed value, checked without any key: a body of at least
/// the one-time key, nonce and tag, at most [`MAX_READERS`] readers named by 64 hex digits, each
/// with a sealed content key of the right length. What the rules require of a private field.
pub fn well_formed(sealed: &Sealed) -> Result<(), &'static str> {
    if sealed.body.len() > MAX_BODY {
        return Err("a sealed value is too long");
    }
    parts(sealed).map_err(|_| "a sealed value's body is malformed")?;
    if sealed.keys.is_empty() || sealed.keys.len() > MAX_READERS {
        return Err("a sealed value has no readers, or too many");
    }
    for (reader, key) in &sealed.keys {
        if Reader::from_hex(reader).is_none() || reader.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err("a sealed value names a reader that is not a key");
        }
        let length = BASE64.decode(key).map_err(|_| "a sealed value's key is malformed")?.len();
        if length != SEALED_KEY && length != EPHEMERAL + SEALED_KEY {
            return Err("a sealed value's key is malformed");
        }
    }
    Ok(())
}

fn parts(sealed: &Sealed) -> Result<([u8; 32], [u8; NONCE], Vec<u8>), CannotOpen> {
    let body = BASE64.decode(&sealed.body).map_err(|_| CannotOpen::Malformed)?;
    if body.len() < EPHEMERAL + NONCE + TAG {
        return Err(CannotOpen::Malformed);
    }
    let ephemeral: [u8; 32] = body[..EPHEMERAL].try_into().map_err(|_| CannotOpen::Malformed)?;
    let nonce: [u8; NONCE] = body[EPHEMERAL..EPHEMERAL + NONCE].try_into().map_err(|_| CannotOpen::Malformed)?;
    Ok((ephemeral, nonce, body[EPHEMERAL + NONCE..].to_vec()))
}

/// The content key, unwrapped with the first of `keys` it was sealed to.
fn content_key(sealed: &Sealed, body_ephemeral: &[u8; 32], keys: &[ReadingKey]) -> Result<[u8; 32], CannotOpen> {
    let mut found = false;
    for key in keys {
        let reader = key.reader();
        let Some(entry) = sealed.keys.get(&reader.to_hex()) else { continue };
        found = true;
        let entry = BASE64.decode(entry).map_err(|_| CannotOpen::Malformed)?;
        let (ephemeral, wrapped) = match entry.len() {
            SEALED_KEY => (*body_ephemeral, &entry[..]),
            n if n == EPHEMERAL + SEALED_KEY => (entry[..EPHEMERAL].try_into().map_err(|_| CannotOpen::Malformed)?, &entry[EPHEMERAL..]),
            _ => return Err(CannotOpen::Malformed),
        };
        let shared = key.agree(&ephemeral);
        let cipher = XChaCha20Poly1305::new(&wrapping_key(&shared, &ephemeral, &reader).into());
        if let Ok(plain) = cipher.decrypt(&XNonce::from([0u8; NONCE]), wrapped) {
            if let Ok(content) = plain.try_into() {
                return Ok(content);
            }
        }
    }
    Err(if found { CannotOpen::Tampered } else { CannotOpen::NotForUs })
}

/// The content key sealed to `reader` with the one-time key `ephemeral`. The wrapping key is
/// used once (a fresh one-time key each value), so its nonce can be fixed.
fn wrap(ephemeral: &ReadingKey, ephemeral_public: &[u8; 32], reader: &Reader, content_key: &[u8; 32]) -> Vec<u8> {
    let shared = ephemeral.agree(&reader.0);
    XChaCha20Poly1305::new(&wrapping_key(&shared, ephemeral_public, reader).into())
        .encrypt(&XNonce::from([0u8; NONCE]), &content_key[..])
        .expect("a 32-byte key always seals")
}

fn wrapping_key(shared: &[u8; 32], ephemeral_public: &[u8; 32], reader: &Reader) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(CONTEXT);
    hash.update(shared);
    hash.update(ephemeral_public);
    hash.update(reader.0);
    hash.finalize().into()
}

/// The readers `sealed` names (those whose names are keys).
pub fn readers(sealed: &Sealed) -> impl Iterator<Item = Reader> + '_ {
    sealed.keys.keys().filter_map(|hex| Reader::from_hex(hex))
}
