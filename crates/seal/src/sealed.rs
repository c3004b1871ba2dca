//! Sealing a value to readers, opening it, sealing it to more readers, and checking that a value
//! someone else sealed is well formed (which the rules do without any key).
//!
//! A value's body is its sealer's public key, a random nonce and the ciphertext. The content key
//! is wrapped for each reader under SHA-256(context, the key agreement of sealer and reader, both
//! public keys, the value's nonce): fresh for every value, so its own nonce can be fixed. The
//! sealer is the writer's own reading key (their member key) where they have one, so a reader's
//! key agreement with a writer is the same for every value that writer seals: an [`Opener`]
//! keeps it, and opening a thousand requests from a few residents costs a few key agreements,
//! not a thousand. An entry added later ([`reseal_to`]) carries its own sealer's public key.

use std::cell::RefCell;
use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

pub use linli_model::Sealed;

use crate::keys::{Reader, ReadingKey, random};

/// Most readers one value is sealed to (the raiser, the organisers, a team's keys, and room to
/// share it further).
pub const MAX_READERS: usize = 32;
/// Longest body accepted, in base64 (what a space's rules allow: a private request of 10,000
/// characters in any script).
const MAX_BODY: usize = 80_000;

const SEALER: usize = 32;
const NONCE: usize = 24;
const TAG: usize = 16;
/// A content key wrapped for one reader: the 32-byte key and its tag.
const WRAPPED: usize = 32 + TAG;
const CONTEXT: &[u8] = b"linli-seal-v2";

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

/// Seals `plain`, to be kept at `place` (e.g. `tasks/<id>`), for `readers`, as `sealer` (the
/// writer's own reading key; `None`: a one-time key).
pub fn seal(plain: &[u8], place: &str, sealer: Option<&ReadingKey>, readers: &[Reader]) -> Sealed {
    let one_time;
    let sealer = match sealer {
        Some(key) => key,
        None => {
            one_time = ReadingKey::generate();
            &one_time
        }
    };
    let content_key: [u8; 32] = random();
    let nonce: [u8; NONCE] = random();
    let ciphertext = XChaCha20Poly1305::new(&content_key.into())
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: place.as_bytes() })
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
    let mut body = Vec::with_capacity(SEALER + NONCE + ciphertext.len());
    body.extend_from_slice(&sealer.reader().0);
    body.extend_from_slice(&nonce);
    body.extend_from_slice(&ciphertext);
    let keys = readers.iter().map(|reader| (reader.to_hex(), BASE64.encode(wrap(sealer, reader, &nonce, &content_key)))).collect();
    Sealed { body: BASE64.encode(body), keys }
}

/// Opens `sealed`, kept at `place`, with whichever of `keys` it was sealed to.
pub fn open(sealed: &Sealed, place: &str, keys: &[ReadingKey]) -> Result<Vec<u8>, CannotOpen> {
    Opener::new(keys.to_vec()).open(sealed, place)
}

/// `sealed`, opened with `keys`, sealed also to `more` (the readers it had stay): a team member
/// added after a request was raised, or a team a request is handed to.
pub fn reseal_to(sealed: &Sealed, keys: &[ReadingKey], more: &[Reader]) -> Result<Sealed, CannotOpen> {
    let (body_sealer, nonce, _) = parts(sealed)?;
    let content_key = Opener::new(keys.to_vec()).content_key(sealed, body_sealer, nonce)?;
    let mut out = sealed.clone();
    for reader in more {
        let sealer = ReadingKey::generate();
        let mut entry = sealer.reader().0.to_vec();
        entry.extend_from_slice(&wrap(&sealer, reader, &nonce, &content_key));
        out.keys.insert(reader.to_hex(), BASE64.encode(entry));
    }
    Ok(out)
}

/// Whether `sealed` has the shape of a sealed value, checked without any key: a body of at least
/// the sealer's key, nonce and tag, at most [`MAX_READERS`] readers named by 64 lowercase hex
/// digits, each with a wrapped content key of the right length. What the rules may require.
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
        if length != WRAPPED && length != SEALER + WRAPPED {
            return Err("a sealed value's key is malformed");
        }
    }
    Ok(())
}

/// The readers `sealed` names (those whose names are keys).
pub fn readers(sealed: &Sealed) -> impl Iterator<Item = Reader> + '_ {
    sealed.keys.keys().filter_map(|hex| Reader::from_hex(hex))
}

