//! Which of a peer's incoming changes a document accepts: all of them for an open document; for a
//! protected one, only those its signatures place under a capability and the rules then admit
//! (docs/capabilities.md).
//!
//! - **Edit**: a valid signature under the write key in force, on the change or on a change of
//!   the message that descends from it (`vouching`).
//! - **Take part**: a member signature that comes with a signature under the take-part key,
//!   on the change or on the same member's chain above it. Such a change is judged as taking
//!   part even when a later edit vouches for it; only its own write-key signature makes it an edit.
//! - A change whose actor names a keyed member must carry that member's signature, whatever its
//!   tier: no one writes in a member's name.
//!
//! The write key in force is the document's own; for a document this peer does not have yet, the
//! one its first change (the change without dependencies) sets. A change that moves a key is an
//! edit and is accepted only under the key before it. Changes are judged in causal order against
//! what they build on, by the application's rules (`rules`); a change built on a refused one is
//! refused too. Everything refused is not applied, not stored, so never forwarded. A change whose
//! dependencies have not arrived waits (bounded) until they do.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::sync::{self, ChunkList};
use automerge::{AutoCommit, Change, ChangeHash};

use crate::DocumentId;
use crate::capability::{ChangeSignature, protection};
use crate::home_relay::{Receipt, RelayKey, home};
use crate::lineage::Lines;
use crate::member_key::{MemberSignature, actor_member};
use crate::rules::{ChangeRules, Reviewed, Tier, without_rules};
use crate::signature_book::SignatureBook;
use crate::storage_chunks::{self, ChunkType};
use crate::take_part_key::take_part_protection;
use crate::vouching::{member_vouched, vouched};

/// A change this peer refused, and why (in words a person can read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub change: ChangeHash,
    pub reason: String,
}

/// What became of an incoming sync message.
#[derive(Debug)]
pub(crate) enum Admission {
    /// The document is open: hand the message to Automerge unchanged.
    Open(sync::Message),
    /// The document is protected. The accepted changes are applied already and their signatures
    /// kept; `rest` carries no changes and, in place of refused heads, their nearest accepted
    /// ancestors, so that sync settles instead of asking for the refused changes again.
    Checked { rest: sync::Message, refused: Vec<Refused> },
}

/// What one document remembers between messages.
#[derive(Debug, Default)]
pub(crate) struct Remembered {
    /// Changes refused so far, by hash, with their dependencies: a peer that keeps a refused
    /// change names it among its heads in every message, and is heard as if it named the
    /// change's accepted ancestors (else both sides would answer each other for ever).
    refused: HashMap<ChangeHash, Vec<ChangeHash>>,
    /// Changes an accepted write-key signature vouched for that have not arrived yet (sync may
    /// send a change after its descendants); they are accepted when they come.
    vouched_ahead: HashSet<ChangeHash>,
    /// The same for member signatures, with the actor the change must have.
    member_ahead: HashMap<ChangeHash, (Vec<u8>, MemberSignature)>,
    /// The same for the home relay's receipts (`home_relay`).
    receipted_ahead: HashSet<ChangeHash>,
    /// Changes among `waiting` that are within the rules and wait only for the home relay's
    /// receipt: passed on to peers (towards the home), see [`Remembered::awaiting_receipt`].
    awaiting_receipt: HashSet<ChangeHash>,
    /// Changes whose dependencies have not arrived yet, with the signatures that came with them,
    /// judged once the dependencies have: bounded in count and bytes, the oldest dropped first
    /// (a sender whose change was dropped offers it again when it next syncs).
    waiting: Waiting,
    /// The latest change of each actor, for the lineage of the next (`lineage.rs`).
    pub(crate) lines: Lines,
}

/// Changes waiting for their dependencies, oldest first.
#[derive(Debug, Default)]
struct Waiting {
    changes: HashMap<ChangeHash, (Change, Option<ChangeSignature>, Option<MemberSignature>)>,
    /// The home relay's receipts that came with waiting changes: a peer tells each receipt once,
    /// so one that came with a change whose dependencies had not arrived must wait with it.
    receipts: HashMap<ChangeHash, Receipt>,
    order: std::collections::VecDeque<ChangeHash>,
    bytes: usize,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn contains(&self, hash: &ChangeHash) -> bool {
        self.changes.contains_key(hash)
    }

    /// The receipts kept with waiting changes (taken before [`Waiting::take`]).
    fn take_receipts(&mut self) -> HashMap<ChangeHash, Receipt> {
        std::mem::take(&mut self.receipts)
    }

    /// Keeps a receipt for a change that waits.
    fn keep_receipt(&mut self, receipt: Receipt) {
        if self.changes.contains_key(&receipt.hash) {
            self.receipts.insert(receipt.hash, receipt);
        }
    }

