//! The page's requests answered: a new space, edits, history, files in and out, new keys, the
//! transports list, and the linked-space requests (`linked_spaces.rs`).

use linli_core::{Editor, item_history, new_space_with};
use linli_sync::{DocumentId, TakePartKey, WriteKey};
use linli_view::requests::{ChangeLink, CreateSpace, EditSpace, ExportFile, ExportJson, ImportFile, InviteSpace, ItemHistory, ListTransports, NewTakePartKey, NewWriteKey};
use linli_view::{Ask, EngineError, FromEngine, HistoryRow, Imported, KeyKind, Reply, Request, SpaceId, Transport, TransportKind};

use crate::engine_core::EngineCore;
use crate::engine_errors::{from_repo, from_space};
use crate::io::Log;

fn parse(space: &SpaceId) -> Result<DocumentId, EngineError> {
    space.as_str().parse::<DocumentId>().map_err(|_| EngineError::NotASpaceId)
}

impl EngineCore {
    /// Answers a request, each kind with its own answer's type ([`Ask`]).
    pub(crate) fn answer(&mut self, request: Request) -> Result<Reply, EngineError> {
        match request {
            Request::CreateSpace(CreateSpace { name }) => Ok(CreateSpace::reply(crate::space_ids::space_id(self.create_space(&name)))),
            Request::EditSpace(request) => self.edit_space(request).map(EditSpace::reply),
            Request::ItemHistory(request) => self.item_history(request).map(ItemHistory::reply),
            Request::ExportFile(ExportFile { space }) => self.repo.export_file(&parse(&space)?).map(ExportFile::reply).ok_or(EngineError::NotOpenYet),
            Request::ExportJson(ExportJson { space }) => {
                let id = parse(&space)?;
                let doc = self.repo.document(&id).ok_or(EngineError::NotOpenYet)?;
                crate::space_json::to_json(doc).map(ExportJson::reply).map_err(|detail| EngineError::Damaged { detail })
            }
            Request::ImportFile(request) => self.import_file(request).map(ImportFile::reply),
            Request::NewWriteKey(NewWriteKey { space }) => self.new_write_key(parse(&space)?).map(NewWriteKey::reply),
            Request::NewTakePartKey(NewTakePartKey { space }) => self.new_take_part_key(parse(&space)?).map(NewTakePartKey::reply),
            Request::ListTransports(ListTransports { space }) => Ok(ListTransports::reply(self.transports(&parse(&space)?))),
            Request::InviteSpace(InviteSpace { space, claim_within_hours, label }) => self.invite_space(parse(&space)?, claim_within_hours, &label).map(InviteSpace::reply),
            Request::ChangeLink(ChangeLink { space, link, edit }) => self.linked_edit(parse(&space)?, &link, edit).map(ChangeLink::reply),
            Request::AcceptInvitation(_) => unreachable!("an invitation is accepted on its own path (respond)"),
        }
    }

    fn edit_space(&mut self, EditSpace { space, edits }: EditSpace) -> Result<(), EngineError> {
        let id = parse(&space)?;
        for edit in edits {
            if let linli_model::Edit::CloseConsultation { id: item } = edit {
                self.close_consultation(id, item)?;
                continue;
            }
            let author = self.author();
            let reading = self.reading_keys(&id);
            match self.repo.change(id, |doc| Editor::new(doc, &author).with_keyring(&reading).apply(edit)) {
                Ok((Ok(()), fx)) => self.apply(fx),
                Ok((Err(error), fx)) => {
                    self.apply(fx);
                    return Err(from_space(error));
                }
                Err(error) => return Err(from_repo(error)),
            }
        }
        self.publish(id);
        Ok(())
    }

    fn item_history(&mut self, ItemHistory { space, kind, item }: ItemHistory) -> Result<Vec<HistoryRow>, EngineError> {
        let id = parse(&space)?;
        let rows = self.repo.read_mut(&id, |doc| item_history(doc, kind, &item)).ok_or(EngineError::NotOpenYet)?;
        let rows = rows.map_err(from_space)?;
        Ok(rows.into_iter().map(|e| HistoryRow { change: e.change.to_string(), at: e.at, member: e.member.map(|m| m.to_string()), fields: e.fields, message: e.message }).collect())
    }

