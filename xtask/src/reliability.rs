//! `cargo xtask reliability`: runs every fault, bad-input and abuse case on its own and writes
//! RELIABILITY.md: the case, what must happen, the test that shows it, and the result of this run.
//! Cases no test covers yet are listed as such, so the gaps stay in sight.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use crate::shell::{Step, root};

/// Where a case is tested.
enum How {
    /// A native test: package, test target (`lib` for the library's own tests), and its full name.
    Cargo(&'static str, &'static str, &'static str),
    /// An end-to-end test: file in tests/e2e and the test's name.
    E2e(&'static str, &'static str),
    /// Not covered by a test yet, and why.
    #[allow(dead_code, reason = "no case is uncovered today; the next gap is listed with it")]
    NotCovered(&'static str),
}

struct Case {
    area: &'static str,
    case: &'static str,
    expected: &'static str,
    how: How,
}

use How::{Cargo, E2e, NotCovered};

const CASES: &[Case] = &[
    Case {
        area: "Faults",
        case: "Relay killed (SIGKILL) during sync, restarted",
        expected: "every change it acknowledged is still there; clients reconverge",
        how: Cargo("linli-relay", "durability", "what_was_acknowledged_survives_sigkill"),
    },
    Case {
        area: "Faults",
        case: "Relay killed (SIGKILL) at each step of a compaction, restarted",
        expected: "every change it acknowledged is still there; clients reconverge",
        how: Cargo("linli-relay", "durability", "what_was_acknowledged_survives_sigkill_during_compaction"),
    },
    Case {
        area: "Faults",
        case: "Crash at any step of a compaction (after any number of its writes and deletes)",
        expected: "nothing stored before is lost; once the snapshot is written, nothing at all",
        how: Cargo("linli-sync", "lib", "chunk_ledger::tests::a_crash_at_any_step_of_a_compaction_loses_nothing_stored"),
    },
    Case {
        area: "Faults",
        case: "Backup (`linli-relay backup DIR`) while clients write and the relay compacts, repeated into the same folder; the folder copied back and a fresh relay started on it",
        expected: "every change acknowledged before the backup started is there; the earlier backup is brought up to date; `check` finds the live folder and the backup whole",
        how: Cargo("linli-relay", "backup", "a_backup_made_under_write_load_restores_every_acknowledged_change"),
    },
    Case {
        area: "Faults",
        case: "Backup: the relay compacts between the backup's listing of a document and its reading of the chunks, round after round",
        expected: "every change stored before the backup is in the copy; a document that never settles fails the backup rather than leave a partial copy",
        how: Cargo("linli-relay", "lib", "backup::tests::compactions_between_listing_and_reading_lose_nothing"),
    },
    Case {
        area: "Faults",
        case: "Chunks damaged on disk (cut short, random bytes); temporary files of killed writes, old and fresh",
        expected: "`linli-relay check` names each damaged file and exits 1, changes no chunk, removes temporary files older than 5 minutes and keeps younger ones; a healthy folder exits 0",
        how: Cargo("linli-relay", "backup", "check_reports_damaged_chunks_exits_1_and_removes_only_old_temporary_files"),
    },
    Case {
        area: "Faults",
        case: "Relay outage seen by a kiosk",
        expected: "keeps showing from IndexedDB; catches up when the relay returns",
        how: E2e("kiosk.test.mjs", "a kiosk shows what another device posts, keeps showing through a relay outage, and catches up"),
    },
    Case {
        area: "Faults",
        case: "Reload with the relay unreachable; relay restarted on its folder",
        expected: "what the UI showed as saved is there; a third device gets it",
        how: E2e("walking_skeleton.test.mjs", "a notice travels between two profiles through the relay, and survives reloads and restarts"),
    },
    Case {
        area: "Faults",
        case: "Tab closed or crashed while writing to IndexedDB",
        expected: "every edit shown as saved is there on reopening",
        how: E2e("tab_crash.test.mjs", "a tab that crashes right after showing 'saved' loses nothing it showed as saved"),
    },
    Case {
        area: "Faults",
        case: "Three browsers partitioned, each editing, then healed",
        expected: "identical views, no edit lost",
        how: E2e("partition.test.mjs", "three neighbours edit apart during a split, and after it heals all three see every edit"),
    },
    Case {
        area: "Faults",
        case: "Network off: the app opens and takes edits",
        expected: "served by the service worker; the edit syncs later",
        how: E2e("offline.test.mjs", "with the network gone the app still opens, shows the space, and takes a notice that syncs later"),
    },
    Case {
        area: "Faults",
        case: "Protocol: frames delayed, reordered, repeated; links cut and redialled",
        expected: "convergence every time, and every device knows its relay holds its changes",
        how: Cargo("linli-sync", "convergence", "devices_converge_whatever_the_links_do"),
    },
    Case {
        area: "Faults",
        case: "A busy relay takes a peer's change and its next message in one batch",
        expected: "the relay's answer still reaches the peer: its sync panel shows \"up to date\"",
        how: Cargo("linli-sync", "repo_sync", "a_relay_that_takes_a_change_and_a_heads_only_message_in_one_batch_still_confirms_the_change"),
    },
    Case {
        area: "Faults",
        case: "Replicas: random edits, shuffled, duplicated and held-back changes",
        expected: "identical spaces; no signature, comment or task lost",
        how: Cargo("linli-core", "replicas", "replicas_converge_and_lose_nothing"),
    },
    Case {
        area: "Bad input",
        case: "Protocol decoder: random bytes",
        expected: "a message or an error, never a panic",
        how: Cargo("linli-sync", "codec", "fuzz::random_bytes_decode_to_a_message_or_an_error"),
    },
    Case {
        area: "Bad input",
        case: "Protocol decoder: real messages damaged and cut",
        expected: "a message or an error; what decodes re-encodes the same",
        how: Cargo("linli-sync", "codec", "fuzz::damaged_messages_decode_to_a_message_or_an_error"),
    },
    Case {
        area: "Bad input",
        case: "Loading a space from damaged bytes (checksums fixed up)",
        expected: "an error or a space; merging or importing them leaves the space as it was when refused",
        how: Cargo("linli-core", "untrusted_bytes", "damaged_chunks_with_valid_checksums_never_crash"),
    },
    Case {
        area: "Bad input",
        case: "Loading a space from random bytes",
        expected: "an error, never a crash",
        how: Cargo("linli-core", "untrusted_bytes", "random_bytes_never_crash"),
    },
    Case {
        area: "Bad input",
        case: "Applying crafted sync messages at a relay",
        expected: "refused or applied; a panic is contained, nothing of it stored, the sender dropped",
        how: Cargo("linli-sync", "untrusted_sync", "crafted_changes_are_refused_or_applied_never_crash"),
    },
    Case {
        area: "Bad input",
        case: "Known Automerge crashers (kept in crates/*/tests/crashers)",
        expected: "contained every run",
        how: Cargo("linli-core", "untrusted_bytes", "every_kept_crasher_stays_contained"),
    },
    Case {
        area: "Bad input",
        case: "Known crasher sent to the real relay",
        expected: "relay stays up, stores nothing of it, drops the sender",
        how: Cargo("linli-relay", "hardening", "a_change_that_crashes_automerge_is_contained"),
    },
    Case {
        area: "Bad input",
        case: "A space picture asked of the relay for a bad ID, an unknown space, or stored bytes that are no space",
        expected: "a clear answer (400, or 204 with the reason), the relay keeps serving",
        how: Cargo("linli-relay", "space_view", "a_bad_id_an_unknown_space_and_bytes_that_are_no_space_get_clear_errors"),
    },
    Case {
        area: "Bad input",
        case: "A kept view of a space damaged, cut, or of another format",
        expected: "read as no view (never a panic or a huge allocation); the engine's view is drawn instead",
        how: Cargo("linli-view", "lib", "snapshot::tests::a_view_round_trips_and_damage_reads_as_nothing"),
    },
    Case {
        area: "Bad input",
        case: "A space file of another space",
        expected: "refused; nothing changes",
        how: Cargo("linli-core", "space_document", "importing_a_space_file_merges_both_sides_and_refuses_another_space"),
    },
    Case {
        area: "Bad input",
        case: "Notices with XSS payloads",
        expected: "rendered inert: no script, handler or script address",
        how: E2e("notices.test.mjs", "hostile notice text is shown as text: no script runs, no handler or script address survives"),
    },
    Case {
        area: "Bad input",
        case: "Automerge panic inside the browser: a known crasher imported as a space file",
        expected: "only the engine's worker dies: a new engine opens the space from IndexedDB and the page says so without reloading; what was typed stays, every notice shown as saved is there, nothing of the file, and the space takes edits",
        how: E2e("crash_recovery.test.mjs", "a space file that makes Automerge panic: the engine starts again, the page stays with what was typed, nothing saved is lost"),
    },
    Case {
        area: "Bad input",
        case: "Automerge panic inside the browser: a known crasher sent by a peer",
        expected: "a new engine opens the space from IndexedDB and the page stays; the crafted change is not kept, saved notices are, and the space takes edits",
        how: E2e("crash_recovery.test.mjs", "a sync message that makes Automerge panic: the engine starts again and keeps everything the page showed as saved"),
    },
    Case {
        area: "Bad input",
        case: "A vote for an option the consultation does not have",
        expected: "refused by every peer (rule: a vote chooses options of the consultation); a result never counts it",
        how: Cargo("linli-core", "lib", "participation::tests::votes_stay_counted_a_closed_consultation_stays_closed_and_options_stay"),
    },
    Case {
        area: "Bad input",
        case: "A vote on a consultation already closed when the vote was made",
        expected: "refused by every peer (rule: voting has closed); a closed consultation stays closed",
        how: Cargo("linli-core", "lib", "participation::tests::votes_stay_counted_a_closed_consultation_stays_closed_and_options_stay"),
    },
    Case {
        area: "Bad input",
        case: "A vote made offline before the close, delivered after it",
        expected: "kept in the document, counted on no replica",
        how: Cargo("linli-core", "consultations", "a_vote_that_arrives_after_the_close_is_not_counted_on_any_replica"),
    },
    Case {
        area: "Bad input",
        case: "A vote in someone else's name, even with the write key",
        expected: "refused by every peer (rule: own vote only)",
        how: Cargo("linli-core", "lib", "participation::tests::no_one_writes_in_another_members_name"),
    },
    Case {
        area: "Faults",
        case: "Replicas voting offline with clocks hours apart, shuffled and repeated delivery",
        expected: "the same result and the same closing on every replica",
        how: Cargo("linli-core", "consultations", "replicas_that_have_the_same_changes_derive_the_same_result"),
    },
    Case {
        area: "Faults",
        case: "A phone whose clock is behind opens a closed consultation",
        expected: "shown closed; it cannot vote",
        how: Cargo("linli-core", "consultations", "a_device_whose_clock_is_behind_cannot_reopen_a_closed_consultation"),
    },
    Case {
        area: "Abuse",
        case: "Oversized message",
        expected: "closed with 1009; an honest pair still syncs",
        how: Cargo("linli-relay", "hardening", "an_oversized_message_closes_with_1009"),
    },
    Case {
        area: "Abuse",
        case: "Flood of messages",
        expected: "cut off with 1008; an honest pair still syncs",
        how: Cargo("linli-relay", "hardening", "a_flood_is_cut_off_with_1008"),
    },
    Case { area: "Abuse", case: "Too many connections", expected: "refused with 503", how: Cargo("linli-relay", "hardening", "connections_over_the_limit_are_refused_with_503") },
    Case {
        area: "Abuse",
        case: "Wrong Origin",
        expected: "refused with 403; an honest pair still syncs",
        how: Cargo("linli-relay", "hardening", "a_wrong_origin_is_refused_with_403"),
    },
    Case { area: "Abuse", case: "Garbage frames", expected: "only the sender is closed", how: Cargo("linli-relay", "relay", "garbage_closes_only_the_sender") },
    Case { area: "Abuse", case: "Request for an unknown document", expected: "doc-unavailable", how: Cargo("linli-relay", "relay", "an_unknown_document_is_unavailable") },
    Case {
        area: "Abuse",
        case: "Listing or guessing documents",
        expected: "a relay offers no client another's documents",
        how: Cargo("linli-sync", "repo_sync", "a_relay_never_offers_one_clients_documents_to_another"),
    },
    Case {
        area: "Abuse",
        case: "Document IDs crafted for path traversal",
        expected: "never touch the file system; an honest pair still syncs",
        how: Cargo("linli-relay", "hardening", "crafted_document_ids_never_touch_the_file_system"),
    },
    Case {
        area: "Abuse",
        case: "Writes from a view-only peer (simulated relays)",
        expected: "refused at the first relay, never stored or forwarded; the peer keeps reading",
        how: Cargo("linli-sync", "capabilities", "a_view_peer_cannot_write_and_its_forged_change_stops_at_the_first_relay"),
    },
    Case {
        area: "Abuse",
        case: "Writes from view-only peers (real relays, npm peers)",
        expected: "refused by the relay and by a federated relay",
        how: E2e("capabilities.test.mjs", "writes without the key are refused by the relay and by a relay that relays; edit-link changes pass both"),
    },
    Case {
        area: "Abuse",
        case: "A peer that keeps its refused change",
        expected: "sync settles instead of running for ever",
        how: Cargo("linli-sync", "capabilities", "a_peer_that_keeps_its_refused_change_does_not_make_sync_run_forever"),
    },
    Case {
        area: "Abuse",
        case: "A resident's forbidden change, properly signed (simulated relays)",
        expected: "refused at the first relay, never forwarded; the resident's device hears why",
        how: Cargo("linli-sync", "participation", "a_residents_crafted_change_to_a_notice_stops_at_the_first_relay_and_the_resident_hears_why"),
    },
    Case {
        area: "Abuse",
        case: "A resident's forbidden change (real relays, a browser over a direct link)",
        expected: "refused by the relay, a federated relay and the browser, each saying why",
        how: E2e("participation.test.mjs", "a resident's crafted change to a notice is refused by the relay, a federated relay, and a browser over a direct link"),
    },
    Case {
        area: "Abuse",
        case: "Signing in another member's name, even with the write key",
        expected: "refused by every peer",
        how: Cargo("linli-sync", "participation", "no_one_signs_in_a_residents_name_not_even_an_organiser"),
    },
    Case {
        area: "Abuse",
        case: "A resident's change built on a forged one",
        expected: "both refused: a member's signature vouches only for their own chain",
        how: Cargo("linli-sync", "participation", "a_resident_cannot_launder_a_forged_change_by_building_on_it"),
    },
    Case {
        area: "Abuse",
        case: "A take-part link's holder writes an incomplete or mistyped entry (certified space)",
        expected: "refused by every peer; an older space's bad entry hides only itself, never its item",
        how: Cargo("linli-sync", "attacks", "an_entry_a_resident_writes_is_whole_and_of_its_kind_and_never_hides_its_item"),
    },
    Case {
        area: "Abuse",
        case: "A change built on an old copy, counter raised, writing another's request, task or comment again",
        expected: "refused by every peer; what stood stays",
        how: Cargo("linli-sync", "attacks", "a_change_built_on_an_old_copy_cannot_replace_anothers_request_task_or_comment"),
    },
    Case {
        area: "Abuse",
        case: "Signing, voting, raising or commenting with new member keys without joining",
        expected: "refused: a resident joins first, so every new key meets the join limit",
        how: Cargo("linli-sync", "attacks", "a_resident_takes_part_only_once_joined_so_every_new_key_counts_as_a_join"),
    },
    Case {
        area: "Abuse",
        case: "A take-part link's members send thousands of small writes in few bytes",
        expected: "each member and the link bring in so many operations a day, whatever their bytes; past that, refused before the rules judge",
        how: Cargo("linli-relay", "lib", "take_part_limits::tests::a_member_and_a_link_bring_in_so_many_operations_a_day_however_small_their_bytes"),
    },
    Case {
        area: "Abuse",
        case: "A member past their day keeps sending costly changes",
        expected: "refused before the rules judge; other members' changes in the same message judged as before",
        how: Cargo("linli-relay", "lib", "take_part_limits::tests::a_member_past_the_day_is_refused_before_the_rules_judge_and_others_are_judged_as_before"),
    },
    Case {
        area: "Abuse",
        case: "A space's changes are being admitted when more of its messages arrive",
        expected: "the relay admits them off its hub, serving other spaces meanwhile; the space's messages wait in order and nothing reads it until it is back",
        how: Cargo("linli-sync", "repo_sync", "a_document_out_for_admission_is_not_read_and_its_messages_wait_in_order_until_it_is_back"),
    },
    Case {
        area: "Abuse",
        case: "One space floods the relay while another syncs",
        expected: "the flooded document, past its share of the hub, waits while the other goes first; what waits is bounded",
        how: Cargo("linli-relay", "lib", "fair_share::tests::a_document_in_debt_waits_while_another_goes_first"),
    },
    Case {
        area: "Abuse",
        case: "One take-part link's members send change after change",
        expected: "each member, and the link as a whole, bring in so many changes and bytes a day; past that, refused for now with a reason",
        how: Cargo("linli-relay", "lib", "take_part_limits::tests::each_member_and_the_link_as_a_whole_bring_in_so_many_changes_a_day"),
    },
    Case {
        area: "Abuse",
        case: "A change too large or too costly to judge",
        expected: "refused before it is judged; the relay stays quick for every space",
        how: Cargo("linli-sync", "attacks", "a_change_too_large_or_too_costly_to_judge_is_refused"),
    },
    Case {
        area: "Abuse",
        case: "A change writing one place thousands of times (renaming oneself, typing backwards), or a resident's change reworking much of what stands",
        expected: "refused before it is read or applied: a change writes each place once, a resident's makes at most 2,500 operations on what stood before it; what the editor writes is admitted",
        how: Cargo("linli-core", "lib", "participation::tests::a_change_writes_each_place_once_so_what_it_costs_a_peer_is_what_it_holds"),
    },
    Case {
        area: "Abuse",
        case: "Unsigned changes whose dependencies are missing, by the thousand",
        expected: "at most 2,000 (8 MB) wait per document, the oldest dropped; a sync message asks for at most 64",
        how: Cargo("linli-sync", "attacks", "unsigned_changes_waiting_for_what_they_build_on_are_bounded_and_so_is_what_a_relay_asks_for"),
    },
    Case {
        area: "Abuse",
        case: "Another document planted under a space's certified ID at a relay that never saw it",
        expected: "refused; the network goes quiet; the genuine space arrives later and is read",
        how: Cargo("linli-sync", "attacks", "a_relay_that_never_saw_a_space_refuses_one_planted_under_its_id"),
    },
    Case {
        area: "Abuse",
        case: "A relay whose storage holds a planted copy",
        expected: "sets it aside on loading and serves the genuine space",
        how: Cargo("linli-sync", "attacks", "a_relay_holding_a_planted_copy_sets_it_aside_and_goes_quiet_with_the_genuine_one"),
    },
    Case {
        area: "Abuse",
        case: "A change vouched for only by the signature on a later change that is refused",
        expected: "both refused; every honest replica holds the same changes",
        how: Cargo("linli-sync", "attacks", "a_change_taken_on_a_later_changes_signature_goes_when_that_change_is_refused"),
    },
    Case {
        area: "Bad input",
        case: "A signed change whose operation names a predecessor elsewhere (Automerge panics saving it)",
        expected: "refused where it arrives as bad data, nothing stored, every replica agrees",
        how: Cargo("linli-sync", "adversaries", "a_change_naming_a_predecessor_elsewhere_is_taken_in_without_a_panic"),
    },
    Case {
        area: "Bad input",
        case: "A signed change with a map write marked as an insertion (Automerge panics on it on some peers)",
        expected: "refused by every peer before it is applied; honest links stay up",
        how: Cargo("linli-sync", "adversaries", "a_map_write_marked_as_an_insertion_is_refused_everywhere_and_links_stay_up"),
    },
    Case {
        area: "Abuse",
        case: "A view link's holder offers a direct (WebRTC) link through a relay",
        expected: "its signals carry no proof of a take-part or edit link, so no device answers them",
        how: Cargo("linli-sync", "attacks", "only_a_take_part_or_edit_links_holder_proves_it_may_open_a_direct_link"),
    },
    Case {
        area: "Abuse",
        case: "Attackers of every tier send random hand-built changes to federated relays and devices",
        expected: "honest replicas agree; nothing outside an attacker's tier changes",
        how: Cargo("linli-sync", "adversaries", "attackers_change_nothing_outside_their_tier"),
    },
    Case {
        area: "Abuse",
        case: "Residents, organisers and a forger on 3-5 replicas, shuffled and repeated delivery",
        expected: "honest replicas agree; no forged change anywhere; every resident change within the rules",
        how: Cargo("linli-sync", "participation_property", "honest_replicas_agree_and_residents_stay_in_their_lane"),
    },
    Case {
        area: "Abuse",
        case: "A space file carrying a forged change",
        expected: "the forged change refused, the rest taken in",
        how: Cargo("linli-sync", "participation", "a_space_file_cannot_smuggle_a_forged_change_nor_another_space_in"),
    },
    Case {
        area: "Abuse",
        case: "A take-part link flooding a space with new members",
        expected: "joins past the relay's limit refused for now, counted at /metrics; the device says so and sends again later",
        how: E2e("participation.test.mjs", "a relay slows a take-part link that floods a space with new members, and the resident's device says so"),
    },
    Case {
        area: "Abuse",
        case: "Spam signatures from a take-part link",
        expected: "an organiser hides the member; every screen and the kiosk stop counting them; history keeps them",
        how: E2e("participation.test.mjs", "an organiser hides a spammer's signatures and the kiosk stops counting them"),
    },
    Case {
        area: "Abuse",
        case: "Slow reader",
        expected: "dropped, not buffered without bound; an honest pair still syncs",
        how: Cargo("linli-relay", "hardening", "a_slow_reader_is_dropped_not_buffered"),
    },
    Case {
        area: "Abuse",
        case: "Silent connection",
        expected: "closed after the idle timeout",
        how: Cargo("linli-relay", "hardening", "a_silent_connection_is_closed_after_the_idle_timeout"),
    },
    Case {
        area: "Load",
        case: "300 clients on 30 documents through one relay, each writing",
        expected: "every client converges; a relay restarted on its folder serves every write (memory per connection: BENCHMARKS.md)",
        how: Cargo("linli-relay", "load", "three_hundred_clients_each_write_once_and_all_converge"),
    },
    Case {
        area: "Load",
        case: "Two waves of 300 clients through one relay",
        expected: "the relay's memory stays within a per-connection budget and does not grow from one wave to the next",
        how: Cargo("linli-relay", "load", "relay_memory_stays_bounded_over_two_waves_of_three_hundred_clients"),
    },
    Case {
        area: "Faults",
        case: "Documents nobody uses released from the relay's memory",
        expected: "held while used, released once idle (counted at /metrics), and served again from the data folder with every change",
        how: Cargo("linli-relay", "idle_release", "documents_nobody_uses_are_released_and_served_again_from_the_data_folder"),
    },
    Case {
        area: "Faults",
        case: "A document released, then asked for again (simulated network)",
        expected: "never released while a connection is engaged in it; loaded again from storage with the last change",
        how: Cargo("linli-sync", "repo_sync", "a_relay_releases_a_document_nobody_uses_and_serves_every_change_from_storage_when_asked_again"),
    },
    Case {
        area: "Faults",
        case: "HTTPS from certificate files, the files renewed while the relay runs",
        expected: "site and sync over TLS; plain http sent to https; the renewed certificate served without a restart",
        how: Cargo("linli-relay", "tls", "certificate_files_serve_the_site_and_sync_over_https_and_a_renewed_certificate_is_picked_up"),
    },
    Case {
        area: "Faults",
        case: "HTTPS from an ACME CA (pebble on 127.0.0.1), then restarted with the CA gone",
        expected: "a certificate obtained and served; kept in the data folder and served after the restart",
        how: Cargo("linli-relay", "tls", "a_certificate_from_an_acme_ca_is_obtained_kept_in_the_data_folder_and_served_after_a_restart"),
    },
    Case {
        area: "Faults",
        case: "A relay on a LAN address without HTTPS",
        expected: "it says why offline use will not work and how to fix it; the page tells residents the same",
        how: Cargo("linli-relay", "tls", "a_relay_on_a_lan_address_without_https_says_why_offline_will_not_work_and_how_to_fix_it"),
    },
    Case {
        area: "Faults",
        case: "A page opened over plain http from another machine's address",
        expected: "the app works online and says, in the reader's language, that it cannot work offline there",
        how: E2e("self_hosting.test.mjs", "a page opened over plain http from another machine's address says Linli cannot work offline there"),
    },
];

/// What was found and is not fixed (kept here so the report always names it).
const KNOWN: &str = "\
- **Automerge panics on some crafted bytes** (7 distinct sites found by mutation fuzzing, kept in
  `crates/*/tests/crashers/`). Natively they are contained; in the browser a panic aborts the
  wasm instance. Linli relays drop such changes before forwarding, but a direct WebRTC peer (or
  another relay) could still deliver one, and a space file can hold one; the page then says so and
  reloads from IndexedDB, which keeps everything it showed as saved. A second panic within a
  minute waits for a press of \"Reload\" instead of reloading in a loop.
- **The npm sync server drops Linli's change signatures**, so a protected space's changes that
  reach a Linli peer only through it are refused (docs/capabilities.md).
- **A peer can push a document the page never asked for**, and the page stores it in IndexedDB: a
  hostile peer could fill a device's storage that way (browsers cap a site's storage).