    fn take(&mut self) -> Vec<(Change, Option<ChangeSignature>, Option<MemberSignature>)> {
        self.bytes = 0;
        self.receipts.clear();
        let mut changes = std::mem::take(&mut self.changes);
        std::mem::take(&mut self.order).into_iter().filter_map(|hash| changes.remove(&hash)).collect()
    }

    /// Keeps a change to judge later, dropping the oldest while past the bounds.
    fn keep(&mut self, change: Change, write: Option<ChangeSignature>, member: Option<MemberSignature>) {
        let hash = change.hash();
        if self.changes.contains_key(&hash) {
            return;
        }
        self.bytes += change.raw_bytes().len();
        self.order.push_back(hash);
        self.changes.insert(hash, (change, write, member));
        while self.changes.len() > MAX_WAITING || self.bytes > MAX_WAITING_BYTES {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some((dropped, _, _)) = self.changes.remove(&oldest) {
                self.bytes -= dropped.raw_bytes().len();
                self.receipts.remove(&oldest);
            }
        }
    }
}

/// Most changes a document holds waiting for their dependencies, and most bytes.
const MAX_WAITING: usize = 2_000;
const MAX_WAITING_BYTES: usize = 8 << 20;
/// Most missing dependencies asked for in one message.
const MAX_ASKED: usize = 64;

impl Remembered {
    /// Whether refused change `hash` builds on a change `doc` holds: the peer that sent it
    /// shares our history (a peer holding another document under this ID sends none such).
    pub(crate) fn refused_builds_on(&self, doc: &mut AutoCommit, hash: &ChangeHash) -> bool {
        self.refused.get(hash).is_some_and(|deps| deps.iter().any(|dep| doc.get_change_meta_by_hash(dep).is_some()))
    }

    /// The changes a peer's heads are heard without, each with its dependencies: those refused,
    /// and those waiting for the home relay's receipt. A peer that holds such a change names it
    /// among its heads; heard as is, each side would see the other behind and answer for ever
    /// (the change is here already, or will never be).
    fn settling(&self) -> std::borrow::Cow<'_, HashMap<ChangeHash, Vec<ChangeHash>>> {
        if self.awaiting_receipt.is_empty() {
            return std::borrow::Cow::Borrowed(&self.refused);
        }
        let mut all = self.refused.clone();
        for hash in &self.awaiting_receipt {
            if let Some((change, _, _)) = self.waiting.changes.get(hash) {
                all.insert(*hash, change.deps().to_vec());
            }
        }
        std::borrow::Cow::Owned(all)
    }

    /// Whether a change waits for the home relay's receipt that `forwarded` does not hold.
    pub(crate) fn has_unforwarded(&self, forwarded: &HashSet<ChangeHash>) -> bool {
        self.awaiting_receipt.iter().any(|hash| !forwarded.contains(hash) && self.waiting.changes.contains_key(hash))
    }

    /// The changes that wait only for the home relay's receipt, with the signatures they came
    /// with, oldest first: a peer passes them on so that they reach the home, which gives the
    /// receipt (the peer that made them may never meet the home itself).
    pub(crate) fn awaiting_receipt(&self) -> impl Iterator<Item = &(Change, Option<ChangeSignature>, Option<MemberSignature>)> {
        self.waiting.order.iter().filter(|hash| self.awaiting_receipt.contains(hash)).filter_map(|hash| self.waiting.changes.get(hash))
    }

    /// What this peer asks for in place of the changes it holds back until their dependencies
    /// arrive. Automerge, not seeing those changes, would ask for the waiting change itself,
    /// which the sender sent already and does not send twice; and a sender that took a missing
    /// dependency for one we have (a Bloom filter's false positive) would never send it: neither
    /// side would ever move. So `need` names the missing dependencies instead.
    pub(crate) fn ask_for_missing(&self, doc: &mut AutoCommit, need: &mut Vec<ChangeHash>) {
        // Never ask for a change this peer refused: it would be refused again.
        need.retain(|hash| !self.refused.contains_key(hash));
        if self.waiting.is_empty() {
            return;
        }
        need.retain(|hash| !self.waiting.contains(hash));
        need.truncate(MAX_ASKED);
        'asking: for hash in self.waiting.order.iter().rev() {
            let Some((change, _, _)) = self.waiting.changes.get(hash) else { continue };
            for dep in change.deps() {
                if need.len() >= MAX_ASKED {
                    break 'asking;
                }
                if !self.waiting.contains(dep) && !need.contains(dep) && doc.get_change_meta_by_hash(dep).is_none() {
                    need.push(*dep);
                }
            }
        }
        // Automerge encodes `need` sorted.
        need.sort();
        need.dedup();
    }
}

/// Past this many remembered refusals (or signatures vouching ahead) a document remembers no
/// more: a flood costs bounded memory.
const MAX_REMEMBERED: usize = 10_000;

