//! What goes beside the reactor's messages, named and typed once for the page and the worker:
//! the tabs' BroadcastChannel (each tab's engine syncs with the others on it), the call a
//! panicking engine makes to its page, and the database where the worker keeps each space's
//! view for the page's next visit. Messages cross as bincode bytes (a `Uint8Array`), with a
//! size limit; bytes that do not read as one are ignored by whoever receives them.

use bincode::Options;
use serde::{Deserialize, Serialize};

/// The BroadcastChannel the tabs of one browser sync on ([`TabMessage`]).
pub const TAB_CHANNEL: &str = "linli-sync";
/// The BroadcastChannel a panicking engine calls its page on ([`EngineDown`]).
pub const ENGINE_DOWN_CHANNEL: &str = "linli-engine-down";
/// The IndexedDB database of kept views and its one object store (keys: space IDs; values: a
/// [`crate::snapshot`] of the space's status and view).
pub const KEPT_VIEWS_DATABASE: &str = "linli-views";
pub const KEPT_VIEWS_STORE: &str = "views";

/// The encoding: bincode's defaults. Writing has no limit (a sync frame between tabs may be
/// large); reading is limited to the bytes received, so a damaged length never makes it
/// allocate more than the message holds.
fn options() -> bincode::DefaultOptions {
    bincode::DefaultOptions::new()
}

/// One message on the tab channel. The channel is a broadcast and the repo speaks to
/// connections, so each pair of tabs makes one: a new tab says [`TabKind::Hello`]; every tab
/// already open answers [`TabKind::Welcome`] to it and takes the connection as incoming; the new
/// tab takes each welcome as an outgoing one. Sync frames then go as [`TabKind::Data`] to one
/// tab, and a tab that goes says [`TabKind::Bye`] (its page says it: a worker sees no
/// `pagehide`). A tab ignores its own messages and those addressed to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabMessage {
    /// The sending engine's name on the channel.
    pub from: String,
    /// The one engine it is for (`None`: every tab).
    pub to: Option<String>,
    pub kind: TabKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TabKind {
    Hello,
    Welcome,
    Data(Vec<u8>),
    Bye,
}

/// What a panicking engine tells its page, which then starts a new engine from IndexedDB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineDown {
    /// The page the engine served (named in `ToEngine::Start`).
    pub page: String,
    /// The panic's message.
    pub reason: String,
}

macro_rules! bytes_both_ways {
    ($type:ty) => {
        impl $type {
            pub fn to_bytes(&self) -> Vec<u8> {
                options().serialize(self).expect("strings and bytes always encode")
            }

            /// The message in `bytes`, if they hold one.
            pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
                options().with_limit(bytes.len() as u64).deserialize(bytes).ok()
            }
        }
    };
}

bytes_both_ways!(TabMessage);
bytes_both_ways!(EngineDown);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_and_other_bytes_do_not() {
        let data = TabMessage { from: "a1".into(), to: Some("b2".into()), kind: TabKind::Data(vec![1, 2, 3]) };
        assert_eq!(TabMessage::from_bytes(&data.to_bytes()), Some(data.clone()));
        let down = EngineDown { page: "p".into(), reason: "oops".into() };
        assert_eq!(EngineDown::from_bytes(&down.to_bytes()), Some(down));
        assert_eq!(TabMessage::from_bytes(&[0xff; 3]), None);
        assert_eq!(TabMessage::from_bytes(&[]), None);
        // A frame larger than any limit a reader might have set still goes, and reads back.
        let large = TabMessage { from: "a1".into(), to: None, kind: TabKind::Data(vec![7; 70 * 1024 * 1024]) };
        assert_eq!(TabMessage::from_bytes(&large.to_bytes()).map(|m| m.kind == large.kind), Some(true));
        // A length that claims more than the bytes hold is refused without allocating it.
        let mut lying = data.to_bytes();
        lying.truncate(lying.len() - 2);
        assert_eq!(TabMessage::from_bytes(&lying), None);
    }
}
