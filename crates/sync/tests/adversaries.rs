//! Adversaries against a certified space (docs/capabilities.md, "Threat model").
//!
//! An organiser, two or three residents and two federated relays (the second dials the first)
//! act honestly through `Repo::change`; devices hang off different relays, and one resident also
//! holds a direct link to the organiser. Attackers of every tier — no key (only the document's
//! ID), a view link, a take-part link (a resident's own member key and the take-part key), an edit
//! link (the write key and its own member key) — send changes built by hand with Automerge: on a
//! copy of their replica taken at an earlier state, with random operations on random paths (old
//! objects and new ones, keys of other members' entries, values of every Automerge type, maps made
//! beside maps, deletes, increments, marks, very long strings, thousands of operations), under
//! their own actor or another member's, mutated below Automerge's API, several in one chunk,
//! signed as their tier allows (or not at all, or with keys they made up), over their own links
//! or as a hostile relay would, on any link. Frames arrive shuffled and some twice; links drop
//! and come back. In the end, with every link back and the network quiet:
//!
//! 1. every honest replica (both relays, every honest device) holds the same heads and reads the
//!    same space;
//! 2. no honest item vanishes, and what an honest member wrote reads as they last wrote it;
//! 3. no member's entry (member entry, signature, vote, comment, who raised a request and its
//!    confirmation) holds anything someone else wrote;
//! 4. nothing outside an attacker's tier changed: the keyless and view attackers changed nothing,
//!    the resident only their own entries, the organiser nothing that belongs to a member;
//! 5. every honest replica reads as a space, and nothing honest is left out as unreadable.
//!
//! The oracle is what the honest devices themselves saw: after each honest change, the device
//! that made it compares its document before and after, path by path, and what changed is what
//! that member wrote. Each frame's delivery is also timed, against a loose bound. The space as the
//! organiser made it is built once and loaded from storage by every honest peer in each case
//! (signing and checking it again would take most of a case's time in a debug build).
//!
//! `LINLI_ADVERSARY_CASES=5000` runs a soak; `LINLI_ADVERSARY_MINIMIZE=1` prints the smallest
//! failing plan (dropping steps) before proptest shrinks. The holes the property found are kept
//! as their smallest cases at the end of this file. Three are fixed
//! (`a_change_naming_a_predecessor_elsewhere_is_taken_in_without_a_panic`,
//! `a_change_taken_on_the_signature_of_a_refused_one_reaches_every_replica`,
//! `a_writer_who_forks_their_own_line_cannot_split_a_space_with_a_home_relay`); one is open and
//! ignored until it is fixed (`a_change_signed_under_a_key_moved_concurrently_splits_the_replicas`).
//! The space names relay 1 its home relay (`home_relay.rs`), as a space made by the app does, so
//! attackers without the write key may fork their lines towards different peers; an edit link's
//! holder neither forks (edits are taken without the home's receipt) nor moves a key unless
//! `LINLI_ADVERSARY_KNOWN_HOLES=1`.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::num::NonZeroU64;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use linli_core::{Author, ConsultationDraft, Editor, ItemId, MemberId, NoticeDraft, Place, PledgeDraft, Space, SpaceDocument, TaskDraft, Timestamp, item_mark_of, new_space_with};
use linli_sync::automerge::legacy::{ElementId, Key as OpKey, ObjectId as OpObject, Op as LegacyOp, OpId as LegacyOpId, OpType as LegacyOpType, SortedVec};
use linli_sync::automerge::marks::{ExpandMark, Mark};
use linli_sync::automerge::sync::{Message as SyncMessage, MessageVersion};
use linli_sync::automerge::transaction::{CommitOptions, Transactable};
use linli_sync::automerge::{ActorId, AutoCommit, Change, ChangeHash, ExpandedChange, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use linli_sync::capability::{protect, protection};
use linli_sync::home_relay::set_home;
use linli_sync::take_part_key::{set_take_part_key, take_part_protection};
use linli_sync::{ChangeSignature, DocumentId, MemberKey, MemberSignature, Message, RelayKey, TakePartKey, WriteKey, codec};
use proptest::prelude::*;
use support::sim::Network;

/// 2026-01-01, in milliseconds: when the space is made.
const T0: i64 = 1_767_225_600_000;
/// Honest device 0 organises; the others are residents.
const ORGANISER: usize = 0;
/// Admitting one frame must take less than this. Deliberately loose (a debug build on a busy
/// machine): this is not a timing test, only a guard against a change whose judging cost grows
/// without bound. BENCHMARKS.md has the real figures (about 2.3 ms per resident's change on a
/// space of 10,000 items, natively, optimised).
const SLOWEST_ADMISSION: Duration = Duration::from_secs(if cfg!(debug_assertions) { 2 } else { 1 });
/// More frames than this in the end and sync is taken never to go quiet.
const QUIET_WITHIN: usize = 150_000;

// ----- what a case does -----

/// What an attacker holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    /// Only the document's ID.
    Keyless,
    /// A view link: the ID (and a member key of its own, which proves nothing here).
    View,
    /// A take-part link: its own member key and the take-part key.
    TakePart,
    /// An edit link: the write key, and its own member key.
    Edit,
}

const STANDINGS: [Standing; 4] = [Standing::Keyless, Standing::View, Standing::TakePart, Standing::Edit];

/// What an honest member does through the app (the editor and their repo's rules; what those
/// refuse is not made).
#[derive(Debug, Clone)]
enum HonestAct {
    Join,
    Sign(u8),
    Withdraw(u8),
    Raise(u8),
    Details(u8),
    Confirm(u8, bool),
    /// On a notice, a task or a consultation.
    Comment(u8, u8),
    Vote(u8, u8),
    EditNotice(u8),
    PostNotice,
    Claim(u8),
    Resolve(u8, bool),
    Close(u8),
    EditPledge(u8),
    Hide(u8, bool),
}

/// One attack: changes an attacker builds by hand and sends.
#[derive(Debug, Clone)]
struct Attack {
    attacker: u8,
    /// The earlier state the changes build on: changes of the attacker's replica, by index.
    base: Vec<u16>,
    /// Also build on the crafted actor's latest change (its line), as an honest writer would.
    on_own_line: bool,
    actor: ActorPick,
    changes: Vec<ChangePlan>,
    /// One more change on top: many operations.
    flood: Option<Flood>,
    mutation: Option<Mutation>,
    packing: Packing,
    signing: Signing,
    /// Below 160: (one of) the attacker's own links; else a link between honest peers,
    /// as a hostile relay (or anyone in between) would send on it.
    route: u8,
    /// Send it again right after.
    twice: bool,
}

/// The actor the attacker's changes carry.
#[derive(Debug, Clone)]
enum ActorPick {
    /// The attacker's own (its member key, its session).
    Own,
    OwnSession(u8),
    /// An honest member's very actor.
    Honest(u8),
    /// An honest member's key with another session.
    HonestSession(u8, u8),
    /// The shape of an older member's (16 bytes, no key).
    Older(u8),
    /// Some other length.
    Odd(u8),
}

/// One change (or two: an editor's action, then raw operations).
#[derive(Debug, Clone)]
struct ChangePlan {
    template: Option<Template>,
    raw: Vec<RawOp>,
    /// The raw operations ride in the template's change (else they make one of their own).
    raw_first: bool,
    /// Seconds between the change's time (and the times it writes) and the world's clock.
    skew: i64,
}

/// Many operations in one change: the same key of a map written over and over (made below the
/// API: Automerge's own editing is slow for this in a debug build).
#[derive(Debug, Clone)]
struct Flood {
    at: u16,
    key: KeyPick,
    count: usize,
}

/// An action of the app's editor, made as the crafted author on the old copy: what a plausible
/// hostile change starts from.
#[derive(Debug, Clone)]
enum Template {
    Join(u8),
    Sign(u8),
    Withdraw(u8),
    Raise(u8),
    /// A request under the ID of an item that exists now (taken from the newer replica).
    RaiseOver(u8),
    Comment(u8, u8),
    /// A comment under the ID of a comment that exists now.
    CommentOver(u8),
    Vote(u8, u8),
    Details(u8),
    Confirm(u8, bool),
    EditNotice(u8),
    PostNotice(u8),
    Claim(u8),
    Close(u8),
    Hide(u8),
    EditPledge(u8),
}

/// One operation through Automerge's API, on an object picked at random.
#[derive(Debug, Clone)]
enum RawOp {
    Put {
        at: u16,
        key: KeyPick,
        value: ValuePick,
    },
    Make {
        at: u16,
        key: KeyPick,
        kind: u8,
    },
    Delete {
        at: u16,
        key: KeyPick,
    },
    Increment {
        at: u16,
        key: KeyPick,
        by: i64,
    },
    Splice {
        at: u16,
        pos: u16,
        delete: u8,
        text: ValuePick,
    },
    Mark {
        at: u16,
        start: u16,
        len: u8,
        name: u8,
    },
    /// A value that stands in a map, written again with one of its own kind (what fits its
    /// place, so that the rules on who may write it are what is tried).
    Rewrite {
        at: u16,
        how: u8,
    },
    /// A map (an entry, an item, with everything in it) copied whole to a key of its own parent
    /// or of another map; `mine`: naming the writer where it named a member, and dated now.
    Copy {
        from: u16,
        to: u16,
        key: KeyPick,
        mine: bool,
    },
}

/// Where in a map (or a list) an operation writes.
#[derive(Debug, Clone)]
enum KeyPick {
    /// A key the object has.
    Existing(u16),
    /// A field name of some record of a space.
    Field(u8),
    /// A member's ID (honest or not).
    Member(u8),
    /// An item ID marked as the crafted actor's.
    NewItem(u8),
    /// An item ID marked as an honest member's.
    MarkedBy(u8, u8),
    /// An ID of an item, comment or option that exists now.
    Known(u16),
    Raw(String),
}

#[derive(Debug, Clone)]
enum ValuePick {
    Str(String),
    /// A long string: one of [`LONG`] lengths.
    Long(u8, char),
    Member(u8),
    /// A time (an integer of milliseconds) this many seconds from the change's time.
    Now(i32),
    Int(i64),
    Uint(u64),
    F64(f64),
    Bool(bool),
    Null,
    Bytes(Vec<u8>),
    Timestamp(i64),
    Counter(i64),
    Unknown(u8, Vec<u8>),
}

const LONG: [usize; 8] = [200, 301, 1_001, 4_001, 10_001, 16_001, 50_001, 70_000];

/// A change reworked below the API (its decoded form re-encoded).
#[derive(Debug, Clone)]
struct Mutation {
    change: u8,
    twist: Twist,
}

#[derive(Debug, Clone)]
enum Twist {
    Seq(i8),
    StartOp(i8),
    NoDeps,
    ExtraDep(u16),
    DropDep,
    /// An operation's predecessor: an operation of some earlier change.
    Pred {
        op: u16,
        target: u16,
    },
    NoPred(u16),
    FlipInsert(u16),
    /// An operation's object: some object of the document.
    Object {
        op: u16,
        target: u16,
    },
    /// A map key becomes an element, or an element a map key.
    KeyKind(u16),
    Time(i64),
    Extra(Vec<u8>),
}

/// How the changes travel.
#[derive(Debug, Clone, Copy)]
enum Packing {
    /// One frame, one chunk per change.
    OneFrame,
    /// One frame, the changes concatenated in one chunk (Automerge's second message format).
    Concatenated,
    FramePerChange,
    /// One frame, newest change first.
    Reversed,
    /// The whole old copy with the new changes, saved as one document chunk.
    Document,
    /// `save_after` of the old copy: the new changes as Automerge writes them for storage.
    SaveAfter,
}

#[derive(Debug, Clone, Copy)]
enum Signing {
    /// Each change signed as the tier allows.
    Every,
    /// Only the newest (a signature vouches for what it builds on, as far as its rules say).
    HeadOnly,
    Unsigned,
    /// With keys the attacker made up.
    MadeUpKeys,
    /// Signatures of one change presented for another.
    OtherHashes,
}

#[derive(Debug, Clone)]
enum Step {
    Honest { who: u8, act: HonestAct, wait: u16 },
    Attack(Box<Attack>),
    Deliver(u8),
    Toggle(u8),
}

// ----- strategies -----

fn honest_act() -> impl Strategy<Value = HonestAct> {
    prop_oneof![
        3 => Just(HonestAct::Join),
        2 => any::<u8>().prop_map(HonestAct::Sign),
        1 => any::<u8>().prop_map(HonestAct::Withdraw),
        2 => any::<u8>().prop_map(HonestAct::Raise),
        1 => any::<u8>().prop_map(HonestAct::Details),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(n, b)| HonestAct::Confirm(n, b)),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(k, n)| HonestAct::Comment(k, n)),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(c, o)| HonestAct::Vote(c, o)),
        1 => any::<u8>().prop_map(HonestAct::EditNotice),
        1 => Just(HonestAct::PostNotice),
        1 => any::<u8>().prop_map(HonestAct::Claim),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(n, b)| HonestAct::Resolve(n, b)),
        1 => any::<u8>().prop_map(HonestAct::Close),
        1 => any::<u8>().prop_map(HonestAct::EditPledge),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(n, b)| HonestAct::Hide(n, b)),
    ]
}

fn key_pick() -> impl Strategy<Value = KeyPick> {
    prop_oneof![
        6 => any::<u16>().prop_map(KeyPick::Existing),
        2 => any::<u8>().prop_map(KeyPick::Field),
        2 => any::<u8>().prop_map(KeyPick::Member),
        4 => any::<u8>().prop_map(KeyPick::NewItem),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(w, r)| KeyPick::MarkedBy(w, r)),
        2 => any::<u16>().prop_map(KeyPick::Known),
        1 => "[a-z0-9/#-]{0,10}|\\PC{0,3}".prop_map(KeyPick::Raw),
    ]
}

fn value_pick() -> impl Strategy<Value = ValuePick> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ]{0,12}|\\PC{0,6}".prop_map(ValuePick::Str),
        1 => (any::<u8>(), any::<char>()).prop_map(|(n, c)| ValuePick::Long(n, c)),
        2 => any::<u8>().prop_map(ValuePick::Member),
        3 => prop_oneof![-700i32..700, any::<i32>()].prop_map(ValuePick::Now),
        1 => any::<i64>().prop_map(ValuePick::Int),
        1 => prop_oneof![0u64..5, any::<u64>()].prop_map(ValuePick::Uint),
        1 => any::<f64>().prop_map(ValuePick::F64),
        2 => any::<bool>().prop_map(ValuePick::Bool),
        2 => Just(ValuePick::Null),
        1 => prop_oneof![prop::collection::vec(any::<u8>(), 32), prop::collection::vec(any::<u8>(), 0..40)].prop_map(ValuePick::Bytes),
        1 => any::<i64>().prop_map(ValuePick::Timestamp),
        1 => any::<i64>().prop_map(ValuePick::Counter),
        1 => (10u8..16, prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(t, b)| ValuePick::Unknown(t, b)),
    ]
}

