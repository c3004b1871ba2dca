//! Who may write what in a space with a certified ID (every space made since certified IDs;
//! `legacy/` judges older ones). The table in docs/capabilities.md is this file in words.
//!
//! Three rules come before the table, for every operation of every change:
//! - **Shape**: what it writes fits the place (`schema.rs`): kinds, sizes, required fields.
//! - **Born with their parent**: a map, text or list inside an item is made only by the change
//!   that makes the item, and never removed. So no one can make one "beside" it later: in
//!   Automerge a second object put at the same key competes with the first (the higher operation
//!   ID is shown), whatever the change's dependencies, counters or predecessors claim.
//! - **New means new everywhere**: an entry is made only where no one else can ever make one —
//!   under the maker's own member ID (their member entry, signature, vote), or under an item ID
//!   that carries the mark of the maker's actor (`ItemId::marked`), where nothing stood: the sync
//!   layer keeps each actor's changes in one line (each builds on the one before), so an actor
//!   that made an entry there always built on it before making another. Items, comments,
//!   signatures, votes and requests are never removed, replaced or overwritten, by anyone.
//!
//! Then the table: a resident's change (the take-part tier) may write only their own entries;
//! an organiser's (the edit tier) anything but what belongs to a member.

use std::collections::{BTreeMap, HashMap};

use automerge::legacy::OpType;
use automerge::{ObjType, ScalarValue};

use super::ops::{Placed, PlacedOp};
use super::schema::{self, SPACE, Shape};
use super::{Admitted, Broken, Tier};
use crate::{ItemId, ItemMark};

/// Who made the change being judged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Writer<'a> {
    pub tier: Tier,
    /// The keyed member whose signature covers the change.
    pub member: Option<&'a str>,
    /// The mark of the change's actor: the items it makes carry it.
    pub mark: ItemMark,
    /// When the change says it was made, in milliseconds.
    pub at: i64,
}

// Why a change is refused (the sender's device shows these).
pub(crate) const ORGANISERS: &str = "this part of the space is changed by organisers";
pub(crate) const OWN_ENTRY: &str = "a member changes only their own member entry (roles are given by organisers)";
pub(crate) const JOIN_FIRST: &str = "a resident joins the space (gives a name) before taking part";
pub(crate) const OWN_SIGNATURE: &str = "only a member signs or withdraws their own signature";
pub(crate) const OWN_VOTE: &str = "only a member casts or changes their own vote";
pub(crate) const VOTE: &str = "a vote is cast whole, choosing options the consultation offers";
pub(crate) const VOTING_CLOSED: &str = "voting has closed: a closed consultation takes no votes";
pub(crate) const ASSIGNEES_ONLY: &str = "only a member the task is assigned to moves it, to a column of its board";
pub(crate) const STAYS_CLOSED: &str = "a closed consultation stays closed: what it counted is fixed";
pub(crate) const FIXED_WHEN_OPENED: &str = "a consultation's kind and how many options a vote may choose are fixed when it opens";
pub(crate) const OPTIONS_STAY: &str = "an option, once offered, stays (archive it instead): votes for it keep their meaning";
pub(crate) const NEW_REQUEST: &str = "a resident may only add a new request, with what a resident fills in";
pub(crate) const OWN_REQUEST: &str = "only the resident who raised a request adds details to it or confirms it";
pub(crate) const RAISED_BY: &str = "a request names who raised it, and only they can: it is set once, when raised";
pub(crate) const COMMENTS_ONLY_ADDED: &str = "comments are only added, never changed or removed";
pub(crate) const COMMENT_WRITER: &str = "a comment must name the member who wrote it";
pub(crate) const NOT_MARKED: &str = "a new item's ID must carry the mark of the one who makes it";
pub(crate) const MADE_ONCE: &str = "an entry is made once: one stands here already";
pub(crate) const NEVER_REMOVED: &str = "items and what holds residents' entries are never removed or replaced (archive instead)";
pub(crate) const BORN_WITH_PARENT: &str = "this part of an item is made only together with the item";
pub(crate) const KEYS: &str = "a space's keys are replaced only by new keys, never removed";
pub(crate) const FIRST_CHANGE_ONLY: &str = "this is set by a space's first change only";
pub(crate) const FEW_AT_A_TIME: &str = "a resident's change makes at most a few entries at a time";
pub(crate) const PRIVATE_IN_CLEAR: &str = "a private request's title, details and comments are written sealed, never in clear";
pub(crate) const SEALED_OUT_OF_PLACE: &str = "only a private request and the comments on it are sealed";
pub(crate) const PRIVATE_READERS: &str = "only the resident who raised a private request, its team and the organisers comment on it";
pub(crate) const TIME: &str = "a time a resident writes must be when the change was made (check this device's date and time)";

