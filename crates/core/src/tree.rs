//! Reading the space's types from Automerge's materialized tree (`ReadDoc::hydrate`), which is
//! several times faster than reading field by field: opening a space reads the whole document
//! once, then converts. The rules mirror the autosurgeon derives on the types exactly (the same
//! value types accepted, the same defaults for missing fields); tests check the two agree.

use std::cell::RefCell;
use std::collections::BTreeMap;

use automerge::ScalarValue;
use automerge::hydrate::{Map, Value};

use crate::Comment;
use crate::Moderation;
use crate::NoticeTranslation;
use crate::SpaceLink;
use crate::Unreadable;
use crate::{ActionItem, AgendaItem, Body, Meeting};
use crate::{Board, Column, Member, Notice, Pledge, Task, Timestamp};
use crate::{Category, KioskSettings, Responsibility, Sealed, TeamKey};
use crate::{Closing, Consultation, FollowUp, PaperCount, Threshold, Vote, VoteOption};
use crate::{Confirmation, Request};
use crate::{Department, Digest, Escalation, Link, LowerSide, Progress, SharedDecision, SharedNotice, SharedPledge, SharedRequest, Shares, Step, UpperSide};
use crate::{PaperSignatures, Signature};

/// Where reading is, and the parts it left out: an entry of a map (a signature, a comment, a
/// vote…) that cannot be read is left out on its own and noted, so it never takes its item with
/// it (one malformed signature must not hide a pledge from every screen).
#[derive(Default)]
struct Reading {
    path: Vec<String>,
    left_out: Vec<Unreadable>,
}

thread_local! {
    static READING: RefCell<Reading> = RefCell::default();
}

/// Runs `read` one segment deeper in the path.
fn within<R>(segment: &str, read: impl FnOnce() -> R) -> R {
    READING.with(|r| r.borrow_mut().path.push(segment.to_owned()));
    let result = read();
    READING.with(|r| r.borrow_mut().path.pop());
    result
}

/// Notes a part left out, at the current path.
fn leave_out(reason: String) {
    READING.with(|r| {
        let mut reading = r.borrow_mut();
        let path = reading.path.join("/");
        reading.left_out.push(Unreadable { path, reason });
    });
}

/// Reads `value` as found at `path` (e.g. `pledges/<id>`), with the parts of it left out.
pub(crate) fn read_at<T: FromTree>(path: &str, value: &Value) -> (Result<T, String>, Vec<Unreadable>) {
    let before =
        READING.with(|r| std::mem::replace(&mut *r.borrow_mut(), Reading { path: path.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect(), left_out: Vec::new() }));
    let result = T::from_tree(value);
    let reading = READING.with(|r| std::mem::replace(&mut *r.borrow_mut(), before));
    (result, reading.left_out)
}

/// A value readable from the materialized tree.
pub(crate) trait FromTree: Sized {
    fn from_tree(value: &Value) -> Result<Self, String>;
}

fn found(value: &Value) -> String {
    match value {
        Value::Scalar(s) => format!("{s:?}"),
        Value::Map(_) => "a map".into(),
        Value::List(_) => "a list".into(),
        Value::Text(_) => "a text".into(),
    }
}

fn scalar<'a>(value: &'a Value, expected: &str) -> Result<&'a ScalarValue, String> {
    match value {
        Value::Scalar(s) => Ok(s),
        other => Err(format!("expected {expected}, found {}", found(other))),
    }
}

pub(crate) fn as_map(value: &Value) -> Result<&Map, String> {
    match value {
        Value::Map(map) => Ok(map),
        other => Err(format!("expected a map, found {}", found(other))),
    }
}

impl FromTree for String {
    /// A string, or a collaborative text (the model keeps both as `String`; see `text_field`).
    fn from_tree(value: &Value) -> Result<Self, String> {
        if let Value::Text(text) = value {
            return Ok(text.to_string());
        }
        match scalar(value, "a string")? {
            ScalarValue::Str(s) => Ok(s.to_string()),
            other => Err(format!("expected a string, found {other:?}")),
        }
    }
}

