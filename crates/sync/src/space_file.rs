//! A document as one file, with the signatures that vouch for its changes: what a `.linli` file
//! on a USB stick holds, so that a protected space carried by hand is admitted like one that
//! came over the network (every change judged on its own signatures, by whoever imports it).
//!
//! The file is a CBOR map `{"linliFile": 1, "document": <saved Automerge document>,
//! "changeSignatures": [<96 bytes>…], "memberSignatures": [<128 or 192 bytes>…],
//! "homeReceipts": [<96 bytes>…]}` (the home relay's receipts, see `home_relay`; absent from
//! older files). A file that is a bare saved document (an older Linli's, or another tool's) reads
//! as one without signatures.

use minicbor::{Decoder, Encoder};

use crate::capability::ChangeSignature;
use crate::home_relay::Receipt;
use crate::member_key::MemberSignature;

const MARKER: &str = "linliFile";
/// The first bytes of every saved Automerge document.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceFile {
    pub document: Vec<u8>,
    pub signatures: Vec<ChangeSignature>,
    pub member_signatures: Vec<MemberSignature>,
    pub receipts: Vec<Receipt>,
}

impl SpaceFile {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.document.len() + 64 + self.signatures.len() * 100 + self.member_signatures.len() * 200);
        let mut e = Encoder::new(&mut out);
        let written: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.map(5)?;
            e.str(MARKER)?.u8(1)?;
            e.str("document")?.bytes(&self.document)?;
            e.str("changeSignatures")?.array(self.signatures.len() as u64)?;
            for signature in &self.signatures {
                e.bytes(&signature.to_bytes())?;
            }
            e.str("memberSignatures")?.array(self.member_signatures.len() as u64)?;
            for signature in &self.member_signatures {
                e.bytes(&signature.to_wire())?;
            }
            e.str("homeReceipts")?.array(self.receipts.len() as u64)?;
            for receipt in &self.receipts {
                e.bytes(&receipt.to_bytes())?;
            }
            Ok(())
        })();
        written.expect("writing to a Vec cannot fail");
        out
    }

    /// Reads a file; `Err` says, in words, what is wrong with it. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<SpaceFile, String> {
        if bytes.starts_with(&AUTOMERGE_MAGIC) {
            return Ok(SpaceFile { document: bytes.to_vec(), ..SpaceFile::default() });
        }
        read(bytes).ok_or_else(|| "this is not a Linli space file".to_owned())
    }
}

fn read(bytes: &[u8]) -> Option<SpaceFile> {
    let mut d = Decoder::new(bytes);
    let entries = d.map().ok()??;
    let mut file = SpaceFile::default();
    let mut marked = false;
    for _ in 0..entries {
        match d.str().ok()? {
            MARKER => marked = d.u8().ok()? == 1,
            "document" => file.document = d.bytes().ok()?.to_vec(),
            "changeSignatures" => {
                for _ in 0..d.array().ok()?? {
                    file.signatures.push(ChangeSignature::from_bytes(d.bytes().ok()?)?);
                }
            }
            "memberSignatures" => {
                for _ in 0..d.array().ok()?? {
                    file.member_signatures.push(MemberSignature::from_wire(d.bytes().ok()?)?);
                }
            }
            "homeReceipts" => {
                for _ in 0..d.array().ok()?? {
                    file.receipts.push(Receipt::from_bytes(d.bytes().ok()?)?);
                }
            }
            _ => d.skip().ok()?,
        }
    }
    (marked && d.position() == bytes.len()).then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::WriteKey;
    use crate::member_key::MemberKey;

    #[test]
    fn a_file_reads_back_and_a_bare_document_reads_as_one_without_signatures() {
        let hash = automerge::ChangeHash([3; 32]);
        let file = SpaceFile {
            document: AUTOMERGE_MAGIC.iter().copied().chain([1, 2, 3]).collect(),
            signatures: vec![WriteKey::from_seed([1; 32]).sign(hash)],
            member_signatures: vec![MemberKey::from_seed([2; 32]).sign(hash, None)],
            receipts: vec![crate::home_relay::RelayKey::from_seed([4; 32]).receipt(hash)],
        };
        assert_eq!(SpaceFile::decode(&file.encode()), Ok(file.clone()));
        let bare = SpaceFile::decode(&file.document).unwrap();
        assert_eq!(bare.document, file.document);
        assert!(bare.signatures.is_empty() && bare.member_signatures.is_empty() && bare.receipts.is_empty());
        assert!(SpaceFile::decode(b"hello").is_err());
        assert!(SpaceFile::decode(&file.encode()[..20]).is_err(), "a cut file is refused, not read in part");
    }
}
