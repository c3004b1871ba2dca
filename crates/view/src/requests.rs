//! The page's requests, one type each, and what each resolves to: [`Ask`] pairs a request with
//! its answer's type, so the page gets that type back and the engine can only answer with it.
//! Across the worker boundary they travel as one [`Request`] enum down and one [`Reply`] enum up;
//! which reply answers which request is written here alone.

use linli_model::{BrokenRule, Edit, ItemKind, Shares, Timestamp};
use serde::{Deserialize, Serialize};

use crate::linked::LinkedEdit;
use crate::space_id::SpaceId;

/// A request and the type of its answer.
pub trait Ask: Into<Request> {
    /// What the request resolves to.
    type Answer;
    /// The answer as it crosses the boundary.
    fn reply(answer: Self::Answer) -> Reply;
    /// The answer out of a reply; `None` if the reply answers another kind of request (a bug).
    fn answer(reply: Reply) -> Option<Self::Answer>;
}

/// A new space, protected, with a take-part key; resolves with its ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateSpace {
    pub name: String,
}

/// Changes to a space, one change each, in order; the first refused stops the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditSpace {
    pub space: SpaceId,
    pub edits: Vec<Edit>,
}

/// The changes that touched an item, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemHistory {
    pub space: SpaceId,
    pub kind: ItemKind,
    pub item: String,
}

/// The space as a `.linli` file (with its signatures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub space: SpaceId,
}

/// The space as plain JSON (a reading copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJson {
    pub space: SpaceId,
}

/// Take in a `.linli` file (never overwriting): its changes are judged on the signatures it carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFile {
    pub space: SpaceId,
    pub bytes: Vec<u8>,
}

/// What an import took in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    pub new_changes: usize,
    pub refused: usize,
    /// The kind of rule the first refused change broke.
    pub rule: Option<BrokenRule>,
    /// Changes within the rules that wait for the space's home relay to vouch for them.
    pub waiting: usize,
}

/// Protect an open space, or move a protected one to a new write key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWriteKey {
    pub space: SpaceId,
}

/// Give the space a new take-part key (stopping the old take-part addresses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTakePartKey {
    pub space: SpaceId,
}

/// Every relay, tab and direct connection, and whether it has this device's changes to the space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListTransports {
    pub space: SpaceId,
}

/// Invite a space to link under this one (an organiser's); resolves with the invitation's text.
/// `label`: what the organiser calls the space invited, shown on the pending row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteSpace {
    pub space: SpaceId,
    pub claim_within_hours: u64,
    pub label: String,
}

/// Accept an invitation for this space (an organiser's), sharing `shares`; resolves once the
/// link has arrived from its relay and is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptInvitation {
    pub space: SpaceId,
    pub invitation: String,
    pub shares: Shares,
}

/// A change to one of the space's links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeLink {
    pub space: SpaceId,
    pub link: String,
    pub edit: LinkedEdit,
}

/// A request of the page's, answered once ([`crate::FromEngine::Reply`] with the same `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    CreateSpace(CreateSpace),
    EditSpace(EditSpace),
    ItemHistory(ItemHistory),
    ExportFile(ExportFile),
    ExportJson(ExportJson),
    ImportFile(ImportFile),
    NewWriteKey(NewWriteKey),
    NewTakePartKey(NewTakePartKey),
    ListTransports(ListTransports),
    InviteSpace(InviteSpace),
    AcceptInvitation(AcceptInvitation),
    ChangeLink(ChangeLink),
}

/// One change that touched an item, as the history screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// The change's hash (hex): give it to `Edit::Restore`.
    pub change: String,
    pub at: Timestamp,
    pub member: Option<String>,
    pub fields: Vec<String>,
    pub message: Option<String>,
}

/// One way this device reaches others, as the sync status panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    pub kind: TransportKind,
    /// The relay's address, or a short name of the other tab or device.
    pub name: String,
    pub connected: bool,
    /// For the space asked about: whether that peer confirmed every change this device has.
    pub up_to_date: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransportKind {
    Relay,
    Tab,
    Direct,
}

