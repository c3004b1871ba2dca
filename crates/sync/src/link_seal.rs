//! Keys to a link document, kept in a space's own document where only its organisers can open
//! them: the seed XOR SHA-256(context, the space's write seed, the link document's ID), written as
//! 64 hex digits. Any organiser of the space (any holder of its write key) opens it; a resident,
//! a view link or a relay reads only noise. Moving the space's write key seals it again.

use sha2::{Digest, Sha256};

use crate::DocumentId;
use crate::capability::WriteKey;

const CONTEXT: &[u8] = b"linli-link-seal-v1";

fn pad(space_write: &WriteKey, link: &DocumentId) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(CONTEXT);
    hash.update(space_write.seed());
    hash.update(link.as_bytes());
    hash.finalize().into()
}

/// Seals `seed` (this side's key to the link document `link`) under the space's write key.
pub fn seal(seed: [u8; 32], space_write: &WriteKey, link: &DocumentId) -> String {
    let pad = pad(space_write, link);
    seed.iter().zip(pad).map(|(s, p)| format!("{:02x}", s ^ p)).collect()
}

/// Opens what [`seal`] wrote; `None` if it is not 64 hex digits. (Under another write key it opens
/// to a wrong seed: compare the key's public half with the one the link document names.)
pub fn unseal(sealed: &str, space_write: &WriteKey, link: &DocumentId) -> Option<[u8; 32]> {
    if sealed.len() != 64 || !sealed.is_ascii() {
        return None;
    }
    let pad = pad(space_write, link);
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&sealed[2 * i..2 * i + 2], 16).ok()? ^ pad[i];
    }
    Some(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_space_write_key_opens_a_sealed_link_key() {
        let write = WriteKey::from_seed([1; 32]);
        let link = DocumentId::from_bytes([9; 16]);
        let sealed = seal([7; 32], &write, &link);
        assert_eq!(sealed.len(), 64);
        assert_eq!(unseal(&sealed, &write, &link), Some([7; 32]));
        assert_ne!(unseal(&sealed, &WriteKey::from_seed([2; 32]), &link), Some([7; 32]));
        assert_ne!(unseal(&sealed, &write, &DocumentId::from_bytes([8; 16])), Some([7; 32]));
        assert_eq!(unseal("zz", &write, &link), None);
        assert_eq!(unseal(&"é".repeat(32), &write, &link), None);
    }
}
