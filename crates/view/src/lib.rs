//! The worker boundary: what Linli's page (which only draws) and its engine (Automerge, sync,
//! IndexedDB and the sockets, in a Web Worker) say to each other, as serde types that gloo-worker
//! carries. Commands go down ([`ToEngine`]); the space as the screens draw it, its status and the
//! answers to requests come up ([`FromEngine`]). The page keeps its copy of each open space up to
//! date from [`ViewUpdate`]s: the whole space once, then the items that changed.

pub mod address_text;
mod engine_error;
pub mod linked;
pub mod requests;
pub mod side_channels;
pub mod snapshot;
mod space_id;
mod worker;

pub use engine_error::EngineError;
pub use linked::{Invitation, LinkedEdit};
pub use linli_model::Collection;
pub use requests::{Ask, HistoryRow, Imported, Reply, Request, Transport, TransportKind};
pub use space_id::SpaceId;
pub use worker::{EngineBody, EngineScope, EngineWorker};

use linli_model::{Board, Body, Category, Consultation, KioskSettings, Meeting, Member, Notice, Pledge, Responsibility, Space, Tally, Task, Timestamp, Unreadable};
use serde::{Deserialize, Serialize};

/// A direct (WebRTC) connection the page carries for the engine, as the page numbers it.
pub type DirectId = u64;

/// Page → engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// The first message: this page's member key (as kept in localStorage; the engine makes one if
    /// there is none and says so), the relays to dial, and a name for this page (the engine calls
    /// it out on the `linli-engine-down` BroadcastChannel if it panics).
    Start { page: String, member_key: Option<String>, relays: Vec<String> },
    /// The keys this device holds for a space (organise, take part), as link text.
    Keys { space: SpaceId, write: Option<String>, take_part: Option<String> },
    /// The relays to dial changed.
    Relays(Vec<String>),
    /// Open a space (from this device, else from peers) and keep its view up to date.
    Open { space: SpaceId },
    /// The browser went online or offline.
    Online(bool),
    /// A request with an answer ([`FromEngine::Reply`] with the same `id`).
    Request { id: u64, request: Request },
    /// A direct (WebRTC) connection the page carries.
    Direct(DirectEvent),
    /// Send an application payload about a space to every peer in it (WebRTC signalling), with
    /// a proof that this device may take part in the space if it holds a take-part or edit link.
    Ephemeral { space: SpaceId, data: Vec<u8> },
}

/// What happened on a direct connection the page carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DirectEvent {
    /// The data channel opened; `outgoing` if this device made the offer.
    Opened {
        id: DirectId,
        outgoing: bool,
    },
    Frame {
        id: DirectId,
        bytes: Vec<u8>,
    },
    Closed {
        id: DirectId,
    },
}

/// Engine → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromEngine {
    /// The engine has started as this member (`member`: the hex member ID). `member_key` is the
    /// key to keep, if the page had none. `tab` names the engine on the `linli-sync`
    /// BroadcastChannel (the page says `bye` for it when it goes); `peer` is its sync peer ID.
    /// `item_mark` is the mark the IDs of items this engine makes must carry (16 hex digits; see
    /// `ItemId::marked`): the page makes new items' IDs with it.
    Started {
        member: String,
        member_key: Option<String>,
        tab: String,
        peer: String,
        item_mark: String,
    },
    /// The sync peer IDs connected now (a direct link is not made to a peer already linked).
    Peers(Vec<String>),
    /// Where a space stands and what this device may do to it.
    Status {
        space: SpaceId,
        status: SpaceStatus,
    },
    /// The space as the screens draw it.
    View {
        space: SpaceId,
        update: ViewUpdate,
    },
    /// The relays: connected or not, and when one last sent anything.
    Relays {
        status: RelayStatus,
        last_heard: Option<Timestamp>,
    },
    /// Chunks handed to IndexedDB and not yet durable.
    Unsaved(u32),
    /// A peer refused a change this device made: the kind of rule it broke, and the peer's words
    /// (for the console).
    Refused {
        space: SpaceId,
        rule: linli_model::BrokenRule,
        detail: String,
    },
    Reply {
        id: u64,
        result: Result<Reply, EngineError>,
    },
    /// A key the engine made for a space (a new space's, or a new one replacing a stopped link):
    /// the page keeps it as link text.
    KeepKey {
        space: SpaceId,
        kind: KeyKind,
        key: String,
    },
    /// Send on, or close, a direct connection the page carries.
    DirectSend {
        id: DirectId,
        bytes: Vec<u8>,
    },
    DirectClose {
        id: DirectId,
    },
    /// An application payload a peer sent about a space (WebRTC signalling); `proven` when the
    /// peer proved it holds a take-part or edit link of the space.
    Ephemeral {
        space: SpaceId,
        data: Vec<u8>,
        proven: bool,
    },
    /// One of a space's links as it is now (`None`: not readable yet).
    Linked {
        space: SpaceId,
        link: String,
        view: Option<Box<linli_model::Link>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyKind {
    Write,
    TakePart,
}

/// Where a space is in being opened, and what this device may do to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceStatus {
    pub phase: Phase,
    pub access: Access,
    /// Protected by a write key (else open to anyone).
    pub protected: bool,
    /// The keys to put in organise and take-part links, when this device can make them.
    pub edit_key: Option<String>,
    pub take_part_key: Option<String>,
    /// Why the document cannot be read as a space, if it cannot.
    pub unreadable: Option<EngineError>,
    /// Requests (and members' call-back details) can be private here: the space's rules know
    /// sealed parts. Not in a protected space made before certified IDs, whose rules are kept as
    /// they were and refuse them.
    pub seals: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Loading,
    Requesting,
    Unavailable,
    Ready,
}

