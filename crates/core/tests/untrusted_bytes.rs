//! Fuzzing by mutation (proptest): bytes of a real space, damaged at random, never bring the
//! process down when loaded, read, merged or imported as a space file; and every crasher ever found, kept in
//! `tests/crashers/`, stays contained.

use std::sync::OnceLock;

use automerge::AutoCommit;
use linli_core::*;
use proptest::prelude::*;

/// A space with something of everything, saved.
fn sample() -> &'static (Vec<u8>, Vec<u8>) {
    static SAMPLE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let a = Author { member: MemberId::from_random([1; 8]), session: [1; 8], now: Timestamp(1_000) };
        let id = |n: u8| ItemId::from_random([n; 8]);
        let mut doc = new_space("fuzz", &a);
        let mut e = Editor::new(&mut doc, &a);
        e.join("Ann", "volunteer").unwrap();
        e.post_notice(&id(1), NoticeDraft::new("Water off", "Tuesday 9–12, 停水")).unwrap();
        e.create_pledge(&id(2), PledgeDraft { title: "Quiet".into(), goal: 3, ..Default::default() }).unwrap();
        e.sign_pledge(&id(2), "Ann").unwrap();
        e.create_board(&id(3), "Repairs", &[(id(4), Names::from([("en".into(), "To do".into())]))]).unwrap();
        e.raise_request(&id(5), &id(3), &id(4), "c000000000000002", TaskDraft { title: "Gate".into(), ..Default::default() }, Place::End).unwrap();
        e.comment_on_task(&id(5), &id(6), "on it").unwrap();
        let whole = doc.save();
        let before = doc.get_heads();
        Editor::new(&mut doc, &a).claim_task(&id(5)).unwrap();
        let incremental = doc.save_after(&before);
        (whole, incremental)
    })
}

/// Loading, reading and merging `bytes` may fail, but must return. With `LINLI_FUZZ_SAVE` set,
/// inputs that made Automerge panic (contained) are written to `tests/crashers/` to keep.
fn must_not_crash(bytes: &[u8]) {
    let loaded = load_document(bytes);
    if let Ok(doc) = &loaded {
        let _ = Space::hydrate(doc);
    }
    let mut target = load_document(&sample().0).unwrap();
    let heads = target.get_heads();
    let merged = merge_bytes(&mut target, bytes);
    if merged.is_err() {
        assert_eq!(target.get_heads(), heads, "a failed merge must leave the document as it was");
    }
    // Importing a space file (Settings → Files) checks it is this space, then merges the same way.
    let mut target = load_document(&sample().0).unwrap();
    let heads = target.get_heads();
    if import_space_file(&mut target, bytes).is_err() {
        assert_eq!(target.get_heads(), heads, "a refused import must leave the space as it was");
    }
    let panicked = |r: &Result<_, SpaceError>| matches!(r, Err(SpaceError::BadBytes(m)) if m.contains("panicked"));
    if (panicked(&loaded.map(|_| ())) || panicked(&merged)) && std::env::var_os("LINLI_FUZZ_SAVE").is_some() {
        let name = format!("{}.bin", short_hash(bytes));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers");
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A short name for a crasher file (FNV-1a of its bytes).
fn short_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3));
    format!("{hash:016x}")
}

/// Cases per property: 512 in the test command; set `LINLI_FUZZ_CASES` for a longer hunt.
fn cases() -> u32 {
    std::env::var("LINLI_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Set { at: usize, value: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..8u8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, value)| Mutation::Set { at, value }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1..16usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let n = bytes.len();
        match m {
            Mutation::Flip { at, bit } => bytes[at % n] ^= 1 << bit,
            Mutation::Set { at, value } => bytes[at % n] = *value,
            Mutation::Truncate { at } => bytes.truncate(at % n),
            Mutation::Insert { at, bytes: extra } => {
                let at = at % n;
                bytes.splice(at..at, extra.iter().copied());
            }
            Mutation::Remove { at, len } => {
                let at = at % n;
                bytes.drain(at..(at + len).min(n));
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let piece: Vec<u8> = bytes[at..(at + len).min(n)].to_vec();
                bytes.splice(at..at, piece);
            }
        }
    }
    bytes
}

/// Recomputes the checksum of every Automerge chunk in `bytes` (magic, 4-byte checksum, type,
/// LEB128 length, data), so damage inside a chunk reaches the parser behind the checksum test.
fn fix_checksums(mut bytes: Vec<u8>) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut at = 0;
    while at + 9 <= bytes.len() && bytes[at..at + 4] == [0x85, 0x6f, 0x4a, 0x83] {
        let header = at + 8;
        let (mut len, mut shift, mut cursor) = (0usize, 0, header + 1);
        while cursor < bytes.len() && shift < 63 {
            let byte = bytes[cursor];
            len |= usize::from(byte & 0x7f) << shift;
            cursor += 1;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = cursor.saturating_add(len);
        if end > bytes.len() {
            break;
        }
        let digest = Sha256::digest(&bytes[header..end]);
        bytes[at + 4..at + 8].copy_from_slice(&digest[..4]);
        at = end;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn damaged_whole_documents_never_crash(mutations in prop::collection::vec(mutation(), 1..6)) {
        must_not_crash(&mutate(sample().0.clone(), &mutations));
    }

    #[test]
    fn damaged_incremental_chunks_never_crash(mutations in prop::collection::vec(mutation(), 1..6)) {
        must_not_crash(&mutate(sample().1.clone(), &mutations));
    }

    #[test]
    fn damaged_chunks_with_valid_checksums_never_crash(
        which in any::<bool>(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let original = if which { sample().0.clone() } else { sample().1.clone() };
        let mut bytes = original.clone();
        // Damage only the data of the chunks (past the 8-byte magic and checksum), keeping lengths.
        for (at, value) in flips {
            let n = bytes.len();
            if n > 12 {
                bytes[12 + at % (n - 12)] = value;
            }
        }
        must_not_crash(&fix_checksums(bytes));
    }

    #[test]
    fn random_bytes_never_crash(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        must_not_crash(&bytes);
        let mut with_magic = vec![0x85, 0x6f, 0x4a, 0x83];
        with_magic.extend(bytes);
        must_not_crash(&with_magic);
    }
}

#[test]
fn every_kept_crasher_stays_contained() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashers");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/crashers exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bin") {
            must_not_crash(&std::fs::read(&path).unwrap());
            seen += 1;
        }
    }
    assert!(seen > 0, "the crasher corpus in {} is empty", dir.display());
}

#[test]
fn the_sample_itself_loads() {
    let doc: AutoCommit = load_document(&sample().0).unwrap();
    assert_eq!(Space::hydrate(&doc).unwrap().name, "fuzz");
}