/// The signatures a message offered beside its changes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Offered<'a> {
    pub write: &'a [ChangeSignature],
    pub member: &'a [MemberSignature],
    pub receipts: &'a [Receipt],
}

/// Most receipts of one message looked at: an honest message carries one per change head it
/// sends and one per head of the sender's copy; each costs a signature check, so a message of
/// thousands of forged ones must not.
const MAX_RECEIPTS: usize = 64;

/// Who judges: the document's ID, the application's rules (none: see `without_rules`), the
/// judging peer's own key if it is a relay (it gives receipts for the spaces it is the home of),
/// and the member this peer's own changes are signed by, if any.
#[derive(Clone, Copy)]
pub(crate) struct Judge<'a> {
    pub document_id: DocumentId,
    pub rules: Option<&'a dyn ChangeRules>,
    pub relay: Option<&'a RelayKey>,
    pub me: Option<[u8; 32]>,
}

impl Judge<'_> {
    /// Whether this peer must wait for a receipt before taking another's change into `doc`: the
    /// document names a home relay, and it is not this peer.
    fn awaits_receipts(&self, doc: &AutoCommit) -> Option<[u8; 32]> {
        home(doc).filter(|home| self.relay.is_none_or(|key| key.public() != *home))
    }

    /// Whether a change within the rules is taken without the home relay's receipt: an edit
    /// (signed with the write key: organisers hold it, and no public link does), or one of this
    /// peer's own member's (another tab of this browser; no one else can sign as that member). A
    /// resident's change from another device waits for the receipt, since the writer of a
    /// take-part link could send another change in its place elsewhere.
    fn trusts_without_receipt(&self, reviewed: &Reviewed<'_>) -> bool {
        reviewed.tier == Tier::Edit || (reviewed.member.is_some() && reviewed.member == self.me)
    }
}

impl Judge<'_> {
    /// The rules' verdicts on `changes`, whose dependencies are all in `doc`.
    fn verdicts(&self, doc: &AutoCommit, changes: &[Reviewed<'_>]) -> Vec<Result<(), String>> {
        match self.rules {
            Some(rules) => rules.review(&self.document_id, doc, changes),
            None => without_rules(changes),
        }
    }
}

/// Why a change signed with no key of its space is refused (the device's link was stopped, or
/// it holds a view link): what a device tells apart to say so.
pub const NOT_SIGNED: &str = "it is not signed with a key of this space (a view link, or a link that was stopped)";
const NOT_THEIRS: &str = "it is written in a member's name without that member's signature";
const BUILT_ON_REFUSED: &str = "it builds on a change that was refused";
const VOUCHER_REFUSED: &str = "the only signature that vouches for it is on a later change that was refused";
/// Past this many changes taken back for want of a signature, the rounds stop looking for more.
const MAX_UNVOUCHED: usize = 64;

/// How a change was vouched for.
enum Voucher {
    /// By a signature on the change itself (or one that came before it).
    Own,
    /// By the member signature on this later change of the member's own chain.
    Member(ChangeHash),
    /// By the write-key signature on a later change of the same message.
    Edit,
}

/// `roots` and their ancestors among `changes` (by hash, with their dependencies).
fn ancestors_among(roots: impl IntoIterator<Item = ChangeHash>, deps_of: &HashMap<ChangeHash, Vec<ChangeHash>>) -> HashSet<ChangeHash> {
    let mut seen = HashSet::new();
    let mut stack: Vec<ChangeHash> = roots.into_iter().collect();
    while let Some(hash) = stack.pop() {
        if let Some(deps) = deps_of.get(&hash)
            && seen.insert(hash)
        {
            stack.extend(deps.iter().copied());
        }
    }
    seen
}

const NOT_GENUINE: &str = "this is not the document its ID names (its first change does not set the key the ID certifies)";