fn raw_operation() -> impl Strategy<Value = RawOp> {
    prop_oneof![
        4 => (any::<u16>(), key_pick(), value_pick()).prop_map(|(at, key, value)| RawOp::Put { at, key, value }),
        2 => (any::<u16>(), key_pick(), any::<u8>()).prop_map(|(at, key, kind)| RawOp::Make { at, key, kind }),
        2 => (any::<u16>(), key_pick()).prop_map(|(at, key)| RawOp::Delete { at, key }),
        1 => (any::<u16>(), key_pick(), any::<i64>()).prop_map(|(at, key, by)| RawOp::Increment { at, key, by }),
        2 => (any::<u16>(), any::<u16>(), any::<u8>(), value_pick()).prop_map(|(at, pos, delete, text)| RawOp::Splice { at, pos, delete, text }),
        1 => (any::<u16>(), any::<u16>(), any::<u8>(), any::<u8>()).prop_map(|(at, start, len, name)| RawOp::Mark { at, start, len, name }),
        8 => (any::<u16>(), any::<u8>()).prop_map(|(at, how)| RawOp::Rewrite { at, how }),
        6 => (any::<u16>(), any::<u16>(), key_pick(), prop::bool::weighted(0.7)).prop_map(|(from, to, key, mine)| RawOp::Copy { from, to, key, mine }),
    ]
}

fn template() -> impl Strategy<Value = Template> {
    prop_oneof![
        3 => any::<u8>().prop_map(Template::Join),
        2 => any::<u8>().prop_map(Template::Sign),
        1 => any::<u8>().prop_map(Template::Withdraw),
        2 => any::<u8>().prop_map(Template::Raise),
        2 => any::<u8>().prop_map(Template::RaiseOver),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(k, n)| Template::Comment(k, n)),
        2 => any::<u8>().prop_map(Template::CommentOver),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(c, o)| Template::Vote(c, o)),
        1 => any::<u8>().prop_map(Template::Details),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(n, b)| Template::Confirm(n, b)),
        1 => any::<u8>().prop_map(Template::EditNotice),
        1 => any::<u8>().prop_map(Template::PostNotice),
        1 => any::<u8>().prop_map(Template::Claim),
        1 => any::<u8>().prop_map(Template::Close),
        1 => any::<u8>().prop_map(Template::Hide),
        1 => any::<u8>().prop_map(Template::EditPledge),
    ]
}

fn flood() -> impl Strategy<Value = Flood> {
    let count = prop_oneof![Just(40usize), Just(600), Just(3_000), Just(12_001), Just(14_000)];
    (any::<u16>(), key_pick(), count).prop_map(|(at, key, count)| Flood { at, key, count })
}

fn change_plan() -> impl Strategy<Value = ChangePlan> {
    let skew = prop_oneof![6 => Just(0i64), 3 => -700i64..700, 1 => any::<i32>().prop_map(i64::from)];
    (prop::option::weighted(0.6, template()), prop_oneof![2 => Just(Vec::new()), 3 => prop::collection::vec(raw_operation(), 1..4)], any::<bool>(), skew)
        .prop_map(|(template, raw, raw_first, skew)| ChangePlan { template, raw, raw_first, skew })
}

fn twist() -> impl Strategy<Value = Twist> {
    prop_oneof![
        any::<i8>().prop_map(Twist::Seq),
        any::<i8>().prop_map(Twist::StartOp),
        Just(Twist::NoDeps),
        any::<u16>().prop_map(Twist::ExtraDep),
        Just(Twist::DropDep),
        (any::<u16>(), any::<u16>()).prop_map(|(op, target)| Twist::Pred { op, target }),
        any::<u16>().prop_map(Twist::NoPred),
        any::<u16>().prop_map(Twist::FlipInsert),
        (any::<u16>(), any::<u16>()).prop_map(|(op, target)| Twist::Object { op, target }),
        any::<u16>().prop_map(Twist::KeyKind),
        any::<i64>().prop_map(Twist::Time),
        prop::collection::vec(any::<u8>(), 1..16).prop_map(Twist::Extra),
    ]
}

fn actor_pick() -> impl Strategy<Value = ActorPick> {
    prop_oneof![
        14 => Just(ActorPick::Own),
        1 => any::<u8>().prop_map(ActorPick::OwnSession),
        2 => any::<u8>().prop_map(ActorPick::Honest),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(h, s)| ActorPick::HonestSession(h, s)),
        1 => any::<u8>().prop_map(ActorPick::Older),
        1 => any::<u8>().prop_map(ActorPick::Odd),
    ]
}

fn packing() -> impl Strategy<Value = Packing> {
    prop_oneof![
        4 => Just(Packing::OneFrame),
        2 => Just(Packing::Concatenated),
        2 => Just(Packing::FramePerChange),
        1 => Just(Packing::Reversed),
        1 => Just(Packing::Document),
        1 => Just(Packing::SaveAfter),
    ]
}

fn signing() -> impl Strategy<Value = Signing> {
    prop_oneof![
        8 => Just(Signing::Every),
        2 => Just(Signing::HeadOnly),
        1 => Just(Signing::Unsigned),
        1 => Just(Signing::MadeUpKeys),
        1 => Just(Signing::OtherHashes),
    ]
}

fn attack() -> impl Strategy<Value = Attack> {
    let mutation = prop::option::weighted(0.15, (any::<u8>(), twist()).prop_map(|(change, twist)| Mutation { change, twist }));
    (
        (any::<u8>(), prop::collection::vec(any::<u16>(), 0..3), prop::bool::weighted(0.7), actor_pick()),
        (prop::collection::vec(change_plan(), 1..3), prop::option::weighted(0.04, flood()), mutation, packing(), signing(), any::<u8>(), prop::bool::weighted(0.1)),
    )
        .prop_map(|((attacker, base, on_own_line, actor), (changes, flood, mutation, packing, signing, route, twice))| Attack {
            attacker,
            base,
            on_own_line,
            actor,
            changes,
            flood,
            mutation,
            packing,
            signing,
            route,
            twice,
        })
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        5 => (any::<u8>(), honest_act(), any::<u16>()).prop_map(|(who, act, wait)| Step::Honest { who, act, wait }),
        4 => attack().prop_map(|a| Step::Attack(Box::new(a))),
        4 => any::<u8>().prop_map(Step::Deliver),
        1 => any::<u8>().prop_map(Step::Toggle),
    ];
    prop::collection::vec(step, 4..22)
}

// ----- the world -----

/// One link as the test set it up: `client` dials `server`; `link` while it is up.
struct Slot {
    client: usize,
    server: usize,
    link: Option<u64>,
    /// Between honest peers (else an attacker's own link).
    honest: bool,
}

struct HonestDevice {
    node: usize,
    key: MemberKey,
    session: [u8; 8],
    /// Requests this member raised.
    requests: Vec<ItemId>,
}

struct Attacker {
    standing: Standing,
    node: usize,
    /// Its own member key (one it made up, for the keyless and view attackers).
    key: MemberKey,
    session: [u8; 8],
    /// Its links (slots): to one relay, which serves it the space (a relay serves anyone who
    /// names the document), and another to the other relay where a test adds one.
    links: Vec<usize>,
}

/// A path of map keys (and list indices) from the root.
type Path = Vec<String>;

/// What stands at a path: an object (its kind and ID), a scalar, or a text's content (at the
/// text's path and `#text`).
#[derive(Debug, Clone, PartialEq)]
enum Leaf {
    Object(ObjType, String),
    Scalar(ScalarValue),
    Text(String),
}

type Flat = BTreeMap<Path, Leaf>;

/// What an honest member last wrote at a path (`None`: they removed it).
#[derive(Debug, Clone)]
struct Written {
    leaf: Option<Leaf>,
    writer: usize,
    /// More than one honest member wrote here (who wins depends on what each had seen).
    shared: bool,
}

struct World {
    net: Network,
    space: DocumentId,
    write: WriteKey,
    take_part: TakePartKey,
    relays: [usize; 2],
    honest: Vec<HonestDevice>,
    attackers: Vec<Attacker>,
    slots: Vec<Slot>,
    clock: i64,
    counter: u64,
    /// Everything honest members wrote, by path.
    written: BTreeMap<Path, Written>,
    /// Every change an honest device made.
    honest_changes: HashSet<ChangeHash>,
    /// Every change an attacker sent, with who sent it.
    injected: Vec<(Standing, ChangeHash)>,
    /// Let attackers do what the kept tests below show breaks (see the module docs).
    known_holes: bool,
    slowest: Duration,
    /// Links still closed after being dialled again five times over.
    links_kept_closing: bool,
    /// (actor, seq) of every change an edit link's holder sent: its hash and the peer that
    /// judged it first.
    sent: HashMap<(Vec<u8>, u64), (ChangeHash, usize)>,
}

/// Relay 1's own key: the space names it its home relay (`home_relay`).
fn home_relay_key() -> RelayKey {
    RelayKey::from_seed([30; 32])
}

fn member_of(key: &MemberKey) -> MemberId {
    MemberId::from_public_key(key.public())
}

/// The space's write key and take-part key.
fn keys() -> (WriteKey, TakePartKey) {
    (WriteKey::from_seed([1; 32]), TakePartKey::from_seed([2; 32]))
}

/// The session (the last 8 bytes of the actor) of honest device `n`.
fn session(n: usize) -> [u8; 8] {
    [1 + n as u8; 8]
}

/// The space as its organiser made it: what its device stored, what it wrote, its changes.
struct MadeSpace {
    storage: BTreeMap<linli_sync::ChunkKey, Vec<u8>>,
    flat: Flat,
    changes: Vec<ChangeHash>,
}

/// The organiser's device makes the space (once for all cases): protected by the write key in its
/// first change, with the take-part key, two pledges, a notice, a board and two consultations.
fn made_space() -> &'static MadeSpace {
    static MADE: std::sync::OnceLock<MadeSpace> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let (write, take_part) = keys();
        let space = DocumentId::certified(&write.public());
        let key = MemberKey::from_seed([10; 32]);
        let organiser = Author { member: member_of(&key), session: session(ORGANISER), now: Timestamp(T0) };
        let mut doc = new_space_with("Sanfang", &organiser, |doc| {
            protect(doc, write.public());
            set_take_part_key(doc, &take_part, &write);
            set_home(doc, home_relay_key().public());
        });
        let id = |n: u8| organiser.new_item_id([n; 8]);
        let mut editor = Editor::new(&mut doc, &organiser);
        editor.join("Lin", "residents-committee").expect("joins");
        editor.create_pledge(&id(1), PledgeDraft { title: "Quiet after 22:00".into(), text: "No drilling".into(), ..Default::default() }).expect("a pledge");
        editor.create_pledge(&id(2), PledgeDraft { title: "Bikes in the shed".into(), goal: 30, ..Default::default() }).expect("a pledge");
        editor.post_notice(&id(3), NoticeDraft::new("Lift repair", "Friday")).expect("a notice");
        editor.create_board(&id(4), "Requests", &[(id(5), [("en".to_owned(), "New".to_owned())].into())]).expect("a board");
        let closes_at = Timestamp(T0 + 60 * 24 * 3_600_000);
        let yes_no = ConsultationDraft { question: "Paint the gate green?".into(), yes_no: true, closes_at, ..Default::default() };
        editor.create_consultation(&id(6), yes_no).expect("a consultation");
        let options = vec![(id(8).to_string(), "Tuesday".to_owned()), (id(9).to_string(), "Saturday".to_owned())];
        let choice = ConsultationDraft { question: "Which day for the clean-up?".into(), options, max_choices: 2, closes_at, ..Default::default() };
        editor.create_consultation(&id(7), choice).expect("a consultation");
        let flat = flatten(&doc);
        let changes = doc.get_changes(&[]).iter().map(Change::hash).collect();
        let mut net = Network::new();
        let node = net.add_device("device0");
        net.nodes[node].repo.hold_write_key(space, write);
        net.nodes[node].repo.hold_member_key(key);
        net.create(node, space, doc);
        MadeSpace { storage: std::mem::take(&mut net.nodes[node].storage), flat, changes }
    })
}

impl World {
    fn new(residents: usize, attackers: u8, seed: u64) -> World {
        let mut net = Network::shuffled(seed);
        net.duplicate_one_in = Some(9);
        let (write, take_part) = keys();
        let space = DocumentId::certified(&write.public());
        let relay1 = net.add_relay("relay1");
        let relay2 = net.add_relay("relay2");
        net.nodes[relay1].repo.give_receipts_as(home_relay_key());
        let mut honest = Vec::new();
        for n in 0..=residents {
            let node = net.add_device(&format!("device{n}"));
            let key = MemberKey::from_seed([10 + n as u8; 32]);
            net.nodes[node].repo.hold_member_key(key.clone());
            if n == ORGANISER {
                net.nodes[node].repo.hold_write_key(space, write.clone());
            } else {
                net.nodes[node].repo.hold_take_part_key(space, take_part.clone());
            }
            honest.push(HonestDevice { node, key, session: session(n), requests: Vec::new() });
        }
        // Every honest peer starts from the space as the organiser made it (stored once, and
        // loaded by each: signing and checking it again in every case would take most of the
        // time of a case in a debug build).
        let made = made_space();
        for node in [relay1, relay2].into_iter().chain(honest.iter().map(|h| h.node)) {
            net.nodes[node].storage = made.storage.clone();
            net.find(node, space);
        }
        let mut world = World {
            net,
            space,
            write,
            take_part,
            relays: [relay1, relay2],
            honest,
            attackers: Vec::new(),
            slots: Vec::new(),
            clock: T0 + 60_000,
            counter: 0,
            written: BTreeMap::new(),
            honest_changes: made.changes.iter().copied().collect(),
            injected: Vec::new(),
            known_holes: std::env::var("LINLI_ADVERSARY_KNOWN_HOLES").is_ok_and(|v| v == "1"),
            slowest: Duration::ZERO,
            links_kept_closing: false,
            sent: HashMap::new(),
        };
        world.record(ORGANISER, &Flat::new(), &made.flat);
        // Devices on different relays; the second relay dials the first; one direct link.
        let organiser = world.honest[ORGANISER].node;
        world.slot(organiser, relay1, true);
        world.slot(relay2, relay1, true);
        for n in 1..=residents {
            let relay = if n % 2 == 1 { relay2 } else { relay1 };
            let node = world.honest[n].node;
            world.slot(node, relay, true);
        }
        let first_resident = world.honest[1].node;
        world.slot(first_resident, organiser, true);
        for (n, standing) in STANDINGS.iter().enumerate() {
            if attackers & (1 << n) == 0 {
                continue;
            }
            let node = world.net.add_device(&format!("attacker-{standing:?}"));
            let relay = world.relays[(n + seed as usize) % 2];
            let links = vec![world.slot(node, relay, false)];
            let key = MemberKey::from_seed([40 + n as u8; 32]);
            world.attackers.push(Attacker { standing: *standing, node, key, session: [0xa0 + n as u8; 8], links });
        }
        world.quiet();
        world
    }