/// What this device may do to a space (see docs/capabilities.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    Open,
    Edit,
    TakePart,
    View,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelayStatus {
    Connecting,
    Online,
    Offline,
}

/// A change to the page's copy of a space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ViewUpdate {
    /// The whole space (when it opens, or after a change to its layout or its moderation).
    Whole(Box<Space>),
    /// The root settings if they changed, and the items that did.
    Parts { settings: Option<Settings>, items: Vec<ItemUpdate> },
}

/// The root settings of a space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
    pub languages: Vec<String>,
    pub kiosk: KioskSettings,
    /// What of the root could not be read.
    pub unreadable: Vec<Unreadable>,
}

/// One item as it is now (`None`: gone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemUpdate {
    pub id: String,
    pub item: Option<Item>,
    /// What of the item could not be read: the item itself (it is then left out), or parts of
    /// it (each left out on its own).
    pub unreadable: Vec<Unreadable>,
    pub collection: Collection,
    /// The item's private parts and whether this device read them (its `Space::private` entries).
    #[serde(default)]
    pub private: std::collections::BTreeMap<String, linli_model::Privacy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Item {
    Category(Category),
    Responsibility(Responsibility),
    Member(Member),
    Notice(Notice),
    Pledge(Pledge),
    Board(Board),
    Task(Task),
    /// With what it counted, once closed.
    Consultation(Box<Consultation>, Option<Tally>),
    Body(Body),
    Meeting(Box<Meeting>),
}

impl ViewUpdate {
    /// The parts of `space` a refresh re-read (`items` as `(collection, id)`), to send to the page.
    pub fn parts_of(space: &Space, settings: bool, items: &[(&str, String)]) -> ViewUpdate {
        let settings = settings.then(|| Settings {
            name: space.name.clone(),
            description: space.description.clone(),
            created_at: space.created_at,
            languages: space.languages.clone(),
            kiosk: space.kiosk.clone(),
            unreadable: space.unreadable.iter().filter(|u| !u.path.contains('/')).cloned().collect(),
        });
        let items = items
            .iter()
            .filter_map(|(collection, id)| {
                let collection = Collection::from_name(collection)?;
                let item = match collection {
                    Collection::Categories => space.categories.get(id).cloned().map(Item::Category),
                    Collection::Responsibilities => space.responsibilities.get(id).cloned().map(Item::Responsibility),
                    Collection::Members => space.members.get(id).cloned().map(Item::Member),
                    Collection::Notices => space.notices.get(id).cloned().map(Item::Notice),
                    Collection::Pledges => space.pledges.get(id).cloned().map(Item::Pledge),
                    Collection::Boards => space.boards.get(id).cloned().map(Item::Board),
                    Collection::Tasks => space.tasks.get(id).cloned().map(Item::Task),
                    Collection::Consultations => space.consultations.get(id).cloned().map(|c| Item::Consultation(Box::new(c), space.tallies.get(id).cloned())),
                    Collection::Bodies => space.bodies.get(id).cloned().map(Item::Body),
                    Collection::Meetings => space.meetings.get(id).cloned().map(|m| Item::Meeting(Box::new(m))),
                };
                let path = format!("{}/{id}", collection.name());
                let under = format!("{path}/");
                let unreadable = space.unreadable.iter().filter(|u| u.path == path || u.path.starts_with(&under)).cloned().collect();
                let private = space.private.range(path.clone()..).take_while(|(p, _)| **p == path || p.starts_with(&under)).map(|(p, v)| (p.clone(), *v)).collect();
                Some(ItemUpdate { id: id.clone(), item, unreadable, collection, private })
            })
            .collect();
        ViewUpdate::Parts { settings, items }
    }

