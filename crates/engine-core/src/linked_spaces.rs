//! Linked spaces in the engine: each open space's links (`links/<id>` in its document) are
//! followed — the link's document opened, this side's key to it unsealed with the space's write
//! key when this device holds one, the other side's relay dialled for the link's document alone
//! — the page hears each link as it changes, a lower space's organiser device publishes the
//! digest of its space into its links, and the page's requests (invite, accept, escalate,
//! answer, end) become changes to the link and to the space.

use std::collections::HashSet;

use automerge::transaction::Transactable;
use automerge::{ROOT, ScalarValue};
use linli_core::space_link::{LOWER, UPPER};
use linli_core::{
    Acceptance, Department, Digest, Editor, Escalation, Invitation as LinkInvitation, Link, LinkEdit, LinkEditor, LinkSide, LinkState, Sealed, Shares, Space, SpaceLink, may_make,
    read_link,
};
use linli_sync::take_part_key::TAKE_PART_KEY_FIELD;
use linli_sync::{Access, DocumentId, Phase, TakePartKey, WriteKey, link_seal};
use linli_view::requests::AcceptInvitation;
use linli_view::{Ask, EngineError, FromEngine, Invitation, LinkedEdit};

use crate::engine_core::EngineCore;
use crate::engine_errors::{from_repo, from_space};
use crate::io::{Log, Output, Wake};
use crate::state::{Home, Waiting};

impl EngineCore {
    /// The documents a relay dialled for links may carry (`None`: it is one of this page's own
    /// relays and carries everything).
    pub(crate) fn relay_scope(&self, url: &str) -> Option<HashSet<DocumentId>> {
        if self.relays.iter().any(|own| same_relay(own, url)) {
            return None;
        }
        Some(self.linked.relays.iter().filter(|(u, _)| same_relay(u, url)).flat_map(|(_, docs)| docs.iter().copied()).collect())
    }

    /// Makes `url` (a relay of the other side of `link`) carry the link's document: dials it
    /// for links alone the first time, or lets an open connection carry one more.
    fn reach_relay(&mut self, url: &str, link: DocumentId) {
        let url = url.trim();
        if url.is_empty() || self.relays.iter().any(|own| same_relay(own, url)) {
            return;
        }
        let first = !self.linked.relays.contains_key(url);
        let added = self.linked.relays.entry(url.to_owned()).or_default().insert(link);
        if first {
            self.dial(url.to_owned(), 0);
        } else if added {
            let conns = self.connections.sockets_to(url);
            for conn in conns {
                let fx = self.repo.carry(conn, link);
                self.apply(fx);
            }
        }
    }

    /// After a space's view changed: follow its links, and publish its digest into the links
    /// this device writes the lower half of.
    pub(crate) fn follow_links(&mut self, space_id: DocumentId) {
        let Some(records) = self.spaces.get(&space_id).map(|s| s.links.clone()) else { return };
        let space_key = self.repo.write_key_opening(&space_id);
        for (link_id, record) in records.iter().filter(|(_, r)| r.is_active()) {
            let Ok(link) = link_id.parse::<DocumentId>() else { continue };
            if let Some(seed) = space_key.as_ref().and_then(|key| link_seal::unseal(&record.key_sealed, key, &link)) {
                let repo = &mut self.repo;
                if record.is_upper() {
                    repo.hold_write_key(link, WriteKey::from_seed(seed));
                } else {
                    repo.hold_take_part_key(link, TakePartKey::from_seed(seed));
                }
            }
            let known = self.linked.homes.insert(link, Home { space: space_id }).is_some();
            if !known {
                let fx = self.repo.find(link);
                self.apply(fx);
                // Later, the page hears of the link when its document changes (`link_changed`).
                self.tell_link(link);
            }
            self.reach_relay(&record.other_relay, link);
            if !record.is_upper() {
                self.mirror_resolutions(space_id, link);
                self.publish_digest(space_id, link);
            }
        }
    }

