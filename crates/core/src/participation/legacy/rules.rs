//! The rules of spaces made before certified IDs, operation by operation: what a resident's change
//! may write (everything else is refused) and what an organiser's change may not (everything else
//! is allowed). Kept as they were, so that such spaces judge their history as they always did;
//! spaces made since follow `space_rules.rs`.

use std::collections::BTreeMap;

use automerge::legacy::OpType;
use automerge::{ObjType, ScalarValue};

use crate::MemberId;
use crate::participation::Admitted;
use crate::participation::Broken;
use crate::participation::ops::PlacedOp;

use super::reading::Reading;

pub(crate) const OWN_ENTRY: &str = "a resident changes only their own name in their own member entry (roles are given by organisers)";
pub(crate) const OWN_SIGNATURE: &str = "a resident may only sign a pledge, or withdraw, as themselves";
pub(crate) const NEW_REQUEST: &str = "a resident may only add a new request, with what a resident fills in";
pub(crate) const OWN_REQUEST: &str = "a resident may only add details to, or confirm, a request they raised";
pub(crate) const COMMENTS_ONLY_ADDED: &str = "comments are only added, never changed or removed";
pub(crate) const COMMENT_WRITER: &str = "a comment must name the member who wrote it";
pub(crate) const OWN_VOTE: &str = "a resident may only cast their own vote";
pub(crate) const VOTE: &str = "a vote chooses options of the consultation, and says when it was cast";
pub(crate) const VOTING_CLOSED: &str = "voting has closed: a closed consultation takes no votes";
pub(crate) const ORGANISERS: &str = "this part of the space is changed by organisers";

/// A resident's change (take-part tier): each operation must be one the table allows.
pub(crate) fn take_part(read: &Reading<'_>, ops: &[PlacedOp<'_>], me: &str) -> Result<Admitted, Broken> {
    let mut admitted = Admitted::default();
    // New tasks and comments of this change, with whether they name `me` as their writer.
    let mut new_tasks: BTreeMap<String, bool> = BTreeMap::new();
    let mut new_comments: BTreeMap<Vec<String>, bool> = BTreeMap::new();
    for op in ops {
        let target = op.target();
        participant_op(read, op, &target, me, &mut new_tasks, &mut new_comments, &mut admitted).map_err(|reason| Broken { path: target.join("/"), reason })?;
    }
    if let Some((task, _)) = new_tasks.iter().find(|(_, raised_by_me)| !**raised_by_me) {
        return Err(Broken { path: format!("tasks/{task}"), reason: NEW_REQUEST });
    }
    if let Some((comment, _)) = new_comments.iter().find(|(_, by_me)| !**by_me) {
        return Err(Broken { path: comment.join("/"), reason: COMMENT_WRITER });
    }
    Ok(admitted)
}

