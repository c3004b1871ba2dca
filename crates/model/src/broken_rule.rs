//! Which kind of rule a change broke, when a space's rules refused it (on this device before it
//! was kept, or on a peer): what the page tells the resident, in their language, instead of the
//! rule's own English words (kept for the log).

use serde::{Deserialize, Serialize};

/// The kind of rule a refused change broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BrokenRule {
    /// The times a resident writes must be when the change was made: this device's clock is off.
    DeviceClock,
    /// Only the organisers change this part of the space.
    OrganisersOnly,
    /// A member writes only in their own name: their entry, signature, vote, request, comment.
    OthersEntry,
    /// The consultation's voting has closed.
    VotingClosed,
    /// The change is larger than one change may be.
    TooLarge,
    /// A resident gives their name (joins) before taking part.
    JoinFirst,
    /// What was written stays: comments, items and residents' entries are added, not removed.
    NeverRemoved,
    /// A private request's words go sealed, and only its readers comment on it.
    Private,
    /// The relay holds the change back: too many joined through the take-part link this minute.
    JoinsThisMinute,
    /// … too many joined through it today.
    JoinsToday,
    /// … this device sent more today than a resident may.
    DeviceToday,
    /// … the residents of the take-part link together sent more today than it allows.
    LinkToday,
    /// The change is signed with no key of the space: the device's link was stopped (or it
    /// holds a view link).
    LinkStopped,
    /// Anything else: a change Linli's screens do not make.
    Other,
}

/// What a relay says when it holds a resident's change back for now (`crates/relay`'s take-part
/// limits): the device keeps the change and sends it again.
pub mod held_back {
    /// Too many joined through the take-part link in the last minute.
    pub const TOO_MANY_JOINS: &str = "too many people joined this space through its take-part link in the last minute; this device keeps the change and sends it again shortly";
    /// … today.
    pub const TOO_MANY_JOINS_TODAY: &str = "too many people joined this space through its take-part link today; this device keeps the change and sends it again later";
    /// One member wrote more than a resident may in a day.
    pub const TOO_MUCH_TODAY: &str = "this device has sent more to this space today than a resident may; it keeps the change and sends it again tomorrow";
    /// The residents of one take-part link together wrote more than they may in a day.
    pub const LINK_TOO_BUSY: &str = "residents have sent more to this space today than its take-part link allows; this device keeps the change and sends it again later";
}

impl BrokenRule {
    /// Every kind, for the test that each is said in every language.
    pub const ALL: &[BrokenRule] = &[
        BrokenRule::DeviceClock,
        BrokenRule::OrganisersOnly,
        BrokenRule::OthersEntry,
        BrokenRule::VotingClosed,
        BrokenRule::TooLarge,
        BrokenRule::JoinFirst,
        BrokenRule::NeverRemoved,
        BrokenRule::Private,
        BrokenRule::JoinsThisMinute,
        BrokenRule::JoinsToday,
        BrokenRule::DeviceToday,
        BrokenRule::LinkToday,
        BrokenRule::LinkStopped,
        BrokenRule::Other,
    ];

    /// Its name in `locales/errors/`.
    pub fn key(self) -> &'static str {
        match self {
            BrokenRule::DeviceClock => "rule_device_clock",
            BrokenRule::OrganisersOnly => "rule_organisers_only",
            BrokenRule::OthersEntry => "rule_others_entry",
            BrokenRule::VotingClosed => "rule_voting_closed",
            BrokenRule::TooLarge => "rule_too_large",
            BrokenRule::JoinFirst => "rule_join_first",
            BrokenRule::NeverRemoved => "rule_never_removed",
            BrokenRule::Private => "rule_private",
            BrokenRule::JoinsThisMinute => "held_back_joins_this_minute",
            BrokenRule::JoinsToday => "held_back_joins_today",
            BrokenRule::DeviceToday => "held_back_device_today",
            BrokenRule::LinkToday => "held_back_link_today",
            BrokenRule::LinkStopped => "rule_link_stopped",
            BrokenRule::Other => "rule_other",
        }
    }
}