    /// What attacker `n` reads: the space as the relay it is linked to serves it (once what it
    /// is admitting is in).
    fn replica(&mut self, n: usize) -> AutoCommit {
        let relay = self.slots[self.attackers[n].links[0]].server;
        self.net.finish_jobs_of(relay);
        self.net.nodes[relay].repo.document(&self.space).expect("the relays have the space").clone()
    }

    fn slot(&mut self, client: usize, server: usize, honest: bool) -> usize {
        let link = self.net.connect(client, server);
        self.slots.push(Slot { client, server, link: Some(link), honest });
        self.slots.len() - 1
    }

    fn author(&self, who: usize) -> Author {
        Author { member: member_of(&self.honest[who].key), session: self.honest[who].session, now: Timestamp(self.clock) }
    }

    fn fresh(&mut self) -> [u8; 8] {
        self.counter += 1;
        self.counter.to_le_bytes()
    }

    fn step(&mut self, step: &Step) {
        match step {
            Step::Honest { who, act, wait } => {
                self.clock += 1_000 + i64::from(*wait) * 50;
                self.honest_act(*who as usize % self.honest.len(), act);
            }
            Step::Attack(attack) => self.attack(attack),
            Step::Deliver(n) => {
                for _ in 0..*n % 24 {
                    if !self.deliver_one() {
                        break;
                    }
                }
            }
            Step::Toggle(n) => {
                let index = *n as usize % self.slots.len();
                let slot = &mut self.slots[index];
                match slot.link.take() {
                    Some(link) => self.net.disconnect(link),
                    None => slot.link = Some(self.net.connect(slot.client, slot.server)),
                }
            }
        }
    }

    /// Delivers one frame, timing how long its receiver took.
    #[allow(clippy::disallowed_methods, reason = "a native test measures how long admission takes")]
    fn deliver_one(&mut self) -> bool {
        let start = Instant::now();
        let delivered = self.net.deliver_one();
        self.slowest = self.slowest.max(start.elapsed());
        delivered
    }

    fn quiet(&mut self) {
        assert!(self.settle(QUIET_WITHIN), "sync never went quiet ({QUIET_WITHIN} frames)");
    }

    /// Delivers until nothing is in flight (true), or `most` frames (false).
    fn settle(&mut self, most: usize) -> bool {
        (0..=most).any(|_| !self.deliver_one())
    }

    /// Every link back up, then deliver until nothing is in flight.
    fn finish(&mut self) {
        // A peer may close a link on data it cannot take (what an attacker sent on it): it is
        // dialled again, as a device or a relay does, until every link stays up.
        for round in 0..6 {
            self.quiet();
            let live: HashSet<u64> = self.net.links().into_iter().collect();
            let down: Vec<usize> = (0..self.slots.len()).filter(|s| self.slots[*s].link.is_none_or(|link| !live.contains(&link))).collect();
            if down.is_empty() {
                return;
            }
            if round == 5 {
                self.links_kept_closing = true;
                return;
            }
            for slot in down {
                let (client, server) = (self.slots[slot].client, self.slots[slot].server);
                self.slots[slot].link = Some(self.net.connect(client, server));
            }
        }
    }

    // ----- honest members -----