fn participant_op(
    read: &Reading<'_>,
    op: &PlacedOp<'_>,
    target: &[&str],
    me: &str,
    new_tasks: &mut BTreeMap<String, bool>,
    new_comments: &mut BTreeMap<Vec<String>, bool>,
    admitted: &mut Admitted,
) -> Result<(), &'static str> {
    let is_new_key = || read.placed.fresh_key(op) && !op.overwrites;
    match target {
        ["members", m] if *m == me => {
            require(op.makes(ObjType::Map), OWN_ENTRY)?;
            admitted.joins |= is_new_key();
            Ok(())
        }
        ["members", m, field] if *m == me => match (*field, op.value()) {
            ("name", Some(ScalarValue::Str(name))) if !name.trim().is_empty() => Ok(()),
            ("joined_at", Some(value)) if is_time(value) => Ok(()),
            ("role", Some(ScalarValue::Str(role))) if role.is_empty() => Ok(()),
            _ => Err(OWN_ENTRY),
        },
        ["members", ..] => Err(OWN_ENTRY),
        ["pledges", _, "signatures", m] if *m == me => require(op.makes(ObjType::Map), OWN_SIGNATURE),
        ["pledges", _, "signatures", m, "name" | "signed_at" | "withdrawn_at"] if *m == me => require(matches!(op.action, OpType::Put(_) | OpType::Delete), OWN_SIGNATURE),
        ["pledges", ..] => Err(OWN_SIGNATURE),
        ["tasks", task] => {
            require(op.makes(ObjType::Map) && is_new_key(), NEW_REQUEST)?;
            new_tasks.insert((*task).to_owned(), false);
            Ok(())
        }
        ["tasks", task, rest @ ..] if new_tasks.contains_key(*task) => {
            let raised_by_me = new_task_field(op, rest, me)?;
            if raised_by_me {
                new_tasks.insert((*task).to_owned(), true);
            }
            Ok(())
        }
        [kind @ ("tasks" | "notices" | "consultations"), item, "comments", comment] => {
            require(op.makes(ObjType::Map) && is_new_key(), COMMENTS_ONLY_ADDED)?;
            new_comments.insert(vec![(*kind).to_owned(), (*item).to_owned(), "comments".to_owned(), (*comment).to_owned()], false);
            Ok(())
        }
        [kind @ ("tasks" | "notices" | "consultations"), item, "comments", comment, field] => {
            let key = vec![(*kind).to_owned(), (*item).to_owned(), "comments".to_owned(), (*comment).to_owned()];
            require(op.in_new_object && new_comments.contains_key(&key), COMMENTS_ONLY_ADDED)?;
            match (*field, op.value()) {
                ("author", Some(ScalarValue::Str(author))) if author.as_str() == me => {
                    new_comments.insert(key, true);
                    Ok(())
                }
                ("author", _) => Err(COMMENT_WRITER),
                ("at", Some(value)) if is_time(value) => Ok(()),
                ("text", Some(ScalarValue::Str(_))) => Ok(()),
                _ => Err(COMMENTS_ONLY_ADDED),
            }
        }
        ["tasks", task, rest @ ..] if read.raised_by(task).as_deref() == Some(me) => own_request_field(op, rest),
        ["tasks", ..] => Err(OWN_REQUEST),
        // A notice posted by an older Linli has no comments map: the first comment makes it.
        ["notices", _, "comments"] => require(op.makes(ObjType::Map) && is_new_key(), COMMENTS_ONLY_ADDED),
        ["notices", ..] => Err(ORGANISERS),
        ["consultations", c, "votes", m, rest @ ..] if *m == me => own_vote(read, op, c, rest),
        ["consultations", ..] => Err(OWN_VOTE),
        _ => Err(ORGANISERS),
    }
}

/// A member's own vote (`rest` is the path inside `votes/<member>`): made whole, choosing options
/// the consultation has, while it is not closed. Votes are public: the member's ID is the key.
fn own_vote(read: &Reading<'_>, op: &PlacedOp<'_>, consultation: &str, rest: &[&str]) -> Result<(), &'static str> {
    require(!read.was_closed(consultation), VOTING_CLOSED)?;
    let allowed = match rest {
        [] => op.makes(ObjType::Map),
        ["choices"] => op.makes(ObjType::Map),
        ["choices", option] => op.value() == Some(&ScalarValue::Boolean(true)) && read.is_option(consultation, option),
        ["at"] => op.value().is_some_and(is_time),
        _ => false,
    };
    require(allowed, VOTE)
}