/// Most entries (a member entry, a request, a comment, a signature, a vote) one resident's change
/// may make: joining and signing in one tap makes two.
const RESIDENT_ENTRIES_PER_CHANGE: usize = 3;
/// How far a time a resident writes may be from the time their change says it was made.
const TIME_SLACK_MS: i64 = 10 * 60 * 1000;

/// Reviews a change to a certified space, operation by operation.
pub(crate) fn review(placed: &Placed<'_>, writer: &Writer<'_>) -> Result<Admitted, Broken> {
    if writer.tier == Tier::TakePart && writer.member.is_none() {
        return Err(Broken { path: String::new(), reason: "a resident's change must be signed with their member key" });
    }
    let mut judge = Judge {
        placed,
        writer,
        admitted: Admitted::default(),
        made: BTreeMap::new(),
        sizes: HashMap::new(),
        few: HashMap::new(),
        entries: 0,
        joins_now: false,
        in_clear: Default::default(),
    };
    for op in &placed.ops {
        let target = op.target();
        judge.op(op, &target).map_err(|reason| Broken { path: target.join("/"), reason })?;
    }
    judge.finish()
}

fn owned(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| (*s).to_owned()).collect()
}

/// A text or a list the change writes: what it adds and removes, and the most it may hold.
struct Size {
    added: usize,
    removed: usize,
    limit: usize,
    /// Made by this change (else it held what it held before).
    new: bool,
}

/// A map of few entries the change writes keys into: the keys, and what the change leaves at
/// each: `Some(true)` a value, `Some(false)` none, `None` what stood (a removal that named only
/// some of what stood, or nothing).
struct FewKeys {
    limit: usize,
    /// The map, if it stood before the change (else the change made it).
    existing: Option<automerge::ObjId>,
    keys: HashMap<String, Option<bool>>,
}

struct Judge<'a, 'p> {
    placed: &'a Placed<'p>,
    writer: &'a Writer<'a>,
    admitted: Admitted,
    /// Records this change makes, by path, with the fields it writes into them.
    made: BTreeMap<Vec<String>, (&'static Shape, Vec<String>)>,
    /// Texts and lists this change writes, by path.
    sizes: HashMap<Vec<String>, Size>,
    /// Maps of few entries this change writes keys into, by path.
    few: HashMap<Vec<String>, FewKeys>,
    /// Entries a resident's change makes.
    entries: usize,
    /// The change makes the writer's own member entry.
    joins_now: bool,
    /// Records this change makes that it writes text into in clear (a task's title or
    /// description, a comment's text): what a private request may not hold.
    in_clear: std::collections::HashSet<Vec<String>>,
}

impl Judge<'_, '_> {
    fn is_me(&self, member: &str) -> bool {
        self.writer.member == Some(member)
    }

    fn organiser(&self) -> bool {
        self.writer.tier == Tier::Edit
    }

