//! The rules of a link document with a certified ID (`linli_model::link`), operation by
//! operation. The upper space signs with the link's write key (the edit tier), the lower space with
//! its take-part key (the take-part tier, with its organiser's member key); each writes only
//! its own half, and what each writes fits the link's shape (`schema.rs`). What a link is — its
//! kind, its keys, its two halves — is fixed by its first change, which the sync layer admits only
//! under the key its ID certifies. The table in docs/capabilities.md ("Linked spaces") is this file
//! in words.

use std::collections::BTreeMap;

use automerge::legacy::OpType;
use automerge::{ObjType, ScalarValue};

use super::ops::{Placed, PlacedOp};
use super::schema::{self, LINK, Shape};
use super::{Broken, Tier};

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
const SIGNED_BY_ORGANISER: &str = "a lower space's change must be signed with its organiser's member key";

/// Reviews a change to a certified link document. `member`: the keyed member whose signature
/// covers it, if any.
pub(crate) fn review(placed: &Placed<'_>, tier: Tier, member: Option<&str>) -> Result<(), Broken> {
    let broken = |path: String, reason| Broken { path, reason };
    if tier == Tier::TakePart && member.is_none() {
        return Err(broken(String::new(), SIGNED_BY_ORGANISER));
    }
    let mut made: BTreeMap<Vec<String>, (&'static Shape, Vec<String>)> = BTreeMap::new();
    for op in &placed.ops {
        let target = op.target();
        judge_op(placed, op, &target, tier, member, &mut made).map_err(|reason| broken(target.join("/"), reason))?;
    }
    for (path, (shape, fields)) in &made {
        if let Some(missing) = shape.required().find(|field| !fields.iter().any(|f| f == field)) {
            return Err(broken(format!("{}/{missing}", path.join("/")), schema::MISSING_FIELD));
        }
    }
    if !placed.before.within_budget() {
        return Err(broken(String::new(), super::as_of::TOO_COSTLY));
    }
    Ok(())
}

/// One operation: its shape, the records it makes (for their required fields), then the half it
/// writes.
fn judge_op(
    placed: &Placed<'_>,
    op: &PlacedOp<'_>,
    target: &[&str],
    tier: Tier,
    member: Option<&str>,
    made: &mut BTreeMap<Vec<String>, (&'static Shape, Vec<String>)>,
) -> Result<(), &'static str> {
    let owned = |path: &[&str]| path.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let shape = schema::check(&LINK, target, op.action)?;
    if let (OpType::Delete, Some((field, parent))) = (op.action, target.split_last())
        && LINK.at(parent).is_some_and(|p| p.requires(field))
    {
        return Err(schema::REQUIRED_FIELD);
    }
    if matches!(op.action, OpType::Make(ObjType::Map)) && shape.is_record() {
        if op.repeats_key {
            return Err(ESCALATED_ONCE);
        }
        made.insert(owned(target), (shape, Vec::new()));
    }
    if let Some((field, parent)) = target.split_last()
        && op.in_new_object
        && let Some((_, fields)) = made.get_mut(&owned(parent))
    {
        fields.push((*field).to_owned());
    }
    match tier {
        Tier::Edit => upper_op(placed, op, target, member),
        Tier::TakePart => lower_op(placed, op, target),
    }
}

/// An operation of the upper space.
fn upper_op(placed: &Placed<'_>, op: &PlacedOp<'_>, target: &[&str], me: Option<&str>) -> Result<(), &'static str> {
    if placed.is_first() {
        // The invitation: anything but content in the lower half, which starts as empty maps.
        return match target {
            ["lower", ..] => require(op.makes(ObjType::Map), FIRST_CHANGE),
            _ => Ok(()),
        };
    }
    match target {
        ["upper", "space"] => Err(NAMED_ONCE),
        ["upper", map @ ("claims" | "resolutions"), escalation, rest @ ..] => {
            answerable(placed, escalation, me)?;
            match rest {
                [] => require(op.makes(ObjType::Map), ANSWER_NAMES),
                ["by"] => require(op.value().is_some_and(|v| names(v, me)), ANSWER_NAMES),
                ["at"] => Ok(()),
                _ => Err(if *map == "claims" { ANSWER_NAMES } else { UPPER_ONLY }),
            }
        }
        ["upper", "progress", key, rest @ ..] => {
            let escalation = key.split_once('/').map_or(*key, |(e, _)| e);
            answerable(placed, escalation, me)?;
            match rest {
                [] => require(op.makes(ObjType::Map) && placed.fresh_key(op), PROGRESS_ADDED),
                [field] => {
                    require(op.in_new_object, PROGRESS_ADDED)?;
                    require(*field != "by" || op.value().is_some_and(|v| names(v, me)), ANSWER_NAMES)
                }
                _ => Err(PROGRESS_ADDED),
            }
        }
        ["upper", "claims" | "resolutions" | "progress"] | ["upper"] => Err(FIXED),
        ["upper", _, ..] => Ok(()),
        ["lower", ..] => Err(LOWER_ONLY),
        _ => Err(FIXED),
    }
}