/// Opens sealed values with a set of keys, keeping each key agreement it makes: values sealed by
/// the same writer to the same key then cost one agreement in all.
#[derive(Debug, Default)]
pub struct Opener {
    keys: Vec<(String, ReadingKey)>,
    agreed: RefCell<HashMap<([u8; 32], [u8; 32]), [u8; 32]>>,
}

impl Opener {
    pub fn new(keys: Vec<ReadingKey>) -> Opener {
        Opener { keys: keys.into_iter().map(|key| (key.reader().to_hex(), key)).collect(), agreed: RefCell::default() }
    }

    pub fn keys(&self) -> impl Iterator<Item = &ReadingKey> {
        self.keys.iter().map(|(_, key)| key)
    }

    /// Opens `sealed`, kept at `place`.
    pub fn open(&self, sealed: &Sealed, place: &str) -> Result<Vec<u8>, CannotOpen> {
        let (sealer, nonce, ciphertext) = parts(sealed)?;
        let content_key = self.content_key(sealed, sealer, nonce)?;
        XChaCha20Poly1305::new(&content_key.into()).decrypt(&XNonce::from(nonce), Payload { msg: &ciphertext, aad: place.as_bytes() }).map_err(|_| CannotOpen::Tampered)
    }

    /// The content key, unwrapped with the first of the keys it was sealed to.
    fn content_key(&self, sealed: &Sealed, body_sealer: [u8; 32], nonce: [u8; NONCE]) -> Result<[u8; 32], CannotOpen> {
        let mut found = false;
        for (hex, key) in &self.keys {
            let Some(entry) = sealed.keys.get(hex) else { continue };
            found = true;
            let entry = BASE64.decode(entry).map_err(|_| CannotOpen::Malformed)?;
            let (sealer, wrapped) = match entry.len() {
                WRAPPED => (body_sealer, &entry[..]),
                n if n == SEALER + WRAPPED => (entry[..SEALER].try_into().map_err(|_| CannotOpen::Malformed)?, &entry[SEALER..]),
                _ => return Err(CannotOpen::Malformed),
            };
            let reader = key.reader();
            let shared = *self.agreed.borrow_mut().entry((reader.0, sealer)).or_insert_with(|| key.agree(&sealer));
            let cipher = XChaCha20Poly1305::new(&wrapping_key(&shared, &sealer, &reader, &nonce).into());
            if let Ok(plain) = cipher.decrypt(&XNonce::from([0u8; NONCE]), wrapped)
                && let Ok(content) = plain.try_into()
            {
                return Ok(content);
            }
        }
        Err(if found { CannotOpen::Tampered } else { CannotOpen::NotForUs })
    }
}

fn parts(sealed: &Sealed) -> Result<([u8; 32], [u8; NONCE], Vec<u8>), CannotOpen> {
    let body = BASE64.decode(&sealed.body).map_err(|_| CannotOpen::Malformed)?;
    if body.len() < SEALER + NONCE + TAG {
        return Err(CannotOpen::Malformed);
    }
    let sealer: [u8; 32] = body[..SEALER].try_into().map_err(|_| CannotOpen::Malformed)?;
    let nonce: [u8; NONCE] = body[SEALER..SEALER + NONCE].try_into().map_err(|_| CannotOpen::Malformed)?;
    Ok((sealer, nonce, body[SEALER + NONCE..].to_vec()))
}

/// The content key wrapped for `reader` by `sealer`.
fn wrap(sealer: &ReadingKey, reader: &Reader, nonce: &[u8; NONCE], content_key: &[u8; 32]) -> Vec<u8> {
    let shared = sealer.agree(&reader.0);
    XChaCha20Poly1305::new(&wrapping_key(&shared, &sealer.reader().0, reader, nonce).into())
        .encrypt(&XNonce::from([0u8; NONCE]), &content_key[..])
        .expect("a 32-byte key always seals")
}

/// Fresh for every value (its nonce is in it), so the wrapping's own nonce can be fixed.
fn wrapping_key(shared: &[u8; 32], sealer: &[u8; 32], reader: &Reader, nonce: &[u8; NONCE]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(CONTEXT);
    hash.update(shared);
    hash.update(sealer);
    hash.update(reader.0);
    hash.update(nonce);
    hash.finalize().into()
}