/// Decides on `message` and applies what it accepts to `doc`. Runs Automerge on untrusted bytes:
/// call it inside [`crate::contain`] and treat `doc` as poisoned after a panic.
pub(crate) fn admit(
    doc: &mut AutoCommit,
    message: sync::Message,
    offered: Offered<'_>,
    book: &mut SignatureBook,
    memory: &mut Remembered,
    judge: Judge<'_>,
) -> Result<Admission, String> {
    let offered = Offered { receipts: &offered.receipts[..offered.receipts.len().min(MAX_RECEIPTS)], ..offered };
    // Receipts may let changes in that waited for them.
    let receipts_for_waiting = !offered.receipts.is_empty() && !memory.waiting.is_empty();
    if message.changes.is_empty() && !receipts_for_waiting {
        keep_receipts(doc, offered.receipts, book, judge);
        if memory.refused.is_empty() && memory.awaiting_receipt.is_empty() {
            return Ok(Admission::Open(message));
        }
        let heads = settled_heads(doc, &message.heads, &memory.settling());
        return Ok(Admission::Checked { rest: sync::Message { heads, ..message }, refused: Vec::new() });
    }
    let is_empty = doc.get_heads().is_empty();
    let certified = judge.document_id.is_certified();
    if protection(doc).is_none() && !is_empty {
        if certified {
            // A certified ID's document is protected from its first change on; one that is not
            // was planted (and is set aside when loaded): take nothing into it.
            let incoming = changes_in(doc, &message.changes)?;
            let refused = incoming.iter().map(|c| Refused { change: c.hash(), reason: NOT_GENUINE.to_owned() }).collect();
            return Ok(refuse_all(doc, message, refused, memory, &incoming));
        }
        return Ok(Admission::Open(message));
    }
    let mut incoming = changes_in(doc, &message.changes)?;
    let mut refused: Vec<Refused> = Vec::new();
    // For a document this peer does not have yet: the keys its first change sets. A certified ID
    // names its first change's write key: a first change that sets another is refused, and so is
    // every other change without dependencies.
    let genesis = if is_empty {
        if certified {
            let genuine = genesis_certified(&incoming, &judge.document_id)?;
            incoming.retain(|c| {
                let stray = c.deps().is_empty() && Some(c.hash()) != genuine.as_ref().map(|g| g.0);
                if stray {
                    refused.push(Refused { change: c.hash(), reason: NOT_GENUINE.to_owned() });
                }
                !stray
            });
            genuine.map_or((None, None), |g| (Some(g.1), g.2))
        } else {
            genesis_keys(&incoming)?
        }
    } else {
        (None, None)
    };
    if is_empty && genesis.0.is_none() {
        if certified {
            let already: HashSet<ChangeHash> = refused.iter().map(|r| r.change).collect();
            refused.extend(incoming.iter().filter(|c| !already.contains(&c.hash())).map(|c| Refused { change: c.hash(), reason: NOT_GENUINE.to_owned() }));
            return Ok(refuse_all(doc, message, refused, memory, &incoming));
        }
        return Ok(Admission::Open(message));
    }
    memory.lines.prepare(doc);
    let mut offered_write: HashMap<ChangeHash, ChangeSignature> = offered.write.iter().map(|s| (s.hash, *s)).collect();
    let mut offered_member: HashMap<ChangeHash, MemberSignature> = offered.member.iter().map(|s| (s.hash, *s)).collect();
    let mut offered_receipts: HashMap<ChangeHash, Receipt> = offered.receipts.iter().map(|r| (r.hash, *r)).collect();
    for (hash, receipt) in memory.waiting.take_receipts() {
        offered_receipts.entry(hash).or_insert(receipt);
    }
    let mut pending: Vec<Change> = Vec::new();
    let mut seen = HashSet::new();
    // Changes that waited for their dependencies come back with the signatures they came with
    // (the message that brings the dependencies need not carry them again).
    let waited: Vec<Change> = memory
        .waiting
        .take()
        .into_iter()
        .map(|(change, write, member)| {
            if let Some(write) = write {
                offered_write.entry(write.hash).or_insert(write);
            }
            if let Some(member) = member {
                offered_member.entry(member.hash).or_insert(member);
            }
            change
        })
        .collect();
    for change in incoming.into_iter().chain(waited) {
        if seen.insert(change.hash()) && doc.get_change_meta_by_hash(&change.hash()).is_none() {
            pending.push(change);
        }
    }
    let deps_of: HashMap<ChangeHash, Vec<ChangeHash>> = pending.iter().map(|c| (c.hash(), c.deps().to_vec())).collect();
    let mut waiting: Vec<Change> = Vec::new();
    // A change taken on the signature of a later change (its vouching) must not stay when that
    // later change is refused: it would be kept here with no signature any other peer takes, and
    // this copy would differ from every other for good. Such a change is found once the rounds
    // are over; the document is then taken back to where it was and the rounds run again
    // without it (`unvouched`: the change and the one whose signature it was taken on).
    let (before_heads, actor) = (doc.get_heads(), doc.get_actor().clone());
    let (all_pending, refused_before) = (pending.clone(), refused.len());
    let mut unvouched: HashMap<ChangeHash, ChangeHash> = HashMap::new();
    let mut held_back: HashSet<ChangeHash> = HashSet::new();
    let mut earlier: HashMap<ChangeHash, String> = HashMap::new();
    let ahead_before = (memory.vouched_ahead.clone(), memory.member_ahead.clone(), memory.receipted_ahead.clone());
    let (keep_write, keep_member) = loop {
        let mut keep_write: Vec<ChangeSignature> = Vec::new();
        let mut keep_member: Vec<MemberSignature> = Vec::new();
        // How each accepted change was vouched for, and which were signed with the write key.
        let mut vouchers: Vec<(ChangeHash, Voucher)> = Vec::new();
        let mut edit_signed: HashSet<ChangeHash> = HashSet::new();
        // A document has one first change: once one is taken, any other without dependencies is refused.
        let mut first_taken = false;
        while !pending.is_empty() {
            let pending_now: HashSet<ChangeHash> = pending.iter().map(Change::hash).collect();
            let write_key = protection(doc).or(genesis.0);
            let take_part_key = take_part_protection(doc).or(genesis.1);
            let mut signed = HashSet::new();
            if let Some(public) = write_key {
                for change in &pending {
                    let hash = change.hash();
                    if offered_write.get(&hash).is_some_and(|s| s.is_valid_under(&public)) || book.get(&hash).is_some_and(|s| s.is_valid_under(&public)) {
                        signed.insert(hash);
                    }
                }
            }
            let edit = vouched(doc, &pending, &signed, &mut memory.vouched_ahead, MAX_REMEMBERED);
            let members = member_vouched(doc, &pending, &offered_member, book, &mut memory.member_ahead, MAX_REMEMBERED);
            let round_home = judge.awaits_receipts(doc);
            let receipted = match round_home {
                Some(home) => receipted(doc, &pending, &offered_receipts, book, &home, &mut memory.receipted_ahead),
                None => HashSet::new(),
            };

            let (order, unready) = causal_order(doc, &pending);
            let mut blocked: HashSet<ChangeHash> = unready.iter().map(|i| pending[*i].hash()).collect();
            let mut candidates: Vec<(usize, Reviewed<'_>)> = Vec::new();
            let mut edit_from_here: Option<HashSet<ChangeHash>> = None;
            for index in order {
                let change = &pending[index];
                let hash = change.hash();
                if change.deps().iter().any(|d| blocked.contains(d)) || unvouched.contains_key(&hash) {
                    blocked.insert(hash);
                    continue;
                }
                let cover = members.get(&hash);
                // A change signed with the write key is an edit. One its member signed with the
                // take-part key is judged as that, even when a later edit vouches for it: an edit
                // vouches for its ancestors' existence, not for the capability they were made under
                // (in a link document, the upper space's edits build on the lower space's changes).
                let takes_part = cover.is_some_and(|s| take_part_key.is_some_and(|key| s.takes_part_under(&key)));
                // Taking part under another key than the one in force, on top of changes still to
                // apply (one of which may move the key): judged in a later round, once they are in.
                let later = !takes_part && cover.is_some_and(|s| s.participation.is_some()) && change.deps().iter().any(|d| pending_now.contains(d));
                let tier = if signed.contains(&hash) {
                    Tier::Edit
                } else if takes_part {
                    Tier::TakePart
                } else if later {
                    blocked.insert(hash);
                    continue;
                } else if edit.contains(&hash) {
                    Tier::Edit
                } else {
                    blocked.insert(hash);
                    continue;
                };
                if actor_member(change.actor_id().to_bytes()).is_some() && cover.is_none() {
                    refused.push(Refused { change: hash, reason: NOT_THEIRS.to_owned() });
                    blocked.insert(hash);
                    continue;
                }
                let voucher = if signed.contains(&hash) {
                    Voucher::Own
                } else if takes_part {
                    match cover {
                        Some(s) if s.hash != hash => Voucher::Member(s.hash),
                        _ => Voucher::Own,
                    }
                } else {
                    let from_here = edit_from_here.get_or_insert_with(|| ancestors_among(pending.iter().map(Change::hash).filter(|h| signed.contains(h)), &deps_of));
                    if from_here.contains(&hash) { Voucher::Edit } else { Voucher::Own }
                };
                if signed.contains(&hash) {
                    edit_signed.insert(hash);
                }
                vouchers.push((hash, voucher));
                candidates.push((index, Reviewed { change, tier, member: cover.map(|s| s.member) }));
            }
            if candidates.is_empty() {
                // (What an earlier round held back still waits: nothing of it was judged again.)
                break;
            }
            // Changes that wait for the home relay's receipt, and those built on them, in this
            // round (one held in an earlier round is judged again: this round may take it, a
            // receipt having come with a change now in, or the home having been named in it).
            held_back.clear();
            // Judge in causal order, each change against the document as it is with the admitted ones
            // before it applied: its dependencies are then the document's heads, as a rule, which
            // makes reading the document as of them cheap.
            let mut accepted: HashSet<usize> = HashSet::new();
            let mut refused_now: HashSet<ChangeHash> = HashSet::new();
            for (index, candidate) in &candidates {
                let hash = candidate.change.hash();
                if candidate.change.deps().iter().any(|d| held_back.contains(d)) {
                    held_back.insert(hash);
                    continue;
                }
                let verdict = if candidate.change.deps().iter().any(|d| refused_now.contains(d)) {
                    Err(BUILT_ON_REFUSED.to_owned())
                } else if let Err(reason) = memory.lines.check(doc, candidate.change, is_empty && !first_taken) {
                    Err(reason.to_owned())
                } else {
                    let verdict = judge.verdicts(doc, std::slice::from_ref(candidate)).pop().unwrap_or_else(|| Err("not judged".to_owned()));
                    if verdict.is_ok()
                        && !judge.trusts_without_receipt(candidate)
                        && let Some(home) = judge.awaits_receipts(doc)
                        && (Some(home) != round_home || !receipted.contains(&hash))
                    {
                        // Within the rules, but not taken before the home relay's receipt covers
                        // it (or, should this round have named a new home, judged in the next
                        // round against it).
                        held_back.insert(hash);
                        continue;
                    }
                    if verdict.is_ok() {
                        doc.apply_changes(vec![candidate.change.clone()]).map_err(|e| e.to_string())?;
                        memory.lines.applied(std::slice::from_ref(candidate.change));
                        first_taken |= candidate.change.deps().is_empty();
                    }
                    verdict
                };
                match verdict {
                    Ok(()) => {
                        accepted.insert(*index);
                    }
                    Err(reason) => {
                        refused_now.insert(hash);
                        refused.push(Refused { change: hash, reason });
                    }
                }
            }
            if accepted.is_empty() {
                pending.retain(|c| !refused_now.contains(&c.hash()));
                break;
            }
            let mut rest = Vec::new();
            for (index, change) in std::mem::take(&mut pending).into_iter().enumerate() {
                if accepted.contains(&index) {
                    let hash = change.hash();
                    keep_write.extend(offered_write.get(&hash).filter(|_| signed.contains(&hash)));
                    keep_member.extend(members.get(&hash).filter(|s| s.hash == hash));
                } else if !refused_now.contains(&change.hash()) {
                    rest.push(change);
                }
            }
            pending = rest;
        }
        let taken = |doc: &mut AutoCommit, hash: &ChangeHash| doc.get_change_meta_by_hash(hash).is_some();
        let signed_taken: Vec<ChangeHash> = edit_signed.iter().copied().filter(|h| taken(doc, h)).collect();
        let edit_covered = ancestors_among(signed_taken, &deps_of);
        let mut orphans: Vec<(ChangeHash, ChangeHash)> = Vec::new();
        for (hash, voucher) in &vouchers {
            if !taken(doc, hash) {
                continue;
            }
            match voucher {
                Voucher::Own => {}
                Voucher::Member(by) if !taken(doc, by) => orphans.push((*hash, *by)),
                Voucher::Member(_) => {}
                Voucher::Edit if !edit_covered.contains(hash) => {
                    // Taken back with the signed descendants that were refused.
                    let by = edit_signed.iter().find(|h| !taken(doc, h)).copied().unwrap_or(*hash);
                    orphans.push((*hash, by));
                }
                Voucher::Edit => {}
            }
        }
        if orphans.is_empty() || unvouched.len() > MAX_UNVOUCHED {
            break (keep_write, keep_member);
        }
        unvouched.extend(orphans);
        for refusal in refused.drain(refused_before..) {
            earlier.entry(refusal.change).or_insert(refusal.reason);
        }
        (memory.vouched_ahead, memory.member_ahead, memory.receipted_ahead) = ahead_before.clone();
        *doc = doc.fork_at(&before_heads).map_err(|e| e.to_string())?;
        doc.set_actor(actor.clone());
        memory.lines.forget();
        memory.lines.prepare(doc);
        pending = all_pending.clone();
    };
    for signature in keep_write {
        book.insert(signature);
    }
    for signature in keep_member {
        book.insert_member(signature);
    }
    // What is left either waits for changes it builds on, or was never vouched for.
    let (_, unready) = causal_order(doc, &pending);
    let unready: HashSet<ChangeHash> = unready.into_iter().map(|i| pending[i].hash()).collect();
    for change in pending {
        let hash = change.hash();
        if refused.iter().any(|r| r.change == hash) {
            continue;
        }
        // A change whose voucher waits (for its dependencies, or for the home relay's receipt)
        // waits with it.
        if unready.contains(&hash) || held_back.contains(&hash) || unvouched.get(&hash).is_some_and(|by| unready.contains(by) || held_back.contains(by)) {
            waiting.push(change);
        } else if let Some(by) = unvouched.get(&hash) {
            let why = earlier.get(by).map_or(NOT_SIGNED, String::as_str);
            refused.push(Refused { change: hash, reason: format!("{VOUCHER_REFUSED} ({why})") });
        } else if let Some(reason) = earlier.remove(&hash) {
            refused.push(Refused { change: hash, reason });
        } else {
            refused.push(Refused { change: hash, reason: NOT_SIGNED.to_owned() });
        }
    }
    memory.awaiting_receipt.clear();
    for change in waiting {
        let hash = change.hash();
        if held_back.contains(&hash) {
            memory.awaiting_receipt.insert(hash);
        }
        memory.waiting.keep(change, offered_write.get(&hash).copied(), offered_member.get(&hash).copied());
        if let Some(receipt) = offered_receipts.get(&hash) {
            memory.waiting.keep_receipt(*receipt);
        }
    }
    for refusal in &refused {
        if memory.refused.len() < MAX_REMEMBERED {
            memory.refused.insert(refusal.change, deps_of.get(&refusal.change).cloned().unwrap_or_default());
        }
    }
    keep_receipts(doc, offered.receipts, book, judge);
    let heads = settled_heads(doc, &message.heads, &memory.settling());
    let rest = sync::Message { heads, changes: ChunkList::empty(), ..message };
    Ok(Admission::Checked { rest, refused })
}

/// The changes of `pending` a receipt of `home` covers: one offered or kept for the change, for a
/// pending change it is an ancestor of, or for one it is an ancestor of that has not arrived yet
/// (remembered in `ahead`).
fn receipted(
    doc: &mut AutoCommit,
    pending: &[Change],
    offered: &HashMap<ChangeHash, Receipt>,
    book: &SignatureBook,
    home: &[u8; 32],
    ahead: &mut HashSet<ChangeHash>,
) -> HashSet<ChangeHash> {
    let pending_hashes: HashSet<ChangeHash> = pending.iter().map(Change::hash).collect();
    let mut signed = HashSet::new();
    for (hash, receipt) in offered {
        if !receipt.is_valid_under(home) {
            continue;
        }
        if pending_hashes.contains(hash) {
            signed.insert(*hash);
        } else if ahead.len() < MAX_REMEMBERED && doc.get_change_meta_by_hash(hash).is_none() {
            ahead.insert(*hash);
        }
    }
    signed.extend(pending_hashes.iter().filter(|hash| book.receipt(hash).is_some_and(|r| r.is_valid_under(home))));
    vouched(doc, pending, &signed, ahead, MAX_REMEMBERED)
}

/// Keeps the offered receipts of the document's home relay for changes the document holds; and
/// at the home relay itself, gives a receipt for each head of its copy.
fn keep_receipts(doc: &mut AutoCommit, offered: &[Receipt], book: &mut SignatureBook, judge: Judge<'_>) {
    let Some(home) = home(doc) else { return };
    if let Some(relay) = judge.relay.filter(|key| key.public() == home) {
        for head in doc.get_heads() {
            if book.receipt(&head).is_none() {
                book.insert_receipt(relay.receipt(head));
            }
        }
        return;
    }
    for receipt in offered {
        if book.receipt(&receipt.hash).is_none() && doc.get_change_meta_by_hash(&receipt.hash).is_some() && receipt.is_valid_under(&home) {
            book.insert_receipt(*receipt);
        }
    }
}

/// The indices of `pending` in causal order (each after the pending changes it depends on),
/// leaving out — second list — those that depend on a change neither pending nor in `doc`.
fn causal_order(doc: &mut AutoCommit, pending: &[Change]) -> (Vec<usize>, Vec<usize>) {
    let index: HashMap<ChangeHash, usize> = pending.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let mut waiting_on = vec![0usize; pending.len()];
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); pending.len()];
    let mut missing = vec![false; pending.len()];
    for (i, change) in pending.iter().enumerate() {
        for dep in change.deps() {
            match index.get(dep) {
                Some(&d) => {
                    waiting_on[i] += 1;
                    dependants[d].push(i);
                }
                None => missing[i] |= doc.get_change_meta_by_hash(dep).is_none(),
            }
        }
    }
    let mut ready: Vec<usize> = (0..pending.len()).filter(|i| waiting_on[*i] == 0 && !missing[*i]).collect();
    ready.reverse();
    let mut order = Vec::with_capacity(pending.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &next in &dependants[i] {
            waiting_on[next] -= 1;
            if waiting_on[next] == 0 && !missing[next] {
                ready.push(next);
            }
        }
    }
    let placed: HashSet<usize> = order.iter().copied().collect();
    let unready = (0..pending.len()).filter(|i| !placed.contains(i)).collect();
    (order, unready)
}