    /// A request the space above resolved is marked resolved in this space too (by an
    /// organiser's device of this space, as one of its own changes), so its times and the open
    /// count agree on both sides; the resident who raised it then confirms as usual. A request an
    /// organiser reopened after that resolution stays open.
    fn mirror_resolutions(&mut self, space_id: DocumentId, link: DocumentId) {
        if self.repo.write_key_opening(&space_id).is_none() {
            return;
        }
        let Some(current) = self.read(link) else { return };
        let due: Vec<linli_core::ItemId> = self
            .spaces
            .get(&space_id)
            .map(|space| {
                current
                    .upper
                    .resolutions
                    .iter()
                    .filter(|(id, _)| current.lower.escalations.contains_key(*id))
                    .filter(|(id, step)| space.tasks.get(*id).is_some_and(|t| t.request.as_ref().is_some_and(|r| r.resolved_at.is_none()) && step.at > t.updated_at))
                    .filter_map(|(id, _)| linli_core::ItemId::parse(id))
                    .collect()
            })
            .unwrap_or_default();
        for id in due {
            if let Err(error) = self.change_space(space_id, |editor| editor.resolve_request(&id, true)) {
                self.log(Log::Warn(format!("request {id}: resolved above, not here: {error:?}")));
            }
        }
    }

    /// Writes the space's digest into `link`, if this device writes the lower half and it says
    /// something new.
    fn publish_digest(&mut self, space_id: DocumentId, link: DocumentId) {
        if self.repo.access(&link) != Access::TakePart || self.repo.phase(&link) != Some(Phase::Ready) {
            return;
        }
        let Some(shares) = self.read(link).filter(|l| l.state() == LinkState::Active).map(|l| l.lower.shares) else { return };
        let Some(digest) = self.spaces.get(&space_id).map(|space| Digest::of(space, &shares, self.now)) else { return };
        let author = self.author();
        match self.repo.change(link, |doc| LinkEditor::new(doc, &author).publish(&digest)) {
            Ok((_, fx)) => self.apply(fx),
            Err(error) => self.log(Log::Warn(format!("link {link}: the digest was not published: {:?}", from_repo(error)))),
        }
    }

    fn read(&self, link: DocumentId) -> Option<Link> {
        self.repo.document(&link).and_then(|doc| read_link(doc).ok())
    }

    /// A document changed: if it is a link, the page hears it, and an acceptance waiting for
    /// it goes ahead.
    pub(crate) fn link_changed(&mut self, link: DocumentId) {
        if self.linked.waiting.contains_key(&link) && self.repo.phase(&link) == Some(Phase::Ready) {
            let waiting = self.linked.waiting.remove(&link).expect("checked");
            let result = self.finish_accepting(link, &waiting).map(AcceptInvitation::reply);
            self.tell(FromEngine::Reply { id: waiting.request, result });
        }
        self.tell_link(link);
        let Some(home) = self.linked.homes.get(&link).copied() else { return };
        let lower = self.spaces.get(&home.space).and_then(|s| s.links.get(&link.to_string()).map(|r| !r.is_upper())).unwrap_or(false);
        if lower {
            self.mirror_resolutions(home.space, link);
        }
    }

    /// Tells the page the link as it is now, if that is new to it.
    fn tell_link(&mut self, link: DocumentId) {
        let Some(home) = self.linked.homes.get(&link).copied() else { return };
        let Some(mut view) = self.read(link) else { return };
        // Escalations sent with their words: opened here if this device is one of their readers
        // (a department member, an organiser of the upper space).
        if view.lower.escalations.values().any(|e| e.sealed.is_some()) {
            let opener = self.reading_keys(&home.space).opener();
            for (id, escalation) in &mut view.lower.escalations {
                let opened = escalation.sealed.as_ref().and_then(|sealed| opener.open(sealed, &escalation_place(link, id)).ok());
                if let Some((title, details)) = opened.as_deref().and_then(linli_core::private::read_request_payload) {
                    escalation.title = title;
                    escalation.details = if escalation.details.is_empty() { details } else { format!("{}\n\n{details}", escalation.details) };
                }
            }
        }
        if self.linked.told.get(&link) == Some(&view) {
            return;
        }
        self.linked.told.insert(link, view.clone());
        self.tell(FromEngine::Linked { space: crate::space_ids::space_id(home.space), link: link.to_string(), view: Some(Box::new(view)) });
    }