impl FromTree for bool {
    fn from_tree(value: &Value) -> Result<Self, String> {
        match scalar(value, "a boolean")? {
            ScalarValue::Boolean(b) => Ok(*b),
            other => Err(format!("expected a boolean, found {other:?}")),
        }
    }
}

impl FromTree for u64 {
    fn from_tree(value: &Value) -> Result<Self, String> {
        match scalar(value, "a count")? {
            ScalarValue::Uint(u) => Ok(*u),
            other => Err(format!("expected an unsigned integer, found {other:?}")),
        }
    }
}

impl FromTree for Timestamp {
    fn from_tree(value: &Value) -> Result<Self, String> {
        use autosurgeon::Hydrate;
        let result = match scalar(value, "a time")? {
            ScalarValue::Int(i) => Timestamp::hydrate_int(*i),
            ScalarValue::Uint(u) => Timestamp::hydrate_uint(*u),
            ScalarValue::F64(f) => Timestamp::hydrate_f64(*f),
            other => return Err(format!("expected a time, found {other:?}")),
        };
        result.map_err(|e| e.to_string())
    }
}

impl<T: FromTree> FromTree for Option<T> {
    fn from_tree(value: &Value) -> Result<Self, String> {
        match value {
            Value::Scalar(ScalarValue::Null) => Ok(None),
            other => T::from_tree(other).map(Some),
        }
    }
}

impl<T: FromTree> FromTree for Vec<T> {
    /// A list, leaving out (and noting) the elements that cannot be read.
    fn from_tree(value: &Value) -> Result<Self, String> {
        match value {
            Value::List(list) => Ok(list.iter().enumerate().filter_map(|(n, item)| within(&n.to_string(), || T::from_tree(&item.value).map_err(leave_out).ok())).collect()),
            other => Err(format!("expected a list, found {}", found(other))),
        }
    }
}

impl<T: FromTree> FromTree for BTreeMap<String, T> {
    /// A map of entries, leaving out (and noting) the entries that cannot be read.
    fn from_tree(value: &Value) -> Result<Self, String> {
        Ok(as_map(value)?.iter().filter_map(|(key, item)| within(key, || T::from_tree(&item.value).map_err(leave_out).ok()).map(|v| (key.clone(), v))).collect())
    }
}

/// A field of a struct: read it, or take its default when it is missing (`None` default: the
/// field is required).
fn field<T: FromTree>(map: &Map, key: &str, default: Option<fn() -> T>) -> Result<T, String> {
    match (map.get(key), default) {
        (Some(value), _) => within(key, || T::from_tree(value)).map_err(|e| format!("{key}: {e}")),
        (None, Some(default)) => Ok(default()),
        (None, None) => Err(format!("{key}: missing")),
    }
}

/// `FromTree` for a struct: each field, required or with the default its autosurgeon derive has.
macro_rules! from_tree_struct {
    ($ty:ident { $($field:ident $(= $default:expr)?),* $(,)? }) => {
        impl FromTree for $ty {
            fn from_tree(value: &Value) -> Result<Self, String> {
                let map = as_map(value)?;
                Ok($ty { $($field: field(map, stringify!($field), from_tree_struct!(@default $($default)?))?,)* })
            }
        }
    };
    (@default) => { None };
    (@default $default:expr) => { Some($default) };
}

fn default<T: Default>() -> T {
    T::default()
}

