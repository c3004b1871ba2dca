//! Opening a space from untrusted bytes (a file, a peer, storage) without letting a malformed
//! document bring the process down.
//!
//! automerge 0.12 can panic on crafted, checksum-valid input. Natively the panic is caught and
//! becomes [`SpaceError::BadBytes`]. In the browser a panic aborts the wasm instance instead;
//! the app then reloads and opens the space from IndexedDB, which holds only chunks that loaded
//! before (see ARCHITECTURE.md).

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{AutoCommit, LoadOptions, OnPartialLoad};

use crate::SpaceError;

/// Loads a whole document strictly (no silently dropped tail), containing any panic.
pub fn load_document(bytes: &[u8]) -> Result<AutoCommit, SpaceError> {
    let strict = LoadOptions::new().on_partial_load(OnPartialLoad::Error);
    match catch_unwind(AssertUnwindSafe(|| AutoCommit::load_with_options(bytes, strict))) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(error)) => Err(SpaceError::BadBytes(error.to_string())),
        Err(_) => Err(SpaceError::BadBytes("automerge panicked on these bytes".into())),
    }
}

/// Merges untrusted bytes (e.g. an imported space file) into `doc`. On any failure `doc` is
/// untouched: the merge happens on a copy first.
pub fn merge_bytes(doc: &mut AutoCommit, bytes: &[u8]) -> Result<(), SpaceError> {
    let mut incoming = load_document(bytes)?;
    let mut copy = doc.clone();
    match catch_unwind(AssertUnwindSafe(|| copy.merge(&mut incoming))) {
        Ok(Ok(_)) => {
            *doc = copy;
            Ok(())
        }
        Ok(Err(error)) => Err(SpaceError::BadBytes(error.to_string())),
        Err(_) => Err(SpaceError::BadBytes("automerge panicked while merging these bytes".into())),
    }
}

/// What importing a space file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Changes the file held that this copy did not.
    pub new_changes: usize,
}

/// Imports a space file (a saved document, e.g. carried on a USB stick) into `doc`: merges, never
/// overwrites, so edits on both sides survive. A file of a different space is refused (its
/// history does not start with this space's first change), as are unreadable bytes; either way
/// `doc` is untouched.
pub fn import_space_file(doc: &mut AutoCommit, bytes: &[u8]) -> Result<Imported, SpaceError> {
    let mut incoming = load_document(bytes)?;
    let roots = |d: &mut AutoCommit| -> Vec<automerge::ChangeHash> { d.get_changes(&[]).iter().filter(|c| c.deps().is_empty()).map(|c| c.hash()).collect() };
    let ours = roots(doc);
    // A crafted document can load and still make Automerge panic when its changes are listed.
    let theirs = catch_unwind(AssertUnwindSafe(|| roots(&mut incoming))).map_err(|_| SpaceError::BadBytes("automerge panicked while reading this file's changes".into()))?;
    if ours.is_empty() || !ours.iter().any(|root| theirs.contains(root)) {
        return Err(SpaceError::Invalid(crate::Invalid::DifferentSpaceFile));
    }
    let before = doc.get_changes(&[]).len();
    merge_bytes(doc, bytes)?;
    Ok(Imported { new_changes: doc.get_changes(&[]).len() - before })
}
