//! The engine core's decisions, natively, with the time passed in: relays dialled again after a
//! backoff, storage before frames, requests that wait for their space, acceptances that stop
//! waiting, two tabs that sync with no relay, the relay badge's pace.

use std::collections::BTreeMap;

use linli_engine_core::{EngineCore, Entropy, Input, Output, Wake, Work};
use linli_model::{Edit, Timestamp};
use linli_sync::{ChunkKey, DocumentId, StorageOp};
use linli_view::requests::{AcceptInvitation, CreateSpace, EditSpace, ExportFile, InviteSpace, ItemHistory, ListTransports};
use linli_view::side_channels::{TabKind, TabMessage};
use linli_view::{EngineError, FromEngine, RelayStatus, Reply, Request, SpaceId, ToEngine, ViewUpdate};

/// Random bytes from a seeded xorshift: each core its own sequence.
fn entropy(seed: u64) -> Entropy {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    Entropy::new(move |bytes| {
        for byte in bytes {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
    })
}

/// A core with the storage of a device: loads answered from what it stored, writes at once.
struct Device {
    core: EngineCore,
    stored: BTreeMap<ChunkKey, Vec<u8>>,
    /// While set, every put fails, as a full IndexedDB's would; like the worker, the device then
    /// skips that document's deletes until one of its puts succeeds.
    fail_puts: bool,
    failed: std::collections::BTreeSet<DocumentId>,
    /// Everything the core said, in order.
    said: Vec<Output>,
}

impl Device {
    fn new(seed: u64) -> Device {
        Device { core: EngineCore::new(entropy(seed)), stored: BTreeMap::new(), fail_puts: false, failed: Default::default(), said: Vec::new() }
    }

    /// Feeds `input` at `now` and runs the storage work it asks for (and what that asks for),
    /// returning every output. Frames stay in the outputs for the caller to carry.
    fn feed(&mut self, now: i64, input: Input) -> Vec<Output> {
        let mut all = Vec::new();
        let mut inputs = vec![input];
        while let Some(input) = inputs.pop() {
            for output in self.core.handle(Timestamp(now), input) {
                match &output {
                    Output::Work(Work::Storage(StorageOp::Load { document_id })) => {
                        let chunks = self.stored.iter().filter(|(key, _)| key.document_id == *document_id).map(|(k, v)| (k.clone(), v.clone())).collect();
                        inputs.insert(0, Input::Loaded { document: *document_id, chunks });
                    }
                    Output::Work(Work::Storage(StorageOp::Put { key, .. })) if self.fail_puts => {
                        self.failed.insert(key.document_id);
                        inputs.insert(0, Input::SaveFailed(key.document_id));
                    }
                    Output::Work(Work::Storage(StorageOp::Put { key, data })) => {
                        self.failed.remove(&key.document_id);
                        self.stored.insert(key.clone(), data.clone());
                        inputs.insert(0, Input::Saved);
                    }
                    Output::Work(Work::Storage(StorageOp::Delete { key })) => {
                        if !self.failed.contains(&key.document_id) {
                            self.stored.remove(key);
                        }
                        inputs.insert(0, Input::Saved);
                    }
                    _ => {}
                }
                all.push(output);
            }
        }
        self.said.extend(all.iter().map(clone_output));
        all
    }

    fn start(&mut self, relays: &[&str]) -> Vec<Output> {
        let relays = relays.iter().map(|r| r.to_string()).collect();
        self.feed(0, Input::Page(ToEngine::Start { page: "page".into(), member_key: None, relays }))
    }

    fn request(&mut self, now: i64, id: u64, request: Request) -> Vec<Output> {
        self.feed(now, Input::Page(ToEngine::Request { id, request }))
    }

    fn tab_name(&self) -> String {
        self.said
            .iter()
            .find_map(|o| match o {
                Output::Page(FromEngine::Started { tab, .. }) => Some(tab.clone()),
                _ => None,
            })
            .expect("started")
    }
}

/// Outputs are not `Clone` (they carry work once); the tests keep a copy of what they need.
fn clone_output(output: &Output) -> Output {
    match output {
        Output::Page(message) => Output::Page(message.clone()),
        Output::Dial { conn, url } => Output::Dial { conn: *conn, url: url.clone() },
        Output::Tab(message) => Output::Tab(message.clone()),
        Output::Work(work) => Output::Work(match work {
            Work::Storage(StorageOp::Load { document_id }) => Work::Storage(StorageOp::Load { document_id: *document_id }),
            Work::Storage(StorageOp::Put { key, data }) => Work::Storage(StorageOp::Put { key: key.clone(), data: data.clone() }),
            Work::Storage(StorageOp::Delete { key }) => Work::Storage(StorageOp::Delete { key: key.clone() }),
            Work::SocketSend { conn, bytes } => Work::SocketSend { conn: *conn, bytes: bytes.clone() },
            Work::SocketClose { conn } => Work::SocketClose { conn: *conn },
            Work::TabSend(message) => Work::TabSend(message.clone()),
            Work::Page(message) => Work::Page(message.clone()),
        }),
        Output::Timer { after_ms, wake } => Output::Timer { after_ms: *after_ms, wake: wake.clone() },
        Output::KeepView { space, bytes } => Output::KeepView { space: *space, bytes: bytes.clone() },
        Output::Log(log) => Output::Log(log.clone()),
    }
}

fn dials(outputs: &[Output]) -> Vec<(u64, String)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Dial { conn, url } => Some((*conn, url.clone())),
            _ => None,
        })
        .collect()
}

