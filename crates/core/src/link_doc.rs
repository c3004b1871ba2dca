//! The link document: one Automerge document per link between two spaces, made by the upper
//! space when it invites, accepted by the lower one, each side writing only its own half
//! (`linli_model::link` has the layout; `participation::link_rules` the rules every peer applies).
//!
//! The invitation happens in the document: the upper space makes it with its own key as the
//! document's write key and an invitation key as its take-part key. The lower space accepts
//! with the invitation key, and the same change replaces that key with one only the lower space
//! holds, so the upper space, which saw the invitation, cannot write the lower half afterwards.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::reconcile_prop;

use crate::tree::FromTree;
use crate::{Author, Department, Digest, Escalation, LINK_KIND, LINK_SCHEMA, Link, LinkEdit, LinkSide, LinkState, Progress, Shares, SpaceError, Step, Timestamp, UpperSide};

/// What the upper space fills in to invite a space under it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invitation {
    pub upper_space: String,
    pub upper_name: String,
    pub upper_relay: String,
    pub claim_within_hours: u64,
    pub departments: std::collections::BTreeMap<String, Department>,
}

/// What the lower space fills in to accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub lower_space: String,
    pub lower_name: String,
    pub lower_relay: String,
    pub shares: Shares,
}

/// A new link document, as the upper space invites. `first` adds to the first change what the
/// sync layer needs there (the upper space's key as write key, the invitation key as take-part
/// key), so the document is protected from its first change on.
pub fn new_link(invitation: &Invitation, author: &Author, first: impl FnOnce(&mut AutoCommit)) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(author.actor());
    first(&mut doc);
    doc.put(ROOT, "kind", LINK_KIND).expect("the root map always takes a field");
    doc.put(ROOT, "schema", LINK_SCHEMA).expect("the root map always takes a field");
    let upper = UpperSide {
        space: invitation.upper_space.clone(),
        name: invitation.upper_name.trim().to_owned(),
        relay: invitation.upper_relay.trim().to_owned(),
        invited_at: author.now,
        claim_within_hours: invitation.claim_within_hours,
        departments: invitation.departments.clone(),
        ..UpperSide::default()
    };
    reconcile_prop(&mut doc, ROOT, "upper", &upper).expect("reconciling into an empty document cannot fail");
    // The lower half starts as empty maps (the rules allow nothing else in the first change), made
    // here once so that no two devices of the lower space race to make them.
    let lower = doc.put_object(ROOT, "lower", ObjType::Map).expect("the root map always takes a field");
    doc.put_object(&lower, "escalations", ObjType::Map).expect("a new map always takes a field");
    let digest = doc.put_object(&lower, "digest", ObjType::Map).expect("a new map always takes a field");
    for collection in ["requests", "pledges", "decisions", "urgent_notices"] {
        doc.put_object(&digest, collection, ObjType::Map).expect("a new map always takes a field");
    }
    commit(&mut doc, author, "link.invite");
    doc
}

/// Whether `doc` is a link document (a space's document is not).
pub fn is_link(doc: &impl ReadDoc) -> bool {
    matches!(doc.get(ROOT, "kind"), Ok(Some((Value::Scalar(kind), _))) if matches!(kind.as_ref(), ScalarValue::Str(s) if s.as_str() == LINK_KIND))
}

/// Reads a link document.
pub fn read_link(doc: &AutoCommit) -> Result<Link, SpaceError> {
    if !is_link(doc) {
        return Err(SpaceError::NotALink);
    }
    let schema = match doc.get(ROOT, "schema")? {
        Some((Value::Scalar(s), _)) => s.as_u64().or_else(|| s.as_i64().and_then(|v| u64::try_from(v).ok())).unwrap_or(0),
        _ => 0,
    };
    if schema > LINK_SCHEMA {
        return Err(SpaceError::NewerSchema { found: schema, supported: LINK_SCHEMA });
    }
    // The materialized tree, as for a space (`tree.rs`): several times faster than autosurgeon.
    let tree = doc.hydrate(ROOT, None)?;
    Link::from_tree(&tree).map_err(|reason| SpaceError::Unreadable(autosurgeon::HydrateError::unexpected("a link", reason)))
}

