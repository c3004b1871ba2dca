//! The errors of the space model.

use crate::ItemId;

/// Why a space document could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum SpaceError {
    /// The document is not a Linli space, or a field has the wrong type (an odd or hostile peer).
    #[error("this document is not a readable Linli space: {0}")]
    Unreadable(#[from] autosurgeon::HydrateError),
    /// A newer Linli wrote this space; this version must not guess at what it means.
    #[error("this space was made by a newer Linli (schema {found}, this version reads up to {supported})")]
    NewerSchema { found: u64, supported: u64 },
    #[error("no notice {0} in this space")]
    NoSuchNotice(ItemId),
    #[error("a notice needs a title")]
    EmptyTitle,
    /// Writing to the Automerge document failed.
    #[error("could not write to the space: {0}")]
    Write(#[from] autosurgeon::ReconcileError),
    #[error("could not write to the space: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}