    fn op(&mut self, op: &PlacedOp<'_>, target: &[&str]) -> Result<(), &'static str> {
        let shape = schema::check(&SPACE, target, op.action)?;
        self.account(op, target, shape)?;
        if let (OpType::Delete, Some((field, parent))) = (op.action, target.split_last())
            && SPACE.at(parent).is_some_and(|p| p.requires(field))
        {
            return Err(schema::REQUIRED_FIELD);
        }
        if self.writer.tier == Tier::TakePart
            && shape.is_time()
            && target.last() != Some(&"due")
            && let Some(ScalarValue::Int(ms)) = op.value()
            && (ms - self.writer.at).abs() > TIME_SLACK_MS
        {
            return Err(TIME);
        }
        if op.in_new_object {
            self.note_in_clear(op, target);
            self.inside_new(op, target)
        } else {
            self.existing(op, target)
        }
    }

    /// Notes a record this change makes that it writes text into in clear.
    fn note_in_clear(&mut self, op: &PlacedOp<'_>, target: &[&str]) {
        let written = |op: &PlacedOp<'_>| matches!(op.value(), Some(ScalarValue::Str(text)) if !text.is_empty());
        let record = match target {
            ["tasks", task, "title"] if written(op) => owned(&["tasks", task]),
            ["tasks", task, "description", "#"] if op.insert => owned(&["tasks", task]),
            ["tasks", task, "labels", _] => owned(&["tasks", task]),
            [collection, item, "comments", comment, "text"] if written(op) => owned(&[collection, item, "comments", comment]),
            _ => return,
        };
        self.in_clear.insert(record);
    }

    /// Keeps count of what the change makes: records (for their required fields), the length of
    /// texts and lists, and the keys of maps of few entries.
    fn account(&mut self, op: &PlacedOp<'_>, target: &[&str], shape: &'static Shape) -> Result<(), &'static str> {
        match op.action {
            OpType::Make(ObjType::Map) if shape.is_record() => {
                if op.repeats_key {
                    return Err(MADE_ONCE);
                }
                self.made.insert(owned(target), (shape, Vec::new()));
            }
            OpType::Make(ObjType::Map) => {
                if let Some(limit) = shape.entry_limit() {
                    self.few.insert(owned(target), FewKeys { limit, existing: None, keys: HashMap::new() });
                }
            }
            OpType::Make(ObjType::Text | ObjType::List) => {
                self.sizes.insert(owned(target), Size { added: 0, removed: 0, limit: shape.size_limit().unwrap_or(0), new: true });
            }
            _ => {}
        }
        let Some((field, parent_path)) = target.split_last() else { return Ok(()) };
        let parent = owned(parent_path);
        if op.in_new_object
            && !matches!(op.action, OpType::Delete)
            && let Some((_, fields)) = self.made.get_mut(&parent)
        {
            fields.push((*field).to_owned());
        }
        match op.key {
            // An element of a text or list: a removal counts only if it names the element.
            None => {
                let limit = SPACE.at(parent_path).and_then(Shape::size_limit).unwrap_or(0);
                let size = self.sizes.entry(parent).or_insert(Size { added: 0, removed: 0, limit, new: false });
                match op.action {
                    OpType::Delete if op.overwrites => size.removed += 1,
                    OpType::Delete => {}
                    _ if op.insert => size.added += 1,
                    _ => {}
                }
            }
            // A key of a map of few entries: what the change leaves there (its last write).
            Some(key) => {
                if let Some(limit) = SPACE.at(parent_path).and_then(Shape::entry_limit) {
                    let few = self.few.entry(parent).or_insert_with(|| FewKeys { limit, existing: op.existing.clone(), keys: HashMap::new() });
                    let after = match op.action {
                        OpType::Delete if op.empties => Some(false),
                        OpType::Delete => None,
                        _ => Some(true),
                    };
                    few.keys.insert(key.to_owned(), after);
                }
            }
        }
        Ok(())
    }