fn commit(doc: &mut AutoCommit, author: &Author, message: &str) {
    let options = CommitOptions::default().with_message(message.to_owned()).with_time(author.now.0.div_euclid(1000));
    doc.commit_with(options);
}

/// Writes to a link document as one author, each operation one change. Which half an author may
/// write is the rules' to enforce; these operations only ever write the half they are about.
/// Whether the upper space (`upper`) or the lower one may make a change `side` may make.
pub fn may_make(side: LinkSide, upper: bool) -> Result<(), SpaceError> {
    match (side, upper) {
        (LinkSide::Upper, false) => Err(SpaceError::UpperSpaceOnly),
        (LinkSide::Lower, true) => Err(SpaceError::LowerSpaceOnly),
        _ => Ok(()),
    }
}

pub struct LinkEditor<'a> {
    doc: &'a mut AutoCommit,
    author: Author,
}

impl<'a> LinkEditor<'a> {
    pub fn new(doc: &'a mut AutoCommit, author: &Author) -> Self {
        let actor = author.actor();
        if doc.get_actor() != &actor {
            doc.set_actor(actor);
        }
        LinkEditor { doc, author: *author }
    }

    fn read(&self) -> Result<Link, SpaceError> {
        read_link(self.doc)
    }

    fn me(&self) -> String {
        self.author.member.to_string()
    }

    /// The map at `path` from the root (it must be there: the link's first change makes both
    /// halves).
    fn map_at(&self, path: &[&str]) -> Result<ObjId, SpaceError> {
        let mut obj = ROOT;
        for key in path {
            obj = match self.doc.get(&obj, *key)? {
                Some((Value::Object(ObjType::Map), child)) => child,
                _ => return Err(SpaceError::NotALink),
            };
        }
        Ok(obj)
    }

    fn commit(&mut self, message: &str) {
        commit(self.doc, &self.author, message);
    }

    /// The lower space accepts the invitation. `first` adds to the same change what the sync
    /// layer needs (the lower space's own key in place of the invitation key).
    pub fn accept(&mut self, acceptance: &Acceptance, first: impl FnOnce(&mut AutoCommit)) -> Result<(), SpaceError> {
        let link = self.read()?;
        if link.state() != LinkState::Invited {
            return Err(SpaceError::Invalid(crate::Invalid::InvitationAnswered));
        }
        first(self.doc);
        let lower = self.map_at(&["lower"])?;
        for (key, value) in [("space", acceptance.lower_space.trim()), ("name", acceptance.lower_name.trim()), ("relay", acceptance.lower_relay.trim())] {
            reconcile_prop(self.doc, &lower, key, value)?;
        }
        reconcile_prop(self.doc, &lower, "shares", acceptance.shares)?;
        reconcile_prop(self.doc, &lower, "accepted_at", Some(self.author.now))?;
        self.commit("link.accept");
        Ok(())
    }

    /// Makes `edit`, as the upper space (`upper`) or the lower one; a change the other side must
    /// make is refused ([`LinkEdit::made_by`]).
    pub fn apply(&mut self, edit: LinkEdit, upper: bool) -> Result<(), SpaceError> {
        may_make(edit.made_by(), upper)?;
        match edit {
            LinkEdit::Escalate { request, escalation } => self.escalate(&request, &escalation),
            LinkEdit::Claim { escalation } => self.claim(&escalation),
            LinkEdit::Progress { escalation, line, text } => self.report_progress(&escalation, &line, &text),
            LinkEdit::Resolve { escalation } => self.resolve(&escalation),
            LinkEdit::Shares(shares) => self.set_shares(shares),
            LinkEdit::ClaimWithin(hours) => self.set_claim_limit(hours),
            LinkEdit::End => self.end(upper),
        }
    }

    /// Either side ends the link (`upper`: the upper space's half, else the lower's).
    pub fn end(&mut self, upper: bool) -> Result<(), SpaceError> {
        let half = self.map_at(&[if upper { "upper" } else { "lower" }])?;
        reconcile_prop(self.doc, &half, "ended_at", Some(self.author.now))?;
        self.commit("link.end");
        Ok(())
    }