/// Whether the upper space's member `me` may answer escalation `escalation`: it was made, and
/// `me` is in its department (a department that lists nobody is answered by any organiser).
fn answerable(placed: &Placed<'_>, escalation: &str, me: Option<&str>) -> Result<(), &'static str> {
    let doc = placed.before.doc();
    let department = match placed.scalar_before(doc, &["lower", "escalations", escalation, "department"]) {
        Some(ScalarValue::Str(department)) => department.to_string(),
        _ => return Err(NO_ESCALATION),
    };
    let members: Vec<String> = placed
        .keys_before(doc, &["upper", "departments", &department, "members"])
        .into_iter()
        .filter(|m| placed.scalar_before(doc, &["upper", "departments", &department, "members", m]) == Some(ScalarValue::Boolean(true)))
        .collect();
    if members.is_empty() || me.is_some_and(|me| members.iter().any(|m| m == me)) { Ok(()) } else { Err(OUTSIDE_DEPARTMENT) }
}

/// An operation of the lower space.
fn lower_op(placed: &Placed<'_>, op: &PlacedOp<'_>, target: &[&str]) -> Result<(), &'static str> {
    let doc = placed.before.doc();
    // A null (an optional time not set) reads as nothing.
    let before = |path: &[&str]| placed.scalar_before(doc, path).filter(|v| *v != ScalarValue::Null);
    match target {
        ["participate_key" | "participate_key_moved"] => require(matches!(op.action, OpType::Put(_)) && before(&["lower", "accepted_at"]).is_none(), OWN_KEY_ONCE),
        ["lower", "space"] => require(before(&["lower", "space"]).is_none_or(|s| s == ScalarValue::Str("".into())), NAMED_ONCE),
        ["lower", "escalations", _, rest @ ..] => {
            let active = before(&["lower", "accepted_at"]).is_some() && before(&["lower", "ended_at"]).is_none() && before(&["upper", "ended_at"]).is_none();
            require(active, NOT_ACCEPTED)?;
            match rest {
                [] => require(op.makes(ObjType::Map) && placed.fresh_key(op), ESCALATED_ONCE),
                [field] => {
                    require(op.in_new_object, ESCALATED_ONCE)?;
                    match (*field, op.value()) {
                        ("department", Some(ScalarValue::Str(department))) => {
                            require(placed.keys_before(doc, &["upper", "departments"]).iter().any(|d| d == department.as_str()), UNKNOWN_DEPARTMENT)
                        }
                        ("department", _) => Err(UNKNOWN_DEPARTMENT),
                        _ => Ok(()),
                    }
                }
                _ => require(op.in_new_object, ESCALATED_ONCE),
            }
        }
        ["lower", "escalations"] | ["lower"] => Err(FIXED),
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