    fn honest_act(&mut self, who: usize, act: &HonestAct) {
        let node = self.honest[who].node;
        let Some(heads) = self.net.nodes[node].repo.read_mut(&self.space, |doc| doc.get_heads()) else { return };
        if heads.is_empty() {
            return;
        }
        let doc = self.net.nodes[node].repo.document(&self.space).expect("it has the space");
        let before = flatten(doc);
        let seen = Seen::of(doc);
        let author = self.author(who);
        let me = author.member.to_string();
        let new_id = author.new_item_id(self.fresh());
        let made_id = new_id.clone();
        let requests = self.honest[who].requests.clone();
        let members = self.members();
        let pick = |list: &[String], n: u8| (!list.is_empty()).then(|| list[n as usize % list.len()].clone()).and_then(|id| ItemId::parse(&id));
        let act = act.clone();
        let edit = move |e: &mut Editor<'_>| -> Result<(), String> {
            let missing = || "nothing to act on".to_owned();
            let result = match act {
                HonestAct::Join => e.join(&format!("Neighbour {}", &me[..4]), if who == ORGANISER { "residents-committee" } else { "" }),
                HonestAct::Sign(n) => e.sign_pledge(&pick(&seen.pledges, n).ok_or_else(missing)?, "Neighbour"),
                HonestAct::Withdraw(n) => e.withdraw_signature(&pick(&seen.pledges, n).ok_or_else(missing)?),
                HonestAct::Raise(n) => {
                    let (board, column) = seen.board.clone().ok_or_else(missing)?;
                    let draft = TaskDraft { title: format!("Request {n}"), description: "It is broken".into(), ..Default::default() };
                    e.raise_request(&new_id, &board, &column, "", draft, Place::End)
                }
                HonestAct::Details(n) => e.add_request_details(requests.get(n as usize % requests.len().max(1)).ok_or_else(missing)?, &format!("more {n}")),
                HonestAct::Confirm(n, resolved) => e.confirm_request(requests.get(n as usize % requests.len().max(1)).ok_or_else(missing)?, resolved),
                HonestAct::Comment(kind, n) => match kind % 3 {
                    0 => e.comment_on_notice(&pick(&seen.notices, n).ok_or_else(missing)?, &new_id, "Thank you"),
                    1 => e.comment_on_task(&pick(&seen.tasks, n).ok_or_else(missing)?, &new_id, "Same here"),
                    _ => e.comment_on_consultation(&pick(&seen.consultations, n).ok_or_else(missing)?, &new_id, "Good idea"),
                },
                HonestAct::Vote(c, o) => {
                    let consultation = pick(&seen.consultations, c).ok_or_else(missing)?;
                    let options = seen.options.get(consultation.as_str()).cloned().unwrap_or_default();
                    let option = options.get(o as usize % options.len().max(1)).ok_or_else(missing)?;
                    e.vote(&consultation, std::slice::from_ref(option))
                }
                HonestAct::EditNotice(n) => e.edit_notice(&pick(&seen.notices, n).ok_or_else(missing)?, NoticeDraft::new("Lift repair", format!("moved to day {n}"))),
                HonestAct::PostNotice => e.post_notice(&new_id, NoticeDraft::new("Water off", "Tuesday morning")),
                HonestAct::Claim(n) => e.claim_task(&pick(&seen.tasks, n).ok_or_else(missing)?),
                HonestAct::Resolve(n, resolved) => e.resolve_request(&pick(&seen.tasks, n).ok_or_else(missing)?, resolved),
                HonestAct::Close(n) => e.close_consultation(&pick(&seen.consultations, n).ok_or_else(missing)?),
                HonestAct::EditPledge(n) => {
                    e.edit_pledge(&pick(&seen.pledges, n).ok_or_else(missing)?, PledgeDraft { title: format!("Quiet after {}:00", 20 + n % 4), ..Default::default() })
                }
                HonestAct::Hide(n, hidden) => e.set_member_hidden(&members[n as usize % members.len()], hidden, "spam"),
            };
            result.map_err(|e| e.to_string())
        };
        let outcome = self.net.nodes[node].repo.change(self.space, |doc| edit(&mut Editor::new(doc, &author)));
        let Ok((result, fx)) = outcome else { return };
        self.net.apply(node, fx);
        if self.net.nodes[node].repo.read_mut(&self.space, |doc| doc.get_heads()).as_ref() == Some(&heads) {
            return;
        }
        let after = flatten(self.net.nodes[node].repo.document(&self.space).expect("it has the space"));
        self.record(who, &before, &after);
        let made = self.net.nodes[node].repo.read_mut(&self.space, |doc| doc.get_changes(&heads)).unwrap_or_default();
        self.honest_changes.extend(made.iter().map(Change::hash));
        if result.is_ok() && after.contains_key(&vec!["tasks".to_owned(), made_id.to_string()]) {
            self.honest[who].requests.push(made_id);
        }
    }

    /// What changed between `before` and `after` on the device of honest member `writer` is
    /// what they wrote.
    fn record(&mut self, writer: usize, before: &Flat, after: &Flat) {
        let paths: BTreeSet<&Path> = before.keys().chain(after.keys()).collect();
        for path in paths {
            let now = after.get(path);
            if before.get(path) == now {
                continue;
            }
            let entry = self.written.entry(path.clone()).or_insert(Written { leaf: None, writer, shared: false });
            entry.shared |= entry.writer != writer;
            entry.writer = writer;
            entry.leaf = now.cloned();
        }
    }

    /// Every member's ID: honest, then the attackers'.
    fn members(&self) -> Vec<String> {
        self.honest.iter().map(|h| member_of(&h.key).to_string()).chain(self.attackers.iter().map(|a| member_of(&a.key).to_string())).collect()
    }

    // ----- attackers -----

    fn attack(&mut self, attack: &Attack) {
        if self.attackers.is_empty() {
            return;
        }
        let index = attack.attacker as usize % self.attackers.len();
        let (standing, key, session, links) = {
            let a = &self.attackers[index];
            (a.standing, a.key.clone(), a.session, a.links.clone())
        };
        let mut replica = self.replica(index);
        let all = replica.get_changes(&[]);
        if all.is_empty() {
            return;
        }
        // Who the changes claim to be from.
        let own = Author { member: member_of(&key), session, now: Timestamp(self.clock) };
        let honest_author = |n: u8| self.author(n as usize % self.honest.len());
        let (actor, author) = match attack.actor {
            ActorPick::Own => (own.actor(), Some(own)),
            ActorPick::OwnSession(s) => {
                let a = Author { session: [s; 8], ..own };
                (a.actor(), Some(a))
            }
            ActorPick::Honest(n) => (honest_author(n).actor(), Some(honest_author(n))),
            ActorPick::HonestSession(n, s) => {
                let a = Author { session: [s, 0x5e, 0x55, 1, 2, 3, 4, 5], ..honest_author(n) };
                (a.actor(), Some(a))
            }
            ActorPick::Older(s) => {
                let a = Author { member: MemberId::from_random([s, 7, 7, 7, 7, 7, 7, 7]), session: [s; 8], now: own.now };
                (a.actor(), Some(a))
            }
            ActorPick::Odd(n) => {
                let len = match 1 + n as usize % 60 {
                    16 | 40 => 41,
                    len => len,
                };
                (ActorId::from((0..len).map(|i| n.wrapping_add(i as u8)).collect::<Vec<u8>>()), None)
            }
        };
        // An earlier state, and perhaps the actor's own line.
        let mut heads: Vec<ChangeHash> = attack.base.iter().map(|i| all[*i as usize % all.len()].hash()).collect();
        if attack.on_own_line
            && let Some(latest) = all.iter().filter(|c| c.actor_id() == &actor).max_by_key(|c| c.seq())
        {
            heads.push(latest.hash());
        }
        if heads.is_empty() {
            heads = replica.get_heads();
        }
        let Ok(mut fork) = replica.fork_at(&heads) else { return };
        fork.set_actor(actor.clone());
        let start = fork.get_heads();
        // A resident (or an organiser) who has not joined joins first, most of the time: the
        // rules refuse everything else of a resident who has not.
        let me = member_of(&key).to_string();
        let joined = object_at(&fork, &["members", &me]).is_some();
        let mut plans = attack.changes.clone();
        if matches!(standing, Standing::TakePart | Standing::Edit) && !joined && matches!(attack.actor, ActorPick::Own) && !attack.route.is_multiple_of(4) {
            plans.insert(0, ChangePlan { template: Some(Template::Join(1)), raw: Vec::new(), raw_first: false, skew: 0 });
        }
        let known = Known::of(
            &replica,
            &self.members(),
            &self.honest.iter().map(|h| Author { member: member_of(&h.key), session: h.session, now: Timestamp(0) }.actor()).collect::<Vec<_>>(),
        );
        for plan in &plans {
            let now = self.clock.saturating_add(plan.skew.saturating_mul(1000));
            let author = author.map(|a| Author { now: Timestamp(now), ..a });
            build(&mut fork, plan, &actor, author.as_ref(), now, &known);
        }
        let mut changes = fork.get_changes(&start);
        let mut reworked = false;
        if let Some(flood) = &attack.flood
            && let Some(flooded) = flood_change(&mut fork, flood, &actor, self.clock, &known)
        {
            changes.push(flooded);
            reworked = true;
        }
        if changes.is_empty() {
            return;
        }
        // A predecessor elsewhere in the document makes the receiving peer panic (kept apart in
        // its own test below).
        let mutation = attack.mutation.as_ref();
        if let Some(mutation) = mutation {
            match catch_unwind(AssertUnwindSafe(|| mutate(&changes, mutation, &all, &known))) {
                Ok(Some(mutated)) => {
                    changes = mutated;
                    reworked = true;
                }
                _ => return,
            }
        }
        // Where it goes, and who judges it first there.
        let (slot, to_server) = if attack.route < 160 {
            (links[attack.route as usize % links.len()], true)
        } else {
            let honest: Vec<usize> = (0..self.slots.len()).filter(|s| self.slots[*s].honest).collect();
            (honest[attack.route as usize % honest.len()], attack.route.is_multiple_of(2))
        };
        let Some(link) = self.slots[slot].link else { return };
        let (sender, judge) = if to_server { (self.slots[slot].client, self.slots[slot].server) } else { (self.slots[slot].server, self.slots[slot].client) };
        if !self.known_holes {
            // An edit (signed with the write key) is taken without the home relay's receipt, so
            // two different changes with one actor and sequence number from an edit link's
            // holder, judged first by two different peers, split the replicas ("an edit link's
            // holder can split a space" in docs/capabilities.md). A take-part link's holder may
            // fork: the home relay decides.
            let forks = standing == Standing::Edit
                && changes.iter().any(|c| self.sent.get(&(c.actor_id().to_bytes().to_vec(), c.seq())).is_some_and(|(hash, first)| *hash != c.hash() && *first != judge));
            if forks {
                return;
            }
            // An edit link's holder who moves the write or take-part key while honest changes
            // signed under the old one are on their way: each peer judges those under the key
            // in force in its copy, so they are taken where they arrived before the move and
            // refused where after ("changes made concurrently with a key move" in
            // docs/capabilities.md; kept apart in its own test below).
            if standing == Standing::Edit && moves_a_key(&mut replica, &heads, &changes) {
                return;
            }
        }
        for change in &changes {
            if standing == Standing::Edit {
                self.sent.entry((change.actor_id().to_bytes().to_vec(), change.seq())).or_insert((change.hash(), judge));
            }
            self.injected.push((standing, change.hash()));
        }
        let (write, member) = self.signatures(standing, &key, attack.signing, &changes);
        let chunks: Vec<Vec<Vec<u8>>> = match attack.packing {
            Packing::OneFrame => vec![changes.iter().map(|c| c.raw_bytes().to_vec()).collect()],
            Packing::Reversed => vec![changes.iter().rev().map(|c| c.raw_bytes().to_vec()).collect()],
            Packing::FramePerChange => changes.iter().map(|c| vec![c.raw_bytes().to_vec()]).collect(),
            Packing::Document if !reworked => vec![vec![fork.save()]],
            Packing::SaveAfter if !reworked => vec![vec![fork.save_after(&start)]],
            Packing::Concatenated | Packing::Document | Packing::SaveAfter => vec![vec![changes.iter().flat_map(|c| c.raw_bytes().to_vec()).collect()]],
        };
        let heads = vec![changes.last().expect("some").hash()];
        let second_format = attack.route.is_multiple_of(3);
        for (n, entries) in chunks.into_iter().enumerate() {
            // The signatures travel with the first frame (a later frame may bring more).
            let (write, member) = if n == 0 { (write.clone(), member.clone()) } else { (Vec::new(), Vec::new()) };
            let bytes = self.frame(sender, &heads, entries, second_format, write, member);
            self.net.inject(link, to_server, bytes.clone());
            if attack.twice {
                self.net.inject(link, to_server, bytes);
            }
        }
    }

    /// A sync frame from node `sender` carrying `entries` (chunks) and the given signatures.
    fn frame(&self, sender: usize, heads: &[ChangeHash], entries: Vec<Vec<u8>>, second_format: bool, write: Vec<ChangeSignature>, member: Vec<MemberSignature>) -> Vec<u8> {
        let version = if second_format { MessageVersion::V2 } else { MessageVersion::V1 };
        let message = SyncMessage { heads: heads.to_vec(), need: Vec::new(), have: Vec::new(), changes: entries.into(), flags: None, version };
        codec::encode(&Message::Sync {
            sender_id: self.net.nodes[sender].repo.peer_id().to_owned(),
            target_id: "anyone".into(),
            document_id: self.space,
            data: message.encode(),
            signatures: write,
            member_signatures: member,
            receipts: Vec::new(),
        })
    }

    /// The signatures an attacker of `standing` can make for `changes`.
    fn signatures(&self, standing: Standing, key: &MemberKey, signing: Signing, changes: &[Change]) -> (Vec<ChangeSignature>, Vec<MemberSignature>) {
        let hashes: Vec<ChangeHash> = match signing {
            Signing::Unsigned => return (Vec::new(), Vec::new()),
            // Only the head signed: it vouches for the changes below it.
            Signing::HeadOnly => vec![changes.last().expect("some").hash()],
            _ => changes.iter().map(Change::hash).collect(),
        };
        let made_up_write = WriteKey::from_seed([66; 32]);
        let made_up_take_part = TakePartKey::from_seed([67; 32]);
        let made_up = matches!(signing, Signing::MadeUpKeys);
        let mut write = Vec::new();
        let mut member = Vec::new();
        for hash in &hashes {
            match standing {
                Standing::Edit if !made_up => {
                    write.push(self.write.sign(*hash));
                    member.push(key.sign(*hash, None));
                }
                Standing::TakePart if !made_up => member.push(key.sign(*hash, Some(&self.take_part.signer()))),
                // A view link's holder has a member key, but no capability to write with.
                Standing::View if !made_up => member.push(key.sign(*hash, None)),
                _ => {
                    write.push(made_up_write.sign(*hash));
                    member.push(key.sign(*hash, Some(&made_up_take_part.signer())));
                }
            }
        }
        if matches!(signing, Signing::OtherHashes) && hashes.len() > 1 {
            let shift = |h: usize| hashes[(h + 1) % hashes.len()];
            for (n, s) in write.iter_mut().enumerate() {
                s.hash = shift(n);
            }
            for (n, s) in member.iter_mut().enumerate() {
                s.hash = shift(n);
            }
        }
        (write, member)
    }

    // ----- what must hold -----

    fn check(&mut self) -> Result<(), String> {
        if self.links_kept_closing {
            return Err("honest peers keep closing links between them: sync never settles".to_owned());
        }
        if self.slowest > SLOWEST_ADMISSION {
            return Err(format!("one frame took {:?} to take in (bound: {SLOWEST_ADMISSION:?})", self.slowest));
        }
        let nodes: Vec<usize> = self.relays.iter().copied().chain(self.honest.iter().map(|h| h.node)).collect();
        let mut docs: Vec<AutoCommit> = Vec::new();
        for node in &nodes {
            let doc = self.net.nodes[*node].repo.document(&self.space).ok_or_else(|| format!("node {node} does not have the space"))?;
            docs.push(doc.clone());
        }
        // 1 and 5: the same heads and the same space everywhere, and it reads.
        let mut heads = docs[0].get_heads();
        heads.sort();
        let space = Space::hydrate(&docs[0]).map_err(|e| format!("relay 1 cannot read the space: {e}"))?;
        for (doc, node) in docs.iter_mut().zip(&nodes).skip(1) {
            let mut theirs = doc.get_heads();
            theirs.sort();
            if theirs != heads {
                let missing: Vec<String> = heads.iter().filter(|h| !theirs.contains(h)).map(|h| h.to_string()).collect();
                let extra: Vec<String> = theirs.iter().filter(|h| !heads.contains(h)).map(|h| h.to_string()).collect();
                return Err(format!("node {node} holds other heads than relay 1 (of relay 1's heads it lacks {missing:?}; its own heads {extra:?})"));
            }
            let theirs = Space::hydrate(doc).map_err(|e| format!("node {node} cannot read the space: {e}"))?;
            if theirs != space {
                return Err(format!("node {node} reads another space than relay 1"));
            }
        }
        let doc = &mut docs[0];
        // 4: which attackers got anything in.
        let admitted: BTreeSet<Standing> = self.injected.iter().filter(|(_, hash)| doc.get_change_meta_by_hash(hash).is_some()).map(|(s, _)| *s).collect();
        if let Some(standing) = admitted.iter().find(|s| matches!(s, Standing::Keyless | Standing::View)) {
            return Err(format!("a change of the {standing:?} attacker is in the space"));
        }
        let edit = admitted.contains(&Standing::Edit);
        let resident_attacker = self.attackers.iter().find(|a| a.standing == Standing::TakePart && admitted.contains(&Standing::TakePart));
        let resident_attacker = resident_attacker.map(|a| member_of(&a.key).to_string());
        let mut theirs: Vec<String> = resident_attacker.iter().cloned().collect();
        if edit {
            theirs.extend(self.attackers.iter().filter(|a| a.standing == Standing::Edit).map(|a| member_of(&a.key).to_string()));
        }
        // 3: no change in an honest actor's name but their own.
        let honest_actors: Vec<ActorId> = (0..self.honest.len()).map(|n| self.author(n).actor()).collect();
        for change in doc.get_changes(&[]) {
            if honest_actors.contains(change.actor_id()) && !self.honest_changes.contains(&change.hash()) {
                return Err(format!("change {} carries an honest member's actor and was not made by them", change.hash()));
            }
        }
        let flat = flatten(doc);
        // 2 and 3: what honest members wrote reads as they last wrote it.
        for (path, written) in &self.written {
            if written.shared {
                continue;
            }
            let may_change = (edit && organisers_may_change(path, written.leaf.as_ref())) || resident_attacker.as_ref().is_some_and(|r| raiser_may_change(path, &flat, r));
            if may_change {
                continue;
            }
            let now = flat.get(path);
            if now != written.leaf.as_ref() {
                return Err(format!(
                    "{} was written by honest member {} as {:?}, and reads {:?}",
                    path.join("/"),
                    written.writer,
                    written.leaf.as_ref().map(short),
                    now.map(short)
                ));
            }
        }
        // 3 and 4: everything else belongs to an attacker whose tier allows it.
        for path in flat.keys() {
            if self.written.contains_key(path) {
                continue;
            }
            let allowed = match member_owner(path, &flat) {
                Some(owner) => theirs.contains(&owner),
                None => edit || resident_attacker.as_ref().is_some_and(|r| raised_by(path, &flat).as_ref() == Some(r)),
            };
            if !allowed {
                return Err(format!("{} = {:?} was written by no honest member, nor by an attacker allowed to", path.join("/"), flat.get(path).map(short)));
            }
        }
        // 2 and 5: what honest members made is in the space as read (moderation aside), and
        // nothing of it was left out as unreadable.
        let blind = Space::hydrate(&without_moderation(doc)).map_err(|e| format!("the space without moderation cannot be read: {e}"))?;
        for (path, written) in &self.written {
            if !matches!(written.leaf, Some(Leaf::Object(..))) {
                continue;
            }
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            let present = match p.as_slice() {
                ["members", m] => blind.members.contains_key(*m),
                ["pledges", id] => blind.pledges.contains_key(*id),
                ["notices", id] => blind.notices.contains_key(*id),
                ["tasks", id] => blind.tasks.contains_key(*id),
                ["consultations", id] => blind.consultations.contains_key(*id),
                ["boards", id] => blind.boards.contains_key(*id),
                ["pledges", p, "signatures", m] => blind.pledges.get(*p).is_some_and(|x| x.signatures.contains_key(*m)),
                ["consultations", c, "votes", m] => blind.consultations.get(*c).is_some_and(|x| x.votes.contains_key(*m)),
                ["notices", n, "comments", c] => blind.notices.get(*n).is_some_and(|x| x.comments.contains_key(*c)),
                ["tasks", t, "comments", c] => blind.tasks.get(*t).is_some_and(|x| x.comments.contains_key(*c)),
                ["consultations", n, "comments", c] => blind.consultations.get(*n).is_some_and(|x| x.comments.contains_key(*c)),
                _ => true,
            };
            if !present {
                return Err(format!("{} was made by honest member {} and is not in the space as read", path.join("/"), written.writer));
            }
        }
        for unreadable in space.unreadable.iter().chain(&blind.unreadable) {
            let at: Vec<&str> = unreadable.path.split('/').collect();
            let honest = self.written.iter().find(|(path, written)| {
                !written.shared
                    && written.leaf.is_some()
                    && path.len() >= at.len()
                    && path.iter().zip(&at).all(|(a, b)| a == b)
                    && !(edit && organisers_may_change(path, written.leaf.as_ref()))
            });
            if let Some((path, _)) = honest {
                return Err(format!("{} ({}) is unreadable, and holds what an honest member wrote at {}", unreadable.path, unreadable.reason, path.join("/")));
            }
        }
        Ok(())
    }
}

/// The IDs an honest device acts on, as it reads its copy.
struct Seen {
    pledges: Vec<String>,
    notices: Vec<String>,
    tasks: Vec<String>,
    consultations: Vec<String>,
    /// Each consultation's options.
    options: HashMap<String, Vec<String>>,
    board: Option<(ItemId, ItemId)>,
}

impl Seen {
    fn of(doc: &AutoCommit) -> Seen {
        let consultations = keys_at(doc, &["consultations"]);
        let options = consultations.iter().map(|c| (c.clone(), keys_at(doc, &["consultations", c, "options"]))).collect();
        let board = keys_at(doc, &["boards"]).into_iter().find_map(|b| {
            let column = keys_at(doc, &["boards", &b, "columns"]).into_iter().next()?;
            Some((ItemId::parse(&b)?, ItemId::parse(&column)?))
        });
        Seen { pledges: keys_at(doc, &["pledges"]), notices: keys_at(doc, &["notices"]), tasks: keys_at(doc, &["tasks"]), consultations, options, board }
    }
}

/// The object at a path of map keys.
fn object_at(doc: &AutoCommit, path: &[&str]) -> Option<ObjId> {
    let mut obj = ROOT;
    for key in path {
        match doc.get(&obj, *key).ok()?? {
            (Value::Object(_), id) => obj = id,
            _ => return None,
        }
    }
    Some(obj)
}

fn keys_at(doc: &AutoCommit, path: &[&str]) -> Vec<String> {
    object_at(doc, path).map(|obj| doc.keys(&obj).collect()).unwrap_or_default()
}

/// Every path of the document and what stands there (the winning value at each key).
fn flatten(doc: &AutoCommit) -> Flat {
    let mut flat = Flat::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut flat);
    flat
}

fn walk(doc: &AutoCommit, obj: &ObjId, path: &mut Path, flat: &mut Flat) {
    let entries: Vec<(String, Value<'static>, ObjId)> = match doc.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => doc.map_range(obj, ..).map(|item| (item.key.to_string(), item.value.clone().into(), item.id())).collect(),
        Ok(ObjType::List) => doc.list_range(obj, ..).map(|item| (item.index.to_string(), item.value.clone().into(), item.id())).collect(),
        _ => return,
    };
    for (name, value, id) in entries {
        path.push(name);
        match value {
            Value::Object(ObjType::Text) => {
                flat.insert(path.clone(), Leaf::Object(ObjType::Text, id.to_string()));
                let mut text_path = path.clone();
                text_path.push("#text".to_owned());
                flat.insert(text_path, Leaf::Text(doc.text(&id).unwrap_or_default()));
            }
            Value::Object(kind) => {
                flat.insert(path.clone(), Leaf::Object(kind, id.to_string()));
                walk(doc, &id, path, flat);
            }
            Value::Scalar(value) => {
                flat.insert(path.clone(), Leaf::Scalar(value.into_owned()));
            }
        }
        path.pop();
    }
}

