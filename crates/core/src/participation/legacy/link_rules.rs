//! The rules of a link document made before certified IDs (`linli_model::link`), operation by
//! operation, kept as they were; links made since follow `participation/link_rules.rs`. The upper space
//! signs with the link's write key (the edit tier), the lower space with its take-part key (the
//! take-part tier, with its organiser's member key); each writes only its own half. The table
//! in docs/capabilities.md ("Linked spaces") is this file in words.

use automerge::{AutoCommit, ObjType, ScalarValue};

use super::reading::Reading;
use crate::participation::Broken;
use crate::participation::ops::PlacedOp;

pub(crate) const FIXED: &str = "a link's kind, keys and halves are fixed when it is made";
pub(crate) const UPPER_ONLY: &str = "only the upper space writes its half of a link (its answers to escalations included)";
pub(crate) const LOWER_ONLY: &str = "only the lower space writes its half of a link (acceptance, what it shares, its escalations)";
pub(crate) const NAMED_ONCE: &str = "a link names its two spaces once";
pub(crate) const OWN_KEY_ONCE: &str = "the lower space takes its own key once, when it accepts";
pub(crate) const NOT_ACCEPTED: &str = "a request is escalated only over a link both spaces accepted, and not ended";
pub(crate) const ESCALATED_ONCE: &str = "an escalation is made once, whole";
pub(crate) const UNKNOWN_DEPARTMENT: &str = "an escalation goes to a department the upper space lists";
pub(crate) const NO_ESCALATION: &str = "an answer must be to an escalation the lower space made";
pub(crate) const OUTSIDE_DEPARTMENT: &str = "only a member of the department an escalation went to answers it";
pub(crate) const ANSWER_NAMES: &str = "an answer names the member who gave it";
pub(crate) const PROGRESS_ADDED: &str = "progress is only added, never changed";
pub(crate) const FIRST_CHANGE: &str = "a new link's lower half starts empty";

/// A change by the upper space (the link's write key). `me`: the member whose signature it
/// carries, if any.
pub(crate) fn upper(read: &Reading<'_>, ops: &[PlacedOp<'_>], me: Option<&str>) -> Result<(), Broken> {
    for op in ops {
        let target = op.target();
        upper_op(read, op, &target, me).map_err(|reason| Broken { path: target.join("/"), reason })?;
    }
    Ok(())
}

fn upper_op(read: &Reading<'_>, op: &PlacedOp<'_>, target: &[&str], me: Option<&str>) -> Result<(), &'static str> {
    if read.placed.is_first() {
        // The invitation: anything but content in the lower half, which starts as empty maps.
        return match target {
            ["lower", ..] => require(op.makes(ObjType::Map), FIRST_CHANGE),
            _ => Ok(()),
        };
    }
    match target {
        ["upper", "space"] => Err(NAMED_ONCE),
        ["upper", map @ ("claims" | "resolutions"), escalation, rest @ ..] => {
            answerable(read, escalation, me)?;
            match rest {
                [] => require(op.makes(ObjType::Map), ANSWER_NAMES),
                ["by"] => require(op.value().is_some_and(|v| names(v, me)), ANSWER_NAMES),
                ["at"] => require(op.value().is_some_and(is_time), ANSWER_NAMES),
                _ => Err(if *map == "claims" { ANSWER_NAMES } else { UPPER_ONLY }),
            }
        }
        ["upper", "progress", key, rest @ ..] => {
            let escalation = key.split_once('/').map_or(*key, |(e, _)| e);
            answerable(read, escalation, me)?;
            match rest {
                [] => require(op.makes(ObjType::Map) && read.placed.fresh_key(op) && !op.overwrites, PROGRESS_ADDED),
                [field] => {
                    require(op.in_new_object, PROGRESS_ADDED)?;
                    match *field {
                        "by" => require(op.value().is_some_and(|v| names(v, me)), ANSWER_NAMES),
                        "at" => require(op.value().is_some_and(is_time), PROGRESS_ADDED),
                        "text" => require(matches!(op.value(), Some(ScalarValue::Str(_))), PROGRESS_ADDED),
                        _ => Err(PROGRESS_ADDED),
                    }
                }
                _ => Err(PROGRESS_ADDED),
            }
        }
        ["upper", "claims" | "resolutions" | "progress"] => Err(FIXED),
        ["upper", _, ..] => Ok(()),
        ["lower", ..] => Err(LOWER_ONLY),
        _ => Err(FIXED),
    }
}