    fn import_file(&mut self, ImportFile { space, bytes }: ImportFile) -> Result<Imported, EngineError> {
        let id = parse(&space)?;
        let (imported, fx) = self.repo.import_file(id, &bytes);
        self.apply(fx);
        self.publish(id);
        let imported = imported.map_err(from_repo)?;
        if let Some(reason) = &imported.reason {
            self.log(Log::Warn(format!("space {id}: the file held {} changes that were refused: {reason}", imported.refused)));
        }
        let rule = imported.reason.as_deref().map(crate::engine_errors::rule_of);
        Ok(Imported { new_changes: imported.new_changes, refused: imported.refused, rule, waiting: imported.waiting })
    }

    fn new_take_part_key(&mut self, id: DocumentId) -> Result<(), EngineError> {
        let key = TakePartKey::from_seed(self.entropy.bytes());
        let fx = self.repo.set_take_part_key(id, key.clone()).map_err(from_repo)?;
        self.apply(fx);
        self.tell(FromEngine::KeepKey { space: crate::space_ids::space_id(id), kind: KeyKind::TakePart, key: key.to_text() });
        self.publish(id);
        Ok(())
    }

    /// A new space, protected by a write key this device keeps, with a take-part key.
    fn create_space(&mut self, name: &str) -> DocumentId {
        let key = WriteKey::from_seed(self.entropy.bytes());
        // The ID certifies the key: a relay that never saw the space tells it from one planted
        // under the same ID.
        let id = DocumentId::certified(&key.public());
        let take_part = TakePartKey::from_seed(self.entropy.bytes());
        self.repo.hold_write_key(id, key.clone());
        let doc = new_space_with(name, &self.author(), |doc| {
            linli_sync::capability::protect(doc, key.public());
            linli_sync::take_part_key::set_take_part_key(doc, &take_part, &key);
        });
        self.tell(FromEngine::KeepKey { space: crate::space_ids::space_id(id), kind: KeyKind::Write, key: key.to_text() });
        let fx = self.repo.create(id, doc);
        self.wanted_now(id);
        self.apply(fx);
        self.publish(id);
        id
    }

    /// Protects an open space with a new write key (and a take-part key), or moves a protected
    /// one to a new write key (which stops every edit link given out before).
    fn new_write_key(&mut self, id: DocumentId) -> Result<(), EngineError> {
        let key = WriteKey::from_seed(self.entropy.bytes());
        let fx = if self.repo.protection(&id).is_some() {
            self.repo.rotate_write_key(id, key.clone())
        } else {
            let take_part = TakePartKey::from_seed(self.entropy.bytes());
            self.repo.hold_write_key(id, key.clone());
            let protect = |doc: &mut automerge::AutoCommit| {
                linli_sync::capability::protect(doc, key.public());
                linli_sync::take_part_key::set_take_part_key(doc, &take_part, &key);
            };
            self.repo.change(id, protect).map(|((), fx)| fx)
        }
        .map_err(from_repo)?;
        self.tell(FromEngine::KeepKey { space: crate::space_ids::space_id(id), kind: KeyKind::Write, key: key.to_text() });
        self.apply(fx);
        self.publish(id);
        Ok(())
    }

    /// Every relay, tab and direct connection this device talks to (or waits to), with whether
    /// each has all of this device's changes to `space`.
    fn transports(&mut self, space: &DocumentId) -> Vec<Transport> {
        let mut rows: Vec<Transport> = Vec::new();
        let mut sockets: Vec<_> = self.connections.sockets.iter().map(|(conn, s)| (*conn, s.url.clone(), s.open)).collect();
        sockets.sort();
        for (conn, url, open) in sockets {
            rows.push(Transport { kind: TransportKind::Relay, name: url, connected: open, up_to_date: if open { self.repo.peer_up_to_date(space, conn) } else { None } });
        }
        let mut waiting: Vec<String> = self.connections.waiting.keys().cloned().collect();
        waiting.sort();
        for url in waiting {
            rows.push(Transport { kind: TransportKind::Relay, name: url, connected: false, up_to_date: None });
        }
        for (conn, id) in self.connections.directs() {
            rows.push(Transport { kind: TransportKind::Direct, name: format!("#{id}"), connected: true, up_to_date: self.repo.peer_up_to_date(space, conn) });
        }
        for (conn, tab) in self.connections.tabs() {
            rows.push(Transport { kind: TransportKind::Tab, name: tab, connected: true, up_to_date: self.repo.peer_up_to_date(space, conn) });
        }
        rows
    }
}