    /// The page opened a space: it hears the links known already.
    pub(crate) fn retell_links(&mut self, space_id: DocumentId) {
        let links: Vec<DocumentId> = self.linked.homes.iter().filter(|(_, h)| h.space == space_id).map(|(l, _)| *l).collect();
        for link in links {
            self.linked.told.remove(&link);
            self.tell_link(link);
        }
    }

    /// An organiser of `space_id` invites a space to link under it.
    pub(crate) fn invite_space(&mut self, space_id: DocumentId, claim_within_hours: u64, label: &str) -> Result<String, EngineError> {
        let space_key = self.repo.write_key_opening(&space_id).ok_or(EngineError::OrganisersOnly)?;
        let space = self.spaces.get(&space_id).cloned().ok_or(EngineError::NotOpenYet)?;
        let upper_seed: [u8; 32] = self.entropy.bytes();
        let upper_key = WriteKey::from_seed(upper_seed);
        let link = DocumentId::certified(&upper_key.public());
        let invitation_key = TakePartKey::from_seed(self.entropy.bytes());
        let relay = self.relays.first().cloned().unwrap_or_default();
        let invitation = LinkInvitation {
            upper_space: space_id.to_string(),
            upper_name: space.name.clone(),
            upper_relay: relay.clone(),
            claim_within_hours: claim_within_hours.max(1),
            departments: departments_of(&space),
        };
        let doc = linli_core::new_link(&invitation, &self.author(), |doc| {
            linli_sync::capability::protect(doc, upper_key.public());
            doc.put(ROOT, TAKE_PART_KEY_FIELD, ScalarValue::Bytes(invitation_key.public().to_vec())).expect("the root map always takes a field");
        });
        self.repo.hold_write_key(link, upper_key);
        let fx = self.repo.create(link, doc);
        self.apply(fx);
        let record = SpaceLink {
            side: UPPER.into(),
            other_space: String::new(),
            // Until the space invited accepts: what the organiser called it, for the pending row.
            other_name: label.trim().chars().take(100).collect(),
            other_relay: String::new(),
            created_at: self.now,
            key_sealed: link_seal::seal(upper_seed, &space_key, &link),
            ended_at: None,
        };
        self.change_space(space_id, |editor| editor.record_link(&link.to_string(), &record))?;
        Ok(Invitation { link: link.to_string(), key: invitation_key.to_text(), relay }.to_text())
    }

    /// An organiser of `space_id` accepts an invitation: answered once the link's document has
    /// come from its relay (now, if it is here already).
    pub(crate) fn accept_invitation(&mut self, request: u64, space_id: DocumentId, text: &str, shares: Shares) -> Option<Result<(), EngineError>> {
        let Some(invitation) = Invitation::from_text(text) else { return Some(Err(EngineError::NotAnInvitation)) };
        let (Ok(link), Some(key)) = (invitation.link.parse::<DocumentId>(), TakePartKey::from_text(&invitation.key)) else {
            return Some(Err(EngineError::InvitationDamaged));
        };
        if self.repo.write_key_opening(&space_id).is_none() {
            return Some(Err(EngineError::OrganisersOnly));
        }
        if self.spaces.get(&space_id).is_some_and(|s| s.links.contains_key(&invitation.link)) {
            return Some(Err(EngineError::AlreadyLinked));
        }
        self.repo.hold_take_part_key(link, key);
        self.linked.waiting.insert(link, Waiting { request, space: space_id, shares, relay: invitation.relay.clone() });
        // A link that never comes (a wrong relay, a mistyped invitation) is said, not waited for.
        let wake = Wake::AcceptExpired { link, request, relay: invitation.relay.clone() };
        self.emit(Output::Timer { after_ms: ACCEPT_WAIT_MS, wake });
        self.reach_relay(&invitation.relay, link);
        let fx = self.repo.find(link);
        self.apply(fx);
        if self.repo.phase(&link) == Some(Phase::Ready) {
            let waiting = self.linked.waiting.remove(&link)?;
            return Some(self.finish_accepting(link, &waiting));
        }
        None
    }

    /// An acceptance waited long enough: if it still waits, the page hears the link did not come.
    pub(crate) fn acceptance_expired(&mut self, link: DocumentId, request: u64, relay: String) {
        if self.linked.waiting.get(&link).is_some_and(|w| w.request == request) {
            self.linked.waiting.remove(&link);
            self.tell(FromEngine::Reply { id: request, result: Err(EngineError::InvitationNotArrived { relay }) });
        }
    }