    /// Brings the page's copy of a space up to date.
    pub fn apply_to(self, space: &mut Space) {
        match self {
            ViewUpdate::Whole(whole) => *space = *whole,
            ViewUpdate::Parts { settings, items } => {
                if let Some(settings) = settings {
                    space.name = settings.name;
                    space.description = settings.description;
                    space.created_at = settings.created_at;
                    space.languages = settings.languages;
                    space.kiosk = settings.kiosk;
                    space.unreadable.retain(|u| u.path.contains('/'));
                    space.unreadable.extend(settings.unreadable);
                }
                for update in items {
                    let path = format!("{}/{}", update.collection.name(), update.id);
                    let under = format!("{path}/");
                    space.unreadable.retain(|u| u.path != path && !u.path.starts_with(&under));
                    space.unreadable.extend(update.unreadable);
                    space.private.retain(|p, _| *p != path && !p.starts_with(&under));
                    space.private.extend(update.private);
                    let id = update.id;
                    match (update.collection, update.item) {
                        (Collection::Categories, Some(Item::Category(item))) => drop(space.categories.insert(id, item)),
                        (Collection::Responsibilities, Some(Item::Responsibility(item))) => drop(space.responsibilities.insert(id, item)),
                        (Collection::Members, Some(Item::Member(item))) => drop(space.members.insert(id, item)),
                        (Collection::Notices, Some(Item::Notice(item))) => drop(space.notices.insert(id, item)),
                        (Collection::Pledges, Some(Item::Pledge(item))) => drop(space.pledges.insert(id, item)),
                        (Collection::Boards, Some(Item::Board(item))) => drop(space.boards.insert(id, item)),
                        (Collection::Tasks, Some(Item::Task(item))) => drop(space.tasks.insert(id, item)),
                        (Collection::Consultations, Some(Item::Consultation(item, tally))) => {
                            match tally {
                                Some(tally) => drop(space.tallies.insert(id.clone(), tally)),
                                None => drop(space.tallies.remove(&id)),
                            }
                            drop(space.consultations.insert(id, *item));
                        }
                        (Collection::Bodies, Some(Item::Body(item))) => drop(space.bodies.insert(id, item)),
                        (Collection::Meetings, Some(Item::Meeting(item))) => drop(space.meetings.insert(id, *item)),
                        (collection, _) => remove(space, collection, &id),
                    }
                }
                space.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
            }
        }
    }
}

fn remove(space: &mut Space, collection: Collection, id: &str) {
    match collection {
        Collection::Categories => drop(space.categories.remove(id)),
        Collection::Responsibilities => drop(space.responsibilities.remove(id)),
        Collection::Members => drop(space.members.remove(id)),
        Collection::Notices => drop(space.notices.remove(id)),
        Collection::Pledges => drop(space.pledges.remove(id)),
        Collection::Boards => drop(space.boards.remove(id)),
        Collection::Tasks => drop(space.tasks.remove(id)),
        Collection::Consultations => {
            space.consultations.remove(id);
            space.tallies.remove(id);
        }
        Collection::Bodies => drop(space.bodies.remove(id)),
        Collection::Meetings => drop(space.meetings.remove(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_model::NoticeDraft;

    fn notice(title: &str) -> Notice {
        let draft = NoticeDraft::new(title, "body");
        Notice {
            title: draft.title,
            body: draft.body,
            category: String::new(),
            pinned: false,
            urgent: false,
            starts_at: None,
            ends_at: None,
            expires_at: None,
            translations: Default::default(),
            author: String::new(),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
            archived: false,
            comments: Default::default(),
        }
    }

    #[test]
    fn parts_sent_from_one_copy_bring_another_up_to_date() {
        let mut engine_side = Space { name: "Sanfang".into(), ..Space::default() };
        engine_side.notices.insert("a".into(), notice("Water off"));
        engine_side.notices.insert("b".into(), notice("Lift repair"));
        let mut page_side = engine_side.clone();
        engine_side.name = "Sanfang Qixiang".into();
        engine_side.notices.get_mut("a").unwrap().title = "Water back".into();
        engine_side.notices.remove("b");
        engine_side.unreadable.push(Unreadable { path: "notices/c".into(), reason: "wrong types".into() });
        let update = ViewUpdate::parts_of(&engine_side, true, &[("notices", "a".into()), ("notices", "b".into()), ("notices", "c".into())]);
        update.apply_to(&mut page_side);
        assert_eq!(page_side, engine_side);
    }
}
