//! What may stand where in a space document and in a link document: for every place, a record
//! with named fields, a map of entries under keys of one kind, a string of at most so many bytes,
//! a time, a count… Every peer checks each operation of a change against these shapes before it
//! admits the change (docs/capabilities.md, "What a change may write"), so nothing anyone writes
//! can make a part of the space unreadable. The reader (`tree.rs`) reads the same shapes; a test
//! checks that what the editors write fits them.

use automerge::legacy::OpType;
use automerge::{ObjType, ScalarValue};

use crate::{ItemId, MemberId};

/// What may stand at one place.
#[derive(Debug)]
pub(crate) enum Shape {
    /// A map with these fields and no others.
    Record(&'static [Field]),
    /// A map of entries, each under a key of this kind.
    Entries(KeyKind, &'static Shape),
    /// A map of at most so many entries, each under a key of this kind: what a resident writes
    /// keys of their choosing into (the readers of a sealed value, a request's labels).
    FewEntries(KeyKind, &'static Shape, usize),
    /// A string of at most this many bytes.
    Str(usize),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A collaborative text of at most this many characters.
    Text(usize),
    /// Milliseconds since the epoch, as an integer (before 2200).
    Time,
    /// An unsigned integer up to this.
    Count(u64),
    /// A boolean.
    Flag,
    /// Only `true` (what sets are made of: `assignees/<member> = true`).
    Yes,
    /// Exactly this many bytes (a public key).
    Bytes(usize),
    /// Whole entries of this many bytes, at most so many of them (earlier write keys, sealed).
    ByteEntries(usize, usize),
    /// The shape, or null (an optional value not set).
    OrNull(&'static Shape),
    /// A list of at most this many elements of the shape.
    List(&'static Shape, usize),
    /// One character of a text.
    Character,
}

/// A field of a record.
#[derive(Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub shape: &'static Shape,
    /// A record made without this field is refused (and the field is never deleted).
    pub required: bool,
}

const fn req(name: &'static str, shape: &'static Shape) -> Field {
    Field { name, shape, required: true }
}

const fn opt(name: &'static str, shape: &'static Shape) -> Field {
    Field { name, shape, required: false }
}

/// What the keys of a map of entries are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An item's ID: 16 hex digits (the starter categories and bodies of a space's first change,
    /// and items of older spaces) or 32 (marked with their maker, see `ItemId::marked`).
    Item,
    /// A keyed member's ID (64 hex digits).
    Member,
    /// A language tag (`zh-Hans`).
    Lang,
    /// A label someone typed.
    Label,
    /// An option of a consultation: `yes`, `no`, `abstain`, or an item ID.
    Option,
    /// What an agenda item links to: `consultations/<item>`, `tasks/<item>`, `pledges/<item>`.
    ItemLink,
    /// A document's ID (a link document).
    Document,
    /// A line of progress on an escalation: `<escalation>/<line>`.
    ProgressLine,
    /// A reader of a sealed value: an X25519 public key, 64 lowercase hex digits.
    Reader,
}

impl KeyKind {
    pub fn accepts(self, key: &str) -> bool {
        match self {
            KeyKind::Item => ItemId::parse(key).is_some(),
            KeyKind::Member => MemberId::parse(key).is_some_and(|m| m.is_keyed()),
            KeyKind::Lang => (2..=16).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            KeyKind::Label => !key.trim().is_empty() && key.len() <= 100,
            KeyKind::Option => matches!(key, "yes" | "no" | "abstain") || ItemId::parse(key).is_some(),
            KeyKind::ItemLink => matches!(key.split_once('/'), Some(("consultations" | "tasks" | "pledges", id)) if ItemId::parse(id).is_some()),
            KeyKind::Document => (1..=40).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() && !matches!(c, '0' | 'O' | 'I' | 'l')),
            KeyKind::ProgressLine => matches!(key.split_once('/'), Some((escalation, line)) if ItemId::parse(escalation).is_some() && !line.is_empty() && line.len() <= 64),
            KeyKind::Reader => key.len() == 64 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        }
    }
}

// ----- sizes -----
/// A name (of a member, a category, a column).
const NAME: usize = 300;
/// A title or a question.
const TITLE: usize = 1_000;
/// A fractional position, an ID, a member ID written as a value.
const SHORT: usize = 200;
/// A note or a decision.
const NOTE: usize = 4_000;
/// A comment's text.
const COMMENT: usize = 16_000;
/// A long text (a notice's body, a pledge's text) in characters.
const LONG: usize = 50_000;
/// A request's description, in characters.
const DESCRIPTION: usize = 10_000;
/// A meeting's minutes, in characters.
const MINUTES: usize = 200_000;
/// The labels on one task.
const LABELS: usize = 32;

static TIME: Shape = Shape::Time;
static MAYBE_TIME: Shape = Shape::OrNull(&TIME);
static FLAG: Shape = Shape::Flag;
static YES: Shape = Shape::Yes;
static S_NAME: Shape = Shape::Str(NAME);
static S_TITLE: Shape = Shape::Str(TITLE);
static S_SHORT: Shape = Shape::Str(SHORT);
static S_NOTE: Shape = Shape::Str(NOTE);
static S_COMMENT: Shape = Shape::Str(COMMENT);
static KEY: Shape = Shape::Bytes(32);
static COUNT: Shape = Shape::Count(100_000_000);
static MAYBE_COUNT: Shape = Shape::OrNull(&COUNT);
static NAMES: Shape = Shape::Entries(KeyKind::Lang, &S_NAME);
static MEMBER_SET: Shape = Shape::Entries(KeyKind::Member, &YES);
static ITEM_SET: Shape = Shape::Entries(KeyKind::Item, &YES);

/// A sealed value's body, in base64 (a private request's title and details, up to 10,000
/// characters of any script, sealed).
const SEALED_BODY: usize = 80_000;

// ----- a space -----

/// A private value: ciphertext and its key sealed to each reader (`linli-seal`).
static SEALED: Shape = Shape::Record(&[req("body", &Shape::Str(SEALED_BODY)), req("keys", &Shape::FewEntries(KeyKind::Reader, &S_SHORT, linli_seal::MAX_READERS))]);

/// A comment on a notice, a task or a consultation (sealed on a private request).
pub(crate) static COMMENT_ENTRY: Shape = Shape::Record(&[req("author", &S_SHORT), req("at", &TIME), req("text", &S_COMMENT), opt("sealed", &SEALED)]);
static COMMENTS: Shape = Shape::Entries(KeyKind::Item, &COMMENT_ENTRY);

static CATEGORY: Shape = Shape::Record(&[req("names", &NAMES), req("position", &S_SHORT), opt("archived", &FLAG)]);
static TEAM_KEY: Shape = Shape::Record(&[req("since", &TIME), req("secret", &SEALED)]);
static RESPONSIBILITY: Shape = Shape::Record(&[req("team", &S_NAME), opt("members", &MEMBER_SET), opt("keys", &Shape::Entries(KeyKind::Reader, &TEAM_KEY))]);
pub(crate) static MEMBER: Shape = Shape::Record(&[req("name", &S_NAME), opt("role", &S_NAME), opt("joined_at", &TIME), opt("contact", &SEALED)]);

static TRANSLATION: Shape = Shape::Record(&[req("title", &S_TITLE), req("body", &Shape::Text(LONG))]);
static NOTICE: Shape = Shape::Record(&[
    req("title", &S_TITLE),
    req("body", &Shape::Text(LONG)),
    opt("category", &S_SHORT),
    opt("pinned", &FLAG),
    opt("urgent", &FLAG),
    opt("starts_at", &MAYBE_TIME),
    opt("ends_at", &MAYBE_TIME),
    opt("expires_at", &MAYBE_TIME),
    opt("translations", &Shape::Entries(KeyKind::Lang, &TRANSLATION)),
    opt("author", &S_SHORT),
    opt("created_at", &TIME),
    opt("updated_at", &TIME),
    opt("archived", &FLAG),
    opt("comments", &COMMENTS),
]);

pub(crate) static SIGNATURE: Shape = Shape::Record(&[req("name", &S_NAME), req("signed_at", &TIME), opt("withdrawn_at", &MAYBE_TIME)]);
static PAPER_SIGNATURES: Shape = Shape::Record(&[req("count", &COUNT), req("recorded_by", &S_SHORT), req("recorded_at", &TIME), opt("note", &S_NOTE)]);
static PLEDGE: Shape = Shape::Record(&[
    req("title", &S_TITLE),
    req("text", &Shape::Text(LONG)),
    opt("author", &S_SHORT),
    opt("created_at", &TIME),
    opt("deadline", &MAYBE_TIME),
    opt("goal", &COUNT),
    opt("binding_at", &MAYBE_COUNT),
    opt("signatures", &Shape::Entries(KeyKind::Member, &SIGNATURE)),
    opt("paper", &Shape::Entries(KeyKind::Item, &PAPER_SIGNATURES)),
    opt("archived", &FLAG),
]);

static COLUMN: Shape = Shape::Record(&[req("names", &NAMES), req("position", &S_SHORT), opt("archived", &FLAG)]);
static BOARD: Shape = Shape::Record(&[req("name", &S_NAME), opt("position", &S_SHORT), opt("columns", &Shape::Entries(KeyKind::Item, &COLUMN)), opt("archived", &FLAG)]);

static CONFIRMATION: Shape = Shape::Record(&[req("resolved", &FLAG), req("at", &TIME)]);
pub(crate) static REQUEST: Shape = Shape::Record(&[
    req("raised_by", &S_SHORT),
    req("raised_at", &TIME),
    opt("category", &S_SHORT),
    opt("claimed_at", &MAYBE_TIME),
    opt("resolved_at", &MAYBE_TIME),
    opt("confirmation", &Shape::OrNull(&CONFIRMATION)),
]);
static TASK: Shape = Shape::Record(&[
    req("board", &S_SHORT),
    req("column", &S_SHORT),
    req("position", &S_SHORT),
    req("title", &S_TITLE),
    opt("description", &Shape::Text(DESCRIPTION)),
    opt("assignees", &MEMBER_SET),
    opt("claimed_by", &S_SHORT),
    opt("due", &MAYBE_TIME),
    opt("labels", &Shape::FewEntries(KeyKind::Label, &YES, LABELS)),
    opt("comments", &COMMENTS),
    opt("request", &Shape::OrNull(&REQUEST)),
    opt("sealed", &SEALED),
    opt("created_at", &TIME),
    opt("updated_at", &TIME),
    opt("archived", &FLAG),
]);

static OPTION: Shape = Shape::Record(&[req("label", &S_TITLE), req("position", &S_SHORT), opt("archived", &FLAG)]);
pub(crate) static VOTE: Shape = Shape::Record(&[req("choices", &Shape::Entries(KeyKind::Option, &YES)), req("at", &TIME)]);
static PAPER_COUNT: Shape =
    Shape::Record(&[req("counts", &Shape::Entries(KeyKind::Option, &COUNT)), req("voters", &COUNT), req("recorded_by", &S_SHORT), req("recorded_at", &TIME), opt("note", &S_NOTE)]);
static CLOSING: Shape =
    Shape::Record(&[req("at", &TIME), req("by", &S_SHORT), req("heads", &Shape::List(&S_SHORT, 10_000)), opt("home_at", &Shape::OrNull(&TIME)), opt("home_signature", &S_SHORT)]);
static THRESHOLD: Shape = Shape::Record(&[req("num", &COUNT), req("den", &COUNT)]);
static FOLLOW_UP: Shape = Shape::Record(&[req("kind", &Shape::OneOf(&["task", "notice", "pledge"])), req("at", &TIME)]);
static CONSULTATION: Shape = Shape::Record(&[
    req("question", &S_TITLE),
    req("background", &Shape::Text(LONG)),
    opt("author", &S_SHORT),
    opt("created_at", &TIME),
    opt("yes_no", &FLAG),
    req("options", &Shape::Entries(KeyKind::Option, &OPTION)),
    opt("max_choices", &Shape::Count(1_000)),
    req("opens_at", &TIME),
    req("closes_at", &TIME),
    opt("quorum", &COUNT),
    opt("threshold", &Shape::OrNull(&THRESHOLD)),
    opt("votes", &Shape::Entries(KeyKind::Member, &VOTE)),
    opt("paper", &Shape::Entries(KeyKind::Item, &PAPER_COUNT)),
    opt("comments", &COMMENTS),
    opt("closed", &Shape::OrNull(&CLOSING)),
    opt("follow_ups", &Shape::Entries(KeyKind::Item, &FOLLOW_UP)),
    opt("archived", &FLAG),
]);

static BODY: Shape = Shape::Record(&[req("names", &NAMES), req("position", &S_SHORT), opt("archived", &FLAG)]);
static AGENDA_ITEM: Shape = Shape::Record(&[req("title", &S_TITLE), req("position", &S_SHORT), opt("links", &Shape::Entries(KeyKind::ItemLink, &YES)), opt("decision", &S_NOTE)]);
static ACTION_ITEM: Shape = Shape::Record(&[opt("agenda_item", &S_SHORT), req("at", &TIME)]);
static MEETING: Shape = Shape::Record(&[
    req("title", &S_TITLE),
    req("starts_at", &TIME),
    opt("place", &S_NAME),
    opt("bodies", &ITEM_SET),
    opt("agenda", &Shape::Entries(KeyKind::Item, &AGENDA_ITEM)),
    opt("attendees", &MEMBER_SET),
    opt("others", &COUNT),
    req("minutes", &Shape::Text(MINUTES)),
    opt("actions", &Shape::Entries(KeyKind::Item, &ACTION_ITEM)),
    opt("author", &S_SHORT),
    opt("created_at", &TIME),
    opt("archived", &FLAG),
]);

static MODERATION: Shape = Shape::Record(&[req("hidden", &FLAG), req("changed_at", &TIME), req("changed_by", &S_SHORT), opt("reason", &S_NOTE)]);
static SPACE_LINK: Shape = Shape::Record(&[
    req("side", &Shape::OneOf(&["upper", "lower"])),
    req("other_space", &S_SHORT),
    req("other_name", &S_NAME),
    req("other_relay", &S_TITLE),
    req("created_at", &TIME),
    req("key_sealed", &S_SHORT),
    opt("ended_at", &MAYBE_TIME),
]);
static KIOSK: Shape = Shape::Record(&[
    opt("categories", &Shape::List(&S_SHORT, 1_000)),
    opt("rotation_seconds", &Shape::Count(600)),
    opt("languages", &Shape::List(&S_SHORT, 100)),
    opt("consultations", &FLAG),
    opt("read_urgent_aloud", &FLAG),
]);

/// The root of a space document. The keys come from the sync layer (`write_key`…) and from
/// `new_space` (the rest: every collection is made by a space's first change).
pub(crate) static SPACE: Shape = Shape::Record(&[
    req("schema", &COUNT),
    opt("name", &S_NAME),
    opt("description", &S_NOTE),
    opt("created_at", &TIME),
    opt("languages", &Shape::List(&S_SHORT, 100)),
    opt("kiosk", &KIOSK),
    opt("write_key", &KEY),
    opt("write_key_moved", &YES),
    opt("past_write_keys_sealed", &Shape::ByteEntries(64, 64)),
    opt("participate_key", &KEY),
    opt("participate_seed_sealed", &KEY),
    opt("participate_key_moved", &YES),
    opt("home_relay", &KEY),
    opt("categories", &Shape::Entries(KeyKind::Item, &CATEGORY)),
    opt("responsibilities", &Shape::Entries(KeyKind::Item, &RESPONSIBILITY)),
    opt("members", &Shape::Entries(KeyKind::Member, &MEMBER)),
    opt("notices", &Shape::Entries(KeyKind::Item, &NOTICE)),
    opt("pledges", &Shape::Entries(KeyKind::Item, &PLEDGE)),
    opt("boards", &Shape::Entries(KeyKind::Item, &BOARD)),
    opt("tasks", &Shape::Entries(KeyKind::Item, &TASK)),
    opt("consultations", &Shape::Entries(KeyKind::Item, &CONSULTATION)),
    opt("bodies", &Shape::Entries(KeyKind::Item, &BODY)),
    opt("meetings", &Shape::Entries(KeyKind::Item, &MEETING)),
    opt("moderation", &Shape::Entries(KeyKind::Member, &MODERATION)),
    opt("links", &Shape::Entries(KeyKind::Document, &SPACE_LINK)),
]);

// ----- a link document -----

static DEPARTMENT: Shape = Shape::Record(&[req("names", &NAMES), req("team", &S_NAME), opt("members", &MEMBER_SET)]);
static STEP: Shape = Shape::Record(&[req("at", &TIME), req("by", &S_SHORT)]);
static PROGRESS: Shape = Shape::Record(&[req("at", &TIME), req("by", &S_SHORT), req("text", &S_NOTE)]);
static UPPER: Shape = Shape::Record(&[
    req("space", &S_SHORT),
    req("name", &S_NAME),
    opt("relay", &S_TITLE),
    req("invited_at", &TIME),
    req("claim_within_hours", &Shape::Count(24 * 366)),
    opt("departments", &Shape::Entries(KeyKind::Item, &DEPARTMENT)),
    opt("claims", &Shape::Entries(KeyKind::Item, &STEP)),
    opt("progress", &Shape::Entries(KeyKind::ProgressLine, &PROGRESS)),
    opt("resolutions", &Shape::Entries(KeyKind::Item, &STEP)),
    opt("ended_at", &MAYBE_TIME),
]);
static SHARES: Shape = Shape::Record(&[req("requests", &FLAG), req("pledges", &FLAG), req("decisions", &FLAG), req("urgent_notices", &FLAG), req("names", &FLAG)]);
static SHARED_REQUEST: Shape = Shape::Record(&[
    req("title", &S_TITLE),
    req("category", &S_NAME),
    req("raised_at", &TIME),
    opt("claimed_at", &MAYBE_TIME),
    opt("resolved_at", &MAYBE_TIME),
    opt("raised_by_name", &S_NAME),
]);
static SHARED_PLEDGE: Shape = Shape::Record(&[req("title", &S_TITLE), req("signatures", &COUNT), req("goal", &COUNT), opt("deadline", &MAYBE_TIME)]);
static SHARED_DECISION: Shape = Shape::Record(&[req("question", &S_TITLE), req("closed_at", &TIME), req("voters", &COUNT), req("result", &S_TITLE)]);
static SHARED_NOTICE: Shape = Shape::Record(&[req("title", &S_TITLE), req("since", &TIME)]);
static DIGEST: Shape = Shape::Record(&[
    opt("requests", &Shape::Entries(KeyKind::Item, &SHARED_REQUEST)),
    opt("pledges", &Shape::Entries(KeyKind::Item, &SHARED_PLEDGE)),
    opt("decisions", &Shape::Entries(KeyKind::Item, &SHARED_DECISION)),
    opt("urgent_notices", &Shape::Entries(KeyKind::Item, &SHARED_NOTICE)),
    opt("updated_at", &TIME),
]);
static ESCALATION: Shape = Shape::Record(&[
    req("title", &S_TITLE),
    opt("details", &S_COMMENT),
    req("department", &S_SHORT),
    req("raised_at", &TIME),
    req("escalated_at", &TIME),
    opt("raised_by_name", &S_NAME),
    opt("sealed", &SEALED),
]);
static LOWER: Shape = Shape::Record(&[
    opt("space", &S_SHORT),
    opt("name", &S_NAME),
    opt("relay", &S_TITLE),
    opt("accepted_at", &MAYBE_TIME),
    opt("shares", &SHARES),
    opt("digest", &DIGEST),
    opt("escalations", &Shape::Entries(KeyKind::Item, &ESCALATION)),
    opt("ended_at", &MAYBE_TIME),
]);

/// The root of a link document.
pub(crate) static LINK: Shape = Shape::Record(&[
    req("kind", &Shape::OneOf(&[crate::LINK_KIND])),
    req("schema", &COUNT),
    opt("write_key", &KEY),
    opt("write_key_moved", &YES),
    opt("participate_key", &KEY),
    opt("participate_key_moved", &YES),
    req("upper", &UPPER),
    req("lower", &LOWER),
]);

// ----- checking -----

/// Why an operation does not fit the shape of the place it writes.
pub(crate) const UNKNOWN_PLACE: &str = "it writes a place that is not part of a space";
pub(crate) const WRONG_KIND: &str = "it writes a value of the wrong kind for its place";
pub(crate) const TOO_LONG: &str = "it writes more than its place holds";
pub(crate) const MISSING_FIELD: &str = "it makes an entry without a field every such entry has";
pub(crate) const REQUIRED_FIELD: &str = "it removes a field every such entry has";

impl Shape {
    /// The shape at `path` below this one (`#` for an element of a list or a text).
    pub fn at(&'static self, path: &[&str]) -> Option<&'static Shape> {
        let mut shape = self;
        for segment in path {
            shape = shape.child(segment)?;
        }
        Some(shape)
    }

    /// The shape of what stands at `key` inside a value of this shape.
    fn child(&'static self, key: &str) -> Option<&'static Shape> {
        match self {
            Shape::Record(fields) => fields.iter().find(|f| f.name == key).map(|f| f.shape),
            // `#` names an element of a list or text, never a map's key.
            Shape::Entries(kind, entry) | Shape::FewEntries(kind, entry, _) => (key != "#" && kind.accepts(key)).then_some(*entry),
            Shape::OrNull(inner) => inner.child(key),
            Shape::List(element, _) if key == "#" => Some(*element),
            Shape::Text(_) if key == "#" => Some(&CHARACTER),
            _ => None,
        }
    }

    /// Whether an object of `kind` may stand here.
    pub fn takes_object(&self, kind: ObjType) -> bool {
        match self {
            Shape::Record(_) | Shape::Entries(..) | Shape::FewEntries(..) => kind == ObjType::Map,
            Shape::Text(_) => kind == ObjType::Text,
            Shape::List(..) => kind == ObjType::List,
            Shape::OrNull(inner) => inner.takes_object(kind),
            _ => false,
        }
    }

    /// Whether the scalar `value` may stand here (its kind, and its size).
    pub fn takes_scalar(&self, value: &ScalarValue) -> Result<(), &'static str> {
        let fits = |ok: bool| if ok { Ok(()) } else { Err(TOO_LONG) };
        match (self, value) {
            (Shape::OrNull(_), ScalarValue::Null) => Ok(()),
            (Shape::OrNull(inner), value) => inner.takes_scalar(value),
            (Shape::Str(max), ScalarValue::Str(s)) => fits(s.len() <= *max),
            (Shape::OneOf(allowed), ScalarValue::Str(s)) => {
                if allowed.contains(&s.as_str()) {
                    Ok(())
                } else {
                    Err(WRONG_KIND)
                }
            }
            (Shape::Time, ScalarValue::Int(ms)) => {
                if (0..=MAX_TIME).contains(ms) {
                    Ok(())
                } else {
                    Err(WRONG_KIND)
                }
            }
            (Shape::Count(max), ScalarValue::Uint(n)) => fits(n <= max),
            (Shape::Flag, ScalarValue::Boolean(_)) => Ok(()),
            (Shape::Yes, ScalarValue::Boolean(true)) => Ok(()),
            (Shape::Bytes(len), ScalarValue::Bytes(bytes)) => {
                if bytes.len() == *len {
                    Ok(())
                } else {
                    Err(WRONG_KIND)
                }
            }
            (Shape::ByteEntries(len, most), ScalarValue::Bytes(bytes)) => {
                if bytes.len() % len == 0 && bytes.len() / len <= *most {
                    Ok(())
                } else {
                    Err(WRONG_KIND)
                }
            }
            (Shape::Character, ScalarValue::Str(s)) => fits((1..=8).contains(&s.chars().count())),
            _ => Err(WRONG_KIND),
        }
    }

    /// The fields a record made here must have.
    pub fn required(&self) -> impl Iterator<Item = &'static str> + '_ {
        let fields: &[Field] = match self {
            Shape::Record(fields) => fields,
            Shape::OrNull(inner) => return inner.required(),
            _ => &[],
        };
        fields.iter().filter(|f| f.required).map(|f| f.name)
    }

    /// Whether `field` is required in a record of this shape.
    pub fn requires(&self, field: &str) -> bool {
        self.required().any(|name| name == field)
    }

    /// The most characters (of a text) or elements (of a list) a value here holds.
    pub fn size_limit(&self) -> Option<usize> {
        match self {
            Shape::Text(max) | Shape::List(_, max) => Some(*max),
            Shape::OrNull(inner) => inner.size_limit(),
            _ => None,
        }
    }

    /// The most entries a map here holds, for a map of few entries.
    pub fn entry_limit(&self) -> Option<usize> {
        match self {
            Shape::FewEntries(_, _, max) => Some(*max),
            Shape::OrNull(inner) => inner.entry_limit(),
            _ => None,
        }
    }

    /// Whether a time stands here.
    pub fn is_time(&self) -> bool {
        match self {
            Shape::Time => true,
            Shape::OrNull(inner) => inner.is_time(),
            _ => false,
        }
    }

    /// Whether a record stands here.
    pub fn is_record(&self) -> bool {
        match self {
            Shape::Record(_) => true,
            Shape::OrNull(inner) => inner.is_record(),
            _ => false,
        }
    }

    /// Whether an object (a map, a text or a list) stands here.
    pub fn holds_object(&self) -> bool {
        [ObjType::Map, ObjType::Text, ObjType::List].into_iter().any(|kind| self.takes_object(kind))
    }
}

/// One character of a text.
static CHARACTER: Shape = Shape::Character;

/// 2200-01-01, in milliseconds: a time beyond it is not a time anyone meant.
pub(crate) const MAX_TIME: i64 = 7_258_118_400_000;

/// Checks that an operation fits the shape of the place it writes (`target`: the path of the
/// place, `#` for an element). Deleting is judged by the rules; here only whether the place may
/// be empty. A mark or a counter never fits a space.
pub(crate) fn check(root: &'static Shape, target: &[&str], action: &OpType) -> Result<&'static Shape, &'static str> {
    let shape = root.at(target).ok_or(UNKNOWN_PLACE)?;
    match action {
        OpType::Make(kind) => {
            if shape.takes_object(*kind) {
                Ok(shape)
            } else {
                Err(WRONG_KIND)
            }
        }
        OpType::Put(value) => shape.takes_scalar(value).map(|()| shape),
        OpType::Delete => Ok(shape),
        OpType::Increment(_) | OpType::MarkBegin(_) | OpType::MarkEnd(_) => Err(WRONG_KIND),
    }
}
