//! Splits bytes that hold several Automerge storage chunks one after another into those chunks.
//!
//! A sync message in Automerge's second format carries its changes as one entry of concatenated
//! change chunks, which `Change::from_bytes` refuses ("leftover data"). Admission must see each
//! change (to judge it, and to hold back one whose dependencies are missing), so it splits first.
//! A chunk is: 4 magic bytes, a 4-byte checksum, a 1-byte type, its length as unsigned LEB128,
//! then that many bytes.

/// The kind of a storage chunk, from its type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkType {
    /// A whole or partial saved document (or a bundle of changes): loaded as a document.
    Document,
    /// One change, compressed or not.
    Change,
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// The chunks in `bytes`, in order, each with its type. An error names what is malformed.
pub(crate) fn split(bytes: &[u8]) -> Result<Vec<(ChunkType, &[u8])>, String> {
    let mut chunks = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.len() < 9 || rest[..4] != MAGIC {
            return Err("not an Automerge chunk (bad magic bytes)".to_owned());
        }
        let kind = match rest[8] {
            1 | 2 => ChunkType::Change,
            0 | 3 => ChunkType::Document,
            other => return Err(format!("unknown Automerge chunk type {other}")),
        };
        let (length, length_bytes) = uleb128(&rest[9..]).ok_or("a chunk's length is malformed")?;
        let end = usize::try_from(length).ok().and_then(|l| l.checked_add(9 + length_bytes)).filter(|end| *end <= rest.len()).ok_or("a chunk is cut short")?;
        chunks.push((kind, &rest[..end]));
        rest = &rest[end..];
    }
    Ok(chunks)
}

/// An unsigned LEB128 number at the start of `bytes`, and how many bytes it took.
fn uleb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7f);
        let shift = 7 * index as u32;
        if shift == 63 && bits > 1 {
            return None;
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn two_changes() -> (Vec<u8>, Vec<u8>) {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).expect("put");
        doc.commit();
        doc.put(ROOT, "b", "a longer value to make the second chunk differ in size").expect("put");
        doc.commit();
        let mut changes = doc.get_changes(&[]).into_iter().map(|c| c.raw_bytes().to_vec());
        (changes.next().expect("first"), changes.next().expect("second"))
    }

    #[test]
    fn concatenated_changes_split_back_into_each_change() {
        let (first, second) = two_changes();
        let joined = [first.clone(), second.clone()].concat();
        let chunks = split(&joined).expect("well formed");
        assert_eq!(chunks, vec![(ChunkType::Change, first.as_slice()), (ChunkType::Change, second.as_slice())]);
    }

    #[test]
    fn a_saved_document_is_one_document_chunk() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).expect("put");
        let saved = doc.save();
        let chunks = split(&saved).expect("well formed");
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].0, ChunkType::Document);
    }

    #[test]
    fn cut_or_foreign_bytes_are_an_error_not_a_panic() {
        let (first, _) = two_changes();
        assert!(split(&first[..first.len() - 1]).is_err());
        assert!(split(b"hello world").is_err());
        let mut huge = first[..9].to_vec();
        huge.extend([0xff; 11]);
        assert!(split(&huge).is_err());
    }
}