- **A relay killed while writing a chunk leaves a `.<hash>.tmp` file** in its data folder. It is
  skipped when loading; the relay itself never deletes it, `linli-relay check` does (once it is
  older than 5 minutes), so such files accumulate only until the next check.
- **A relay killed (SIGKILL) leaves its unpacked site** (about 8 MB, `linli-site-*` in the
  temporary folder); a clean stop removes it. Under the systemd unit /tmp is private and goes with
  the service.
- **After loading a large space the relay keeps the memory it took** (about 190 MB for 10,000
  items: glibc keeps freed pages for reuse), though the space itself is released when idle
  (BENCHMARKS.md). The service unit's MemoryMax bounds it.
- **Relay memory with clients connected rose to 46–96 MB from a third wave of 300 clients on**
  (then fell back to 35–54 MB) in an exploratory run; two waves stay under 28 MB (tested). It
  goes up and down rather than climbing, so it looks like temporary allocations that grow with
  the documents, not a leak per connection; the cause is not found yet.
- **After a key rotation, a newcomer judges changes by the key in force where it stands**, not
  where each change sits in history: a forging relay could hand a newcomer a change signed with
  the old key that sits after the rotation. Linli relays refuse such changes, so it takes a
  hostile relay.
- **A writer who forks their own line splits the replicas of a space without a home relay, and
  an edit link's holder does in any space**: two different changes with one actor and sequence
  number, sent to two relays (or one relay and a direct link) before they hear from each other;
  Automerge holds one change per actor and sequence number, so each side refuses the other's and
  holds back every change built on it. A take-part link's holder cannot in a space with a home
  relay, which every space an organiser's device brings to a Linli relay now has (`linli-sync`
  `tests/adversaries.rs`: `a_writer_who_forks_their_own_line_cannot_split_a_space_with_a_home_relay`,
  and the property, whose space has one); edits are taken without the home's receipt.
