//! The errors of the space model.

/// Why a space document could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum SpaceError {
    /// The document has no `schema`: it is not a Linli space (or not yet synced).
    #[error("this document is not a Linli space")]
    NotASpace,
    /// The document is not a link between two spaces (or not yet synced).
    #[error("this document is not a link between spaces")]
    NotALink,
    /// A newer Linli wrote this space; this version must not guess at what it means.
    #[error("this space was made by a newer Linli (schema {found}, this version reads up to {supported})")]
    NewerSchema { found: u64, supported: u64 },
    /// The bytes are not an Automerge document (or Automerge failed on them).
    #[error("these bytes are not a readable space: {0}")]
    BadBytes(String),
    /// An item the operation needs is not in the space.
    #[error("no {kind} {id} in this space")]
    NotFound { kind: &'static str, id: String },
    /// An item with this ID is already in the space; creating it again would overwrite it.
    #[error("there is already a {kind} {id} in this space")]
    AlreadyExists { kind: &'static str, id: String },
    /// A value the operation was given is not acceptable.
    #[error("{0}")]
    Invalid(crate::Invalid),
    /// A change to a link only the upper space may make.
    #[error("only the space above may make this change to the link")]
    UpperSpaceOnly,
    /// A change to a link only the lower space may make.
    #[error("only the space below may make this change to the link")]
    LowerSpaceOnly,
    /// The pledge no longer takes signatures.
    #[error("this pledge is closed for signing")]
    ClosedForSigning,
    /// An item in the document has fields of the wrong type (an odd or hostile peer wrote it).
    #[error("part of this space is unreadable: {0}")]
    Unreadable(#[from] autosurgeon::HydrateError),
    /// Writing to the Automerge document failed.
    #[error("could not write to the space: {0}")]
    Write(#[from] autosurgeon::ReconcileError),
    #[error("could not read or write the space: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}
