//! The Linli community-space model over Automerge: one document per space holding its settings,
//! members, notices, pledges and task boards, typed and merge-safe, with history. The types
//! themselves are plain data in `linli-model` (re-exported here); this crate reads them from the
//! document, changes the document (`Editor`), and judges others' changes (`participation`).
//!
//! This crate is pure: no browser, no async runtime, no clock, no random source. Time comes in
//! with the [`Author`] of each change, and IDs are made from random bytes the caller passes.
//!
//! Two neighbours post notices offline and merge:
//!
//! ```
//! use linli_core::{Author, Editor, ItemId, MemberId, NoticeDraft, Space, SpaceDocument, Timestamp, new_space};
//!
//! let ann = Author { member: MemberId::from_random([1; 8]), session: [1; 8], now: Timestamp(1_700_000_000_000) };
//! let bo = Author { member: MemberId::from_random([2; 8]), session: [2; 8], now: Timestamp(1_700_000_060_000) };
//! let mut home = new_space("Sanfang Qixiang", &ann);
//! let mut phone = home.fork();
//!
//! Editor::new(&mut home, &ann).post_notice(&ItemId::from_random([1; 8]), NoticeDraft::new("Lift repair", "Friday 9:00")).unwrap();
//! Editor::new(&mut phone, &bo).post_notice(&ItemId::from_random([2; 8]), NoticeDraft::new("Book swap", "Sunday")).unwrap();
//!
//! home.merge(&mut phone).unwrap();
//! let space = Space::hydrate(&home).unwrap();
//! assert_eq!(space.notices.len(), 2);
//! ```
//!
//! Two neighbours sign the same pledge offline; both signatures count:
//!
//! ```
//! use linli_core::{Author, Editor, ItemId, MemberId, PledgeDraft, PledgeStatus, Space, SpaceDocument, Timestamp, new_space};
//!
//! let author = |n: u8| Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(1_000) };
//! let pledge = ItemId::from_random([7; 8]);
//! let mut office = new_space("Gulou", &author(1));
//! let draft = PledgeDraft { title: "Quiet hours after 22:00".into(), goal: 2, ..Default::default() };
//! Editor::new(&mut office, &author(1)).create_pledge(&pledge, draft).unwrap();
//!
//! let mut ann = office.fork();
//! let mut bo = office.fork();
//! Editor::new(&mut ann, &author(2)).sign_pledge(&pledge, "Ann").unwrap();
//! Editor::new(&mut bo, &author(3)).sign_pledge(&pledge, "Bo").unwrap();
//! office.merge(&mut ann).unwrap();
//! office.merge(&mut bo).unwrap();
//!
//! let space = Space::hydrate(&office).unwrap();
//! let merged = &space.pledges[pledge.as_str()];
//! assert_eq!(merged.signature_count(), 2);
//! assert_eq!(merged.status(Timestamp(2_000)), PledgeStatus::Reached);
//! ```
//!
//! One neighbour moves a card while another edits it; the card ends up moved *and* edited, once:
//!
//! ```
//! use linli_core::{Author, Editor, ItemId, MemberId, Place, Space, SpaceDocument, TaskDraft, Timestamp, new_space};
//!
//! let author = |n: u8| Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(1_000) };
//! let (board, todo, done, task) = (ItemId::from_random([1; 8]), ItemId::from_random([2; 8]), ItemId::from_random([3; 8]), ItemId::from_random([4; 8]));
//! let mut doc = new_space("Gulou", &author(1));
//! let columns = [(todo.clone(), [("en".to_string(), "To do".to_string())].into()), (done.clone(), [("en".to_string(), "Done".to_string())].into())];
//! Editor::new(&mut doc, &author(1)).create_board(&board, "Repairs", &columns).unwrap();
//! Editor::new(&mut doc, &author(1)).add_task(&task, &board, &todo, TaskDraft { title: "Fix the gate".into(), ..Default::default() }, Place::End).unwrap();
//!
//! let mut mover = doc.fork();
//! let mut writer = doc.fork();
//! Editor::new(&mut mover, &author(2)).move_task(&task, &done, Place::Index(0)).unwrap();
//! Editor::new(&mut writer, &author(3)).edit_task(&task, TaskDraft { title: "Fix the north gate".into(), ..Default::default() }).unwrap();
//! doc.merge(&mut mover).unwrap();
//! doc.merge(&mut writer).unwrap();
//!
//! let space = Space::hydrate(&doc).unwrap();
//! assert!(space.column_tasks(board.as_str(), todo.as_str()).is_empty());
//! let in_done = space.column_tasks(board.as_str(), done.as_str());
//! assert_eq!(in_done.len(), 1);
//! assert_eq!(in_done[0].1.title, "Fix the north gate");
//! ```

mod author;
mod editor;
mod error;
mod history;
mod link_doc;
mod load;
pub mod participation;
pub mod private;
mod space_doc;
mod tree;

pub use linli_model::*;
pub use linli_model::{position, space};

pub use author::{Author, item_mark_of, member_of_actor};
pub use editor::Editor;
pub use error::SpaceError;
pub use history::{HistoryEntry, item_history};
pub use link_doc::{Acceptance, Invitation, LinkEditor, is_link, may_make, new_link, read_link};
pub use load::{Imported, import_space_file, load_document, merge_bytes};
pub use space_doc::{Refreshed, SpaceDocument, new_space, new_space_with, read_item};

pub use automerge::{AutoCommit, ChangeHash};