/// Whether the upper space's member `me` may answer escalation `escalation`: it was made, and
/// `me` is in its department (a department that lists nobody is answered by any organiser).
fn answerable(read: &Reading<'_>, escalation: &str, me: Option<&str>) -> Result<(), &'static str> {
    let department = match read.placed.scalar_before(read.doc, &["lower", "escalations", escalation, "department"]) {
        Some(ScalarValue::Str(department)) => department.to_string(),
        _ => return Err(NO_ESCALATION),
    };
    let members: Vec<String> = read
        .placed
        .keys_before(read.doc, &["upper", "departments", &department, "members"])
        .into_iter()
        .filter(|m| read.placed.scalar_before(read.doc, &["upper", "departments", &department, "members", m]) == Some(ScalarValue::Boolean(true)))
        .collect();
    if members.is_empty() || me.is_some_and(|me| members.iter().any(|m| m == me)) { Ok(()) } else { Err(OUTSIDE_DEPARTMENT) }
}

/// A change by the lower space (the link's take-part key, with its member's signature).
pub(crate) fn lower(read: &Reading<'_>, ops: &[PlacedOp<'_>], me: &str) -> Result<(), Broken> {
    for op in ops {
        let target = op.target();
        lower_op(read, op, &target, me).map_err(|reason| Broken { path: target.join("/"), reason })?;
    }
    Ok(())
}

fn lower_op(read: &Reading<'_>, op: &PlacedOp<'_>, target: &[&str], _me: &str) -> Result<(), &'static str> {
    // A null (an optional time not set) reads as nothing.
    let before = |path: &[&str]| read.placed.scalar_before(read.doc, path).filter(|v| *v != ScalarValue::Null);
    match target {
        ["participate_key" | "participate_key_moved"] => require(before(&["lower", "accepted_at"]).is_none(), OWN_KEY_ONCE),
        ["lower", "space"] => require(before(&["lower", "space"]).is_none_or(|s| s == ScalarValue::Str("".into())), NAMED_ONCE),
        ["lower", "escalations", _, rest @ ..] => {
            let active = before(&["lower", "accepted_at"]).is_some() && before(&["lower", "ended_at"]).is_none() && before(&["upper", "ended_at"]).is_none();
            require(active, NOT_ACCEPTED)?;
            match rest {
                [] => require(op.makes(ObjType::Map) && read.placed.fresh_key(op) && !op.overwrites, ESCALATED_ONCE),
                [field] => {
                    require(op.in_new_object, ESCALATED_ONCE)?;
                    match (*field, op.value()) {
                        ("department", Some(ScalarValue::Str(department))) => {
                            require(read.placed.keys_before(read.doc, &["upper", "departments"]).iter().any(|d| d == department.as_str()), UNKNOWN_DEPARTMENT)
                        }
                        ("department", _) => Err(UNKNOWN_DEPARTMENT),
                        _ => Ok(()),
                    }
                }
                _ => require(op.in_new_object, ESCALATED_ONCE),
            }
        }
        ["lower", "escalations"] => Err(FIXED),
        ["lower", _, ..] => Ok(()),
        ["upper", ..] => Err(UPPER_ONLY),
        _ => Err(FIXED),
    }
}

fn names(value: &ScalarValue, me: Option<&str>) -> bool {
    matches!((value, me), (ScalarValue::Str(by), Some(me)) if by.as_str() == me)
}

fn require(condition: bool, reason: &'static str) -> Result<(), &'static str> {
    if condition { Ok(()) } else { Err(reason) }
}

fn is_time(value: &ScalarValue) -> bool {
    matches!(value, ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::F64(_) | ScalarValue::Timestamp(_))
}

/// Whether `doc`, as a change built on `read` found it, is a link document. The first change
/// decides it, once: later changes cannot make a space a link or a link a space.
pub(crate) fn is_link_document(read: &Reading<'_>, doc: &AutoCommit) -> bool {
    let kind = if read.placed.is_first() { read.placed.scalar_at(doc, &["kind"]) } else { read.placed.scalar_before(doc, &["kind"]) };
    matches!(kind, Some(ScalarValue::Str(kind)) if kind.as_str() == crate::LINK_KIND)
}