- **A change signed under a key that an edit link moves concurrently splits replicas**: each peer
  judges the signature under the key in force in its own copy, so the change is taken where it
  arrived before the move and refused where after; an organiser's later change vouches for it,
  unless the key moved to one no honest organiser holds. Kept as `linli-sync`
  `tests/adversaries.rs`: `a_change_signed_under_a_key_moved_concurrently_splits_the_replicas`
  (ignored until fixed).
- The cases marked \"not covered\" above.
";

/// The outcome of one case.
enum Outcome {
    Passed(f64),
    Failed(f64, String),
    NotCovered,
}

pub fn run() -> Result<(), String> {
    crate::setup::toolchain()?;
    crate::setup::browser()?;
    crate::setup::npm_packages()?;
    crate::build_site()?;
    Step::new("build the relay and the crafted-change peer for the end-to-end cases").run(
        "cargo",
        &["build", "-p", "linli-relay", "-p", "linli-loadgen", "--bin", "linli-relay", "--bin", "linli-crafted-change"],
        &[],
    )?;
    Step::new("build the native tests").run("cargo", &["test", "--workspace", "--exclude", "linli", "--exclude", "linli-engine", "--no-run"], &[])?;
    let mut outcomes = Vec::new();
    for case in CASES {
        let outcome = run_case(&case.how);
        let mark = match &outcome {
            Outcome::Passed(_) => "pass",
            Outcome::Failed(..) => "FAIL",
            Outcome::NotCovered => "not covered",
        };
        println!("{mark:>12}  {} — {}", case.area, case.case);
        outcomes.push(outcome);
    }
    let report = render(&outcomes);
    std::fs::write(root().join("RELIABILITY.md"), report).map_err(|e| e.to_string())?;
    println!("\nwrote RELIABILITY.md");
    match outcomes.iter().filter(|o| matches!(o, Outcome::Failed(..))).count() {
        0 => Ok(()),
        n => Err(format!("{n} reliability cases failed (see RELIABILITY.md)")),
    }
}