/// A leaf, shortened for a message.
fn short(leaf: &Leaf) -> String {
    let text = format!("{leaf:?}");
    if text.chars().count() > 120 { format!("{}…", text.chars().take(120).collect::<String>()) } else { text }
}

fn str_at(flat: &Flat, path: &[&str]) -> Option<String> {
    match flat.get(&path.iter().map(|s| (*s).to_owned()).collect::<Path>())? {
        Leaf::Scalar(ScalarValue::Str(s)) => Some(s.to_string()),
        _ => None,
    }
}

/// Who raised the request the path lies in, if it lies in one.
fn raised_by(path: &Path, flat: &Flat) -> Option<String> {
    match path.as_slice() {
        [tasks, task, ..] if tasks == "tasks" => str_at(flat, &["tasks", task, "request", "raised_by"]),
        _ => None,
    }
}

/// The member a path belongs to, if it lies in a member's entry: their member entry, signature or
/// vote, a comment (its author), who raised a request and its confirmation (the raiser).
fn member_owner(path: &Path, flat: &Flat) -> Option<String> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["members", m, ..] | ["pledges", _, "signatures", m, ..] | ["consultations", _, "votes", m, ..] => Some((*m).to_owned()),
        [a, b, "comments", c, ..] => Some(str_at(flat, &[a, b, "comments", c, "author"]).unwrap_or_else(|| "(no author)".to_owned())),
        ["tasks", _, "request", "raised_by" | "confirmation", ..] => Some(raised_by(path, flat).unwrap_or_else(|| "(no one)".to_owned())),
        _ => None,
    }
}

/// Whether an organiser may change what stands at `path` (having written `leaf` there): not a
/// member's entry, not an object that holds entries or is born with its item (those are never
/// removed or replaced), not what stays fixed once set.
fn organisers_may_change(path: &Path, leaf: Option<&Leaf>) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let members = matches!(
        p.as_slice(),
        ["schema"]
            | ["members", ..]
            | ["pledges", _, "signatures", ..]
            | ["consultations", _, "votes", ..]
            | [_, _, "comments", ..]
            | ["tasks", _, "request", "raised_by" | "confirmation", ..]
            | ["consultations", _, "yes_no" | "max_choices"]
    );
    if members {
        return false;
    }
    if matches!(leaf, Some(Leaf::Object(..))) {
        // Objects stay where they were made, except where organisers make them again: kiosk
        // lists, translations, a consultation's closing (two organisers may close it apart),
        // its threshold, options, follow-ups; links; meetings' action items.
        return matches!(
            p.as_slice(),
            ["kiosk", ..]
                | ["notices", _, "translations", ..]
                | ["consultations", _, "closed" | "threshold" | "options" | "follow_ups", _, ..]
                | ["consultations", _, "closed" | "threshold"]
                | ["links", ..]
                | ["meetings", _, "actions", ..]
        );
    }
    true
}

/// Whether the resident `raiser` may change `path` in a request they raised: its description,
/// when it was updated, its confirmation.
fn raiser_may_change(path: &Path, flat: &Flat, raiser: &str) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(p.as_slice(), ["tasks", _, "description", "#text"] | ["tasks", _, "updated_at"] | ["tasks", _, "request", "confirmation", ..])
        && raised_by(path, flat).as_deref() == Some(raiser)
}

/// A copy of `doc` without its moderation entries, read locally (so hidden members' entries
/// read too).
fn without_moderation(doc: &AutoCommit) -> AutoCommit {
    let mut copy = doc.clone();
    if let Some(moderation) = object_at(&copy, &["moderation"]) {
        for member in copy.keys(&moderation).collect::<Vec<_>>() {
            copy.delete(&moderation, member.as_str()).expect("a local delete");
        }
    }
    copy.commit();
    copy
}

// ----- building changes by hand -----

/// What an attacker knows from its newer replica: the IDs of items, comments and options, the
/// members, and the honest actors (for their marks).
struct Known {
    items: Vec<String>,
    comments: Vec<(String, String, String)>,
    members: Vec<String>,
    honest_actors: Vec<ActorId>,
    pledges: Vec<String>,
    notices: Vec<String>,
    tasks: Vec<String>,
    consultations: Vec<String>,
    options: HashMap<String, Vec<String>>,
    board: Option<(ItemId, ItemId)>,
    /// Every object of the replica, as (counter, actor) of the operation that made it.
    objects: Vec<(u64, ActorId)>,
}

impl Known {
    fn of(replica: &AutoCommit, members: &[String], honest_actors: &[ActorId]) -> Known {
        let seen = Seen::of(replica);
        let mut items = Vec::new();
        let mut comments = Vec::new();
        for collection in ["pledges", "notices", "tasks", "consultations", "boards", "categories"] {
            for id in keys_at(replica, &[collection]) {
                for comment in keys_at(replica, &[collection, &id, "comments"]) {
                    comments.push((collection.to_owned(), id.clone(), comment.clone()));
                    items.push(comment);
                }
                items.push(id);
            }
        }
        items.extend(seen.options.values().flatten().cloned());
        let mut flat_objects = Vec::new();
        for leaf in flatten(replica).into_values() {
            if let Leaf::Object(_, id) = leaf
                && let Some((counter, actor)) = id.split_once('@')
                && let (Ok(counter), Ok(actor)) = (counter.parse::<u64>(), actor.parse::<ActorId>())
            {
                flat_objects.push((counter, actor));
            }
        }
        Known {
            items,
            comments,
            members: members.to_vec(),
            honest_actors: honest_actors.to_vec(),
            pledges: seen.pledges,
            notices: seen.notices,
            tasks: seen.tasks,
            consultations: seen.consultations,
            options: seen.options,
            board: seen.board,
            objects: flat_objects,
        }
    }
}

/// Field names of the records of a space (and of its root).
const FIELDS: [&str; 64] = [
    "title",
    "body",
    "text",
    "name",
    "role",
    "joined_at",
    "signed_at",
    "withdrawn_at",
    "author",
    "at",
    "choices",
    "raised_by",
    "raised_at",
    "confirmation",
    "resolved",
    "claimed_by",
    "claimed_at",
    "resolved_at",
    "description",
    "updated_at",
    "created_at",
    "archived",
    "comments",
    "signatures",
    "votes",
    "request",
    "closed",
    "heads",
    "by",
    "options",
    "label",
    "position",
    "yes_no",
    "max_choices",
    "write_key",
    "participate_key",
    "participate_seed_sealed",
    "schema",
    "kiosk",
    "moderation",
    "hidden",
    "members",
    "tasks",
    "notices",
    "pledges",
    "consultations",
    "goal",
    "deadline",
    "pinned",
    "urgent",
    "board",
    "column",
    "due",
    "labels",
    "assignees",
    "paper",
    "count",
    "names",
    "en",
    "yes",
    "no",
    "abstain",
    "threshold",
    "follow_ups",
];

/// Builds one planned change (or two) on `fork` as `actor`.
fn build(fork: &mut AutoCommit, plan: &ChangePlan, actor: &ActorId, author: Option<&Author>, now: i64, known: &Known) {
    let commit = |fork: &mut AutoCommit| {
        fork.set_actor(actor.clone());
        fork.commit_with(CommitOptions::default().with_time(now.div_euclid(1000)).with_message("by hand".to_owned()));
    };
    let mut objects = Objects::of(fork);
    if plan.raw_first {
        raw_ops(fork, plan, actor, now, known, &mut objects);
    }
    if let (Some(template), Some(author)) = (&plan.template, author) {
        run_template(fork, template, author, known);
        fork.set_actor(actor.clone());
    }
    if !plan.raw_first {
        commit(fork);
        objects = Objects::of(fork);
        raw_ops(fork, plan, actor, now, known, &mut objects);
    }
    commit(fork);
}

/// The objects an operation may act on: those of the old copy, and those made since.
struct Objects {
    old: Vec<(ObjId, ObjType)>,
    made: Vec<(ObjId, ObjType)>,
    /// Every map of the old copy but the root, with its parent and key.
    maps: Vec<(ObjId, String, ObjId)>,
    /// Every scalar standing in a map of the old copy, with the map and key.
    scalars: Vec<(ObjId, String, ScalarValue)>,
}

impl Objects {
    fn of(doc: &AutoCommit) -> Objects {
        let mut objects = Objects { old: vec![(ROOT, ObjType::Map)], made: Vec::new(), maps: Vec::new(), scalars: Vec::new() };
        objects.collect(doc, &ROOT);
        objects
    }

