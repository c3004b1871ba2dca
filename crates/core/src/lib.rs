//! The Linli community-space model over Automerge: one document per space holding its notices
//! (and, as Linli grows, its pledges, task boards and members), typed and merge-safe.
//!
//! This crate is pure: no browser, no async runtime, no clock. Time and randomness come in as
//! parameters ([`Timestamp`], random bytes for IDs), so the browser, the relay and the tests all
//! get the same answers from the same document.
//!
//! Two neighbours edit one space offline and merge:
//!
//! ```
//! use linli_core::{Editor, ItemId, NoticeDraft, Space, Timestamp, new_space};
//!
//! let mut home = new_space("Sanfang Qixiang", Timestamp(1_700_000_000_000));
//! let mut phone = home.fork();
//!
//! Editor::new(&mut home)
//!     .post_notice(ItemId::from_random([1; 8]), NoticeDraft::new("Lift repair", "Friday 9:00"), Timestamp(1))
//!     .unwrap();
//! Editor::new(&mut phone)
//!     .post_notice(ItemId::from_random([2; 8]), NoticeDraft::new("Book swap", "Sunday"), Timestamp(2))
//!     .unwrap();
//!
//! home.merge(&mut phone).unwrap();
//! let space = Space::hydrate(&home).unwrap();
//! assert_eq!(space.notices.len(), 2);
//! ```

mod editor;
mod error;
mod ids;
mod notice;
mod space;
mod time;

pub use editor::Editor;
pub use error::SpaceError;
pub use ids::ItemId;
pub use notice::{Notice, NoticeDraft};
pub use space::{SCHEMA_VERSION, Space, new_space};
pub use time::Timestamp;

pub use automerge::AutoCommit;