/// The changes carried by a sync message that `doc` does not have: change chunks, or a document
/// chunk (automerge sends a whole or partial saved document when there are many changes; a
/// partial one only loads on top of what the receiver has, so it is loaded into a copy of `doc`
/// to take the changes out of it — each is then judged on its own).
fn changes_in(doc: &mut AutoCommit, chunks: &ChunkList) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    let mut documents = Vec::new();
    // An entry may hold several chunks one after another (Automerge's second message format):
    // each change is taken on its own, so one whose dependencies are missing waits here rather
    // than vanishing in a document load.
    for entry in chunks.iter() {
        for (kind, chunk) in storage_chunks::split(entry)? {
            match kind {
                ChunkType::Change => changes.push(Change::from_bytes(chunk.to_vec()).map_err(|e| format!("not a change: {e}"))?),
                ChunkType::Document => documents.push(chunk),
            }
        }
    }
    if documents.is_empty() {
        return Ok(changes);
    }
    let mut copy = doc.clone();
    let before = copy.get_heads();
    for chunk in documents {
        copy.load_incremental(chunk).map_err(|e| format!("neither a change nor a document: {e}"))?;
    }
    changes.extend(copy.get_changes(&before));
    Ok(changes)
}

/// The write key and take-part key set by the document's first change (the one without
/// dependencies), if the message carries it. A Linli space is protected from its first change on.
fn genesis_keys(incoming: &[Change]) -> Result<(Option<[u8; 32]>, Option<[u8; 32]>), String> {
    let genesis: Vec<Change> = incoming.iter().filter(|c| c.deps().is_empty()).cloned().collect();
    let mut trial = AutoCommit::new();
    trial.apply_changes(genesis).map_err(|e| e.to_string())?;
    Ok((protection(&trial), take_part_protection(&trial)))
}