fn timers(outputs: &[Output]) -> Vec<(u32, Wake)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Timer { after_ms, wake } => Some((*after_ms, wake.clone())),
            _ => None,
        })
        .collect()
}

fn replies(outputs: &[Output]) -> Vec<(u64, Result<Reply, EngineError>)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Page(FromEngine::Reply { id, result }) => Some((*id, result.clone())),
            _ => None,
        })
        .collect()
}

/// The page's name for a space.
fn sid(id: DocumentId) -> SpaceId {
    SpaceId::parse(&id.to_string()).expect("a space ID")
}

fn created(outputs: &[Output]) -> DocumentId {
    match replies(outputs).as_slice() {
        [(_, Ok(Reply::Created(space)))] => space.as_str().parse().expect("a space ID"),
        other => panic!("expected one Created reply, got {other:?}"),
    }
}

#[test]
fn a_relay_that_closes_is_dialled_again_after_a_growing_backoff_and_at_once_when_the_network_returns() {
    let mut device = Device::new(1);
    let started = device.start(&["ws://relay.test"]);
    let [(first, url)] = dials(&started).try_into().expect("one dial");
    assert_eq!(url, "ws://relay.test");

    let closed = device.feed(10, Input::SocketClosed(first));
    assert!(closed.iter().any(|o| matches!(o, Output::Page(FromEngine::Relays { status: RelayStatus::Offline, .. }))), "the badge says offline");
    assert_eq!(timers(&closed), vec![(1_000, Wake::Redial { url: url.clone(), attempt: 1 })]);
    assert!(dials(&closed).is_empty(), "not at once");

    let [(second, _)] = dials(&device.feed(1_010, Input::Wake(Wake::Redial { url: url.clone(), attempt: 1 }))).try_into().expect("dialled again");
    assert_ne!(second, first, "a new connection");
    let closed = device.feed(1_020, Input::SocketClosed(second));
    assert_eq!(timers(&closed), vec![(2_000, Wake::Redial { url: url.clone(), attempt: 2 })], "the wait grows");

    // The network comes back before the timer: dialled at once, and the timer, when it runs
    // out, dials nothing more.
    let [(third, _)] = dials(&device.feed(1_500, Input::Page(ToEngine::Online(true)))).try_into().expect("dialled at once");
    assert!(dials(&device.feed(3_020, Input::Wake(Wake::Redial { url: url.clone(), attempt: 2 }))).is_empty());

    // Opened, the next close starts the backoff over.
    device.feed(3_100, Input::SocketOpened(third));
    let closed = device.feed(3_200, Input::SocketClosed(third));
    assert_eq!(timers(&closed), vec![(1_000, Wake::Redial { url, attempt: 1 })]);
}