    fn collect(&mut self, doc: &AutoCommit, obj: &ObjId) {
        let entries: Vec<(String, Value<'static>, ObjId)> = doc.map_range(obj, ..).map(|item| (item.key.to_string(), item.value.clone().into(), item.id())).collect();
        for (key, value, id) in entries {
            match value {
                Value::Object(kind) => {
                    self.old.push((id.clone(), kind));
                    if kind == ObjType::Map {
                        self.maps.push((obj.clone(), key, id.clone()));
                        self.collect(doc, &id);
                    }
                }
                Value::Scalar(value) => self.scalars.push((obj.clone(), key, value.into_owned())),
            }
        }
    }

    fn pick(&self, at: u16) -> (ObjId, ObjType) {
        let n = (at >> 1) as usize;
        if at & 1 == 1 && !self.made.is_empty() { self.made[n % self.made.len()].clone() } else { self.old[n % self.old.len()].clone() }
    }
}

fn raw_ops(fork: &mut AutoCommit, plan: &ChangePlan, actor: &ActorId, now: i64, known: &Known, objects: &mut Objects) {
    fork.set_actor(actor.clone());
    for op in &plan.raw {
        raw_op(fork, op, actor, now, known, objects);
    }
}

/// A change on top of `fork` that writes one key of a map `flood.count` times over, each write
/// replacing the one before, as Automerge would write it.
fn flood_change(fork: &mut AutoCommit, flood: &Flood, actor: &ActorId, now: i64, known: &Known) -> Option<Change> {
    let objects = Objects::of(fork);
    let maps: Vec<&ObjId> = objects.old.iter().filter(|(_, kind)| *kind == ObjType::Map).map(|(obj, _)| obj).collect();
    let obj = maps[flood.at as usize % maps.len()];
    let key = map_key(fork, obj, &flood.key, actor, known);
    let legacy = |id: &ObjId| match id {
        ObjId::Id(counter, actor, _) => Some(LegacyOpId(*counter, actor.clone())),
        ObjId::Root => None,
    };
    let all = fork.get_changes(&[]);
    let seq = all.iter().filter(|c| c.actor_id() == actor).map(Change::seq).max().unwrap_or(0) + 1;
    let start = all.iter().map(Change::max_op).max().unwrap_or(0) + 1;
    let object = legacy(obj).map_or(OpObject::Root, OpObject::Id);
    let mut pred: Vec<LegacyOpId> = fork.get_all(obj, key.as_str()).ok()?.iter().filter_map(|(_, id)| legacy(id)).collect();
    let mut operations = Vec::with_capacity(flood.count);
    for n in 0..flood.count {
        let action = LegacyOpType::Put(ScalarValue::Int(n as i64));
        operations.push(LegacyOp { action, obj: object.clone(), key: OpKey::Map(key.as_str().into()), pred: SortedVec::from(std::mem::take(&mut pred)), insert: false });
        pred = vec![LegacyOpId(start + n as u64, actor.clone())];
    }
    let deps = fork.get_heads();
    let expanded = ExpandedChange {
        operations,
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: NonZeroU64::new(start)?,
        time: now.div_euclid(1000),
        message: None,
        deps,
        extra_bytes: Vec::new(),
        author: None,
    };
    catch_unwind(AssertUnwindSafe(|| Change::from(expanded))).ok()
}

/// A map key for `pick` in `obj`.
fn map_key(doc: &AutoCommit, obj: &ObjId, pick: &KeyPick, actor: &ActorId, known: &Known) -> String {
    let nth = |list: &[String], n: usize| list.get(n % list.len().max(1)).cloned();
    match pick {
        KeyPick::Existing(n) => nth(&doc.keys(obj).collect::<Vec<_>>(), *n as usize).unwrap_or_else(|| "title".to_owned()),
        KeyPick::Field(n) => FIELDS[*n as usize % FIELDS.len()].to_owned(),
        KeyPick::Member(n) => {
            let mut members = known.members.clone();
            members.push(MemberId::from_public_key([77; 32]).to_string());
            members.push(MemberId::from_random([7; 8]).to_string());
            nth(&members, *n as usize).expect("some")
        }
        KeyPick::NewItem(r) => ItemId::marked(item_mark_of(actor), [*r, 1, 2, 3, 4, 5, 6, 7]).to_string(),
        KeyPick::MarkedBy(w, r) => {
            let honest = &known.honest_actors[*w as usize % known.honest_actors.len()];
            ItemId::marked(item_mark_of(honest), [*r; 8]).to_string()
        }
        KeyPick::Known(n) => nth(&known.items, *n as usize).unwrap_or_else(|| "yes".to_owned()),
        KeyPick::Raw(raw) => raw.clone(),
    }
}

fn scalar(pick: &ValuePick, now: i64, known: &Known) -> ScalarValue {
    match pick {
        ValuePick::Str(s) => ScalarValue::Str(s.as_str().into()),
        ValuePick::Long(n, c) => ScalarValue::Str(std::iter::repeat_n(*c, LONG[*n as usize % LONG.len()]).collect::<String>().into()),
        ValuePick::Member(n) => ScalarValue::Str(known.members[*n as usize % known.members.len()].as_str().into()),
        ValuePick::Now(seconds) => ScalarValue::Int(now.saturating_add(i64::from(*seconds) * 1000)),
        ValuePick::Int(n) => ScalarValue::Int(*n),
        ValuePick::Uint(n) => ScalarValue::Uint(*n),
        ValuePick::F64(f) => ScalarValue::F64(*f),
        ValuePick::Bool(b) => ScalarValue::Boolean(*b),
        ValuePick::Null => ScalarValue::Null,
        ValuePick::Bytes(bytes) => ScalarValue::Bytes(bytes.clone()),
        ValuePick::Timestamp(t) => ScalarValue::Timestamp(*t),
        ValuePick::Counter(n) => ScalarValue::counter(*n),
        ValuePick::Unknown(type_code, bytes) => ScalarValue::Unknown { type_code: *type_code, bytes: bytes.clone() },
    }
}

fn object_kind(kind: u8) -> ObjType {
    match kind % 8 {
        0..=4 => ObjType::Map,
        5 | 6 => ObjType::Text,
        _ => ObjType::List,
    }
}

/// One raw operation; what Automerge refuses is simply not made.
fn raw_op(fork: &mut AutoCommit, op: &RawOp, actor: &ActorId, now: i64, known: &Known, objects: &mut Objects) {
    let at = match op {
        RawOp::Put { at, .. } | RawOp::Make { at, .. } | RawOp::Delete { at, .. } | RawOp::Increment { at, .. } | RawOp::Splice { at, .. } | RawOp::Mark { at, .. } => *at,
        RawOp::Rewrite { at, how } => {
            if let Some((obj, key, value)) = objects.scalars.get(*at as usize % objects.scalars.len().max(1)).cloned() {
                let _ = fork.put(&obj, key.as_str(), rewritten(&value, *how, actor, now, known));
            }
            return;
        }
        RawOp::Copy { from, to, key, mine } => {
            if objects.maps.is_empty() {
                return;
            }
            let (parent, _, source) = objects.maps[*from as usize % objects.maps.len()].clone();
            let parent = if to % 2 == 0 { parent } else { objects.pick(to >> 1).0 };
            if !matches!(fork.object_type(&parent), Ok(ObjType::Map)) {
                return;
            }
            let key = map_key(fork, &parent, key, actor, known);
            let me = member_of_actor(actor);
            if let Ok(copy) = fork.put_object(&parent, key.as_str(), ObjType::Map) {
                copy_map(fork, &source, &copy, (*mine).then_some(me.as_deref()).flatten(), now, known, 4);
                objects.made.push((copy, ObjType::Map));
            }
            return;
        }
    };
    let (obj, kind) = objects.pick(at);
    let length = fork.length(&obj);
    let index = |n: u16| n as usize % (length + 1);
    let is_map = matches!(kind, ObjType::Map | ObjType::Table);
    match op {
        RawOp::Put { key, value, .. } => {
            let value = scalar(value, now, known);
            if is_map {
                let key = map_key(fork, &obj, key, actor, known);
                let _ = fork.put(&obj, key.as_str(), value);
            } else if let KeyPick::Existing(n) = key
                && length > 0
            {
                let _ = fork.put(&obj, *n as usize % length, value);
            } else {
                let _ = fork.insert(&obj, index(at), value);
            }
        }
        RawOp::Make { key, kind: made, .. } => {
            let made = object_kind(*made);
            let new = if is_map {
                let key = map_key(fork, &obj, key, actor, known);
                fork.put_object(&obj, key.as_str(), made)
            } else {
                fork.insert_object(&obj, index(at), made)
            };
            if let Ok(new) = new {
                objects.made.push((new, made));
            }
        }
        RawOp::Delete { key, .. } => {
            if is_map {
                let key = map_key(fork, &obj, key, actor, known);
                let _ = fork.delete(&obj, key.as_str());
            } else if length > 0 {
                let _ = fork.delete(&obj, index(at) % length);
            }
        }
        RawOp::Increment { key, by, .. } => {
            if is_map {
                let key = map_key(fork, &obj, key, actor, known);
                let _ = fork.increment(&obj, key.as_str(), *by);
            } else if length > 0 {
                let _ = fork.increment(&obj, index(at) % length, *by);
            }
        }
        RawOp::Splice { pos, delete, text, .. } => {
            let text = match scalar(text, now, known) {
                ScalarValue::Str(s) => s.to_string(),
                other => format!("{other:?}"),
            };
            let pos = index(*pos);
            let delete = (*delete as usize).min(length - pos);
            if kind == ObjType::Text {
                let _ = fork.splice_text(&obj, pos, delete as isize, &text);
            } else if !is_map {
                let _ = fork.insert(&obj, pos, text);
            }
        }
        RawOp::Mark { start, len, name, .. } => {
            if kind == ObjType::Text && length > 0 {
                let start = *start as usize % length;
                let end = (start + 1 + *len as usize).min(length);
                let names = ["bold", "link", "comment"];
                let mark = Mark::new(names[*name as usize % names.len()].to_owned(), true, start, end);
                let _ = fork.mark(&obj, mark, if name % 2 == 0 { ExpandMark::After } else { ExpandMark::None });
            }
        }
        RawOp::Rewrite { .. } | RawOp::Copy { .. } => {}
    }
}

/// The keyed member an actor names, if it names one.
fn member_of_actor(actor: &ActorId) -> Option<String> {
    let bytes = actor.to_bytes();
    (bytes.len() == 40).then(|| MemberId::from_public_key(bytes[..32].try_into().expect("32 bytes")).to_string())
}

/// A value of the same kind as `value` (so that it fits where `value` stands), chosen by `how`.
fn rewritten(value: &ScalarValue, how: u8, actor: &ActorId, now: i64, known: &Known) -> ScalarValue {
    match value {
        ScalarValue::Str(old) => ScalarValue::Str(
            match how % 5 {
                0 => member_of_actor(actor).unwrap_or_default(),
                1 => known.members[how as usize % known.members.len()].clone(),
                2 => format!("{old}!"),
                3 => String::new(),
                _ => "x".repeat(301),
            }
            .into(),
        ),
        ScalarValue::Int(old) => ScalarValue::Int(match how % 4 {
            0 => now,
            1 => old.saturating_add((i64::from(how) - 128) * 60_000),
            2 => now + 11 * 60_000,
            _ => -1,
        }),
        ScalarValue::Uint(old) => ScalarValue::Uint(if how.is_multiple_of(2) { old.saturating_add(1) } else { 0 }),
        ScalarValue::Boolean(old) => ScalarValue::Boolean(!old),
        ScalarValue::Null => ScalarValue::Int(now),
        ScalarValue::Bytes(_) => ScalarValue::Bytes(vec![how; 32]),
        _ => ScalarValue::Null,
    }
}

/// Copies the map `source` into the (new) map `target`, `depth` levels deep; with `me`, what
/// named a member names `me`, and times read now. (The target may lie inside the source.)
fn copy_map(fork: &mut AutoCommit, source: &ObjId, target: &ObjId, me: Option<&str>, now: i64, known: &Known, depth: usize) {
    let entries: Vec<(String, Value<'static>, ObjId)> = fork.map_range(source, ..).map(|item| (item.key.to_string(), item.value.clone().into(), item.id())).collect();
    for (key, value, id) in entries {
        if id == *target {
            continue;
        }
        let key = match me {
            Some(me) if known.members.contains(&key) => me.to_owned(),
            _ => key,
        };
        match value {
            Value::Scalar(value) => {
                let value = match (me, value.into_owned()) {
                    (Some(me), ScalarValue::Str(s)) if known.members.iter().any(|m| m.as_str() == s.as_str()) => ScalarValue::Str(me.into()),
                    (Some(_), ScalarValue::Int(t)) if t > T0 - 86_400_000 && t < T0 + 400 * 86_400_000 => ScalarValue::Int(now),
                    (_, value) => value,
                };
                let _ = fork.put(target, key.as_str(), value);
            }
            Value::Object(ObjType::Text) => {
                let text = fork.text(&id).unwrap_or_default();
                if let Ok(new) = fork.put_object(target, key.as_str(), ObjType::Text) {
                    let _ = fork.splice_text(&new, 0, 0, &text);
                }
            }
            Value::Object(ObjType::Map) => {
                if depth > 0
                    && let Ok(new) = fork.put_object(target, key.as_str(), ObjType::Map)
                {
                    copy_map(fork, &id, &new, me, now, known, depth - 1);
                }
            }
            Value::Object(kind) => {
                if let Ok(new) = fork.put_object(target, key.as_str(), kind) {
                    let values: Vec<ScalarValue> = fork
                        .list_range(&id, ..)
                        .filter_map(|item| match Value::from(item.value.clone()) {
                            Value::Scalar(v) => Some(v.into_owned()),
                            _ => None,
                        })
                        .collect();
                    for (n, value) in values.into_iter().enumerate() {
                        let _ = fork.insert(&new, n, value);
                    }
                }
            }
        }
    }
}

/// An action of the app's editor, as `author` on the old copy (what the editor refuses is not
/// made). IDs come from the newer replica.
#[allow(clippy::result_large_err, reason = "the editor's own error type")]
fn run_template(fork: &mut AutoCommit, template: &Template, author: &Author, known: &Known) {
    let nth = |list: &[String], n: u8| (!list.is_empty()).then(|| list[n as usize % list.len()].clone()).and_then(|id| ItemId::parse(&id));
    let mut e = Editor::new(fork, author);
    let new_id = |r: u8| author.new_item_id([r, 9, 9, 9, 9, 9, 9, 9]);
    let _ = match template {
        Template::Join(n) => e.join(&format!("Mallory {n}"), if n % 3 == 0 { "residents-committee" } else { "" }),
        Template::Sign(n) => nth(&known.pledges, *n).map_or(Ok(()), |p| e.sign_pledge(&p, "Mallory")),
        Template::Withdraw(n) => nth(&known.pledges, *n).map_or(Ok(()), |p| e.withdraw_signature(&p)),
        Template::Raise(r) | Template::RaiseOver(r) => {
            let id = match template {
                Template::RaiseOver(_) => nth(&known.items, *r).unwrap_or_else(|| new_id(*r)),
                _ => new_id(*r),
            };
            match &known.board {
                Some((board, column)) => e.raise_request(&id, board, column, "", TaskDraft { title: format!("Mine {r}"), ..Default::default() }, Place::End),
                None => e.raise_unfiled_request(&id, "", TaskDraft { title: format!("Mine {r}"), ..Default::default() }),
            }
        }
        Template::Comment(k, r) => {
            let id = new_id(*r);
            match k % 3 {
                0 => nth(&known.notices, *k / 3).map_or(Ok(()), |n| e.comment_on_notice(&n, &id, "Hello")),
                1 => nth(&known.tasks, *k / 3).map_or(Ok(()), |t| e.comment_on_task(&t, &id, "Hello")),
                _ => nth(&known.consultations, *k / 3).map_or(Ok(()), |c| e.comment_on_consultation(&c, &id, "Hello")),
            }
        }
        Template::CommentOver(n) => match known.comments.get(*n as usize % known.comments.len().max(1)) {
            Some((collection, item, comment)) => {
                let (Some(item), Some(comment)) = (ItemId::parse(item), ItemId::parse(comment)) else { return };
                match collection.as_str() {
                    "notices" => e.comment_on_notice(&item, &comment, "Not what they said"),
                    "tasks" => e.comment_on_task(&item, &comment, "Not what they said"),
                    _ => e.comment_on_consultation(&item, &comment, "Not what they said"),
                }
            }
            None => Ok(()),
        },
        Template::Vote(c, o) => match nth(&known.consultations, *c) {
            Some(consultation) => {
                let options = known.options.get(consultation.as_str()).cloned().unwrap_or_default();
                let choice = options.get(*o as usize % options.len().max(1)).cloned().unwrap_or_else(|| "yes".to_owned());
                e.vote(&consultation, &[choice])
            }
            None => Ok(()),
        },
        Template::Details(n) => nth(&known.tasks, *n).map_or(Ok(()), |t| e.add_request_details(&t, "and more")),
        Template::Confirm(n, resolved) => nth(&known.tasks, *n).map_or(Ok(()), |t| e.confirm_request(&t, *resolved)),
        Template::EditNotice(n) => nth(&known.notices, *n).map_or(Ok(()), |id| e.edit_notice(&id, NoticeDraft::new("Forged", "Forged"))),
        Template::PostNotice(r) => e.post_notice(&new_id(*r), NoticeDraft::new("Free money", "Click here")),
        Template::Claim(n) => nth(&known.tasks, *n).map_or(Ok(()), |t| e.claim_task(&t)),
        Template::Close(n) => nth(&known.consultations, *n).map_or(Ok(()), |c| e.close_consultation(&c)),
        Template::Hide(n) => e.set_member_hidden(&known.members[*n as usize % known.members.len()], true, "spam"),
        Template::EditPledge(n) => nth(&known.pledges, *n).map_or(Ok(()), |p| e.edit_pledge(&p, PledgeDraft { title: "Forged".into(), ..Default::default() })),
    };
}

/// `changes` with one of them reworked in its decoded form, and the ones after it made to name
/// it by its new hash. `None` if Automerge will not encode it.
fn mutate(changes: &[Change], mutation: &Mutation, all: &[Change], known: &Known) -> Option<Vec<Change>> {
    let which = mutation.change as usize % changes.len();
    let mut expanded: ExpandedChange = changes[which].decode();
    let ops = expanded.operations.len();
    let some_op = |n: u16| {
        let change = &all[n as usize % all.len()];
        LegacyOpId(change.start_op().get() + (n as u64 % change.len().max(1) as u64), change.actor_id().clone())
    };
    match &mutation.twist {
        Twist::Seq(d) => expanded.seq = expanded.seq.saturating_add_signed(i64::from(*d)),
        Twist::StartOp(d) => expanded.start_op = NonZeroU64::new(expanded.start_op.get().saturating_add_signed(i64::from(*d)).max(1)).expect("at least 1"),
        Twist::NoDeps => expanded.deps.clear(),
        Twist::ExtraDep(n) => {
            expanded.deps.push(all[*n as usize % all.len()].hash());
            expanded.deps.sort();
            expanded.deps.dedup();
        }
        Twist::DropDep => {
            expanded.deps.pop();
        }
        Twist::Pred { op, target } if ops > 0 => expanded.operations[*op as usize % ops].pred = SortedVec::from(vec![some_op(*target)]),
        Twist::NoPred(op) if ops > 0 => expanded.operations[*op as usize % ops].pred = SortedVec::new(),
        Twist::FlipInsert(op) if ops > 0 => {
            let op = &mut expanded.operations[*op as usize % ops];
            op.insert = !op.insert;
        }
        Twist::Object { op, target } if ops > 0 && !known.objects.is_empty() => {
            let (counter, actor) = known.objects[*target as usize % known.objects.len()].clone();
            expanded.operations[*op as usize % ops].obj = OpObject::Id(LegacyOpId(counter, actor));
        }
        Twist::KeyKind(op) if ops > 0 => {
            let op = &mut expanded.operations[*op as usize % ops];
            op.key = match &op.key {
                OpKey::Map(_) => OpKey::Seq(ElementId::Head),
                OpKey::Seq(_) => OpKey::Map("title".into()),
            };
        }
        Twist::Time(t) => expanded.time = *t,
        Twist::Extra(bytes) => expanded.extra_bytes = bytes.clone(),
        _ => return None,
    }
    let mut out: Vec<Change> = changes[..which].to_vec();
    let mut renamed: HashMap<ChangeHash, ChangeHash> = HashMap::new();
    let reworked = Change::from(expanded);
    renamed.insert(changes[which].hash(), reworked.hash());
    out.push(reworked);
    for change in &changes[which + 1..] {
        if change.deps().iter().any(|d| renamed.contains_key(d)) {
            let mut expanded = change.decode();
            for dep in &mut expanded.deps {
                if let Some(new) = renamed.get(dep) {
                    *dep = *new;
                }
            }
            expanded.deps.sort();
            let again = Change::from(expanded);
            renamed.insert(change.hash(), again.hash());
            out.push(again);
        } else {
            out.push(change.clone());
        }
    }
    Some(out)
}

// ----- the property -----

/// One case: the world, the plan, every link back, and the checks (a panic is a failure too).
fn run(residents: usize, attackers: u8, seed: u64, plan: &[Step]) -> Result<(), String> {
    run_with(residents, attackers, seed, plan, false)
}

/// [`run`], with the attacks that find the known holes (`LINLI_ADVERSARY_KNOWN_HOLES=1`) if
/// `known_holes`.
fn run_with(residents: usize, attackers: u8, seed: u64, plan: &[Step], known_holes: bool) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut world = World::new(residents, attackers, seed);
        world.known_holes |= known_holes;
        for step in plan {
            world.step(step);
        }
        world.finish();
        world.check()
    }))
    .unwrap_or_else(|panic| Err(format!("panicked: {:?}", panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned())))))
}

