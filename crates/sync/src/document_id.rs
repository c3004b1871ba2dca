//! Document IDs as automerge-repo makes them (bs58check of 16 bytes, `automerge:` URLs), and the certified
//! IDs of protected documents, which commit to their write key.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The ID of one Automerge document, e.g. one community space.
///
/// Knowing the ID is the capability to read the document (automerge-repo's "Rumplestiltskin
/// rule"), so IDs come from 16 random bytes and are never listed by a relay. The string form is
/// the bs58check encoding automerge-repo uses; parsing it checks the checksum and the length, which
/// also makes a parsed ID safe to use as a file name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a document ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentIdError {
    #[error("document ID is not base58")]
    NotBase58,
    #[error("document ID checksum does not match")]
    BadChecksum,
    #[error("document ID holds {0} bytes, expected 16")]
    WrongLength(usize),
}

/// The URL scheme automerge-repo uses for document links.
pub const URL_PREFIX: &str = "automerge:";

impl DocumentId {
    /// Wraps 16 bytes as they are (e.g. an ID read from storage or made in a test).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// A new document's ID from 16 bytes of a cryptographic random source, shaped as a version 4
    /// UUID as automerge-repo makes them (older automerge-repo peers refuse other IDs).
    pub fn new_random(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }

    /// The ID of a new protected document whose write key is `write_public`: it **certifies** the
    /// key (see [`DocumentId::certifies`]), so a peer that has never seen the document can tell
    /// its genuine first change from one planted under the same ID. Still a version 4 UUID, as
    /// automerge-repo peers expect: four fixed bytes mark it, 90 bits come from the key's hash.
    pub fn certified(write_public: &[u8; 32]) -> Self {
        let hash = Sha256::new().chain_update(CERTIFIED_CONTEXT).chain_update(write_public).finalize();
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&CERTIFIED_MARK);
        bytes[4..].copy_from_slice(&hash[..12]);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }

    /// Whether this ID is a certified one (made by [`DocumentId::certified`]): its document must
    /// begin with a first change that sets a write key the ID certifies. A random ID carries the
    /// mark by chance once in four billion.
    pub fn is_certified(&self) -> bool {
        self.0[..4] == CERTIFIED_MARK
    }

    /// Whether this certified ID was made from the write key `write_public` (finding another key
    /// that gives the same ID takes some 2^90 hashes).
    pub fn certifies(&self, write_public: &[u8; 32]) -> bool {
        self.is_certified() && Self::certified(write_public) == *self
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:<id>` URL of this document.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }

    /// Parses `automerge:<id>` (ignoring any `#heads` suffix) or a bare ID.
    pub fn from_url(url: &str) -> Result<Self, DocumentIdError> {
        let bare = url.strip_prefix(URL_PREFIX).unwrap_or(url);
        let bare = bare.split('#').next().unwrap_or(bare);
        bare.parse()
    }

    /// Decodes the binary form some peers send in place of the string (16 raw bytes).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, DocumentIdError> {
        let array: [u8; 16] = bytes.try_into().map_err(|_| DocumentIdError::WrongLength(bytes.len()))?;
        Ok(Self(array))
    }
}

/// The first four bytes of every certified ID.
const CERTIFIED_MARK: [u8; 4] = *b"Lnli";
/// What is hashed with the write key to make a certified ID.
const CERTIFIED_CONTEXT: &[u8] = b"linli-document-v1";

fn checksum(payload: &[u8]) -> [u8; 4] {
    let twice = Sha256::digest(Sha256::digest(payload));
    [twice[0], twice[1], twice[2], twice[3]]
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut with_check = [0u8; 20];
        with_check[..16].copy_from_slice(&self.0);
        with_check[16..].copy_from_slice(&checksum(&self.0));
        f.write_str(&bs58::encode(with_check).into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // 20 bytes of bs58 are at most 28 characters; refuse long input before decoding it.
        if text.len() > 40 {
            return Err(DocumentIdError::WrongLength(text.len()));
        }
        let raw = bs58::decode(text).into_vec().map_err(|_| DocumentIdError::NotBase58)?;
        if raw.len() < 4 {
            return Err(DocumentIdError::WrongLength(raw.len()));
        }
        let (payload, check) = raw.split_at(raw.len() - 4);
        if checksum(payload) != check {
            return Err(DocumentIdError::BadChecksum);
        }
        Self::from_slice(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text_and_url() {
        let id = DocumentId::from_bytes([7; 16]);
        assert_eq!(id.to_string().parse::<DocumentId>(), Ok(id));
        assert_eq!(DocumentId::from_url(&id.url()), Ok(id));
        assert_eq!(DocumentId::from_url(&format!("{}#abc", id.url())), Ok(id));
    }

    #[test]
    fn reads_an_id_made_by_automerge_repo() {
        // Made by `repo.create()` in @automerge/automerge-repo 2.5.
        let id: DocumentId = "2a6gCAmCfUGFFsDYb7gKDWhgF43t".parse().unwrap();
        assert_eq!(id.to_string(), "2a6gCAmCfUGFFsDYb7gKDWhgF43t");
    }

    #[test]
    fn new_ids_are_version_4_uuids() {
        let id = DocumentId::new_random([0xff; 16]);
        assert_eq!(id.as_bytes()[6] >> 4, 4);
        assert_eq!(id.as_bytes()[8] >> 6, 0b10);
        let id = DocumentId::new_random([0; 16]);
        assert_eq!((id.as_bytes()[6], id.as_bytes()[8]), (0x40, 0x80));
    }

    #[test]
    fn a_certified_id_is_a_version_4_uuid_that_certifies_its_key_alone() {
        let id = DocumentId::certified(&[7; 32]);
        assert_eq!(id.as_bytes()[6] >> 4, 4);
        assert_eq!(id.as_bytes()[8] >> 6, 0b10);
        assert!(id.is_certified() && id.certifies(&[7; 32]));
        assert!(!id.certifies(&[8; 32]));
        assert!(!DocumentId::new_random([7; 16]).is_certified());
        assert!(!DocumentId::from_bytes([7; 16]).certifies(&[7; 32]));
    }

    #[test]
    fn refuses_bad_checksums_lengths_and_paths() {
        let good = DocumentId::from_bytes([1; 16]).to_string();
        let mut bad = good.clone().into_bytes();
        bad[3] = if bad[3] == b'2' { b'3' } else { b'2' };
        assert_eq!(String::from_utf8(bad).unwrap().parse::<DocumentId>(), Err(DocumentIdError::BadChecksum));
        assert_eq!("../../etc/passwd".parse::<DocumentId>(), Err(DocumentIdError::NotBase58));
        assert!("".parse::<DocumentId>().is_err());
        assert!("1".repeat(100).parse::<DocumentId>().is_err());
    }
}
