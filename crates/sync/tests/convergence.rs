//! Property (proptest): devices and relays on a simulated network converge whatever happens to
//! the links: frames delayed, links taking turns at random, frames repeated, links cut with
//! frames in flight and dialled again. A cut link never leaves a device silently behind, and once
//! quiet every device knows its relay holds its changes.

mod support;

use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ROOT};
use proptest::prelude::*;
use support::sim::Network;

#[derive(Debug, Clone)]
enum Event {
    /// A device edits the document.
    Edit { device: usize, key: u8, value: u8 },
    /// Up to `n` frames are delivered.
    Deliver(u8),
    /// Up to `n` frames bound for one node are delivered in one batch.
    DeliverBatch(u8),
    /// A device's link to its relay is cut (frames in flight are lost) and dialled again later.
    Cut { device: usize },
    /// A device that was cut off dials its relay again.
    Redial { device: usize },
}

fn events(devices: usize) -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        4 => (0..devices, 0..6u8, any::<u8>()).prop_map(|(device, key, value)| Event::Edit { device, key, value }),
        3 => (1..20u8).prop_map(Event::Deliver),
        2 => (2..8u8).prop_map(Event::DeliverBatch),
        1 => (0..devices).prop_map(|device| Event::Cut { device }),
        1 => (0..devices).prop_map(|device| Event::Redial { device }),
    ];
    prop::collection::vec(event, 1..80)
}

proptest! {
    // 96 cases in the test command; LINLI_SIM_CASES=N for a longer run.
    #![proptest_config(ProptestConfig { cases: std::env::var("LINLI_SIM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]

    #[test]
    fn devices_converge_whatever_the_links_do(
        seed in any::<u64>(),
        devices in 2usize..5,
        two_relays in any::<bool>(),
        duplicates in any::<bool>(),
        events in (2usize..5).prop_flat_map(events),
    ) {
        let mut net = Network::shuffled(seed);
        if duplicates {
            net.duplicate_one_in = Some(7);
        }
        let relays = if two_relays { vec![net.add_relay("relay-a"), net.add_relay("relay-b")] } else { vec![net.add_relay("relay-a")] };
        if two_relays {
            // relay-b dials relay-a, as `linli-relay --peer` does.
            net.connect(relays[1], relays[0]);
        }
        let ids: Vec<usize> = (0..devices).map(|d| net.add_device(&format!("device-{d}"))).collect();
        let relay_of = |d: usize| relays[d % relays.len()];
        let doc_id = DocumentId::from_bytes([42; 16]);
        let mut first = AutoCommit::new();
        first.put(ROOT, "created", true).unwrap();
        net.create(ids[0], doc_id, first);
        let mut links: Vec<Option<u64>> = ids.iter().enumerate().map(|(d, &node)| Some(net.connect(node, relay_of(d)))).collect();
        for &node in &ids[1..] {
            net.find(node, doc_id);
        }
        for event in events {
            match event {
                Event::Edit { device, key, value } => {
                    let device = device % devices;
                    // A device edits only once it has the document.
                    if net.nodes[ids[device]].repo.document(&doc_id).is_some_and(|d| !d.clone().get_heads().is_empty()) {
                        net.change(ids[device], doc_id, |doc| {
                            doc.put(ROOT, format!("k{key}"), i64::from(value)).unwrap();
                        });
                    }
                }
                Event::Deliver(n) => {
                    for _ in 0..n {
                        net.deliver_one();
                    }
                }
                Event::DeliverBatch(n) => {
                    net.deliver_batch(usize::from(n));
                }
                Event::Cut { device } => {
                    if let Some(link) = links[device % devices].take() {
                        net.disconnect(link);
                    }
                }
                Event::Redial { device } => {
                    let device = device % devices;
                    if links[device].is_none() {
                        links[device] = Some(net.connect(ids[device], relay_of(device)));
                    }
                }
            }
        }
        // Heal: every device dials again, then the network runs until quiet.
        for (device, link) in links.iter_mut().enumerate() {
            if link.is_none() {
                *link = Some(net.connect(ids[device], relay_of(device)));
            }
        }
        net.duplicate_one_in = None;
        net.run_until_quiet();
        let heads: Vec<_> = ids.iter().map(|&node| net.nodes[node].repo.document(&doc_id).map(|d| d.clone().get_heads())).collect();
        prop_assert!(heads.iter().all(|h| h.as_ref().is_some_and(|h| !h.is_empty())), "every device has the document: {heads:?}");
        prop_assert!(heads.windows(2).all(|w| w[0] == w[1]), "devices diverged: {heads:?}");
        // And each device knows it: its relay has acknowledged every change (the sync panel's
        // "up to date"), however its messages were batched on the way.
        for (device, link) in links.iter().enumerate() {
            let conn = net.client_conn(link.expect("healed")).expect("link is up");
            let known = net.nodes[ids[device]].repo.peer_up_to_date(&doc_id, conn);
            prop_assert_eq!(known, Some(true), "device {} does not know its relay holds its changes", device);
        }
    }
}