/// Refuses every change of `message` (a certified ID's document that its changes are not): the
/// refusals are remembered like any other, so that the sender, which keeps its changes, is heard
/// as having nothing this peer wants, and sync settles.
fn refuse_all(doc: &mut AutoCommit, message: sync::Message, refused: Vec<Refused>, memory: &mut Remembered, incoming: &[Change]) -> Admission {
    for refusal in &refused {
        if memory.refused.len() < MAX_REMEMBERED {
            let deps = incoming.iter().find(|c| c.hash() == refusal.change).map(|c| c.deps().to_vec()).unwrap_or_default();
            memory.refused.insert(refusal.change, deps);
        }
    }
    let heads = settled_heads(doc, &message.heads, &memory.settling());
    Admission::Checked { rest: sync::Message { heads, changes: ChunkList::empty(), ..message }, refused }
}

/// The first change (without dependencies) among `incoming` whose write key the certified ID
/// `id` certifies, with that key and its take-part key.
fn genesis_certified(incoming: &[Change], id: &DocumentId) -> Result<Option<(ChangeHash, [u8; 32], Option<[u8; 32]>)>, String> {
    for change in incoming.iter().filter(|c| c.deps().is_empty()) {
        let mut trial = AutoCommit::new();
        trial.apply_changes(vec![change.clone()]).map_err(|e| e.to_string())?;
        if let Some(key) = protection(&trial).filter(|key| id.certifies(key)) {
            return Ok(Some((change.hash(), key, take_part_protection(&trial))));
        }
    }
    Ok(None)
}