    /// An operation inside an object this change makes: what fits the shape, but every entry in
    /// it that names a member names the writer, and a resident writes only their own entries.
    fn inside_new(&mut self, op: &PlacedOp<'_>, target: &[&str]) -> Result<(), &'static str> {
        match target {
            [_, _, "comments", _, "author"] => require(op.value().and_then(ScalarValue::as_str).is_some_and(|a| self.is_me(a)), COMMENT_WRITER)?,
            ["tasks", _, "request", "raised_by"] => require(op.value().and_then(ScalarValue::as_str).is_some_and(|a| self.is_me(a)), RAISED_BY)?,
            ["pledges", _, "signatures", m, ..] => require(self.is_me(m), OWN_SIGNATURE)?,
            ["consultations", _, "votes", m, ..] => require(self.is_me(m), OWN_VOTE)?,
            ["members", m, ..] => require(self.is_me(m), OWN_ENTRY)?,
            _ => {}
        }
        if let ["consultations", c, "votes", _, "choices", option] = target {
            require(self.is_open_option(c, option), VOTE)?;
        }
        if self.organiser() {
            return Ok(());
        }
        match target {
            ["members", _, "role"] => require(op.value().and_then(ScalarValue::as_str).is_some_and(str::is_empty), OWN_ENTRY),
            ["tasks", task, rest @ ..] if self.made.contains_key(&owned(&["tasks", task])) => new_request_field(op, rest),
            ["tasks", _, "comments", _, "sealed", ..] => Ok(()),
            ["members", ..] | [_, _, "comments", _, _] | ["pledges", _, "signatures", ..] | ["consultations", _, "votes", ..] | ["tasks", _, "request", "confirmation", _] => {
                Ok(())
            }
            _ => Err(ORGANISERS),
        }
    }

    /// An operation on an object that was there when the change was made.
    fn existing(&mut self, op: &PlacedOp<'_>, target: &[&str]) -> Result<(), &'static str> {
        let organiser = self.organiser();
        let first = self.placed.is_first();
        match target {
            // ----- the root -----
            ["schema"] => require(first, FIRST_CHANGE_ONLY),
            ["write_key" | "participate_key" | "participate_seed_sealed" | "write_key_moved" | "participate_key_moved" | "home_relay" | "past_write_keys_sealed"] => {
                require(organiser && matches!(op.action, OpType::Put(_)), KEYS)
            }
            [_] if op.makes_object() || matches!(op.action, OpType::Delete) => require(first, FIRST_CHANGE_ONLY),
            ["name" | "description" | "created_at"] | ["languages", "#"] | ["kiosk", ..] => require(organiser, ORGANISERS),
            // ----- members and the organisers' registers -----
            ["members", m] => {
                self.make_own(op, m, OWN_ENTRY)?;
                self.admitted.joins |= !self.placed.held_before(op);
                self.joins_now = true;
                Ok(())
            }
            // A member's sealed call-back details, within: theirs alone, as the entry is.
            ["members", m, "contact", ..] => require(self.is_me(m), OWN_ENTRY),
            ["members", m, field] => {
                require(self.is_me(m), OWN_ENTRY)?;
                require(organiser || *field != "role" || op.value().and_then(ScalarValue::as_str).is_some_and(str::is_empty), OWN_ENTRY)
            }
            ["moderation" | "responsibilities", ..] => require(organiser, ORGANISERS),
            ["links", _] => {
                require(organiser, ORGANISERS)?;
                self.make_once(op)
            }
            ["links", ..] => require(organiser, ORGANISERS),
            // ----- items -----
            ["tasks", _] => self.make_item(op, target, true),
            ["categories" | "notices" | "pledges" | "boards" | "consultations" | "bodies" | "meetings", _] => {
                require(organiser, ORGANISERS)?;
                self.make_item(op, target, false)
            }
            [_, _, "comments", _] => self.make_item(op, target, true),
            // Organisers hand a private request to another team: its comments are sealed to one
            // more reader (a key added where none stood; what a comment says never changes).
            ["tasks", _, "comments", _, "sealed", "keys", _] if organiser => require(matches!(op.action, OpType::Put(_)) && self.placed.fresh_key(op), COMMENTS_ONLY_ADDED),
            [_, _, "comments", _, ..] => Err(COMMENTS_ONLY_ADDED),
            // ----- pledges -----
            ["pledges", _, "signatures", m] => {
                self.make_own(op, m, OWN_SIGNATURE)?;
                self.count_entry();
                Ok(())
            }
            ["pledges", _, "signatures", m, _] => require(self.is_me(m) && matches!(op.action, OpType::Put(_)), OWN_SIGNATURE),
            ["pledges", _, "paper", _] => {
                require(organiser, ORGANISERS)?;
                self.make_item(op, target, false)
            }
            // ----- consultations -----
            ["consultations", c, "votes", m] => {
                require(self.is_me(m), OWN_VOTE)?;
                require(!self.was_closed(c), VOTING_CLOSED)?;
                require(op.makes(ObjType::Map), VOTE)?;
                self.count_entry();
                Ok(())
            }
            ["consultations", _, "votes", m, ..] => require(false, if self.is_me(m) { VOTE } else { OWN_VOTE }),
            ["consultations", c, "paper", _] => {
                require(organiser, ORGANISERS)?;
                require(!self.was_closed(c), VOTING_CLOSED)?;
                self.make_item(op, target, false)
            }
            ["consultations", c, "closed"] => {
                require(organiser, ORGANISERS)?;
                require(op.makes(ObjType::Map) && !self.was_closed(c), STAYS_CLOSED)
            }
            ["consultations", _, "closed", ..] => Err(STAYS_CLOSED),
            ["consultations", _, "yes_no" | "max_choices"] => Err(FIXED_WHEN_OPENED),
            ["consultations", _, "options", _] => {
                require(organiser, ORGANISERS)?;
                require(op.makes_object(), OPTIONS_STAY)?;
                self.make_once(op)
            }
            ["consultations", _, "follow_ups", _] => {
                require(organiser, ORGANISERS)?;
                self.make_once(op)
            }
            ["consultations", _, "threshold"] => require(organiser, ORGANISERS),
            // ----- requests -----
            ["tasks", _, "request", "raised_by"] => Err(RAISED_BY),
            ["tasks", task, "request", "confirmation", ..] => require(self.raised_it(task), OWN_REQUEST),
            ["tasks", task, "description", "#"] if !organiser => {
                require(!self.placed.object_before(&["tasks", task, "sealed"], ObjType::Map), PRIVATE_IN_CLEAR)?;
                require(self.raised_it(task), OWN_REQUEST)
            }
            ["tasks", task, "updated_at"] if !organiser => require(self.raised_it(task) || self.assigned_to(task), OWN_REQUEST),
            // ----- a task's assignee moves it along (not a request: its team answers it) -----
            ["tasks", task, "column"] if !organiser => {
                require(self.assigned_to(task), ASSIGNEES_ONLY)?;
                require(self.is_column_of_its_board(task, op.value()), ASSIGNEES_ONLY)
            }
            ["tasks", task, "position"] if !organiser => require(self.assigned_to(task), ASSIGNEES_ONLY),
            ["tasks", task, "claimed_by"] if !organiser => {
                require(self.assigned_to(task), ASSIGNEES_ONLY)?;
                require(matches!(op.value(), Some(ScalarValue::Str(who)) if who.is_empty() || self.is_me(who)), ASSIGNEES_ONLY)
            }
            // ----- what organisers keep inside items -----
            ["notices", _, "translations", _] => require(organiser, ORGANISERS),
            ["boards", _, "columns", _] | ["meetings", _, "agenda", _] => {
                require(organiser, ORGANISERS)?;
                self.make_item(op, target, false)
            }
            ["meetings", _, "actions", _] => {
                require(organiser, ORGANISERS)?;
                self.make_once(op)
            }
            [_, _, "assignees" | "labels" | "attendees" | "bodies" | "names", _] | [_, _, _, _, "names" | "links", _] => {
                require(organiser, ORGANISERS)?;
                require(!op.makes_object(), BORN_WITH_PARENT)
            }
            _ => {
                require(organiser, ORGANISERS)?;
                // A field holding an object is made only with its item, and never removed.
                let holds_object = target.last() != Some(&"#") && SPACE.at(target).is_some_and(Shape::holds_object);
                require(!holds_object, if op.makes_object() { BORN_WITH_PARENT } else { NEVER_REMOVED })
            }
        }
    }

    fn count_entry(&mut self) {
        if !self.organiser() {
            self.entries += 1;
        }
    }

    /// Making the writer's own entry under their member ID (their member entry, signature or
    /// vote). Only they write there, so making it again is theirs to do.
    fn make_own(&self, op: &PlacedOp<'_>, member: &str, reason: &'static str) -> Result<(), &'static str> {
        require(self.is_me(member) && op.makes(ObjType::Map), reason)
    }

    /// Making an item (a residents' kind when `residents`: a request, a comment) under an ID
    /// that carries the maker's mark, where nothing stood.
    fn make_item(&mut self, op: &PlacedOp<'_>, target: &[&str], residents: bool) -> Result<(), &'static str> {
        require(residents || self.organiser(), ORGANISERS)?;
        require(op.makes_object(), NEVER_REMOVED)?;
        let key = target.last().copied().unwrap_or_default();
        require(ItemId::parse(key).and_then(|id| id.mark()) == Some(self.writer.mark), NOT_MARKED)?;
        self.make_once(op)?;
        if residents {
            self.count_entry();
        }
        Ok(())
    }

    /// Making an entry where nothing stood when the change was made.
    fn make_once(&self, op: &PlacedOp<'_>) -> Result<(), &'static str> {
        require(op.makes_object(), NEVER_REMOVED)?;
        require(self.placed.fresh_key(op), MADE_ONCE)
    }

    /// Whether consultation `id` had a closing when the change was made.
    fn was_closed(&self, id: &str) -> bool {
        self.placed.object_before(&["consultations", id, "closed"], ObjType::Map)
    }

    /// Whether `option` is one consultation `id` offers (as the change found it, or makes it),
    /// not archived.
    fn is_open_option(&self, id: &str, option: &str) -> bool {
        let doc = self.placed.before.doc();
        let here = |field: &str| self.placed.scalar_at(doc, &["consultations", id, "options", option, field]);
        here("position").is_some() && here("archived") != Some(ScalarValue::Boolean(true))
    }

    /// Whether the writer was assigned task `task` (not a request) when the change was made.
    fn assigned_to(&self, task: &str) -> bool {
        let Some(me) = self.writer.member else { return false };
        let doc = self.placed.before.doc();
        !self.placed.object_before(&["tasks", task, "request"], ObjType::Map) && self.placed.scalar_at(doc, &["tasks", task, "assignees", me]) == Some(ScalarValue::Boolean(true))
    }

    /// Whether `column` names a column of task `task`'s board (as the change found them).
    fn is_column_of_its_board(&self, task: &str, column: Option<&ScalarValue>) -> bool {
        let doc = self.placed.before.doc();
        let (Some(ScalarValue::Str(board)), Some(ScalarValue::Str(column))) = (self.placed.scalar_at(doc, &["tasks", task, "board"]), column) else { return false };
        self.placed.object_before(&["boards", &board, "columns", column], ObjType::Map)
    }

    /// Whether the writer was on the team responsible for request `task`'s category when the
    /// change was made.
    fn on_its_team(&self, task: &str) -> bool {
        let Some(me) = self.writer.member else { return false };
        let doc = self.placed.before.doc();
        let Some(ScalarValue::Str(category)) = self.placed.scalar_at(doc, &["tasks", task, "request", "category"]) else { return false };
        self.placed.scalar_at(doc, &["responsibilities", &category, "members", me]) == Some(ScalarValue::Boolean(true))
    }

    /// Whether the writer raised the request that task `task` is.
    fn raised_it(&self, task: &str) -> bool {
        match self.placed.scalar_at(self.placed.before.doc(), &["tasks", task, "request", "raised_by"]) {
            Some(ScalarValue::Str(who)) => self.is_me(&who),
            _ => false,
        }
    }

    /// What is checked once every operation passed: each record made has its required fields,
    /// texts and lists stay within their size, a resident made a few entries at most, had joined
    /// (or joins now), and raised each request they made as themselves, and judging stayed
    /// within its cost.
    fn finish(self) -> Result<Admitted, Broken> {
        let broken = |path: &[String], reason| Broken { path: path.join("/"), reason };
        for (path, (shape, fields)) in &self.made {
            if let Some(missing) = shape.required().find(|field| !fields.iter().any(|f| f == field)) {
                return Err(broken(&[path.clone(), vec![missing.to_owned()]].concat(), schema::MISSING_FIELD));
            }
        }
        for (path, size) in &self.sizes {
            let before = if size.new { 0 } else { self.placed.length_before(&path.iter().map(String::as_str).collect::<Vec<_>>()) };
            if (before + size.added).saturating_sub(size.removed) > size.limit {
                return Err(broken(path, schema::TOO_LONG));
            }
        }
        for (path, few) in &self.few {
            // Only a write can grow a map: with none, no lookup.
            if !few.keys.values().any(|after| *after == Some(true)) {
                continue;
            }
            let before: std::collections::HashSet<String> = few.existing.as_ref().map(|obj| self.placed.keys_of(obj).into_iter().collect()).unwrap_or_default();
            let added = few.keys.iter().filter(|(key, after)| **after == Some(true) && !before.contains(*key)).count();
            let removed = few.keys.iter().filter(|(key, after)| **after == Some(false) && before.contains(*key)).count();
            if (before.len() + added).saturating_sub(removed) > few.limit {
                return Err(broken(path, schema::TOO_LONG));
            }
        }
        for (path, (_, fields)) in &self.made {
            let sealed = fields.iter().any(|f| f == "sealed");
            match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["tasks", _] if sealed && self.in_clear.contains(path) => return Err(broken(path, PRIVATE_IN_CLEAR)),
                ["tasks", task, "comments", _] => {
                    let private = self.placed.object_before(&["tasks", task, "sealed"], ObjType::Map);
                    if private && (!sealed || self.in_clear.contains(path)) {
                        return Err(broken(path, PRIVATE_IN_CLEAR));
                    }
                    if !sealed && !private {
                        continue;
                    }
                    if !private {
                        return Err(broken(path, SEALED_OUT_OF_PLACE));
                    }
                    if !self.organiser() && !self.raised_it(task) && !self.on_its_team(task) {
                        return Err(broken(path, PRIVATE_READERS));
                    }
                }
                [_, _, "comments", _] if sealed => return Err(broken(path, SEALED_OUT_OF_PLACE)),
                _ => {}
            }
        }
        if self.writer.tier == Tier::TakePart {
            let me = self.writer.member.unwrap_or_default();
            if self.entries > RESIDENT_ENTRIES_PER_CHANGE {
                return Err(broken(&[], FEW_AT_A_TIME));
            }
            if !self.joins_now && !self.placed.object_before(&["members", me], ObjType::Map) {
                return Err(broken(&["members".to_owned(), me.to_owned()], JOIN_FIRST));
            }
            for path in self.made.keys() {
                if let [collection, task] = path.as_slice()
                    && collection == "tasks"
                    && !self.raised_it(task)
                {
                    return Err(broken(path, NEW_REQUEST));
                }
            }
        }
        if !self.placed.before.within_budget() {
            return Err(broken(&[], super::as_of::TOO_COSTLY));
        }
        Ok(self.admitted)
    }
}

/// A field of a request a resident is raising (`rest`: the path inside the new task): what the
/// request form fills in, and nothing a team writes.
fn new_request_field(op: &PlacedOp<'_>, rest: &[&str]) -> Result<(), &'static str> {
    let value = op.value();
    let allowed = match rest {
        ["board" | "column" | "position" | "title" | "created_at" | "updated_at" | "due"] => true,
        ["archived"] => value == Some(&ScalarValue::Boolean(false)),
        ["description"] | ["description", "#"] | ["labels", _] => true,
        ["assignees" | "comments" | "labels"] => op.makes(ObjType::Map),
        ["claimed_by"] => matches!(value, Some(ScalarValue::Str(s)) if s.is_empty()),
        ["request"] => op.makes(ObjType::Map),
        ["request", "raised_by" | "raised_at" | "category"] => true,
        ["request", "claimed_at" | "resolved_at" | "confirmation"] => value == Some(&ScalarValue::Null),
        ["sealed"] | ["sealed", "keys"] => op.makes(ObjType::Map),
        ["sealed", "body"] | ["sealed", "keys", _] => true,
        _ => false,
    };
    require(allowed, NEW_REQUEST)
}

fn require(condition: bool, reason: &'static str) -> Result<(), &'static str> {
    if condition { Ok(()) } else { Err(reason) }
}
