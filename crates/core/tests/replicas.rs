//! Property: 3 to 5 replicas apply random operations from the whole API, exchange changes in
//! random order, duplicated and delayed, and end up identical, with no signature, comment or task
//! lost, and a save → load round trip that changes nothing.

use std::collections::BTreeSet;

use automerge::{AutoCommit, Change};
use linli_core::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Join(u8),
    PostNotice(u8),
    EditNotice { pick: u8, text: u8 },
    ArchiveNotice(u8),
    CreatePledge(u8),
    Sign(u8),
    Withdraw(u8),
    Paper { pick: u8, entry: u8, count: u8 },
    AddTask { n: u8, column: u8 },
    RaiseRequest(u8),
    MoveTask { pick: u8, column: u8, index: u8 },
    Claim(u8),
    Comment { pick: u8, n: u8 },
    Resolve(u8),
    AddColumn(u8),
}

#[derive(Debug, Clone)]
enum Step {
    /// Replica `at` performs `op`.
    Do { at: usize, op: Op },
    /// Some of `from`'s changes reach `to`, shuffled by `seed`, some twice, some held back.
    Deliver { from: usize, to: usize, seed: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Join),
        any::<u8>().prop_map(Op::PostNotice),
        (any::<u8>(), any::<u8>()).prop_map(|(pick, text)| Op::EditNotice { pick, text }),
        any::<u8>().prop_map(Op::ArchiveNotice),
        any::<u8>().prop_map(Op::CreatePledge),
        any::<u8>().prop_map(Op::Sign),
        any::<u8>().prop_map(Op::Withdraw),
        (any::<u8>(), any::<u8>(), 1..5u8).prop_map(|(pick, entry, count)| Op::Paper { pick, entry, count }),
        (any::<u8>(), any::<u8>()).prop_map(|(n, column)| Op::AddTask { n, column }),
        any::<u8>().prop_map(Op::RaiseRequest),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(pick, column, index)| Op::MoveTask { pick, column, index }),
        any::<u8>().prop_map(Op::Claim),
        (any::<u8>(), any::<u8>()).prop_map(|(pick, n)| Op::Comment { pick, n }),
        any::<u8>().prop_map(Op::Resolve),
        any::<u8>().prop_map(Op::AddColumn),
    ]
}

fn steps(replicas: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => (0..replicas, op()).prop_map(|(at, op)| Step::Do { at, op }),
        1 => (0..replicas, 0..replicas, any::<u64>()).prop_map(|(from, to, seed)| Step::Deliver { from, to, seed }),
    ];
    prop::collection::vec(step, 1..60)
}

/// What must survive: (kind, item, detail) of every signature, comment and task made.
type Ledger = BTreeSet<(&'static str, String, String)>;

struct World {
    docs: Vec<AutoCommit>,
    /// Replica 0's space as a screen keeps it: refreshed from patches after every step.
    view: Space,
    view_heads: Vec<automerge::ChangeHash>,
    clock: i64,
    ledger: Ledger,
    board: ItemId,
}

fn author(replica: usize, now: i64) -> Author {
    let n = replica as u8 + 1;
    Author { member: MemberId::from_random([n; 8]), session: [n; 8], now: Timestamp(now) }
}

/// An ID unique to the replica that creates the item.
fn new_id(replica: usize, kind: u8, n: u8) -> ItemId {
    ItemId::from_random([replica as u8, kind, n, 0, 0, 0, 0, 1])
}

fn pick<'a>(keys: impl Iterator<Item = &'a String>, n: u8) -> Option<ItemId> {
    let keys: Vec<&String> = keys.collect();
    (!keys.is_empty()).then(|| ItemId::parse(keys[n as usize % keys.len()]).expect("IDs made here parse"))
}

impl World {
    fn new(replicas: usize) -> World {
        let board = ItemId::from_random([9; 8]);
        let mut base = new_space("replicas", &author(0, 1));
        let columns: Vec<(ItemId, Names)> = (0..2).map(|c| (ItemId::from_random([8, c, 0, 0, 0, 0, 0, 0]), Names::from([("en".into(), format!("col {c}"))]))).collect();
        Editor::new(&mut base, &author(0, 1)).create_board(&board, "Board", &columns).unwrap();
        let view = Space::hydrate(&base).unwrap();
        let view_heads = base.get_heads();
        World { docs: (0..replicas).map(|_| base.fork()).collect(), view, view_heads, clock: 1_000, ledger: Ledger::new(), board }
    }

