//! Tabs of one browser sync with each other (each tab's engine in its worker) over the tab
//! channel, with or without a relay: the handshake of `linli_view::side_channels::TabMessage`
//! made into the repo's connections.

use linli_sync::Direction;
use linli_view::side_channels::{TabKind, TabMessage};

use crate::engine_core::EngineCore;
use crate::io::Output;

impl EngineCore {
    /// Says hello to the tabs open already (at start).
    pub(crate) fn greet_tabs(&mut self) {
        let hello = TabMessage { from: self.tab.clone(), to: None, kind: TabKind::Hello };
        self.emit(Output::Tab(hello));
    }

    pub(crate) fn tab_message(&mut self, message: TabMessage) {
        if self.tab.is_empty() || message.from == self.tab || message.to.as_ref().is_some_and(|to| *to != self.tab) {
            return;
        }
        let known = self.connections.tab_conn(&message.from);
        match (message.kind, known) {
            (TabKind::Hello, None) => {
                let conn = self.connections.tab_opened(&message.from);
                let welcome = TabMessage { from: self.tab.clone(), to: Some(message.from), kind: TabKind::Welcome };
                self.emit(Output::Tab(welcome));
                let fx = self.repo.connected(conn, Direction::Incoming);
                self.apply(fx);
            }
            (TabKind::Welcome, None) => {
                let conn = self.connections.tab_opened(&message.from);
                let fx = self.repo.connected(conn, Direction::Outgoing);
                self.apply(fx);
            }
            (TabKind::Data(bytes), Some(conn)) => {
                let fx = self.repo.received(conn, &bytes);
                self.apply(fx);
            }
            (TabKind::Bye, Some(conn)) => {
                self.connections.tab_closed(conn);
                let fx = self.repo.disconnected(conn);
                self.apply(fx);
            }
            _ => {}
        }
    }
}
