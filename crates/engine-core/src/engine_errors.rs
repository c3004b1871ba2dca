//! The engine's failures as the values the page says in the reader's language
//! ([`EngineError`]): the editor's ([`SpaceError`]) and the repo's ([`RepoError`]).

use linli_core::SpaceError;
use linli_sync::RepoError;
use linli_view::EngineError;

/// An edit the editor did not make, or a space it could not read.
pub(crate) fn from_space(error: SpaceError) -> EngineError {
    match error {
        SpaceError::Invalid(invalid) => EngineError::Invalid(invalid),
        SpaceError::ClosedForSigning => EngineError::ClosedForSigning,
        SpaceError::UpperSpaceOnly => EngineError::UpperSpaceOnly,
        SpaceError::LowerSpaceOnly => EngineError::LowerSpaceOnly,
        SpaceError::NotFound { .. } => EngineError::ItemNotFound,
        SpaceError::AlreadyExists { .. } => EngineError::ItemExists,
        SpaceError::NotASpace => EngineError::NotASpace,
        SpaceError::NotALink => EngineError::NotALink,
        SpaceError::NewerSchema { found, supported } => EngineError::NewerSchema { found, supported },
        SpaceError::BadBytes(detail) => EngineError::BadFile { detail },
        other @ (SpaceError::Unreadable(_) | SpaceError::Write(_) | SpaceError::Automerge(_)) => EngineError::Damaged { detail: other.to_string() },
    }
}

/// The kind of rule a refusal (here or from a peer, as text) names: the space's rules' (core's
/// sorting), or the sync layer's for a change signed with no key of the space.
pub(crate) fn rule_of(reason: &str) -> linli_model::BrokenRule {
    if reason.ends_with(linli_sync::NOT_SIGNED) { linli_model::BrokenRule::LinkStopped } else { linli_core::participation::broken_rule(reason) }
}

/// What the repo would not do: a change the rules refused, a space not open here…
pub(crate) fn from_repo(error: RepoError) -> EngineError {
    match error {
        RepoError::ViewOnly(_) => EngineError::ViewOnly,
        RepoError::NotOpen(_) | RepoError::StillLoading(_) => EngineError::NotOpenYet,
        RepoError::Refused(detail) => EngineError::Refused { rule: rule_of(&detail), detail },
        RepoError::BadFile(detail) => EngineError::BadFile { detail },
        RepoError::DifferentDocument => EngineError::DifferentSpace,
    }
}