    /// The lower space changes what it shares.
    pub fn set_shares(&mut self, shares: Shares) -> Result<(), SpaceError> {
        let lower = self.map_at(&["lower"])?;
        reconcile_prop(self.doc, &lower, "shares", shares)?;
        self.commit("link.shares");
        Ok(())
    }

    /// The lower space publishes the digest of its space. Writes only what differs from the one
    /// published last; says whether there was anything to write.
    pub fn publish(&mut self, digest: &Digest) -> Result<bool, SpaceError> {
        let link = self.read()?;
        if link.state() != LinkState::Active || link.lower.digest.same_content(digest) {
            return Ok(false);
        }
        let lower = self.map_at(&["lower"])?;
        let dated = Digest { updated_at: self.author.now, ..digest.clone() };
        reconcile_prop(self.doc, &lower, "digest", &dated)?;
        self.commit("link.publish");
        Ok(true)
    }

    /// The lower space escalates one of its requests (`id`: the request's task ID) to a
    /// department of the upper space (吹哨).
    pub fn escalate(&mut self, id: &str, escalation: &Escalation) -> Result<(), SpaceError> {
        let link = self.read()?;
        if link.state() != LinkState::Active {
            return Err(SpaceError::Invalid(crate::Invalid::EscalateOverAcceptedLink));
        }
        if !link.upper.departments.contains_key(&escalation.department) {
            return Err(SpaceError::Invalid(crate::Invalid::NoSuchDepartment));
        }
        if link.lower.escalations.contains_key(id) {
            return Err(SpaceError::AlreadyExists { kind: "escalation", id: id.to_owned() });
        }
        let escalations = self.map_at(&["lower", "escalations"])?;
        let made = Escalation { escalated_at: self.author.now, title: escalation.title.trim().to_owned(), ..escalation.clone() };
        reconcile_prop(self.doc, &escalations, id, &made)?;
        self.commit("link.escalate");
        Ok(())
    }

    /// The upper space names its departments (its categories and their responsible teams).
    pub fn set_departments(&mut self, departments: &std::collections::BTreeMap<String, Department>) -> Result<(), SpaceError> {
        let upper = self.map_at(&["upper"])?;
        reconcile_prop(self.doc, &upper, "departments", departments)?;
        self.commit("link.departments");
        Ok(())
    }

    /// The upper space sets how long a department has to claim an escalation.
    pub fn set_claim_limit(&mut self, hours: u64) -> Result<(), SpaceError> {
        if hours == 0 {
            return Err(SpaceError::Invalid(crate::Invalid::TimeLimitTooShort));
        }
        let upper = self.map_at(&["upper"])?;
        reconcile_prop(self.doc, &upper, "claim_within_hours", hours)?;
        self.commit("link.claim_limit");
        Ok(())
    }

    /// The link as read, refusing an escalation it does not hold.
    fn escalated(&self, id: &str) -> Result<Link, SpaceError> {
        let link = self.read()?;
        if !link.lower.escalations.contains_key(id) {
            return Err(SpaceError::NotFound { kind: "escalation", id: id.to_owned() });
        }
        Ok(link)
    }

    /// Writes this author's step now into `upper/<map>/<key>`.
    fn put_step(&mut self, map: &str, key: &str) -> Result<(), SpaceError> {
        let steps = self.map_at(&["upper", map])?;
        let step = Step { at: self.author.now, by: self.me() };
        reconcile_prop(self.doc, &steps, key, &step)?;
        Ok(())
    }

    /// The department claims escalation `id`.
    pub fn claim(&mut self, id: &str) -> Result<(), SpaceError> {
        let link = self.escalated(id)?;
        if link.upper.claims.contains_key(id) {
            return Err(SpaceError::Invalid(crate::Invalid::EscalationClaimed));
        }
        self.put_step("claims", id)?;
        self.commit("link.claim");
        Ok(())
    }