/// Whether `changes`, on top of `heads`, leave the document under another write or take-part key.
fn moves_a_key(replica: &mut AutoCommit, heads: &[ChangeHash], changes: &[Change]) -> bool {
    let Ok(mut copy) = replica.fork_at(heads) else { return false };
    let keys = |doc: &AutoCommit| (protection(doc), take_part_protection(doc));
    let before = keys(&copy);
    catch_unwind(AssertUnwindSafe(|| copy.apply_changes(changes.iter().cloned()).is_ok() && keys(&copy) != before)).unwrap_or(false)
}

/// Drops steps of a failing plan while it keeps failing (quicker than proptest's shrinking
/// here: each run is long). For `LINLI_ADVERSARY_MINIMIZE=1`.
fn minimize(residents: usize, attackers: u8, seed: u64, mut plan: Vec<Step>) -> Vec<Step> {
    loop {
        let before = plan.len();
        let mut n = 0;
        while n < plan.len() {
            let mut fewer = plan.clone();
            fewer.remove(n);
            if run(residents, attackers, seed, &fewer).is_err() {
                plan = fewer;
            } else {
                n += 1;
            }
        }
        if plan.len() == before {
            return plan;
        }
    }
}

fn cases() -> u32 {
    std::env::var("LINLI_ADVERSARY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(100)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 400, ..ProptestConfig::default() })]

    /// See the module docs. `attackers` is a set of standings (bit n: `STANDINGS[n]`).
    #[test]
    fn attackers_change_nothing_outside_their_tier(residents in 2usize..=3, attackers in 0u8..16, seed in any::<u64>(), plan in steps()) {
        if let Err(broken) = run(residents, attackers, seed, &plan) {
            static MINIMIZED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if std::env::var("LINLI_ADVERSARY_MINIMIZE").is_ok() && !MINIMIZED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                let smaller = minimize(residents, attackers, seed, plan.clone());
                eprintln!("smallest failing plan: residents {residents}, attackers {attackers}, seed {seed}:\n{smaller:#?}\n{:?}", run(residents, attackers, seed, &smaller));
            }
            prop_assert!(false, "{}", broken);
        }
    }
}

// ----- holes the property found, each kept as its smallest case -----

impl World {
    /// Attacker `n`'s replica and its author (its own actor).
    fn attacker_copy(&mut self, n: usize) -> (AutoCommit, Author) {
        let a = &self.attackers[n];
        let author = Author { member: member_of(&a.key), session: a.session, now: Timestamp(self.clock) };
        (self.replica(n), author)
    }

    /// Links the last attacker to both relays, its first link to relay 1 (in place of the link it
    /// had, the last one made).
    fn link_to_both_relays(&mut self) {
        let n = self.attackers.len() - 1;
        let node = self.attackers[n].node;
        let old = self.slots.pop().expect("the attacker's link");
        self.net.disconnect(old.link.expect("up"));
        self.attackers[n].links = vec![self.slot(node, self.relays[0], false), self.slot(node, self.relays[1], false)];
    }

    /// `changes`, sent by attacker `n` over its `link`-th link with the signatures given.
    fn send(&mut self, n: usize, link: usize, changes: &[Change], member: Vec<MemberSignature>) {
        let link = self.slots[self.attackers[n].links[link]].link.expect("the attacker's links are up");
        let heads = vec![changes.last().expect("some").hash()];
        let frame = self.frame(self.attackers[n].node, &heads, changes.iter().map(|c| c.raw_bytes().to_vec()).collect(), false, Vec::new(), member);
        self.net.inject(link, true, frame);
        let standing = self.attackers[n].standing;
        self.injected.extend(changes.iter().map(|c| (standing, c.hash())));
    }
}

/// Found by the property (its smallest case, in the take-part tier; the edit tier's write-key
/// signature does the same). A resident sends two changes of their own line in one frame: the
/// first allowed (joining), the second not (renaming the space), and a signature on the second
/// only — a member signature vouches for the member's own chain below it. The relay it reaches
/// (relay 2 here) takes the first (vouched for by the second's signature), refuses the second,
/// and keeps no signature for the first: the one that vouched for it belonged to a refused
/// change. So it passes the first on without any, every other peer refuses it ("not signed"), and
/// that relay holds for good a change no other replica will ever take: the honest replicas never
/// agree again.
#[test]
fn a_change_taken_on_the_signature_of_a_refused_one_reaches_every_replica() {
    let mut world = World::new(2, 1 << 2, 1);
    let (mut copy, mallory) = world.attacker_copy(0);
    let start = copy.get_heads();
    Editor::new(&mut copy, &mallory).join("Mallory", "").expect("joins");
    copy.put(ROOT, "name", "Mallory's space").expect("a put");
    copy.commit_with(CommitOptions::default().with_time(mallory.now.0 / 1000));
    let changes = copy.get_changes(&start);
    let signature = world.attackers[0].key.sign(changes[1].hash(), Some(&world.take_part.signer()));
    world.send(0, 0, &changes, vec![signature]);
    world.finish();
    if let Err(broken) = world.check() {
        panic!("{broken}");
    }
}