#[allow(clippy::disallowed_methods, reason = "xtask runs natively, where Instant::now works")]
fn run_case(how: &How) -> Outcome {
    let started = Instant::now();
    let (mut command, passed_marker) = match how {
        NotCovered(_) => return Outcome::NotCovered,
        Cargo(package, target, test) => {
            let mut command = Command::new("cargo");
            let target_args: &[&str] = if *target == "lib" { &["--lib"] } else { &["--test", target] };
            command.args(["test", "-q", "-p", package]).args(target_args).args(["--", "--exact", test]);
            (command, "test result: ok. 1 passed")
        }
        E2e(file, test) => {
            let mut command = Command::new("node");
            let pattern = format!("^{}$", regex_escape(test));
            command
                .current_dir(root().join("tests/e2e"))
                .args(["--test", "--test-reporter=tap", "--test-name-pattern", &pattern, file])
                .env("LINLI_RELAY_BIN", root().join("target/debug/linli-relay"))
                .env("LINLI_SITE_DIR", root().join("dist"))
                .env("LINLI_CRAFTED_BIN", root().join("target/debug/linli-crafted-change"))
                .env("CHROMIUM", crate::setup::CHROMIUM);
            (command, "# pass 1")
        }
    };
    command.current_dir(match how {
        E2e(..) => root().join("tests/e2e"),
        _ => root(),
    });
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => return Outcome::Failed(0.0, error.to_string()),
    };
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&output.stdout);
    // A filter that matched nothing also exits 0: a case passes only if exactly its test ran.
    if output.status.success() && text.contains(passed_marker) {
        Outcome::Passed(seconds)
    } else {
        let tail: String = text.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
        Outcome::Failed(seconds, tail)
    }
}