/// By hand: what a device opened of a member's call-back details is never read from a document.
impl FromTree for Member {
    fn from_tree(value: &Value) -> Result<Self, String> {
        let map = as_map(value)?;
        Ok(Member {
            name: field(map, "name", None)?,
            role: field(map, "role", Some(default))?,
            joined_at: field(map, "joined_at", Some(default))?,
            contact: field(map, "contact", Some(default))?,
            call_back: None,
        })
    }
}
from_tree_struct!(NoticeTranslation { title, body });
from_tree_struct!(Notice {
    title,
    body,
    category = default,
    pinned = default,
    urgent = default,
    starts_at = default,
    ends_at = default,
    expires_at = default,
    translations = default,
    author = default,
    created_at = default,
    updated_at = default,
    archived = default,
    comments = default,
});
from_tree_struct!(Signature { name, signed_at, withdrawn_at = default });
from_tree_struct!(PaperSignatures { count, recorded_by, recorded_at, note = default });
from_tree_struct!(Pledge {
    title,
    text,
    author = default,
    created_at = default,
    deadline = default,
    goal = default,
    binding_at = default,
    signatures = default,
    paper = default,
    archived = default,
});
from_tree_struct!(Column { names, position, archived = default });
from_tree_struct!(Board { name, position = default, columns = default, archived = default });
from_tree_struct!(Comment { author, at, text, sealed = default });
from_tree_struct!(Sealed { body, keys });
from_tree_struct!(TeamKey { since, secret });
from_tree_struct!(Request { raised_by, raised_at, category = default, claimed_at = default, resolved_at = default, confirmation = default });
from_tree_struct!(Confirmation { resolved, at });
from_tree_struct!(SpaceLink { side, other_space, other_name, other_relay, created_at, key_sealed, ended_at = default });
from_tree_struct!(Moderation { hidden, changed_at, changed_by, reason = default });
from_tree_struct!(Task {
    board,
    column,
    position,
    title,
    description = default,
    assignees = default,
    claimed_by = default,
    due = default,
    labels = default,
    comments = default,
    request = default,
    sealed = default,
    created_at = default,
    updated_at = default,
    archived = default,
});
from_tree_struct!(Category { names, position, archived = default });
from_tree_struct!(KioskSettings { categories = default, rotation_seconds = crate::space::default_rotation, languages = default, consultations = crate::space::default_true, read_urgent_aloud = default });
from_tree_struct!(Responsibility { team, members = default, keys = default });
from_tree_struct!(VoteOption { label, position, archived = default });
from_tree_struct!(Vote { choices, at });
from_tree_struct!(PaperCount { counts, voters, recorded_by, recorded_at, note = default });
from_tree_struct!(Closing { at, by, heads, home_at = default, home_signature = default });
from_tree_struct!(Threshold { num, den });
from_tree_struct!(FollowUp { kind, at });
from_tree_struct!(Consultation {
    question,
    background,
    author = default,
    created_at = default,
    yes_no = default,
    options,
    max_choices = one,
    opens_at,
    closes_at,
    quorum = default,
    threshold = default,
    votes = default,
    paper = default,
    comments = default,
    closed = default,
    follow_ups = default,
    archived = default,
});

fn one() -> u64 {
    1
}
from_tree_struct!(Body { names, position, archived = default });
from_tree_struct!(AgendaItem { title, position, links = default, decision = default });
from_tree_struct!(ActionItem { agenda_item = default, at });
from_tree_struct!(Meeting {
    title,
    starts_at,
    place = default,
    bodies = default,
    agenda = default,
    attendees = default,
    others = default,
    minutes,
    actions = default,
    author = default,
    created_at = default,
    archived = default,
});

// A link document (`link_doc.rs`): read the same way, since a street opens fifty of them at once.
from_tree_struct!(Link { upper, lower });
from_tree_struct!(UpperSide {
    space,
    name,
    relay = default,
    invited_at,
    claim_within_hours,
    departments = default,
    claims = default,
    progress = default,
    resolutions = default,
    ended_at = default,
});
from_tree_struct!(Department { names, team, members = default });
from_tree_struct!(Step { at, by });
from_tree_struct!(Progress { at, by, text });
from_tree_struct!(LowerSide {
    space = default,
    name = default,
    relay = default,
    accepted_at = default,
    shares = default,
    digest = default,
    escalations = default,
    ended_at = default,
});
from_tree_struct!(Shares { requests, pledges, decisions, urgent_notices, names });
from_tree_struct!(Escalation { title, details = default, department, raised_at, escalated_at, raised_by_name = default, sealed = default });
from_tree_struct!(Digest { requests = default, pledges = default, decisions = default, urgent_notices = default, updated_at = default });
from_tree_struct!(SharedRequest { title, category, raised_at, claimed_at = default, resolved_at = default, raised_by_name = default });
from_tree_struct!(SharedPledge { title, signatures, goal, deadline = default });
from_tree_struct!(SharedDecision { question, closed_at, voters, result });
from_tree_struct!(SharedNotice { title, since });