/// The peer's heads as this peer will remember them: each refused head replaced by its nearest
/// ancestors that were not refused, leaving out any of those that another head descends from
/// (so that a peer level with us, but for its refused changes, is heard as level with us).
fn settled_heads(doc: &mut AutoCommit, heads: &[ChangeHash], refused: &HashMap<ChangeHash, Vec<ChangeHash>>) -> Vec<ChangeHash> {
    let mut out = BTreeSet::new();
    let mut substituted = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(ChangeHash, bool)> = heads.iter().map(|h| (*h, false)).collect();
    while let Some((hash, is_substitute)) = stack.pop() {
        if !seen.insert(hash) {
            continue;
        }
        match refused.get(&hash) {
            Some(deps) => stack.extend(deps.iter().map(|d| (*d, true))),
            None => {
                out.insert(hash);
                if is_substitute {
                    substituted.insert(hash);
                }
            }
        }
    }
    for hash in substituted {
        let known: Vec<ChangeHash> = out.iter().copied().filter(|h| *h != hash && doc.get_change_by_hash(h).is_some()).collect();
        let is_ancestor = |doc: &mut AutoCommit, other: ChangeHash| !doc.get_changes(&[other]).iter().any(|c| c.hash() == hash);
        if known.into_iter().any(|other| is_ancestor(doc, other)) {
            out.remove(&hash);
        }
    }
    // A peer whose every head was refused (it holds another document under this ID, or only
    // changes this peer refuses) is heard with its own heads: Automerge would take empty heads for
    // a peer that lost everything, and send it everything again, for ever.
    if out.is_empty() && !heads.is_empty() {
        let mut heads = heads.to_vec();
        heads.sort();
        return heads;
    }
    out.into_iter().collect()
}