fn regex_escape(text: &str) -> String {
    text.chars().map(|c| if "\\^$.|?*+()[]{}".contains(c) { format!("\\{c}") } else { c.to_string() }).collect()
}

fn render(outcomes: &[Outcome]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Reliability\n");
    let _ = writeln!(md, "Every case of faults, bad input and abuse Linli is tested against, the test that shows it, and");
    let _ = writeln!(md, "the result of the last run. Regenerate with `cargo xtask reliability` (each case runs on its own;");
    let _ = writeln!(md, "the same tests also run in `cargo xtask test`). Last run: {} on {}\n", crate::bench::today(), crate::bench::machine());
    let passed = outcomes.iter().filter(|o| matches!(o, Outcome::Passed(_))).count();
    let failed = outcomes.iter().filter(|o| matches!(o, Outcome::Failed(..))).count();
    let open = outcomes.len() - passed - failed;
    let _ = writeln!(md, "**{passed} passed, {failed} failed, {open} not covered yet.**\n");
    let _ = writeln!(md, "| area | case | what must happen | tested by | result |\n|---|---|---|---|---|");
    for (case, outcome) in CASES.iter().zip(outcomes) {
        let how = match case.how {
            Cargo(package, "lib", test) => format!("`{package}` (library): `{test}`"),
            Cargo(package, target, test) => format!("`{package}` `tests/{target}.rs`: `{test}`"),
            E2e(file, test) => format!("`tests/e2e/{file}`: “{test}”"),
            NotCovered(why) => format!("not covered: {why}"),
        };
        let result = match outcome {
            Outcome::Passed(s) => format!("pass ({s:.1} s)"),
            Outcome::Failed(s, tail) => format!("**FAIL** ({s:.1} s): {}", tail.replace('|', "\\|")),
            Outcome::NotCovered => "—".to_owned(),
        };
        let _ = writeln!(md, "| {} | {} | {} | {how} | {result} |", case.area, case.case, case.expected);
    }
    let _ = writeln!(md, "\n## Found and not fixed\n\n{KNOWN}");
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_regex_characters_are_matched_literally() {
        assert_eq!(regex_escape("a (b) c?"), "a \\(b\\) c\\?");
    }

    #[test]
    fn every_native_case_names_a_test_that_exists() {
        for case in CASES {
            if let Cargo(package, target, test) = case.how {
                let dir = match package {
                    "linli-relay" => "crates/relay",
                    "linli-sync" => "crates/sync",
                    "linli-core" => "crates/core",
                    "linli-view" => "crates/view",
                    other => panic!("unknown package {other}"),
                };
                // A library test `a::b::name` lives in src/a/b.rs, src/a.rs or src/a/mod.rs.
                let modules: Vec<&str> = test.split("::").collect();
                let candidates: Vec<String> = if target == "lib" {
                    let path = modules[..modules.len() - 1].join("/");
                    vec![format!("src/{path}.rs"), format!("src/{}.rs", modules[0]), format!("src/{}/mod.rs", modules[0])]
                } else {
                    vec![format!("tests/{target}.rs")]
                };
                let (file, source) = candidates
                    .iter()
                    .find_map(|file| std::fs::read_to_string(root().join(dir).join(file)).ok().map(|source| (file.clone(), source)))
                    .unwrap_or_else(|| panic!("no file of {candidates:?} in {dir}"));
                let name = test.rsplit("::").next().unwrap();
                let at = source.find(&format!("fn {name}(")).unwrap_or_else(|| panic!("{test} is not in {dir}/{file}"));
                let before = &source[..at];
                let attribute = before.rfind("#[").map(|i| &before[i..]).unwrap_or("");
                let is_test = (attribute.starts_with("#[test]") || attribute.starts_with("#[tokio::test")) && !attribute.contains("fn ");
                assert!(is_test, "{test} in {dir}/{file} is not a test");
            }
            if let E2e(file, test) = case.how {
                let source = std::fs::read_to_string(root().join("tests/e2e").join(file)).unwrap();
                assert!(source.contains(test), "“{test}” is not in tests/e2e/{file}");
            }
        }
    }
}