/// A field of a request a resident is raising (`rest` is the path inside the new task). Returns
/// whether the operation names `me` as the one who raised it.
fn new_task_field(op: &PlacedOp<'_>, rest: &[&str], me: &str) -> Result<bool, &'static str> {
    let value = op.value();
    let allowed = match rest {
        ["board" | "column" | "position" | "title"] => matches!(value, Some(ScalarValue::Str(_))),
        ["description"] => op.makes(ObjType::Text),
        ["description", "#"] => matches!(op.action, OpType::Put(_) | OpType::Delete),
        ["assignees" | "comments" | "labels"] => op.makes(ObjType::Map),
        ["labels", _] => value == Some(&ScalarValue::Boolean(true)),
        ["claimed_by"] => matches!(value, Some(ScalarValue::Str(s)) if s.is_empty()),
        ["due"] => value.is_some_and(|v| is_time(v) || *v == ScalarValue::Null),
        ["request"] => op.makes(ObjType::Map),
        ["request", "raised_by"] => {
            return match value {
                Some(ScalarValue::Str(who)) if who.as_str() == me => Ok(true),
                _ => Err(NEW_REQUEST),
            };
        }
        ["request", "raised_at"] | ["created_at" | "updated_at"] => value.is_some_and(is_time),
        ["request", "category"] => matches!(value, Some(ScalarValue::Str(_))),
        ["request", "claimed_at" | "resolved_at" | "confirmation"] => value == Some(&ScalarValue::Null),
        ["archived"] => value == Some(&ScalarValue::Boolean(false)),
        _ => false,
    };
    require(allowed, NEW_REQUEST).map(|()| false)
}

/// What the resident who raised a request may still write to it: details in its description,
/// when it was last updated, and their confirmation.
fn own_request_field(op: &PlacedOp<'_>, rest: &[&str]) -> Result<(), &'static str> {
    let value = op.value();
    let allowed = match rest {
        ["description", "#"] => matches!(op.action, OpType::Put(_) | OpType::Delete),
        ["updated_at"] => value.is_some_and(is_time),
        ["request", "confirmation"] => op.makes(ObjType::Map) || value == Some(&ScalarValue::Null),
        ["request", "confirmation", "resolved"] => matches!(value, Some(ScalarValue::Boolean(_))),
        ["request", "confirmation", "at"] => value.is_some_and(is_time),
        _ => false,
    };
    require(allowed, OWN_REQUEST)
}

pub(crate) const OTHERS_ENTRY: &str = "only a member changes their own member entry";
pub(crate) const OTHERS_SIGNATURE: &str = "only a member signs or withdraws their own signature";
pub(crate) const OTHERS_VOTE: &str = "only a member casts or changes their own vote";
pub(crate) const RAISED_BY: &str = "a request names who raised it, and only they can: it is set once, when raised";
pub(crate) const CONFIRMATION: &str = "only the resident who raised a request confirms it";
pub(crate) const STAYS_CLOSED: &str = "a closed consultation stays closed: what it counted is fixed";
pub(crate) const HOLDERS: &str = "what holds residents' own entries is never deleted or replaced";

/// An organiser's change (edit tier): anything, except what belongs to a member. `me` is the
/// keyed member whose signature the change carries, if any.
pub(crate) fn edit(read: &Reading<'_>, ops: &[PlacedOp<'_>], me: Option<&str>) -> Result<(), Broken> {
    for op in ops {
        let target = op.target();
        editor_op(read, op, &target, me).map_err(|reason| Broken { path: target.join("/"), reason })?;
    }
    Ok(())
}

fn editor_op(read: &Reading<'_>, op: &PlacedOp<'_>, target: &[&str], me: Option<&str>) -> Result<(), &'static str> {
    // Older members (no key) cannot prove anything; only keyed members' entries are theirs.
    let someone_else = |member: &str| MemberId::parse(member).is_some_and(|m| m.is_keyed()) && Some(member) != me;
    let removes = matches!(op.action, OpType::Delete) || op.overwrites;
    match target {
        ["kind"] => Err(super::link_rules::FIXED),
        ["members", m, ..] if someone_else(m) => Err(OTHERS_ENTRY),
        ["pledges", _, "signatures", m, ..] if someone_else(m) => Err(OTHERS_SIGNATURE),
        ["consultations", _, "votes", m, ..] if someone_else(m) => Err(OTHERS_VOTE),
        ["consultations", c, "votes", _, ..] if read.was_closed(c) => Err(VOTING_CLOSED),
        ["consultations", c, "closed", ..] if read.was_closed(c) => Err(STAYS_CLOSED),
        ["tasks" | "notices" | "consultations", _, "comments", _] => require(op.makes(ObjType::Map) && read.placed.fresh_key(op) && !op.overwrites, COMMENTS_ONLY_ADDED),
        ["tasks" | "notices" | "consultations", _, "comments", _, field] => {
            require(op.in_new_object, COMMENTS_ONLY_ADDED)?;
            match (*field, op.value()) {
                ("author", Some(ScalarValue::Str(author))) if someone_else(author) => Err(COMMENT_WRITER),
                _ => Ok(()),
            }
        }
        ["tasks" | "notices" | "consultations", _, "comments", _, _, ..] => Err(COMMENTS_ONLY_ADDED),
        ["tasks", _, "request", "raised_by"] => {
            require(op.in_new_object, RAISED_BY)?;
            match op.value() {
                Some(ScalarValue::Str(who)) if someone_else(who) => Err(RAISED_BY),
                _ => Ok(()),
            }
        }
        ["tasks", task, "request", "confirmation", ..] => match read.raised_by(task) {
            Some(raiser) if someone_else(&raiser) => Err(CONFIRMATION),
            _ => Ok(()),
        },
        ["members" | "pledges" | "tasks" | "notices" | "consultations"]
        | ["members" | "pledges" | "tasks" | "notices" | "consultations", _]
        | ["pledges", _, "signatures"]
        | ["tasks", _, "comments" | "request"]
        | ["notices", _, "comments"]
        | ["consultations", _, "votes" | "comments"]
            if removes =>
        {
            Err(HOLDERS)
        }
        _ => Ok(()),
    }
}

fn require(condition: bool, reason: &'static str) -> Result<(), &'static str> {
    if condition { Ok(()) } else { Err(reason) }
}

fn is_time(value: &ScalarValue) -> bool {
    matches!(value, ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::F64(_) | ScalarValue::Timestamp(_))
}