#[test]
fn a_relay_is_heard_on_the_page_at_most_every_five_seconds() {
    let mut device = Device::new(2);
    let [(conn, _)] = dials(&device.start(&["ws://relay.test"])).try_into().expect("one dial");
    device.feed(0, Input::SocketOpened(conn));
    let heard_at = |outputs: &[Output]| {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Page(FromEngine::Relays { last_heard: Some(at), .. }) => Some(at.0),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    // Whatever the frame holds (here, nothing a relay would send), it was heard.
    let mut heard = Vec::new();
    for now in [100, 2_000, 4_900, 5_100, 9_000, 10_200] {
        heard.extend(heard_at(&device.feed(now, Input::SocketFrame(conn, vec![0x00]))));
    }
    assert_eq!(heard, vec![100, 5_100, 10_200]);
}

#[test]
fn a_new_space_is_durable_before_any_frame_that_carries_it_leaves() {
    // Another tab is connected, so the new space is announced to it at once.
    let mut device = Device::new(3);
    let mut other = Device::new(30);
    device.start(&[]);
    let hello = other.start(&[]);
    carry_between_tabs(&mut device, &mut other, 0, Vec::new(), hello);
    let outputs = device.request(1_000, 1, Request::CreateSpace(CreateSpace { name: "Lane 3".into() }));
    let space = created(&outputs);
    let work: Vec<&Work> = outputs
        .iter()
        .filter_map(|o| match o {
            Output::Work(work) => Some(work),
            _ => None,
        })
        .collect();
    let last_put = work.iter().rposition(|w| matches!(w, Work::Storage(StorageOp::Put { key, .. }) if key.document_id == space)).expect("the space is stored");
    let first_send = work.iter().position(|w| matches!(w, Work::TabSend(_))).expect("the other tab is told");
    assert!(first_send > last_put, "no frame before the space is stored: {work:?}");
    // The page heard how many writes are pending, and that they are all done.
    let unsaved: Vec<u32> = device
        .said
        .iter()
        .filter_map(|o| match o {
            Output::Page(FromEngine::Unsaved(n)) => Some(*n),
            _ => None,
        })
        .collect();
    assert!(unsaved.iter().any(|n| *n > 0) && unsaved.last() == Some(&0), "{unsaved:?}");
    // The key to keep went to the page, and its view is kept a moment later.
    assert!(outputs.iter().any(|o| matches!(o, Output::Page(FromEngine::KeepKey { .. }))));
    let keep = timers(&outputs).into_iter().find(|(_, w)| *w == Wake::KeepView(space)).expect("the view is kept later");
    assert_eq!(keep.0, 2_000);
    let kept = device.feed(3_000, Input::Wake(Wake::KeepView(space)));
    assert!(kept.iter().any(
        |o| matches!(o, Output::KeepView { space: s, bytes } if *s == space && linli_view::snapshot::decode::<(linli_view::SpaceStatus, linli_model::Space)>(bytes).is_some())
    ));
}

/// Starts the device, makes and opens a space, and drafts a notice with an ID as the page makes
/// them (with the mark the engine gave it): the space, the notice's ID and the edit posting it.
fn open_space_and_draft_a_notice(device: &mut Device) -> (DocumentId, linli_model::ItemId, Edit) {
    device.start(&[]);
    let space = created(&device.request(1_000, 1, Request::CreateSpace(CreateSpace { name: "Lane 3".into() })));
    device.feed(1_100, Input::Page(ToEngine::Open { space: sid(space) }));
    let mark = device.said.iter().find_map(|o| match o {
        Output::Page(FromEngine::Started { item_mark, .. }) => linli_model::ItemMark::parse(item_mark),
        _ => None,
    });
    let notice = linli_model::ItemId::marked(mark.expect("a mark"), [7; 8]);
    let post = Edit::PostNotice { id: notice.clone(), draft: linli_model::NoticeDraft::new("Water off", "From 9 to 11") };
    (space, notice, post)
}

#[test]
fn an_edit_is_stamped_with_the_time_passed_in() {
    let mut device = Device::new(4);
    let (space, notice, post) = open_space_and_draft_a_notice(&mut device);
    let outputs = device.request(42_000, 2, Request::EditSpace(EditSpace { space: sid(space), edits: vec![post] }));
    assert_eq!(replies(&outputs), vec![(2, Ok(Reply::Done))]);
    let stamped = outputs.iter().find_map(|o| match o {
        Output::Page(FromEngine::View { update: ViewUpdate::Parts { items, .. }, .. }) => items.iter().find_map(|part| match &part.item {
            Some(linli_view::Item::Notice(n)) => Some((n.created_at, n.updated_at)),
            _ => None,
        }),
        _ => None,
    });
    assert_eq!(stamped, Some((Timestamp(42_000), Timestamp(42_000))));
    let history = device.request(43_000, 3, Request::ItemHistory(ItemHistory { space: sid(space), kind: linli_model::ItemKind::Notice, item: notice.to_string() }));
    let rows = match replies(&history).pop() {
        Some((3, Ok(Reply::History(rows)))) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(rows.iter().map(|row| row.at).collect::<Vec<_>>(), vec![Timestamp(42_000)]);
}

fn unsaved_told(outputs: &[Output]) -> Vec<u32> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Page(FromEngine::Unsaved(n)) => Some(*n),
            _ => None,
        })
        .collect()
}