    fn apply(&mut self, at: usize, op: &Op) {
        self.clock += 1_000;
        let author = author(at, self.clock);
        let me = author.member.to_string();
        let space = Space::hydrate(&self.docs[at]).expect("replicas stay readable");
        let columns: Vec<String> = space.boards[self.board.as_str()].columns.keys().cloned().collect();
        let column = |n: u8| ItemId::parse(&columns[n as usize % columns.len()]).unwrap();
        let mut editor = Editor::new(&mut self.docs[at], &author);
        // Operations on items this replica does not have yet fail cleanly; that is fine.
        match op {
            Op::Join(n) => drop(editor.join(&format!("member {n}"), "volunteer")),
            Op::PostNotice(n) => drop(editor.post_notice(&new_id(at, 1, *n), NoticeDraft::new(format!("notice {n}"), "body"))),
            Op::EditNotice { pick: p, text } => {
                if let Some(id) = pick(space.notices.keys(), *p) {
                    let draft = NoticeDraft { body: format!("body {text} from {at}"), ..NoticeDraft::of(&space.notices[id.as_str()]) };
                    editor.edit_notice(&id, draft).unwrap();
                }
            }
            Op::ArchiveNotice(p) => {
                if let Some(id) = pick(space.notices.keys(), *p) {
                    editor.set_notice_archived(&id, true).unwrap();
                }
            }
            Op::CreatePledge(n) => {
                let draft = PledgeDraft { title: format!("pledge {n}"), goal: 3, ..Default::default() };
                drop(editor.create_pledge(&new_id(at, 2, *n), draft));
            }
            Op::Sign(p) => {
                if let Some(id) = pick(space.pledges.keys(), *p) {
                    editor.sign_pledge(&id, &format!("signer {at}")).unwrap();
                    self.ledger.insert(("signature", id.to_string(), me));
                }
            }
            Op::Withdraw(p) => {
                if let Some(id) = pick(space.pledges.keys(), *p) {
                    drop(editor.withdraw_signature(&id));
                }
            }
            Op::Paper { pick: p, entry, count } => {
                if let Some(id) = pick(space.pledges.keys(), *p) {
                    let entry = new_id(at, 3, *entry);
                    editor.record_paper_signatures(&id, &entry, u64::from(*count), "").unwrap();
                    self.ledger.insert(("paper", id.to_string(), entry.to_string()));
                }
            }
            Op::AddTask { n, column: c } => {
                let id = new_id(at, 4, *n);
                if editor.add_task(&id, &self.board, &column(*c), TaskDraft { title: format!("task {n}"), ..Default::default() }, Place::End).is_ok() {
                    self.ledger.insert(("task", id.to_string(), String::new()));
                }
            }
            Op::RaiseRequest(n) => {
                let id = new_id(at, 5, *n);
                let draft = TaskDraft { title: format!("request {n}"), ..Default::default() };
                if editor.raise_request(&id, &self.board, &column(0), "c000000000000002", draft, Place::End).is_ok() {
                    self.ledger.insert(("task", id.to_string(), String::new()));
                }
            }
            Op::MoveTask { pick: p, column: c, index } => {
                if let Some(id) = pick(space.tasks.keys(), *p) {
                    editor.move_task(&id, &column(*c), Place::Index(*index as usize)).unwrap();
                }
            }
            Op::Claim(p) => {
                if let Some(id) = pick(space.tasks.keys(), *p) {
                    editor.claim_task(&id).unwrap();
                }
            }
            Op::Comment { pick: p, n } => {
                if let Some(id) = pick(space.tasks.keys(), *p) {
                    let comment = new_id(at, 6, *n);
                    if editor.comment_on_task(&id, &comment, &format!("comment {n}")).is_ok() {
                        self.ledger.insert(("comment", id.to_string(), comment.to_string()));
                    }
                }
            }
            Op::Resolve(p) => {
                let requests: Vec<&String> = space.tasks.iter().filter(|(_, t)| t.request.is_some()).map(|(id, _)| id).collect();
                if let Some(id) = pick(requests.into_iter(), *p) {
                    editor.resolve_request(&id, true).unwrap();
                }
            }
            Op::AddColumn(n) => drop(editor.add_column(&self.board, &new_id(at, 7, *n), Names::from([("en".into(), format!("col {n}"))]))),
        }
    }

    /// Delivers a seeded selection of `from`'s changes that `to` lacks: shuffled, some twice,
    /// about a third held back for later.
    fn deliver(&mut self, from: usize, to: usize, seed: u64) {
        if from == to {
            return;
        }
        let (a, b) = if from < to {
            let (left, right) = self.docs.split_at_mut(to);
            (&mut left[from], &mut right[0])
        } else {
            let (left, right) = self.docs.split_at_mut(from);
            (&mut right[0], &mut left[to])
        };
        let mut changes: Vec<Change> = b.get_changes_added(a);
        let mut rng = seed | 1;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for i in (1..changes.len()).rev() {
            changes.swap(i, next() as usize % (i + 1));
        }
        let mut batch = Vec::new();
        for change in changes {
            match next() % 6 {
                0 | 1 => {}
                2 => {
                    batch.push(change.clone());
                    batch.push(change);
                }
                _ => batch.push(change),
            }
        }
        b.apply_changes(batch).expect("changes from a replica apply");
    }