/// Found reading `lineage.rs` while writing the property (whose attackers do this only with
/// `LINLI_ADVERSARY_KNOWN_HOLES=1`). A resident who has joined makes two different changes with
/// the same sequence number, both on top of their join (two signatures, each allowed), and sends
/// one to relay 1 and the other to relay 2 before the relays hear from each other. Each relay takes the one it got first and
/// refuses the other ("it does not build on its writer's previous change": the lineage check goes
/// by what arrived first). When the relays meet again, each refuses the other's, each hears the
/// other as lacking its head, and they answer each other for ever: sync never goes quiet. And
/// every change built on one side is held back on the other: here the organiser's edit of a
/// notice, made on relay 1's side, never reaches the resident on relay 2. One take-part link
/// split the space for good. Fixed by the home relay (`home_relay.rs`): the space names relay 1,
/// relay 2 holds the side it got until relay 1's receipt covers a change, and relay 1 gives one
/// only for the side it took; relay 2 then takes that side and refuses the other. (Without the
/// space's `home_relay` this test fails as it did.)
#[test]
fn a_writer_who_forks_their_own_line_cannot_split_a_space_with_a_home_relay() {
    let mut world = World::new(2, 1 << 2, 1);
    world.link_to_both_relays();
    let (mut copy, mallory) = world.attacker_copy(0);
    let start = copy.get_heads();
    Editor::new(&mut copy, &mallory).join("Mallory", "").expect("joins");
    let join = copy.get_changes(&start);
    let signature = world.attackers[0].key.sign(join[0].hash(), Some(&world.take_part.signer()));
    world.send(0, 0, &join, vec![signature]);
    world.finish();
    // Two second changes: one signs the first pledge, the other the second.
    let after_join = copy.get_heads();
    let mut forks = Vec::new();
    for pledge in keys_at(&copy, &["pledges"]) {
        let mut fork = copy.fork_at(&after_join).expect("a fork");
        Editor::new(&mut fork, &mallory).sign_pledge(&ItemId::parse(&pledge).expect("an ID"), "Mallory").expect("signs");
        forks.push(fork.get_changes(&after_join));
    }
    assert_eq!((forks[0][0].seq(), forks[1][0].seq()), (2, 2));
    // The relays do not hear from each other for a moment (nor the organiser from the resident).
    for slot in [1, 4] {
        let link = world.slots[slot].link.take().expect("up");
        world.net.disconnect(link);
    }
    for (relay, fork) in forks.iter().enumerate() {
        let signature = world.attackers[0].key.sign(fork[0].hash(), Some(&world.take_part.signer()));
        world.send(0, relay, fork, vec![signature]);
    }
    world.quiet();
    let mut broken = Vec::new();
    for slot in &mut world.slots {
        if slot.link.is_none() {
            slot.link = Some(world.net.connect(slot.client, slot.server));
        }
    }
    if !world.settle(20_000) {
        broken.push("with the relays together again, sync never goes quiet (20,000 frames)".to_owned());
    }
    // The organiser (on relay 1's side) edits a notice.
    world.clock += 60_000;
    world.honest_act(ORGANISER, &HonestAct::EditNotice(0));
    world.settle(20_000);
    let body = |node: usize| {
        let doc = world.net.nodes[node].repo.document(&world.space).expect("has the space");
        Space::hydrate(doc).expect("a space").notices.into_values().next().expect("a notice").body
    };
    let (organiser, resident) = (world.honest[ORGANISER].node, world.honest[1].node);
    if body(resident) != body(organiser) {
        broken.push(format!("the organiser's edit ({:?}) never reaches the resident on relay 2, who reads {:?}", body(organiser), body(resident)));
    }
    if let Err(check) = world.check() {
        broken.push(check);
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Found by the property once the space named a home relay. Two residents, cut off from both
/// relays but linked to each other, each join: each holds back the other's change (no receipt)
/// and Automerge, seeing the heads differ, answered every message with another, for ever. The
/// same message with nothing in it but heads and needs is now not sent twice: sync goes quiet,
/// and both changes go on to everyone once one of them reaches a relay again. (That found one
/// more: a resident got the home's receipt for its own change, already in its copy, after its
/// heads had last changed, and never told the other, who held that change back for good. A
/// receipt for one of our heads now goes on to every peer not yet told it.)
#[test]
fn two_devices_holding_back_each_others_change_go_quiet() {
    let mut world = World::new(2, 0, 5);
    let (first, second) = (world.honest[1].node, world.honest[2].node);
    let direct = world.slot(second, first, true);
    let [first_to_relay2, second_to_relay1, first_to_organiser] = [2, 3, 4];
    assert_eq!((world.slots[first_to_relay2].client, world.slots[first_to_relay2].server), (first, world.relays[1]));
    assert_eq!((world.slots[second_to_relay1].client, world.slots[second_to_relay1].server), (second, world.relays[0]));
    assert_eq!(world.slots[first_to_organiser].client, first);
    world.quiet();
    for slot in [first_to_relay2, second_to_relay1, first_to_organiser] {
        let link = world.slots[slot].link.take().expect("up");
        world.net.disconnect(link);
    }
    assert!(world.slots[direct].link.is_some());
    world.clock += 60_000;
    world.honest_act(1, &HonestAct::Join);
    world.honest_act(2, &HonestAct::Join);
    let heads = |world: &World, node: usize| world.net.nodes[node].repo.document(&world.space).expect("has the space").clone().get_heads();
    world.quiet();
    assert_ne!(heads(&world, first), heads(&world, second), "each holds back the other's change");
    let link = world.net.connect(world.slots[first_to_relay2].client, world.slots[first_to_relay2].server);
    world.slots[first_to_relay2].link = Some(link);
    world.quiet();
    for node in [world.relays[1], world.honest[ORGANISER].node, first, second] {
        assert_eq!(heads(&world, node), heads(&world, world.relays[0]), "node {node} has both changes");
    }
    if let Err(broken) = world.check() {
        panic!("{broken}");
    }
}

/// Found by the property (its smallest case). A resident's join, re-encoded below Automerge's API
/// so that its first operation — making the member entry, where nothing stood — names as its
/// predecessor an operation elsewhere in the document (here the first operation of the space's
/// first change). The rules did not look at predecessors, so it was admitted (it is a join) and
/// applied, and the relay panicked storing it (`AutoCommit::save_after` → Automerge's change
/// collector unwraps `MissingDep`). Contained first (the admission saves what it took in and
/// refuses the message as bad data), it came back in a space with a home relay: relay 2 held the
/// change for the home's receipt and passed it on, and the home closed the link to relay 2 on it,
/// again each time relay 2 dialled back. Now every peer's rules refuse an operation whose
/// predecessors did not stand where it writes (`ops::replaces_what_stood` in linli-core).
#[test]
fn a_change_naming_a_predecessor_elsewhere_is_taken_in_without_a_panic() {
    let mut world = World::new(2, 1 << 2, 1);
    let (mut copy, mallory) = world.attacker_copy(0);
    let start = copy.get_heads();
    Editor::new(&mut copy, &mallory).join("Mallory", "").expect("joins");
    let mut join = copy.get_changes(&start).remove(0).decode();
    let first = copy.get_changes(&[]).remove(0);
    join.operations[0].pred = SortedVec::from(vec![LegacyOpId(first.start_op().get(), first.actor_id().clone())]);
    let join = Change::from(join);
    let signature = world.attackers[0].key.sign(join.hash(), Some(&world.take_part.signer()));
    world.send(0, 0, std::slice::from_ref(&join), vec![signature]);
    let taken_in = catch_unwind(AssertUnwindSafe(|| world.finish()));
    assert!(taken_in.is_ok(), "a peer panicked taking in one signed change of a resident");
    if let Err(broken) = world.check() {
        panic!("{broken}");
    }
}

/// The property's checks can fail: a space changed behind the rules' back (the same forged
/// document put into every honest peer, as no peer would take it) is caught.
#[test]
fn the_checks_catch_what_gets_past_the_rules() {
    let forged = |forge: &dyn Fn(&mut AutoCommit, &World)| {
        let mut world = World::new(2, 0, 1);
        world.honest_act(1, &HonestAct::Join);
        world.clock += 1_000;
        world.honest_act(1, &HonestAct::Sign(0));
        world.finish();
        let mut doc = world.net.nodes[world.relays[0]].repo.document(&world.space).expect("has the space").clone();
        doc.set_actor(ActorId::from(vec![9u8; 16]));
        forge(&mut doc, &world);
        doc.commit();
        let nodes: Vec<usize> = world.relays.iter().copied().chain(world.honest.iter().map(|h| h.node)).collect();
        for node in nodes {
            world.net.create(node, world.space, doc.clone());
        }
        world.finish();
        world.check().expect_err("the forgery is caught")
    };
    let resident = |world: &World| member_of(&world.honest[1].key).to_string();
    let caught = forged(&|doc, world| {
        let pledge = keys_at(doc, &["pledges"])[0].clone();
        let signature = object_at(doc, &["pledges", &pledge, "signatures", &resident(world)]).expect("signed");
        doc.put(&signature, "name", "Someone else").expect("a put");
    });
    assert!(caught.contains("/signatures/") && caught.contains("/name"), "{caught}");
    let caught = forged(&|doc, _| {
        let notice = keys_at(doc, &["notices"])[0].clone();
        let notice = object_at(doc, &["notices", &notice]).expect("a notice");
        doc.put(notice, "title", "Forged").expect("a put");
    });
    assert!(caught.contains("/title"), "{caught}");
    let caught = forged(&|doc, world| {
        let comments = object_at(doc, &["notices", &keys_at(doc, &["notices"])[0], "comments"]).expect("comments");
        let comment = doc.put_object(&comments, ItemId::from_random([5; 8]).as_str(), ObjType::Map).expect("a comment");
        doc.put(&comment, "author", resident(world)).expect("a put");
    });
    assert!(caught.contains("/comments/"), "{caught}");
}

/// Found by the property once relays admitted changes off their hub's thread (which lets more
/// happen while a change is being judged). An edit link's holder rewrites the space's write key
/// (an organiser may move it) while the organiser's vote, signed under the old key, is on its
/// way. Relay 2 takes the vote before it hears of the move; relay 1 hears of the move first and
/// refuses the vote as "not signed with a key of this space". Each peer judges a change's
/// signature under the key in force in its own copy, and Automerge cannot take a change back, so
/// the replicas differ for good (here no honest organiser holds the new key to vouch for the
/// vote later). Documented in docs/capabilities.md ("changes made concurrently with a key
/// move"); the same kind of hole as the fork of one's own line: a verdict that depends on the
/// order changes arrive in.
#[test]
#[ignore = "open hole (issue 25's note): a change signed under a key that moves concurrently is taken or refused by the order it arrives in"]
fn a_change_signed_under_a_key_moved_concurrently_splits_the_replicas() {
    use KeyPick::*;
    let plan = vec![
        Step::Attack(Box::new(Attack {
            attacker: 219,
            base: vec![46150, 3874],
            on_own_line: true,
            actor: ActorPick::Own,
            changes: vec![ChangePlan {
                template: Some(Template::Details(144)),
                raw: vec![
                    RawOp::Put { at: 20255, key: Existing(22504), value: ValuePick::Member(74) },
                    RawOp::Put { at: 5432, key: Known(10644), value: ValuePick::Now(680476059) },
                ],
                raw_first: true,
                skew: -857533670,
            }],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 61,
            twice: false,
        })),
        Step::Deliver(105),
        Step::Attack(Box::new(Attack {
            attacker: 79,
            base: vec![31986, 42476],
            on_own_line: true,
            actor: ActorPick::Own,
            changes: vec![
                ChangePlan {
                    template: Some(Template::Join(228)),
                    raw: vec![
                        RawOp::Rewrite { at: 34943, how: 47 },
                        RawOp::Splice { at: 58775, pos: 16127, delete: 173, text: ValuePick::Null },
                        RawOp::Rewrite { at: 7096, how: 116 },
                    ],
                    raw_first: false,
                    skew: -207,
                },
                ChangePlan {
                    template: Some(Template::Sign(18)),
                    raw: vec![
                        RawOp::Rewrite { at: 54040, how: 195 },
                        RawOp::Copy { from: 58212, to: 39826, key: Existing(62397), mine: true },
                        RawOp::Make { at: 58666, key: Existing(35617), kind: 193 },
                    ],
                    raw_first: false,
                    skew: 0,
                },
            ],
            flood: None,
            mutation: None,
            packing: Packing::Concatenated,
            signing: Signing::Every,
            route: 210,
            twice: false,
        })),
        Step::Honest { who: 48, act: HonestAct::Vote(177, 255), wait: 21903 },
    ];
    if let Err(broken) = run_with(3, 12, 12457390912463911759, &plan, true) {
        panic!("{broken}");
    }
}

/// Found by the property in CI: an edit link's holder joins with a change one of whose map
/// writes is reworked below Automerge's API to be marked as an insertion. The relay takes it in;
/// a device that already holds another new change panics applying it (Automerge's own check of
/// its operations' order), closes the link it came on, dials again, gets it again: honest links
/// close for ever. Such operations (an insertion into a map, a removal or increment marked as an
/// insertion) are refused by every peer's rules now, before anything is applied.
#[test]
fn a_map_write_marked_as_an_insertion_is_refused_everywhere_and_links_stay_up() {
    use KeyPick::*;
    let plan = vec![
        Step::Honest { who: 0, act: HonestAct::Join, wait: 0 },
        Step::Attack(Box::new(Attack {
            attacker: 83,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![ChangePlan { template: None, raw: vec![RawOp::Put { at: 1240, key: Member(18), value: ValuePick::Bool(true) }], raw_first: false, skew: -73025864 }],
            flood: None,
            mutation: Some(Mutation { change: 70, twist: Twist::FlipInsert(4128) }),
            packing: Packing::FramePerChange,
            signing: Signing::Every,
            route: 93,
            twice: true,
        })),
        Step::Attack(Box::new(Attack {
            attacker: 233,
            base: vec![33741],
            on_own_line: true,
            actor: ActorPick::Own,
            changes: vec![
                ChangePlan {
                    template: None,
                    raw: vec![RawOp::Copy { from: 54546, to: 40535, key: Known(55063), mine: true }, RawOp::Put { at: 8662, key: Field(217), value: ValuePick::Now(-219) }],
                    raw_first: true,
                    skew: 0,
                },
                ChangePlan { template: Some(Template::Withdraw(155)), raw: vec![], raw_first: true, skew: -561 },
            ],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 138,
            twice: false,
        })),
        Step::Honest { who: 19, act: HonestAct::Join, wait: 25091 },
    ];
    if let Err(broken) = run(2, 9, 1266946957580219531, &plan) {
        panic!("{broken}");
    }
}

/// The home relay at work (`home_relay.rs`), with no attacker: a resident, cut off from relay 2,
/// joins; only the organiser on the direct link hears of it, and holds it beside the document
/// (not in it: no receipt) while the organiser cannot reach relay 1 (the home) either. Sync goes
/// quiet all the same (no peer answers another for ever over a change it holds back). Once the
/// organiser reaches the home again, the join goes on through it to relay 1, which gives the
/// receipt, and every replica takes it, though the resident never met the home. (An organiser's
/// edit, signed with the write key, is taken at once: only residents' changes wait.)
#[test]
fn a_change_waits_beside_the_document_for_the_home_relays_receipt_and_goes_on_towards_it() {
    let mut world = World::new(2, 0, 3);
    let [organiser_to_home, resident_to_relay2, direct] = [0, 2, 4];
    assert_eq!((world.slots[direct].client, world.slots[direct].server), (world.honest[1].node, world.honest[ORGANISER].node));
    assert_eq!((world.slots[resident_to_relay2].client, world.slots[resident_to_relay2].server), (world.honest[1].node, world.relays[1]));
    for slot in [organiser_to_home, resident_to_relay2] {
        let link = world.slots[slot].link.take().expect("up");
        world.net.disconnect(link);
    }
    world.clock += 60_000;
    world.honest_act(1, &HonestAct::Join);
    world.quiet();
    let (organiser, resident) = (world.honest[ORGANISER].node, world.honest[1].node);
    let joined = |world: &World, node: usize| {
        let doc = world.net.nodes[node].repo.document(&world.space).expect("has the space");
        Space::hydrate(doc).expect("a space").members.contains_key(&member_of(&world.honest[1].key).to_string())
    };
    assert!(joined(&world, resident));
    assert!(!joined(&world, organiser), "taken without the home relay's receipt");
    let link = world.net.connect(world.slots[organiser_to_home].client, world.slots[organiser_to_home].server);
    world.slots[organiser_to_home].link = Some(link);
    world.quiet();
    for node in [world.relays[0], world.relays[1], organiser, world.honest[2].node] {
        assert!(joined(&world, node), "node {node} has the join");
    }
}

/// Found by the property's soak once attackers could fork in a homed space. A resident's two
/// requests wait at relay 2 for the home's receipt and go on to a device, which holds them back
/// too; relay 1 (the home) takes one. The device's link to relay 2 drops and comes back, and the
/// device passes the waiting changes on again, beside its heads. Relay 2 refuses one of them (the
/// home's choice is made), and a message with a refused change got no answer, so the device
/// never heard relay 2's heads and never got the change the home took. A peer whose heads we hold
/// is now answered.
#[test]
fn a_peer_that_passes_on_refused_changes_beside_our_heads_is_answered() {
    use KeyPick::*;
    let plan = vec![
        Step::Attack(Box::new(Attack {
            attacker: 0,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![ChangePlan { template: None, raw: vec![RawOp::Rewrite { at: 0, how: 0 }], raw_first: false, skew: 0 }],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 0,
            twice: false,
        })),
        Step::Attack(Box::new(Attack {
            attacker: 26,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![ChangePlan { template: None, raw: vec![RawOp::Put { at: 0, key: Existing(12627), value: ValuePick::Str("I6vQ2 ".into()) }], raw_first: true, skew: 0 }],
            flood: None,
            mutation: Some(Mutation { change: 91, twist: Twist::Object { op: 27714, target: 32407 } }),
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 95,
            twice: false,
        })),
        Step::Deliver(38),
        Step::Deliver(142),
        Step::Attack(Box::new(Attack {
            attacker: 127,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![
                ChangePlan { template: Some(Template::RaiseOver(218)), raw: vec![], raw_first: true, skew: 0 },
                ChangePlan { template: Some(Template::Raise(120)), raw: vec![], raw_first: true, skew: 0 },
            ],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 221,
            twice: false,
        })),
        Step::Deliver(70),
        Step::Toggle(229),
    ];
    if let Err(broken) = run_with(3, 13, 15853665767651582393, &plan, false) {
        panic!("{broken}");
    }
}

/// Found by the property (CI, December 2026): a device back online after its link dropped gets a
/// resident's change before the change it builds on; it keeps it waiting, with the home relay's
/// receipt that came with it. The relay then sends the missing change with that one's receipt
/// only (it tells each receipt once). The waiting change came back without its receipt, waited
/// for one for good, and this device stayed one change behind every other. Now a receipt waits
/// with its change.
#[test]
fn a_receipt_that_came_with_a_waiting_change_waits_with_it() {
    let plan = vec![
        Step::Honest { who: 5, act: HonestAct::Sign(0), wait: 40063 },
        Step::Honest { who: 141, act: HonestAct::Sign(0), wait: 49089 },
        Step::Attack(Box::new(Attack {
            attacker: 0,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![ChangePlan { template: None, raw: vec![RawOp::Mark { at: 0, start: 0, len: 0, name: 1 }], raw_first: false, skew: 0 }],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 101,
            twice: false,
        })),
        Step::Toggle(67),
        Step::Deliver(64),
        Step::Honest { who: 18, act: HonestAct::Join, wait: 41067 },
    ];
    if let Err(broken) = run(3, 8, 473342497631656455, &plan) {
        panic!("{broken}");
    }
}

/// Found by the property (CI, December 2026): a resident's device holds another resident's
/// changes back for the home relay's receipt and passes them on beside its heads. Offline, it makes
/// a change of its own; back online, on a new connection, it sends its heads with those held-back
/// changes, and the relay refuses one of them. The relay did not answer a peer whose heads it does
/// not hold and whose changes it refused (so as not to loop with a peer holding another document
/// under the same ID), so it never asked for the device's own change, and the device stayed apart
/// for good. A refused change that builds on the relay's history now shows the peer shares it.
#[test]
fn a_peer_back_online_with_its_own_change_beside_refused_ones_is_answered() {
    let plan = vec![
        Step::Attack(Box::new(Attack {
            attacker: 73,
            base: vec![],
            on_own_line: false,
            actor: ActorPick::Own,
            changes: vec![ChangePlan { template: None, raw: vec![RawOp::Put { at: 0, key: KeyPick::Existing(0), value: ValuePick::Now(-371) }], raw_first: true, skew: 0 }],
            flood: None,
            mutation: None,
            packing: Packing::OneFrame,
            signing: Signing::Every,
            route: 90,
            twice: false,
        })),
        Step::Attack(Box::new(Attack {
            attacker: 43,
            base: vec![59416, 29250],
            on_own_line: true,
            actor: ActorPick::Odd(163),
            changes: vec![
                ChangePlan { template: None, raw: vec![RawOp::Delete { at: 65301, key: KeyPick::Existing(63216) }], raw_first: false, skew: 0 },
                ChangePlan { template: Some(Template::Join(206)), raw: vec![RawOp::Delete { at: 21282, key: KeyPick::Existing(28135) }], raw_first: false, skew: 0 },
            ],
            flood: None,
            mutation: Some(Mutation { change: 52, twist: Twist::Time(-6006690256711870919) }),
            packing: Packing::FramePerChange,
            signing: Signing::Every,
            route: 167,
            twice: false,
        })),
        Step::Deliver(138),
        Step::Toggle(140),
        Step::Honest { who: 247, act: HonestAct::Join, wait: 15244 },
    ];
    if let Err(broken) = run(3, 6, 10966580433021815603, &plan) {
        panic!("{broken}");
    }
}