#[test]
fn an_edit_whose_write_failed_is_written_again_whole_and_the_badge_never_says_saved_meanwhile() {
    let mut device = Device::new(5);
    let (space, notice, post) = open_space_and_draft_a_notice(&mut device);

    // The device's storage refuses the edit's writes.
    device.fail_puts = true;
    let outputs = device.request(2_000, 2, Request::EditSpace(EditSpace { space: sid(space), edits: vec![post] }));
    assert_eq!(replies(&outputs), vec![(2, Ok(Reply::Done))]);
    assert!(unsaved_told(&outputs).iter().all(|n| *n > 0), "never 'saved' over a failed write: {:?}", unsaved_told(&outputs));
    assert!(outputs.iter().any(|o| matches!(o, Output::Log(linli_engine_core::Log::Error(_)))), "said in the console");
    assert_eq!(timers(&outputs).into_iter().filter(|(_, w)| *w == Wake::StoreAgain(space)).map(|(ms, _)| ms).collect::<Vec<_>>(), vec![5_000]);

    // Still full when the timer runs out: it waits again, still unsaved.
    let again = device.feed(7_000, Input::Wake(Wake::StoreAgain(space)));
    assert_eq!(timers(&again).into_iter().filter(|(_, w)| *w == Wake::StoreAgain(space)).count(), 1);
    assert!(unsaved_told(&again).iter().all(|n| *n > 0), "{:?}", unsaved_told(&again));

    // Storage works again: the whole space is written, and the badge says saved.
    device.fail_puts = false;
    let stored = device.feed(12_000, Input::Wake(Wake::StoreAgain(space)));
    assert!(stored.iter().any(|o| matches!(o, Output::Work(Work::Storage(StorageOp::Put { key, .. })) if key.document_id == space)));
    assert_eq!(unsaved_told(&stored).last(), Some(&0));

    // A new start on this device's storage alone has the edit.
    let mut restarted = Device::new(6);
    restarted.stored = device.stored.clone();
    restarted.start(&[]);
    restarted.feed(20_000, Input::Page(ToEngine::Open { space: sid(space) }));
    let history = restarted.request(21_000, 3, Request::ItemHistory(ItemHistory { space: sid(space), kind: linli_model::ItemKind::Notice, item: notice.to_string() }));
    match replies(&history).pop() {
        Some((3, Ok(Reply::History(rows)))) => assert_eq!(rows.len(), 1, "the notice is there"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_request_about_a_space_still_loading_waits_for_it_and_one_never_found_says_so() {
    // One device made a space and stored it; the page of the same device opens it again.
    let mut maker = Device::new(5);
    maker.start(&[]);
    let space = created(&maker.request(1_000, 1, Request::CreateSpace(CreateSpace { name: "Lane 3".into() })));
    let mut device = Device::new(6);
    device.stored = maker.stored.clone();
    device.start(&[]);
    // The request comes while the space is loading: the load is answered after it.
    let opened = device.core.handle(Timestamp(2_000), Input::Page(ToEngine::Open { space: sid(space) }));
    assert!(opened.iter().any(|o| matches!(o, Output::Work(Work::Storage(StorageOp::Load { document_id })) if *document_id == space)));
    let asked = device.core.handle(Timestamp(2_001), Input::Page(ToEngine::Request { id: 7, request: Request::ListTransports(ListTransports { space: sid(space) }) }));
    assert!(replies(&asked).is_empty(), "it waits");
    let chunks = device.stored.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let loaded = device.feed(2_002, Input::Loaded { document: space, chunks });
    assert!(matches!(replies(&loaded).as_slice(), [(7, Ok(Reply::Transports(_)))]), "{:?}", replies(&loaded));
    assert!(loaded.iter().any(|o| matches!(o, Output::Page(FromEngine::View { update: ViewUpdate::Whole(s), .. }) if s.name == "Lane 3")));

    // A space nobody has: with no peer to ask, the waiting request hears it was not found.
    let nowhere = DocumentId::certified(&linli_sync::WriteKey::from_seed([9; 32]).public());
    device.core.handle(Timestamp(3_000), Input::Page(ToEngine::Open { space: sid(nowhere) }));
    device.core.handle(Timestamp(3_001), Input::Page(ToEngine::Request { id: 8, request: Request::ExportFile(ExportFile { space: sid(nowhere) }) }));
    let loaded = device.feed(3_002, Input::Loaded { document: nowhere, chunks: Vec::new() });
    assert_eq!(replies(&loaded), vec![(8, Err(EngineError::SpaceNotFound))]);
}

#[test]
fn an_acceptance_whose_link_never_comes_is_answered_when_its_wait_runs_out() {
    let mut upper = Device::new(7);
    upper.start(&["ws://upper.test"]);
    let street = created(&upper.request(1_000, 1, Request::CreateSpace(CreateSpace { name: "Street".into() })));
    upper.feed(1_001, Input::Page(ToEngine::Open { space: sid(street) }));
    let invited = upper.request(2_000, 2, Request::InviteSpace(InviteSpace { space: sid(street), claim_within_hours: 24, label: "Lane 3".into() }));
    let Some((2, Ok(Reply::Invitation(text)))) = replies(&invited).pop() else { panic!("{:?}", replies(&invited)) };

    let mut lower = Device::new(8);
    lower.start(&[]);
    let lane = created(&lower.request(3_000, 1, Request::CreateSpace(CreateSpace { name: "Lane 3".into() })));
    lower.feed(3_001, Input::Page(ToEngine::Open { space: sid(lane) }));
    let accepting = lower.request(4_000, 2, Request::AcceptInvitation(AcceptInvitation { space: sid(lane), invitation: text, shares: Default::default() }));
    assert!(replies(&accepting).is_empty(), "it waits for the link");
    assert!(dials(&accepting).iter().any(|(_, url)| url == "ws://upper.test"), "the upper space's relay is dialled for the link");
    let [(after_ms, wake)] = timers(&accepting).into_iter().filter(|(_, w)| matches!(w, Wake::AcceptExpired { .. })).collect::<Vec<_>>().try_into().expect("one wait");
    assert_eq!(after_ms, 60_000);
    let expired = lower.feed(64_000, Input::Wake(wake.clone()));
    assert_eq!(replies(&expired), vec![(2, Err(EngineError::InvitationNotArrived { relay: "ws://upper.test".into() }))]);
    assert!(replies(&lower.feed(65_000, Input::Wake(wake))).is_empty(), "answered once");
    let again = lower.request(66_000, 3, Request::AcceptInvitation(AcceptInvitation { space: sid(lane), invitation: "not an invitation".into(), shares: Default::default() }));
    assert_eq!(replies(&again), vec![(3, Err(EngineError::NotAnInvitation))]);
}

/// Carries the tab messages and frames between two devices until neither has more to say.
fn carry_between_tabs(a: &mut Device, b: &mut Device, mut now: i64, mut from_a: Vec<Output>, mut from_b: Vec<Output>) {
    let tab_messages = |outputs: Vec<Output>| -> Vec<TabMessage> {
        outputs
            .into_iter()
            .filter_map(|o| match o {
                Output::Tab(message) | Output::Work(Work::TabSend(message)) => Some(message),
                _ => None,
            })
            .collect()
    };
    for _ in 0..50 {
        let (to_b, to_a) = (tab_messages(std::mem::take(&mut from_a)), tab_messages(std::mem::take(&mut from_b)));
        if to_a.is_empty() && to_b.is_empty() {
            return;
        }
        now += 1;
        for message in to_b {
            from_b.extend(b.feed(now, Input::Tab(message)));
        }
        for message in to_a {
            from_a.extend(a.feed(now, Input::Tab(message)));
        }
    }
    panic!("the tabs never went quiet");
}

#[test]
fn two_tabs_sync_a_space_with_no_relay_and_a_tab_that_says_bye_is_forgotten() {
    let mut a = Device::new(9);
    let mut b = Device::new(10);
    let hello_a = a.start(&[]);
    let hello_b = b.start(&[]);
    // A message of a tab's own, or for another tab, is not taken.
    let own = TabMessage { from: a.tab_name(), to: None, kind: TabKind::Hello };
    assert!(a.feed(1, Input::Tab(own)).is_empty());
    let elsewhere = TabMessage { from: "someone".into(), to: Some("another".into()), kind: TabKind::Hello };
    assert!(a.feed(1, Input::Tab(elsewhere)).is_empty());

    // B started after A: A hears B's hello and welcomes it.
    carry_between_tabs(&mut a, &mut b, 10, Vec::new(), hello_b);
    drop(hello_a);
    let made = a.request(100, 1, Request::CreateSpace(CreateSpace { name: "Lane 3".into() }));
    let space = created(&made);
    carry_between_tabs(&mut a, &mut b, 100, made, Vec::new());
    let opened = b.feed(200, Input::Page(ToEngine::Open { space: sid(space) }));
    carry_between_tabs(&mut a, &mut b, 200, Vec::new(), opened);
    assert!(
        b.said.iter().any(|o| matches!(o, Output::Page(FromEngine::View { space: s, update: ViewUpdate::Whole(view) }) if *s == sid(space) && view.name == "Lane 3")),
        "B has A's space"
    );
    let rows = |device: &mut Device| match replies(&device.request(300, 9, Request::ListTransports(ListTransports { space: sid(space) }))).pop() {
        Some((9, Ok(Reply::Transports(rows)))) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(rows(&mut b).iter().filter(|r| r.kind == linli_view::TransportKind::Tab).count(), 1);
    let bye = TabMessage { from: a.tab_name(), to: None, kind: TabKind::Bye };
    b.feed(400, Input::Tab(bye));
    assert_eq!(rows(&mut b).iter().filter(|r| r.kind == linli_view::TransportKind::Tab).count(), 0);
}

/// Connects `device`'s relay socket `conn` to `relay` (another engine core, taking the socket as
/// a direct connection it did not make) and carries frames both ways until they go quiet.
fn carry_socket_to(device: &mut Device, conn: u64, relay: &mut Device, mut now: i64) {
    let mut to_relay: Vec<Vec<u8>> = Vec::new();
    let mut to_device: Vec<Vec<u8>> = Vec::new();
    let frames_to_relay = |outputs: Vec<Output>, out: &mut Vec<Vec<u8>>| {
        out.extend(outputs.into_iter().filter_map(|o| match o {
            Output::Work(Work::SocketSend { conn: c, bytes }) if c == conn => Some(bytes),
            _ => None,
        }))
    };
    let frames_to_device = |outputs: Vec<Output>, out: &mut Vec<Vec<u8>>| {
        out.extend(outputs.into_iter().filter_map(|o| match o {
            Output::Work(Work::Page(FromEngine::DirectSend { bytes, .. })) => Some(bytes),
            _ => None,
        }))
    };
    frames_to_device(relay.feed(now, Input::Page(ToEngine::Direct(linli_view::DirectEvent::Opened { id: 1, outgoing: false }))), &mut to_device);
    frames_to_relay(device.feed(now, Input::SocketOpened(conn)), &mut to_relay);
    for _ in 0..50 {
        if to_relay.is_empty() && to_device.is_empty() {
            return;
        }
        now += 1;
        for bytes in std::mem::take(&mut to_relay) {
            frames_to_device(relay.feed(now, Input::Page(ToEngine::Direct(linli_view::DirectEvent::Frame { id: 1, bytes }))), &mut to_device);
        }
        for bytes in std::mem::take(&mut to_device) {
            frames_to_relay(device.feed(now, Input::SocketFrame(conn, bytes)), &mut to_relay);
        }
    }
    panic!("the socket never went quiet");
}

fn badge(outputs: &[Output]) -> Vec<RelayStatus> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Page(FromEngine::Relays { status, last_heard: None }) => Some(*status),
            _ => None,
        })
        .collect()
}

#[test]
fn the_badge_says_online_again_when_the_network_returns_to_a_socket_that_stayed_open() {
    let mut device = Device::new(11);
    let mut relay = Device::new(12);
    relay.start(&[]);
    let [(conn, _)] = dials(&device.start(&["ws://relay.test"])).try_into().expect("one dial");
    carry_socket_to(&mut device, conn, &mut relay, 100);
    assert_eq!(badge(&device.said), vec![RelayStatus::Online], "online once the relay answered");
    // The browser says it went offline, then back, and the socket never closed.
    assert_eq!(badge(&device.feed(1_000, Input::Page(ToEngine::Online(false)))), vec![RelayStatus::Offline]);
    let back = device.feed(2_000, Input::Page(ToEngine::Online(true)));
    assert_eq!(badge(&back), vec![RelayStatus::Online]);
    assert!(dials(&back).is_empty(), "nothing waited to be dialled");
}

#[test]
fn a_tab_connection_the_repo_closes_is_forgotten_on_both_sides() {
    let mut a = Device::new(13);
    let mut b = Device::new(14);
    a.start(&[]);
    let hello = b.start(&[]);
    carry_between_tabs(&mut a, &mut b, 0, Vec::new(), hello);
    let tab_rows = |device: &mut Device| -> usize {
        let space = sid(DocumentId::certified(&linli_sync::WriteKey::from_seed([1; 32]).public()));
        match replies(&device.request(10, 99, Request::ListTransports(ListTransports { space }))).pop() {
            Some((99, Ok(Reply::Transports(rows)))) => rows.iter().filter(|r| r.kind == linli_view::TransportKind::Tab).count(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!((tab_rows(&mut a), tab_rows(&mut b)), (1, 1));
    // B sends A bytes that are no sync message: A's repo closes the connection and tells B.
    let garbage = TabMessage { from: b.tab_name(), to: Some(a.tab_name()), kind: TabKind::Data(vec![0xff, 0x00, 0x13]) };
    let closed = a.feed(20, Input::Tab(garbage));
    assert!(closed.iter().any(|o| matches!(o, Output::Work(Work::TabSend(TabMessage { kind: TabKind::Bye, .. })))), "{closed:?}");
    carry_between_tabs(&mut a, &mut b, 20, closed, Vec::new());
    assert_eq!((tab_rows(&mut a), tab_rows(&mut b)), (0, 0));
}
