//! Proof, on an ephemeral message, that its sender holds a link that lets them take part in the
//! space (a take-part or an edit link): the payload signed with the space's take-part key.
//!
//! Ephemeral messages reach every peer that has the document, a view link's holder included (a
//! kiosk's QR code, a poster photographed). A device asked to open a direct (WebRTC) link answers
//! only a proven hello, offer or answer, so a passer-by who scanned a view link cannot open a
//! channel to a kiosk or a resident's phone. The signature covers the document's ID and the whole
//! payload (for an offer or answer, its session description, whose DTLS fingerprint only the
//! maker's connection can complete), so a proof copied from one message fits no other.
//!
//! Format: `LnliPrf1` ‖ signature (64 bytes) ‖ payload. A message without the prefix is unproven.

use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};

use crate::DocumentId;
use crate::take_part_key::TakePartKey;

const PREFIX: &[u8; 8] = b"LnliPrf1";
const CONTEXT: &[u8] = b"linli-link-proof-v1";

fn signed(document_id: &DocumentId, payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(CONTEXT.len() + 16 + payload.len());
    message.extend_from_slice(CONTEXT);
    message.extend_from_slice(document_id.as_bytes());
    message.extend_from_slice(payload);
    message
}

/// `payload` with a proof that its sender holds `key`, the take-part key of `document_id`.
pub fn prove(document_id: &DocumentId, key: &TakePartKey, payload: &[u8]) -> Vec<u8> {
    let signature = key.signing_key().sign(&signed(document_id, payload));
    let mut out = Vec::with_capacity(PREFIX.len() + 64 + payload.len());
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(&signature.to_bytes());
    out.extend_from_slice(payload);
    out
}

/// What an ephemeral message carries, and whether its sender proved they may take part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub payload: Vec<u8>,
    pub proven: bool,
}

/// Opens `data` received about `document_id`, whose take-part key is `take_part` (none: the
/// space has no take-part key, and nothing is proven).
pub fn open(document_id: &DocumentId, take_part: Option<[u8; 32]>, data: &[u8]) -> Opened {
    let Some(rest) = data.strip_prefix(PREFIX.as_slice()) else { return Opened { payload: data.to_vec(), proven: false } };
    let Some((signature, payload)) = rest.split_first_chunk::<64>() else { return Opened { payload: Vec::new(), proven: false } };
    let proven =
        take_part.and_then(|public| VerifyingKey::from_bytes(&public).ok()).is_some_and(|key| key.verify(&signed(document_id, payload), &Signature::from_bytes(signature)).is_ok());
    Opened { payload: payload.to_vec(), proven }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACE: DocumentId = DocumentId::from_bytes([1; 16]);

    #[test]
    fn a_proof_holds_for_its_space_its_key_and_its_payload_only() {
        let key = TakePartKey::from_seed([2; 32]);
        let proven = prove(&SPACE, &key, b"hello");
        assert_eq!(open(&SPACE, Some(key.public()), &proven), Opened { payload: b"hello".to_vec(), proven: true });
        // Another key (a stopped take-part link), another space, no key in the space.
        assert!(!open(&SPACE, Some(TakePartKey::from_seed([3; 32]).public()), &proven).proven);
        assert!(!open(&DocumentId::from_bytes([4; 16]), Some(key.public()), &proven).proven);
        assert!(!open(&SPACE, None, &proven).proven);
        // The proof moved to another payload.
        let mut moved = proven[..8 + 64].to_vec();
        moved.extend_from_slice(b"offer with my own description");
        assert!(!open(&SPACE, Some(key.public()), &moved).proven);
        // A key made up by the sender proves nothing.
        let made_up = TakePartKey::from_seed([5; 32]);
        assert!(!open(&SPACE, Some(key.public()), &prove(&SPACE, &made_up, b"hello")).proven);
    }

    #[test]
    fn an_unproven_or_cut_message_is_read_as_unproven() {
        let key = TakePartKey::from_seed([2; 32]);
        assert_eq!(open(&SPACE, Some(key.public()), b"plain"), Opened { payload: b"plain".to_vec(), proven: false });
        let proven = prove(&SPACE, &key, b"hello");
        for cut in 0..proven.len() {
            assert!(!open(&SPACE, Some(key.public()), &proven[..cut]).proven, "cut at {cut}");
        }
    }
}