    /// Accepts the link (moving its take-part key to one only this space holds) and records
    /// it in the space.
    fn finish_accepting(&mut self, link: DocumentId, waiting: &Waiting) -> Result<(), EngineError> {
        let upper = self.read(link).ok_or(EngineError::InvitationUnreadable)?;
        if upper.state() != LinkState::Invited {
            return Err(EngineError::InvitationUsed);
        }
        let space_key = self.repo.write_key_opening(&waiting.space).ok_or(EngineError::OrganisersOnly)?;
        let space = self.spaces.get(&waiting.space).cloned().ok_or(EngineError::NotOpenYet)?;
        let own_seed: [u8; 32] = self.entropy.bytes();
        let own = TakePartKey::from_seed(own_seed);
        let acceptance = Acceptance {
            lower_space: waiting.space.to_string(),
            lower_name: space.name.clone(),
            lower_relay: self.relays.first().cloned().unwrap_or_default(),
            shares: waiting.shares,
        };
        let author = self.author();
        let own_public = own.public();
        let outcome = self.repo.change(link, |doc| {
            LinkEditor::new(doc, &author).accept(&acceptance, |doc| {
                linli_sync::take_part_key::move_take_part_key(doc, own_public);
            })
        });
        self.settle(outcome)?;
        self.repo.hold_take_part_key(link, own);
        let other_relay = if waiting.relay.is_empty() { upper.upper.relay.clone() } else { waiting.relay.clone() };
        let record = SpaceLink {
            side: LOWER.into(),
            other_space: upper.upper.space.clone(),
            other_name: upper.upper.name.clone(),
            other_relay,
            created_at: self.now,
            key_sealed: link_seal::seal(own_seed, &space_key, &link),
            ended_at: None,
        };
        self.change_space(waiting.space, |editor| editor.record_link(&link.to_string(), &record))?;
        Ok(())
    }

    /// Private request `request`'s words, opened on this device and sealed again to the members
    /// of the upper space's department `department` and to its organisers (its write key).
    fn sealed_for_department(&self, space_id: DocumentId, space: &Space, request: &str, link: DocumentId, current: &Link, department: &str) -> Result<Sealed, EngineError> {
        let mut task = space.tasks.get(request).cloned().ok_or(EngineError::NoSuchRequest)?;
        let opener = self.reading_keys(&space_id).with_teams(space).opener();
        let mut opened = std::collections::BTreeMap::new();
        linli_core::private::open_task(request, &mut task, &opener, &mut opened);
        if opened.get(&format!("tasks/{request}")) != Some(&linli_model::Privacy::Open) {
            return Err(EngineError::CannotSendPrivateWords);
        }
        let members = current.upper.departments.get(department).map(|d| d.members.iter().filter(|(_, on)| **on).map(|(m, _)| m.clone()).collect::<Vec<_>>()).unwrap_or_default();
        let organisers = self.repo.document(&link).and_then(linli_core::private::organisers_reader);
        let mut readers: Vec<linli_seal::Reader> = members.iter().filter_map(|m| linli_seal::Reader::of_member(m)).chain(organisers).collect();
        readers.sort();
        readers.dedup();
        readers.truncate(linli_seal::MAX_READERS);
        let payload = linli_core::private::request_payload(&task.title, &task.description);
        Ok(linli_seal::seal(&payload, &escalation_place(link, request), None, &readers))
    }

