//! What went wrong, as the engine says it to the page (and as the page's direct links for the
//! engine fail): values, never sentences. The page says
//! each in the reader's language from `locales/errors/` (by [`EngineError::key`], filling in
//! [`EngineError::args`]); what only a bug report needs (`detail`) goes to the console.

use linli_model::{BrokenRule, Invalid};
use serde::{Deserialize, Serialize};

/// Why the engine did not do what the page asked (or cannot show a space).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngineError {
    /// The editor's checks found the edit wrong (an empty name, a closed consultation…).
    Invalid(Invalid),
    /// The space's rules refused the change, here or on a peer; it was not kept. `detail`: the
    /// rule's own words.
    Refused { rule: BrokenRule, detail: String },
    /// The pledge no longer takes signatures.
    ClosedForSigning,
    /// An item the edit is about is not in the space (or has not arrived yet).
    ItemNotFound,
    /// An item with this ID is in the space already.
    ItemExists,
    /// This device holds a view link: it reads the space and does not change it.
    ViewOnly,
    /// The space is not open on this device yet.
    NotOpenYet,
    /// Neither this device nor any peer it reached has the space.
    SpaceNotFound,
    /// What names the space is not a space's ID.
    NotASpaceId,
    /// The document is not a Linli space.
    NotASpace,
    /// The document is not a link between two spaces.
    NotALink,
    /// A newer Linli made the space; this one does not guess at what it means.
    NewerSchema { found: u64, supported: u64 },
    /// Part of the space could not be read or written on this device. `detail`: what failed.
    Damaged { detail: String },
    /// The file is not a readable space file. `detail`: why.
    BadFile { detail: String },
    /// The file holds another space.
    DifferentSpace,
    /// Linking spaces is an organiser's (the edit link's holder's).
    OrganisersOnly,
    /// The text is not a Linli invitation.
    NotAnInvitation,
    /// The invitation is damaged (cut short, or changed).
    InvitationDamaged,
    /// This space has this link already.
    AlreadyLinked,
    /// The invitation's link did not arrive from its relay (`relay`; empty: this space's own) in
    /// time.
    InvitationNotArrived { relay: String },
    /// The invitation's link could not be read.
    InvitationUnreadable,
    /// The invitation linked a space already: each links one.
    InvitationUsed,
    /// The request is not in the space.
    NoSuchRequest,
    /// Only a resident's request is escalated.
    NotARequest,
    /// This device cannot open the private request to send its words on.
    CannotSendPrivateWords,
    /// The space has no such link.
    NoSuchLink,
    /// The link has not arrived yet.
    LinkNotArrived,
    /// Only the upper space answers escalations.
    UpperSpaceOnly,
    /// Only the lower space escalates and chooses what it shares.
    LowerSpaceOnly,
    /// The engine stopped after an error and has started again: try once more.
    EngineRestarted,
    /// The engine stopped.
    EngineStopped,
    /// This browser makes no direct (WebRTC) connections.
    DirectUnavailable,
    /// The pasted text is not a direct connection's invitation or answer.
    NotADirectInvitation,
    /// An answer was pasted and no invitation from this device waits for one.
    NoInvitationWaiting,
    /// The direct connection could not be made. `detail`: the step that failed.
    DirectFailed { detail: String },
    /// The engine answered with another kind of answer than the request's (a bug).
    UnexpectedAnswer,
}