    /// The department reports progress on escalation `id` (`line`: a new ID).
    pub fn report_progress(&mut self, id: &str, line: &str, text: &str) -> Result<(), SpaceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SpaceError::Invalid(crate::Invalid::SayWhatHappened));
        }
        let link = self.escalated(id)?;
        let key = format!("{id}/{line}");
        if link.upper.progress.contains_key(&key) {
            return Err(SpaceError::AlreadyExists { kind: "progress", id: line.to_owned() });
        }
        let progress = self.map_at(&["upper", "progress"])?;
        let entry = Progress { at: self.author.now, by: self.me(), text: text.to_owned() };
        reconcile_prop(self.doc, &progress, key.as_str(), &entry)?;
        self.commit("link.progress");
        Ok(())
    }

    /// The department resolves escalation `id` (claiming it too, if nobody had).
    pub fn resolve(&mut self, id: &str) -> Result<(), SpaceError> {
        let link = self.escalated(id)?;
        if link.upper.resolutions.contains_key(id) {
            return Err(SpaceError::Invalid(crate::Invalid::EscalationResolved));
        }
        if !link.upper.claims.contains_key(id) {
            self.put_step("claims", id)?;
        }
        self.put_step("resolutions", id)?;
        self.commit("link.resolve");
        Ok(())
    }

    /// When the author's clock says it is.
    pub fn now(&self) -> Timestamp {
        self.author.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemberId, SharedDecision, SharedNotice, SharedPledge, SharedRequest};

    fn author(n: u8, now: i64) -> Author {
        Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(now) }
    }

    /// A link with every part filled in: departments, an acceptance sharing names, a digest of
    /// each kind, escalations claimed, reported on, resolved, and the link ended.
    fn full_link() -> AutoCommit {
        let street = author(1, 1_000);
        let community = author(2, 2_000);
        let department = Department { names: [("en".to_owned(), "Repairs".to_owned())].into(), team: "Repairs team".into(), members: [(street.member.to_string(), true)].into() };
        let invitation = Invitation {
            upper_space: "street".into(),
            upper_name: "Gulou Street".into(),
            upper_relay: "wss://street".into(),
            claim_within_hours: 24,
            departments: [("repairs".to_owned(), department)].into(),
        };
        let mut doc = new_link(&invitation, &street, |_| {});
        let acceptance =
            Acceptance { lower_space: "sanfang".into(), lower_name: "Sanfang".into(), lower_relay: "wss://community".into(), shares: Shares { names: true, ..Shares::default() } };
        LinkEditor::new(&mut doc, &community).accept(&acceptance, |_| {}).unwrap();
        let digest = Digest {
            requests: [(
                "task-1".to_owned(),
                SharedRequest {
                    title: "Lift".into(),
                    category: "Repairs".into(),
                    raised_at: Timestamp(500),
                    claimed_at: Some(Timestamp(600)),
                    resolved_at: None,
                    raised_by_name: "Guo".into(),
                },
            )]
            .into(),
            pledges: [("pledge-1".to_owned(), SharedPledge { title: "Quiet hours".into(), signatures: 12, goal: 50, deadline: Some(Timestamp(9_000)) })].into(),
            decisions: [("vote-1".to_owned(), SharedDecision { question: "Paint the gate?".into(), closed_at: Timestamp(1_500), voters: 31, result: "adopted".into() })].into(),
            urgent_notices: [("notice-1".to_owned(), SharedNotice { title: "Water off".into(), since: Timestamp(1_800) })].into(),
            updated_at: Timestamp(2_000),
        };
        LinkEditor::new(&mut doc, &community).publish(&digest).unwrap();
        for n in 0..3 {
            let escalation = Escalation {
                title: format!("Request {n}"),
                details: "Needs the street".into(),
                department: "repairs".into(),
                raised_at: Timestamp(500),
                escalated_at: Timestamp(2_000),
                raised_by_name: "Guo".into(),
                sealed: None,
            };
            LinkEditor::new(&mut doc, &community).escalate(&format!("task-{n}"), &escalation).unwrap();
        }
        LinkEditor::new(&mut doc, &street).claim("task-0").unwrap();
        LinkEditor::new(&mut doc, &street).report_progress("task-0", "1", "Survey on Tuesday").unwrap();
        LinkEditor::new(&mut doc, &street).resolve("task-0").unwrap();
        LinkEditor::new(&mut doc, &street).claim("task-1").unwrap();
        LinkEditor::new(&mut doc, &community).end(false).unwrap();
        doc
    }

    #[test]
    fn each_link_edit_is_made_only_by_its_side_and_either_side_ends() {
        let street = author(1, 1_000);
        let community = author(2, 2_000);
        let repairs = Department { names: [("en".to_owned(), "Repairs".to_owned())].into(), team: "Repairs team".into(), members: Default::default() };
        let invitation = Invitation {
            upper_space: "street".into(),
            upper_name: "Gulou Street".into(),
            upper_relay: String::new(),
            claim_within_hours: 24,
            departments: [("repairs".to_owned(), repairs)].into(),
        };
        let mut doc = new_link(&invitation, &street, |_| {});
        let acceptance = Acceptance { lower_space: "sanfang".into(), lower_name: "Sanfang".into(), lower_relay: String::new(), shares: Shares::default() };
        LinkEditor::new(&mut doc, &community).accept(&acceptance, |_| {}).unwrap();
        let escalation = Escalation {
            title: "Lift".into(),
            details: String::new(),
            department: "repairs".into(),
            raised_at: Timestamp(500),
            escalated_at: Timestamp(2_000),
            raised_by_name: String::new(),
            sealed: None,
        };
        let escalate = LinkEdit::Escalate { request: "task-1".into(), escalation };
        // The street may not escalate for the community, nor the community answer for the street.
        assert!(matches!(LinkEditor::new(&mut doc, &street).apply(escalate.clone(), true), Err(SpaceError::LowerSpaceOnly)));
        LinkEditor::new(&mut doc, &community).apply(escalate, false).unwrap();
        for answer in [LinkEdit::Claim { escalation: "task-1".into() }, LinkEdit::ClaimWithin(48), LinkEdit::Resolve { escalation: "task-1".into() }] {
            assert!(matches!(LinkEditor::new(&mut doc, &community).apply(answer.clone(), false), Err(SpaceError::UpperSpaceOnly)), "{answer:?}");
            LinkEditor::new(&mut doc, &street).apply(answer, true).unwrap();
        }
        assert!(matches!(LinkEditor::new(&mut doc, &street).apply(LinkEdit::Shares(Shares::default()), true), Err(SpaceError::LowerSpaceOnly)));
        let link = read_link(&doc).unwrap();
        assert!(link.lower.escalations.contains_key("task-1"), "the community's escalation is there");
        assert!(link.upper.claims.contains_key("task-1") && link.upper.resolutions.contains_key("task-1"), "the street's answers are there");
        assert_eq!(link.upper.claim_within_hours, 48);
        LinkEditor::new(&mut doc, &community).apply(LinkEdit::End, false).unwrap();
        assert!(read_link(&doc).unwrap().lower.ended_at.is_some(), "either side ends its half");
    }

    #[test]
    fn the_tree_reader_reads_a_link_as_autosurgeon_does() {
        let doc = full_link();
        let by_autosurgeon: Link = autosurgeon::hydrate(&doc).unwrap();
        let by_tree = read_link(&doc).unwrap();
        assert_eq!(by_tree, by_autosurgeon);
        assert_eq!(by_tree.upper.progress.len(), 1, "the sample has every part filled in");
        assert!(by_tree.lower.ended_at.is_some() && by_tree.lower.shares.names);
    }

    #[test]
    fn a_link_missing_a_required_field_is_unreadable_not_a_panic() {
        let mut doc = full_link();
        let upper = match doc.get(ROOT, "upper").unwrap() {
            Some((Value::Object(ObjType::Map), id)) => id,
            other => panic!("no upper half: {other:?}"),
        };
        doc.delete(&upper, "claim_within_hours").unwrap();
        assert!(matches!(read_link(&doc), Err(SpaceError::Unreadable(_))));
        assert!(autosurgeon::hydrate::<_, Link>(&doc).is_err(), "autosurgeon refuses it too");
    }
}