/// The answer to a [`Request`], as it crosses the boundary ([`Ask`] says which answers which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Done,
    Created(SpaceId),
    History(Vec<HistoryRow>),
    File(Vec<u8>),
    Json(String),
    Imported(Imported),
    Transports(Vec<Transport>),
    /// An invitation's text, to hand to the lower space's organiser.
    Invitation(String),
}

impl Request {
    /// The space the request is about, if it is about one.
    pub fn space(&self) -> Option<&SpaceId> {
        match self {
            Request::EditSpace(EditSpace { space, .. })
            | Request::ItemHistory(ItemHistory { space, .. })
            | Request::ExportFile(ExportFile { space })
            | Request::ExportJson(ExportJson { space })
            | Request::ImportFile(ImportFile { space, .. })
            | Request::NewWriteKey(NewWriteKey { space })
            | Request::NewTakePartKey(NewTakePartKey { space })
            | Request::ListTransports(ListTransports { space })
            | Request::InviteSpace(InviteSpace { space, .. })
            | Request::AcceptInvitation(AcceptInvitation { space, .. })
            | Request::ChangeLink(ChangeLink { space, .. }) => Some(space),
            Request::CreateSpace(_) => None,
        }
    }
}

/// Pairs each request type with its [`Request`] variant, its answer's type and the [`Reply`]
/// variant that carries that answer (`Done` for requests that resolve with nothing).
macro_rules! asks {
    ($($request:ident => ());* $(;)?) => {$(
        impl From<$request> for Request {
            fn from(request: $request) -> Request {
                Request::$request(request)
            }
        }
        impl Ask for $request {
            type Answer = ();
            fn reply((): ()) -> Reply {
                Reply::Done
            }
            fn answer(reply: Reply) -> Option<()> {
                matches!(reply, Reply::Done).then_some(())
            }
        }
    )*};
    ($($request:ident => $answer:ty, $reply:ident);* $(;)?) => {$(
        impl From<$request> for Request {
            fn from(request: $request) -> Request {
                Request::$request(request)
            }
        }
        impl Ask for $request {
            type Answer = $answer;
            fn reply(answer: $answer) -> Reply {
                Reply::$reply(answer)
            }
            fn answer(reply: Reply) -> Option<$answer> {
                match reply {
                    Reply::$reply(answer) => Some(answer),
                    _ => None,
                }
            }
        }
    )*};
}

asks! {
    EditSpace => ();
    NewWriteKey => ();
    NewTakePartKey => ();
    AcceptInvitation => ();
    ChangeLink => ();
}

asks! {
    CreateSpace => SpaceId, Created;
    ItemHistory => Vec<HistoryRow>, History;
    ExportFile => Vec<u8>, File;
    ExportJson => String, Json;
    ImportFile => Imported, Imported;
    ListTransports => Vec<Transport>, Transports;
    InviteSpace => String, Invitation;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_takes_back_its_own_answer_and_no_other() {
        let space = || SpaceId::parse("2nwcMe1s9k2b2392aE8txkW1K1Qc").expect("a space ID");
        assert_eq!(CreateSpace::answer(CreateSpace::reply(space())), Some(space()));
        assert_eq!(ExportJson::answer(ExportJson::reply("{}".into())), Some("{}".to_owned()));
        assert_eq!(EditSpace::answer(EditSpace::reply(())), Some(()));
        // Another request's answer is refused, even when the types inside agree.
        assert_eq!(ExportJson::answer(InviteSpace::reply("an invitation".into())), None);
        assert_eq!(EditSpace::answer(CreateSpace::reply(space())), None);
        assert_eq!(ItemHistory::answer(Reply::Done), None);
        let request: Request = ExportFile { space: space() }.into();
        assert_eq!(request.space(), Some(&space()));
        assert_eq!(Request::from(CreateSpace { name: "Lane 3".into() }).space(), None);
    }
}