impl EngineError {
    /// Its name in `locales/errors/` (an [`Invalid`]'s or a [`BrokenRule`]'s own).
    pub fn key(&self) -> &'static str {
        match self {
            EngineError::Invalid(invalid) => invalid.key(),
            EngineError::Refused { rule, .. } => rule.key(),
            EngineError::ClosedForSigning => "closed_for_signing",
            EngineError::ItemNotFound => "item_not_found",
            EngineError::ItemExists => "item_exists",
            EngineError::ViewOnly => "view_only",
            EngineError::NotOpenYet => "not_open_yet",
            EngineError::SpaceNotFound => "space_not_found",
            EngineError::NotASpaceId => "not_a_space_id",
            EngineError::NotASpace => "not_a_space",
            EngineError::NotALink => "not_a_link",
            EngineError::NewerSchema { .. } => "newer_schema",
            EngineError::Damaged { .. } => "damaged",
            EngineError::BadFile { .. } => "bad_file",
            EngineError::DifferentSpace => "different_space",
            EngineError::OrganisersOnly => "organisers_only",
            EngineError::NotAnInvitation => "not_an_invitation",
            EngineError::InvitationDamaged => "invitation_damaged",
            EngineError::AlreadyLinked => "already_linked",
            EngineError::InvitationNotArrived { relay } if relay.is_empty() => "invitation_not_arrived_here",
            EngineError::InvitationNotArrived { .. } => "invitation_not_arrived",
            EngineError::InvitationUnreadable => "invitation_unreadable",
            EngineError::InvitationUsed => "invitation_used",
            EngineError::NoSuchRequest => "no_such_request",
            EngineError::NotARequest => "only_requests_escalate",
            EngineError::CannotSendPrivateWords => "cannot_send_private_words",
            EngineError::NoSuchLink => "no_such_link",
            EngineError::LinkNotArrived => "link_not_arrived",
            EngineError::UpperSpaceOnly => "upper_space_only",
            EngineError::LowerSpaceOnly => "lower_space_only",
            EngineError::EngineRestarted => "engine_restarted",
            EngineError::EngineStopped => "engine_stopped",
            EngineError::DirectUnavailable => "direct_unavailable",
            EngineError::NotADirectInvitation => "not_a_direct_invitation",
            EngineError::NoInvitationWaiting => "no_invitation_waiting",
            EngineError::DirectFailed { .. } => "direct_failed",
            EngineError::UnexpectedAnswer => "unexpected_answer",
        }
    }

    /// What fills the sentence's `{name}`s.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            EngineError::NewerSchema { found, supported } => vec![("found", found.to_string()), ("supported", supported.to_string())],
            EngineError::InvitationNotArrived { relay } if !relay.is_empty() => vec![("relay", relay.clone())],
            _ => Vec::new(),
        }
    }

    /// What only a bug report needs (the console has it; the screen does not show it).
    pub fn detail(&self) -> Option<&str> {
        match self {
            EngineError::Refused { detail, .. } | EngineError::Damaged { detail } | EngineError::BadFile { detail } | EngineError::DirectFailed { detail } => Some(detail),
            _ => None,
        }
    }

    /// One of every kind (every [`Invalid`] and [`BrokenRule`] among them), for the test that
    /// each is said in every language.
    pub fn every_kind() -> Vec<EngineError> {
        let detail = String::new;
        let mut all: Vec<EngineError> = Invalid::ALL.iter().map(|i| EngineError::Invalid(*i)).collect();
        all.extend(BrokenRule::ALL.iter().map(|rule| EngineError::Refused { rule: *rule, detail: detail() }));
        all.extend([
            EngineError::ClosedForSigning,
            EngineError::ItemNotFound,
            EngineError::ItemExists,
            EngineError::ViewOnly,
            EngineError::NotOpenYet,
            EngineError::SpaceNotFound,
            EngineError::NotASpaceId,
            EngineError::NotASpace,
            EngineError::NotALink,
            EngineError::NewerSchema { found: 9, supported: 8 },
            EngineError::Damaged { detail: detail() },
            EngineError::BadFile { detail: detail() },
            EngineError::DifferentSpace,
            EngineError::OrganisersOnly,
            EngineError::NotAnInvitation,
            EngineError::InvitationDamaged,
            EngineError::AlreadyLinked,
            EngineError::InvitationNotArrived { relay: String::new() },
            EngineError::InvitationNotArrived { relay: "wss://relay.example".into() },
            EngineError::InvitationUnreadable,
            EngineError::InvitationUsed,
            EngineError::NoSuchRequest,
            EngineError::NotARequest,
            EngineError::CannotSendPrivateWords,
            EngineError::NoSuchLink,
            EngineError::LinkNotArrived,
            EngineError::UpperSpaceOnly,
            EngineError::LowerSpaceOnly,
            EngineError::EngineRestarted,
            EngineError::EngineStopped,
            EngineError::DirectUnavailable,
            EngineError::NotADirectInvitation,
            EngineError::NoInvitationWaiting,
            EngineError::DirectFailed { detail: detail() },
            EngineError::UnexpectedAnswer,
        ]);
        // A kind added to the enum fails to compile here until it is listed above too.
        for error in &all {
            match error {
                EngineError::Invalid(_)
                | EngineError::Refused { .. }
                | EngineError::ClosedForSigning
                | EngineError::ItemNotFound
                | EngineError::ItemExists
                | EngineError::ViewOnly
                | EngineError::NotOpenYet
                | EngineError::SpaceNotFound
                | EngineError::NotASpaceId
                | EngineError::NotASpace
                | EngineError::NotALink
                | EngineError::NewerSchema { .. }
                | EngineError::Damaged { .. }
                | EngineError::BadFile { .. }
                | EngineError::DifferentSpace
                | EngineError::OrganisersOnly
                | EngineError::NotAnInvitation
                | EngineError::InvitationDamaged
                | EngineError::AlreadyLinked
                | EngineError::InvitationNotArrived { .. }
                | EngineError::InvitationUnreadable
                | EngineError::InvitationUsed
                | EngineError::NoSuchRequest
                | EngineError::NotARequest
                | EngineError::CannotSendPrivateWords
                | EngineError::NoSuchLink
                | EngineError::LinkNotArrived
                | EngineError::UpperSpaceOnly
                | EngineError::LowerSpaceOnly
                | EngineError::EngineRestarted
                | EngineError::EngineStopped
                | EngineError::DirectUnavailable
                | EngineError::NotADirectInvitation
                | EngineError::NoInvitationWaiting
                | EngineError::DirectFailed { .. }
                | EngineError::UnexpectedAnswer => {}
            }
        }
        all
    }
}

impl std::fmt::Display for EngineError {
    /// For logs: the key, and the detail if there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self, self.detail()) {
            (EngineError::Invalid(invalid), _) => write!(f, "{invalid}"),
            (_, Some(detail)) => write!(f, "{}: {detail}", self.key()),
            _ => f.write_str(self.key()),
        }
    }
}