    /// Refreshes replica 0's view from the patches since the view was last brought up to date,
    /// and checks it equals a full read.
    fn refresh_view(&mut self) -> Result<(), TestCaseError> {
        let doc = &mut self.docs[0];
        let heads = doc.get_heads();
        let patches = doc.diff(&self.view_heads, &heads);
        self.view.refresh(doc, &patches).unwrap();
        self.view_heads = heads;
        prop_assert_eq!(&self.view, &Space::hydrate(doc).unwrap(), "refreshing from patches equals reading everything");
        Ok(())
    }

    fn sync_all(&mut self) {
        let n = self.docs.len();
        for _ in 0..2 {
            for from in 0..n {
                for to in 0..n {
                    if from != to {
                        let (changes, target) = {
                            let source = self.docs[from].clone();
                            let mut source = source;
                            (self.docs[to].get_changes_added(&mut source), to)
                        };
                        self.docs[target].apply_changes(changes).unwrap();
                    }
                }
            }
        }
    }
}

fn check_ledger(space: &Space, ledger: &Ledger) -> Result<(), TestCaseError> {
    for (kind, item, detail) in ledger {
        let present = match *kind {
            "signature" => space.pledges.get(item).is_some_and(|p| p.signatures.contains_key(detail)),
            "paper" => space.pledges.get(item).is_some_and(|p| p.paper.contains_key(detail)),
            "comment" => space.tasks.get(item).is_some_and(|t| t.comments.contains_key(detail)),
            "task" => space.tasks.contains_key(item),
            _ => unreachable!(),
        };
        prop_assert!(present, "lost {kind} {item} {detail}");
    }
    Ok(())
}

/// Every item read from the materialized tree equals the same item read field by field with
/// autosurgeon (the two readers must agree).
fn same_as_field_by_field(doc: &AutoCommit, space: &Space) -> Result<(), TestCaseError> {
    fn check<T: autosurgeon::Hydrate + PartialEq + std::fmt::Debug>(
        doc: &AutoCommit,
        collection: &str,
        items: &std::collections::BTreeMap<String, T>,
    ) -> Result<(), TestCaseError> {
        for (id, item) in items {
            let field_by_field = read_item::<T>(doc, collection, id).unwrap();
            prop_assert_eq!(field_by_field.as_ref(), Some(item));
        }
        Ok(())
    }
    check(doc, "categories", &space.categories)?;
    check(doc, "members", &space.members)?;
    check(doc, "notices", &space.notices)?;
    check(doc, "pledges", &space.pledges)?;
    check(doc, "boards", &space.boards)?;
    check(doc, "tasks", &space.tasks)?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_and_lose_nothing((replicas, steps) in (3usize..=5).prop_flat_map(|r| (Just(r), steps(r)))) {
        let mut world = World::new(replicas);
        for step in &steps {
            match step {
                Step::Do { at, op } => world.apply(*at, op),
                Step::Deliver { from, to, seed } => world.deliver(*from, *to, *seed),
            }
            world.refresh_view()?;
        }
        world.sync_all();
        world.refresh_view()?;
        let heads: Vec<_> = world.docs.iter_mut().map(|d| d.get_heads()).collect();
        prop_assert!(heads.windows(2).all(|w| w[0] == w[1]), "replicas have different heads");
        let spaces: Vec<Space> = world.docs.iter().map(|d| Space::hydrate(d).unwrap()).collect();
        for space in &spaces[1..] {
            prop_assert_eq!(space, &spaces[0]);
        }
        prop_assert!(spaces[0].unreadable.is_empty(), "{:?}", spaces[0].unreadable);
        check_ledger(&spaces[0], &world.ledger)?;
        // Every task is on exactly one column of its board (moves never duplicate a card).
        for (id, task) in &spaces[0].tasks {
            let shown = spaces[0].column_tasks(&task.board, &task.column).iter().filter(|(t, _)| t == id).count()
                + spaces[0].orphan_tasks(&task.board).iter().filter(|(t, _)| t == id).count();
            prop_assert!(shown >= 1, "task {id} is on no column");
        }
        same_as_field_by_field(&world.docs[0], &spaces[0])?;
        let reloaded = load_document(&world.docs[0].save()).unwrap();
        prop_assert_eq!(Space::hydrate(&reloaded).unwrap(), spaces[0].clone());
    }
}