    /// A change to one of the space's links, under the side the space is on.
    pub(crate) fn linked_edit(&mut self, space_id: DocumentId, link_id: &str, edit: LinkedEdit) -> Result<(), EngineError> {
        let link = link_id.parse::<DocumentId>().map_err(|_| EngineError::NoSuchLink)?;
        let space = self.spaces.get(&space_id).cloned().ok_or(EngineError::NotOpenYet)?;
        let record = space.links.get(link_id).cloned().ok_or(EngineError::NoSuchLink)?;
        let current = self.read(link).ok_or(EngineError::LinkNotArrived)?;
        let author = self.author();
        let upper = record.is_upper();
        let edit = match edit {
            LinkedEdit::Escalate { request, department, details, with_words } => {
                // The side is checked before the request's words are sealed (and again as the
                // link's editor makes the change).
                may_make(LinkSide::Lower, upper).map_err(from_space)?;
                let task = space.tasks.get(&request).ok_or(EngineError::NoSuchRequest)?;
                let raised = task.request.as_ref().ok_or(EngineError::NotARequest)?;
                // A private request goes up without its words or its resident's name (the engine's
                // copy holds them sealed): the organiser's note says what the street must know,
                // unless the organiser sends its words, sealed to the department alone.
                let private = task.sealed.is_some();
                let raised_by_name = if current.lower.shares.names && !private { space.member_name(&raised.raised_by).unwrap_or_default().to_owned() } else { String::new() };
                let sealed = match (&task.sealed, with_words) {
                    (Some(_), true) => Some(self.sealed_for_department(space_id, &space, &request, link, &current, &department)?),
                    _ => None,
                };
                let escalation = Escalation {
                    title: if private { String::new() } else { task.title.clone() },
                    details,
                    department,
                    raised_at: raised.raised_at,
                    escalated_at: author.now,
                    raised_by_name,
                    sealed,
                };
                LinkEdit::Escalate { request, escalation }
            }
            LinkedEdit::Claim { escalation } => LinkEdit::Claim { escalation },
            LinkedEdit::Progress { escalation, text } => LinkEdit::Progress { escalation, line: self.entropy.hex::<8>(), text },
            LinkedEdit::Resolve { escalation } => LinkEdit::Resolve { escalation },
            LinkedEdit::Shares(shares) => LinkEdit::Shares(shares),
            LinkedEdit::ClaimWithin(hours) => LinkEdit::ClaimWithin(hours),
            LinkedEdit::End => LinkEdit::End,
        };
        let ends = edit == LinkEdit::End;
        let outcome = self.repo.change(link, |doc| LinkEditor::new(doc, &author).apply(edit, upper));
        // The link's change is stored and sent first, whatever follows: the repo counts it saved.
        self.settle(outcome)?;
        if ends {
            self.change_space(space_id, |editor| editor.end_link(link_id))?;
        }
        if !record.is_upper() {
            self.publish_digest(space_id, link);
        }
        self.tell_link(link);
        Ok(())
    }

    /// Takes what a change to a link produced: its effects run, its error is ready to show.
    fn settle(&mut self, outcome: Result<(Result<(), linli_core::SpaceError>, linli_sync::Effects), linli_sync::RepoError>) -> Result<(), EngineError> {
        match outcome {
            Ok((result, fx)) => {
                self.apply(fx);
                result.map_err(from_space)
            }
            Err(error) => Err(from_repo(error)),
        }
    }

    /// One change to a space's own document.
    fn change_space(&mut self, space_id: DocumentId, act: impl FnOnce(&mut Editor<'_>) -> Result<(), linli_core::SpaceError>) -> Result<(), EngineError> {
        let author = self.author();
        let outcome = self.repo.change(space_id, |doc| act(&mut Editor::new(doc, &author)));
        match outcome {
            Ok((result, fx)) => {
                self.apply(fx);
                self.publish(space_id);
                result.map_err(from_space)
            }
            Err(error) => Err(from_repo(error)),
        }
    }
}

/// How long an acceptance waits for its link's document.
const ACCEPT_WAIT_MS: u32 = 60_000;

/// The upper space's departments: its categories with the teams responsible for them.
fn departments_of(space: &Space) -> std::collections::BTreeMap<String, Department> {
    space
        .categories_in_order()
        .into_iter()
        .map(|(id, category)| {
            let team = space.responsibilities.get(id);
            let department =
                Department { names: category.names.clone(), team: team.map(|t| t.team.clone()).unwrap_or_default(), members: team.map(|t| t.members.clone()).unwrap_or_default() };
            (id.to_owned(), department)
        })
        .collect()
}

/// Whether two relay addresses name the same relay (a trailing slash aside).
fn same_relay(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Where an escalation's sealed words sit: bound to its link and its ID.
fn escalation_place(link: DocumentId, escalation: &str) -> String {
    format!("links/{link}/escalations/{escalation}")
}
